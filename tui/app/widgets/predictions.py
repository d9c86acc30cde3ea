"""Predictions: a truth table for the gates, or half-block heatmaps of the
prediction over the input square beside the target; or, when the frame asks
for it, the selected neuron's map large (:func:`tui.app.widgets.neuron_map.render_large`)."""
from __future__ import annotations

import re

import numpy as np
from rich.color import Color
from rich.style import Style
from rich.text import Text
from rich.segment import Segment
from textual.events import Click, Leave, MouseMove, Resize
from textual.message import Message

from tui.core.format import num, probability as _probability
from tui.view.views import PredictionsView
from tui.app.widgets.canvas import LineCanvas
from tui.app.widgets.diagram import color_system
from tui.app.widgets.neuron_map import render_large
from tui.app.widgets.neuron_map import large_map_point

LOW = (242, 142, 43)   # class 0 / low values: orange
HIGH = (76, 155, 232)  # class 1 / high values: blue
MID = (235, 235, 235)
EMPTY = (40, 40, 46)


LEVELS = 24  #: colour steps of the heatmaps (few styles keep redraws cheap)


def colour(t: float) -> tuple[int, int, int]:
    """Orange → white → blue for t in [0, 1]."""
    t = min(1.0, max(0.0, float(t))) if np.isfinite(t) else 0.5
    a, b, u = (LOW, MID, t * 2) if t < 0.5 else (MID, HIGH, t * 2 - 1)
    return tuple(int(x + (y - x) * u) for x, y in zip(a, b))


PALETTE = [Color.from_rgb(*colour(i / (LEVELS - 1))) for i in range(LEVELS)] + \
    [Color.from_rgb(*EMPTY)]
_STYLES: dict[tuple[int, int], Style] = {}


def _style(top: int, bottom: int) -> Style:
    key = (top, bottom)
    if key not in _STYLES:
        _STYLES[key] = Style(color=PALETTE[top], bgcolor=PALETTE[bottom])
    return _STYLES[key]


def levels(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Palette index per pixel; NaN (no data) gets the last, dark entry."""
    with np.errstate(invalid="ignore", over="ignore"):  # (values near ±1e308)
        span = (hi - lo) or 1.0
        idx = np.clip(np.round((values - lo) / span * (LEVELS - 1)), 0, LEVELS - 1)
    return np.where(np.isfinite(values) & np.isfinite(idx), idx, LEVELS).astype(int)


def heatmap(values: np.ndarray, lo: float, hi: float) -> list[list[Segment]]:
    """``values`` (rows, cols) with rows an even number, top row = high x₂, as
    lines of Segments: each character shows two stacked pixels with ▀ (fg top,
    bg bottom); NaN pixels (no data) are dark."""
    idx = levels(values, lo, hi)
    rows, cols = idx.shape
    lines = []
    for r in range(0, rows - 1, 2):
        top, bottom = idx[r], idx[r + 1]
        line, c = [], 0
        while c < cols:  # one segment per run of equal colours
            end = c + 1
            while end < cols and top[end] == top[c] and bottom[end] == bottom[c]:
                end += 1
            line.append(Segment("▀" * (end - c), _style(top[c], bottom[c])))
            c = end
        lines.append(line)
    return lines


def truth_table(X: np.ndarray, y: np.ndarray, y_hat: np.ndarray) -> Text:
    """The gate's four rows — x₁, x₂, target, ŷ — right-aligned, each marked ✓ (green)
    when ŷ is on the target's side of 0.5, else ✗ (red); X (N, 2), y and ŷ (N, 1)."""
    rows = [["x₁", "x₂", "target", "ŷ"]]
    rows += [[num(X[i, 0]), num(X[i, 1]), num(y[i, 0]), _probability(y_hat[i, 0])]
             for i in range(len(X))]
    widths = [max(len(r[k]) for r in rows) + 1 for k in range(4)]
    t = Text(no_wrap=True)
    t.append(" ".join(c.rjust(w) for c, w in zip(rows[0], widths)) + "\n", style="bold")
    for i, row in enumerate(rows[1:]):
        t.append(" ".join(c.rjust(w) for c, w in zip(row, widths)) + "  ")
        ok = (y_hat[i, 0] > 0.5) == (y[i, 0] > 0.5)
        t.append("✓\n" if ok else "✗\n", style="green" if ok else "red")
    return t


BOLD = Style(bold=True)


def area_text(bounds: tuple | None) -> str:
    """Where the maps are: `` over [-1, 1]²`` or `` over x₁ 0…10, x₂ 0…10``."""
    if bounds is None:
        return " over [-1, 1]²"
    x1_lo, x1_hi, x2_lo, x2_hi = (num(b, 2) for b in bounds)
    return f" over x₁ {x1_lo}…{x1_hi}, x₂ {x2_lo}…{x2_hi}"


def maps(pred: np.ndarray, target: np.ndarray, lo: float, hi: float,
         classes: int | None = None, bounds: tuple | None = None) -> list[list[Segment]]:
    """Prediction and target heatmaps side by side, with titles and a legend: the
    scale's ends, or with ``classes`` = K (maps of class indices 0 … K−1) a swatch per
    class, named from 1 as ŷ₁ … ŷ_K are; the legend's last segment says the maps'
    area (``bounds``, None: [-1, 1]²)."""
    gap = Segment("  ")
    cols = pred.shape[1]
    lines = [[Segment("prediction ŷ".ljust(cols), BOLD), gap, Segment("target", BOLD)]]
    for a, b in zip(heatmap(pred, lo, hi), heatmap(target, lo, hi)):
        lines.append([*a, gap, *b])
    k = classes
    if k is not None:
        swatches = []
        for c, level in enumerate(levels(np.arange(k, dtype=float), lo, hi).tolist()):
            swatches += [Segment("■", Style(color=PALETTE[level])), Segment(f" {c + 1}  ")]
        lines.append([*swatches, Segment(" x₁ →, x₂ ↑"), Segment(area_text(bounds))])
        return lines
    lines.append([Segment("■", Style(color=PALETTE[0])), Segment(f" {num(lo, 3)}  "),
                  Segment("■", Style(color=PALETTE[LEVELS - 1])),
                  Segment(f" {num(hi, 3)}   x₁ →, x₂ ↑"), Segment(area_text(bounds))])
    return lines


CAPTION = Style(color="grey62", italic=True)


def fit_caption(caption: str, width: int | None) -> str:
    """The predictions caption, without "with the weights now" when it is wider than
    ``width`` ("ŷ (epoch 3, mid-epoch)" still says when the weights are from)."""
    if width and len(caption) > width:
        return caption.replace(" with the weights now", "")
    return caption


def _pack(parts: list[str], width: int) -> list[str]:
    """``parts`` joined by " · " into lines of at most ``width`` (a part too long for
    one line is wrapped at its spaces)."""
    import textwrap

    lines: list[str] = []
    for part in parts:
        if lines and len(lines[-1]) + 3 + len(part) <= width:
            lines[-1] += " · " + part
        else:
            lines += textwrap.wrap(part, width) or [""]
    return lines


def fit_hint(hint: str, width: int | None, room: int) -> list[str]:
    """The hint under the large map as whole lines of at most ``width`` cells, in at
    most ``room`` lines: wrapped at its " · " parts; where that takes too many lines,
    in the short wording (:func:`shorter`), then the parts that do not
    fit left out (the first, what matters most, always kept)."""
    if width is None or len(hint) <= width:
        return [hint]
    room = max(1, room)
    lines = _pack(hint.split(" · "), width)
    if len(lines) <= room:
        return lines
    parts = shorter(hint).split(" · ")
    lines = _pack(parts, width)
    if len(lines) <= room:
        return lines
    kept = [parts[0]]
    for part in parts[1:]:
        if len(_pack([*kept, part], width)) <= room:
            kept.append(part)
    return _pack(kept, width)[:room]


class Predictions(LineCanvas):
    """The truth table or the heatmaps of a :class:`PredictionsView`, under a
    caption that says which weights the predictions come from.  A click on the
    large map of the output neuron posts :class:`MapClicked` (drawing data points:
    :mod:`tui.core.drawing`)."""

    class MapClicked(Message):
        """The output map was clicked at (x₁, x₂); ``button`` 1 left, 3 right; ``ctrl`` held."""

        def __init__(self, x1: float, x2: float, button: int, ctrl: bool = False) -> None:
            super().__init__()
            self.x1, self.x2, self.button, self.ctrl = x1, x2, button, ctrl

    class Resized(Message):
        """The panel has a new size: its maps must be sampled again (the app redraws)."""

    view: PredictionsView | None = None

    def show(self, view: PredictionsView, hint: str | None = None) -> None:
        """Show ``view``; ``hint`` (a line, e.g. what a click draws) goes under a large map.
        A hidden panel (digits) draws nothing: shown again, it gets a Resize, and the app
        redraws it (:meth:`on_resize`; ≈ 0.4 ms of every digits redraw, bench/README.md)."""
        self.view = view
        if not self.display:
            return
        if view.neuron_map is not None:

            nm = view.neuron_map
            width = self.content_size.width or None
            lines = render_large(nm, color_system(self.app), width)
            if hint:
                room = max(1, self.content_size.height - len(lines))
                lines += [[Segment(line, CAPTION)] for line in fit_hint(hint, width, room)]
            self.set_lines(lines)
        elif view.table is not None:
            t = Text(fit_caption(view.caption, self.content_size.width) + "\n",
                     style="grey62 italic", no_wrap=True)
            t.append_text(truth_table(*view.table))
            self.set_renderable(t)
        else:
            width = self.content_size.width
            lines = maps(*view.maps, view.classes, view.bounds)
            if width and sum(len(seg.text) for seg in lines[-1]) > width:  # legend: drop the area
                lines[-1] = lines[-1][:-1]
            self.set_lines([[Segment(fit_caption(view.caption, width), CAPTION)], *lines])

    #: (x₁, x₂) under the mouse on the output map, None elsewhere (a key removes the
    #: point nearest it)
    pointer: tuple[float, float] | None = None

    def output_point(self, event) -> tuple[float, float] | None:
        """The (x₁, x₂) under a mouse ``event`` on the large map of the output neuron."""

        view = self.view.neuron_map if self.view is not None else None
        offset = event.get_content_offset(self)
        if view is None or offset is None or view.selected[0] != len(view.scales) - 1:
            return None
        return large_map_point(view, offset.x, offset.y)

    def on_resize(self, _event: Resize) -> None:
        """The maps are sampled for this panel's size: draw them again at the new one
        (the app's own resize handler can run before this panel has its new layout)."""
        if self.view is not None:
            self.post_message(self.Resized())

    def on_mouse_move(self, event: MouseMove) -> None:
        self.pointer = self.output_point(event)

    def on_leave(self, _event: Leave) -> None:
        self.pointer = None

    def on_click(self, event: Click) -> None:
        where = self.output_point(event)
        if where is not None:
            self.post_message(self.MapClicked(where[0], where[1], event.button, event.ctrl))

#: (long, short) wordings of the map hint's parts, for a panel too small for the long
#: ones (:func:`fit_hint` uses them)
SHORTER = (
    (re.compile(r"drawing data needs a 2-class or regression task: (.+) has (\d+) classes"),
     r"drawing needs 2 classes: \1 has \2"),
    (re.compile(r"draw at least (\d+) points to train \((\d+) drawn\)"),
     r"draw ≥\1 (\2 drawn)"),
    (re.compile(r"click: class (\d) \(right (\d)\)"), r"click: \1, right: \2"),
)


def shorter(text: str) -> str:
    """``text`` with the short wording of each part :data:`SHORTER` knows."""
    for long, short in SHORTER:
        text = long.sub(short, text)
    return text
