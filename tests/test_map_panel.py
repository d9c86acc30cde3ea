"""The large output map and drawn data on screen: classes counted from 1 on the maps, the large map
showing exactly the drawn points, re-laid-out after a resize, and no cut-off text."""
from types import SimpleNamespace

import numpy as np
import pytest

from tui.core.config import RunConfig, build
from tui.app.drawing_keys import DrawingKeys
from tui.view.frame import shown_points
from tui.view.frame import PanelSizes, build_frame
from tui.core.session import Session
from tui.app.widgets.diagram import render_diagram, title_place
from tui.app.widgets.neuron_map import render_large
from tui.app.widgets.predictions import PALETTE, fit_hint, maps

#: the predictions panel's content at 120×40 (56×11) and 80×24 (38×8), as the app sizes it
PANELS = {(120, 40): (56, 11, PanelSizes(map_cols=27, map_rows=16, large_map=True)),
          (80, 24): (38, 8, PanelSizes(map_cols=18, map_rows=10, large_map=True))}


def text(lines) -> list[str]:
    return ["".join(seg.text for seg in line) for line in lines]


def output_map(session, sizes, neuron=0):
    session.select(len(session.net.layers) - 1, neuron)
    with session.lock:
        return build_frame(session, sizes).maps


# ── 1. K classes are numbered from 1, as ŷ₁ … ŷ_K ──────────────────────────────

def test_the_class_legend_has_one_swatch_per_class_labelled_from_1():
    pred = np.array([[0.0, 1.0], [2.0, 0.0]])
    legend = maps(pred, pred, 0.0, 2.0, classes=3)[-1]
    assert "".join(s.text for s in legend).startswith("■ 1  ■ 2  ■ 3 ")
    colours = [s.style.color for s in legend if s.text == "■"]
    assert len(set(colours)) == 3 and colours[0] == PALETTE[0] and colours[2] == PALETTE[-2]
    # one output's values keep the scale's ends
    values = maps(np.array([[0.2, 0.9], [0.5, 0.1]]), pred, 0.0, 1.0)[-1]
    assert "".join(s.text for s in values).startswith("■ 0  ■ 1 ")


@pytest.mark.parametrize("task", ["spiral3", "blobs"])
def test_the_output_map_of_y1_says_class_1(task):
    s = Session(build(RunConfig(task=task)))
    for neuron in range(3):
        shown = "\n".join(text(render_large(output_map(s, PANELS[(120, 40)][2], neuron), None)))
        assert f"class {neuron + 1}: ●  others: ○" in shown


# ── 2. the large map shows exactly the drawn points ─────────────────────────────

def test_the_output_map_shows_the_drawn_points_even_too_few_to_train():
    s = Session(build(RunConfig(task="xor")))
    task_points = output_map(s, PANELS[(120, 40)][2]).points
    s.clear_points()
    assert len(s.drawn) == 0 and shown_points(task_points, s.drawn)[0].X.shape == (0, 2)
    view = output_map(s, PANELS[(120, 40)][2])
    cols = view.large.shape[1]
    glyphs = lambda v: sum(row[:cols].count("●") + row[:cols].count("○")
                           for row in text(render_large(v, None))[1:])
    assert glyphs(view) == 0            # the frame shows what is drawn (nothing), not the old data
    s.add_point(0.5, 0.5, 0.0)
    view = output_map(s, PANELS[(120, 40)][2])
    np.testing.assert_allclose(view.points[0].X, [[0.5, 0.5]])
    assert view.points[0].y.tolist() == [0.0] and glyphs(view) == 1
    assert len(output_map(s, PANELS[(120, 40)][2], neuron=0).points) == 1
    assert shown_points(task_points, None) is task_points   # nothing drawn: the task's


def test_the_remove_key_is_named_x_when_the_mouse_is_off_the_map():
    said = []
    app = SimpleNamespace(query_one=lambda _cls: SimpleNamespace(pointer=None),
                          say=lambda message, **_: said.append(message))
    DrawingKeys.action_remove_point(app)
    assert "press X to remove" in said[0] and "press u" not in said[0]


# ── 3. the large map is laid out again after a resize ───────────────────────────

async def test_the_large_map_after_a_resize_is_the_one_a_fresh_start_shows():
    from tui.app.app import TinyNetApp
    from tui.app.widgets.predictions import Predictions

    async def large_map(start):
        app = TinyNetApp(build(RunConfig(task="spiral3")))
        async with app.run_test(size=start) as pilot:
            await pilot.press("g", "g", "g", "n", "n", "m")
            await pilot.pause()
            if start != (120, 40):
                await pilot.resize_terminal(120, 40)
                for _ in range(4):
                    await pilot.pause()
            view = app.query_one(Predictions).view.neuron_map
            return view.large.shape, "\n".join(text(app.query_one(Predictions)._lines))

    fresh, resized = await large_map((120, 40)), await large_map((80, 24))
    assert resized[0] == fresh[0] and fresh[0][1] >= 14
    assert "x₁ →" in resized[1] and "class 1: ●  others: ○" in resized[1]


# ── 4. no cut-off text ───────────────────────────────────────────────────────────

@pytest.mark.parametrize("task,width,height", [("spiral3", 56, 24), ("spiral3", 36, 9),
                                               ("blobs", 56, 24), ("blobs", 36, 9)])
def test_the_output_layer_title_is_whole(task, width, height):
    s = Session(build(RunConfig(task=task)))
    with s.lock:
        f = build_frame(s, PanelSizes(diagram_width=width, diagram_height=height))
    bottom = text(render_diagram(f.diagram, width, height, None)[0])[-1]
    assert bottom.rstrip().endswith(("out softmax", " softmax")) and len(bottom) == width


def test_a_title_moves_left_into_free_space_or_keeps_its_last_word():
    assert title_place("out softmax", 46, 13, 37, 56) == (45, "out softmax")
    assert title_place("out softmax", 30, 8, 28, 38) == (30, "softmax")
    assert title_place("h1 tanh", 14, 15, 5, None) == (14, "h1 tanh")


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
@pytest.mark.parametrize("task", ["spiral3", "xor"])
def test_the_large_map_and_its_hint_fit_the_panel(size, task):
    from tui.app.drawing_keys import map_hint

    width, height, sizes = PANELS[size]
    s = Session(build(RunConfig(task=task)))
    if task == "xor":
        s.clear_points()
    lines = text(render_large(output_map(s, sizes), None, width))
    hint = fit_hint(map_hint(s, None), width, height - len(lines))
    assert len(lines) + len(hint) <= height
    for line in lines + hint:
        assert len(line) <= width, line
    shown = " ".join(lines + hint)
    if task == "spiral3":
        assert "class 1" in shown and ("spiral3 has 3" in shown)
    else:
        assert "(0 drawn)" in shown and "click: " in shown


def test_the_hint_wraps_whole_parts_where_there_is_room():
    hint = "draw at least 2 points to train (0 drawn) · click: class 1 (right 0) · X del"
    assert fit_hint(hint, 56, 4) == ["draw at least 2 points to train (0 drawn)",
                                     "click: class 1 (right 0) · X del"]
    assert fit_hint(hint, 200, 1) == [hint]


async def test_the_app_map_shows_the_points_drawn_after_a_clear():
    from tui.app.app import TinyNetApp
    from tui.app.widgets.predictions import Predictions

    app = TinyNetApp(build(RunConfig(task="xor")))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("m", "down", "down", "down")      # h₁, h₂, ŷ
        await pilot.pause()
        panel = app.query_one(Predictions)
        cols = panel.view.neuron_map.large.shape[1]
        marks = lambda: sum(r[:cols].count("●") + r[:cols].count("○")
                            for r in text(panel._lines)[1:1 + cols // 2])
        assert marks() == 4
        await pilot.press("U")
        await pilot.pause()
        assert len(app.session.drawn) == 0 and marks() == 0
        await pilot.click(Predictions, offset=(3, 3))
        await pilot.pause()
        assert len(app.session.drawn) == 1 and marks() == 1
