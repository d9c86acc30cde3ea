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

import re
from dataclasses import dataclass

NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
MAX_CHAPTER = 999


@dataclass(frozen=True)
class LessonContext:
    name: str        #: a built-in lesson's name
    chapter: int     #: from 0

    def to_json(self) -> dict:
        return {"name": self.name, "chapter": self.chapter}


def context_from_json(data) -> LessonContext | None:
    """The ``lesson`` field of a hello: None (no lesson) or a checked context; ValueError."""
    if data is None:
        return None
    if not isinstance(data, dict):
        raise ValueError("lesson must be an object")
    name, chapter = data.get("name"), data.get("chapter")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise ValueError("lesson name must be a built-in lesson's name")
    if isinstance(chapter, bool) or not isinstance(chapter, int) or not 0 <= chapter <= MAX_CHAPTER:
        raise ValueError(f"lesson chapter must be a whole number from 0 to {MAX_CHAPTER}")
    return LessonContext(name, chapter)


def builtin_name(key: str | None) -> str | None:
    """The built-in lesson name of a lesson key, None for a lesson file (not shared)."""
    from .lessons.cli import builtin_lessons

    return key if key in builtin_lessons() else None


def open_chapter(context: LessonContext):
    """A :class:`~tui.lessons.live.LessonSession` of the built-in lesson at the chapter
    (no progress file is touched); ValueError (one line) when there is no such lesson
    or chapter here."""
    from .lessons.cli import builtin_lessons, open_lesson
    from .lessons.format import LessonErrors
    from .lessons.live import LessonSession

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
