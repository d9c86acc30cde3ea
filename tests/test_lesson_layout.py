"""Lesson layout and progress: a chapter about the loss chart shows it at 80×24 and
120×40; beside the lesson panel every panel is whole (borders, footer, titles, text); the
progress bar counts the chapters done, not the chapter's index."""
from __future__ import annotations

import re

import pytest
from rich.cells import cell_len
from textual.widgets import Footer

from tui.app.app import TinyNetApp
from tui.core.first_run import map_legend
from tui.lessons import live, panels
from tui.lessons.format import Chapter, load
from tui.lessons.progress import Progress

from helpers import BUILTIN, assert_named_panels_shown, lesson_app, on_screen, panel_text, plain

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
        await pilot.press("v")                        # … and on (loss; at 80×24 the
        await pilot.pause()                           # large neuron map next)
        if size == (80, 24):
            assert predictions.display and app.view.large_map and not loss.display
        else:
            assert not predictions.display and loss.display


async def test_v_cycles_the_small_lesson_layouts_second_cell(tmp_path):
    """(app.py's action_swap_panel calls LessonMode.swap_panel first: see the report.)"""
    app = lesson_app(tmp_path, "backprop")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown = []
        for _ in range(5):  # issue 22: the neuron panel and the large map are cells too
            assert app.lessons.swap_panel()
            await pilot.pause()
            shown.append([w for w in ("narration", "inspector-box", "loss", "predictions")
                          if app.query_one(f"#{w}").display] + ["map"] * app.view.large_map)
        assert shown == [["inspector-box"], ["loss"], ["predictions"], ["predictions", "map"],
                         ["narration"]]


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


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("name", list(BUILTIN))
async def test_every_chapter_shows_the_panels_it_names(tmp_path, name, size):
    """Issue 22 item 6, a scripted walk: each built-in chapter opened in turn shows every
    panel it names (panel:, show:, its prose), on screen and not zero-size."""
    app = lesson_app(tmp_path, name)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for i, ch in enumerate(app.lessons.lesson.lesson.chapters):
            if i:
                app.lessons.go(i)
                await pilot.pause()
            assert_named_panels_shown(app, ch)
            app.redraw(True)
            for sel in PANELS:                        # no border line cut ("maps a(x₁,x₂…")
                w = app.query_one(sel)
                sub = str(w.border_subtitle or "")
                assert not sub or cell_len(sub) + 6 <= w.region.width, (ch.title, sel, sub)


SHOWING = """# Panels

## Loss and predictions
task: xor
hidden: 2
lr: 5
show: loss, predictions

Two charts.

## Maps in prose
Look at the neuron maps: each hidden neuron's map of a over the plane.
"""


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_show_and_prose_show_the_panels_they_name(tmp_path, size):
    path = tmp_path / "panels.md"
    path.write_text(SHOWING)
    progress = Progress(tmp_path / "progress.json")
    ls = live.LessonSession(load(path), str(path), 0, progress)
    app = TinyNetApp(ls.chapter.session.problem, export_dir=tmp_path, save_dir=tmp_path,
                     lesson=ls, progress=progress)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        loss, predictions = app.query_one("#loss"), app.query_one("#predictions")
        if size == (120, 40):                         # both charts, side by side
            assert on_screen(loss) and on_screen(predictions)
            assert loss.region.y == predictions.region.y and loss.region.x < predictions.region.x
        else:                                         # the first named; v shows the next
            assert on_screen(loss) and not predictions.display
        app.lessons.go(1)
        await pilot.pause()
        await pilot.pause()
        assert on_screen(predictions) and app.view.large_map   # the maps: the large map
        assert app.frame.predictions.neuron_map is not None
        app.lessons.go(0)
        await pilot.pause()
        assert not app.view.large_map                 # the chapter before shows the table


def test_check_flags_panels_the_small_layout_cannot_show(tmp_path):
    path = tmp_path / "two.md"
    path.write_text(SHOWING.replace("show: loss, predictions", "show: loss")
                    .replace("Two charts.", "Read the neuron panel and the chain-rule panel."))
    errors = [str(e) for e in live.check(load(path))]
    assert any("80×24" in e and "narration panel" in e for e in errors), errors
    assert not any("120×40" in e for e in errors)     # the large layout shows all three
    ok = tmp_path / "ok.md"
    ok.write_text(SHOWING)
    assert live.check(load(ok)) == [] or all("80×24" in str(e) for e in live.check(load(ok)))


def test_check_flags_maps_on_a_task_without_them(tmp_path):
    path = tmp_path / "maps.md"
    path.write_text(SHOWING.replace("task: xor", "task: digits").replace("hidden: 2", "hidden: 4"))
    assert any("maps need 2 inputs" in str(e) for e in live.check(load(path)))


# ── the rule itself (tui/lessons/panels.py), without an app: mutmut's survivors ───────

def chapter(panel=None, show=(), text=(), reveal=(), task="xor", lines=None) -> Chapter:
    return Chapter("t", 7, settings={"task": task}, panel=panel, show=tuple(show),
                   text=list(text), reveal=list(reveal), lines=dict(lines or {}))


def test_prose_names_panels_as_whole_words_in_any_case_the_longest_first():
    lines = [(3, "Watch the LOSS CHART and the neuron maps."), (4, "The neuron's map, the "
             "chain rule panel"), (5, "a neuron mapping, the diagram panels, a loss panelist")]
    assert panels.prose_panels(lines) == [
        (3, "loss chart", "loss"), (3, "neuron maps", "maps"),
        (4, "neuron's map", "maps"), (4, "chain rule panel", "narration")]


def test_named_lists_panel_then_show_then_prose_each_once():
    ch = chapter(panel="neuron", show=("loss", "neuron"), text=[(2, "the predictions table")],
                 reveal=[(9, "the loss chart and the large map")])
    assert panels.named(ch) == ["neuron", "loss", "predictions", "maps"]
    assert panels.named(chapter()) == []               # no panel: None is not a name


@pytest.mark.parametrize("names, cells, missing", [
    ([], ("diagram", "narration"), ()),
    (["diagram"], ("diagram", "narration"), ()),
    (["diagram", "loss", "predictions"], ("diagram", "loss"), ("predictions",)),
    (["maps", "neuron", "narration"], ("diagram", "maps"), ("neuron", "narration")),
])
def test_the_small_layout_shows_the_diagram_and_the_first_named(names, cells, missing):
    assert panels.layout(names, compact=True) == panels.Layout(cells, missing)


@pytest.mark.parametrize("names, charts, missing", [
    ([], ("loss",), ()),
    (["neuron", "narration", "diagram"], ("loss",), ()),
    (["predictions"], ("predictions",), ()),
    (["maps", "loss"], ("maps", "loss"), ()),
    (["predictions", "maps"], ("predictions",), ("maps",)),      # one area: the first wins
    (["maps", "predictions"], ("maps",), ("predictions",)),
    (["loss", "maps", "neuron", "predictions"], ("loss", "maps"), ("predictions",)),
])
def test_the_large_layout_shows_two_charts_below_the_three_panels(names, charts, missing):
    lay = panels.layout(names, compact=False)
    assert lay == panels.Layout(("diagram", "neuron", "narration") + charts, missing)
    assert lay.charts == charts


def test_unshown_says_where_and_what_at_each_size():
    ch = chapter(show=("loss",), text=[(4, "no panel here"), (5, "the predictions panel, "
                 "then the predictions table")], lines={"show": 3})
    assert panels.unshown(ch) == [(5, (
        "the chapter names the predictions panel, which the lesson layout at 80×24 cannot "
        "show beside loss (80×24 shows the diagram and one panel: name one, or split the "
        "chapter)"))]
    both = chapter(show=("predictions", "maps"), lines={"show": 3})   # no prose: show's line
    assert [line for line, _ in panels.unshown(both)] == [3, 3]
    assert "at 120×40 cannot show beside neuron, narration, predictions (" \
        in panels.unshown(both)[0][1]
    assert panels.unshown(chapter(show=("predictions", "maps"))) == [
        (7, m) for _, m in panels.unshown(both)]                     # nor show's: the title's
    assert panels.unshown(chapter(show=("predictions", "maps"), task="digits")) == []


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_the_lesson_panel_says_when_more_text_is_below_and_how_to_read_it(tmp_path, size):
    """Chapter 3 of backprop is longer than the panel at 80×24: the bottom border says
    ``▼ more: PgDn`` (a scrollbar's colour is no cue) and, where the line of keys is
    hidden, how to read on and change chapter; at the text's end the marker goes."""
    app = lesson_app(tmp_path, "backprop", start=2)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.pause()
        lesson = app.query_one("#lesson")
        bottom = screen_lines(app)[lesson.region.bottom - 1]
        scroll = app.query_one("#lesson-scroll")
        more = scroll.max_scroll_y > 0
        assert more == (size == (80, 24))  # the small screen cuts chapter 3's text
        assert ("▼ more: PgDn" in bottom) == more, bottom
        if size == (80, 24):
            assert "▼ more: PgDn · >/< chapter" in bottom
            await pilot.press("pagedown")
            await pilot.pause()
            await pilot.pause()
            assert round(scroll.scroll_y) == scroll.max_scroll_y  # the end of the text
            bottom = screen_lines(app)[lesson.region.bottom - 1]
            assert "▼ more" not in bottom and "PgDn/PgUp: next/back · >/< chapter" in bottom
        else:
            assert "PgDn/PgUp read on" in "".join(screen_lines(app)[lesson.region.y:lesson.region.bottom])


async def test_the_maps_legend_follows_the_maps_drawn_across_resizes(tmp_path):
    """why-hidden at 120×40 draws the output's map and labels it; resized to 80×24 the map
    goes and so does its legend (it stayed, cut: "maps a(x₁,x₂): orange low · blue …");
    back at 120×40 both come back.  The legend is map_legend's at each size."""
    from tui.app.widgets.diagram import color_system, maps_drawn

    app = lesson_app(tmp_path, "why-hidden")
    async with app.run_test(size=(120, 40)) as pilot:
        diagram = app.query_one("#diagram")

        async def legend_and_drawn():
            for _ in range(4):
                await pilot.pause()
            bottom = screen_lines(app)[diagram.region.bottom - 1]
            return (str(diagram.border_subtitle),
                    maps_drawn(diagram.data, *diagram.content_size), bottom)

        legend, drawn, bottom = await legend_and_drawn()
        assert drawn and legend == map_legend(color_system(app), False, diagram.size.width - 6)
        assert legend.startswith("maps a(x₁,x₂)") and legend in bottom
        assert "▀" in "".join(screen_lines(app)[diagram.region.y:diagram.region.bottom])
        await pilot.resize_terminal(80, 24)
        legend, drawn, bottom = await legend_and_drawn()
        assert not drawn and legend == "" and "maps" not in bottom
        await pilot.resize_terminal(120, 40)
        legend, drawn, bottom = await legend_and_drawn()
        assert drawn and legend.startswith("maps a(x₁,x₂)") and legend in bottom


def test_the_maps_legend_has_one_wording_at_every_width():
    for colors in ("truecolor", None):
        for width in range(13, 60):
            for hint in (True, False):
                text = map_legend(colors, hint, width)
                assert text.startswith("maps a(x₁,x₂)") and len(text) <= width
