"""A Markdown hand-out from a lesson: each chapter's text with the live numbers, its
question with a blank, and at the end an answer key the engine computed (values as
the panels write them, with the tolerance that counts as right)."""
from __future__ import annotations

import re

from tui.core.format import num
from tui.lessons.format import Lesson
from tui.lessons.live import ChapterRun, question_words


#: app key instructions, rewritten for paper: (pattern, replacement), applied in order
PAPER = [
    (re.compile(r",\s+type it in,\s+then\s+press\s+Enter\b[^.]*\."), "."),
    (re.compile(r",\s+then\s+press\s+Enter\b[^.]*\."), "."),
    (re.compile(r"[ \t]*\bEsc closes it\."), ""),
    (re.compile(r"[ \t]+Press\s+\w\.(?=\s|$)"), ""),
    (re.compile(r"^Press\s+\w\.[ \t]*", re.M), ""),
    (re.compile(r"\bPress\s+\w(?:\s+once)?(?:\s+to|:)\s+(\w)"), lambda m: m.group(1).upper()),
    (re.compile(r"\bpress\s+\w(?:\s+once)?\s+to\s+"), ""),
]


def for_paper(text: str) -> str:
    """Lesson text without the app's key instructions ("then press Enter", "Press p to
    play …" → "Play …"), for a reader with paper and pencil."""
    for pattern, repl in PAPER:
        text = pattern.sub(repl, text)
    return text


def worksheet(lesson: Lesson) -> str:
    """The hand-out's Markdown text (raises LessonErrors/LessonError on a broken lesson)."""
    out = [f"# {lesson.title} — worksheet", ""]
    if lesson.intro:
        out += [lesson.intro, ""]
    key: list[str] = []
    q = 0
    for i, ch in enumerate(lesson.chapters):
        run = ChapterRun(lesson, i)
        out += [f"## {i + 1}. {ch.title}", "", for_paper(run.text), ""]
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
