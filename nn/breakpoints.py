"""Breakpoints: conditions that stop playing, checked after every epoch.

Each check reads what the engine already holds (the loss history, the last
gradients and pre-activations) and returns a one-line reason when it fires.
NaN/inf needs no breakpoint: the stepper always halts on it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SATURATING = ("sigmoid", "tanh")


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

    def check(self, net, losses: list[float], epoch: int) -> str | None:
        """The reason to stop after ``epoch`` (whose loss is ``losses[-1]``), or None."""
        if self.target and losses and losses[-1] <= self.target_loss:
            return f"loss reached {losses[-1]:.4g} ≤ {self.target_loss:g} at epoch {epoch}"
        if self.loss_up and len(losses) >= 2 and losses[-1] > losses[-2]:
            return f"loss went up at epoch {epoch}: {losses[-2]:.6g} → {losses[-1]:.6g}"
        if self.vanishing:
            for l, layer in enumerate(net.layers):
                biggest = float(np.abs(layer.dW).max(initial=0.0))
                if biggest < self.vanishing_below:
                    return (f"vanishing gradient in layer {l} at epoch {epoch}: "
                            f"max |dw| = {biggest:.3g} < {self.vanishing_below:g}")
        if self.saturated:
            for l, layer in enumerate(net.layers):
                if layer.activation.name in SATURATING and len(layer.z):
                    stuck = np.flatnonzero((np.abs(layer.z) > self.saturated_above).all(axis=0))
                    if len(stuck):
                        return (f"layer {l} neuron {stuck[0]} ({layer.activation.name}) saturated "
                                f"at epoch {epoch}: |z| > {self.saturated_above:g} on every sample")
        return None
