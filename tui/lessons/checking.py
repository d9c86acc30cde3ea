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

from tui.core.text import unsafe_characters
from tui.lessons.format import Chapter, Lesson, LessonError
from tui.lessons.live import PLAY_LIMIT, check

#: the most epochs ``--check`` plays for one lesson (a built-in lesson plays at most ~50 000)
MAX_CHECK_EPOCHS = 200_000


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
    for i, ch in enumerate(lesson.chapters):
        if on_chapter is not None:
            on_chapter(i, len(lesson.chapters))
        errors += check(replace(lesson, chapters=[ch]))
    return errors
