"""Weight pictures: each first-layer neuron's incoming weights drawn as an image of the input.

:func:`render_weight_grid` draws every neuron's picture in a grid (row-major, h₁ first), each
scaled to its own largest |w| (dark 0, blue +, orange −: see :mod:`tui.widgets.digit_image`),
the selected neuron marked ``▶`` in the stripe left of each picture that shows the neuron's
activation for the input on screen; when the panel has too little room it shows the rows of
pictures around the selected neuron and says which.  :func:`render_large` draws the selected
neuron's picture large, and beside it its dw during backprop (where the gradient pushes it;
the update moves w against dw).  :class:`WeightGrid` is the thin widget.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.events import Click
from textual.message import Message

from nn.naming import sub

from tui.view.digits_views import DigitsView
from tui.app.widgets.diagram import color_system
from tui.app.widgets.canvas import ViewCanvas, runs
from tui.app.widgets.digit_image import (LEVELS, _style, diverging_levels, palette, render_weights, shade,
                          weight_top)

CAPTION = Style(color="cyan")
MARK = Style(bold=True, color="yellow")
HGAP = 1  #: columns between pictures (the selected one's ▶ sits there)


@dataclass(frozen=True)
class GridLayout:
    across: int             #: pictures per row
    rows: int               #: rows of pictures shown
    first_row: int          #: the first row of pictures shown (a window when not all fit)
    pic_w: int              #: columns of a picture
    pic_h: int              #: lines of a picture
    vgap: int               #: blank lines between rows of pictures

    def origin(self, k: int) -> tuple[int, int] | None:
        """(x, y) of picture ``k``'s top-left cell below the caption, or None if not shown."""
        r, c = divmod(k, self.across)
        if not self.first_row <= r < self.first_row + self.rows:
            return None
        return HGAP + c * (self.pic_w + HGAP), 1 + (r - self.first_row) * (self.pic_h + self.vgap)


def grid_layout(n: int, shape: tuple[int, int], width: int, height: int,
                selected: int | None) -> GridLayout:
    """Where ``n`` pictures of an H×W image (half-blocks: W × ⌈H/2⌉ cells) go in a panel of
    ``width`` × ``height`` cells (one line for the caption): with a blank line between rows
    where all then fit, else without; the rows around ``selected`` where not all fit."""
    pic_w, pic_h = shape[1], (shape[0] + 1) // 2
    across = max(1, (width - HGAP) // (pic_w + HGAP))
    need = -(-n // across)
    room = max(0, height - 1)
    for vgap in (1, 0):
        fit = (room + vgap) // (pic_h + vgap)
        if fit >= need or vgap == 0:
            break
    fit = max(1, min(need, fit))
    row_sel = (selected or 0) // across
    first = min(max(0, row_sel - fit // 2), need - fit)
    return GridLayout(across, fit, first, pic_w, pic_h, vgap)


def _blank(width: int) -> list:
    return [[" ", None] for _ in range(width)]


def _paste(canvas, x: int, y: int, line: list[Segment]) -> None:
    row = canvas[y]
    for seg in line:
        for ch in seg.text:
            if 0 <= x < len(row):
                row[x] = [ch, seg.style]
            x += 1


def _put(canvas, x: int, y: int, text: str, style: Style | None = None) -> None:
    if 0 <= y < len(canvas):
        _paste(canvas, x, y, [Segment(text, style)])


def _lines(canvas) -> list[list[Segment]]:
    return [runs([(ch, st) for ch, st in row]) for row in canvas]


def _name(k: int) -> str:
    return f"h{sub(k + 1)}"


def grid_levels(weights: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Palette levels (n, H', W) of every picture, each scaled to its own largest |w|,
    H' = H rounded up to even (the padding row is 0: the middle of the scale)."""
    n = len(weights)
    h, w = shape
    W = np.nan_to_num(np.asarray(weights, dtype=float), nan=0.0, posinf=0.0, neginf=0.0)
    top = np.abs(W).max(axis=1, initial=0.0)
    top[top == 0] = 1.0
    half = (LEVELS - 1) / 2
    idx = np.clip(np.round(np.asarray(weights, dtype=float) / top[:, None] * half + half),
                  0, LEVELS - 1)
    idx = np.where(np.isfinite(idx), idx, LEVELS // 2).astype(int).reshape(n, h, w)
    if h % 2:
        idx = np.concatenate([idx, np.full((n, 1, w), LEVELS // 2, int)], axis=1)
    return idx


def activation_stripes(view: DigitsView, color_system: str | None
                       ) -> list[tuple[str, Style | None]]:
    """Per neuron, the (character, style) of the column left of its picture: its activation
    a for the input shown, on the diverging scale over the activation's range (NO_COLOR: a
    glyph density), so the grid also shows which detectors the digit excites."""
    lo, hi = view.hidden_range
    top = max(abs(lo), abs(hi)) or 1.0
    levels = diverging_levels(view.hidden, top).tolist()
    if color_system is None:
        return [(shade(v), None) for v in levels]
    pal = palette("diverging", color_system)
    return [(" ", _stripe_style(pal[v])) for v in levels]


_STRIPES: dict = {}


def _stripe_style(colour) -> Style:
    style = _STRIPES.get(colour)
    if style is None:
        style = _STRIPES[colour] = Style(bgcolor=colour)
    return style


def _marked(style: Style | None) -> Style:
    return MARK if style is None else MARK + Style(bgcolor=style.bgcolor)


_CELLS: dict = {}


def _cell_segments(color_system: str | None) -> list[Segment]:
    """Segment per (top level · LEVELS + bottom level): ``▀`` in the two colours, or under
    NO_COLOR the glyph density of their mean."""
    cells = _CELLS.get(color_system)
    if cells is None:
        cells = [Segment(shade((a + b) / 2)) if color_system is None else
                 Segment("▀", _style("diverging", color_system, a, b))
                 for a in range(LEVELS) for b in range(LEVELS)]
        _CELLS[color_system] = cells
    return cells


def _cut(segs: list[Segment], width: int) -> list[Segment]:
    """At most ``width`` cells of single-cell segments."""
    return segs[:width]


def grid_caption(span: str, color_system: str | None, width: int) -> str:
    """The grid's caption for pictures ``span`` ("h₁…h₃₂"): the longest wording that fits
    ``width`` cells, so the colour key is never cut off (at 80×24 the one wording read
    "w of h₁…h₈ of 32, each to its max |w|", its key past the edge)."""
    if color_system is not None:
        key, short, stripe = "blue +, orange −", "+blue −orange", ("left stripe: a", "stripe: a")
    else:
        key, short, stripe = "· most −, ▒ 0, █ most +", "·− ▒0 █+", ("left: a", "left: a")
    wordings = (f"w of {span}, each to its max |w| ({key}); {stripe[0]}",
                f"w of {span} ({key}); {stripe[1]}",
                f"{span}: {short}; {stripe[1]}",
                f"{span}: {short}")
    return fit_caption(width, *wordings)


def render_weight_grid(view: DigitsView, width: int, height: int,
                       color_system: str | None = "truecolor"
                       ) -> tuple[list[list[Segment]], GridLayout]:
    """Every first-layer neuron's picture (each line built in one pass: this is redrawn on
    every frame while playing); returns the lines and the layout (for clicks)."""
    n = len(view.weights)
    layout = grid_layout(n, view.shape, width, height, view.selected)
    shown = [k for k in range(n) if layout.origin(k) is not None]
    span = (f"{_name(shown[0])}…{_name(shown[-1])} of {n}" if len(shown) < n
            else f"{_name(0)}…{_name(n - 1)}")
    lines: list[list[Segment]] = [[Segment(grid_caption(span, color_system, width), CAPTION)]]
    idx = grid_levels(view.weights, view.shape)
    # each cell's (top, bottom) pair as one index into ready-made segments
    pairs = (idx[:, 0::2, :] * LEVELS + idx[:, 1::2, :]).tolist()   # (n, pic_h, W)
    cell = _cell_segments(color_system)
    stripes = [Segment(ch, st) for ch, st in activation_stripes(view, color_system)]
    for y in range(1, max(1, height)):
        r, t = divmod(y - 1, layout.pic_h + layout.vgap)
        row = layout.first_row + r
        if r >= layout.rows or t >= layout.pic_h or row * layout.across >= n:
            lines.append([])
            continue
        segs: list[Segment] = []
        mid = layout.pic_h // 2 - (layout.pic_h > 1)
        for k in range(row * layout.across, min(n, (row + 1) * layout.across)):
            stripe = stripes[k]
            if k == view.selected and t == mid:
                stripe = Segment("▶", _marked(stripe.style))
            segs.append(stripe)
            segs += [cell[p] for p in pairs[k][t]]
        lines.append(_cut(segs, width))
    return lines, layout


def fit_caption(width: int, *wordings: str) -> str:
    """The first of ``wordings`` (longest first) that fits ``width`` cells, else the last
    one cut: at 80×24 the large picture's caption read "h₁: incoming w (ma"."""
    for text in wordings:
        if cell_len(text) <= width:
            return text
    return wordings[-1][:max(0, width)]


def large_px(shape: tuple[int, int], width: int, height: int, pictures: int = 2
             ) -> tuple[int, int]:
    """(cols, lines) per pixel for ``pictures`` side by side in the panel (3 lines kept for
    captions): the largest of 4×2, 3×2, 2×1 (a cell is about twice as high as wide) that
    fits; else 2×1."""
    h, w = shape
    for cols, lines in ((4, 2), (3, 2), (2, 1)):
        if (cols * w + 3) * pictures <= width and lines * h + 3 <= height:
            return cols, lines
    return 2, 1


def render_large(view: DigitsView, width: int, height: int,
                 color_system: str | None = "truecolor") -> list[list[Segment]]:
    """The selected neuron's w large, and its dw beside it (or why there is none)."""
    canvas = [_blank(width) for _ in range(max(1, height))]
    if view.selected is None:
        _put(canvas, 0, 0, f"{view.selected_name} is not in the first layer: select a hidden "
                           "neuron (↑ ↓, or click one in the grid; m: back to the grid)"[:width],
             CAPTION)
        return _lines(canvas)
    w = view.weights[view.selected]
    px = large_px(view.shape, width, height)
    pic_w = px[0] * view.shape[1]
    top = weight_top(w)
    _put(canvas, 0, 0, fit_caption(pic_w + 2, f"{view.selected_name}: incoming w "
                                   f"(max |w| {top:.3g})", f"{view.selected_name}: incoming w"),
         CAPTION)
    for dy, line in enumerate(render_weights(w, view.shape, color_system, px)):
        if 1 + dy < len(canvas):
            _paste(canvas, 0, 1 + dy, line)
    x2 = pic_w + 3
    if view.dw is not None:
        dtop = weight_top(view.dw)
        _put(canvas, x2, 0, fit_caption(width - x2, f"dw (max |dw| {dtop:.3g})", "dw"),
             CAPTION)
        for dy, line in enumerate(render_weights(view.dw, view.shape, color_system, px)):
            if 1 + dy < len(canvas):
                _paste(canvas, x2, 1 + dy, line)
    y = 2 + px[1] * view.shape[0]
    _put(canvas, 0, y, view.dw_note[:width], CAPTION)
    if view.dw is not None:
        _put(canvas, 0, y + 1, "the update moves w against dw: w ← w − lr·dw (Adam: scaled)"
             [:width])
    return _lines(canvas)


class WeightGrid(ViewCanvas):
    """Renders a :class:`DigitsView`'s weights; a click on a picture posts
    :class:`NeuronClicked` (the app selects that first-layer neuron)."""

    class NeuronClicked(Message):
        def __init__(self, neuron: int) -> None:
            super().__init__()
            self.neuron = neuron

    data: DigitsView | None

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.layout_: GridLayout | None = None

    def _draw(self) -> None:
        if self.data is None:
            return
        size = self.content_size
        if self.data.large:
            self.layout_ = None
            self.set_lines(render_large(self.data, size.width, size.height,
                                        color_system(self.app)))
        else:
            lines, self.layout_ = render_weight_grid(self.data, size.width, size.height,
                                                     color_system(self.app))
            self.set_lines(lines)

    def neuron_at(self, x: int, y: int) -> int | None:
        if self.layout_ is None or self.data is None:
            return None
        for k in range(len(self.data.weights)):
            origin = self.layout_.origin(k)
            if origin is not None and origin[0] <= x < origin[0] + self.layout_.pic_w \
                    and origin[1] <= y < origin[1] + self.layout_.pic_h:
                return k
        return None

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)
        k = None if offset is None else self.neuron_at(offset.x, offset.y)
        if k is not None:
            self.post_message(self.NeuronClicked(k))
