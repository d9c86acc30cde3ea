"""A lesson's chapters on a live :class:`~tui.core.session.Session`: set up the state a
chapter talks about, fill its placeholders from the engine, wait for its action and
check its question.

Nothing here computes a number of the network: values are read from the engine
(``net.layers[l].z/a/delta/dW/db/W/b``, the stepper's losses, the loss step's event)
and written with :func:`tui.core.format.num`, as the panels write them (in parentheses when
negative right after an operator, as the narration writes products).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nn import Granularity, Phase
from nn.breakpoints import Breakpoints
from nn.naming import SUB, SUP, neuron_name, sample_name, weight_name

from tui.core.actions_local import AnswerQuiz
from tui.core.config import RunConfig, build, task_config
from tui.core.format import num, probability
from tui.core.quiz import Quiz
from tui.core.session import Session
from tui.lessons.format import (PLACEHOLDER, Chapter, Lesson, LessonError, LessonErrors, Quantity,
                     parse_quantity)
from tui.lessons.plant import plant_wrong_derivative
from tui.lessons.format import BREAKPOINTS, MAX_EPOCH, RUN_SETTINGS
from tui.lessons.lint import loss_epoch_mismatch, typed_numbers, unseen_panels
from tui.lessons.panels import named

#: the app's keys that lesson text names, as its footer shows them (tests/test_lesson_keys.py
#: holds them equal to the key table, tui/app/keys.py; ``p`` plays as the chapter asks too)
STEP_KEY, PLAY_KEY = "n", "space"
from tui.view.frame import maps_available

#: epochs played per chunk while a chapter waits for "play until loss"
PLAY_CHUNK = 250
#: … and at most this many epochs (a lesson whose loss is not reached fails its check)
PLAY_LIMIT = 20_000


# ------------------------------------------------------------------- neurons
def neuron_index(name: str, sizes) -> tuple[int, int]:
    """``h₁``/``h1`` → (0, 0), ``ŷ``/``y`` → (L-1, 0) for a network of ``sizes``
    (names as :func:`nn.naming.neuron_name` writes them); ValueError if there is none."""
    names = {neuron_name(l, j, sizes): (l, j)
             for l in range(len(sizes) - 1) for j in range(sizes[l + 1])}
    import re

    alias = name.strip()
    m = re.fullmatch(r"h(\d+)_(\d+)|h\[(\d+),\s*(\d+)\]", alias)
    if m:  # two hidden layers: h1_2 or h[1,2] is h¹₂ (layer 1, neuron 2)
        layer, neuron = (g for g in m.groups() if g is not None)
        alias = "h" + layer.translate(SUP) + neuron.translate(SUB)
    elif alias in ("y", "yhat", "y_hat"):
        alias = "ŷ"
    elif alias[:1] == "y" and alias[1:].isdigit():
        alias = "ŷ" + alias[1:].translate(SUB)
    elif alias[:1] == "h" and alias[1:].isdigit():
        alias = "h" + alias[1:].translate(SUB)
    if alias not in names:
        deep = len(sizes) > 3
        raise ValueError(f"no neuron {name!r} in this network (it has {', '.join(names)}"
                         + ("; write h¹₂ as h1_2 or h[1,2]" if deep else "") + ")")
    return names[alias]


# ------------------------------------------------------------------- set up
def target_breakpoints(loss: float | None = None, name: str | None = None):
    """The breakpoints a "play until loss L" (or "play until breakpoint NAME") chapter
    plays with: only that one (the app's own breakpoint, checked after every epoch)."""
    if name is not None:
        return Breakpoints(**{BREAKPOINTS[name]: True})
    return Breakpoints(target=True, target_loss=loss)


def wait_breakpoints(ch: Chapter):
    """The breakpoints a chapter's wait plays to (None: it plays to no breakpoint)."""
    w = ch.wait
    if w.kind == "play" and (w.loss is not None or w.breakpoint is not None):
        return target_breakpoints(w.loss, w.breakpoint)
    return None


def config_of(ch: Chapter) -> RunConfig:
    s = ch.settings  # by the settings table's names; None: the task's default
    # task_config: the task's own training (digits: Adam, batch 32, its test set)
    return task_config(s.get("task") or "xor", **{k: s[k] for k in RUN_SETTINGS
                                                  if k != "task" and s.get(k) is not None})


def setup(ch: Chapter, path: str) -> Session:
    """A new session in the state the chapter starts in: its network, then its position
    (whole epochs played, then single-neuron steps), its steps, sample and selection.
    Raises LessonError (naming the line) when that state cannot be reached."""
    try:
        session = Session(build(config_of(ch)))
    except (ValueError, OSError) as exc:
        raise LessonError(path, ch.line, f"cannot build the network: {exc}") from None
    sizes = tuple(session.net.sizes)
    plant = ch.settings.get("plant")
    if plant:

        try:
            plant_wrong_derivative(session.net, *neuron_index(plant, sizes))
        except ValueError as exc:
            raise LessonError(path, ch.lines.get("plant", ch.line), f"plant: {exc}") from None
    pos, line = ch.position, ch.lines.get("position", ch.line)
    target = 0
    if pos.phase is not None:
        layer = neuron = None
        if pos.neuron is not None:
            try:
                layer, neuron = neuron_index(pos.neuron, sizes)
            except ValueError as exc:
                raise LessonError(path, line, f"unreachable position {pos}: {exc}") from None
        target = session.stepper.unit_index(pos.phase, layer, neuron)
    if pos.epoch:
        session.play_chunk(pos.epoch, breakpoints=False)
    granularity = Granularity(ch.settings["granularity"])
    session.granularity = Granularity.NEURON
    while session.stepper.cursor < target and not session.is_halted:
        session.step()
    if session.stepper.epoch != pos.epoch or session.stepper.cursor != target:
        why = session.stepper.halted.problem if session.is_halted else "NaN/inf"
        raise LessonError(path, line, f"unreachable position {pos}: training stopped ({why})")
    count, g = ch.steps
    session.granularity = Granularity(g or granularity)
    for _ in range(count):
        session.step()
    session.granularity = granularity
    if wait_breakpoints(ch) is not None:
        # space plays too: the app's play stops where the chapter's p does
        session.breakpoints = wait_breakpoints(ch)
    if session.is_halted:
        raise LessonError(path, ch.lines.get("steps", line),
                          f"unreachable: {session.stepper.halted.problem}")
    if ch.sample is not None:
        if ch.sample > len(session.problem.X):
            raise LessonError(path, ch.lines["sample"], f"sample {ch.sample}: the data has "
                                                        f"{len(session.problem.X)} samples")
        session.move_sample(ch.sample - 1 - session.sample)
    if ch.select is not None:
        try:
            session.select(*neuron_index(ch.select, sizes))
        except ValueError as exc:
            raise LessonError(path, ch.lines["select"], f"select: {exc}") from None
    if ch.ask is not None and ch.ask.neuron is not None:  # the neuron asked about
        try:
            session.select(*neuron_index(ch.ask.neuron, sizes))
        except ValueError:
            pass  # reported by the question's own check
    return session


# -------------------------------------------------------------------- values
_COMPUTED_BY = {"z": Phase.FORWARD, "a": Phase.FORWARD, "f'": Phase.FORWARD,
                "delta": Phase.BACKWARD, "dw": Phase.BACKWARD, "db": Phase.BACKWARD}
_SYMBOL = {"z": "z", "a": "a", "delta": "δ", "dw": "dw", "db": "db", "w": "w", "b": "b",
           "f'": "f'(z)"}


def _done(session: Session, phase: Phase, layer: int | None, neuron: int | None) -> bool:
    """Has this unit run in the current epoch (or, at an epoch's start, in the last one)?"""
    st = session.stepper
    if st.cursor == 0:
        return st.epoch > 0
    i = next(k for k, u in enumerate(st.units)
             if u.phase is phase and (layer is None or (u.layer, u.neuron) == (layer, neuron)))
    return i < st.cursor


def value(session: Session, q: Quantity) -> float:
    """The engine's value of ``q`` now; ValueError (one line) when it has none yet."""
    st, net, X = session.stepper, session.net, session.problem.X
    sizes = tuple(net.sizes)
    s = (q.sample - 1) if q.sample is not None else session.sample
    if q.sample is not None and q.sample > len(X):
        raise ValueError(f"{{{q.text}}}: the data has {len(X)} samples")
    if q.kind == "epoch":
        return float(st.epoch)
    if q.kind == "last epoch":  # the epoch {loss} belongs to
        if len(st.losses) == 0:
            raise ValueError(f"{{{q.text}}}: no loss computed yet at this position")
        return float(len(st.losses) - 1)
    if q.kind == "lr":
        return float(st.lr)
    if q.kind == "accuracy":  # of the weights now, in % (as the app's status line)
        metric, score = session.problem.score()
        if metric != "accuracy":
            raise ValueError(f"{{{q.text}}}: this task is scored by {metric}, not accuracy")
        return 100.0 * score
    if q.kind == "loss":
        if q.epoch is not None:
            if q.epoch >= len(st.losses):
                raise ValueError(f"{{{q.text}}}: epoch {q.epoch}'s loss is not computed yet")
            return st.losses[q.epoch]
        if st.losses.last is None:
            raise ValueError(f"{{{q.text}}}: no loss computed yet at this position")
        return st.losses.last
    if q.kind == "x":
        if q.index > X.shape[1]:
            raise ValueError(f"{{{q.text}}}: there are {X.shape[1]} inputs")
        return float(X[s, q.index - 1])
    if q.kind == "y":
        return float(session.problem.y[s, 0])
    if q.kind == "dL/dy":
        epoch = st.epoch if _done(session, Phase.LOSS, None, None) and st.cursor else st.epoch - 1
        for ev in reversed(session.trace_events()):
            if ev.phase is Phase.LOSS and ev.epoch == epoch:
                return float(ev.dL_dyhat[s, 0])
        raise ValueError(f"{{{q.text}}}: ∂L/∂ŷ is only shown after a loss step taken with n "
                         "(not after playing)")
    l, j = neuron_index(q.neuron, sizes)
    if q.kind == "digit":
        return float(excited_most(session.problem, l, j))
    layer = net.layers[l]
    name = neuron_name(l, j, sizes)
    phase = _COMPUTED_BY.get(q.kind)
    if phase is not None and not _done(session, phase, l, j):
        raise ValueError(f"{{{q.text}}}: {_SYMBOL[q.kind]} of {name} is not computed yet at "
                         f"epoch {st.epoch}, before its {phase.value} step")
    if q.kind in ("w", "dw"):
        if q.index > layer.n_in:
            raise ValueError(f"{{{q.text}}}: {name} has {layer.n_in} weights")
        return float((layer.W if q.kind == "w" else layer.dW)[q.index - 1, j])
    if q.kind in ("b", "db"):
        return float((layer.b if q.kind == "b" else layer.db)[j])
    if q.kind == "f'":  # the derivative the backward pass uses (a planted bug included)
        return float(layer.activation.derivative(layer.z[:, j:j + 1], layer.a[:, j:j + 1])[s, 0])
    arr = {"z": layer.z, "a": layer.a, "delta": layer.delta}[q.kind]
    return float(arr[s, j])


def excited_most(problem, layer: int, neuron: int) -> int:
    """The class (0 … K−1) whose training samples give ``neuron`` of ``layer`` the largest
    mean activation, with the weights now (a forward pass; the stepper is not touched)."""
    a = problem.X
    for lay in problem.net.layers[:layer + 1]:
        a = lay.activation(a @ lay.W + lay.b)
    labels = problem.y.argmax(axis=1)
    means = [a[labels == k, neuron].mean() if (labels == k).any() else -np.inf
             for k in range(problem.y.shape[1])]
    return int(np.argmax(means))


def show(session: Session, q: Quantity) -> str:
    """``q``'s value as the panels write it (see :func:`written`)."""
    return written(session, q, value(session, q))


def written(session: Session, q: Quantity, v: float) -> str:
    """``v``, a value of ``q``, as the panels write it: ``epoch`` and ``digit`` as whole
    numbers; ŷ of a gate as the predictions panel's truth table does (0.4890, 4 decimals,
    so the lesson's numbers read as the panel beside it); else 4 significant digits."""
    if q.kind in ("epoch", "last epoch", "digit"):
        return str(int(v))
    sizes = tuple(session.net.sizes)
    if (q.kind == "a" and session.config.is_gate
            and neuron_index(q.neuron, sizes)[0] == len(sizes) - 2):
        return probability(v)
    return num(v)


def describe(session: Session, q: Quantity) -> str:
    """Words for a question: ``δ of h₁ for sample 2``."""
    s = (q.sample - 1) if q.sample is not None else session.sample
    if q.kind == "loss":
        return "the loss" + (f" of epoch {q.epoch}" if q.epoch is not None else "")
    if q.kind == "accuracy":
        return "the accuracy in % (samples classified right)"
    if q.kind == "dL/dy":
        return f"∂L/∂ŷ for {sample_name(s)}"
    if q.kind == "digit":
        return f"the digit that excites {q.neuron} most"
    name = neuron_name(*neuron_index(q.neuron, tuple(session.net.sizes)), tuple(session.net.sizes))
    if q.kind in ("w", "dw"):
        return f"{q.kind[:-1]}{weight_name(q.index - 1)} of {name}"
    if q.kind in ("b", "db"):
        return f"{_SYMBOL[q.kind]} of {name}"
    if q.kind == "f'":  # as the text and the chain-rule panel write it: σ'(z), tanh'(z)
        layer = session.net.layers[neuron_index(q.neuron, tuple(session.net.sizes))[0]]
        return f"{layer.activation.symbol}'(z) of {name} for {sample_name(s)}"
    return f"{_SYMBOL[q.kind]} of {name} for {sample_name(s)}"


def question_words(session: Session, ch: Chapter) -> str:
    """The question in words, saying when its value is taken:
    ``w₁ of h₁ (the next step computes it)``."""
    words = describe(session, ch.ask)
    if ch.wait.kind == "step":
        words += (" (the next step computes it)" if ch.wait.count == 1
                  else f" (computed within the next {ch.wait.count} steps)")
    elif ch.wait.kind == "play":
        words += " after playing"
    return words


OPERATORS = "·×*−-+"


def after_operator(text: str, start: int) -> bool:
    """Is the placeholder at ``start`` right after ·, ×, −, + (a negative value there is
    written in parentheses, as the narration writes products: 0·(−0.2))?"""
    before = text[:start].rstrip()
    return bool(before) and before[-1] in OPERATORS


#: said after a value not yet computed where a chapter opens, when its wait comes after
BEFORE_WAIT = ("; the text before '---' and the hint are filled in when the chapter opens, "
               "before its wait: a value the wait computes goes after '---'")


def render(session: Session, block: list[tuple[int, str]], path: str,
           errors: list[LessonError] | None = None, before_wait: bool = False) -> str:
    """Fill the placeholders of ``block`` ((line, text) pairs); a failure is a LessonError
    naming its line (collected in ``errors`` when given, else raised).  ``before_wait``:
    the block is filled as the chapter opens, with a wait still to run (the message says so)."""
    out = []
    for line_no, text in block:
        def fill(m):
            try:
                shown = show(session, parse_quantity(m.group(1)))
                return f"({shown})" if shown.startswith("-") and after_operator(text, m.start()) \
                    else shown
            except ValueError as exc:
                why = BEFORE_WAIT if before_wait and "computed yet" in str(exc) else ""
                err = LessonError(path, line_no, f"bad placeholder: {exc}{why}")
                if errors is None:
                    raise err from None
                errors.append(err)
                return m.group(0)
        out.append(PLACEHOLDER.sub(fill, text))
    return "\n".join(out)


# ------------------------------------------------------------------ chapters
@dataclass
class Answer:
    right: bool
    truth: float
    shown: str           #: the truth as the panels write it
    hint: str | None     #: shown on a wrong answer


class ChapterRun:
    """One chapter being read: ``text`` now, ``waiting_for`` an action, ``question``
    to answer, then ``reveal`` text."""

    def __init__(self, lesson: Lesson, index: int, errors: list[LessonError] | None = None):
        self.lesson, self.index = lesson, index
        self.chapter = ch = lesson.chapters[index]
        self.path = lesson.path
        self.session = setup(ch, self.path)
        waits = ch.wait.kind != "none"
        self.text = render(self.session, ch.text, self.path, errors, before_wait=waits)
        self.hint = render(self.session, [(ch.lines.get("hint", ch.line), ch.hint)], self.path,
                           errors, before_wait=waits) if ch.hint else None
        try:
            self.question = (f"Predict {question_words(self.session, ch)} = ?"
                             if ch.ask is not None else None)
        except ValueError as exc:  # e.g. a neuron the chapter's network does not have
            raise LessonError(self.path, ch.lines.get("ask", ch.line), f"ask: {exc}") from None
        self.steps_left = ch.wait.count if ch.wait.kind == "step" else 0
        self.wait_done = ch.wait.kind == "none"
        self.answered = ch.ask is None
        self.play_reached: bool | None = None

    # ------------------------------------------------------------- actions
    @property
    def waiting_for(self) -> str | None:
        """What to do next, in words (None once the wait is done)."""
        w = self.chapter.wait
        if self.wait_done:
            return None
        if w.kind == "step":
            return (f"press {STEP_KEY} ({self.steps_left} step"
                    f"{'s' * (self.steps_left != 1)} to go)")
        if w.kind == "play" and w.nan:
            return f"press {PLAY_KEY} to play until training stops (NaN/inf)"
        if w.kind == "play" and w.breakpoint is not None:
            return f"press {PLAY_KEY} to play until the {w.breakpoint!r} breakpoint pauses training"
        if w.kind == "play" and w.loss is None:
            return f"press {PLAY_KEY} to play {w.count} epochs"
        if w.kind == "play":
            return f"press {PLAY_KEY} to play until the loss is at most {num(w.loss)}"
        return f"press {w.key}"

    def press(self, key: str, perform: bool = True) -> bool:
        """A key the learner pressed; with ``perform`` the action is carried out on the
        session here (headless use, tests), else the app has already done it.  Returns
        True when it counted towards the chapter's wait."""
        w = self.chapter.wait
        if self.wait_done:
            return False
        if w.kind == "step" and key == "n":
            if perform:
                self.session.step()
            self.steps_left -= 1
            self.wait_done = self.steps_left <= 0
            return True
        if w.kind == "play" and key in ("p", PLAY_KEY):
            if perform:
                self.play_reached = self._play() \
                    if w.loss is not None or w.breakpoint is not None else \
                    self._play_epochs(w.count, w.nan)
            self.wait_done = True
            return True
        if w.kind == "key" and key == w.key:
            self.wait_done = True
            return True
        return False

    def _play(self) -> bool:
        """Play until the loss is at most the chapter's (or its breakpoint fires): with
        the app's own breakpoint (:func:`wait_breakpoints`), so the lesson stops at exactly
        the epoch the breakpoint stops at — for a loss, the first whose loss is ≤ it —
        whatever the chunking.  True when it was reached."""

        s, st, w = self.session, self.session.stepper, self.chapter.wait
        if w.loss is not None and st.cursor == 0 and st.losses.last is not None \
                and st.losses.last <= w.loss:
            return True
        limit = min(MAX_EPOCH, st.epoch + PLAY_LIMIT)
        saved, s.breakpoints = s.breakpoints, wait_breakpoints(self.chapter)
        try:
            while st.epoch < limit and not s.is_halted:
                s.play_chunk(min(PLAY_CHUNK, limit - st.epoch))
                if st.breakpoint:
                    return True
            return False
        finally:
            s.breakpoints = saved

    def _play_epochs(self, n: int, until_nan: bool = False) -> bool:
        """Play ``n`` epochs (True when all ran) or, ``until_nan``, until training stops on
        NaN/inf (True when it did)."""
        st = self.session.stepper
        end = st.epoch + n + (1 if st.cursor else 0)
        while st.epoch < end and not self.session.is_halted:
            self.session.play_chunk(min(PLAY_CHUNK, end - st.epoch), breakpoints=False)
        return self.session.is_halted if until_nan else st.epoch == end

    def finish_wait(self) -> int:
        """Carry out what the chapter waits for; returns the key presses it took."""
        w, presses = self.chapter.wait, 0
        while not self.wait_done:
            self.press({"step": "n", "play": "p"}.get(w.kind, w.key))
            presses += 1
        return presses

    # ------------------------------------------------------------ question
    def answer(self, number: float) -> Answer:
        """Check a prediction: the chapter's wait is carried out first (the engine
        computes the value), then it is compared within the chapter's tolerance.  A wrong
        prediction before a wait of steps or of playing takes them back (an exact undo:
        steps back, or back to the epoch the play started from), so the screen does not
        show the answer while the learner tries again; the selected neuron stays the one
        the chapter is about."""
        ch = self.chapter
        if ch.ask is None:
            raise ValueError("this chapter asks nothing")
        st = self.session.stepper
        pending = not self.wait_done and ch.wait.kind in ("step", "play")
        steps_left, selected = self.steps_left, self.session.selected
        start = (st.epoch, st.cursor)
        presses = self.finish_wait()
        truth = value(self.session, ch.ask)
        if ch.tolerance is None:
            right = Quiz.is_right(number, truth)
        elif ch.tolerance[0] == "rel":
            right = abs(number - truth) <= max(ch.tolerance[1] * abs(truth), 1e-12)
        else:
            right = abs(number - truth) <= ch.tolerance[1]
        self.answered = self.answered or right
        self.session.apply(AnswerQuiz(number, truth))  # the status line's score
        if pending and not right:
            self.take_back(presses, start)
            self.steps_left, self.wait_done, self.play_reached = steps_left, False, None
            self.session.select(*selected)
        return Answer(right, truth, written(self.session, ch.ask, truth),
                      None if right else self.hint)

    def take_back(self, presses: int, start: tuple[int, int]) -> None:
        """Undo the chapter's wait: its steps one by one, or a play back to its start."""
        if self.chapter.wait.kind == "step":
            for _ in range(presses):
                self.session.back()
        elif start[1] == 0:
            self.session.go_to_epoch(start[0])

    def give_up(self) -> str:
        """Show the answer without scoring (the learner moves on)."""
        self.finish_wait()
        self.answered = True
        return show(self.session, self.chapter.ask)

    @property
    def reveal(self) -> str | None:
        """The text after ``---``, filled from the engine once the wait is done and the
        question answered; None before."""
        if not (self.wait_done and self.answered):
            return None
        # a value not computable here (the learner stepped another way than the chapter
        # expects) stays a {placeholder} rather than stopping the app
        return render(self.session, self.chapter.reveal, self.path, [])

    @property
    def done(self) -> bool:
        return self.wait_done and self.answered


class LessonSession:
    """A lesson being read, chapter by chapter, with progress saved as it goes."""

    def __init__(self, lesson: Lesson, key: str, start: int = 0, progress=None,
                 again: bool = False):
        self.lesson, self.key, self.progress = lesson, key, progress
        n = len(lesson.chapters)
        #: the chapters (from 0) done: each once it showed ✓ Done (kept in the progress file);
        #: ``again``: a finished lesson read once more starts with an empty bar
        self.completed: set[int] = ({i for i in progress.completed(key) if i < n}
                                    if progress is not None and not again else set())
        self.chapter: ChapterRun | None = None
        self.go(start)

    def note_done(self) -> int:
        """Count the current chapter if it is done (wait carried out, question answered);
        returns how many chapters are done."""
        if self.chapter is not None and self.chapter.done and self.index not in self.completed:
            self.completed.add(self.index)
            if self.progress is not None:
                self.progress.record(self.key, self.index, len(self.lesson.chapters),
                                     completed=self.completed)
        return len(self.completed)

    def go(self, index: int) -> ChapterRun:
        self.note_done()
        self.index = max(0, min(index, len(self.lesson.chapters) - 1))
        self.chapter = ChapterRun(self.lesson, self.index)
        if self.progress is not None:
            self.progress.record(self.key, self.index, len(self.lesson.chapters))
        return self.chapter

    def next(self) -> ChapterRun | None:
        """The next chapter (None after the last: the lesson is finished)."""
        if self.index + 1 >= len(self.lesson.chapters):
            self.note_done()
            if self.progress is not None:
                self.progress.record(self.key, self.index, len(self.lesson.chapters), done=True)
            return None
        return self.go(self.index + 1)

    def back(self) -> ChapterRun:
        return self.go(self.index - 1)


def not_yet(session: Session, ch: Chapter, exc: ValueError) -> str:
    """Why a question cannot be asked where it is, and where it could be: the step that
    computes it, as a ``position:`` line to copy."""
    q, st = ch.ask, session.stepper
    if q.kind == "loss" and ("not computed yet" in str(exc) or "no loss computed" in str(exc)):
        # well formed, only asked too early: say which wait or position computes it
        return (f"question not computable here: {exc} (at epoch {st.epoch}); an epoch's "
                "loss step computes it — give the question a wait that plays first ('wait: "
                "play N epochs': the answer is then the loss of the last epoch played)")
    phase = _COMPUTED_BY.get(q.kind)
    if phase is None or q.neuron is None or "not computed yet" not in str(exc):
        return f"malformed question: {exc}"
    try:
        l, j = neuron_index(q.neuron, tuple(session.net.sizes))
    except ValueError:
        return f"question not computable here: {exc}"
    name = neuron_name(l, j, tuple(session.net.sizes))
    return (f"question not computable here: {exc}; it becomes available with {name}'s "
            f"{phase.value} step — ask it just before that step with 'position: epoch "
            f"{st.epoch}, {phase.value}, {name}' and 'wait: step'")


def check_chapter(lesson: Lesson, i: int, errors: list[LessonError]) -> None:
    """Run chapter ``i`` headless to its end — set up, text, question, wait, reveal — and
    add every problem to ``errors``."""
    ch = lesson.chapters[i]
    run = ChapterRun(lesson, i, errors)
    session = run.session
    errors += loss_epoch_mismatch(session, ch.text, lesson.path)
    if "maps" in named(ch) and not maps_available(session.problem):
        errors.append(LessonError(lesson.path, ch.lines.get("show", ch.lines.get("panel", ch.line)),
                                  "the chapter names the neuron maps, but this task has none "
                                  "(maps need 2 inputs)"))
    if ch.ask is not None and ch.select is not None and ch.ask.neuron is not None:
        sizes = tuple(session.net.sizes)
        try:
            if neuron_index(ch.select, sizes) != neuron_index(ch.ask.neuron, sizes):
                errors.append(LessonError(lesson.path, ch.lines["select"],
                                          f"select: {ch.select} but the question is about "
                                          f"{ch.ask.neuron} (a chapter that asks about a "
                                          "neuron selects it: leave select out)"))
        except ValueError:
            pass
    if ch.ask is not None:
        try:
            describe(session, ch.ask)
        except ValueError as exc:
            errors.append(LessonError(lesson.path, ch.lines["ask"], f"ask: {exc}"))
            return
    run.finish_wait()
    if run.play_reached is False:
        w = ch.wait
        errors.append(LessonError(
            lesson.path, ch.lines.get("wait", ch.line),
            "unreachable: training did not stop with NaN/inf within "
            f"{w.count} epochs" if w.nan else
            f"unreachable: the {w.breakpoint!r} breakpoint does not fire within {PLAY_LIMIT} "
            "epochs (a wait that never finishes)" if w.breakpoint else
            f"unreachable: training stopped at epoch {session.stepper.epoch} "
            "before the wait was done" if session.is_halted or w.loss is None else
            f"unreachable: the loss does not reach {num(w.loss)} within {PLAY_LIMIT} epochs"))
        return
    if ch.ask is not None:
        try:
            value(session, ch.ask)
        except ValueError as exc:
            errors.append(LessonError(lesson.path, ch.lines["ask"], not_yet(session, ch, exc)))
            return
    render(session, ch.reveal, lesson.path, errors)
    errors += loss_epoch_mismatch(session, ch.reveal, lesson.path)


def check(lesson: Lesson) -> list[LessonError]:
    """Set up every chapter, fill every placeholder, run every wait to its end and answer
    every question on the engine; and the prose's typed numbers (:mod:`.lint`): the
    problems found, each naming the file and line (empty: the lesson works)."""
    errors: list[LessonError] = typed_numbers(lesson) + unseen_panels(lesson)
    for i in range(len(lesson.chapters)):
        try:
            check_chapter(lesson, i, errors)
        except LessonErrors as exc:
            errors.extend(exc.errors)
        except LessonError as exc:
            errors.append(exc)
    return errors


__all__ = ["ChapterRun", "LessonSession", "check", "setup", "value", "show", "describe",
           "render", "neuron_index", "question_words"]
