"""The network diagram: nodes in columns, every weight an edge.

Edges are drawn with braille dots (2×4 per character cell) between the node
columns.  Blue edges are positive weights, orange negative; the brighter the
edge, the larger |w| relative to the largest weight of its layer.  Each node
shows its activation for the selected sample.  The selected neuron is shown
in reverse video; the neurons the last step computed are highlighted.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.color import Color
from rich.style import Style
from rich.segment import Segment
from textual.events import Click
from textual.message import Message

from ..format import short, sub
from .canvas import LineCanvas, runs

POS = (76, 155, 232)   # blue
NEG = (242, 142, 43)   # orange
BG = (30, 30, 36)
LABEL_W = 7            # "[+0.73]"
BRAILLE = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))


EDGE_LEVELS = 8
#: edge styles by sign and brightness level (few distinct styles keep redraws cheap)
EDGE_STYLES = {
    (sign, k): Style(color=Color.from_rgb(*(int(b + (c - b) * (0.25 + 0.75 * k / (EDGE_LEVELS - 1)))
                                            for c, b in zip(rgb, BG))))
    for sign, rgb in ((1, POS), (-1, NEG)) for k in range(EDGE_LEVELS)
}


@dataclass
class NodeBox:
    x: int
    y: int
    layer: int  # -1 for inputs
    index: int


@dataclass
class DiagramData:
    """What the diagram needs, copied from the engine under the session lock."""

    sizes: list[int]
    weights: list[np.ndarray]          # per layer (n_in, n_out)
    inputs: np.ndarray                 # (n_in,) the selected sample
    activations: list[np.ndarray]      # per layer (n_out,) for the selected sample
    activation_symbols: list[str]     # σ, tanh, relu, id per layer
    selected: tuple[int, int]
    highlighted: set
    stale: set                         # neurons not yet recomputed this epoch
    caption: str


def visible_rows(n: int, rows: int, focus: int | None) -> tuple[list[int], bool]:
    """Which neuron indices fit in ``rows`` lines (a window around ``focus``)."""
    if n <= rows:
        return list(range(n)), False
    keep = max(1, rows - 1)
    focus = 0 if focus is None else focus
    start = max(0, min(focus - keep // 2, n - keep))
    return list(range(start, start + keep)), True


_GEOMETRY_CACHE: dict = {}


def _edge_geometry(xs: tuple, columns: tuple, width: int, height: int):
    """Braille cells covered by the edges between node columns, computed once per layout.

    Returns (cell_x, cell_y, chars, pix_cell, pix_edge, edge_layer, edge_i, edge_j):
    the cells and their braille characters, then for every drawn pixel its cell
    and edge, and for every edge its layer and (input, neuron) indices."""
    key = (xs, columns, width, height)
    if key in _GEOMETRY_CACHE:
        return _GEOMETRY_CACHE[key]
    cells: dict[tuple[int, int], int] = {}
    pixels: list[tuple[tuple[int, int], int]] = []
    edges: list[tuple[int, int, int]] = []
    for l in range(len(columns) - 1):
        x0, x1 = xs[l] + LABEL_W, xs[l + 1] - 1
        if x1 <= x0:
            continue
        for i, yi in columns[l]:
            for j, yj in columns[l + 1]:
                e = len(edges)
                edges.append((l, i, j))
                px0, py0, px1, py1 = x0 * 2, yi * 4 + 1, x1 * 2 + 1, yj * 4 + 1
                steps = max(abs(px1 - px0), abs(py1 - py0), 1)
                for s in range(steps + 1):
                    px = px0 + (px1 - px0) * s // steps
                    py = py0 + (py1 - py0) * s // steps
                    cell = (px // 2, py // 4)
                    if 0 <= cell[0] < width and 0 <= cell[1] < height:
                        cells[cell] = cells.get(cell, 0) | BRAILLE[py % 4][px % 2]
                        pixels.append((cell, e))
    if not edges or not pixels:
        result = None
    else:
        order = {cell: k for k, cell in enumerate(cells)}
        result = (
            np.array([c[0] for c in cells]), np.array([c[1] for c in cells]),
            [chr(0x2800 + bits) for bits in cells.values()],
            np.array([order[c] for c, _ in pixels]), np.array([e for _, e in pixels]),
            np.array([e[0] for e in edges]), np.array([e[1] for e in edges]),
            np.array([e[2] for e in edges]),
        )
    if len(_GEOMETRY_CACHE) > 16:
        _GEOMETRY_CACHE.clear()
    _GEOMETRY_CACHE[key] = result
    return result


def render_diagram(data: DiagramData, width: int, height: int
                   ) -> tuple[list[list[Segment]], list[NodeBox]]:
    """Lines of Segments for the diagram, and where each node was drawn."""
    n_cols = len(data.sizes)
    n_layers = n_cols - 1
    top = 1  # first line is the caption
    rows = max(1, height - top - 1)
    gap = max(2, (width - n_cols * LABEL_W) // max(1, n_cols - 1))
    xs = [c * (LABEL_W + gap) for c in range(n_cols)]

    # which nodes are shown, and where
    columns: list[list[tuple[int, int]]] = []  # (index, y) per column
    more: list[int] = []
    for c, n in enumerate(data.sizes):
        focus = data.selected[1] if c - 1 == data.selected[0] else None
        idx, cut = visible_rows(n, rows, focus)
        span = len(idx) + (1 if cut else 0)
        spacing = max(1, min(6, rows // max(1, span)))
        offset = top + max(0, (rows - (span - 1) * spacing - 1) // 2)
        columns.append([(i, offset + r * spacing) for r, i in enumerate(idx)])
        more.append(n - len(idx))

    # edges on a braille canvas: geometry is cached, only colours change per frame
    geometry = _edge_geometry(tuple(xs), tuple(tuple(col) for col in columns), width, height)
    grid = [[(" ", None)] * width for _ in range(height)]
    if geometry is not None:
        cell_x, cell_y, chars, pix_cell, pix_edge, edge_layer, edge_i, edge_j = geometry
        mags = []
        for l, W in enumerate(data.weights):
            sel = edge_layer == l
            w = W[edge_i[sel], edge_j[sel]]
            scale = float(np.abs(W[np.isfinite(W)]).max(initial=0.0)) or 1.0
            level = np.where(np.isfinite(w), np.rint(np.abs(w) / scale * (EDGE_LEVELS - 1)),
                             EDGE_LEVELS - 1).clip(0, EDGE_LEVELS - 1).astype(int)
            mags.append((level, w < 0))
        level = np.concatenate([m[0] for m in mags])
        negative = np.concatenate([m[1] for m in mags])
        # per cell, the brightest edge through it decides the colour
        code = level * 2 + negative
        best = np.full(len(cell_x), -1)
        np.maximum.at(best, pix_cell, code[pix_edge])
        for x, y, ch, b in zip(cell_x.tolist(), cell_y.tolist(), chars, best.tolist()):
            grid[y][x] = (ch, EDGE_STYLES[(-1 if b % 2 else 1, b // 2)])

    boxes: list[NodeBox] = []

    def put(x: int, y: int, text: str, style: Style) -> None:
        for k, ch in enumerate(text):
            if 0 <= x + k < width and 0 <= y < height:
                grid[y][x + k] = (ch, style)

    for c, col in enumerate(columns):
        layer = c - 1
        for i, y in col:
            if layer < 0:
                label = f"x{sub(i + 1)}{short(data.inputs[i])}"[:LABEL_W].ljust(LABEL_W)
                style = Style(color="grey70")
            else:
                a = data.activations[layer][i]
                label = f"[{short(a)}]"
                key = (layer, i)
                if key == data.selected:
                    style = Style(color="black", bgcolor="white", bold=True)
                elif key in data.highlighted:
                    style = Style(color="black", bgcolor="yellow", bold=True)
                elif key in data.stale:
                    style = Style(color="grey50")
                else:
                    style = Style(color="white", bold=True)
            put(xs[c], y, label, style)
            boxes.append(NodeBox(xs[c], y, layer, i))
        if more[c]:
            y_last = (col[-1][1] + 1) if col else top
            put(xs[c], min(height - 1, y_last), f"⋮+{more[c]}".ljust(LABEL_W), Style(dim=True))
        # column title under the nodes
        if layer < 0:
            title = "input"
        else:
            title = ("out " if layer == n_layers - 1 else f"h{layer + 1} ") + \
                data.activation_symbols[layer]
        put(xs[c], height - 1, title[:LABEL_W + gap - 1], Style(color="grey62", italic=True))
    put(0, 0, data.caption[:width], Style(color="cyan", bold=True))

    return [runs(row) for row in grid], boxes


class NetworkDiagram(LineCanvas):
    """Renders a :class:`DiagramData`; posts :class:`NeuronClicked` on a node click."""

    class NeuronClicked(Message):
        def __init__(self, layer: int, neuron: int) -> None:
            super().__init__()
            self.layer = layer
            self.neuron = neuron

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.data: DiagramData | None = None
        self.boxes: list[NodeBox] = []

    def show(self, data: DiagramData) -> None:
        self.data = data
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        if self.data is not None:
            lines, self.boxes = render_diagram(self.data, self.content_size.width,
                                               self.content_size.height)
            self.set_lines(lines)

    def node_at(self, x: int, y: int) -> NodeBox | None:
        for box in self.boxes:
            if box.y == y and box.x <= x < box.x + LABEL_W:
                return box
        return None

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        box = self.node_at(offset.x, offset.y)
        if box is not None and box.layer >= 0:
            self.post_message(self.NeuronClicked(box.layer, box.index))


__all__ = ["NetworkDiagram", "DiagramData", "render_diagram"]
