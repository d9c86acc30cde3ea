"""Session-local actions: what changes how one session is shown or driven, not its
training — the selection, the sample, the step size, the speed, the quiz, the breakpoints,
whether it is playing, and the digits screen's state (:mod:`tui.core.digits_state`: the
drawing, the mistake walked, the large picture).  They go through :meth:`Session.apply` like every action (checked,
carried out under the lock, and the session's ``version`` bumped, so the screen is
redrawn because an action was applied, never because someone remembered ``touch()``),
but are never recorded in a session file nor sent to followers: a replay needs none of
them (a play records the epochs that ran), and a follower's quiz, breakpoints, play
button and selection are its own.  :func:`tui.core.actions.from_json` does not know them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from nn import Granularity
from nn.breakpoints import Breakpoints

from tui.core.actions import Action
from tui.core.digits_state import digits_state

#: epochs per second while playing; the last level means "as fast as possible"
SPEEDS = (1, 2, 5, 10, 30, 100, 300, 1000, 3000, 0)


@dataclass(frozen=True)
class LocalAction(Action):
    """Base: carried out and drawn, never recorded."""

    def recorded(self, session, result) -> None:
        return None


@dataclass(frozen=True)
class SetPlaying(LocalAction):
    """Mark the session playing or not (the play worker runs while it is; a breakpoint,
    NaN/inf, a pause or a follower's catch-up stops it)."""

    on: bool
    name: ClassVar[str] = "set-playing"

    def apply(self, session) -> None:
        session.playing = bool(self.on)


@dataclass(frozen=True)
class SetQuiz(LocalAction):
    """Quiz mode on or off; on, steps go one neuron at a time (what a question is about)."""

    on: bool
    name: ClassVar[str] = "set-quiz"

    def apply(self, session) -> None:
        session.quiz.on = bool(self.on)
        if self.on:
            session.granularity = Granularity.NEURON


@dataclass(frozen=True)
class AnswerQuiz(LocalAction):
    """Score an answer ``value`` to a question whose true value is ``truth``; returns
    whether it counts as right (the status line shows the score)."""

    value: float
    truth: float
    name: ClassVar[str] = "answer-quiz"

    def apply(self, session) -> bool:
        return session.quiz.score(float(self.value), float(self.truth))


@dataclass(frozen=True)
class SetBreakpoints(LocalAction):
    """The conditions that stop playing (the breakpoints dialog's result)."""

    breakpoints: Breakpoints
    name: ClassVar[str] = "set-breakpoints"

    def apply(self, session) -> None:
        session.breakpoints = self.breakpoints


@dataclass(frozen=True)
class SetGranularity(LocalAction):
    """The step size of ``step`` and ``back`` from now on."""

    granularity: Granularity
    name: ClassVar[str] = "set-granularity"

    def apply(self, session) -> Granularity:
        session.granularity = self.granularity
        return self.granularity


@dataclass(frozen=True)
class CycleGranularity(LocalAction):
    """neuron → layer → phase → batch → epoch → neuron; batch only with mini-batches
    (with one batch per epoch it is the epoch step).  Returns the new granularity."""

    name: ClassVar[str] = "cycle-granularity"

    def apply(self, session) -> Granularity:
        g = session.granularity.next()
        if g is Granularity.BATCH and session.stepper.n_batches == 1:
            g = g.next()
        session.granularity = g
        return g


@dataclass(frozen=True)
class ChangeSpeed(LocalAction):
    """``delta`` speed levels up or down (clamped); returns the epochs a second."""

    delta: int
    name: ClassVar[str] = "change-speed"

    def apply(self, session) -> int:
        session.speed_index = max(0, min(len(SPEEDS) - 1, session.speed_index + self.delta))
        return session.speed


@dataclass(frozen=True)
class Select(LocalAction):
    """Select neuron ``neuron`` of layer ``layer`` (an index that does not exist: no-op)."""

    layer: int
    neuron: int
    name: ClassVar[str] = "select"

    def apply(self, session) -> None:
        layers = session.net.layers
        if 0 <= self.layer < len(layers) and 0 <= self.neuron < layers[self.layer].n_out:
            session.selected = (self.layer, self.neuron)


@dataclass(frozen=True)
class MoveSelection(LocalAction):
    """The ``delta``-th neuron after the selected one (in layer order, wrapping)."""

    delta: int
    name: ClassVar[str] = "move-selection"

    def apply(self, session) -> tuple[int, int]:
        order = session.neuron_list()
        i = order.index(session.selected) if session.selected in order else 0
        session.selected = order[(i + self.delta) % len(order)]
        return session.selected


@dataclass(frozen=True)
class MoveSample(LocalAction):
    """The next/previous sample; with mini-batches, of the batch on screen, so [ and ]
    never land outside what was computed.  Returns the sample's index."""

    delta: int
    name: ClassVar[str] = "move-sample"

    def apply(self, session) -> int:
        if session.stepper.batch is None:
            session.sample = (session.sample + self.delta) % len(session.problem.X)
        else:
            members = session._batch_on_screen()
            if session.sample in members:
                i = members.index(session.sample)
                session.sample = members[(i + self.delta) % len(members)]
            else:
                session.sample = members[0 if self.delta > 0 else -1]
        return session.sample


# ------------------------------------------------------------------ the digits screen
# (image tasks; on any other task ``digits_state`` is None and these change nothing)
@dataclass(frozen=True)
class Paint(LocalAction):
    """Ink (``erase``: clear) pixel (row, col) of the drawn digit; returns whether any
    pixel changed (only then is the screen redrawn)."""

    row: int
    col: int
    erase: bool = False
    name: ClassVar[str] = "paint"

    def apply(self, session) -> bool:
        state = digits_state(session)
        return state is not None and state.paint(self.row, self.col, self.erase)

    def changed(self, result: bool) -> bool:
        return bool(result)


@dataclass(frozen=True)
class ClearDrawing(LocalAction):
    """Forget the drawn digit (the panels show the data again); whether there was one."""

    name: ClassVar[str] = "clear-drawing"

    def apply(self, session) -> bool:
        state = digits_state(session)
        return state is not None and state.clear()


@dataclass(frozen=True)
class LabelDrawing(LocalAction):
    """The class the drawn digit is meant to be (for stepping backprop on it)."""

    label: int
    name: ClassVar[str] = "label-drawing"

    def apply(self, session) -> None:
        state = digits_state(session)
        if state is not None:
            state.label = self.label


@dataclass(frozen=True)
class ToggleMistakes(LocalAction):
    """Walk the misclassified test samples (from the first), or stop walking them; the
    drawing is forgotten either way.  Returns whether the walk is on."""

    name: ClassVar[str] = "toggle-mistakes"

    def apply(self, session) -> bool:
        state = digits_state(session)
        if state is None:
            return False
        state.mistake = 0 if state.mistake is None else None
        state.clear()
        return state.mistake is not None


@dataclass(frozen=True)
class WalkMistakes(LocalAction):
    """The ``delta``-th misclassified test sample from the one shown."""

    delta: int
    name: ClassVar[str] = "walk-mistakes"

    def apply(self, session) -> None:
        state = digits_state(session)
        if state is not None and state.mistake is not None:
            state.mistake += self.delta


@dataclass(frozen=True)
class ToggleLargeDigit(LocalAction):
    """The weight panel: the selected neuron's picture large, or every neuron's small."""

    name: ClassVar[str] = "toggle-large-digit"

    def apply(self, session) -> None:
        state = digits_state(session)
        if state is not None:
            state.large = not state.large
