"""A single neuron: a live *view* on one column of its :class:`~nn.layer.Layer`.

Nothing is copied.  ``neuron.w`` is ``layer.W[:, j]``, so writing
``neuron.w[0] = 0.5`` changes the layer, and every update the layer makes
shows up in the neuron.  Shapes (N = samples):

    w, dw   (n_in,)     incoming weights and their gradient
    b, db   float       bias and its gradient
    z, a    (N,)        pre-activation and activation for each sample
    delta   (N,)        δ = ∂L/∂z for each sample
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .layer import Layer


class Neuron:
    """Neuron ``index`` of ``layer``: z = X·w + b, a = f(z)."""

    __slots__ = ("layer", "index")

    def __init__(self, layer: "Layer", index: int):
        if not 0 <= index < layer.n_out:
            raise IndexError(f"layer has {layer.n_out} neurons; no neuron {index}")
        self.layer = layer
        self.index = index

    @property
    def activation(self):
        return self.layer.activation

    @property
    def w(self) -> np.ndarray:
        return self.layer.W[:, self.index]

    @w.setter
    def w(self, value) -> None:
        self.layer.W[:, self.index] = value

    @property
    def b(self) -> float:
        return float(self.layer.b[self.index])

    @b.setter
    def b(self, value: float) -> None:
        self.layer.b[self.index] = value

    @property
    def dw(self) -> np.ndarray:
        return self.layer.dW[:, self.index]

    @property
    def db(self) -> float:
        return float(self.layer.db[self.index])

    @property
    def z(self) -> np.ndarray:
        return self.layer.z[:, self.index]

    @property
    def a(self) -> np.ndarray:
        return self.layer.a[:, self.index]

    @property
    def delta(self) -> np.ndarray:
        return self.layer.delta[:, self.index]

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Compute this neuron alone on ``x`` (N, n_in); returns its ``a`` (N,)."""
        self.layer.forward(x, slice(self.index, self.index + 1))
        return self.a

    def __repr__(self) -> str:
        return f"Neuron(index={self.index}, n_in={self.layer.n_in}, {self.activation.name})"
