"""The key table is the one source of the keys: the bindings, the footer, the help screen
and the command palette all come from tui.app.keys.KEYS; the App file only routes."""
import asyncio
from pathlib import Path

from tui.app import keys as key_table
from tui.app.app import TinyNetApp
from tui.app.keys import KEYS, Key, KeyCommands, display_keys
from tui.app.screens.help import HelpScreen
from tui.core.config import RunConfig, build

from helpers import make_app, plain

ROOT = Path(__file__).resolve().parents[1]


def test_the_apps_bindings_are_the_table():
    made = [(b.key, b.action, b.description, b.show, b.priority, b.tooltip)
            for b in TinyNetApp.BINDINGS]
    table = [(k.keys, k.action, k.footer, k.show, k.priority, k.help) for k in KEYS]
    assert made == table


def test_every_key_once_and_every_action_has_a_method():
    pressed = [name for k in KEYS for name in k.keys.split(",")]
    assert len(pressed) == len(set(pressed)), "a key bound twice"
    for k in KEYS:
        assert k.group in key_table.GROUPS and k.help and k.footer, k
        method = "action_" + k.action.split("(")[0]
        assert callable(getattr(TinyNetApp, method, None)), method


def test_the_app_file_routes_and_stays_short():
    lines = (ROOT / "tui" / "app" / "app.py").read_text().count("\n")
    assert lines <= 300, f"tui/app/app.py has {lines} lines: move actions to tui/app/controllers"
    assert "Binding(" not in (ROOT / "tui" / "app" / "app.py").read_text()  # keys are data


async def test_footer_help_and_palette_read_the_table():
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()  # the footer lists the keys once the screen is up
        footer = [fk.description for fk in app.screen.query("FooterKey")]
        assert footer == [k.footer for k in KEYS if k.show]
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        listed = plain(app.screen.query_one("#help-keys"))
        for k in KEYS:
            assert k.help in listed and display_keys(k) in listed, k
        await pilot.press("escape")
        provider = KeyCommands(app.screen)
        for k in KEYS:
            if k.action == "command_palette":
                continue
            hits = [h async for h in provider.search(k.help)]
            assert any(h.text == k.help for h in hits), k


async def test_the_palette_runs_a_keys_action():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.view.log_scale
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "CommandPalette"
        await pilot.press(*"log scale")
        for _ in range(40):  # the palette searches in the background
            await pilot.pause(0.05)
            if app.screen.query("CommandList Option") or app.screen.query("OptionList Option"):
                break
        await pilot.press("enter")
        await pilot.pause()
        assert not app.view.log_scale, "the palette ran y (log scale ⇄ linear)"


async def test_help_lists_a_subclasss_plain_tuple_bindings():
    class Shared(TinyNetApp):
        BINDINGS = [("i", "share_info", "join code")]

        def action_share_info(self) -> None:
            self.say("join code")

    app = Shared(build(RunConfig()))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        listed = plain(app.screen.query_one("#help-keys"))
        assert "join code" in listed and "i " in listed
        assert KEYS[0].help in listed
        hits = [h async for h in KeyCommands(app.screen).search("join code")]
        assert hits


def test_help_screen_takes_rows_or_textual_bindings():
    screen = HelpScreen([Key("n", "step", "step", "one step", "stepping")],
                        extra=[("u", "follow_toggle", "unfollow/follow")])
    assert [k.action for k in screen.keys] == ["step", "follow_toggle"]
