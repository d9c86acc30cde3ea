"""Shared lessons: the room follows the teacher into a built-in lesson, chapter by chapter.

A lesson chapter starts from a state its setup makes (a network, a position, sometimes a
planted bug) that no action log holds, so a chapter cannot travel as actions alone.
Instead the teacher's hello names the chapter — ``{"lesson": NAME, "chapter": K}`` —
and every follower builds that chapter's starting session itself (the setup is
deterministic: the same bits as the teacher's), then replays the teacher's actions
since the chapter began.  Entering another chapter is a new run of the share server
(a fresh hello), so late joiners and reconnects land in the same chapter and state.

Only built-in lessons are shared: a follower never opens a file the teacher names.
"""
from __future__ import annotations

from tui.core.lesson_context import LessonContext, context_from_json  # noqa: F401


def builtin_name(key: str | None) -> str | None:
    """The built-in lesson name of a lesson key, None for a lesson file (not shared)."""
    # loaded when a lesson is shared: start-up time
    from tui.lessons.catalogue import builtin_lessons

    return key if key in builtin_lessons() else None


def open_chapter(context: LessonContext):
    """A :class:`~tui.lessons.live.LessonSession` of the built-in lesson at the chapter
    (no progress file is touched); ValueError (one line) when there is no such lesson
    or chapter here."""
    # loaded when a lesson is shared: start-up time
    from tui.lessons.catalogue import builtin_lessons, open_lesson
    from tui.lessons.format import LessonErrors  # loaded when a lesson is shared: start-up time
    from tui.lessons.live import LessonSession  # loaded when a lesson is shared: start-up time

    if context.name not in builtin_lessons():
        raise ValueError(f"no built-in lesson {context.name!r} here")
    try:
        lesson = open_lesson(context.name)
    except LessonErrors as exc:
        raise ValueError(str(exc.errors[0])) from None
    if context.chapter >= len(lesson.chapters):
        raise ValueError(f"lesson {context.name} has {len(lesson.chapters)} chapters, "
                         f"not {context.chapter + 1}")
    return LessonSession(lesson, context.name, start=context.chapter, progress=None)


def chapter_session(context: LessonContext):
    """A fresh Session in the state the chapter starts in (what the teacher's started in)."""
    return open_chapter(context).chapter.session
