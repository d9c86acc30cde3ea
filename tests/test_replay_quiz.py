"""Record/replay reproduces the final weights bit for bit; quiz answers are scored."""
import json

import numpy as np
import pytest

from nn import Phase
from tui.app.app import TinyNetApp
from tui.cli.main import main
from tui.core.config import RunConfig, build
from tui.core.recording import SessionFileError, load_session
from tui.app.screens.number import NumberScreen
from tui.core.quiz import Quiz
from tui.core.session import Session


async def test_saved_session_replays_to_the_same_weights_bit_for_bit(tmp_path):
    app = TinyNetApp(build(RunConfig(task="xor")), save_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "n", "n", "b", "g", "n", "g", "g", "n")
        app.session.play_chunk(37)
        await pilot.press("down", "w", "ctrl+u", *"b 0.25", "enter")
        await pilot.press("l", *"2", "enter", "n", "n", "R", "g", "n", "n", "b")
        app.session.play_chunk(11)
        await pilot.press("S")
        final = [(l.W.copy(), l.b.copy()) for l in app.session.net.layers]
        epoch, cursor = app.session.stepper.epoch, app.session.stepper.cursor
    path = next(tmp_path.glob("tinynet-session-*.json"))
    config, actions = load_session(path)
    assert [a.name for a in actions].count("play") == 2
    session = Session(build(config))
    session.replay(actions)
    assert (session.stepper.epoch, session.stepper.cursor) == (epoch, cursor)
    for (W, b), layer in zip(final, session.net.layers):
        np.testing.assert_array_equal(W, layer.W)
        np.testing.assert_array_equal(b, layer.b)
    assert session.config.seed == 1 and session.stepper.lr == 2.0


def test_bad_session_files_exit_2_with_one_line(tmp_path, capsys):
    f = tmp_path / "s.json"
    for content, message in [("{", "not a readable session file"),
                             ('{"format": "x"}', "not a tinynet-tui session"),
                             (json.dumps({"format": "tinynet-session-1", "actions": [{"do": "rm"}]}),
                              "action 1: unknown action 'rm'")]:
        f.write_text(content)
        assert main(["--replay", str(f)]) == 2
        err = capsys.readouterr().err
        assert message in err and "s.json" in err and err.count("\n") == 1
    with pytest.raises(SessionFileError, match="no such file"):
        load_session(tmp_path / "none.json")


def test_quiz_tolerance():
    assert Quiz.is_right(-0.05334, -0.053341)
    assert not Quiz.is_right(-0.05, -0.05334)
    assert Quiz.is_right(0.00005, 0.0)


async def test_quiz_asks_before_backward_and_scores_right_and_wrong():
    app = TinyNetApp(build(RunConfig(task="xor")))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("z", "n", "n", "n", "n")  # forward ×3 and loss: no questions
        s = app.session
        assert s.quiz.on and s.phase is Phase.BACKWARD
        await pilot.press("n")
        assert isinstance(app.screen, NumberScreen) and s.phase is Phase.BACKWARD
        await pilot.press(*"123", "enter")  # wrong
        assert s.quiz.asked == 1 and s.quiz.right == 0 and s.phase is Phase.BACKWARD
        i = s.sample
        delta_out = s.net.layers[1].delta[i, 0]
        # the next question: hidden neuron h₁'s δ for the selected sample; answer it right
        await pilot.press("n")
        assert isinstance(app.screen, NumberScreen)
        hidden = s.net.copy()
        truth = None
        # compute the true value the way the engine will: via a throwaway stepper copy
        from nn import Stepper
        probe = Stepper(hidden, s.problem.X, s.problem.y, s.stepper.lr)
        probe.step("phase"), probe.step("phase")
        ev = probe.step("neuron")  # output backward
        ev = probe.step("neuron")  # hidden 0 backward
        truth = ev[0].delta[i, 0]
        await pilot.press(*repr(float(truth)), "enter")
        assert s.quiz.asked == 2 and s.quiz.right == 1
        assert s.net.layers[1].delta[i, 0] == delta_out
        assert "quiz 1/2" in str(app.query_one("#status").render())
        await pilot.press("n", "escape")  # a skipped question takes no step
        assert s.quiz.asked == 2


SESSION = {"format": "tinynet-session-1", "config": {"task": "xor"}}


@pytest.mark.parametrize("actions,config,message", [
    ([{"do": "play"}], None, "action 1: play: field 'epochs' is missing"),
    ([{"do": "step"}], None, "action 1: step: field 'granularity' is missing"),
    ([{"do": "step", "granularity": "atom"}], None, "granularity must be one of"),
    ([{"do": "play", "epochs": 1e12}], None, "epochs must be from 1 to 10000000"),
    ([{"do": "play", "epochs": "5"}], None, "epochs must be a whole number"),
    ([{"do": "edit", "layer": -1, "neuron": 0, "weight": 0, "value": 1}], None,
     "layer must be from 0"),
    ([{"do": "lr", "value": -1}], None, "value must be a positive number"),
    ([{"do": "lr", "value": 0}], None, "value must be a positive number"),
    ([{"do": "step", "granularity": "neuron", "rm": 1}], None, "unknown field 'rm'"),
    ([[1]], None, "action 1: must be an object"),
    ([], {"task": "chess"}, "configuration: task must be one of"),
    ([], {"hidden": [100000, 100000]}, "a hidden layer size must be a whole number from 1 to 4096"),
    ([], {"lr": -1}, "configuration: lr must be a number above 0, got -1"),
    ([], {"seed": "zero"}, "seed must be a whole number"),
    ([], {"hidden": "2"}, "hidden must be a list"),
    ([], {"features": "x1"}, "features must be a list of feature names"),
    ([], {"test_fraction": 2}, "test_fraction must be a number from 0 to 0.9, got 2"),
    ([], {"noise": -1}, "noise must be a number from 0 to 10, got -1"),
])
def test_bad_actions_and_configs_name_the_file_and_the_action(tmp_path, capsys, actions, config,
                                                              message):
    f = tmp_path / "bad.json"
    data = dict(SESSION, actions=actions)
    if config is not None:
        data["config"] = config
    f.write_text(json.dumps(data))
    assert main(["--replay", str(f)]) == 2
    err = capsys.readouterr().err
    assert message in err and "bad.json" in err and err.count("\n") == 1, err


def test_nan_and_inf_in_a_session_file_are_refused(tmp_path):
    f = tmp_path / "s.json"
    f.write_text('{"format": "tinynet-session-1", "config": {}, "actions": '
                 '[{"do": "lr", "value": NaN}]}')
    with pytest.raises(SessionFileError, match="action 1: lr: value must be a finite number"):
        load_session(f)


def test_deep_nesting_is_one_line(tmp_path):
    f = tmp_path / "deep.json"
    f.write_text('{"format": "tinynet-session-1", "actions": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(SessionFileError, match="deep.json: nested too deeply"):
        load_session(f)


def test_out_of_range_indices_are_refused_when_replayed(tmp_path, capsys):
    f = tmp_path / "s.json"
    for action, message in [
            ({"do": "edit", "layer": 5, "neuron": 0, "weight": 0, "value": 1.0},
             "action 2 (edit): layer index 5 does not exist: the network has 2 layers"),
            ({"do": "edit", "layer": 0, "neuron": 0, "weight": 7, "value": 1.0},
             "weight index 7 does not exist"),
            ({"do": "jump", "epoch": 50}, "cannot jump to epoch 50")]:
        f.write_text(json.dumps(dict(SESSION, actions=[{"do": "play", "epochs": 3}, action])))
        assert main(["--replay", str(f)]) == 2
        err = capsys.readouterr().err
        assert message in err and "s.json" in err and err.count("\n") == 1, err


def test_every_action_round_trips_through_json():
    from tui.core import actions as act
    from nn import Granularity

    samples = [act.Step(Granularity.LAYER), act.Back(Granularity.EPOCH), act.Play(12), act.Reset(),
               act.NewSeed(), act.NextTask(), act.SetLr(0.5), act.Edit(1, 0, None, -0.25),
               act.Edit(0, 1, 1, 2.0), act.Jump(3), act.Fork(), act.SwitchBranch(2),
               act.Configure({"hidden": [3], "features": ["x1", "x1^2"]}),
               act.AddPoint(0.5, -0.25, 1.0), act.RemovePoint(0.0, 0.0), act.ClearPoints()]
    assert {a.name for a in samples} == set(act.ACTIONS)
    for a in samples:
        assert act.from_json(json.loads(json.dumps(a.to_json()))) == a


def test_config_with_data_options_round_trips_through_a_session_file():
    from tui.core.settings import config_from_json, config_to_json

    c = RunConfig(task="regression", features=("x1", "x2"), test_fraction=0.25, noise=0.1,
                  target="x1*x2")
    assert config_from_json(json.loads(json.dumps(config_to_json(c)))) == c
