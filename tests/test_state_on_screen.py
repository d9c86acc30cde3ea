"""A change of a session shows on screen because it went through ``Session.apply`` (or one
of the session's two named exceptions, ``adopt`` and ``set_link_status``), never because
someone remembered ``touch()``: the app redraws only when ``Session.version`` moved, so each
test here fails if its change stops bumping it (the status line keeps the old text)."""
from __future__ import annotations

import asyncio
import io

import pytest
from rich.console import Console

from nn import Granularity
from nn.breakpoints import Breakpoints
from tui.app.app import TinyNetApp
from tui.app.play import Player
from tui.core import actions_local as local
from tui.core.config import RunConfig, build
from tui.core.session import Session
from tui.net.follow import make_follow_app, restart_session
from tui.net.share import ShareServer
from tui.view.frame import PanelSizes, build_frame

from helpers import FAST_BACKOFF


def status(app) -> str:
    console = Console(width=300, record=True, file=io.StringIO())
    console.print(app.query_one("#status").content)
    return console.export_text()


async def shows(pilot, app, text: str, present: bool = True, timeout: float = 10.0) -> None:
    """Wait (the redraw timer runs at 24 Hz) until the status line does (not) show ``text``."""
    for _ in range(int(timeout / 0.05)):
        if (text in status(app)) == present:
            return
        await pilot.pause(0.05)
    raise AssertionError(f"status line {'lacks' if present else 'still shows'} {text!r}: "
                         f"{status(app)!r}")


def drawn(session: Session):
    with session.lock:
        return build_frame(session, PanelSizes())


# ------------------------------------------------------------------ keys and dialogs
async def test_the_quiz_key_shows_and_hides_the_score():
    app = TinyNetApp(build(RunConfig(task="xor")))
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("g")  # a coarser step: the quiz sets the neuron step back
        assert app.session.granularity is not Granularity.NEURON
        await pilot.press("z")
        assert "quiz 0/0" in status(app) and "step: neuron" in status(app)
        await pilot.press("z")
        assert "quiz" not in status(app)


async def test_breakpoints_chosen_in_the_dialog_show_at_once():
    app = TinyNetApp(build(RunConfig(task="xor")))
    async with app.run_test(size=(140, 40)) as pilot:
        assert "● bp" not in status(app)
        await pilot.press("k")
        app.screen.dismiss(Breakpoints(loss_up=True))  # what its OK button returns
        await pilot.pause()
        assert "● bp" in status(app)
        assert app.session.breakpoints == Breakpoints(loss_up=True)


async def test_play_pause_and_a_breakpoint_stop_show_in_the_status_line():
    app = TinyNetApp(build(RunConfig(task="xor")))
    async with app.run_test(size=(140, 40)) as pilot:
        app.session.change_speed(-10)  # 1 epoch/s: nothing stops by itself
        await pilot.press("space")
        assert "playing" in status(app)
        await pilot.press("space")
        assert "playing" not in status(app) and "paused" in status(app)
        await pilot.press("space")
        assert "playing" in status(app)
        app.post_message(Player.Breakpoint("the loss rose"))  # as the worker posts it
        await shows(pilot, app, "playing", present=False)


async def test_the_follow_toggle_shows_detached_and_following_again():
    server = ShareServer(Session(build(RunConfig(task="xor"))))
    server.start()
    app = make_follow_app(server.address, server.code, backoff=FAST_BACKOFF)
    app.follower.start()
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            await shows(pilot, app, f"following {server.address}")
            await pilot.press("u")
            await shows(pilot, app, "DETACHED · u follows")
            await pilot.press("u")
            await shows(pilot, app, f"following {server.address}")
    finally:
        app.follower.stop()
        server.stop()


# ------------------------------------------------------------------ headless: the frame
LOCAL = [
    (local.SetQuiz(True), lambda f: f.status.quiz),
    (local.AnswerQuiz(1.0, 1.0), lambda f: f.status.quiz),
    (local.SetBreakpoints(Breakpoints(target=True)), lambda f: f.status.breakpoints_on),
    (local.SetPlaying(True), lambda f: f.status.state),
    (local.SetGranularity(Granularity.EPOCH), lambda f: f.status.granularity),
    (local.CycleGranularity(), lambda f: f.status.granularity),
    (local.ChangeSpeed(1), lambda f: f.status.speed),
    (local.Select(0, 1), lambda f: f.neuron.name),
    (local.MoveSelection(1), lambda f: f.neuron.name),
    (local.MoveSample(1), lambda f: f.neuron.sample),
]


@pytest.mark.parametrize("action,part", LOCAL, ids=[a.name for a, _ in LOCAL])
def test_each_local_action_changes_the_frame_and_its_version_and_records_nothing(action, part):
    s = Session(build(RunConfig(task="xor")))
    s.apply(local.SetQuiz(True)) if isinstance(action, local.AnswerQuiz) else None
    s.step()
    sent: list = []
    s.listeners.append(sent.append)
    before, version, recorded = drawn(s), s.version, list(s.actions)
    s.apply(action)
    assert s.version > version  # the app redraws
    assert part(drawn(s)) != part(before)  # … and the new frame shows the change
    assert s.actions == recorded and sent == []  # not in the session file, not to followers


DIGITS = [
    ([], local.Paint(3, 3), lambda f: f.digits.source),
    ([local.Paint(3, 3)], local.ClearDrawing(), lambda f: f.digits.source),
    ([], local.ToggleMistakes(), lambda f: f.digits.source),
    ([local.ToggleMistakes()], local.WalkMistakes(1), lambda f: f.digits.title),
    ([], local.ToggleLargeDigit(), lambda f: f.digits.large),
]


@pytest.fixture(scope="module")
def digits_problem():
    return build(RunConfig(task="digits", hidden=(8,)))


@pytest.mark.parametrize("setup,action,part", DIGITS, ids=[a.name for _, a, _ in DIGITS])
def test_each_digits_action_changes_the_frame_and_its_version(digits_problem, setup, action,
                                                              part):
    s = Session(digits_problem)
    s.play_chunk(1)  # (mistakes to walk)
    for earlier in setup:
        s.apply(earlier)
    before, version = drawn(s), s.version
    s.apply(action)
    assert s.version > version and part(drawn(s)) != part(before)


def test_a_stroke_over_inked_pixels_changes_nothing_and_draws_nothing(digits_problem):
    s = Session(digits_problem)
    assert s.apply(local.Paint(3, 3)) is True
    version = s.version
    assert s.apply(local.Paint(3, 3)) is False and s.version == version


def test_a_follower_adopting_its_teachers_state_is_drawn():
    teacher = Session(build(RunConfig(task="xor")))
    teacher.play_chunk(7)
    follower = Session(build(RunConfig(task="xor")))
    follower.apply(local.SetPlaying(True))
    version = follower.version
    restart_session(follower, teacher.start_config, list(teacher.actions))
    assert follower.version > version and not follower.playing
    assert drawn(follower).status.epoch == 7 and follower.actions == teacher.actions


def test_sharing_shows_its_link_line_and_a_catch_up_percentage_does_not_redraw():
    s = Session(build(RunConfig(task="xor")))
    server = ShareServer(s)
    version = s.version
    server.start()
    try:
        assert s.version > version and "code" in drawn(s).status.link
    finally:
        server.stop()
    assert drawn(s).status.link.startswith("stopped sharing")
    version = s.version
    s.set_link_status("catching up 40 %", redraw=False)  # the banner shows it, not a frame
    s.set_link_status("catching up 40 %")                # the same text: nothing to draw
    assert s.version == version


def test_a_lesson_answer_shows_in_the_quiz_score():
    from tui.lessons.catalogue import builtin_lessons
    from tui.lessons.format import load
    from tui.lessons.live import ChapterRun

    run = ChapterRun(load(builtin_lessons()["backprop"]), 0)
    run.session.apply(local.SetQuiz(True))
    version = run.session.version
    run.answer(12345.0)
    assert run.session.version > version and drawn(run.session).status.quiz == (0, 1)


def test_no_app_or_net_module_calls_touch_by_hand():
    """The session bumps its own version; outside it, nothing calls ``touch()``: view
    state (the lesson panel's cell, the numbers a question hides) is an input of the
    redraw key (:meth:`ViewKeys.view_key`)."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[1] / "tui"
    call = re.compile(r"^[^#`]*\.touch\(\)", re.M)  # (not in a comment or ``quoted``)
    calls = {str(p.relative_to(root)): len(call.findall(p.read_text()))
             for p in root.rglob("*.py") if p.name != "session.py"}
    assert {name: n for name, n in calls.items() if n} == {}
