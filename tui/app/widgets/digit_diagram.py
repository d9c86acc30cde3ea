"""The digits network diagram: the input as a picture, the first hidden layer's activations,
and each class's probability as a bar.

:func:`render_digit_diagram` is pure; :class:`DigitDiagram` is the thin widget, which also
lets the mouse draw on the picture: a left click (or drag) inks a pixel, a right click
erases one (:class:`Painted`; the app keeps the drawing, :mod:`tui.core.digits_state`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.events import MouseDown, MouseMove, MouseUp
from textual.message import Message

from tui.view.digits_views import DigitsView
from tui.app.widgets.diagram import color_system
from tui.app.widgets.canvas import ViewCanvas, crop, runs
from tui.app.widgets.digit_image import diverging_levels, palette, render_image, shade

CAPTION = Style(color="cyan")
RIGHT = Style(color="green", bold=True)
WRONG = Style(color="red", bold=True)
EIGHTHS = " ▏▎▍▌▋▊▉█"


@dataclass(frozen=True)
class ImageBox:
    """Where the input picture is: its top-left cell and the cells per pixel."""

    x: int
    y: int
    px: tuple[int, int]     #: (cols, lines) per pixel; (1, 0) means half-blocks
    shape: tuple[int, int]

    def pixel_at(self, x: int, y: int) -> tuple[int, int] | None:
        """(row, col) of the pixel under cell (x, y), or None."""
        cols, lines = self.px
        h, w = self.shape
        c = (x - self.x) // cols
        r = (y - self.y) * 2 if lines == 0 else (y - self.y) // lines
        if 0 <= r < h and 0 <= c < w and x >= self.x and y >= self.y:
            return r, c
        return None


def bar(p: float, width: int) -> str:
    """``p`` in [0, 1] as a bar of ``width`` cells in eighths (NaN: empty)."""
    if not np.isfinite(p):
        return " " * width
    eighths = int(round(min(1.0, max(0.0, p)) * width * 8))
    full, rest = divmod(eighths, 8)
    return ("█" * full + (EIGHTHS[rest] if rest else "")).ljust(width)[:width]


def bar_lines(view: DigitsView, width: int) -> list[list[Segment]]:
    """One line per class: ``3 ██████▍   81% ◀ true`` — the true class green, a wrong
    winner red; the true class carries ◀ so it reads without colour."""
    k = len(view.probs)
    winner = int(np.nanargmax(view.probs)) if np.isfinite(view.probs).any() else -1
    bw = max(1, width - 2 - 5 - 2)
    out = []
    for c in range(k):
        p = float(view.probs[c])
        style = RIGHT if c == view.label else WRONG if c == winner else None
        pct = f"{p:4.0%}" if np.isfinite(p) else "   –"
        mark = " ◀" if c == view.label else ("  " if view.label is not None else
                                             " ●" if c == winner else "  ")
        out.append([Segment(f"{c} ", Style(bold=c == winner)), Segment(bar(p, bw), style),
                    Segment(f" {pct}"), Segment(mark, style)])
    return out


def hidden_lines(view: DigitsView, color_system: str | None, per_col: int
                 ) -> list[list[Segment]]:
    """The first hidden layer's activations as 2-cell swatches, ``per_col`` to a column
    (neuron k at column k // per_col, line k % per_col); the selected one bracketed."""
    n = len(view.hidden)
    lo, hi = view.hidden_range
    top = max(abs(lo), abs(hi)) or 1.0
    if lo >= 0:  # sigmoid/relu: 0 … top on the upper half of the diverging scale
        levels = diverging_levels(view.hidden, top)
    else:
        levels = diverging_levels(view.hidden, top)
    pal = palette("diverging", color_system)
    cols = -(-n // per_col)
    lines = []
    for r in range(per_col):
        cells: list[tuple[str, Style | None]] = []
        for c in range(cols):
            k = c * per_col + r
            if k >= n:
                cells += [(" ", None)] * 3
                continue
            lv = int(levels[k])
            glyph = shade(lv) * 2 if color_system is None else "  "
            style = None if color_system is None else Style(bgcolor=pal[lv])
            sel = k == view.selected
            cells.append(("[" if sel else " ", Style(bold=True, color="yellow") if sel else None))
            cells.append((glyph[0], style))
            cells.append((glyph[1], style))
        lines.append(runs(cells))
    return lines


_ROW = re.compile(r" \(row \d+\)")


def fit_title(title: str, label: int | None, width: int) -> str:
    """The picture's title with its true class, in the first wording that fits ``width``:
    the full one, then without "(row N)", then "true 7"; else the class first (what the
    picture is), the rest cut. The class is never the part cut off."""
    if label is None:
        return title
    short = _ROW.sub("", title)
    for wording in (f"{title} · true class {label}", f"{short} · true class {label}",
                    f"{short} · true {label}"):
        if len(wording) <= width:
            return wording
    return f"true {label} · {short}"


def render_digit_diagram(view: DigitsView, width: int, height: int,
                         color_system: str | None = "truecolor"
                         ) -> tuple[list[list[Segment]], ImageBox]:
    """The picture (large where 1 + 8 lines fit: 2 cells per pixel, else half-blocks), the
    hidden activations (where there is room), and the probability bars."""
    h, w = view.shape
    k = len(view.probs)
    # large (2 cells a pixel) where the bars still get a line each and 14 columns
    large = height >= max(h, k) + 1 and width >= 2 * w + 2 + 14
    px = (2, 1) if large else (1, 0)
    img = render_image(view.image, view.shape, color_system, px if large else None)
    img_w = w * px[0]
    grid: list[list[Segment]] = [[] for _ in range(max(1, height))]
    title = fit_title(view.title, view.label, width)
    if view.source == "drawing":
        title += " (right click erases, Backspace clears)"
    grid[0] = [Segment(title[:width], CAPTION)]
    for dy, line in enumerate(img):
        if 1 + dy < len(grid):
            grid[1 + dy] = list(line)
    x = img_w + 2
    # the hidden layer, if the bars keep at least 14 columns
    n = len(view.hidden)
    per_col = max(1, min(height - 1, h))
    hid_w = 3 * -(-n // per_col)
    need = 16 if height - 1 >= k else 30  # the bars: one column, or two of 5
    if width - x - hid_w - 2 >= need and n:
        for dy, line in enumerate(hidden_lines(view, color_system, per_col)):
            if 1 + dy < len(grid):
                pad = x - sum(len(s.text) for s in grid[1 + dy])
                grid[1 + dy] += [Segment(" " * max(0, pad))] + line
        x += hid_w + 2
    rows = height - 1
    per = k if rows >= k else -(-k // 2)
    bw = (width - x) if per == k else (width - x) // 2
    bars = bar_lines(view, bw if per == k else bw - 1)
    for c, line in enumerate(bars):
        y = 1 + (c % per)
        col = x + (c // per) * bw
        if y < len(grid):
            pad = col - sum(len(s.text) for s in grid[y])
            grid[y] += [Segment(" " * max(0, pad))] + line
    return [crop(line, width) for line in grid], ImageBox(0, 1, px, view.shape)


class DigitDiagram(ViewCanvas):
    """Renders a :class:`DigitsView`; the mouse draws on its picture."""

    class Painted(Message):
        """Pixel (row, col) was inked (``erase`` False) or erased."""

        def __init__(self, row: int, col: int, erase: bool) -> None:
            super().__init__()
            self.row, self.col, self.erase = row, col, erase

    data: DigitsView | None

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.box: ImageBox | None = None
        self._button = 0

    def _draw(self) -> None:
        if self.data is None:
            return
        lines, self.box = render_digit_diagram(self.data, self.content_size.width,
                                               self.content_size.height,
                                               color_system(self.app))
        self.set_lines(lines)

    def _paint(self, event, button: int) -> None:
        offset = event.get_content_offset(self)
        if offset is None or self.box is None:
            return
        pixel = self.box.pixel_at(offset.x, offset.y)
        if pixel is not None:
            self.post_message(self.Painted(*pixel, erase=button == 3))

    def on_mouse_down(self, event: MouseDown) -> None:
        self._button = event.button
        self.capture_mouse()
        self._paint(event, event.button)

    def on_mouse_move(self, event: MouseMove) -> None:
        if self._button:
            self._paint(event, self._button)

    def on_mouse_up(self, event: MouseUp) -> None:
        self._button = 0
        self.release_mouse()
