"""What a redraw skips while playing (issue 25, bench/README.md "Playing digits: a redraw
that skips what does not show"), and that each skip never leaves a panel stale."""
from __future__ import annotations

import time

from rich.text import Text
from textual.visual import visualize
from textual.widgets import Static

from tui.app.widgets.narration import Narration

from helpers import make_app


def _text_height(static: Static) -> int:
    """The height the Static's content wraps to at its width now."""
    return visualize(static, static.content).get_height(static.styles, static.content_size.width)


async def test_narration_relayouts_when_its_text_changes_height():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        narration = app.query_one(Narration)
        static = narration.query_one("#narration-text", Static)
        narration._shown = None
        narration.show(app.frame.narration)
        await pilot.pause()
        short = static.size.height
        assert short == _text_height(static)
        # a taller text with no other change on the screen: the Static must grow to it
        narration.show_text(Text("\n".join(f"line {k}" for k in range(short + 5))))
        await pilot.pause()
        assert static.size.height == short + 5
        # and back to the short one
        narration._shown = None
        narration.show(app.frame.narration)
        await pilot.pause()
        assert static.size.height == short


async def test_narration_keeps_the_layout_while_its_height_stays():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        narration = app.query_one(Narration)
        static = narration.query_one("#narration-text", Static)
        narration.show_text(Text("Played to epoch 6. Press n"))
        await pilot.pause()
        asked = []
        refresh = static.refresh
        static.refresh = lambda *a, layout=False, **k: (asked.append(layout),
                                                        refresh(*a, layout=layout, **k))[1]
        narration.show_text(Text("Played to epoch 7. Press n"))
        narration.show_text(Text("Played to epoch 8. Press n\nand a second line"))
        assert asked == [False, True]


async def test_a_hidden_predictions_panel_draws_nothing_and_is_current_once_shown():
    from tui.app.widgets.predictions import Predictions

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:  # compact: the loss chart, v: predictions
        await pilot.pause()
        panel = app.query_one(Predictions)
        assert not panel.display
        drawn = panel._lines
        with app.session.lock:  # three epochs while it is hidden
            app.session.stepper.run_epochs(3)
            app.session.touch()
        app.redraw()
        await pilot.pause()
        assert panel._lines is drawn  # not drawn while hidden
        assert panel.view is app.frame.predictions  # (but it holds the frame's view)
        await pilot.press("v")
        await pilot.pause()
        await pilot.pause()
        assert panel.display
        shown = panel._lines
        panel.show(app.frame.predictions)  # what the current frame draws
        assert shown == panel._lines and "epoch 3" in str(shown[0])


async def _playing_frames(app, pilot, n: int) -> None:
    """``n`` frames as while playing (an epoch each, no worker)."""
    for _ in range(n):
        with app.session.lock:
            app.session.stepper.run_epochs(1)
            app.session.touch()
        app.redraw()
        await pilot.pause()


async def test_the_neuron_view_is_built_only_for_frames_the_panel_shows():
    from tui.app.widgets.inspector import Inspector, render_inspector
    from tui.core.config import task_config, build
    from tui.app.app import TinyNetApp
    from tui.view.frame import _neuron

    app = TinyNetApp(build(task_config("digits")))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        inspector = app.query_one(Inspector)
        app.session.playing = True
        await _playing_frames(app, pilot, 1)
        inspector._shown_at = time.perf_counter() + 1e3  # not due, however slow the machine
        await _playing_frames(app, pilot, 2)
        assert app.frame.neuron is None  # shown < PLAYING_EVERY_S ago: not built
        for _ in range(2):  # due: built from the session now, and shown
            inspector._shown_at = -1e9
            await _playing_frames(app, pilot, 1)
            assert app.frame.neuron is not None
            with app.session.lock:
                now = _neuron(app.session)
            assert str(inspector.content) == str(render_inspector(
                now, inspector.size.width or None, inspector.page))
        # another neuron selected while playing: its view is built at once (not shown yet)
        inspector._shown_at = time.perf_counter() + 1e3  # (not due, however slow the machine)
        before = app.session.selected
        await pilot.press("up")
        await _playing_frames(app, pilot, 1)
        assert app.session.selected != before
        assert inspector._view is not None and inspector._view.name == _neuron(app.session).name
        assert str(inspector.content) != str(render_inspector(
            inspector._view, inspector.size.width or None, inspector.page))
        app.session.playing = False


def _whole(widget) -> list:
    """The strips Textual's Static draws for the widget's whole text."""
    from textual.visual import Visual

    return Visual.to_strips(widget, visualize(widget, widget.content), widget.size.width,
                            None, widget.visual_style)


async def test_the_neuron_panel_draws_the_lines_it_shows_as_the_whole_text_would():
    from tui.app.widgets.inspector import Inspector
    from tui.core.config import task_config, build
    from tui.app.app import TinyNetApp

    for task, size in (("digits", (120, 40)), ("xor", (120, 40)), ("xor", (80, 24))):
        app = TinyNetApp(build(task_config(task)))
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            inspector = app.query_one(Inspector)
            for _ in range(2):  # the first text, then the next frame's (not the first's)
                assert inspector._text_lines is not None, task
                whole = _whole(inspector)
                assert len(whole) == len(inspector._text_lines)
                drawn = [inspector.render_line(y) for y in range(len(whole))]
                assert drawn == whole, (task, size)
                with app.session.lock:
                    app.session.stepper.run_epochs(1)
                    app.session.touch()
                app.redraw()
                await pilot.pause()
            # a line cut with … (wider than the panel) is still one strip, the same
            text = Text("x" * (inspector.size.width + 5) + "\nshort", no_wrap=True,
                        overflow="ellipsis")
            inspector.update(text)
            assert inspector._text_lines is not None
            assert [inspector.render_line(y) for y in range(2)] == _whole(inspector)
            # a long line of words (wrapped, or cut where the panel's style says so)
            inspector.update(Text("word " * inspector.size.width + "\nshort"))
            whole = _whole(inspector)
            assert [inspector.render_line(y) for y in range(len(whole))] == whole
            inspector.styles.text_wrap = "wrap"  # (where a style wraps it: several strips)
            inspector.styles.text_overflow = "fold"
            inspector.update(Text("word " * inspector.size.width + "\nshort"))
            whole = _whole(inspector)
            assert len(whole) > 2
            assert [inspector.render_line(y) for y in range(len(whole))] == whole
