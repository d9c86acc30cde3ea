"""``learn --check``'s checks of a lesson's prose (beyond its syntax and its run):

* :func:`typed_numbers` — a number typed by hand into prose goes stale when the engine,
  a seed or a setting changes.  Any decimal with three or more significant digits
  (``0.04362``, ``0.125``, ``3.6e-05``) outside a ``{placeholder}`` is flagged: write the
  placeholder instead.  Round constants a teacher means (``0.25``, ``0.5``, ``0.01``) pass;
  a longer constant can be kept in a code span (```3.14159```).
* :func:`loss_epoch_mismatch` — ``{loss}`` is the loss of the last epoch that computed
  one, and ``{epoch}`` the epoch to run next: after playing they differ by one, so
  "the loss is {loss} at epoch {epoch}" names the wrong epoch.  Flagged where the two
  differ at the chapter's state; ``{last epoch}`` is the epoch ``{loss}`` belongs to.
* :func:`unseen_panels` — a panel the chapter names that its lesson layout cannot show.
"""
from __future__ import annotations

import re

from tui.lessons.format import PLACEHOLDER, Lesson, LessonError
from tui.lessons.panels import unshown

#: a decimal number as prose writes it (a leading minus, an exponent); a full stop after
#: it ends the sentence ("the loss is 0.04362."), a digit after it is a version ("0.2.0")
DECIMAL = re.compile(r"(?<![\w.])[-−]?\d*\.\d+(?:[eE][-+−]?\d+)?(?!\w|\.\d)")
CODE = re.compile(r"`[^`]*`")
#: significant digits from which a typed decimal counts as engine-sized
ENGINE_DIGITS = 3


def significant_digits(text: str) -> int:
    mantissa = re.split(r"[eE]", text.lstrip("-−"))[0]
    digits = mantissa.replace(".", "").lstrip("0")
    return len(digits)


def _prose(lesson: Lesson):
    """(line, text) of every line a learner reads: intro-less chapter text, reveal, hint."""
    for ch in lesson.chapters:
        yield from ch.text
        yield from ch.reveal
        if ch.hint:
            yield ch.lines.get("hint", ch.line), ch.hint


def typed_numbers(lesson: Lesson) -> list[LessonError]:
    """Every engine-sized decimal typed into the prose (not a placeholder)."""
    errors = []
    for line, text in _prose(lesson):
        bare = CODE.sub("", PLACEHOLDER.sub("", text))
        for m in DECIMAL.finditer(bare):
            if significant_digits(m.group(0)) >= ENGINE_DIGITS or "e" in m.group(0).lower():
                errors.append(LessonError(
                    lesson.path, line, f"the number {m.group(0)} is typed into the text: it goes "
                    "stale when the network changes — use a placeholder such as {loss} or "
                    "{w h1 1} (or a code span `…` for a constant)"))
    return errors


_LOSS_AT_EPOCH = re.compile(r"\{loss\}[^.{}]*\bepoch \{epoch\}|\bepoch \{epoch\}[^.{}]*\{loss\}")


def loss_epoch_mismatch(session, block: list[tuple[int, str]], path: str) -> list[LessonError]:
    """Sentences that put ``{loss}`` beside ``epoch {epoch}`` where the loss is another
    epoch's (the last one's) at this point of the chapter."""
    st = session.stepper
    last = len(st.losses) - 1
    if last == st.epoch:
        return []
    return [LessonError(path, line, f"'{{loss}}' is epoch {last}'s loss here, not epoch "
                                    f"{st.epoch}'s: write 'epoch {{last epoch}}' (or 'after "
                                    "{epoch} updates')")
            for line, text in block if _LOSS_AT_EPOCH.search(text)]


def unseen_panels(lesson: Lesson) -> list[LessonError]:
    """Panels a chapter names (``panel:``, ``show:`` or its prose) that the lesson layout
    cannot show at 120×40 or at 80×24 (:mod:`tui.lessons.panels`: the layout shows every
    panel a chapter names, up to what fits)."""
    return [LessonError(lesson.path, line, message)
            for ch in lesson.chapters for line, message in unshown(ch)]
