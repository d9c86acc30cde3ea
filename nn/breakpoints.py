"""Breakpoints: conditions that stop playing, checked after every epoch.

Each check reads what the engine already holds (the loss history, the last
gradients and pre-activations) and returns a :class:`Stop` when it fires.
NaN/inf needs no breakpoint: the stepper always halts on it.

A check runs once epoch k has finished, when the status line already shows
epoch k+1, so every message says "in epoch k (just finished)".
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .naming import layer_name, neuron_name

SATURATING = ("sigmoid", "tanh")


class Stop(str):
    """Why playing stopped: the text itself (``str(stop)`` is the reason), plus
    ``layer`` and ``neuron`` (0-based engine indices, or None) so that a screen
    can highlight the neuron or layer concerned."""

    layer: int | None
    neuron: int | None

    def __new__(cls, reason: str, layer: int | None = None, neuron: int | None = None):
        self = super().__new__(cls, reason)
        self.layer, self.neuron = layer, neuron
        return self

    @property
    def reason(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return f"Stop({str(self)!r}, layer={self.layer}, neuron={self.neuron})"


def _last_two(losses) -> tuple[float | None, float | None]:
    """The last and the one-before-last loss; None where there is none (or it is
    older than what a LossHistory keeps exactly)."""
    try:
        last = losses[-1]
    except IndexError:
        return None, None
    try:
        before = losses[-2]
    except IndexError:
        before = None
    return last, before


@dataclass
class Breakpoints:
    loss_up: bool = False            #: the loss rose from one epoch to the next
    vanishing: bool = False          #: a layer's largest |dw| fell below ``vanishing_below``
    vanishing_below: float = 1e-6
    saturated: bool = False          #: a sigmoid/tanh neuron has |z| > ``saturated_above`` on every sample
    saturated_above: float = 6.0
    target: bool = False             #: the loss reached ``target_loss``
    target_loss: float = 1e-3

    def any_enabled(self) -> bool:
        return self.loss_up or self.vanishing or self.saturated or self.target

    def check(self, net, losses, epoch: int) -> Stop | None:
        """Why to stop after ``epoch`` (just finished; its loss is ``losses[-1]``),
        or None.  ``losses`` is a list or a :class:`~nn.history.LossHistory`."""
        when = f"in epoch {epoch} (just finished)"
        last, before = _last_two(losses)
        if self.target and last is not None and last <= self.target_loss:
            return Stop(f"loss reached {last:.4g} ≤ {self.target_loss:g} {when}")
        if self.loss_up and before is not None and last > before:
            return Stop(f"loss went up {when}: {before:.6g} → {last:.6g}")
        n_layers = len(net.layers)
        if self.vanishing:
            for l, layer in enumerate(net.layers):
                biggest = float(np.abs(layer.dW).max(initial=0.0))
                if biggest < self.vanishing_below:
                    return Stop(f"vanishing gradient in {layer_name(l, n_layers)} {when}: "
                                f"max |dw| = {biggest:.3g} < {self.vanishing_below:g}", l)
        if self.saturated:
            for l, layer in enumerate(net.layers):
                if layer.activation.name in SATURATING and len(layer.z):
                    stuck = np.flatnonzero((np.abs(layer.z) > self.saturated_above).all(axis=0))
                    if len(stuck):
                        j = int(stuck[0])
                        return Stop(f"{neuron_name(l, j, net.sizes)} ({layer_name(l, n_layers)}, "
                                    f"{layer.activation.name}) saturated {when}: "
                                    f"|z| > {self.saturated_above:g} on every sample", l, j)
        return None
