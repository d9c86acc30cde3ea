"""Issue 22 item 15: what the screen says reads right without guessing — the status line
says whose loss it shows, breakpoint checkboxes read without colour."""
from __future__ import annotations

import pytest

from nn import Granularity
from tui.app.app import TinyNetApp
from tui.app.screens.breakpoints import BreakpointsScreen, MarkedCheckbox
from tui.app.widgets.status import render_status
from tui.core.config import RunConfig, build
from tui.core.session import Session
from tui.view.frame import PanelSizes, build_frame


def status(session) -> str:
    return render_status(build_frame(session, PanelSizes()).status, 200).plain


def test_the_status_line_says_whose_loss_it_shows():
    s = Session(build(RunConfig(task="xor")))
    assert "epoch 0 · loss –" in status(s)
    s.granularity = Granularity.EPOCH
    s.step()                                   # epoch 0 done: its loss, beside epoch 1
    text = status(s)
    assert "epoch 1 · " in text and f"(epoch 0)" in text, text
    s.granularity = Granularity.PHASE
    s.step()                                   # epoch 1's forward pass
    s.step()                                   # epoch 1's loss: now the epoch named
    text = status(s)
    assert "epoch 1 · loss" in text and "(epoch" not in text, text


async def test_breakpoint_checkboxes_read_without_colour():
    s = Session(build(RunConfig(task="xor")))
    app = TinyNetApp(s.problem)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("k")
        await pilot.pause()
        assert isinstance(app.screen, BreakpointsScreen)
        boxes = list(app.screen.query(MarkedCheckbox))
        assert len(boxes) == 4
        for box in boxes:
            inner = box._button.plain
            assert inner[1] == ("✓" if box.value else " "), (box.id, inner)
        box = boxes[0]
        was = box.value
        box.toggle()
        await pilot.pause()
        assert box._button.plain[1] == ("✓" if not was else " ")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_every_breakpoint_row_fits_inside_the_dialog(size):
    """At 80×24 the saturated row's label ('saturated sigmoid/tanh neuron: |z| on every sample
    above') pushed its threshold field past the dialog's right edge, half hidden: each row's
    checkbox and field now lie inside the box, the field whole, and each label whole."""
    from textual.widgets import Input

    from helpers import shown_lines

    s = Session(build(RunConfig(task="xor")))
    app = TinyNetApp(s.problem)
    async with app.run_test(size=size) as pilot:
        await pilot.press("k")
        await pilot.pause()
        assert isinstance(app.screen, BreakpointsScreen)
        inside = app.screen.query_one("#bp-box").content_region
        for widget in [*app.screen.query(MarkedCheckbox), *app.screen.query(Input)]:
            region = widget.region
            assert region.width and inside.contains_region(region), (widget.id, region, inside)
        for field in app.screen.query(Input):
            assert field.region.width == 14, (field.id, field.region)
        for box in app.screen.query(MarkedCheckbox):
            assert str(box.label) in "".join(shown_lines(box)), (box.id, shown_lines(box))


async def test_the_large_map_uses_the_predictions_area():
    """At 120×40 the predictions area is 56×8 cells: the map was a 14×7 square; it now
    takes the width beside its colour scale and notes (at most twice as wide as tall)."""
    app = TinyNetApp(build(RunConfig(task="spiral")))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("m")
        await pilot.pause()
        app.redraw(True)
        rows, cols = app.frame.predictions.neuron_map.large.shape
        assert cols >= 20 and rows <= cols <= 2 * rows, (rows, cols)
        width = app.query_one("#predictions").content_size.width
        assert max(sum(len(s.text) for s in line)
                   for line in app.query_one("#predictions")._lines) <= width


def test_whose_loss_stays_on_an_80_column_status_line():
    s = Session(build(RunConfig(task="spiral")))
    s.play_chunk(1500, breakpoints=False)
    text = render_status(build_frame(s, PanelSizes()).status, 80).plain
    assert len(text) <= 80 and "(epoch 1499)" in text and text.endswith("? help"), text


def test_a_narrow_status_line_keeps_whose_loss_before_the_epoch():
    """A lesson's status line is 74 columns: after a breakpoint the loss keeps its epoch."""
    s = Session(build(RunConfig(task="regression")))
    s.play_chunk(1150, breakpoints=False)
    view = build_frame(s, PanelSizes()).status
    for width in (74, 60):
        text = render_status(view, width).plain
        assert len(text) <= width and "(epoch 1149)" in text, text


@pytest.mark.parametrize("task", ["xor", "digits"])
@pytest.mark.parametrize("size", [(120, 40), (120, 41), (150, 50), (120, 36), (80, 24), (100, 30)])
async def test_the_panels_fill_the_grid_with_no_row_left_blank(task, size):
    """The panels of each column fill the main grid's height: with `grid-rows: 1.2fr 1fr 1fr`
    Textual rounded one row away (a blank line above the footer at 120×40, 37 of 38 rows)."""
    app = TinyNetApp(build(RunConfig(task=task)))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        grid = app.query_one("#main")
        shown = [w for w in grid.children if w.display and w.region.height]
        for x in sorted({w.region.x for w in shown}):
            column = [w for w in shown if w.region.x == x]
            bottom = max(w.region.bottom for w in column)
            assert bottom == grid.region.bottom, (x, [w.id for w in column], bottom,
                                                  grid.region)


async def test_a_panel_hidden_behind_another_says_which_key_shows_it():
    """At 80×24 the predictions were hidden behind the loss chart and nothing on screen said
    so (`v` only in the help): the panel in the cell says 'v: predictions' in its bottom
    border, and the other one 'v: loss chart'; at 120×40, where both show, neither does."""
    from helpers import shown_lines

    app = TinyNetApp(build(RunConfig(task="xor")))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        loss, predictions = app.query_one("#loss"), app.query_one("#predictions")
        assert loss.display and not predictions.display
        assert "v: predictions" in shown_lines(loss)[-1], shown_lines(loss)[-1]
        await pilot.press("v")
        await pilot.pause()
        assert predictions.display and not loss.display
        assert "v: loss chart" in shown_lines(predictions)[-1], shown_lines(predictions)[-1]
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        await pilot.pause()
        assert loss.display and predictions.display
        assert (loss.border_subtitle, predictions.border_subtitle) == ("", "")
    app = TinyNetApp(build(RunConfig(task="digits")))  # there v swaps in the confusion matrix
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        loss = app.query_one("#loss")
        assert "v: confusion matrix" in shown_lines(loss)[-1], shown_lines(loss)[-1]
