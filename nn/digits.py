"""The 8×8 handwritten digits shipped in ``nn/data/digits.csv.gz`` (see its README there:
the UCI "Optical Recognition of Handwritten Digits" test set, CC BY 4.0).

:func:`load_digits` gives the images as rows of 64 pixels scaled to [0, 1] and their labels;
:func:`digits` the task's inputs and one-hot targets.  Pure NumPy (gzip, csv from the
standard library); the file is read once per process.
"""
from __future__ import annotations

import gzip
from functools import lru_cache
from importlib import resources

import numpy as np

#: image height and width
SHAPE = (8, 8)
#: the ten classes
CLASSES = 10
#: raw pixels count "on" bits in a 4×4 block: 0 … 16
PIXEL_MAX = 16.0
#: rows in the file
N_SAMPLES = 1797
#: SHA-256 of the shipped file (tests/test_digits.py checks it)
SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"


def data_bytes() -> bytes:
    """The shipped ``digits.csv.gz`` as it is on disk."""
    return resources.files("nn").joinpath("data", "digits.csv.gz").read_bytes()


@lru_cache(maxsize=1)
def _load() -> tuple[np.ndarray, np.ndarray]:
    text = gzip.decompress(data_bytes()).decode("ascii")
    raw = np.loadtxt(text.splitlines(), delimiter=",", dtype=np.float64)
    pixels, labels = raw[:, :-1] / PIXEL_MAX, raw[:, -1].astype(np.int64)
    pixels.setflags(write=False)
    labels.setflags(write=False)
    return pixels, labels


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """Pixels (1797, 64) float64 in [0, 1], row-major per image (top-left first), and labels
    (1797,) int 0–9.  Fresh copies (the cache stays read-only)."""
    pixels, labels = _load()
    return pixels.copy(), labels.copy()


def digits() -> tuple[np.ndarray, np.ndarray]:
    """The task: inputs X (1797, 64) in [0, 1] and one-hot targets y (1797, 10)."""
    pixels, labels = load_digits()
    return pixels, np.eye(CLASSES)[labels]
