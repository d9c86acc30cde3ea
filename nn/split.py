"""A seeded, stratified train/test split: every class keeps its share in both parts."""
from __future__ import annotations

import numpy as np


def stratified_split_indices(labels: np.ndarray, fraction: float,
                             seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (train, test) of integer ``labels`` (n,), each sorted, disjoint, together
    0…n−1.  From every class, round(``fraction`` · its count) rows (at least one, and at
    least one left to train) go to the test part, chosen by a permutation seeded by ``seed``.
    ``ValueError`` if ``fraction`` is not in (0, 1) or a class has fewer than 2 rows."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"the test fraction must be between 0 and 1, got {fraction:g}")
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    test: list[np.ndarray] = []
    for k in np.unique(labels):
        rows = np.flatnonzero(labels == k)
        if len(rows) < 2:
            raise ValueError(f"class {k} has only {len(rows)} sample; a stratified split "
                             "needs at least 2 of every class")
        n_test = min(len(rows) - 1, max(1, int(round(fraction * len(rows)))))
        test.append(rng.permutation(rows)[:n_test])
    held = np.sort(np.concatenate(test))
    mask = np.ones(len(labels), bool)
    mask[held] = False
    return np.flatnonzero(mask), held
