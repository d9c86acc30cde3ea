"""Live loss chart (plotext via textual-plotext).

Long histories are thinned to about two points per column before plotting, so
a redraw costs the same at epoch 100 and epoch 100 000.  The log view plots
log₁₀(loss) on a linear axis (plotext's own log axis fails on repeated builds).
"""
from __future__ import annotations

import math

import numpy as np
from textual_plotext import PlotextPlot


def thin(losses: list[float], max_points: int) -> tuple[np.ndarray, np.ndarray]:
    """(epochs, losses) with at most ``max_points`` points, always keeping the last."""
    n = len(losses)
    if n == 0:
        return np.zeros(0), np.zeros(0)
    idx = np.unique(np.linspace(0, n - 1, min(n, max_points)).round().astype(int))
    return idx + 1, np.asarray(losses, dtype=float)[idx]


class LossChart(PlotextPlot):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.log_scale = True
        self._shown: tuple = ()

    def show(self, losses: list[float], title: str) -> None:
        key = (len(losses), losses[-1] if losses else None, self.log_scale, title,
               self.size.width)
        if key == self._shown:
            return
        self._shown = key
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        x, y = thin(losses, max(20, 2 * self.size.width))
        finite = np.isfinite(y) & (y > 0)
        x, y = x[finite], y[finite]
        if self.log_scale:
            y = np.log10(y)
        plt.title(title)
        plt.xlabel("epoch")
        plt.ylabel("log₁₀ loss" if self.log_scale else "loss")
        if len(x):
            plt.plot(x.tolist(), y.tolist(), marker="braille", color="cyan")
            if len(x) == 1:
                plt.xlim(0, 2)
        self.refresh()

    def toggle_log(self) -> bool:
        self.log_scale = not self.log_scale
        self._shown = ()
        return self.log_scale


def last_loss_text(losses: list[float]) -> str:
    if not losses:
        return "–"
    v = losses[-1]
    return f"{v:.4g}" if math.isfinite(v) else str(v)
