"""Snapshots of a Stepper's state, for stepping backward exactly.

A :class:`StepperState` holds copies of everything a step changes: the
parameters, gradients, the layers' last x/z/a/δ/dA, the stepper's cursor,
epoch, pending ∂L/∂a, last parameter changes, the optimizer's state (its
vectors and step count), the length of the loss history and the last events.  Restoring one puts the stepper back bit for bit.  Its
``nbytes`` counts every array it keeps alive (the events' copies included); the
data set X itself is shared, never copied.

:class:`EpochSnapshots` keeps the flat parameter vector θ at the start of each
recent epoch in one preallocated ring array (depth, n_params).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

LAYER_FIELDS = ("W", "b", "dW", "db", "x", "z", "a", "delta", "dA")
TUPLE_BYTES = sys.getsizeof((0, 0))
#: a StepperState object with its attribute dict (measured once)
STATE_OVERHEAD = 300


@dataclass
class StepperState:
    epoch: int
    cursor: int
    n_losses: int
    layers: dict[int, dict[str, np.ndarray]]  #: per layer kept: its LAYER_FIELDS' copies
    changes: dict[int, tuple[np.ndarray, np.ndarray]]  #: per layer kept: its last ΔW, Δb
    dA: dict[int, np.ndarray]
    events: list
    nbytes: int
    optimizer: dict | None = None  #: ``optimizer.get_state()``
    n_batch_losses: int = 0
    loss_sum: float = 0.0          #: the stepper's Σ batch loss · size of this epoch so far
    #: None: ``dA`` is the stepper's whole pending ∂L/∂a; else the keys it had, ``dA``
    #: holding only those a step may overwrite (a partial state: :func:`capture`)
    dA_keys: tuple[int, ...] | None = None
    #: whether it holds only what one step changes (some layers): restore it only onto
    #: the state that step left, i.e. undo states newest first
    partial: bool = False
    #: a partial state's links to arrays it does not hold, to put back: (layer, field,
    #: "prev a" / "next x" / "pending") where the live layer's x was the layer before's a,
    #: its a the next layer's x, or its dA the pending ∂L/∂a of its layer
    links: tuple = ()

    @property
    def position(self) -> tuple[int, int]:
        return self.epoch, self.cursor


def array_bytes(a: np.ndarray) -> int:
    """Memory an array keeps alive: its header, and its data (also a view's)."""
    return sys.getsizeof(a) + (0 if a.flags.owndata else a.nbytes)


def event_nbytes(events, shared=()) -> int:
    """Bytes the events hold (objects, dicts, arrays), not counting the arrays in
    ``shared`` (X and y, which events reference without copying)."""
    skip = {id(a) for a in shared}
    total = sys.getsizeof(events)
    for ev in events:
        total += ev.object_bytes() + sum(array_bytes(a) for a in ev.arrays()
                                         if id(a) not in skip)
    return total


def capture(stepper, layers=None, whole_dA: bool = True) -> StepperState:
    """Copy the stepper's state.  An array that several layers share (layer l's
    ``a`` is layer l+1's ``x``) is copied once; X is kept by reference.  ``nbytes``
    counts every object kept: arrays with their headers, dicts, lists, events.

    ``layers`` (an iterable of layer indices; None: all) keeps only those layers'
    arrays and last changes: a *partial* state, for a step that changes no other layer
    (the stepper knows which a step touches), so that a step of one neuron of a
    1 000-layer network copies two layers, not all.  With ``whole_dA`` False the
    pending ∂L/∂a is kept as its keys and the entries of the layers before those kept
    (what a backward step adds); True keeps it whole (a loss step replaces it)."""
    X = stepper.X
    memo: dict[int, np.ndarray] = {id(X): X}

    def keep(a: np.ndarray) -> np.ndarray:
        if id(a) not in memo:
            memo[id(a)] = np.array(a, copy=True)
        return memo[id(a)]

    net_layers = stepper.net.layers
    index = range(len(net_layers)) if layers is None else sorted(set(layers))
    saved = {l: {f: keep(getattr(net_layers[l], f)) for f in LAYER_FIELDS} for l in index}
    changes = {l: (stepper.changes[l][0].copy(), stepper.changes[l][1].copy()) for l in index}
    pending = stepper._dA
    links = []
    if layers is not None:  # arrays shared with what this state does not hold
        for l in index:
            layer = net_layers[l]
            if l > 0 and l - 1 not in saved and layer.x is net_layers[l - 1].a:
                links.append((l, "x", "prev a"))
            if l + 1 < len(net_layers) and l + 1 not in saved and layer.a is net_layers[l + 1].x:
                links.append((l, "a", "next x"))
            if layer.dA is pending.get(l):
                links.append((l, "dA", "pending"))
    if whole_dA or layers is None:
        dA, dA_keys = {k: keep(v) for k, v in pending.items()}, None
    else:
        dA = {l - 1: keep(pending[l - 1]) for l in index if l - 1 in pending}
        dA_keys = tuple(pending)
    events = list(stepper.last_events)
    opt = stepper.net.optimizer.get_state()
    nbytes = sys.getsizeof(opt) + sum(array_bytes(v) for v in opt.values()
                                      if isinstance(v, np.ndarray))
    nbytes += STATE_OVERHEAD + sum(array_bytes(a) for a in memo.values() if a is not X) + \
        sum(sys.getsizeof(d) for d in saved.values()) + sys.getsizeof(saved) + \
        sum(array_bytes(cw) + array_bytes(cb) + TUPLE_BYTES for cw, cb in changes.values()) + \
        sys.getsizeof(changes) + sys.getsizeof(dA) + event_nbytes(events, (X, stepper.y))
    if dA_keys is not None:
        nbytes += sys.getsizeof(dA_keys)
    return StepperState(stepper.epoch, stepper.cursor, len(stepper.losses), saved, changes, dA,
                        events, nbytes, opt, len(stepper.batch_losses), stepper._loss_sum,
                        dA_keys, layers is not None, tuple(links))


def restore(stepper, state: StepperState) -> None:
    """Put ``state`` back; a partial one (see :func:`capture`) only onto the state the
    step after it left."""
    memo: dict[int, np.ndarray] = {id(stepper.X): stepper.X}

    def fresh(a: np.ndarray) -> np.ndarray:  # one copy per saved array: sharing is kept
        if id(a) not in memo:
            memo[id(a)] = a.copy()
        return memo[id(a)]

    net_layers = stepper.net.layers
    for l, saved in state.layers.items():
        layer = net_layers[l]
        for f in ("W", "b", "dW", "db"):  # in place: Neuron views stay attached
            getattr(layer, f)[...] = saved[f]
        for f in ("x", "z", "a", "delta", "dA"):
            setattr(layer, f, fresh(saved[f]))
    for l, (sw, sb) in state.changes.items():
        cw, cb = stepper.changes[l]
        cw[...] = sw
        cb[...] = sb
    if state.dA_keys is None:
        stepper._dA = {k: fresh(v) for k, v in state.dA.items()}
    else:
        stepper._dA = {k: fresh(state.dA[k]) if k in state.dA else stepper._dA[k]
                       for k in state.dA_keys}
    for l, field, other in state.links:  # shared again as they were
        if other == "prev a":
            net_layers[l].x = net_layers[l - 1].a
        elif other == "next x":
            net_layers[l + 1].x = net_layers[l].a
        elif l in stepper._dA:
            net_layers[l].dA = stepper._dA[l]
    if state.optimizer is not None:
        stepper.net.optimizer.set_state(state.optimizer)
    stepper.epoch, stepper.cursor = state.epoch, state.cursor
    stepper.losses.truncate(state.n_losses)
    stepper.batch_losses.truncate(state.n_batch_losses)
    stepper._loss_sum = state.loss_sum
    stepper.last_events = list(state.events)
    stepper.halted = None


class EpochSnapshots:
    """θ (the flat parameter vector) at the start of consecutive epochs, newest
    last, in a ring array of shape (depth, n_params): exactly ``depth ×
    n_params × itemsize`` bytes however long training runs."""

    def __init__(self, depth: int, n_params: int, dtype):
        self.depth = max(1, int(depth))
        self.rows = np.empty((self.depth, n_params), dtype=dtype)
        self._first = 0   # epoch of the oldest row kept
        self._count = 0   # rows kept, for epochs _first … _first+_count-1

    def __len__(self) -> int:
        return self._count

    @property
    def oldest(self) -> int | None:
        return self._first if self._count else None

    @property
    def newest(self) -> int | None:
        return self._first + self._count - 1 if self._count else None

    @property
    def nbytes(self) -> int:
        return self.rows.nbytes

    def record(self, epoch: int, theta: np.ndarray) -> None:
        """Keep θ as the start of ``epoch`` (the next epoch after the newest;
        anything else starts the ring afresh).  Recording the newest again is a no-op."""
        if self._count and epoch == self.newest:
            return
        if not self._count or epoch != self.newest + 1:
            self._first, self._count = epoch, 0
        if self._count == self.depth:  # full: the oldest row is overwritten
            self._first += 1
            self._count -= 1
        self.rows[(epoch % self.depth)] = theta
        self._count += 1

    def copy(self) -> "EpochSnapshots":
        """A copy of the rows in use only (a fork costs what the run has used, not the
        ring's preallocated size: untouched rows of ``np.empty`` take no memory)."""
        new = EpochSnapshots.__new__(EpochSnapshots)
        new.__dict__.update(self.__dict__)
        new.rows = np.empty_like(self.rows)
        if self._count:
            start, stop = self._first % self.depth, self.newest % self.depth + 1
            if start < stop:  # one run of rows, or two when the epochs wrap round the ring
                new.rows[start:stop] = self.rows[start:stop]
            else:
                new.rows[start:] = self.rows[start:]
                new.rows[:stop] = self.rows[:stop]
        return new

    def get(self, epoch: int) -> np.ndarray | None:
        """The row of ``epoch`` (a view: copy it if you keep it), or None."""
        if not self._count or not self._first <= epoch <= self.newest:
            return None
        return self.rows[epoch % self.depth]

    def drop_after(self, epoch: int) -> None:
        """Forget every epoch after ``epoch``."""
        if self._count:
            self._count = max(0, min(self._count, epoch - self._first + 1))

    def pop(self) -> None:
        """Forget the newest epoch."""
        self._count = max(0, self._count - 1)

    def clear(self) -> None:
        self._count = 0


@dataclass(frozen=True)
class ParamChange:
    """How one parameter moved between two points in time."""

    layer: int
    kind: str              #: "w" or "b"
    index: tuple[int, ...]  #: (input, neuron) for w, (neuron,) for b
    before: float
    after: float

    @property
    def change(self) -> float:
        return self.after - self.before


def param_changes(before, after) -> list[ParamChange]:
    """Every weight and bias from two ``get_params()`` lists, largest |change| first."""
    out = []
    for l, ((W0, b0), (W1, b1)) in enumerate(zip(before, after)):
        for kind, p0, p1 in (("w", W0, W1), ("b", b0, b1)):
            for index in np.ndindex(p0.shape):
                out.append(ParamChange(l, kind, tuple(int(i) for i in index),
                                       float(p0[index]), float(p1[index])))
    out.sort(key=lambda c: -abs(c.change))
    return out
