"""Activation functions f(z) and their derivatives f'(z).

Every activation works element-wise on an array ``z`` of any shape and
returns an array of the same shape and dtype.  ``derivative`` receives both
``z`` and ``a = f(z)`` because some derivatives are cheapest from ``a``
(sigmoid: a(1-a), tanh: 1-a²).
"""
from __future__ import annotations

import numpy as np


class Activation:
    """Base class: subclasses define ``name``, ``__call__`` and ``derivative``."""

    name: str = "activation"
    symbol: str = "f"  #: how the narration writes it, e.g. σ for sigmoid

    def __call__(self, z: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def derivative(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))


class Identity(Activation):
    """f(z) = z, f'(z) = 1. The usual output for regression."""

    name = "identity"
    symbol = "id"

    def __call__(self, z):
        return z

    def derivative(self, z, a):
        return np.ones_like(z)


class Sigmoid(Activation):
    """f(z) = 1 / (1 + e^-z), f'(z) = f(z)(1 - f(z)).

    Computed as ½ + ½·tanh(z/2), which is the same function but never
    evaluates ``exp`` of a large number: no overflow warning and no NaN for
    any finite z (tanh saturates cleanly to ±1).
    """

    name = "sigmoid"
    symbol = "σ"

    def __call__(self, z):
        a = np.tanh(z * 0.5)
        a *= 0.5
        a += 0.5
        return a

    def derivative(self, z, a):
        return a * (1.0 - a)


class Tanh(Activation):
    """f(z) = tanh z, f'(z) = 1 - tanh² z."""

    name = "tanh"
    symbol = "tanh"

    def __call__(self, z):
        return np.tanh(z)

    def derivative(self, z, a):
        return 1.0 - a * a


class ReLU(Activation):
    """f(z) = max(0, z), f'(z) = 1 if z > 0 else 0 (0 at the kink)."""

    name = "relu"
    symbol = "relu"

    def __call__(self, z):
        return np.maximum(z, 0)

    def derivative(self, z, a):
        return (z > 0).astype(z.dtype)


ACTIVATIONS: dict[str, type[Activation]] = {
    cls.name: cls for cls in (Identity, Sigmoid, Tanh, ReLU)
}


def get_activation(name: str | Activation) -> Activation:
    """Return an activation instance from its name (``"sigmoid"``) or pass one through."""
    if isinstance(name, Activation):
        return name
    try:
        return ACTIVATIONS[name.lower()]()
    except KeyError:
        choices = ", ".join(ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r} (choose from {choices})") from None
