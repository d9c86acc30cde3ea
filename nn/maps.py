"""Neuron maps: what every neuron computes over the input plane.

For a network with two raw inputs (x₁, x₂), lay a grid of G columns × H rows
over a rectangle around the data and run *one* batched forward pass over all
G·H points.  Each layer's activations, reshaped to (H, G) per neuron, are the
heatmaps TensorFlow Playground draws beside its nodes.

The pass uses each layer's own activation object (the same f(z) training
uses) but never writes the layers' cached ``x``, ``z``, ``a`` — the stepper
relies on those between steps.

Grid layout (as a picture): row 0 is the top (largest x₂), column 0 the left
(smallest x₁); points are row-major, so ``maps[l][:, j].reshape(H, G)`` is
neuron j of layer l as an image.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Bounds:
    """The rectangle a map covers: x₁ in [x1_lo, x1_hi], x₂ in [x2_lo, x2_hi]."""

    x1_lo: float
    x1_hi: float
    x2_lo: float
    x2_hi: float


def data_bounds(X2: np.ndarray, margin: float = 0.1) -> Bounds:
    """A square around the points ``X2`` (N, 2): centred on their bounding box,
    its side the box's longer side (0 counts as 1) widened by ``margin`` of it
    on every side, so that a circle in the data stays round on the map."""
    X2 = np.asarray(X2, dtype=float)
    if X2.ndim != 2 or X2.shape[1] != 2 or not len(X2):
        raise ValueError(f"neuron maps need points with 2 inputs, got shape {X2.shape}")
    finite = X2[np.all(np.isfinite(X2), axis=1)]
    if not len(finite):
        finite = np.zeros((1, 2))
    lo, hi = finite.min(axis=0), finite.max(axis=0)
    half = (float((hi - lo).max()) or 1.0) * (0.5 + margin)
    centre = (lo + hi) / 2
    lo, hi = centre - half, centre + half
    return Bounds(float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))


def grid_points(bounds: Bounds, cols: int, rows: int) -> np.ndarray:
    """The centres of a cols × rows grid of pixels over ``bounds``: (rows·cols, 2),
    row-major, first row at the top (largest x₂), first column at the left."""
    x1 = bounds.x1_lo + (np.arange(cols) + 0.5) / cols * (bounds.x1_hi - bounds.x1_lo)
    x2 = bounds.x2_hi - (np.arange(rows) + 0.5) / rows * (bounds.x2_hi - bounds.x2_lo)
    g1, g2 = np.meshgrid(x1, x2)
    return np.column_stack([g1.ravel(), g2.ravel()])


def pixel_of(points: np.ndarray, bounds: Bounds, cols: int, rows: int
             ) -> tuple[np.ndarray, np.ndarray]:
    """(row, col) of the pixel each point (N, 2) falls in (the inverse of
    :func:`grid_points`); points outside are clipped to the border pixels."""
    p = np.asarray(points, dtype=float)
    u = (p[:, 0] - bounds.x1_lo) / ((bounds.x1_hi - bounds.x1_lo) or 1.0)
    v = (bounds.x2_hi - p[:, 1]) / ((bounds.x2_hi - bounds.x2_lo) or 1.0)
    col = np.clip(np.floor(np.nan_to_num(u) * cols), 0, cols - 1).astype(int)
    row = np.clip(np.floor(np.nan_to_num(v) * rows), 0, rows - 1).astype(int)
    return row, col


def layer_activations(net, points: np.ndarray,
                      features: Callable[[np.ndarray], np.ndarray] | None = None
                      ) -> list[np.ndarray]:
    """Every layer's activations a for ``points`` (P, 2): a list with one
    (P, n_out) array per layer, from one batched forward pass.

    ``features`` maps the 2-D points to the network's input (P, n_in) when the
    input layer has extra columns (x₁², x₁x₂, …).  The layers' cached x, z, a
    are not touched."""
    a = np.asarray(points if features is None else features(points), dtype=net.dtype)
    if a.ndim != 2 or a.shape[1] != net.layers[0].n_in:
        raise ValueError(f"the network takes {net.layers[0].n_in} inputs, the map points "
                         f"give {a.shape[-1]}: pass features= to map x₁, x₂ to them")
    out = []
    for layer in net.layers:
        a = layer.activation(np.dot(a, layer.W) + layer.b)
        out.append(a)
    return out


def neuron_maps(net, bounds: Bounds, cols: int, rows: int,
                features: Callable[[np.ndarray], np.ndarray] | None = None
                ) -> list[np.ndarray]:
    """Every neuron's map over ``bounds``: per layer an array (n_out, rows, cols)."""
    acts = layer_activations(net, grid_points(bounds, cols, rows), features)
    return [a.T.reshape(a.shape[1], rows, cols) for a in acts]


__all__ = ["Bounds", "data_bounds", "grid_points", "pixel_of", "layer_activations",
           "neuron_maps"]
