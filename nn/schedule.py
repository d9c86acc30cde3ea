"""The schedule of an epoch: a fixed sequence of *units*, once per mini-batch::

    forward   (layer 0, neuron 0) … (layer L-1, last neuron)
    loss      one unit
    backward  (layer L-1, neuron 0) … (layer 0, last neuron)
    update    (layer 0, neuron 0) … (layer L-1, last neuron)

A position in training is (epoch, cursor): the cursor is the index of the next unit
to run.  A step at some :class:`Granularity` runs units up to the next boundary of
that granularity; :class:`Schedule` says where those boundaries are, going forward
and back.  Pure bookkeeping: nothing here computes a number of the network.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Iterator


class Phase(str, Enum):
    FORWARD = "forward"
    LOSS = "loss"
    BACKWARD = "backward"
    UPDATE = "update"


class Granularity(str, Enum):
    NEURON = "neuron"
    LAYER = "layer"
    PHASE = "phase"
    BATCH = "batch"    #: one mini-batch: forward, loss, backward and update (= an epoch
    EPOCH = "epoch"    #: when the whole data set is one batch)

    def next(self) -> "Granularity":
        members = list(Granularity)
        return members[(members.index(self) + 1) % len(members)]


#: The mini-batch step (between phase and epoch).
BATCH = Granularity.BATCH


def as_granularity(value) -> Granularity:
    """The Granularity named ``value`` (``"batch"`` included)."""
    return Granularity(value)


@dataclass(frozen=True)
class Unit:
    """One indivisible piece of an epoch. ``layer``/``neuron`` are None for the loss;
    ``batch`` is the mini-batch (0-based) it belongs to."""

    phase: Phase
    layer: int | None
    neuron: int | None
    batch: int = 0

    def joins(self, other: "Unit") -> bool:
        """Whether ``other`` runs in the same group as this unit (one phase of one layer
        in one batch: computed together as a column slice)."""
        return other.phase is self.phase and other.layer == self.layer \
            and other.batch == self.batch


def build_units(layer_sizes: list[int], n_batches: int = 1) -> list[Unit]:
    """The fixed order of units in one epoch for layers of ``layer_sizes`` neurons
    (``n_batches`` mini-batches)."""
    order = range(len(layer_sizes))
    units = []
    for k in range(n_batches):
        units += [Unit(Phase.FORWARD, l, j, k) for l in order for j in range(layer_sizes[l])]
        units.append(Unit(Phase.LOSS, None, None, k))
        units += [Unit(Phase.BACKWARD, l, j, k) for l in reversed(order)
                  for j in range(layer_sizes[l])]
        units += [Unit(Phase.UPDATE, l, j, k) for l in order for j in range(layer_sizes[l])]
    return units


class Schedule:
    """The units of one epoch of a net whose layers have ``layer_sizes`` neurons, in
    ``n_batches`` mini-batches, and the step boundaries between them."""

    def __init__(self, layer_sizes: list[int], n_batches: int = 1):
        self.units = build_units(layer_sizes, n_batches)
        self.n_batches = n_batches
        self.units_per_batch = len(self.units) // n_batches
        #: (phase, layer, neuron, batch) → position; (phase, None, None, batch) → the
        #: phase's first unit in that batch
        self._at: dict[tuple, int] = {}
        for k, u in enumerate(self.units):
            self._at.setdefault((u.phase, u.layer, u.neuron, u.batch), k)
            self._at.setdefault((u.phase, None, None, u.batch), k)

    def __len__(self) -> int:
        return len(self.units)

    def index(self, phase: Phase | str, layer: int | None = None,
              neuron: int | None = None, batch: int = 0) -> int:
        """Position of ``phase``'s unit for (layer, neuron) in mini-batch ``batch``, or
        of the phase's first unit when they are None; ValueError if there is none."""
        try:
            return self._at[(Phase(phase), layer, neuron, batch)]
        except KeyError:
            raise ValueError(f"no {Phase(phase).value} step for that neuron") from None

    def end_of_step(self, cursor: int, granularity: Granularity) -> int:
        """One past the last unit that a step at ``granularity`` from ``cursor`` runs."""
        units = self.units
        first = units[cursor]
        if granularity is Granularity.NEURON:
            return cursor + 1
        if granularity is Granularity.EPOCH:
            return len(units)
        if granularity == BATCH:
            return (first.batch + 1) * self.units_per_batch
        end = cursor + 1
        while end < len(units) and units[end].phase is first.phase and \
                units[end].batch == first.batch and \
                (granularity is Granularity.PHASE or units[end].layer == first.layer):
            end += 1
        return end

    def groups(self, start: int, end: int) -> Iterator[tuple[Unit, int]]:
        """The units ``start … end-1`` as (first unit, count) groups of one phase of
        one layer in one batch."""
        i = start
        while i < end:
            u, j = self.units[i], i + 1
            while j < end and u.joins(self.units[j]):
                j += 1
            yield u, j - i
            i = j

    def step_back(self, epoch: int, cursor: int,
                  granularity: Granularity) -> tuple[int, int] | None:
        """(epoch, cursor) one step back from (epoch, cursor) at ``granularity``; None
        at the very start."""
        if cursor == 0:
            if epoch == 0:
                return None
            epoch, cursor = epoch - 1, len(self.units)
        if granularity is Granularity.EPOCH:
            return epoch, 0
        last = self.units[cursor - 1]
        if granularity == BATCH:
            return epoch, last.batch * self.units_per_batch
        start = cursor - 1
        if granularity is not Granularity.NEURON:
            while start > 0 and self.units[start - 1].phase is last.phase and \
                    self.units[start - 1].batch == last.batch and \
                    (granularity is Granularity.PHASE or self.units[start - 1].layer == last.layer):
                start -= 1
        return epoch, start
