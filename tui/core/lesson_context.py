"""The lesson chapter a shared run starts from, as the wire names it (pure data).

``{"name": NAME, "chapter": K}`` in a teacher's hello: a built-in lesson's name and a
chapter number, checked here before anything is opened (:mod:`tui.net.shared_lesson`
builds the chapter)."""
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


