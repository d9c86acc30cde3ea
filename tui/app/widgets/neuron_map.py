"""Neuron maps as terminal pictures: pure render functions, no widget.

A map is an array (rows, cols) of one neuron's activation over the input
square (top row = largest x₂).  Each character cell shows two stacked pixels
with ``▀`` (foreground = top pixel, background = bottom pixel) on a diverging
scale: orange (low) ↔ white (middle) ↔ blue (high), as TensorFlow Playground
draws them.  The palette is chosen per colour system:

* ``truecolor``: 24 RGB steps;
* ``256``: the same steps mapped to the xterm 256-colour cube;
* ``standard`` (16 colours): five bands of the standard palette (dark yellow
  for orange, bright yellow, white, bright blue, blue);
* ``None`` (``NO_COLOR``): no colour at all, so each cell shows the mean of its
  two pixels as a glyph density, ``·░▒▓█`` from low to high.

Data points drawn on a map are told apart by glyph as well as colour
(class 1 ●, class 0 ○; test points ◆ / ◇), so they read without colour too;
regression targets are ● in the colour of their value.  :func:`render_large`
draws the selected neuron's map for the predictions area, :func:`heatmap` the
small ones the diagram puts beside its nodes (where :func:`node_map_shape`
finds room).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from rich._palettes import EIGHT_BIT_PALETTE, STANDARD_PALETTE, WINDOWS_PALETTE
from rich.color import Color, ColorSystem
from rich.segment import Segment
from rich.style import Style

from tui.core.format import num
from nn.maps import Bounds, pixel_of

LOW = (242, 142, 43)    # orange
MID = (240, 240, 240)   # white
HIGH = (76, 155, 232)   # blue
EMPTY = (40, 40, 46)
LEVELS = 24             #: colour steps (few distinct styles keep redraws cheap)
SHADES = "·░▒▓█"        #: NO_COLOR: the mean of a cell's two pixels, low → high
#: 16 colours: the standard palette's dark yellow (an orange), bright yellow,
#: bright white, bright blue and blue, low → high
STANDARD = ((170, 85, 0), (255, 255, 85), (255, 255, 255), (85, 85, 255), (0, 0, 170))
POINT_GLYPHS = {(1, False): "●", (0, False): "○", (1, True): "◆", (0, True): "◇"}
REGRESSION_GLYPHS = {False: "●", True: "◆"}



def _rgb(t: float) -> tuple[int, int, int]:
    """Orange → white → blue for t in [0, 1]."""
    a, b, u = (LOW, MID, t * 2) if t < 0.5 else (MID, HIGH, t * 2 - 1)
    return tuple(int(round(x + (y - x) * u)) for x, y in zip(a, b))


@lru_cache(maxsize=1024)
def _exact(rgb, color_system: str) -> Color:
    """``rgb`` moved to the nearest colour ``color_system`` can show, kept as
    RGB: Textual turns every colour into RGB before its output is downgraded
    again, so a palette entry the terminal has exactly survives that unchanged."""
    systems = {"standard": (ColorSystem.STANDARD, STANDARD_PALETTE),
               "windows": (ColorSystem.WINDOWS, WINDOWS_PALETTE),
               "256": (ColorSystem.EIGHT_BIT, EIGHT_BIT_PALETTE)}
    if color_system not in systems:
        return Color.from_rgb(*rgb)
    target, table = systems[color_system]
    return Color.from_triplet(table[Color.from_rgb(*rgb).downgrade(target).number])


def palette(color_system: str | None) -> list[Color | None]:
    """LEVELS colours from low to high, then one for "no value", for a colour
    system named as Rich names them ("truecolor", "256", "standard",
    "windows"); None (no colour) gives all None."""
    if color_system is None:
        return [None] * (LEVELS + 1)
    if color_system in ("standard", "windows"):
        bands = [STANDARD[k * len(STANDARD) // LEVELS] for k in range(LEVELS)]
        return [_exact(rgb, color_system) for rgb in bands + [(0, 0, 0)]]
    return [_exact(_rgb(k / (LEVELS - 1)), color_system) for k in range(LEVELS)] + \
        [_exact(EMPTY, color_system)]


_PALETTES: dict = {}
_STYLES: dict = {}


def palette_colour(color_system: str | None, level: int) -> Color | None:
    return _PALETTES.setdefault(color_system, palette(color_system))[level]


def _style(color_system: str | None, top: int, bottom: int) -> Style:
    key = (color_system, top, bottom)
    style = _STYLES.get(key)
    if style is None:
        pal = _PALETTES.setdefault(color_system, palette(color_system))
        style = _STYLES[key] = Style(color=pal[top], bgcolor=pal[bottom])
    return style


def levels(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Palette index (0 … LEVELS-1) per pixel; NaN/inf gets LEVELS ("no value")."""
    span = (hi - lo) or 1.0
    with np.errstate(invalid="ignore", over="ignore"):
        idx = np.clip(np.round((values - lo) / span * (LEVELS - 1)), 0, LEVELS - 1)
    return np.where(np.isfinite(values), idx, LEVELS).astype(int)


def _cells(values: np.ndarray, lo: float, hi: float, color_system: str | None
           ) -> list[list[tuple[str, Style | None]]]:
    """One (character, style) per cell: ``values`` (rows, cols), rows even."""
    idx = levels(values, lo, hi)
    rows, cols = idx.shape
    out = []
    for r in range(0, rows - 1, 2):
        top, bottom = idx[r].tolist(), idx[r + 1].tolist()
        if color_system is None:
            line = []
            for t, b in zip(top, bottom):
                known = [v for v in (t, b) if v < LEVELS]
                mean = sum(known) / len(known) if known else None
                ch = " " if mean is None else \
                    SHADES[min(len(SHADES) - 1, int(mean * len(SHADES) / LEVELS))]
                line.append((ch, None))
        else:
            line = [("▀", _style(color_system, t, b)) for t, b in zip(top, bottom)]
        out.append(line)
    return out


def _runs(cells: list[tuple[str, Style | None]]) -> list[Segment]:
    out: list[Segment] = []
    for ch, style in cells:
        if out and out[-1].style is style:
            out[-1] = Segment(out[-1].text + ch, style)
        else:
            out.append(Segment(ch, style))
    return out


def heatmap(values: np.ndarray, lo: float, hi: float, color_system: str | None = "truecolor"
            ) -> list[list[Segment]]:
    """``values`` (rows, cols), rows even, as rows/2 lines of Segments."""
    return [_runs(line) for line in _cells(values, lo, hi, color_system)]


def point_cells(points, shape: tuple[int, int], bounds, kind: str, lo: float, hi: float
                ) -> dict[tuple[int, int], tuple[str, int | None]]:
    """Where each data point goes on a map of ``shape`` (rows, cols) pixels:
    {(line, col): (glyph, palette level or None)} (a character line holds two
    pixel rows).  ``points`` are :class:`~tui.view.views.MapPoints`; later sets
    (test points) draw over earlier ones."""

    rows, cols = shape
    b = Bounds(*bounds)
    cells: dict[tuple[int, int], tuple[str, int | None]] = {}
    for pts in points:
        if not len(pts.X):
            continue
        r, c = pixel_of(pts.X, b, cols, rows)
        y = np.asarray(pts.y, dtype=float).reshape(-1)
        lv = levels(y, lo, hi)
        for k, (rk, ck) in enumerate(zip(r.tolist(), c.tolist())):
            if kind == "binary":
                cls = int(y[k] > 0.5)
                cells[(rk // 2, ck)] = (POINT_GLYPHS[(cls, pts.test)], LEVELS - 1 if cls else 0)
            else:
                cells[(rk // 2, ck)] = (REGRESSION_GLYPHS[pts.test], int(lv[k]))
    return cells


@lru_cache(maxsize=4096)
def _point_style(color_system: str | None, level: int | None, under: Style | None,
                 value: bool = False) -> Style:
    """A point, bold, on the background of the cell under it: a class point in
    its class colour a shade darker than the map's, so that a point on its own
    class still shows (black with 16 colours); a regression target (``value``)
    in the map's own colour for its value, so a well-fitted point blends in."""
    if color_system is None or level is None:
        return Style(bold=True)
    if value and level < LEVELS:
        colour = palette_colour(color_system, level)
    elif color_system in ("standard", "windows"):
        colour = _exact((0, 0, 0), color_system)
    else:
        colour = _exact(tuple(int(v * 0.55) for v in _rgb(min(level, LEVELS - 1) / (LEVELS - 1))),
                        color_system)
    return Style(color=colour, bgcolor=under.bgcolor if under is not None else None, bold=True)


def map_with_points(values: np.ndarray, lo: float, hi: float, points, bounds, kind: str,
                    color_system: str | None = "truecolor", point_scale=None
                    ) -> list[list[Segment]]:
    """A heatmap with data points drawn over it (each in the cell its x₁, x₂
    fall in).  ``point_scale`` (lo, hi) colours regression targets (default the
    map's own)."""
    cells = _cells(values, lo, hi, color_system)
    plo, phi = point_scale or (lo, hi)
    for (line, col), (glyph, level) in point_cells(points, values.shape, bounds, kind,
                                                   plo, phi).items():
        if 0 <= line < len(cells) and 0 <= col < len(cells[line]):
            cells[line][col] = (glyph, _point_style(color_system, level, cells[line][col][1],
                                                    kind != "binary"))
    return [_runs(line) for line in cells]


@lru_cache(maxsize=64)
def legend(lo: float, hi: float, lines: int, color_system: str | None = "truecolor"
           ) -> list[list[Segment]]:
    """A vertical colour scale, high at the top, ``lines`` tall, labelled at
    the top, middle and bottom (cached: treat the lines as read-only)."""
    lines = max(2, lines)
    values = np.linspace(hi, lo, 2 * lines).reshape(-1, 1)
    bar = _cells(values, lo, hi, color_system)
    labels = {0: hi, (lines - 1) // 2: (lo + hi) / 2, lines - 1: lo}
    out = []
    for k, row in enumerate(bar):
        ch, style = row[0]
        seg = [Segment(ch * 2, style)]
        if k in labels:
            seg.append(Segment(" " + num(labels[k], 3)))
        out.append(seg)
    return out


GREY = (158, 158, 158)  #: captions (grey62)
LEGEND_LABEL_W = 2  #: the colour scale's bar ("▀▀"), before its labels


def _caption_style(color_system: str | None) -> Style:
    return Style(italic=True) if color_system is None else \
        Style(color=_exact(GREY, color_system), italic=True)


def class_note(view, short: bool = False) -> str:
    """What the output map's points mean: class 1 ● and 0 ○; with K > 2 classes the
    selected output neuron's own class against the rest, numbered from 1 as the outputs
    ŷ₁ … ŷ_K are (``short``: a narrower wording for a small panel)."""
    if getattr(view, "classes", 2) <= 2:
        return "class ● 1  ○ 0"
    k = view.selected[1] + 1
    return f"● class {k}  ○ others" if short else f"class {k}: ●  others: ○"


def render_large(view, color_system: str | None = "truecolor", width: int | None = None
                 ) -> list[list[Segment]]:
    """The selected neuron's map of a :class:`~tui.view.views.NeuronMapsView`, large:
    a caption, the map (the output neuron's with the data points on it) and a
    colour scale to its right, with notes beside it (in their short wording where
    the panel, ``width`` cells, is too narrow for the long one)."""
    l, _ = view.selected
    values = view.large
    lo, hi = view.scales[l]
    is_output = l == len(view.scales) - 1
    if is_output and view.points:
        body = map_with_points(values, lo, hi, view.points, view.bounds, view.kind, color_system)
    else:
        body = heatmap(values, lo, hi, color_system)
    scale = legend(lo, hi, len(body), color_system)
    x1_lo, x1_hi, x2_lo, x2_hi = view.bounds
    axes = [f"x₁ → {num(x1_lo, 2)}…{num(x1_hi, 2)}", f"x₂ ↑ {num(x2_lo, 2)}…{num(x2_hi, 2)}"]
    room = None if width is None else width - (values.shape[1] + 2 + LEGEND_LABEL_W + 3)
    points = []  # what the glyphs on the map mean
    if is_output and view.points:
        note = class_note(view) if view.kind == "binary" else "● target (colour)"
        if room is not None and len(note) > room and view.kind == "binary":
            note = class_note(view, short=True)
        points.append(note)
        if any(p.test for p in view.points):
            points.append("◆ ◇ test points")
    labelled = {0, (len(body) - 1) // 2, len(body) - 1}
    free = [k for k in range(len(body)) if k not in labelled]
    if len(axes) + len(points) > len(free):  # a short map (80×24): the glyphs' meaning first,
        both = " · ".join(axes)                # the ranges on one line if that fits, else none
        axes = [both] if room is None or len(both) <= room else []
    side = dict(zip(free, axes + points))
    caption = _caption_style(color_system)
    title = view.caption
    if width is not None and len(title) > width:  # "ŷ over x₁, x₂ · epoch 2 start"
        title = title.replace(" · weights now, ", " · ")
    lines = [[Segment(title, caption)]]
    for k, row in enumerate(body):
        bar = scale[k] if k < len(scale) else []
        note = [Segment("   " + side[k], caption)] if k in side else []
        lines.append([*row, Segment("  "), *bar, *note])
    return lines


def large_map_point(view, x: int, y: int) -> tuple[float, float] | None:
    """The (x₁, x₂) under character cell (x, y) of :func:`render_large`'s lines
    (y = 0 is the caption), the centre of the cell's two pixels; None off the map.
    For a click on the output map (adding a data point there)."""
    if view is None or view.large is None:
        return None
    rows, cols = view.large.shape
    if not (0 <= x < cols and 1 <= y <= rows // 2):
        return None
    x1_lo, x1_hi, x2_lo, x2_hi = view.bounds
    return (x1_lo + (x + 0.5) / cols * (x1_hi - x1_lo),
            x2_hi - (2 * (y - 1) + 1) / rows * (x2_hi - x2_lo))


__all__ = ["render_large", "large_map_point", "heatmap", "map_with_points",
           "legend", "palette", "levels", "point_cells"]
