"""Changing the network and the data from inside the app: one Configure action, validated
like a session file's configuration, recorded and replayed exactly; the settings screen."""
import json

import numpy as np
import pytest

from tui.core import actions as act
from tui.core.config import RunConfig, build
from tui.core.recording import SessionFileError, load_session
from tui.core.settings import config_from_json, config_to_json
from tui.app.screens.settings import SettingsScreen, changed, draft_of, field_rows
from tui.core.session import Session

from helpers import SettingsHost, shown_lines


def params(session):
    return [(layer.W.copy(), layer.b.copy()) for layer in session.net.layers]


def test_configure_changes_the_architecture_and_features_and_training_works():
    s = Session(build(RunConfig(task="circle", seed=2)))
    s.configure({"hidden": [3, 2], "features": ["x1", "x2", "x1^2", "x2^2"],
                 "activation": "relu"})
    assert s.net.sizes == [4, 3, 2, 1] and s.problem.X.shape == (200, 4)
    assert s.config.activation == "relu" and s.actions == [act.Configure(
        {"hidden": [3, 2], "features": ["x1", "x2", "x1^2", "x2^2"], "activation": "relu"})]
    # the same seed as a fresh build of that configuration
    fresh = build(RunConfig(task="circle", seed=2, hidden=(3, 2), activation="relu",
                            features=("x1", "x2", "x1^2", "x2^2")))
    for (W, b), layer in zip(params(s), fresh.net.layers):
        np.testing.assert_array_equal(W, layer.W)
        np.testing.assert_array_equal(b, layer.b)
    s.configure({"hidden": []})  # no hidden layer: x1², x2² separate the circle
    assert s.net.sizes == [4, 1]
    loss0 = float(s.net.loss(s.net.predict(s.problem.X), s.problem.y))
    s.play_chunk(300)
    assert float(s.net.loss(s.net.predict(s.problem.X), s.problem.y)) < loss0
    assert s.problem.score()[1] > 0.9


def test_configure_that_cannot_be_built_changes_nothing(monkeypatch):
    import tui.core.config

    s = Session(build(RunConfig(task="xor")))
    monkeypatch.setattr(tui.core.config, "memory_cap", lambda: 70 * 2**20)
    with pytest.raises(act.ActionError, match="would need about"):
        s.configure({"hidden": [2000, 2000]})
    assert s.actions == [] and s.net.sizes == [2, 2, 1]
    with pytest.raises(act.ActionError, match="'seed' cannot be changed here"):
        s.configure({"seed": 3})


def test_replay_with_configure_and_drawn_points_is_bit_for_bit(tmp_path):
    s = Session(build(RunConfig(task="circle", seed=4, test_fraction=0.2)))
    s.play_chunk(7)
    s.configure({"hidden": [5], "features": ["x1", "x2", "x1x2"], "noise": 0.1})
    s.play_chunk(5)
    s.add_point(0.125, -0.5, 1.0)
    s.add_point(-0.7, 0.3333333333333333, 0.0)
    s.remove_point(0.1, -0.45)
    s.play_chunk(9)
    s.new_seed()
    s.configure({"test_fraction": 0.0, "lr": 0.5, "optimizer": "momentum", "batch": 64})
    s.step()
    s.play_chunk(3)
    final, where = params(s), (s.stepper.epoch, s.stepper.cursor)
    path = s.save_session(tmp_path / "s.json")
    config, actions = load_session(path)
    assert [a.name for a in actions].count("configure") == 2
    again = Session(build(config))
    again.replay(actions)
    assert (again.stepper.epoch, again.stepper.cursor) == where
    assert again.net.sizes == s.net.sizes and len(again.drawn) == len(s.drawn)
    np.testing.assert_array_equal(again.drawn.points, s.drawn.points)
    for (W, b), layer in zip(final, again.net.layers):
        np.testing.assert_array_equal(W, layer.W)
        np.testing.assert_array_equal(b, layer.b)


def test_configure_changes_how_the_network_trains_and_the_file_keeps_it(tmp_path):
    s = Session(build(RunConfig(task="spiral", seed=1)))
    s.configure({"optimizer": "adam", "batch": 32, "weight_decay": 0.001,
                 "init": "glorot-uniform", "loss": "cross-entropy"})
    assert s.stepper.batch == 32 and s.net.optimizer.name == "adam"
    assert s.net.weight_decay == 0.001 and s.net.loss.name == "bce"
    s.play_chunk(2)
    path = s.save_session(tmp_path / "s.json")
    s2 = Session(build(load_session(path)[0]))
    s2.replay(load_session(path)[1])
    assert s2.config == s.config
    for (W, b), layer in zip(params(s), s2.net.layers):
        np.testing.assert_array_equal(W, layer.W)
        np.testing.assert_array_equal(b, layer.b)


@pytest.mark.parametrize("changes, message", [
    ({"optimizer": "sgd"}, "optimizer must be one of gd, momentum"),
    ({"batch": 0}, "batch must be a whole number from 1"),
    ({"momentum": 1.0}, "momentum must be a number from 0 to 1 (not included)"),
    ({"hidden": [0]}, "a hidden layer size must be a whole number from 1 to 4096"),
    ({"features": ["x3"]}, "unknown feature 'x3'"),
    ({"features": ["x1", "x1"]}, "must not repeat"),
    ({"task": "xor"}, "'task' cannot be changed here"),
    ({"activation": "swish"}, "activation must be one of"),
    ({"noise": None}, "noise must not be null"),
    ({}, "must be an object of configuration fields"),
    ("hidden", "must be an object of configuration fields"),
])
def test_bad_configure_in_a_session_file_is_one_line(tmp_path, changes, message):
    f = tmp_path / "bad.json"
    f.write_text(json.dumps({"format": "tinynet-session-1", "config": {},
                             "actions": [{"do": "play", "epochs": 2},
                                         {"do": "configure", "changes": changes}]}))
    with pytest.raises(SessionFileError) as info:
        load_session(f)
    text = str(info.value)
    assert "bad.json: action 2: configure:" in text and message in text and "\n" not in text


def test_rows_change_the_draft_within_limits():
    s = Session(build(RunConfig(task="circle")))
    draft, original = draft_of(s.config), draft_of(s.config)
    rows = field_rows(draft, "circle")
    rows[0].change(draft, -1)                     # remove the only hidden layer
    assert draft["hidden"] == [] and field_rows(draft, "circle")[0].show(draft).startswith("0")
    rows[0].change(draft, -1)                     # nothing left to remove: no error
    x1 = next(r for r in field_rows(draft, "circle") if r.label.endswith("x₁"))
    x2 = next(r for r in field_rows(draft, "circle") if r.label.endswith("x₂"))
    x1.change(draft, 1)
    x2.change(draft, 1)                           # the last input stays
    assert draft["features"] == ["x2"]
    assert changed(draft, original) == {"hidden": [], "features": ["x2"]}


async def test_settings_screen_apply_changes_the_network_by_keys_and_mouse():
    s = Session(build(RunConfig(task="circle")))
    app = SettingsHost(s)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # keys: add a layer, widen hidden layer 1 by one neuron
        await pilot.press("a", "down", "right")
        # mouse: the x₁² toggle is row 7 (hidden layers, 2 layers each with its activation,
        # x₁, x₂, x₁²)
        await pilot.click("#settings-table", offset=(2, 7))
        await pilot.click("#settings-apply")
        await pilot.pause()
    assert app.result == {"hidden": [9, 8], "features": ["x1", "x2", "x1^2"]}
    assert s.net.sizes == [3, 9, 8, 1]
    assert [a.name for a in s.actions] == ["configure"]


async def test_settings_screen_shows_why_a_network_cannot_be_built(monkeypatch):
    import tui.core.config

    s = Session(build(RunConfig(task="xor")))
    monkeypatch.setattr(tui.core.config, "memory_cap", lambda: 64 * 2**20)
    app = SettingsHost(s)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("down", *["right"] * 12, "enter")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        assert "would need about" in str(app.screen.query_one("#settings-error").render())
        await pilot.press("escape")
    assert app.result is None and s.net.sizes == [2, 2, 1] and s.actions == []


# ------------------------------------------------- each hidden layer's own activation
def test_replay_of_a_configure_that_changes_one_layers_activation_is_bit_for_bit(tmp_path):
    s = Session(build(RunConfig(task="spiral", seed=3, hidden=(6, 5), activation="tanh")))
    s.play_chunk(4)
    s.configure({"activation": ["tanh", "relu"]})                 # layer 2 only
    assert s.net.activations == ["tanh", "relu", "sigmoid"]
    assert s.actions[-1] == act.Configure({"activation": ["tanh", "relu"]})
    fresh = build(RunConfig(task="spiral", seed=3, hidden=(6, 5), activation=("tanh", "relu")))
    for (W, b), layer in zip(params(s), fresh.net.layers):         # rebuilt from the seed
        np.testing.assert_array_equal(W, layer.W)
    s.play_chunk(6)
    s.configure({"hidden": [6, 5, 3], "activation": ["tanh", "relu", "identity"]})
    s.play_chunk(5)
    final = params(s)
    path = s.save_session(tmp_path / "s.json")
    saved = json.loads(path.read_text())
    assert saved["config"]["activation"] == "tanh"                # where the session began
    assert saved["actions"][-2]["changes"]["activation"] == ["tanh", "relu", "identity"]
    config, actions = load_session(path)
    again = Session(build(config))
    again.replay(actions)
    assert again.config == s.config and again.net.activations == s.net.activations
    for (W, b), layer in zip(final, again.net.layers):
        np.testing.assert_array_equal(W, layer.W)
        np.testing.assert_array_equal(b, layer.b)


def test_a_session_file_with_one_activation_name_still_loads(tmp_path):
    f = tmp_path / "old.json"
    f.write_text(json.dumps({"format": "tinynet-session-1",
                             "config": {"task": "xor", "hidden": [3, 3], "activation": "relu"},
                             "actions": [{"do": "configure", "changes": {"activation": "tanh"}}]}))
    config, actions = load_session(f)
    assert config.activation == "relu"
    s = Session(build(config))
    assert s.net.activations == ["relu", "relu", "sigmoid"]
    s.replay(actions)
    assert s.net.activations == ["tanh", "tanh", "sigmoid"]
    start = RunConfig(task="xor", hidden=(3, 3), activation=("relu", "tanh"))
    assert config_to_json(start)["activation"] == ["relu", "tanh"]   # a list in the file
    assert config_from_json(json.loads(json.dumps(config_to_json(start)))) == start


@pytest.mark.parametrize("changes, message", [
    ({"activation": ["tanh", "swish"]}, "activation must be one of"),
    ({"activation": []}, "or a list of them (one per hidden layer)"),
    ({"activation": ["tanh", 3]}, "activation must be one of"),
])
def test_a_bad_activation_list_in_a_session_file_is_one_line(tmp_path, changes, message):
    f = tmp_path / "bad.json"
    f.write_text(json.dumps({"format": "tinynet-session-1", "config": {},
                             "actions": [{"do": "configure", "changes": changes}]}))
    with pytest.raises(SessionFileError) as info:
        load_session(f)
    assert "bad.json: action 1: configure:" in str(info.value) and message in str(info.value)
    assert "\n" not in str(info.value)


def test_a_configure_with_the_wrong_number_of_activations_changes_nothing():
    s = Session(build(RunConfig(task="xor", hidden=(4, 4))))
    with pytest.raises(act.ActionError, match="3 names for 2 hidden layers"):
        s.configure({"activation": ["tanh", "relu", "relu"]})
    assert s.actions == [] and s.net.activations == ["sigmoid", "sigmoid", "sigmoid"]


def test_layer_rows_keep_one_activation_per_hidden_layer():
    s = Session(build(RunConfig(task="circle", hidden=(4, 4), activation=("tanh", "relu"))))
    draft, original = draft_of(s.config), draft_of(s.config)
    assert draft["activation"] == ["tanh", "relu"]
    labels = [r.label.strip() for r in field_rows(draft, "circle")][:6]
    # one way to choose an activation: the row under each layer (issue 22 item 15)
    assert labels == ["hidden layers", "hidden layer 1", "activation", "hidden layer 2",
                      "activation", "input x₁"]
    assert "hidden activation" not in [r.label.strip() for r in field_rows(draft, "circle")]
    rows = field_rows(draft, "circle")
    rows[0].change(draft, 1)                      # a new layer takes the last one's
    assert draft["hidden"] == [4, 4, 4] and draft["activation"] == ["tanh", "relu", "relu"]
    rows[0].change(draft, -1)
    rows[0].change(draft, -1)                     # one layer left: one name, sent as a name
    assert changed(draft, original) == {"hidden": [4], "activation": "tanh"}
    rows = field_rows(draft, "circle")
    assert [r.label for r in rows][:4] == ["hidden layers", "  hidden layer 1",
                                           "    activation", "  input x₁"]
    rows[0].change(draft, -1)
    rows[0].change(draft, 1)                      # none, then one again: the same name
    assert draft["activation"] == ["tanh"]


def test_same_activation_gives_every_layer_the_chosen_rows():
    from tui.app.screens.settings import same_activation

    draft = draft_of(RunConfig(hidden=(4, 4, 4), activation=("tanh", "relu", "identity")))
    assert not same_activation(draft, 1) and not same_activation(draft, 8)  # not an activation
    assert draft["activation"] == ["tanh", "relu", "identity"]
    assert same_activation(draft, 4)              # hidden layer 2's activation row
    assert draft["activation"] == ["relu"] * 3


async def test_settings_screen_A_gives_every_layer_this_activation():
    s = Session(build(RunConfig(task="circle", hidden=(4, 4), activation=("tanh", "relu"))))
    app = SettingsHost(s)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("down", "down")         # hidden layer 1's activation: tanh
        assert "A: every hidden layer" in str(app.screen.query_one("#settings-table").render())
        await pilot.press("A", "enter")
        await pilot.pause()
    assert app.result == {"activation": "tanh"} and s.net.activations == ["tanh"] * 2 + ["sigmoid"]


async def test_settings_screen_changes_one_layers_activation():
    s = Session(build(RunConfig(task="circle", hidden=(4, 4), activation="tanh")))
    app = SettingsHost(s)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # row 4 is hidden layer 2's activation: tanh → relu (identity, sigmoid, tanh, relu)
        await pilot.press("down", "down", "down", "down", "right")
        table = str(app.screen.query_one("#settings-table").render()).splitlines()
        assert table[2].split() == ["activation", "[−]", "tanh", "[+]"]
        assert table[4].split() == ["activation", "[−]", "relu", "[+]"]
        await pilot.press("enter")
        await pilot.pause()
    assert app.result == {"activation": ["tanh", "relu"]}
    assert s.net.activations == ["tanh", "relu", "sigmoid"]
    assert s.actions == [act.Configure({"activation": ["tanh", "relu"]})]


async def test_the_chosen_optimizers_hyper_parameter_is_the_row_under_it(tmp_path):
    """Optimizer → momentum: its β row appears under it (read from Momentum's declaration);
    β 0.9 → 0.95 and apply; the session file replays to the same weights."""
    from tui.app.screens.settings import SettingsTable

    s = Session(build(RunConfig(task="xor", seed=1)))
    s.play_chunk(3)
    app = SettingsHost(s)
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        labels = [r.label.strip() for r in screen.rows]
        assert "momentum β" not in labels                   # gd has no β
        screen.cursor = labels.index("optimizer")
        await pilot.press("right")                          # gd → momentum
        labels = [r.label.strip() for r in screen.rows]
        assert labels[labels.index("optimizer") + 1] == "momentum β"
        assert "[−] 0.9 [+]" in str(screen.query_one(SettingsTable).render())
        await pilot.press("down", "right", "enter")         # β 0.9 → 0.95
        await pilot.pause()
    assert app.result == {"optimizer": "momentum", "momentum": 0.95}
    assert s.net.optimizer.describe() == "momentum(beta=0.95, nesterov=False)"
    s.play_chunk(4)
    config, actions = load_session(s.save_session(tmp_path / "s.json"))
    again = Session(build(config))
    again.replay(actions)
    np.testing.assert_array_equal(again.net.theta, s.net.theta)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_a_long_settings_refusal_wraps_inside_the_box(size):
    """The refusal was one Label line as wide as its text: at 120×40 it showed '… would
    close branch B. In' and nothing after. It wraps now: every word shows, inside the box."""
    s = Session(build(RunConfig(task="xor")))
    s.play_chunk(5)
    s.fork()
    app = SettingsHost(s)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("down", "right", "enter")
        await pilot.pause()
        error = app.screen.query_one("#settings-error")
        box = app.screen.query_one("#settings-box").content_region
        assert box.contains_region(error.region), (error.region, box)
        assert app.screen.region.contains_region(error.region)
        shown = " ".join(line.strip() for line in shown_lines(error))
        assert shown.endswith("R starts a new single run."), shown
        await pilot.press("escape")


@pytest.mark.parametrize("task", ["xor", "digits"])
async def test_settings_table_uses_the_height_of_a_short_terminal(task):
    """At 80×24 the table was capped at 60% of the screen (14 rows): loss, initial weights,
    mini-batch, weight decay and the summary scrolled away while blank rows sat around
    Apply/Cancel. Every row and the summary show now, and the buttons stay on screen."""
    s = Session(build(RunConfig(task=task)))
    app = SettingsHost(s)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        scroll, table = screen.query_one("#settings-scroll"), screen.query_one("#settings-table")
        assert table.region.height == len(screen.rows) + 1
        assert scroll.region.contains_region(table.region), (scroll.region, table.region)
        shown = "\n".join(shown_lines(table))
        for label in ("loss", "initial weights", "mini-batch", "weight decay", "network "):
            assert label in shown, label
        assert screen.region.contains_region(screen.query_one("#settings-buttons").region)
        await pilot.press("escape")
