"""A Markdown hand-out from a lesson: each chapter's text with the live numbers, its
question with a blank, and at the end an answer key the engine computed (values as
the panels write them, with the tolerance that counts as right)."""
from __future__ import annotations

from ..format import num
from .format import Lesson
from .live import ChapterRun, question_words


def worksheet(lesson: Lesson) -> str:
    """The hand-out's Markdown text (raises LessonErrors/LessonError on a broken lesson)."""
    out = [f"# {lesson.title} — worksheet", ""]
    if lesson.intro:
        out += [lesson.intro, ""]
    key: list[str] = []
    q = 0
    for i, ch in enumerate(lesson.chapters):
        run = ChapterRun(lesson, i)
        out += [f"## {i + 1}. {ch.title}", "", run.text, ""]
        if ch.ask is None:
            continue
        q += 1
        words = question_words(run.session, ch)
        out += [f"**Question {q}.** {words} = ____________", ""]
        run.finish_wait()
        truth = run.give_up()
        tol = ch.tolerance
        within = ("within 1 %" if tol is None else
                  f"within {num(tol[1] * 100)} %" if tol[0] == "rel" else f"± {num(tol[1])}")
        key.append(f"{q}. {words} = **{truth}** ({within}; chapter {i + 1})")
    if key:
        out += ["---", "", "## Answer key", "", *key, ""]
    return "\n".join(out)
