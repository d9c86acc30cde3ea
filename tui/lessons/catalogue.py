"""``tinynet-tui learn``: list lessons, check a lesson file, write a worksheet, or open
a lesson (the app shows it; :func:`start_lesson` gives the object it opens).

    tinynet-tui learn                         built-in lessons, with progress
    tinynet-tui learn backprop                start (or resume) a lesson
    tinynet-tui learn my-lesson.md            a teacher's own lesson file
    tinynet-tui learn --check my-lesson.md    every problem, file:line each; exit 2 if any
    tinynet-tui learn backprop --worksheet out.md [--force]

Errors are one line each on stderr and exit status 2.
"""
from __future__ import annotations

from pathlib import Path

from tui.lessons.format import Lesson, LessonError, LessonErrors, load
from tui.lessons.checking import check_lesson
from tui.lessons.live import LessonSession
from tui.lessons.progress import Progress

BUILTIN = Path(__file__).parent / "builtin"


#: the order the built-in lessons are meant to be read in (others follow, by name)
ORDER = ("backprop", "why-hidden", "learning-rate", "saturation", "initialisation",
         "regression", "find-the-bug")


def builtin_lessons() -> dict[str, Path]:
    """Built-in lesson names (file stems) → files, in reading order (ORDER, then by name)."""
    files = {p.stem: p for p in sorted(BUILTIN.glob("*.md"))}
    return {name: files[name] for name in sorted(
        files, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))}


def lesson_key(name_or_path: str) -> str:
    """The key progress is saved under: the built-in name, else the file's absolute path."""
    if name_or_path in builtin_lessons():
        return name_or_path
    return str(Path(name_or_path).resolve())


#: the largest lesson file read (the built-in ones are under 10 KB)
MAX_LESSON_BYTES = 1024 * 1024


def open_lesson(name_or_path: str | Path) -> Lesson:
    """A built-in lesson by name, or a lesson file; LessonErrors (file and line) if broken."""
    text = str(name_or_path)
    lessons = builtin_lessons()
    if text in lessons:
        return load(lessons[text])
    path = Path(text)
    try:
        path.stat()
    except (FileNotFoundError, NotADirectoryError):
        pass
    except OSError as exc:  # a name over the system's limit (ENAMETOOLONG), …
        raise LessonErrors([LessonError(text, None, exc.strerror or str(exc))]) from None
    if not path.exists() and path.suffix == "":
        raise LessonErrors([LessonError(text, None, "no such lesson (built-in: "
                                                    f"{', '.join(lessons)}) and no such file")])
    if path.exists() and not path.is_file():  # a folder, device or pipe: never read it
        raise LessonErrors([LessonError(text, None, "is a directory, not a lesson file"
                                        if path.is_dir() else "is not a regular file")])
    if path.is_file() and path.stat().st_size > MAX_LESSON_BYTES:
        raise LessonErrors([LessonError(text, None, f"is {path.stat().st_size:,} bytes: a lesson "
                                                    f"file has at most {MAX_LESSON_BYTES:,}")])
    return load(path)


def start_lesson(name_or_path: str | Path, progress: Progress | None = None) -> LessonSession:
    """Open a lesson at the chapter where this user left it (its first on a first visit)."""
    lesson = open_lesson(name_or_path)
    errors = check_lesson(lesson)  # counted and capped before it runs
    if errors:
        raise LessonErrors(errors)
    key = lesson_key(str(name_or_path))
    entry = progress.get(key) if progress is not None else None
    again = entry is not None and bool(entry["done"])  # finished before: read it afresh
    start = 0 if entry is None or again else entry["chapter"]
    return LessonSession(lesson, key, start, progress, again=again)
