"""The classroom in the apps, over real TCP: a teacher's share app walks a lesson with a
room of followers (the chapter, its question, the tally, F on followers); a follow app at
80×24 shows the teacher's chapter, answers through its panel, never drifts silently."""
import pytest

from tui.core.config import RunConfig, build
from tui.net.follow import Follower, make_follow_app
from tui.core.session import Session
from tui.net.share import ShareServer, make_share_app, open_shared_lesson
from tui.net.shared_lesson import LessonContext, open_chapter

from helpers import FAST_BACKOFF, await_until


def same(a, b) -> bool:
    import numpy as np

    return (a.stepper.epoch, a.stepper.cursor) == (b.stepper.epoch, b.stepper.cursor) and all(
        np.array_equal(x.W, y.W) for x, y in zip(a.net.layers, b.net.layers))


@pytest.fixture(autouse=True)
def own_progress_file(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


@pytest.mark.slow
@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_the_teachers_app_takes_the_room_through_a_lesson(size):
    lesson = open_shared_lesson("backprop")
    app = make_share_app(build(RunConfig(task="xor")), lesson=lesson, progress=lesson.progress)
    app.server.start()
    room = [Follower(app.server.host, app.server.port, app.server.code, backoff=FAST_BACKOFF,
                     name=n).start() for n in ("ana", "bo", "cy")]
    try:
        async with app.run_test(size=size) as pilot:
            server = app.server
            await await_until(lambda: server.followers == 3 and all(
                f.lesson == LessonContext("backprop", 0) for f in room), what="the room in")
            await pilot.press("greater_than_sign")            # the teacher: next chapter (PgDn reads on first)
            await await_until(lambda: all(f.lesson == LessonContext("backprop", 1)
                                          and f.applied_seq == server.seq for f in room))
            assert all(same(f.session, app.session) for f in room)
            q = "lesson:backprop:1"
            await await_until(lambda: all(f.question and f.question[0] == q for f in room),
                              what="the chapter's question asked")
            check = server.room.question.check
            truth = next(a for a in (f"{x / 1000:.4g}" for x in range(-3000, 3000))
                         if check(a)[0])                         # a right answer
            for f, a in zip(room, [truth, "42", truth]):
                assert f.send_answer(a) is None
            await await_until(lambda: server.room.tally()["answered"] == 3)
            t = server.room.tally()
            assert (t["answered"], t["of"], t["right"]) == (3, 3, 2)
            assert app.server.tally_text() == "answered 3 of 3 · right 2"
            await await_until(lambda: "the room: answered 3 of 3 · right 2" in str(
                app.query_one("#lesson").border_subtitle), what="the tally on the teacher's panel")
            app.set_focus(None)                                 # (the answer field had it)
            seq = server.seq
            await pilot.press("n")                              # the wait: a step, mirrored
            await await_until(lambda: server.seq == seq + 1 and all(
                f.applied_seq == server.seq for f in room))
            assert all(same(f.session, app.session) for f in room)
            app.set_focus(None)
            await pilot.press("F")                              # a presenter view
            await await_until(lambda: all(f.view == "compare" for f in room))
            await pilot.press("escape")
            await await_until(lambda: all(f.view is None for f in room))
            app.set_focus(None)
            await pilot.press("N", "a")                         # settings, a layer added
            await await_until(lambda: all(f.view == "settings" and f.view_draft
                                          and len(f.view_draft["hidden"]) == 2 for f in room))
            await pilot.press("escape")
            await await_until(lambda: all(f.view is None for f in room))
    finally:
        for f in room:
            f.stop()
        app.server.stop()


async def test_a_follow_app_at_80x24_shows_the_chapter_and_answers_through_its_panel():
    from textual.widgets import Input

    server = ShareServer(Session(build(RunConfig(task="xor"))))
    server.start()
    app = make_follow_app(server.address, server.code, backoff=FAST_BACKOFF, name="dee")
    app.follower.start()
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            lesson = open_chapter(LessonContext("backprop", 2))
            server.retarget(lesson.chapter.session, LessonContext("backprop", 2))
            from tui.net.room import lesson_question

            server.ask(*lesson_question(lesson.lesson, "backprop", 2))
            await await_until(lambda: app.lessons.active and app.lessons.lesson.index == 2,
                              what="the chapter shown")
            assert app.lessons.run.session is app.session
            assert same(app.session, lesson.chapter.session)
            await await_until(lambda: f"following {server.address}" in str(
                app.query_one("#status").render()), what="the status line following")
            assert "epoch" in str(app.query_one("#status").render())
            await await_until(lambda: app.follower.question is not None)
            # the first lesson mounts the lesson panel (not composed at start): the chapter
            # is shown, the answer field focused, once its mount is done
            await await_until(lambda: app.focused is not None
                              and app.focused.id == "lesson-answer", what="the answer focused")
            answer = app.query_one("#lesson-answer", Input)
            answer.focus()
            answer.value = "0.1"
            await pilot.press("enter")
            await await_until(lambda: server.room.tally()["answered"] == 1)
            await await_until(lambda: app.lessons.feedback.startswith(("✗ Not quite", "✓ Right")),
                              what="the answer's feedback")
            assert app.follower.attached                       # answering is not an action
            assert [n for n, _, _ in server.room.who()] == ["dee"]
            server.present("compare")
            await await_until(lambda: type(app.screen).__name__ == "CompareScreen")
            server.present(None)
            await await_until(lambda: type(app.screen).__name__ != "CompareScreen")
            rows = [dict(lr=0.5, seed=s, success=s % 2 == 0, diverged=False,
                         state="success" if s % 2 == 0 else "not yet",
                         epochs_to_success=100 if s % 2 == 0 else None, final_loss=0.01 * s)
                    for s in range(4)]
            server.present("sweep", rows, "lr 0.5: 2/4 succeed, 2 not yet")
            await await_until(lambda: type(app.screen).__name__ == "SweepScreen")
            from textual.widgets import DataTable

            await await_until(lambda: app.screen.query(DataTable)   # (composed, then filled)
                              and app.screen.query_one(DataTable).row_count == 4)
            table = app.screen.query_one(DataTable)
            assert app.screen.sweep is None                             # nothing trained here
            assert [table.get_row_at(k)[2] for k in range(4)] == ["✓", "… not yet"] * 2
            server.present(None)
            await await_until(lambda: type(app.screen).__name__ != "SweepScreen")
            server.present("settings", draft={"hidden": [7, 3], "lr": 0.25})
            await await_until(lambda: type(app.screen).__name__ == "TeacherSettings" and any(
                str(w.render()) for w in app.screen.query("#teacher-settings")))
            shown = str(app.screen.query_one("#teacher-settings").render())
            assert "The teacher is choosing (read-only)" in shown and "0.25" in shown
            server.present("settings", draft={"hidden": [7, 3], "lr": 0.5})   # as they change
            await await_until(lambda: "0.5" in str(app.screen.query_one(
                "#teacher-settings").render()))
            server.present(None)
            await await_until(lambda: type(app.screen).__name__ != "TeacherSettings")
            server.stop()                                      # the teacher goes away
            await await_until(lambda: app.query_one("#follow-banner").has_class("shown"))
            assert "teacher gone" in str(app.query_one("#follow-banner").render())
    finally:
        app.follower.stop()
        server.stop()


async def test_a_follower_with_no_teacher_says_so_until_it_can():
    app = make_follow_app("127.0.0.1:1", "ABCDEF", backoff=FAST_BACKOFF)
    app.follower.start()
    try:
        async with app.run_test(size=(80, 24)):
            await await_until(lambda: app.follower.state == "unreachable")
            await await_until(lambda: "can't reach 127.0.0.1:1" in str(  # (once any toast is gone)
                app.query_one("#status").render()) and "cannot reach the teacher" in str(
                app.query_one("#follow-banner").render()), what="the status line and banner")
    finally:
        app.follower.stop()


@pytest.mark.parametrize("mode", ["share", "follow"])
async def test_help_opens_in_share_and_follow(mode):
    from tui.app.screens.help import HelpScreen

    if mode == "share":
        app = make_share_app(build(RunConfig(task="xor")))
    else:
        app = make_follow_app("127.0.0.1:1", "ABCDEF", backoff=FAST_BACKOFF)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
