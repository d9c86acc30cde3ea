"""Issue 22 item 15: what the screen says reads right without guessing — the status line
says whose loss it shows, breakpoint checkboxes read without colour."""
from __future__ import annotations

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
