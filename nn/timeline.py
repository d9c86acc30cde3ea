"""Full snapshots of a Stepper's state, for stepping backward exactly.

A :class:`StepperState` holds copies of everything a step changes: the
parameters, gradients, the layers' last x/z/a/δ/dA, the stepper's cursor,
epoch, pending ∂L/∂a, last parameter changes, the length of the loss history
and the last events.  Restoring one puts the stepper back bit for bit.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LAYER_FIELDS = ("W", "b", "dW", "db", "x", "z", "a", "delta", "dA")


@dataclass
class StepperState:
    epoch: int
    cursor: int
    n_losses: int
    layers: list[dict[str, np.ndarray]]
    changes: list[tuple[np.ndarray, np.ndarray]]
    dA: dict[int, np.ndarray]
    events: list
    nbytes: int

    @property
    def position(self) -> tuple[int, int]:
        return self.epoch, self.cursor


def capture(stepper) -> StepperState:
    layers = [{f: np.array(getattr(layer, f), copy=True) for f in LAYER_FIELDS}
              for layer in stepper.net.layers]
    changes = [(cw.copy(), cb.copy()) for cw, cb in stepper.changes]
    dA = {k: v.copy() for k, v in stepper._dA.items()}
    nbytes = sum(a.nbytes for d in layers for a in d.values()) + \
        sum(cw.nbytes + cb.nbytes for cw, cb in changes) + sum(v.nbytes for v in dA.values())
    return StepperState(stepper.epoch, stepper.cursor, len(stepper.losses), layers, changes, dA,
                        list(stepper.last_events), nbytes)


def restore(stepper, state: StepperState) -> None:
    for layer, saved in zip(stepper.net.layers, state.layers):
        for f in ("W", "b", "dW", "db"):  # in place: Neuron views stay attached
            getattr(layer, f)[...] = saved[f]
        for f in ("x", "z", "a", "delta", "dA"):
            setattr(layer, f, saved[f].copy())
    # layer 0's input must be the stepper's X itself (the column path checks identity)
    if stepper.net.layers[0].x.shape == stepper.X.shape:
        stepper.net.layers[0].x = stepper.X
    for (cw, cb), (sw, sb) in zip(stepper.changes, state.changes):
        cw[...] = sw
        cb[...] = sb
    stepper._dA = {k: v.copy() for k, v in state.dA.items()}
    stepper.epoch, stepper.cursor = state.epoch, state.cursor
    del stepper.losses[state.n_losses:]
    stepper.last_events = list(state.events)
    stepper.halted = None


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
