"""Each run setting is declared once (tui/core/settings.py), and every way in — the command
line, a session file, a configure action (settings screen, lessons, followers) — accepts and
refuses exactly the same values.  A session saved at any setting's extreme replays."""
from __future__ import annotations

import json
import math

import pytest

from tui.cli.main import make_parser
from tui.cli.options import UsageError, config_from_args
from tui.core import settings
from nn.optimizers import hyper_settings
from tui.core.config import RunConfig, build, with_settings
from tui.core.recording import load_session
from tui.core.session import Session
from tui.core.settings import SETTINGS, check, config_from_json, parse, read_changes

NUMERIC = [s for s in SETTINGS.values() if s.kind in ("int", "float") and s.flag]


def edges(s) -> list:
    """Values at and just beyond each bound of ``s``."""
    out = []
    for bound, side in ((s.low, -1), (s.high, +1)):
        if bound is None:
            continue
        step = 1 if s.kind == "int" else max(abs(bound) * 1e-9, 1e-9)
        out += [bound, bound + side * step, bound - side * step]
    return out


def cli_accepts(flag: str, text: str) -> bool:
    hyper = next((s for s in SETTINGS.values() if s.flag == flag and s.optimizers), None)
    args = ["train", "--optimizer", hyper.optimizers[0]] if hyper else ["train"]
    try:
        make_parser().parse_args(args + [f"{flag}={text}"])
    except UsageError:
        return False
    return True


def file_accepts(name: str, value) -> bool:
    try:
        config_from_json({name: value})
    except ValueError:
        return False
    return True


def configure_accepts(name: str, value) -> bool:
    try:
        read_changes({name: value})
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("setting", NUMERIC, ids=lambda s: s.name)
def test_cli_file_and_configure_agree_at_every_bound(setting):
    for value in edges(setting):
        value = int(value) if setting.kind == "int" else float(value)
        inside = setting.low <= value and (setting.high is None or value <= setting.high) \
            and not (setting.low_open and value == setting.low) \
            and not (setting.high_open and value == setting.high)
        text = str(value) if setting.kind == "int" else repr(value)
        assert cli_accepts(setting.flag, text) is inside, (setting.name, value)
        assert file_accepts(setting.name, value) is inside, (setting.name, value)
        if setting.configurable:
            assert configure_accepts(setting.name, value) is inside, (setting.name, value)


@pytest.mark.parametrize("name,good,bad", [
    ("hidden", "16,8", ",".join(["2"] * 17)),
    ("hidden", "4096", "4097"),
    ("activation", "tanh,relu", "softmax"),
    ("features", "x1,x2,x1^2", "x1,x1"),
    ("target", "sin(3*x1)*x2", "__import__('os')"),
    ("optimizer", "adam", "sgd"),
    ("loss", "cross-entropy", "hinge"),
])
def test_text_settings_are_read_one_way(name, good, bad):
    s = SETTINGS[name]
    value = parse(name, good)
    as_json = list(value) if isinstance(value, tuple) else value
    assert cli_accepts(s.flag, good) and file_accepts(name, as_json)
    with pytest.raises(ValueError):
        parse(name, bad)
    assert not cli_accepts(s.flag, bad)


def test_nan_and_infinities_are_refused_everywhere():
    for s in NUMERIC:
        for text, value in (("nan", math.nan), ("inf", math.inf)):
            assert not cli_accepts(s.flag, text), s.name
            assert not file_accepts(s.name, value), s.name


def test_whole_numbers_past_a_floats_range_are_refused_everywhere_in_one_line():
    """10**400 is a valid JSON and command-line whole number that no float can hold
    (math.isfinite raises OverflowError on it): refused like any out-of-bounds value."""
    huge = 10**400
    for s in NUMERIC:
        assert not cli_accepts(s.flag, str(huge)), s.name
        assert not file_accepts(s.name, huge) and not file_accepts(s.name, -huge), s.name
        if s.configurable:
            assert not configure_accepts(s.name, huge), s.name
        with pytest.raises(ValueError) as exc:
            check(s.name, huge)
        assert "\n" not in str(exc.value) and len(str(exc.value)) < 200, s.name


def test_every_setting_has_one_declaration_that_every_reader_uses():
    assert settings.CONFIG_FIELDS == tuple(SETTINGS)
    fields = set(RunConfig.__dataclass_fields__) - {"data_kind", "hyper"}
    # the optimizers' hyper-parameter settings are kept in RunConfig.hyper, each made from
    # its optimizer class's declaration (nn.optimizers)
    assert set(SETTINGS) - set(settings.HYPER_SETTINGS) == fields
    assert settings.HYPER_SETTINGS == tuple(hyper_settings()) == ("momentum", "rho")
    parser = make_parser()
    flags = {a.option_strings[0] for a in parser._actions if a.option_strings}
    assert {s.flag for s in SETTINGS.values() if s.flag} <= flags
    for s in SETTINGS.values():
        assert s.help and s.lesson_key == s.name.replace("_", "-")


def test_the_screen_offers_only_values_every_reader_accepts():
    from tui.app.screens.settings import draft_of, field_rows

    config = build(RunConfig(task="spiral")).config
    draft = draft_of(config)
    for _ in range(40):
        for delta in (1, -1):
            for i in range(len(field_rows(draft, "spiral"))):
                rows = field_rows(draft, "spiral")   # the rows follow the layers added/removed
                if i < len(rows):
                    rows[i].change(draft, delta)
                sent = {k: v for k, v in draft.items() if v is not None and k != "activation"}
                read_changes(sent)   # raises if the screen made a value a file would refuse


EXTREMES = [
    ["--seed", str(settings.MAX_SEED)],
    ["--hidden", ",".join(["1"] * settings.MAX_LAYERS)],
    ["--hidden", str(settings.MAX_HIDDEN)],
    ["--init", "normal", "--sigma", "1e6"],
    ["--weight-decay", "1e6"],
    ["--noise", "10", "--task", "circle"],
    ["--test-fraction", "0.9", "--task", "circle"],
    ["--optimizer", "nesterov", "--momentum", "0.999999"],
    ["--optimizer", "rmsprop", "--rho", "0.999999"],
    ["--batch", "1"],
]


@pytest.mark.parametrize("argv", EXTREMES, ids=lambda a: " ".join(a))
def test_a_session_saved_at_a_settings_extreme_replays(tmp_path, argv):
    args = make_parser().parse_args(argv if "--task" in argv else ["--task", "xor", *argv])
    config = config_from_args(args)
    session = Session(build(config))
    path = session.save_session(tmp_path / "s.json")
    loaded, actions = load_session(path)
    assert loaded == session.config


def test_the_check_can_fail():
    """Planted: a bound one step too wide is caught by the agreement test."""
    wide = settings.Setting("noise", "float", "h", "--noise", low=0.0, high=settings.MAX_NOISE * 2)
    original = SETTINGS["noise"]
    SETTINGS["noise"] = wide
    try:
        with pytest.raises(AssertionError):
            test_cli_file_and_configure_agree_at_every_bound(original)
    finally:
        SETTINGS["noise"] = original
    assert check("noise", 10.0) == 10.0


@pytest.mark.parametrize("name,value,message", [
    ("noise", 11, "noise must be a number from 0 to 10, got 11"),
    ("noise", 0.5e-300 * -1e300, "noise must be a number from 0 to 10, got -0.5"),
    ("seed", -1, "seed must be a whole number from 0 to 4294967295, got -1"),
    ("seed", True, "seed must be a whole number from 0 to 4294967295, got True"),
    ("seed", 1.5, "seed must be a whole number from 0 to 4294967295, got 1.5"),
    ("lr", 0, "lr must be a number above 0, got 0"),
    ("lr", "0.1", "lr must be a number above 0, got '0.1'"),
    ("momentum", 1.0, "momentum must be a number from 0 to 1 (not included), got 1"),
    ("batch", 0, "batch must be a whole number from 1 to 1000000000, got 0"),
    ("hidden", [True], "a hidden layer size must be a whole number from 1 to 4096, got True"),
    ("hidden", [4] * 17, "hidden must be a list of at most 16 layer sizes"),
    ("optimizer", "sgd", "optimizer must be one of gd, momentum, nesterov, adam, rmsprop, "
                         "got 'sgd'"),
    ("rho", -0.1, "rho must be a number from 0 to 1 (not included), got -0.1"),
    ("features", ["x1", "x1"], "features must not repeat a feature"),
    ("features", [], "features must be a list of feature names"),
    ("data", "", "data must be a file name, got ''"),
])
def test_each_refusal_is_one_line_naming_the_setting_and_its_bounds(name, value, message):
    with pytest.raises(ValueError) as error:
        check(name, value)
    assert str(error.value) == message


def test_lists_at_their_length_bounds():
    names = settings.HIDDEN_ACTIVATIONS
    assert check("activation", [names[0]]) == (names[0],)
    assert check("activation", [names[0]] * settings.MAX_LAYERS) == (names[0],) * 16
    with pytest.raises(ValueError):
        check("activation", [names[0]] * (settings.MAX_LAYERS + 1))
    with pytest.raises(ValueError):
        check("activation", [])
    assert check("hidden", [1] * settings.MAX_LAYERS) == (1,) * 16
    assert check("hidden", []) == ()
    assert check("features", ["x1"]) == ("x1",)


def test_bounds_are_written_as_people_read_them():
    assert SETTINGS["noise"].bounds_text() == "from 0 to 10"
    assert SETTINGS["seed"].bounds_text() == "from 0 to 4294967295"
    assert SETTINGS["lr"].bounds_text() == "above 0"
    assert SETTINGS["momentum"].bounds_text() == "from 0 to 1 (not included)"


def test_a_configuration_round_trips_through_its_file_form():
    config = config_from_json({"task": "spiral", "hidden": [8, 4], "activation": ["tanh", "relu"],
                               "features": ["x1", "x2"], "lr": 0.5, "noise": 0.2})
    assert config.hidden == (8, 4) and config.activation == ("tanh", "relu")
    assert config_from_json(settings.config_to_json(config)) == config
    assert read_changes({"hidden": [3, 3]}) == {"hidden": [3, 3]}
    with pytest.raises(ValueError, match="cannot be changed here"):
        read_changes({"seed": 3})


#: a session file written by release 0.2.0 (before the optimizers declared their settings):
#: nesterov β 0.7, then β 0.5, a spell of gd, then momentum (β 0.5 kept across the gd)
RELEASE_0_2_0 = (
    '{"format":"tinynet-session-1","config":{"task":"circle","data":null,"hidden":[4]'
    ',"activation":"tanh","lr":1.0,"seed":3,"epochs":5000,"load":null,"features":null'
    ',"target":null,"test_fraction":0.0,"noise":null,"loss":"mse","optimizer":"nester'
    'ov","momentum":0.7,"init":"default","sigma":null,"batch":null,"weight_decay":0.0'
    ',"image":null},"actions":[{"do":"play","epochs":5},{"do":"configure","changes":{'
    '"momentum":0.5}},{"do":"play","epochs":5},{"do":"configure","changes":{"optimize'
    'r":"gd"}},{"do":"play","epochs":2},{"do":"configure","changes":{"optimizer":"mom'
    'entum"}},{"do":"play","epochs":3}]}'
)


def test_a_session_file_of_release_0_2_0_replays_as_it_did(tmp_path):
    """Its ``momentum`` key and configure actions are read as 0.2.0 read them; the replay
    equals the same session carried out action by action (bit for bit; on the machine this
    test was written on it also equalled 0.2.0's own replay bit for bit)."""
    path = tmp_path / "old.json"
    path.write_text(RELEASE_0_2_0)
    config, actions = load_session(path)
    assert (config.optimizer, config.hyper_value("momentum"), config.hyper_value("rho")) == (
        "nesterov", 0.7, 0.9)
    replayed = Session(build(config))
    replayed.replay(actions)
    assert replayed.net.optimizer.describe() == "momentum(beta=0.5, nesterov=False)"
    by_hand = Session(build(with_settings(RunConfig(task="circle", seed=3, hidden=(4,)),
                                          optimizer="nesterov", momentum=0.7)))
    by_hand.play_chunk(5)
    by_hand.configure({"momentum": 0.5})
    by_hand.play_chunk(5)
    by_hand.configure({"optimizer": "gd"})
    by_hand.play_chunk(2)
    by_hand.configure({"optimizer": "momentum"})
    by_hand.play_chunk(3)
    assert replayed.net.theta.tobytes() == by_hand.net.theta.tobytes()


def test_a_file_written_now_without_a_newer_optimizer_has_only_keys_0_2_0_reads():
    old_keys = set(json.loads(RELEASE_0_2_0)["config"])
    for optimizer in ("gd", "momentum", "nesterov", "adam"):
        config = build(RunConfig(task="circle", optimizer=optimizer)).config
        assert set(settings.config_to_json(config)) <= old_keys, optimizer
    rms = settings.config_to_json(RunConfig(optimizer="rmsprop"))
    assert rms["rho"] == 0.9 and "momentum" not in rms
    assert settings.config_to_json(RunConfig(hyper={"momentum": 0.5}))["momentum"] == 0.5
    # a configure action of any hyper-parameter setting, at its default too, reads one way
    assert read_changes({"momentum": 0.9}) == {"momentum": 0.9}
    assert read_changes({"rho": 0.9, "optimizer": "gd"}) == {"rho": 0.9, "optimizer": "gd"}
