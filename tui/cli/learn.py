"""`tinynet-tui learn`: list the lessons, open one in the app, check a lesson file, write a
worksheet.  The catalogue (which lessons exist, opening one) is :mod:`tui.lessons.catalogue`."""
from __future__ import annotations

import argparse
import builtins
import sys
from pathlib import Path
from typing import Callable

from tui.cli.options import Parser, UsageError
from tui.core.output import atomic_write_text, check_output_file
from tui.core.text import printable
from tui.lessons import checking
from tui.lessons.catalogue import builtin_lessons, open_lesson, start_lesson
from tui.lessons.format import Lesson, LessonError, LessonErrors, load
from tui.lessons.live import LessonSession
from tui.lessons.progress import Progress

PROG = "tinynet-tui"


def print(*parts, file=None) -> None:  # noqa: A001 - every line this module prints
    """``print`` with every part made safe for the terminal (:func:`printable`): lesson
    titles, file names and problems come from files, not from us."""
    builtins.print(*(printable(p, keep_newlines=True, keep_tabs=True) for p in parts), file=file)


def check_lesson(lesson: Lesson) -> list[LessonError]:
    """:func:`tui.lessons.checking.check_lesson` with a transient progress bar on stderr
    (which chapter of how many, time so far)."""
    from rich.console import Console  # only --check and --worksheet draw the bar

    console = Console(stderr=True)
    if not lesson.chapters or not console.is_terminal:
        # piped or in a file, a transient bar leaves only a blank line before the problems
        return checking.check_lesson(lesson)
    from rich.progress import BarColumn, Progress as Bar, TextColumn, TimeElapsedColumn

    bar = Bar(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
              console=console, transient=True)
    with bar:
        task = bar.add_task("checking", total=len(lesson.chapters))

        def on_chapter(i: int, n: int) -> None:
            bar.update(task, completed=i, description=f"checking chapter {i + 1} of {n}")
        return checking.check_lesson(lesson, on_chapter)

PROG = "tinynet-tui"


def add_learn_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("learn", help="lessons: backpropagation, step by step",
                              description="List, open, check or print lessons.")
    p.add_argument("lesson", nargs="?", metavar="NAME|FILE.md",
                   help="a built-in lesson or a lesson file (none: list the lessons)")
    p.add_argument("--check", action="store_true",
                   help="check the lesson file: every problem with its line; exit 2 if any")
    p.add_argument("--worksheet", type=Path, metavar="OUT.md",
                   help="write a Markdown hand-out with questions and an answer key")
    p.add_argument("--force", action="store_true", help="overwrite the worksheet file")
    return p


def _err(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 2


def _list(progress: Progress) -> int:
    print("Lessons (tinynet-tui learn NAME):")
    lessons = builtin_lessons()
    # two spaces after the longest name ('hidden-pictures What …' had one: the names' column
    # was 15 wide, that name 15 long)
    wide = max(map(len, lessons), default=0) + 1
    for name, path in lessons.items():
        try:
            lesson = load(path)
            info = f"{lesson.title} — {len(lesson.chapters)} chapters"
        except LessonErrors as exc:  # a broken built-in: say so, keep listing
            info = f"cannot be read: {exc.errors[0]}"
        print(f"  {name:<{wide}} {info}  [{progress.describe(name)}]")
    print("Your own lesson: tinynet-tui learn FILE.md (check it with --check)")
    return 0


def open_in_app(session: LessonSession) -> int:
    """Show an opened lesson in the app (the lesson panel beside the diagram)."""
    from tui.app.app import TinyNetApp  # loaded only when a lesson opens: start-up time

    app = TinyNetApp(session.chapter.session.problem, lesson=session, progress=session.progress)
    app.run()
    return app.return_code or 0


def run_learn(args: argparse.Namespace,
              open_app: Callable[[LessonSession], int] | None = open_in_app,
              progress: Progress | None = None) -> int:
    """Carry out ``learn``; returns the exit status.  ``open_app(lesson_session)`` shows an
    opened lesson in the app (None: the current chapter is printed instead)."""
    progress = progress or Progress()
    if args.lesson is None:
        if args.check or args.worksheet:
            return _err("learn: give a lesson name or file")
        return _list(progress)
    try:
        lesson = open_lesson(args.lesson)
        errors: list[LessonError] = []
    except LessonErrors as exc:
        if not args.check or exc.lesson is None:
            for e in exc.errors:
                print(e, file=sys.stderr)
            return 2
        lesson, errors = exc.lesson, exc.errors  # check the readable chapters too
    if args.check:
        seen: set[str] = set()  # a bad placeholder is found by the parse and by the run
        errors = sorted((e for e in errors + check_lesson(lesson)
                         if not (str(e) in seen or seen.add(str(e)))),
                        key=lambda e: (e.line or 0))
        for e in errors:
            print(e, file=sys.stderr)
        if errors:
            print(f"{args.lesson}: {len(errors)} problem{'s' * (len(errors) != 1)}",
                  file=sys.stderr)
            return 2
        n = len(lesson.chapters)
        print(f"{args.lesson}: OK — {lesson.title!r}, {n} chapter{'s' * (n != 1)}")
        return 0
    if args.worksheet is not None:
        problem = check_output_file(args.worksheet, force=args.force)
        if problem:
            return _err(problem)
        errors = check_lesson(lesson)
        if errors:
            for e in errors:
                print(e, file=sys.stderr)
            return 2
        # loaded only when a lesson opens: start-up time
        from tui.lessons.worksheet import worksheet

        try:
            atomic_write_text(args.worksheet, worksheet(lesson))
        except OSError as exc:
            return _err(f"{args.worksheet}: {exc.strerror or exc}")
        print(f"wrote {args.worksheet}")
        return 0
    try:
        session = start_lesson(args.lesson, progress)
    except LessonErrors as exc:
        for e in exc.errors:
            print(e, file=sys.stderr)
        return 2
    if open_app is not None:
        return open_app(session)
    run = session.chapter
    print(f"{lesson.title} — chapter {session.index + 1} of {len(lesson.chapters)}: "
          f"{run.chapter.title}\n\n{run.text}")
    if run.question:
        print(f"\n{run.question}")
    return 0


def main(argv: list[str] | None = None, progress: Progress | None = None) -> int:
    """``learn`` on its own (for tests): ``main(["learn", "--check", "x.md"])``."""

    parser = Parser(prog=PROG)
    add_learn_parser(parser.add_subparsers(dest="command", parser_class=Parser))
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        return _err(str(exc))
    return run_learn(args, open_app=None, progress=progress)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
