"""Drawing your own data: points added, removed and cleared as recorded actions, at least
two to train, saved as a CSV file that ``--data`` reads back exactly."""
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from nn import Granularity, datasets
from tui.core import actions as act
from tui.core.config import RunConfig, build
from tui.app.drawing_keys import Pen, click
from tui.core.drawing import to_csv
from tui.core.recording import SessionFileError, load_session
from tui.core.session import Session


def test_drawing_starts_from_the_task_points_and_rebuilds_on_the_drawn_set():
    s = Session(build(RunConfig(task="circle", seed=1, test_fraction=0.25)))
    n = len(s.problem.points) + len(s.problem.points_test)
    s.add_point(0.5, -0.25, 1.0)
    assert len(s.drawn) == n + 1 and len(s.problem.X) == n + 1  # drawn sets are not split
    np.testing.assert_array_equal(s.problem.points[-1], [0.5, -0.25])
    assert s.problem.y[-1, 0] == 1.0 and s.config.label == "drawn"
    assert s.problem.X_test is None and s.net.sizes == [2, 8, 1]
    s.remove_point(0.49, -0.2)
    assert len(s.drawn) == n and not np.any(np.all(s.drawn.points == [0.5, -0.25], axis=1))
    assert [a.name for a in s.actions] == ["add-point", "remove-point"]
    s.new_seed()                                  # a new seed keeps the drawn points
    assert len(s.problem.X) == n and s.config.seed == 2
    s.next_task()                                 # a new task leaves them
    assert s.drawn is None and s.config.data is None


def test_fewer_than_two_points_cannot_train_and_say_so():
    s = Session(build(RunConfig(task="xor")))
    s.clear_points()
    assert s.train_blocker == "draw at least 2 points to train (0 drawn)"
    assert s.step() == [] and s.play_chunk(5) == 0 and s.back() is False
    with pytest.raises(act.ActionError, match="draw at least 2 points"):
        s.apply(act.Step(Granularity.NEURON))
    s.add_point(0.0, 0.0, 0.0)
    assert s.train_blocker == "draw at least 2 points to train (1 drawn)"
    s.add_point(1.0, 1.0, 1.0)
    assert s.train_blocker is None and s.play_chunk(10) == 10
    assert [a.name for a in s.actions] == ["clear-points", "add-point", "add-point", "play"]
    with pytest.raises(act.ActionError, match="class 0 or 1"):
        s.apply(act.AddPoint(0.5, 0.5, 0.5))


def test_regression_points_take_any_target_value():
    s = Session(build(RunConfig(task="regression")))
    s.clear_points()
    s.add_point(-0.5, 0.5, 0.75)
    s.add_point(0.5, 0.5, -2.5)
    assert s.problem.kind == "regression" and s.problem.y[:, 0].tolist() == [0.75, -2.5]
    s.play_chunk(20)
    assert s.problem.score()[0] == "R²"       # scored on the drawn points, not the formula


def test_drawn_points_round_trip_through_csv_and_data(tmp_path):
    s = Session(build(RunConfig(task="spiral", seed=3)))
    s.add_point(0.1 + 0.2, -1 / 3, 1.0)       # floats that need every digit
    path = s.save_drawn(tmp_path / "mine.csv")
    assert path == tmp_path / "mine.csv"
    X, y = datasets.load_csv(path)
    np.testing.assert_array_equal(X, s.drawn.points)
    np.testing.assert_array_equal(y, s.drawn.y)
    again = s.save_drawn(tmp_path / "mine.csv")  # never overwrites
    assert again == tmp_path / "mine-2.csv" and again.read_text() == path.read_text()
    loaded = build(RunConfig(data=path))
    np.testing.assert_array_equal(loaded.X, s.problem.X)
    assert loaded.kind == "binary"
    s.clear_points()
    with pytest.raises(ValueError, match="draw at least 2 points"):
        s.save_drawn(tmp_path / "empty.csv")
    assert not (tmp_path / "empty.csv").exists()


def test_csv_text_is_what_data_reads():
    s = Session(build(RunConfig(task="xor")))
    s.clear_points()
    s.add_point(0.5, -1.0, 1.0)
    s.add_point(0.25, 0.0, 0.0)
    assert to_csv(s.drawn) == "x1,x2,y\n0.5,-1.0,1.0\n0.25,0.0,0.0\n"


@pytest.mark.parametrize("action, message", [
    ({"do": "add-point", "x1": 0.5, "x2": "up", "value": 1}, "add-point: x2 must be a finite number"),
    ({"do": "add-point", "x1": 0.5, "x2": 0.1}, "add-point: field 'value' is missing"),
    ({"do": "add-point", "x1": 1e9, "x2": 0.1, "value": 1}, "x1 must be from -1e+06 to 1e+06"),
    ({"do": "remove-point", "x1": 0.5, "x2": 0.1, "value": 1}, "remove-point: unknown field"),
    ({"do": "clear-points", "all": True}, "clear-points: unknown field 'all'"),
])
def test_bad_drawing_actions_in_a_session_file_are_one_line(tmp_path, action, message):
    f = tmp_path / "bad.json"
    f.write_text(json.dumps({"format": "tinynet-session-1", "config": {}, "actions": [action]}))
    with pytest.raises(SessionFileError) as info:
        load_session(f)
    text = str(info.value)
    assert "bad.json: action 1:" in text and message in text and "\n" not in text


def test_a_click_on_the_large_output_map_adds_a_point_with_the_pen():
    s = Session(build(RunConfig(task="circle")))
    out = len(s.net.layers) - 1
    view = SimpleNamespace(large=np.zeros((20, 40)), bounds=(-1.0, 1.0, -1.0, 1.0),
                           selected=(out, 0))
    pen = Pen()
    assert click(s, view, pen, 0, 1).startswith("point 201 at (-0.97, 0.90)")
    assert s.drawn.y[-1, 0] == 1.0
    click(s, view, pen, 39, 10, other=True)      # right button: the other class
    np.testing.assert_allclose(s.drawn.points[-1], [0.975, -0.9])
    assert s.drawn.y[-1, 0] == 0.0
    assert click(s, view, pen, 0, 0) is None      # the caption line
    hidden = SimpleNamespace(large=view.large, bounds=view.bounds, selected=(0, 0))
    assert click(s, hidden, pen, 5, 5) is None    # a hidden neuron's map: not the data
    assert len(s.drawn) == 202


async def test_the_app_wiring_draws_on_the_output_map_and_opens_the_settings(tmp_path):
    """The app's drawing keys and clicks (DrawingKeys and its bindings)."""
    from tui.app.app import TinyNetApp
    from tui.app.screens.settings import SettingsScreen
    from tui.app.widgets.predictions import Predictions

    app = TinyNetApp(build(RunConfig(task="circle")), save_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("m")
        await pilot.pause()
        s = app.session
        await pilot.click(Predictions, offset=(6, 4))
        await pilot.pause()
        assert len(s.drawn) == 201 and s.drawn.y[-1, 0] == 1.0
        await pilot.click(Predictions, offset=(14, 7), button=3)
        await pilot.pause()
        assert len(s.drawn) == 202 and s.drawn.y[-1, 0] == 0.0
        far = s.drawn.points[-1].copy()
        await pilot.click(Predictions, offset=(14, 7), control=True)  # removes the nearest
        await pilot.pause()
        assert len(s.drawn) == 201 and not np.any(np.all(s.drawn.points == far, axis=1))
        await pilot.press("U", "D")
        assert len(s.drawn) == 0 and not list(tmp_path.glob("*.csv"))  # too few to save
        await pilot.press("N")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        await pilot.press("a", "enter")
        await pilot.pause()
        assert s.net.sizes == [2, 8, 8, 1]
    assert [a.name for a in s.actions] == ["add-point", "add-point", "remove-point",
                                           "clear-points", "configure"]


def test_the_hint_under_the_map_says_what_a_click_draws_and_when_there_are_too_few():
    from tui.app.drawing_keys import map_hint

    s = Session(build(RunConfig(task="xor")))
    pen = Pen()
    assert map_hint(s, pen).startswith("click: class 1 (right 0)")
    pen.toggle()
    s.clear_points()
    assert map_hint(s, pen).startswith("draw at least 2 points to train (0 drawn) · "
                                       "click: class 0 (right 1)")
