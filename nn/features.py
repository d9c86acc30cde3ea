"""Input features, as TensorFlow Playground offers them: x₁, x₂, x₁², x₂², x₁x₂, sin x₁, sin x₂.

A data set's points are 2-D (x₁, x₂); the network sees the features chosen from
:data:`FEATURES`, one input node each.  With x₁² and x₂² the circle is linearly separable,
so it needs no hidden layer.  :class:`FeatureMap` is the function raw points (M, 2) →
network inputs (M, F).
"""
from __future__ import annotations

import numpy as np

from .naming import sub

#: key → (name shown on screen, function of the raw points (M, 2) → column (M,)).
FEATURES = {
    "x1": (f"x{sub(1)}", lambda P: P[:, 0]),
    "x2": (f"x{sub(2)}", lambda P: P[:, 1]),
    "x1^2": (f"x{sub(1)}²", lambda P: P[:, 0] ** 2),
    "x2^2": (f"x{sub(2)}²", lambda P: P[:, 1] ** 2),
    "x1x2": (f"x{sub(1)}x{sub(2)}", lambda P: P[:, 0] * P[:, 1]),
    "sin(x1)": (f"sin x{sub(1)}", lambda P: np.sin(P[:, 0])),
    "sin(x2)": (f"sin x{sub(2)}", lambda P: np.sin(P[:, 1])),
}
#: Other spellings accepted on the command line.
ALIASES = {"x1*x2": "x1x2", "x1x2": "x1x2", "x1**2": "x1^2", "x2**2": "x2^2",
           "sinx1": "sin(x1)", "sinx2": "sin(x2)", "sin x1": "sin(x1)", "sin x2": "sin(x2)"}
#: What the network sees when no features are chosen.
DEFAULT = ("x1", "x2")


def parse_features(text: str) -> tuple[str, ...]:
    """``"x1,x2,x1^2"`` → ("x1", "x2", "x1^2"): known keys, in the order given, no repeats.
    Raises ``ValueError`` naming the first unknown or repeated one."""
    keys: list[str] = []
    for part in text.split(","):
        word = " ".join(part.split()).lower()
        key = word if word in FEATURES else ALIASES.get(word)
        if key is None:
            raise ValueError(f"unknown feature {part.strip()!r} (choose from "
                             f"{', '.join(FEATURES)})")
        if key in keys:
            raise ValueError(f"feature {key} is given twice")
        keys.append(key)
    return tuple(keys)


class FeatureMap:
    """Raw points (M, 2) → the chosen feature columns (M, F), float64."""

    def __init__(self, keys: tuple[str, ...] | list[str]):
        unknown = [k for k in keys if k not in FEATURES]
        if unknown or not keys:
            raise ValueError(f"unknown feature {unknown[0]!r}" if unknown else "no features")
        self.keys = tuple(keys)

    @property
    def names(self) -> list[str]:
        """Names to show for the input nodes, in order: ["x₁", "x₂", "x₁²"]."""
        return [FEATURES[k][0] for k in self.keys]

    def __len__(self) -> int:
        return len(self.keys)

    def __call__(self, points: np.ndarray) -> np.ndarray:
        points = np.asarray(points, dtype=np.float64)
        with np.errstate(over="ignore", invalid="ignore"):  # |x| > 1.3e154 squared: inf, no
            # warning on the terminal (the data's features are checked where they are built)
            return np.column_stack([FEATURES[k][1](points) for k in self.keys])

    def __repr__(self) -> str:
        return f"FeatureMap({','.join(self.keys)})"
