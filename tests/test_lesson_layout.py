"""Lesson layout and progress: a chapter about the loss chart shows it at 80×24 and
120×40; beside the lesson panel every panel is whole (borders, footer, titles, text); the
progress bar counts the chapters done, not the chapter's index."""
from __future__ import annotations

import re

import pytest
from rich.cells import cell_len
from textual.widgets import Footer

from tui.lessons import live
from tui.lessons.format import load
from tui.lessons.progress import Progress

from helpers import BUILTIN, lesson_app, panel_text, plain

PANELS = ("#diagram", "#inspector-box", "#narration", "#loss", "#predictions", "#lesson")


def screen_lines(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def head(app) -> str:
    return plain(app.query_one("#lesson-head"), 400)


def test_chapters_that_say_watch_the_loss_chart_are_about_the_loss_panel():
    for name, path in BUILTIN.items():
        for ch in load(path).chapters:
            prose = " ".join(text for _, text in ch.text).lower()
            if "watch the loss chart" in prose:
                assert ch.panel == "loss", (name, ch.title)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_a_chapter_about_the_loss_chart_shows_it(tmp_path, size):
    app = lesson_app(tmp_path, "why-hidden")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert "watch the loss chart" in panel_text(app)
        loss, predictions = app.query_one("#loss"), app.query_one("#predictions")
        assert loss.display and loss.region.width >= 30 and loss.region.height >= 8
        assert loss.has_class("lesson-focus")
        await pilot.press("v")                        # v swaps the chart cell …
        await pilot.pause()
        assert predictions.display and not loss.display and predictions.region.height >= 8
        await pilot.press("v")                        # … and on (loss, or the chain rule
        await pilot.pause()                           # once app.py calls swap_panel)
        assert not predictions.display and (loss.display or size == (80, 24))


async def test_v_cycles_the_small_lesson_layouts_second_cell(tmp_path):
    """(app.py's action_swap_panel calls LessonMode.swap_panel first: see the report.)"""
    app = lesson_app(tmp_path, "backprop")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown = []
        for _ in range(4):  # issue 22: the neuron panel is one of the cells too
            assert app.lessons.swap_panel()
            await pilot.pause()
            shown.append([w for w in ("narration", "inspector-box", "loss", "predictions")
                          if app.query_one(f"#{w}").display])
        assert shown == [["inspector-box"], ["loss"], ["predictions"], ["narration"]]


def assert_whole(app, width: int, height: int) -> None:
    """Every panel shown lies between the status line's row and the footer, with its
    border title whole; the footer has keys."""
    footer = app.query_one(Footer)
    assert footer.region.y == height - 1 and len(footer.children) > 0
    for sel in PANELS:
        w = app.query_one(sel)
        if not w.display:
            continue
        r = w.region
        assert r.x >= 0 and r.right <= width and r.y >= 0 and r.bottom <= height - 1, sel
        title = str(w.border_title or "")
        assert "…" not in title and cell_len(title) + 6 <= r.width, (sel, title)
    lesson = app.query_one("#lesson").region
    assert screen_lines(app)[lesson.bottom - 1][lesson.x] == "╰"   # its bottom border


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_lesson_layout_keeps_every_panel_whole(tmp_path, size):
    app = lesson_app(tmp_path, "backprop")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert app.focused is app.query_one("#lesson-answer")   # footer: its keys
        assert_whole(app, *size)
        if size == (120, 40):
            assert "Backpropagation, one number at a time" in head(app)
            text = "\n".join(screen_lines(app))
            assert "z, a, δ: not computed yet" in text
            await pilot.press("escape")               # answer shown, the field lets go
            await pilot.press("v")
            await pilot.pause()
            assert_whole(app, *size)
            text = "\n".join(screen_lines(app))
            assert re.search(r"ŷ with the weights now \(epoch \d+[^)]*\)", text)
            assert "…" not in text


async def test_progress_counts_chapters_done_not_the_index(tmp_path):
    app = lesson_app(tmp_path, "backprop")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "0/9 done" in head(app)
        await pilot.press("escape")                   # show the answer: the chapter is done
        await pilot.pause()
        assert "✓ Done" in panel_text(app) and "1/9 done" in head(app)
        await pilot.press("L", *["down"] * 4, "enter")   # chapter 5 from the list
        await pilot.pause()
        assert app.lessons.lesson.index == 4 and "1/9 done" in head(app)
    # kept in the progress file: a new session counts the same
    ls = live.LessonSession(load(BUILTIN["backprop"]), "backprop", 4,
                            Progress(tmp_path / "progress.json"))
    assert ls.note_done() == 1 and ls.completed == {0}
