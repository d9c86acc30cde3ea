"""How good a prediction is.  ``y_hat`` and ``y`` have shape (N, K)."""
from __future__ import annotations

import numpy as np


def binary_accuracy(y_hat: np.ndarray, y: np.ndarray, threshold: float = 0.5) -> float:
    """Fraction of outputs on the same side of ``threshold`` as the target."""
    return float(((y_hat > threshold) == (y > threshold)).mean())


def class_accuracy(y_hat: np.ndarray, y: np.ndarray) -> float:
    """Fraction of rows whose largest output is at the target's class (one-hot y, K > 1)."""
    return float((y_hat.argmax(axis=1) == y.argmax(axis=1)).mean())


def accuracy(y_hat: np.ndarray, y: np.ndarray) -> float:
    """Binary accuracy for one output (K = 1), argmax accuracy for K > 1 classes."""
    return binary_accuracy(y_hat, y) if y.shape[1] == 1 else class_accuracy(y_hat, y)


def r_squared(y_hat: np.ndarray, y: np.ndarray) -> float:
    """Coefficient of determination 1 − SS_res/SS_tot (1 is perfect, 0 is 'predict the mean').

    A diverged prediction (huge or NaN) gives −inf or NaN quietly: the caller
    reports the divergence, so NumPy's overflow warning would only be noise."""
    with np.errstate(over="ignore", invalid="ignore"):
        ss_tot = float(((y - y.mean(axis=0)) ** 2).sum())
        ss_res = float(((y_hat - y) ** 2).sum())
    return 1.0 - ss_res / ss_tot if ss_tot > 0 else float("nan")
