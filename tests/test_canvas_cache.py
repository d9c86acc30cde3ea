"""LineCanvas.render_line keeps each segment combined with the widget's style (by the
segment's text and style) from one frame to the next: what it hands out must still equal
combining every segment afresh, whatever changed (a cell's colour, its character, the widget's
own style, the line's length)."""
import asyncio

from rich.segment import Segment
from rich.style import Style
from textual.app import App
from textual.strip import Strip

from tui.app.widgets.canvas import LineCanvas
from tui.app.widgets.weight_grid import WeightGrid
from tui.core.config import build, task_config
from tui.app.app import TinyNetApp

RED, BLUE = Style(color="red", bgcolor="black"), Style(color="blue", bgcolor="black")


def afresh(canvas: LineCanvas, y: int) -> list[Segment]:
    """The line as combining every segment anew gives (the uncached rule)."""
    base = canvas.rich_style
    width = canvas.content_size.width
    if y >= len(canvas._lines):
        return list(Strip.blank(width, base))
    strip = Strip([Segment(t, base + s if s else base) for t, s, _ in canvas._lines[y]])
    return list(strip.crop_extend(0, width, base))


class One(App):
    CSS = "LineCanvas { width: 6; height: 2; background: #102030; color: #e0e0e0; }"

    def compose(self):
        yield LineCanvas()


def shown(canvas: LineCanvas, y: int = 0) -> list[Segment]:
    return list(canvas.render_line(y))


def test_a_cached_segment_follows_its_style_text_and_the_widget_style():
    async def run():
        app = One()
        async with app.run_test(size=(20, 4)) as pilot:
            await pilot.pause()
            c = app.query_one(LineCanvas)
            c.set_lines([[Segment("▀", RED), Segment("▀", RED)]])
            first = shown(c)
            assert first == afresh(c, 0) and first[0].style.color.name == "red"
            # same text, another style: the cached red must not come back
            c.set_lines([[Segment("▀", BLUE), Segment("▀", RED)]])
            assert shown(c) == afresh(c, 0)
            assert shown(c)[0].style.color.name == "blue"
            # same style, another character
            c.set_lines([[Segment("▄", BLUE), Segment("▀", RED)]])
            assert shown(c)[0].text == "▄" and shown(c) == afresh(c, 0)
            # no style: the widget's; then the widget's style changes
            c.set_lines([[Segment("ab", None), Segment("▀", RED)]])
            assert shown(c) == afresh(c, 0)
            drawn = []  # what the screen's own update draws (render_lines, not one line)
            line = c.render_line
            c.render_line = lambda y: drawn.append((y, line(y))) or drawn[-1][1]
            c.styles.background = "#405060"
            await pilot.pause()
            assert drawn and all(list(strip) == afresh(c, y) for y, strip in drawn)
            del c.render_line
            assert shown(c) == afresh(c, 0)
            assert shown(c)[0].style.bgcolor.triplet.hex == "#405060"
            # longer than the widget: cut at its width; shorter: padded in its style
            c.set_lines([[Segment("abcdefgh", RED)], [Segment("a", RED)]])
            assert shown(c, 0) == afresh(c, 0) and sum(len(s.text) for s in shown(c, 0)) == 6
            assert shown(c, 1) == afresh(c, 1) and sum(len(s.text) for s in shown(c, 1)) == 6
            # narrower: the screen's own update cuts at the new width
            drawn.clear()
            c.render_line = lambda y: drawn.append((y, line(y))) or drawn[-1][1]
            c.styles.width = 4
            await pilot.pause()
            assert drawn and all(list(strip) == afresh(c, y) for y, strip in drawn)
            assert all(sum(len(s.text) for s in strip) == 4 for _, strip in drawn)

    asyncio.run(run())


def test_weight_grid_lines_follow_the_weights_frame_by_frame():
    """Playing digits: every line of the weight grid, on every frame, equals its segments
    combined afresh (a stale cell of a neuron whose weights moved would differ)."""
    async def run():
        app = TinyNetApp(build(task_config("digits")))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            grid = app.query_one(WeightGrid)
            before = None
            changed = 0
            for _ in range(4):
                app.session.play_chunk(1)
                app.redraw()
                await pilot.pause()
                now = [shown(grid, y) for y in range(len(grid._lines))]
                assert now == [afresh(grid, y) for y in range(len(grid._lines))]
                changed += before is not None and now != before
                before = now
            assert changed  # the pictures did move between frames

    asyncio.run(run())


def test_loss_chart_lines_are_textuals_own_and_follow_each_build():
    """The loss chart's lines (drawn from plotext's text without Textual's Content) are
    segment for segment what Textual would draw from the same text, selection offsets
    included, and a new build (new points) is drawn, not the lines kept from the last."""
    from textual.visual import Visual

    from tui.app.widgets.loss_chart import LossChart

    async def run():
        app = TinyNetApp(build(task_config("digits")))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            chart = app.query_one(LossChart)
            before = None
            for _ in range(3):
                app.session.play_chunk(7)
                app.redraw()
                await pilot.pause()
                ours = [list(chart.render_line(y)) for y in range(chart.size.height)]
                textual = Visual.to_strips(chart, chart._render(), chart.size.width,
                                           chart.size.height, chart.visual_style)
                assert ours == [list(strip) for strip in textual]
                assert ours != before  # more epochs: another curve
                before = ours

    asyncio.run(run())
