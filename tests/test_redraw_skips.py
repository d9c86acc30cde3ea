"""What a redraw skips while playing (issue 25, bench/README.md "Playing digits: a redraw
that skips what does not show"), and that each skip never leaves a panel stale."""
from __future__ import annotations

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
