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


#: Largest exponent evaluated: e^500 ≈ 1.4e217 is still finite, and σ(−500)
#: is already 0 to far below float64 resolution.  (A very negative exponent
#: just underflows to 0, which is silent and correct.)
EXP_LIMIT = 500.0


def _logistic(z: np.ndarray, scale: float) -> np.ndarray:
    """1 / (1 + e^(−scale·z)), in a fresh array, without overflow."""
    t = np.multiply(z, -scale)
    np.minimum(t, EXP_LIMIT, out=t)
    np.exp(t, out=t)
    t += 1.0
    np.reciprocal(t, out=t)
    return t


class Sigmoid(Activation):
    """f(z) = 1 / (1 + e^-z), f'(z) = f(z)(1 - f(z)).

    The exponent is capped at 500 first, so there is no overflow warning and
    no NaN for any finite z (the result saturates cleanly at 0 and 1).
    """

    name = "sigmoid"
    symbol = "σ"

    def __call__(self, z):
        return _logistic(z, 1.0)

    def derivative(self, z, a):
        return a * (1.0 - a)


class Tanh(Activation):
    """f(z) = tanh z, f'(z) = 1 - tanh² z.

    Evaluated as 2σ(2z) − 1: the same function to within 1e-15, and about twice
    as fast as ``np.tanh`` on CPUs where NumPy has no SIMD float64 tanh.
    """

    name = "tanh"
    symbol = "tanh"

    def __call__(self, z):
        a = _logistic(z, 2.0)
        a *= 2.0
        a -= 1.0
        return a

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
