"""Neuron inspector: everything the engine knows about the selected neuron."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.text import Text
from textual.widgets import Static

from ..format import input_name, neuron_name, num

MAX_SAMPLES = 4


@dataclass
class NeuronView:
    """Copies of one neuron's numbers, taken under the session lock."""

    layer: int
    index: int
    n_layers: int
    activation: str
    w: np.ndarray        # (n_in,)
    b: float
    dw: np.ndarray       # (n_in,)
    db: float
    change_w: np.ndarray  # (n_in,) what the last update did
    change_b: float
    z: np.ndarray        # (N,)  empty before the first forward pass
    a: np.ndarray
    delta: np.ndarray
    sample: int
    stale: bool          # not yet recomputed in this epoch


def columns(rows: list[list[str]], widths: list[int], first_left: bool = True) -> list[str]:
    """Lay out cells in fixed-width columns (first left-aligned, the rest right)."""
    out = []
    for row in rows:
        cells = [c.ljust(w) if (k == 0 and first_left) else c.rjust(w)
                 for k, (c, w) in enumerate(zip(row, widths))]
        out.append(" ".join(cells))
    return out


def render_inspector(v: NeuronView) -> Text:
    """Plain aligned text (much cheaper to redraw than rich Tables while playing)."""
    t = Text(no_wrap=True, overflow="ellipsis")
    t.append(neuron_name(v.layer, v.index, v.n_layers), style="bold cyan")
    t.append(f"  layer {v.layer}, neuron {v.index} · {v.activation}")
    if v.stale:
        t.append("  (values from the previous pass)", style="dim")
    t.append("\n")
    rows = [["", "value", "grad", "last Δ"]]
    rows += [[f"w{k + 1} ({input_name(v.layer, k, v.n_layers)})", num(v.w[k]), num(v.dw[k]),
              num(v.change_w[k])] for k in range(len(v.w))]
    rows.append(["b", num(v.b), num(v.db), num(v.change_b)])
    widths = [max(len(r[k]) for r in rows) for k in range(4)]
    lines = columns(rows, widths)
    t.append(lines[0] + "\n", style="bold")
    for line in lines[1:]:
        t.append(line + "\n")
    n = len(v.z)
    rows = [["sample", "z", "a", "δ"]]
    shown = []
    if n:
        start = max(0, min(v.sample - MAX_SAMPLES // 2, n - MAX_SAMPLES))
        shown = list(range(start, min(n, start + MAX_SAMPLES)))
        rows += [[str(i), num(v.z[i]), num(v.a[i]),
                  num(v.delta[i]) if len(v.delta) == n else "–"] for i in shown]
    widths = [max(len(r[k]) for r in rows) for k in range(4)]
    lines = columns(rows, widths, first_left=False)
    t.append(lines[0], style="bold")
    for i, line in zip(shown, lines[1:]):
        t.append("\n")
        t.append(line, style="reverse" if i == v.sample else "")
    if n > MAX_SAMPLES:
        t.append(f"\n{n} samples; [ and ] change the sample", style="dim")
    return t


class Inspector(Static):
    """Sits in a scrolling box, so its height follows its content: a layout pass
    is asked for only when the number of lines changes (not on every frame)."""

    _lines = -1

    def show(self, view: NeuronView) -> None:
        text = render_inspector(view)
        lines = text.plain.count("\n")
        self.update(text, layout=lines != self._lines)
        self._lines = lines
