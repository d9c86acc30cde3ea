"""Matplotlib figures for reports: the loss curve and the regression surface.

Uses the Agg backend (no display needed); safe to call from a worker thread.
"""
from __future__ import annotations

from pathlib import Path
import numpy as np

from tui.core.output import atomic_write_with

LOSS_PNG = "loss.png"
SURFACE_PNG = "surface.png"
#: what an image task adds (tui/view/plots_digits.py): weights, confusion matrix, mistakes
IMAGE_PNGS = ["weights.png", "confusion.png", "mistakes.png"]


def export_names(with_surface: bool, images: bool = False) -> list[str]:
    """The file names :func:`export_all` writes (``images``: and, for an image task, those
    of :mod:`tui.view.plots_digits`)."""
    names = [LOSS_PNG, SURFACE_PNG] if with_surface else [LOSS_PNG]
    return names + IMAGE_PNGS if images else names


def _save_png(fig, path: str | Path) -> Path:
    """Write ``fig`` as PNG atomically (an existing file survives any failure), then close
    it, written or not (pyplot keeps every open figure until it is closed)."""
    try:
        return atomic_write_with(path, lambda f: fig.savefig(f, format="png"))
    finally:
        _pyplot().close(fig)


def _loss_series(losses) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(epochs, lo, hi)`` from a plain sequence of losses (loss k is at epoch k, the
    count of updates done; lo == hi) or from an envelope tuple of equal-length arrays."""
    if isinstance(losses, tuple) and len(losses) == 3 and all(np.ndim(a) == 1 for a in losses):
        epochs, lo, hi = (np.asarray(a, dtype=float) for a in losses)
        if not len(epochs) == len(lo) == len(hi):
            raise ValueError("loss envelope: epochs, lo and hi must have the same length")
        return epochs, lo, hi
    values = np.asarray(losses, dtype=float).ravel()
    return np.arange(len(values), dtype=float), values, values


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def loss_curve(losses, path: str | Path, title: str = "Training loss",
               ylabel: str = "MSE loss (log scale)") -> Path:
    """Write the loss per epoch on a log scale to ``path`` (PNG).

    ``losses`` is a sequence (the loss at epochs 0, 1, …) or an envelope ``(epochs, lo, hi)``
    of equal-length arrays (lo == hi where exact): the curve is drawn through the middle
    and lo..hi is shaded."""
    plt = _pyplot()
    epochs, lo, hi = _loss_series(losses)
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=120)
    finite = np.isfinite(lo) & np.isfinite(hi) & (lo > 0) & (hi > 0)
    with np.errstate(all="ignore"):
        losses = np.sqrt(lo * hi)  # the geometric middle: the middle on a log axis
    if (lo[finite] != hi[finite]).any():
        ax.fill_between(epochs[finite], lo[finite], hi[finite], color="#1f77b4", alpha=0.25,
                        lw=0, label="min..max per bin")
    ax.plot(epochs[finite], losses[finite], color="#1f77b4", lw=1.6)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=9 if "\n" in title or len(title) > 60 else None)
    ax.grid(True, which="both", alpha=0.3)
    if finite.any():
        last = losses[finite][-1]
        ax.annotate(f"final {last:.3g}", xy=(epochs[finite][-1], last),
                    xytext=(-10, 12), textcoords="offset points", ha="right")
    fig.tight_layout()
    return _save_png(fig, path)


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
    return _save_png(fig, path)


def export_all(folder: str | Path, losses, predict=None, target=None,
               title: str = "Training loss") -> list[Path]:
    """Write ``loss.png`` and, when ``target`` is given, ``surface.png`` into ``folder``
    (each atomically).  ``losses``: a sequence or an ``(epochs, lo, hi)`` envelope, see
    :func:`loss_curve`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = [loss_curve(losses, folder / LOSS_PNG, title)]
    if predict is not None and target is not None:
        written.append(surface(predict, target, folder / SURFACE_PNG))
    return written
