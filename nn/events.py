"""Step events: what one step computed, one frozen dataclass per phase.

A step of the :class:`~nn.stepper.Stepper` runs a group of neurons of one layer
through one phase (or the loss) and returns one event per group, holding copies of
what was computed (X and a mini-batch's rows by reference: they never change).
Shapes: N = samples in the batch, k = neurons in the group (``neurons`` = (start,
stop), k = stop − start), n_in = the layer's inputs, n_next = the next layer's
neurons, K = outputs.  Readers use attributes (``event.delta[i, c]``), so a typo
is an AttributeError and a type checker sees every field.

Every event has ``problem`` (where a NaN/inf appeared, as text to show; None when
all is finite) with ``problem_layer`` / ``problem_neuron`` (0-based engine
indices, None for the loss or a whole-layer problem).  A plain :class:`StepEvent`
(no phase's numbers) is what playing leaves in ``Stepper.halted`` when it stops on
a NaN/inf.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Iterator

import numpy as np

from .schedule import Phase


@cache
def _names(cls) -> tuple[str, ...]:
    """The field names of an event class (looked up once per class)."""
    return tuple(f.name for f in fields(cls))


@dataclass(frozen=True, kw_only=True, slots=True)
class StepEvent:
    """What every event says: when, which phase, which neurons, and any NaN/inf."""

    epoch: int
    phase: Phase
    layer: int | None = None                 #: None for the loss
    neurons: tuple[int, int] | None = None   #: (start, stop) computed; None for the loss
    batch: int = 0                           #: the mini-batch (0-based) of the step
    problem: str | None = None               #: where a NaN/inf appeared (text to show)
    problem_layer: int | None = None
    problem_neuron: int | None = None

    @property
    def is_single_neuron(self) -> bool:
        return self.neurons is not None and self.neurons[1] - self.neurons[0] == 1

    def object_bytes(self) -> int:
        """Bytes of the event's Python objects (itself, tuples, numbers, dicts and slot
        records), not counting the arrays."""
        total = sys.getsizeof(self)
        for name in _names(type(self)):
            value = getattr(self, name)
            if isinstance(value, np.ndarray):
                continue
            total += sys.getsizeof(value)
            if isinstance(value, dict):
                total += sum(sys.getsizeof(v) for v in value.values())
        return total

    def arrays(self) -> Iterator[np.ndarray]:
        """Every array the event holds (for counting memory)."""
        for name in _names(type(self)):
            value = getattr(self, name)
            if isinstance(value, np.ndarray):
                yield value
            elif isinstance(value, dict):
                for v in value.values():
                    if isinstance(v, SlotChange):
                        yield from (v.w_before, v.w_after, v.b_before, v.b_after)


@dataclass(frozen=True, kw_only=True, slots=True)
class ForwardEvent(StepEvent):
    """z = x·w + b and a = f(z) for neurons ``neurons`` of ``layer``."""

    phase: Phase = Phase.FORWARD
    x: np.ndarray   #: (N, n_in) the layer's input
    w: np.ndarray   #: (n_in, k)
    b: np.ndarray   #: (k,)
    z: np.ndarray   #: (N, k)
    #: (N, k); None for softmax (not element-wise) until the layer's last z is known
    a: np.ndarray | None = None

    @property
    def a_pending(self) -> bool:
        """Softmax: a follows once the layer's last neuron has its z."""
        return self.a is None


@dataclass(frozen=True, kw_only=True, slots=True)
class LossEvent(StepEvent):
    """The loss of the batch's rows and ∂L/∂ŷ, where backpropagation starts."""

    phase: Phase = Phase.LOSS
    y_hat: np.ndarray      #: (N, K)
    y: np.ndarray          #: (N, K)
    loss: float            #: data loss + penalty
    data_loss: float
    penalty: float         #: λ/2·Σw²
    weight_decay: float    #: λ
    scale: float           #: the gradient's factor (2/(N·K) for MSE)
    #: (N, K) ∂L/∂ŷ, or for a fused loss δ = ∂L/∂z (``gradient_of`` "y_hat" or "z")
    dL_dyhat: np.ndarray
    gradient_of: str
    loss_name: str
    loss_title: str
    fused: bool
    equations: tuple = ()  #: the loss's own equations, as text
    n_batches: int = 1
    samples: np.ndarray | None = None  #: (N,) the batch's sample indices (mini-batches only)
    #: the epoch's loss (batch losses weighted by size), with the last batch's event
    epoch_loss: float | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class BackwardEvent(StepEvent):
    """δ, dw and db for neurons ``neurons`` of ``layer``."""

    phase: Phase = Phase.BACKWARD
    dA: np.ndarray       #: (N, k) ∂L/∂a (δ itself at a fused loss's output)
    fprime: np.ndarray   #: (N, k) f'(z) (ones at a fused output)
    delta: np.ndarray    #: (N, k)
    x: np.ndarray        #: (N, n_in)
    dw: np.ndarray       #: (n_in, k)
    db: np.ndarray       #: (k,)
    fused: bool = False  #: the output of a fused loss: dA is δ
    weight_decay: float = 0.0
    decay_w: np.ndarray | None = None    #: (n_in, k) λ·w, the part of dw decay adds
    #: softmax without a fused loss: (N, 1) Σⱼ dAⱼ·aⱼ, so that δ = a·(dA − row_sum)
    row_sum: np.ndarray | None = None
    next_delta: np.ndarray | None = None  #: (N, n_next) hidden layers: the next δ …
    next_w: np.ndarray | None = None      #: (k, n_next) … and weights: dA = next_delta·next_wᵀ
    dw_terms: np.ndarray | None = None    #: (N, n_in) one neuron: x·δ per sample
    dA_terms: np.ndarray | None = None    #: (N, n_next) one hidden neuron: next_delta·next_w


@dataclass(frozen=True, slots=True)
class SlotChange:
    """One optimizer state slot (momentum's v, Adam's m and v) around an update."""

    w_before: np.ndarray  #: (n_in, k)
    w_after: np.ndarray
    b_before: np.ndarray  #: (k,)
    b_after: np.ndarray


@dataclass(frozen=True, kw_only=True, slots=True)
class UpdateEvent(StepEvent):
    """The optimizer's step on neurons ``neurons`` of ``layer``."""

    phase: Phase = Phase.UPDATE
    lr: float
    optimizer: str                #: its name
    hyper: dict = field(default_factory=dict)  #: its hyper-parameters
    t: int = 1                    #: the step count this update uses
    w_before: np.ndarray          #: (n_in, k)
    w_after: np.ndarray
    b_before: np.ndarray          #: (k,)
    b_after: np.ndarray
    dw: np.ndarray                #: (n_in, k)
    db: np.ndarray                #: (k,)
    slots: dict = field(default_factory=dict)  #: slot name → :class:`SlotChange`

    @property
    def change_w(self) -> np.ndarray:
        return self.w_after - self.w_before

    @property
    def change_b(self) -> np.ndarray:
        return self.b_after - self.b_before


#: how event fields and phases are named in messages
FIELD_NAMES = {"z": "z", "a": "a", "delta": "δ", "dw": "dw", "db": "db",
               "w_after": "w", "b_after": "b"}
PHASE_NAMES = {Phase.FORWARD: "forward pass", Phase.BACKWARD: "backward pass",
               Phase.UPDATE: "update"}
