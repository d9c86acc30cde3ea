"""Issue 22: lessons a learner can trust — each item's mechanism, headless (the app-level
walk is in tests/test_lesson_walk.py)."""
from __future__ import annotations

import pytest

from tui.lessons import cli, live
from tui.lessons.format import load

BUILTIN = cli.builtin_lessons()


def chapter(name: str, title_start: str) -> live.ChapterRun:
    lesson = load(BUILTIN[name])
    i = next(i for i, c in enumerate(lesson.chapters) if c.title.startswith(title_start))
    return live.ChapterRun(lesson, i)


# ------------------------------------------------ item 1: play until loss ≤ L
def first_epoch_at_or_below(losses, target: float) -> int:
    return next(e for e in range(len(losses)) if losses[e] <= target)


@pytest.mark.parametrize("name, title, target, first", [
    ("backprop", "Playing until", 0.01, 2235),
    ("learning-rate", "About right", 0.01, None),
    ("initialisation", "What helps", 0.01, 307),
    ("regression", "Fitting", 0.005, 1149),
])
def test_play_until_loss_stops_where_the_breakpoint_does(name, title, target, first):
    run = chapter(name, title)
    assert run.chapter.wait.loss == target
    run.press("p")
    st = run.session.stepper
    losses = [st.losses[e] for e in range(len(st.losses))]
    hit = first_epoch_at_or_below(losses, target)
    if first is not None:
        assert hit == first          # the numbers seen in the issue
    # stopped right after the first epoch whose loss is ≤ target, as the breakpoint does
    assert st.epoch == hit + 1 and st.losses.last == losses[hit] <= target
    assert run.play_reached is True


def test_space_in_the_app_plays_to_the_same_epoch():
    """The chapter's session carries the "loss reached" breakpoint, so the app's own
    play (space, any chunking) stops where the chapter's p does."""
    run = chapter("backprop", "Playing until")
    s = run.session
    assert s.breakpoints.target and s.breakpoints.target_loss == 0.01
    while not s.stepper.breakpoint and s.stepper.epoch < 5000:
        s.play_chunk(997)   # the play worker's chunks are any size
    assert s.stepper.epoch == 2236
