"""The action vocabulary: everything that changes a session's training state,
defined once, as typed values that validate themselves, serialise themselves and
carry themselves out.

Key presses become actions; the session records them; session files store them
(``{"do": "step", "granularity": "neuron"}``); replay reads them back through
:func:`from_json`, which refuses anything malformed with one line.  A new action
is one class here with its fields' readers, plus a test.

Bounds are checked twice: the shape of every field when a file is read, and what
depends on the network (a layer or neuron that exists) when the action is
carried out (:meth:`Action.check`).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Callable, ClassVar

from nn import Granularity

from tui.core.branches import MAX_BRANCHES, fork_error, switch_error
from tui.core.drawing import MAX_POINTS, drawing_kind
from tui.core.errors import ActionError
from tui.core.parsing import is_finite, shown_number
from tui.core.settings import read_changes

#: the most epochs one recorded ``play`` may hold (about 4 minutes of XOR, far more
#: than anyone plays between two other keys; a larger number is a broken file)
MAX_PLAY_EPOCHS = 10_000_000
MAX_INDEX = 1_000_000
#: how far from the middle of the map (|x₁|, |x₂|) a drawn point may be
MAX_COORD = 1e6


# ------------------------------------------------------------------ field readers
def _granularity(value) -> Granularity:
    try:
        return Granularity(value)
    except ValueError:
        raise ActionError(f"granularity must be one of {', '.join(g.value for g in Granularity)}"
                          f", got {value!r}") from None


def _count(low: int, high: int) -> Callable:
    def read(value) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                raise ActionError(f"must be a whole number, got {value!r}")
        if not low <= value <= high:
            raise ActionError(f"must be from {low} to {high}, got {value}")
        return value
    return read


def _optional_index(value) -> int | None:
    return None if value is None else _count(0, MAX_INDEX)(value)


def _finite(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not is_finite(value):
        raise ActionError(f"must be a finite number, got {shown_number(value)}")
    return float(value)


def _positive(value) -> float:
    value = _finite(value)
    if value <= 0:
        raise ActionError(f"must be a positive number, got {value:g}")
    return value


def _coordinate(value) -> float:
    value = _finite(value)
    if abs(value) > MAX_COORD:
        raise ActionError(f"must be from {-MAX_COORD:g} to {MAX_COORD:g}, got {value:g}")
    return value


def _changes(value) -> dict:

    try:
        return read_changes(value)
    except ValueError as exc:
        raise ActionError(str(exc)) from None


def _trainable(session) -> None:
    """ActionError while the session has too few drawn points to train on."""
    problem = session.train_blocker
    if problem:
        raise ActionError(problem)


# ------------------------------------------------------------------ the actions
@dataclass(frozen=True)
class Action:
    """Base: ``name`` is the ``do`` word in files; ``READERS`` read each field."""

    name: ClassVar[str] = ""
    READERS: ClassVar[dict[str, Callable]] = {}

    def to_json(self) -> dict:
        data = {"do": self.name}
        for f in fields(self):
            if f.metadata.get("recorded", True):
                value = getattr(self, f.name)
                data[f.name] = value.value if isinstance(value, Granularity) else value
        return data

    def check(self, session) -> None:
        """Raise ActionError if this action cannot be carried out in ``session``."""

    def apply(self, session):
        """Carry the action out (``Session.apply`` calls it, under the lock, after
        ``check``); returns what the caller may want back (events, an index …)."""
        raise NotImplementedError

    def recorded(self, session, result) -> "Action | None":
        """The action as the session file and the followers get it, after ``apply``
        returned ``result`` (None: nothing to record)."""
        return self

    def changed(self, result) -> bool:
        """Whether the screen must be redrawn after ``apply`` returned ``result``
        (``Session.apply`` bumps the version then; almost every action: yes)."""
        return True


@dataclass(frozen=True)
class Step(Action):
    """One step forward at ``granularity``."""

    granularity: Granularity
    name: ClassVar[str] = "step"
    READERS: ClassVar[dict] = {"granularity": _granularity}

    def check(self, session) -> None:
        _trainable(session)

    def apply(self, session):
        return session._step(self.granularity)


@dataclass(frozen=True)
class Back(Action):
    """One step back in time at ``granularity``."""

    granularity: Granularity
    name: ClassVar[str] = "back"
    READERS: ClassVar[dict] = {"granularity": _granularity}

    def check(self, session) -> None:
        _trainable(session)

    def apply(self, session):
        return session._back(self.granularity)


@dataclass(frozen=True)
class Play(Action):
    """Whole epochs on the fast path (recorded as the number that actually ran)."""

    epochs: int
    #: stop at the session's breakpoints (the play key); never recorded: a file holds the
    #: epochs that actually ran, so a replay needs no breakpoints
    breakpoints: bool = field(default=False, compare=False, metadata={"recorded": False})
    name: ClassVar[str] = "play"
    READERS: ClassVar[dict] = {"epochs": _count(1, MAX_PLAY_EPOCHS)}

    def check(self, session) -> None:
        _trainable(session)

    def apply(self, session) -> int:
        return session._play(self.epochs, self.breakpoints)

    def recorded(self, session, result: int) -> "Play | None":
        ran = result + (1 if session.stepper.halted is not None else 0)  # the NaN epoch too
        return Play(ran) if ran else None


@dataclass(frozen=True)
class Reset(Action):
    """Back to epoch 0 with the same initial weights."""

    name: ClassVar[str] = "reset"

    def apply(self, session):
        return session._reset()


@dataclass(frozen=True)
class NewSeed(Action):
    """New initial weights from the next seed."""

    name: ClassVar[str] = "seed"

    def apply(self, session):
        return session._new_seed()


@dataclass(frozen=True)
class NextTask(Action):
    """The next built-in task, with its own preset network."""

    name: ClassVar[str] = "task"

    def apply(self, session):
        return session._next_task()


@dataclass(frozen=True)
class SetLr(Action):
    """A new learning rate from the next update on."""

    value: float
    name: ClassVar[str] = "lr"
    READERS: ClassVar[dict] = {"value": _positive}

    def apply(self, session):
        return session._set_lr(self.value)


@dataclass(frozen=True)
class Edit(Action):
    """Set weight ``weight`` (an input index, 0-based) or the bias (None) of one neuron."""

    layer: int
    neuron: int
    weight: int | None
    value: float
    name: ClassVar[str] = "edit"
    READERS: ClassVar[dict] = {"layer": _count(0, MAX_INDEX), "neuron": _count(0, MAX_INDEX),
                               "weight": _optional_index, "value": _finite}

    def check(self, session) -> None:
        layers = session.net.layers
        if self.layer >= len(layers):
            raise ActionError(f"layer index {self.layer} does not exist: the network has "
                              f"{len(layers)} layers")
        layer = layers[self.layer]
        if self.neuron >= layer.n_out:
            raise ActionError(f"neuron index {self.neuron} does not exist: layer index "
                              f"{self.layer} has {layer.n_out} neurons")
        if self.weight is not None and self.weight >= layer.n_in:
            raise ActionError(f"weight index {self.weight} does not exist: the neuron has "
                              f"{layer.n_in} inputs")

    def apply(self, session):
        return session._edit(self.layer, self.neuron, self.weight, self.value)


@dataclass(frozen=True)
class Jump(Action):
    """Back to the start of an earlier epoch."""

    epoch: int
    name: ClassVar[str] = "jump"
    READERS: ClassVar[dict] = {"epoch": _count(0, 10**12)}

    def check(self, session) -> None:
        st = session.stepper
        if not st.oldest_epoch <= self.epoch <= st.epoch:
            raise ActionError(f"cannot jump to epoch {self.epoch}: epochs {st.oldest_epoch}"
                              f"–{st.epoch} are reachable")

    def apply(self, session):
        return session._go_to_epoch(self.epoch)


@dataclass(frozen=True)
class Fork(Action):
    """Fork the followed run, in exactly its state now, into a new branch, and follow it."""

    name: ClassVar[str] = "fork"

    def check(self, session) -> None:
        problem = fork_error(len(session.branches))
        if problem:
            raise ActionError(f"cannot fork: {problem}")

    def apply(self, session):
        return session._fork()


@dataclass(frozen=True)
class SwitchBranch(Action):
    """Make branch ``index`` (0-based: 0 is A) the one the panels follow."""

    index: int
    name: ClassVar[str] = "switch"
    READERS: ClassVar[dict] = {"index": _count(0, MAX_BRANCHES - 1)}

    def check(self, session) -> None:
        problem = switch_error(self.index, len(session.branches))
        if problem:
            raise ActionError(problem)

    def apply(self, session):
        return session._switch_branch(self.index)


@dataclass(frozen=True)
class Configure(Action):
    """Change configuration fields (``{"hidden": [4, 4], "features": ["x1", "x1^2"]}``,
    :data:`tui.core.settings.CONFIGURABLE`) and rebuild the network with the current seed.
    Read by the same readers as a session file's configuration."""

    changes: dict
    name: ClassVar[str] = "configure"
    READERS: ClassVar[dict] = {"changes": _changes}

    def apply(self, session):
        return session._configure(self.changes)


@dataclass(frozen=True)
class AddPoint(Action):
    """Draw a data point (x₁, x₂) with target ``value`` (class 0/1, or a regression value)."""

    x1: float
    x2: float
    value: float
    name: ClassVar[str] = "add-point"
    READERS: ClassVar[dict] = {"x1": _coordinate, "x2": _coordinate, "value": _finite}

    def check(self, session) -> None:
        # imported here: the two modules need each other

        if drawing_kind(session) == "binary" and self.value not in (0.0, 1.0):
            raise ActionError(f"value must be class 0 or 1 for a class task, got {self.value:g}")
        if session.drawn is not None and len(session.drawn) >= MAX_POINTS:
            raise ActionError(f"at most {MAX_POINTS} points can be drawn")

    def apply(self, session):
        return session._draw(session._drawn_now().add(self.x1, self.x2, self.value))


@dataclass(frozen=True)
class RemovePoint(Action):
    """Remove the data point nearest (x₁, x₂)."""

    x1: float
    x2: float
    name: ClassVar[str] = "remove-point"
    READERS: ClassVar[dict] = {"x1": _coordinate, "x2": _coordinate}

    def apply(self, session):
        return session._draw(session._drawn_now().remove_nearest(self.x1, self.x2))


@dataclass(frozen=True)
class ClearPoints(Action):
    """Remove every data point (then draw new ones)."""

    name: ClassVar[str] = "clear-points"

    def apply(self, session):
        return session._draw(session._drawn_now().cleared())


# ------------------------------------------------------------------ the play-merging rule
def merged(last: "Action | None", action: Action) -> "Action | None":
    """The one action that replays exactly as ``last`` then ``action``, or None when they
    must stay two.  The only rule: consecutive plays become one (``play n`` then ``play m``
    replays as ``play n+m``, the engine being deterministic) while the total stays within
    ``MAX_PLAY_EPOCHS`` (what a session file may hold).  The session's recording, the
    wire's logs and the teacher's play coalescer (:mod:`tui.net.share`) all use it."""
    if isinstance(last, Play) and isinstance(action, Play) \
            and last.epochs + action.epochs <= MAX_PLAY_EPOCHS:
        return Play(last.epochs + action.epochs)
    return None


def append_merged(log: list, action: Action) -> None:
    """Append ``action`` to ``log``, merged into its last action by :func:`merged`."""
    joined = merged(log[-1] if log else None, action)
    if joined is None:
        log.append(action)
    else:
        log[-1] = joined


ACTIONS: dict[str, type[Action]] = {cls.name: cls for cls in
                                    (Step, Back, Play, Reset, NewSeed, NextTask, SetLr, Edit, Jump,
                                     Fork, SwitchBranch, Configure, AddPoint, RemovePoint,
                                     ClearPoints)}


def from_json(data) -> Action:
    """The action a session file holds, validated; ActionError says what is wrong."""
    if not isinstance(data, dict):
        raise ActionError(f"must be an object like {{\"do\": \"step\", …}}, got {type(data).__name__}")
    name = data.get("do")
    cls = ACTIONS.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ActionError(f"unknown action {name!r} (known: {', '.join(ACTIONS)})")
    expected = {f.name for f in fields(cls) if f.metadata.get("recorded", True)}
    unknown = set(data) - expected - {"do"}
    if unknown:
        raise ActionError(f"{name}: unknown field {sorted(unknown)[0]!r}")
    values = {}
    for key in expected:
        if key not in data:
            raise ActionError(f"{name}: field {key!r} is missing")
        try:
            values[key] = cls.READERS[key](data[key])
        except ActionError as exc:
            raise ActionError(f"{name}: {key} {exc}") from None
    return cls(**values)
