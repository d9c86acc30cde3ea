"""A Markdown hand-out from a lesson: each chapter's text with the live numbers, its
question with a blank, and at the end an answer key the engine computed (values as
the panels write them, with the tolerance that counts as right)."""
from __future__ import annotations

import re

from tui.core.format import num
from tui.lessons.format import Lesson, parse_quantity
from nn.naming import neuron_name, sub

from tui.lessons.live import ChapterRun, describe, neuron_index, question_words, show


#: app key instructions, rewritten for paper: (pattern, replacement), applied in order
PAPER = [
    (re.compile(r",\s+type it in,\s+then\s+press\s+Enter\b[^.]*\."), "."),
    (re.compile(r",\s+then\s+press\s+Enter\b[^.]*\."), "."),
    (re.compile(r"[ \t]*\bEsc closes it\."), ""),
    (re.compile(r"[ \t]+Press\s+(?:space|\w)\.(?=\s|$)"), ""),
    (re.compile(r"^Press\s+(?:space|\w)\.[ \t]*", re.M), ""),
    (re.compile(r"\bPress\s+(?:space|\w)(?:\s+once)?(?:\s+to|:)\s+(\w)"),
     lambda m: m.group(1).upper()),
    (re.compile(r"\bpress\s+(?:space|\w)(?:\s+once)?\s+to\s+"), ""),
]


def for_paper(text: str) -> str:
    """Lesson text without the app's key instructions ("then press Enter", "Press space to
    play …" → "Play …"), for a reader with paper and pencil."""
    for pattern, repl in PAPER:
        text = pattern.sub(repl, text)
    return text


def operand_quantities(session, ch) -> list[str]:
    """The quantities (as placeholders name them) a question's answer is computed from,
    by its kind: ``z h1 sample 2`` ← w and b of h₁ and its inputs for sample 2; δ ← the
    next layer's δ and weights (or ∂L/∂ŷ) and a; dw ← δ and the input over the samples;
    an update ← w, dw and lr; ∂L/∂ŷ ← ŷ and y."""
    q = ch.ask
    sizes = tuple(session.net.sizes)
    n = len(session.problem.X)
    sample = q.sample or session.sample + 1
    samples = range(1, n + 1) if n <= 8 else [sample]
    out: list[str] = []
    if q.kind == "dL/dy":
        return [f"a ŷ sample {sample}", f"y sample {sample}"]
    if q.neuron is None:
        return out
    l, j = neuron_index(q.neuron, sizes)
    name = q.neuron
    n_in = session.net.layers[l].n_in

    def inputs(s: int) -> list[str]:
        if l == 0:
            return [f"x {i} sample {s}" for i in range(1, n_in + 1)]
        return [f"a {neuron_name(l - 1, i, sizes)} sample {s}" for i in range(n_in)]

    if q.kind in ("z", "a", "f'"):
        out += [f"w {name} {i}" for i in range(1, n_in + 1)] + inputs(sample) + [f"b {name}"]
    elif q.kind == "delta":
        if l == len(sizes) - 2:
            out += [f"dL/dy sample {sample}", f"a {name} sample {sample}"]
        else:
            nxt = [neuron_name(l + 1, k, sizes) for k in range(sizes[l + 2])]
            out += [f"delta {m} sample {sample}" for m in nxt]
            out += [f"w {m} {j + 1}" for m in nxt] + [f"a {name} sample {sample}"]
    elif q.kind in ("dw", "db"):
        for s in samples:
            out.append(f"delta {name} sample {s}")
            if q.kind == "dw":
                out.append(inputs(s)[q.index - 1])
    elif q.kind in ("w", "b"):
        grad = "dw" if q.kind == "w" else "db"
        out += [f"{q.kind} {name}" + (f" {q.index}" if q.index else ""),
                f"{grad} {name}" + (f" {q.index}" if q.index else ""), "lr"]
    return out


def operands(session, ch) -> str:
    """The operands of a question with their values now (those the engine has), and for a
    question answered after playing, how long the play is."""
    parts = []
    for text in operand_quantities(session, ch):
        q = parse_quantity(text)
        try:
            shown = show(session, q)
            words = (f"x{sub(q.index)} of sample {q.sample}" if q.kind == "x" else
                     f"y of sample {q.sample}" if q.kind == "y" else
                     "lr" if q.kind == "lr" else describe(session, q))
        except ValueError:
            continue
        parts.append(f"{words} = {shown}")
    w = ch.wait
    if w.kind == "play":
        st = session.stepper
        parts.insert(0, f"after playing {w.count} epochs from epoch {st.epoch}" if w.loss is None
                     and not w.nan and w.breakpoint is None else
                     f"after playing from epoch {st.epoch} until the loss is at most {num(w.loss)}"
                     if w.loss is not None else f"after playing from epoch {st.epoch} until "
                     + ("training stops on NaN/inf" if w.nan else
                        f"the {w.breakpoint!r} breakpoint pauses it"))
    return "; ".join(parts)


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
        given = operands(run.session, ch)
        out += [f"**Question {q}.** {words} = ____________", ""]
        if given:
            out += [f"Given: {given}.", ""]
        run.finish_wait()
        truth = run.give_up()
        tol = ch.tolerance
        within = ("within 1 %" if tol is None else
                  f"within {num(tol[1] * 100)} %" if tol[0] == "rel" else f"± {num(tol[1])}")
        key.append(f"{q}. {words} = **{truth}** ({within}; chapter {i + 1})")
    if key:
        out += ["---", "", "## Answer key", "", *key, ""]
    return "\n".join(out)
