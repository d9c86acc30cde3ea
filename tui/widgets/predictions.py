"""Predictions: a truth table for the gates, or half-block heatmaps of the
prediction over the input square beside the target."""
from __future__ import annotations

import numpy as np
from rich.color import Color
from rich.console import Group
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from ..format import num

LOW = (242, 142, 43)   # class 0 / low values: orange
HIGH = (76, 155, 232)  # class 1 / high values: blue
MID = (235, 235, 235)
EMPTY = (40, 40, 46)


def colour(t: float) -> tuple[int, int, int]:
    """Orange → white → blue for t in [0, 1]."""
    t = min(1.0, max(0.0, float(t))) if np.isfinite(t) else 0.5
    a, b, u = (LOW, MID, t * 2) if t < 0.5 else (MID, HIGH, t * 2 - 1)
    return tuple(int(x + (y - x) * u) for x, y in zip(a, b))


def heatmap(values: np.ndarray, lo: float, hi: float) -> Text:
    """``values`` (rows, cols) with rows an even number, top row = high x₂.
    Each character shows two vertically stacked pixels with ▀ (fg top, bg bottom).
    NaN pixels are drawn dark (no data)."""
    rows, cols = values.shape
    span = (hi - lo) or 1.0
    text = Text(no_wrap=True)
    for r in range(0, rows - 1, 2):
        for c in range(cols):
            top, bottom = values[r, c], values[r + 1, c]
            fg = EMPTY if np.isnan(top) else colour((top - lo) / span)
            bg = EMPTY if np.isnan(bottom) else colour((bottom - lo) / span)
            text.append("▀", Style(color=Color.from_rgb(*fg), bgcolor=Color.from_rgb(*bg)))
        if r + 2 < rows:
            text.append("\n")
    return text


def rasterise(X: np.ndarray, y: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Mean target of the samples falling in each pixel of [-1, 1]² (NaN where none)."""
    total = np.zeros((rows, cols))
    count = np.zeros((rows, cols))
    c = np.clip(((X[:, 0] + 1) / 2 * cols).astype(int), 0, cols - 1)
    r = np.clip(((1 - X[:, 1]) / 2 * rows).astype(int), 0, rows - 1)
    np.add.at(total, (r, c), y[:, 0])
    np.add.at(count, (r, c), 1)
    with np.errstate(invalid="ignore"):
        return total / count


def truth_table(X: np.ndarray, y: np.ndarray, y_hat: np.ndarray) -> Table:
    table = Table(box=None, header_style="bold", pad_edge=False)
    for col in ("x₁", "x₂", "target", "ŷ", ""):
        table.add_column(col, justify="right")
    for i in range(len(X)):
        ok = (y_hat[i, 0] > 0.5) == (y[i, 0] > 0.5)
        table.add_row(num(X[i, 0]), num(X[i, 1]), num(y[i, 0]), num(y_hat[i, 0]),
                      Text("✓", style="green") if ok else Text("✗", style="red"))
    return table


def maps(pred: np.ndarray, target: np.ndarray, lo: float, hi: float, width: int) -> Group:
    left, right = heatmap(pred, lo, hi), heatmap(target, lo, hi)
    grid = Table.grid(padding=(0, 2))
    grid.add_column()
    grid.add_column()
    grid.add_row(Text("prediction ŷ", style="bold"), Text("target", style="bold"))
    grid.add_row(left, right)
    legend = Text()
    legend.append("■", Style(color=Color.from_rgb(*LOW)))
    legend.append(f" {num(lo, 3)}  ")
    legend.append("■", Style(color=Color.from_rgb(*HIGH)))
    legend.append(f" {num(hi, 3)}   x₁ → , x₂ ↑ on [-1, 1]²", style="")
    return Group(grid, legend)


class Predictions(Static):
    def show(self, renderable) -> None:
        self.update(renderable)
