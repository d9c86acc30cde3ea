"""The θ layout: where each layer's W and b sit in the flat parameter vector.

θ holds every parameter of a network in one vector, layer after layer::

    θ = [ W₀ (n₀·n₁, row-major: input i, neuron j at i·n₁ + j) | b₀ (n₁) | W₁ | b₁ | … ]

The gradient ∇θ, every optimizer state vector (momentum's v, Adam's m and v), the
per-epoch snapshots and the stepper's last changes use the same layout, and a
stack of R networks (:mod:`nn.stacked`) uses it along its last axis (R, n_params).
This module is the only place that knows it.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Sequence

import numpy as np


@dataclass(frozen=True)
class ThetaLayout:
    """The layout of θ for layers of ``shapes`` [(n_in, n_out), …]."""

    shapes: tuple[tuple[int, int], ...]

    @classmethod
    def from_sizes(cls, sizes: Sequence[int]) -> "ThetaLayout":
        """The layout of a net of ``sizes`` [n₀, n₁, …, n_L]."""
        return cls(tuple((int(a), int(b)) for a, b in zip(sizes, sizes[1:])))

    @cached_property
    def spans(self) -> tuple[tuple[int, int, int], ...]:
        """Per layer (start of W, end of W = start of b, end of b)."""
        out, start = [], 0
        for n_in, n_out in self.shapes:
            w_end = start + n_in * n_out
            out.append((start, w_end, w_end + n_out))
            start = w_end + n_out
        return tuple(out)

    @property
    def size(self) -> int:
        """n_params: the length of θ."""
        return self.spans[-1][2] if self.spans else 0

    def split(self, flat: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Views (W, b) per layer into ``flat`` (…, n_params): W (…, n_in, n_out),
        b (…, n_out); writing into them writes into ``flat``."""
        lead = flat.shape[:-1]
        return [(flat[..., s:w].reshape(lead + shape), flat[..., w:e])
                for (s, w, e), shape in zip(self.spans, self.shapes)]

    def copies(self, flat: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Like :meth:`split`, but copies: (W, b) per layer, as ``get_params`` gives."""
        return [(W.copy(), b.copy()) for W, b in self.split(flat)]

    def neuron_index(self, layer: int, start: int, stop: int) -> np.ndarray:
        """Positions in θ of the W columns and biases of neurons ``start … stop-1`` of
        ``layer`` (its incoming weights, input by input, then its biases)."""
        s, w_end, _ = self.spans[layer]
        n_in, n_out = self.shapes[layer]
        j = np.arange(start, stop)
        w = s + np.arange(n_in)[:, None] * n_out + j[None, :]
        return np.concatenate([w.ravel(), w_end + j])

    def locate(self, k: int) -> tuple[int, str, tuple[int, ...]]:
        """Which parameter θ[k] is: (layer, "w", (input, neuron)) or (layer, "b", (neuron,))."""
        for l, ((s, w_end, e), (n_in, n_out)) in enumerate(zip(self.spans, self.shapes)):
            if s <= k < w_end:
                return l, "w", divmod(k - s, n_out)
            if w_end <= k < e:
                return l, "b", (k - w_end,)
        raise IndexError(f"parameter index {k} out of range (θ has {self.size})")
