"""Workers and widgets talk up by Textual messages (``post_message`` is thread-safe), not
by calling app methods from their thread (``call_from_thread``) or reaching into the app:
the play worker asks for frames with ``Player.FrameWanted``, the export workers post
``Exported``, the sweep and gradient-check workers post their progress and result to
their screen, and the share server's alerts reach the teacher's app as ``ShareApp.Alert``."""
from __future__ import annotations

import pathlib
import re
import threading

from tui.core.config import RunConfig, build

TUI = pathlib.Path(__file__).resolve().parents[1] / "tui"
#: what a widget, screen or worker must not do to the app
REACHING_UP = re.compile(r"call_from_thread|getattr\(self\.app|self\.app\.action_|"
                         r"self\.app\.call_later")


def test_no_worker_or_widget_calls_the_app_from_its_thread_or_reaches_into_it():
    places = [*TUI.glob("app/widgets/*.py"), *TUI.glob("app/screens/*.py"),
              TUI / "app/play.py", TUI / "app/controllers/files.py", *TUI.glob("net/*.py")]
    found = [f"{p.relative_to(TUI)}:{n}: {line.strip()}" for p in places
             for n, line in enumerate(p.read_text().splitlines(), 1)
             if REACHING_UP.search(line)]
    assert found == []


async def test_a_join_code_alert_from_the_servers_thread_reaches_the_teacher():
    from tui.net.share import make_share_app

    app = make_share_app(build(RunConfig(task="xor")))
    async with app.run_test(size=(120, 40)) as pilot:
        thread = threading.Thread(target=app.server.on_alert, args=("3 wrong codes from 10.0.0.9",))
        thread.start()
        thread.join()
        for _ in range(100):
            await pilot.pause(0.02)
            if any("10.0.0.9" in n.message for n in app._notifications):
                break
        assert any("10.0.0.9" in n.message and n.title == "join codes"
                   for n in app._notifications)


async def test_the_play_worker_gets_its_frames_by_message(monkeypatch):
    from tui.app.app import TinyNetApp
    from tui.app.play import Player

    drawn = []
    draw = Player.draw
    monkeypatch.setattr(Player, "draw", lambda self: (drawn.append(1), draw(self)))
    app = TinyNetApp(build(RunConfig(task="xor")))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("space")
        for _ in range(200):
            await pilot.pause(0.02)
            if len(drawn) >= 3:
                break
        await pilot.press("space")
    assert len(drawn) >= 3  # Player.FrameWanted → on_player_frame_wanted → Player.draw


async def test_question_mark_in_the_lesson_answer_box_opens_the_help(tmp_path):
    """The answer box asks the app by its action (``app.help``), not ``self.app.action_help()``."""
    from tui.app.app import TinyNetApp
    from tui.app.screens.help import HelpScreen
    from tui.app.widgets.lesson import AnswerInput
    from tui.lessons import live
    from tui.lessons.catalogue import builtin_lessons
    from tui.lessons.format import load

    ls = live.LessonSession(load(builtin_lessons()["backprop"]), "backprop", 0, None)
    app = TinyNetApp(ls.chapter.session.problem, lesson=ls, save_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        field = app.query_one(AnswerInput)
        assert app.focused is field
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen) and "?" not in field.value
