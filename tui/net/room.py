"""The room's answers: the teacher asks, each follower answers once, the teacher sees a tally.

:class:`Room` is pure (no sockets, no Textual): the share server feeds it what
followers send (:meth:`Room.answer`), the teacher's app opens and closes
questions (:meth:`Room.ask`, :meth:`Room.close`) and reads :meth:`Room.tally`.
A question has an id (the same on every screen: e.g. ``lesson:backprop:3``), its
text, and a checker ``check(answer_text) -> (right, text for the follower)``.

One answer per question per follower counts (a follower is a connection id);
an answer to a question that is not open, a second answer, or a malformed one
is refused with a reason and changes nothing.  Names are what a follower passed
as ``--name`` (anonymous otherwise); the tally itself never needs them.
"""
from __future__ import annotations

import collections
import math
import threading
from dataclasses import dataclass, field
from typing import Callable

from tui.core.text import printable

#: answers kept per question in the histogram (more distinct answers count as "other")
MAX_DISTINCT = 50


@dataclass
class Question:
    q: str
    text: str
    check: Callable[[str], tuple[bool, str]]
    answers: dict[int, tuple[str, bool]] = field(default_factory=dict)  #: follower → (a, right)


def normalise(answer: str) -> str:
    """How answers are grouped in the histogram: numbers by value (``0.50`` = ``.5``),
    other text by its trimmed lower case."""
    text = printable(answer).strip()
    try:
        value = float(text)
    except ValueError:
        return text.casefold()
    if not math.isfinite(value):
        return text.casefold()
    return f"{value:.4g}"


class Room:
    """The open question (if any) and every follower's answer to it (thread-safe)."""

    def __init__(self) -> None:
        self.question: Question | None = None
        self.names: dict[int, str | None] = {}
        self.refused = 0
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- followers
    def join(self, follower: int, name: str | None = None) -> None:
        with self._lock:
            self.names[follower] = printable(name)[:32] if name else None

    def leave(self, follower: int) -> None:
        with self._lock:
            self.names.pop(follower, None)

    # ---------------------------------------------------------------- questions
    def ask(self, q: str, text: str, check: Callable[[str], tuple[bool, str]]) -> bool:
        """Open question ``q`` (answers start afresh); False when it is already open."""
        with self._lock:
            if self.question is not None and self.question.q == q:
                return False
            self.question = Question(q, text, check)
            return True

    def close(self) -> bool:
        with self._lock:
            was, self.question = self.question is not None, None
            return was

    def answer(self, follower: int, q: str, a: str) -> tuple[bool, str, bool | None]:
        """Follower ``follower`` answers ``a`` to ``q``: (counted, text for it, right).
        Not counted (with the reason as text): no such open question, answered already,
        or a checker that fails."""
        with self._lock:
            question = self.question
            if question is None or question.q != q:
                self.refused += 1
                return False, "that question is not open on the teacher's screen", None
            if follower in question.answers:
                self.refused += 1
                return False, "you have answered this question already", None
            if not a:
                self.refused += 1
                return False, "an empty answer", None
        try:
            right, text = question.check(a)
        except (ValueError, ArithmeticError) as exc:
            with self._lock:
                self.refused += 1
            return False, printable(f"not an answer here: {exc}"), None
        with self._lock:
            if self.question is not question or follower in question.answers:
                self.refused += 1
                return False, "that question closed meanwhile", None
            question.answers[follower] = (normalise(a), bool(right))
        return True, text, bool(right)

    # ---------------------------------------------------------------- the teacher's view
    def tally(self) -> dict:
        """``{q, answered, of, right, histogram: [(answer, count, right)…] most common first}``
        (``of``: the followers present and those who answered and left since)."""
        with self._lock:
            question = self.question
            of = len(set(self.names) | set(question.answers if question else ()))
            if question is None:
                return {"q": None, "answered": 0, "of": of, "right": 0, "histogram": []}
            counts = collections.Counter(a for a, _ in question.answers.values())
            rights = {a: r for a, r in question.answers.values()}
            common = counts.most_common()
            histogram = [(a, n, rights[a]) for a, n in common[:MAX_DISTINCT]]
            if len(common) > MAX_DISTINCT:
                histogram.append(("other", sum(n for _, n in common[MAX_DISTINCT:]), False))
            return {"q": question.q, "answered": len(question.answers), "of": of,
                    "right": sum(r for _, r in question.answers.values()),
                    "histogram": histogram}

    def who(self) -> list[tuple[str, str, bool]]:
        """(name, answer, right) of the named followers who answered (anonymous ones left out)."""
        with self._lock:
            if self.question is None:
                return []
            return [(self.names[f], a, r) for f, (a, r) in self.question.answers.items()
                    if self.names.get(f)]


def tally_line(t: dict) -> str:
    """``answered 3 of 4 · right 2``; empty when no question is open."""
    if t["q"] is None:
        return ""
    return f"answered {t['answered']} of {t['of']} · right {t['right']}"


def histogram_lines(t: dict, width: int = 30, top: int = 5) -> list[str]:
    """The most common answers as bars: ``✓ 0.25   ███ 2``, ``✗ 0.5    █ 1``."""
    rows = t["histogram"][:top]
    if not rows:
        return []
    most = max(n for _, n, _ in rows)
    label = max(len(a) for a, _, _ in rows)
    bar_width = max(1, width - label - 6)
    return [f"{'✓' if right else '✗'} {a:<{label}} {'█' * max(1, round(bar_width * n / most))} {n}"
            for a, n, right in rows]


# -------------------------------------------------------------------- checkers
def number_checker(truth: float, shown: str, hint: str | None = None,
                   tolerance: tuple[str, float] | None = None):
    """A checker for a numeric prediction, as a single learner's is checked
    (:meth:`tui.core.quiz.Quiz.is_right`, or the chapter's ``tolerance``)."""
    from tui.core.parsing import finite_number  # loaded when a question is asked: start-up time
    from tui.core.quiz import Quiz  # loaded when a question is asked: start-up time

    def check(a: str) -> tuple[bool, str]:
        number = finite_number(a)
        if tolerance is None:
            right = Quiz.is_right(number, truth)
        elif tolerance[0] == "rel":
            right = abs(number - truth) <= max(tolerance[1] * abs(truth), 1e-12)
        else:
            right = abs(number - truth) <= tolerance[1]
        if right:
            return True, f"✓ Right: the engine got {shown}."
        return False, f"✗ Not quite ({a}). " + (f"Hint: {hint}" if hint else "Try again.")

    return check


def lesson_question(lesson, key: str, index: int):
    """(id, text, checker) of chapter ``index`` of ``lesson`` (a tui.lessons Lesson), or
    None when it asks nothing.  The truth is computed on a fresh copy of the chapter
    (its wait carried out), so checking never touches the teacher's screen."""
    # loaded when a question is asked: start-up time
    from tui.lessons.live import ChapterRun, value

    ch = lesson.chapters[index]
    if ch.ask is None:
        return None
    run = ChapterRun(lesson, index)
    text = run.question
    run.finish_wait()
    truth = value(run.session, ch.ask)
    from tui.core.format import num  # loaded when a question is asked: start-up time

    return (f"lesson:{key}:{index}", text,
            number_checker(truth, num(truth), run.hint, ch.tolerance))


def quiz_question(session):
    """(id, text, checker) of the quiz question on ``session``'s screen (``z``), or None.
    The truth comes from the next step taken on a copy of the followed run (the
    teacher's network is not touched).  Call with ``session.lock`` held."""
    from tui.core.quiz import question  # loaded when a question is asked: start-up time
    from tui.core.format import num  # loaded when a question is asked: start-up time

    q = question(session)
    if q is None:
        return None
    st = session.stepper
    events = st.copy().step(session.granularity)
    if not events or events[-1].problem:
        return None
    truth = q.truth(events[-1])
    qid = f"quiz:{session.branch}:{st.epoch}:{st.cursor}:{q.sample}:{len(session.actions)}"
    return qid, q.text, number_checker(truth, num(truth, 6))
