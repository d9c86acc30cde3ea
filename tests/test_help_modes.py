"""Help (?) opens in every mode of the app: plain (what ``serve`` runs in each tab), a
lesson, ``share`` (the teacher) and ``follow`` (a learner, also ``serve --follow``'s tabs).
Share and follow add their keys as plain ``(key, action, description)`` tuples, which the
help screen once took for Binding objects and crashed on."""
from __future__ import annotations

import io

from rich.console import Console

from tui.app.app import TinyNetApp
from tui.core.config import RunConfig, build
from tui.lessons import catalogue as cli
from tui.lessons import live
from tui.lessons.format import load
from tui.lessons.progress import Progress
from tui.app.keys import as_keys, extra_keys
from tui.app.screens.help import HelpScreen


def keys_text(app) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(app.screen.query_one("#help-keys").content)
    return console.export_text()


async def open_help(app) -> str:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = keys_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
    return text


async def test_help_in_the_plain_app_as_serve_runs_it(tmp_path):
    text = await open_help(TinyNetApp(build(RunConfig()), save_dir=tmp_path))
    assert "help: every key" in text and "one step forward" in text


async def test_help_in_a_lesson(tmp_path):
    progress = Progress(tmp_path / "progress.json")
    name = next(iter(cli.builtin_lessons()))
    ls = live.LessonSession(load(cli.builtin_lessons()[name]), name, 0, progress)
    app = TinyNetApp(ls.chapter.session.problem, save_dir=tmp_path, export_dir=tmp_path,
                     lesson=ls, progress=progress)
    assert "one step forward" in await open_help(app)


async def test_help_in_share_mode_lists_the_app_keys_and_the_join_code_key(tmp_path):
    from tui.net.share import make_share_app

    app = make_share_app(build(RunConfig()), save_dir=tmp_path)  # server not started
    text = await open_help(app)
    assert "join code" in text and "one step forward" in text


async def test_help_in_follow_mode(tmp_path):
    from tui.net.follow import make_follow_app

    app = make_follow_app("127.0.0.1:9", "ABC234", save_dir=tmp_path)  # follower not started
    text = await open_help(app)
    assert "follow the teacher again" in text and "one step forward" in text


def test_tuple_bindings_become_keys_and_subclass_keys_add_to_the_app_keys():
    (k,) = as_keys([("u", "follow_toggle", "unfollow/follow")])
    assert (k.keys, k.action, k.footer) == ("u", "follow_toggle", "unfollow/follow")

    class Sub(TinyNetApp):
        BINDINGS = [("i", "x", "extra")]

    keys = [k.keys for k in extra_keys(Sub.__new__(Sub))]
    assert keys == ["i"]
