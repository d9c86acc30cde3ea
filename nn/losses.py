"""Mean squared error.

For predictions ŷ and targets y of shape (N, K):

    L = 1/(N·K) · Σᵢₖ (ŷᵢₖ − yᵢₖ)²
    ∂L/∂ŷᵢₖ = 2/(N·K) · (ŷᵢₖ − yᵢₖ)

The gradient carries the full 2/(N·K) factor, so the weight gradients that
backpropagation produces are the exact derivatives of the reported loss
(checked against finite differences in the tests).
"""
from __future__ import annotations

import numpy as np


class MSE:
    """Mean squared error over all samples and outputs."""

    name = "mse"

    def __call__(self, y_hat: np.ndarray, y: np.ndarray) -> float:
        """Loss value; ``y_hat`` and ``y`` have shape (N, K)."""
        diff = y_hat - y
        return float(np.vdot(diff, diff)) / diff.size

    def gradient(self, y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
        """∂L/∂ŷ, shape (N, K)."""
        return self.value_and_gradient(y_hat, y)[1]

    def value_and_gradient(self, y_hat: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        """The loss and ∂L/∂ŷ from one subtraction."""
        diff = y_hat - y
        value = float(np.vdot(diff, diff)) / diff.size
        diff *= 2.0 / diff.size
        return value, diff

    def scale(self, y: np.ndarray) -> float:
        """The factor 2/(N·K) in the gradient, for narration."""
        return 2.0 / y.size
