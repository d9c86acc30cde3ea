"""Images as terminal pictures: pure render functions, no widget.

An image is an array (H, W) of pixels, top row first.  Two ways to draw it:

* half-blocks (``px=None``): each character cell shows two stacked pixels with ``▀``
  (foreground = top pixel, background = bottom pixel), so 8×8 pixels take 8×4 cells;
* blocks (``px=(cols, lines)``): each pixel is a solid block of ``cols`` × ``lines`` cells,
  large enough to click on one pixel (the drawing canvas).

Two palettes: ``GREY`` for inputs in [0, 1] (dark paper, white ink) and ``DIVERGING`` for
weights centred on 0 (dark at 0, blue for +, orange for −; the 256- and 16-colour systems
get the nearest colours they have).  Under ``NO_COLOR`` (colour system None) a pixel is a
glyph density ``·░▒▓█`` from low to high (a half-block cell shows the mean of its two
pixels), so the sign of a weight still reads: ``·`` most negative, ``▒`` 0, ``█`` most
positive.
"""
from __future__ import annotations

import numpy as np
from rich.segment import Segment
from rich.style import Style

from tui.app.widgets.canvas import runs
from tui.app.widgets.neuron_map import _exact

LEVELS = 17             #: colour steps (odd: the diverging scale has an exact middle, 0)
SHADES = "·░▒▓█"
PAPER = (24, 24, 30)
INK = (250, 250, 250)
NEG = (242, 142, 43)    #: orange, as the diagram's negative weights
POS = (76, 155, 232)    #: blue, as the diagram's positive weights
ZERO = (30, 30, 36)
#: 16 colours: bands low → high
GREY_STANDARD = ((0, 0, 0), (85, 85, 85), (170, 170, 170), (255, 255, 255))
DIVERGING_STANDARD = ((255, 255, 85), (170, 85, 0), (0, 0, 0), (0, 0, 170), (85, 85, 255))


def _mix(a, b, t: float) -> tuple[int, int, int]:
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))


def _rgb(kind: str, k: int) -> tuple[int, int, int]:
    t = k / (LEVELS - 1)
    if kind == "grey":
        return _mix(PAPER, INK, t)
    return _mix(ZERO, NEG, 1 - 2 * t) if t < 0.5 else _mix(ZERO, POS, 2 * t - 1)


_PALETTES: dict = {}
_STYLES: dict = {}


def palette(kind: str, color_system: str | None) -> list:
    """LEVELS colours (rich Colors) low → high of palette ``kind`` ("grey" or "diverging")
    for a colour system as Rich names it; None (NO_COLOR) gives all None."""
    key = (kind, color_system)
    if key not in _PALETTES:
        if color_system is None:
            pal = [None] * LEVELS
        elif color_system in ("standard", "windows"):
            bands = GREY_STANDARD if kind == "grey" else DIVERGING_STANDARD
            pal = [_exact(bands[min(len(bands) - 1, k * len(bands) // LEVELS)], color_system)
                   for k in range(LEVELS)]
            if kind == "diverging":  # the middle (0) is the middle band, exactly
                pal[LEVELS // 2] = _exact(bands[len(bands) // 2], color_system)
        else:
            pal = [_exact(_rgb(kind, k), color_system) for k in range(LEVELS)]
        _PALETTES[key] = pal
    return _PALETTES[key]


def _style(kind: str, color_system: str | None, top: int, bottom: int | None) -> Style:
    key = (kind, color_system, top, bottom)
    style = _STYLES.get(key)
    if style is None:
        pal = palette(kind, color_system)
        style = Style(color=pal[top], bgcolor=pal[top if bottom is None else bottom])
        _STYLES[key] = style
    return style


def grey_levels(pixels: np.ndarray) -> np.ndarray:
    """Palette level (0 … LEVELS−1) per pixel in [0, 1] (clipped; NaN → 0)."""
    v = np.nan_to_num(np.asarray(pixels, dtype=float), nan=0.0)
    return np.clip(np.round(v * (LEVELS - 1)), 0, LEVELS - 1).astype(int)


def weight_top(w: np.ndarray) -> float:
    """The scale of a weight picture: its largest finite |w| (1 when all are 0)."""
    w = np.asarray(w, dtype=float)
    return float(np.abs(w[np.isfinite(w)]).max(initial=0.0)) or 1.0


def diverging_levels(values: np.ndarray, top: float) -> np.ndarray:
    """Palette level per value on a scale centred on 0: −top → 0, 0 → LEVELS // 2,
    +top → LEVELS − 1 (clipped; NaN → the middle)."""
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0, posinf=top, neginf=-top)
    half = (LEVELS - 1) / 2
    return np.clip(np.round(v / (top or 1.0) * half + half), 0, LEVELS - 1).astype(int)


def shade(level: float) -> str:
    """The NO_COLOR glyph of a (mean) palette level."""
    return SHADES[min(len(SHADES) - 1, int(level * len(SHADES) / LEVELS))]


def render_levels(idx: np.ndarray, kind: str, color_system: str | None = "truecolor",
                  px: tuple[int, int] | None = None) -> list[list[Segment]]:
    """Palette levels (H, W) as lines of Segments: half-blocks (``px`` None; an odd last
    row gets the paper colour below it) or blocks of ``px`` = (cols, lines) per pixel."""
    idx = np.asarray(idx, dtype=int)
    h, w = idx.shape
    lines: list[list[Segment]] = []
    if px is not None:
        cols, reps = px
        for r in range(h):
            row = idx[r].tolist()
            if color_system is None:
                cells = [(shade(v) * cols, None) for v in row]
            else:
                cells = [(" " * cols, _style(kind, color_system, v, None)) for v in row]
            line = runs(cells)
            lines.extend([line] * reps)
        return lines
    if h % 2:
        pad = 0 if kind == "grey" else LEVELS // 2
        idx = np.vstack([idx, np.full((1, w), pad)])
    for r in range(0, idx.shape[0], 2):
        top, bottom = idx[r].tolist(), idx[r + 1].tolist()
        if color_system is None:
            cells = [(shade((t + b) / 2), None) for t, b in zip(top, bottom)]
        else:
            cells = [("▀", _style(kind, color_system, t, b)) for t, b in zip(top, bottom)]
        lines.append(runs(cells))
    return lines


def render_image(pixels: np.ndarray, shape: tuple[int, int], color_system: str | None =
                 "truecolor", px: tuple[int, int] | None = None) -> list[list[Segment]]:
    """An input image: ``pixels`` (H·W,) in [0, 1], grey (see :func:`render_levels`)."""
    return render_levels(grey_levels(np.asarray(pixels).reshape(shape)), "grey",
                         color_system, px)


def render_weights(w: np.ndarray, shape: tuple[int, int], color_system: str | None =
                   "truecolor", px: tuple[int, int] | None = None,
                   top: float | None = None) -> list[list[Segment]]:
    """A neuron's incoming weights ``w`` (H·W,) as an image on the diverging scale, scaled
    to ``top`` (default its own largest |w|)."""
    top = weight_top(w) if top is None else top
    return render_levels(diverging_levels(np.asarray(w).reshape(shape), top), "diverging",
                         color_system, px)
