"""Confusion matrices and mistakes of a classifier: which class it says for which class it is."""
from __future__ import annotations

import numpy as np


def confusion_matrix(scores: np.ndarray, y: np.ndarray, k: int | None = None) -> np.ndarray:
    """Counts (K, K) int64: row = the true class (argmax of one-hot ``y`` (n, K), or integer
    labels (n,)), column = the predicted class (argmax of ``scores`` (n, K)).  The diagonal
    holds the right answers; the sum is n."""
    pred = np.asarray(scores).argmax(axis=1)
    true = np.asarray(y)
    true = true.argmax(axis=1) if true.ndim == 2 else true.astype(np.int64)
    k = k or (np.asarray(scores).shape[1])
    return np.bincount(true * k + pred, minlength=k * k).reshape(k, k)


def mistakes(scores: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Row indices (m,) where argmax(``scores``) differs from the true class, in row order."""
    true = np.asarray(y)
    true = true.argmax(axis=1) if true.ndim == 2 else true
    return np.flatnonzero(np.asarray(scores).argmax(axis=1) != true)
