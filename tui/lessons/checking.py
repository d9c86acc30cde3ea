"""``learn --check``'s runner: the work is counted before it starts, capped, and shown.

Each chapter of a lesson is independent (it builds its own network and plays to its own
position), so the chapters are checked one by one (``learn --check`` shows a progress bar).  Before
any of them runs, the epochs the lesson would play are added up (each chapter's start
position plus its ``wait: play``), and a lesson that asks for more than
:data:`MAX_CHECK_EPOCHS` is refused in one line instead of running for minutes.

The raw file is also scanned for control and bidi characters (:func:`unsafe_lines`): the
lesson reader shows them visibly, and ``--check`` reports where they are.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tui.core.config import build
from tui.core.replay_cost import duration, replay_seconds
from tui.core.text import unsafe_characters
from tui.lessons.format import Chapter, Lesson, LessonError
from tui.lessons.live import PLAY_LIMIT, check, config_of

#: the most epochs ``--check`` plays for one lesson (a built-in lesson plays at most ~50 000)
MAX_CHECK_EPOCHS = 200_000
#: the longest ``--check`` estimated to run (the built-in lessons: at most ~6 s, by the
#: estimate of :mod:`tui.core.replay_cost`, which is conservative for small networks): an
#: epoch's cost grows with the network, and a 60-byte lesson of a 2–2048–2048–1 network at
#: epoch 20 000 asks for hours within the epoch budget
MAX_CHECK_SECONDS = 600.0


def chapter_epochs(ch: Chapter) -> int:
    """Epochs checking ``ch`` may play: to its position, its ``steps:`` when they are
    epochs, then its wait (at most :data:`~tui.lessons.live.PLAY_LIMIT` for a play until
    a loss)."""
    count, granularity = ch.steps
    stepped = count if (granularity or ch.settings.get("granularity")) == "epoch" else 0
    wait = ch.wait
    if wait.kind != "play":
        played = 0
    elif wait.loss is not None and not wait.nan:
        played = PLAY_LIMIT
    else:
        played = wait.count
    return ch.position.epoch + stepped + played


def lesson_epochs(lesson: Lesson) -> int:
    return sum(chapter_epochs(ch) for ch in lesson.chapters)


def chapter_seconds(ch: Chapter) -> tuple[float, str]:
    """Estimated seconds for checking ``ch`` (its epochs and steps on its own network),
    and that network's sizes as text; 0 for a chapter whose network cannot be built (its
    check says why)."""
    try:
        problem = build(config_of(ch))
    except (ValueError, OSError):
        return 0.0, ""
    sizes = problem.net.sizes
    return (replay_seconds(sizes, len(problem.X), chapter_epochs(ch), ch.steps[0]),
            "–".join(map(str, sizes)))


def unsafe_lines(lesson: Lesson, text: str | None = None) -> list[LessonError]:
    """One error per line of the lesson's file (or ``text``) holding control or bidi
    characters, listing them as they are shown (``␛``, ``<U+202E>``)."""
    if text is None:
        if not lesson.path:
            return []
        try:
            text = Path(lesson.path).read_text(encoding="utf-8-sig", errors="replace")
        except OSError:
            return []  # the reader already said why the file cannot be read
    errors = []
    for n, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        found = unsafe_characters(line)
        if found:
            errors.append(LessonError(lesson.path, n, "control or bidi characters "
                                      f"{' '.join(found)}: a lesson must not hold them "
                                      "(they would act on the reader's terminal)"))
    return errors


def check_lesson(lesson: Lesson, on_chapter=None) -> list[LessonError]:
    """:func:`~tui.lessons.live.check` chapter by chapter, after the work is counted:
    a lesson over :data:`MAX_CHECK_EPOCHS` is one error and nothing runs.
    ``on_chapter(i, n)`` is called before chapter ``i`` (from 0) of ``n`` (a progress bar)."""
    errors = unsafe_lines(lesson)
    epochs = lesson_epochs(lesson)
    if epochs > MAX_CHECK_EPOCHS:
        return errors + [LessonError(lesson.path, None, f"checking would play {epochs:,} epochs "
                                     f"in all; --check plays at most {MAX_CHECK_EPOCHS:,} "
                                     "(shorten the waits or the start positions)")]
    costs = [chapter_seconds(ch) for ch in lesson.chapters]
    seconds = sum(c[0] for c in costs)
    if seconds > MAX_CHECK_SECONDS:
        worst = max(range(len(costs)), key=lambda i: costs[i][0])
        return errors + [LessonError(
            lesson.path, lesson.chapters[worst].line,
            f"checking would take about {duration(seconds)} (this chapter's {costs[worst][1]} "
            f"network: about {duration(costs[worst][0])}); --check runs at most about "
            f"{duration(MAX_CHECK_SECONDS)} (use smaller hidden layers, or fewer epochs)")]
    for i, ch in enumerate(lesson.chapters):
        if on_chapter is not None:
            on_chapter(i, len(lesson.chapters))
        errors += check(replace(lesson, chapters=[ch]))
    return errors
