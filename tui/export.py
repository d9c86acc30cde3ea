"""Matplotlib figures for reports: the loss curve and the regression surface.

Uses the Agg backend (no display needed); safe to call from a worker thread.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def loss_curve(losses: Sequence[float], path: str | Path, title: str = "Training loss") -> Path:
    """Write the loss per epoch on a log scale to ``path`` (PNG)."""
    plt = _pyplot()
    losses = np.asarray(losses, dtype=float)
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=120)
    epochs = np.arange(1, len(losses) + 1)
    finite = np.isfinite(losses) & (losses > 0)
    ax.plot(epochs[finite], losses[finite], color="#1f77b4", lw=1.6)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("MSE loss (log scale)")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    if finite.any():
        last = losses[finite][-1]
        ax.annotate(f"final {last:.3g}", xy=(epochs[finite][-1], last),
                    xytext=(-10, 12), textcoords="offset points", ha="right")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    plt.close(fig)
    return path


def surface(predict, target, path: str | Path, k: int = 41,
            title: str = "f(x₁, x₂) = x₁² + x₂²: true vs predicted") -> Path:
    """Two 3D surfaces side by side on a k×k grid over [-1, 1]²: ``target(X)``
    and ``predict(X)`` (both map (n, 2) to (n, 1)), sharing a colour bar."""
    plt = _pyplot()
    t = np.linspace(-1.0, 1.0, k)
    x1, x2 = np.meshgrid(t, t)
    X = np.column_stack([x1.ravel(), x2.ravel()])
    true = np.asarray(target(X)).reshape(k, k)
    pred = np.asarray(predict(X)).reshape(k, k)
    lo, hi = min(true.min(), pred.min()), max(true.max(), pred.max())
    fig = plt.figure(figsize=(12, 5.2), dpi=110)
    surf = None
    for i, (z, name) in enumerate(((true, "true"), (pred, "predicted"))):
        ax = fig.add_subplot(1, 2, i + 1, projection="3d")
        surf = ax.plot_surface(x1, x2, z, cmap="viridis", vmin=lo, vmax=hi,
                               linewidth=0, antialiased=True)
        ax.set_zlim(lo, hi)
        ax.set_xlabel("x₁")
        ax.set_ylabel("x₂")
        ax.set_zlabel("y")
        rmse = float(np.sqrt(np.mean((pred - true) ** 2)))
        ax.set_title(name if i == 0 else f"{name} (RMSE {rmse:.3f})")
    fig.colorbar(surf, ax=fig.axes, shrink=0.6, label="y")
    fig.suptitle(title)
    path = Path(path)
    fig.savefig(path)
    plt.close(fig)
    return path


def export_all(folder: str | Path, losses: Sequence[float], predict=None, target=None,
               title: str = "Training loss") -> list[Path]:
    """Write ``loss.png`` and, when ``target`` is given, ``surface.png`` into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = [loss_curve(losses, folder / "loss.png", title)]
    if predict is not None and target is not None:
        written.append(surface(predict, target, folder / "surface.png"))
    return written
