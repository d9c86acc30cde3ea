"""Neuron inspector: everything the engine knows about the selected neuron."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.console import Group
from rich.table import Table
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


def render_inspector(v: NeuronView) -> Group:
    title = Text()
    title.append(neuron_name(v.layer, v.index, v.n_layers), style="bold cyan")
    title.append(f"  layer {v.layer}, neuron {v.index} · {v.activation}")
    if v.stale:
        title.append("  (values from the previous pass)", style="dim")
    params = Table(box=None, pad_edge=False, expand=False, header_style="bold")
    for col in ("", "value", "grad", "last Δ"):
        params.add_column(col, justify="right")
    for k in range(len(v.w)):
        params.add_row(f"w{k + 1} ({input_name(v.layer, k, v.n_layers)})", num(v.w[k]),
                       num(v.dw[k]), num(v.change_w[k]))
    params.add_row("b", num(v.b), num(v.db), num(v.change_b))

    samples = Table(box=None, pad_edge=False, header_style="bold")
    for col in ("sample", "z", "a", "δ"):
        samples.add_column(col, justify="right")
    n = len(v.z)
    if n:
        start = max(0, min(v.sample - MAX_SAMPLES // 2, n - MAX_SAMPLES))
        for i in range(start, min(n, start + MAX_SAMPLES)):
            style = "reverse" if i == v.sample else ""
            d = num(v.delta[i]) if len(v.delta) == n else "–"
            samples.add_row(str(i), num(v.z[i]), num(v.a[i]), d, style=style)
        if n > MAX_SAMPLES:
            samples.caption = f"{n} samples; [ and ] change the sample"
    else:
        samples.add_row("–", "–", "–", "–")
    return Group(title, params, samples)


class Inspector(Static):
    def show(self, view: NeuronView) -> None:
        self.update(render_inspector(view))
