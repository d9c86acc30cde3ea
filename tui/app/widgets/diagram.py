"""The network diagram: nodes in columns, every weight an edge.

Edges are drawn with braille dots (2×4 per character cell) between the node
columns.  Positive weights are solid blue lines, negative weights dashed orange
ones (so the sign reads without colour, e.g. with ``NO_COLOR``); the brighter
the edge, the larger |w| relative to the largest weight of its layer.  Each node
shows its name and its activation a (or, during the backward pass, its δ) for
the selected sample.  The selected neuron is shown in reverse video, the neurons
the last step computed are highlighted, and values from an earlier pass are dim.
With neuron maps in the frame (2-input tasks) and room for them (not in the
compact 80×24 layout), each hidden and output node has its map right of its
label (:mod:`tui.app.widgets.neuron_map`).

When a column has more neurons than lines, it shows a window of them and
"⋮ 59 more".  When the hidden layers do not all fit across, the diagram shows
the inputs, as many hidden layers as fit (around the selected neuron's layer),
a marker "⋯ 3 layers (48 neurons) not shown" for each run of hidden layers left
out, and always the output layer.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate

import numpy as np
from rich.color import Color
from rich.style import Style
from rich.segment import Segment
from textual.events import Click
from textual.message import Message

from tui.core.format import short
from tui.view.views import DiagramView
from tui.app.widgets.canvas import LineCanvas, runs
from tui.view.layout import MIN_GAP, input_value_width, label_widths, node_map_shape
from tui.app.widgets.neuron_map import heatmap

POS = (76, 155, 232)   # blue
NEG = (242, 142, 43)   # orange
BG = (30, 30, 36)
VALUE_W = 5            # short(): "+0.73"
BRAILLE = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
DASH = 2               #: negative edges: DASH pixels drawn, DASH skipped
MARK_GAP = 1           #: either side of a "layers not shown" marker (no edges cross it)
MARK_W = 12            #: the marker's preferred width ("(48 neurons)")


EDGE_LEVELS = 8
#: edge styles by sign and brightness level (few distinct styles keep redraws cheap)
EDGE_STYLES = {
    (sign, k): Style(color=Color.from_rgb(*(int(b + (c - b) * (0.25 + 0.75 * k / (EDGE_LEVELS - 1)))
                                            for c, b in zip(rgb, BG))))
    for sign, rgb in ((1, POS), (-1, NEG)) for k in range(EDGE_LEVELS)
}
SELECTED = Style(color="black", bgcolor="white", bold=True)
HIGHLIGHTED = Style(color="black", bgcolor="yellow", bold=True)
PROBLEM = Style(color="white", bgcolor="red", bold=True)
STALE = Style(color="grey50")
CURRENT = Style(color="white", bold=True)
INPUT = Style(color="grey70")


@dataclass
class NodeBox:
    x: int
    y: int
    layer: int  # -1 for inputs
    index: int
    width: int


def more_text(shown: list[int], n: int) -> str:
    """What the window ``shown`` of ``n`` neurons leaves out, said where it is:
    ``⋮ 59 more`` (after it), ``⋮ 11 above`` (before it) or ``⋮ 4↑ 7↓`` (both)."""
    above, below = (shown[0], n - shown[-1] - 1) if shown else (0, n)
    if not above:
        return f"⋮ {below} more" if below else ""
    return f"⋮ {above}↑ {below}↓" if below else f"⋮ {above} above"


def visible_rows(n: int, rows: int, focus: int | None) -> tuple[list[int], bool]:
    """Which neuron indices fit in ``rows`` lines (a window around ``focus``)."""
    if n <= rows:
        return list(range(n)), False
    keep = max(1, rows - 1)
    focus = 0 if focus is None else focus
    start = max(0, min(focus - keep // 2, n - keep))
    return list(range(start, start + keep)), True


_GEOMETRY_CACHE: dict = {}


@dataclass(frozen=True)
class EdgeGeometry:
    """Where the edges' braille pixels are, computed once per layout.

    Per drawn pixel: its cell (index into ``cell_x``/``cell_y``), its braille bit,
    its edge and whether it is drawn on a dashed (negative) edge; per edge: its
    layer and (input, neuron) indices."""

    cell_x: np.ndarray
    cell_y: np.ndarray
    pix_cell: np.ndarray
    pix_bit: np.ndarray
    pix_edge: np.ndarray
    pix_dash_on: np.ndarray
    edge_layer: np.ndarray
    edge_i: np.ndarray
    edge_j: np.ndarray


def _edge_geometry(starts: tuple, ends: tuple, columns: tuple, width: int, height: int
                   ) -> EdgeGeometry | None:
    """Edges from column l's nodes (right of ``starts[l]``) to column l+1's (left of ``ends[l+1]``)."""
    key = (starts, ends, columns, width, height)
    if key in _GEOMETRY_CACHE:
        return _GEOMETRY_CACHE[key]
    cells: dict[tuple[int, int], int] = {}
    pix_cell, pix_bit, pix_edge, pix_dash = [], [], [], []
    edges: list[tuple[int, int, int]] = []
    for l in range(len(columns) - 1):
        x0, x1 = starts[l], ends[l + 1]
        if x1 <= x0:
            continue
        for i, yi in columns[l]:
            for j, yj in columns[l + 1]:
                e = len(edges)
                edges.append((l, i, j))
                px0, py0, px1, py1 = x0 * 2, yi * 4 + 1, x1 * 2 + 1, yj * 4 + 1
                steps = max(abs(px1 - px0), abs(py1 - py0), 1)
                for k in range(steps + 1):
                    px = px0 + (px1 - px0) * k // steps
                    py = py0 + (py1 - py0) * k // steps
                    cell = (px // 2, py // 4)
                    if 0 <= cell[0] < width and 0 <= cell[1] < height:
                        pix_cell.append(cells.setdefault(cell, len(cells)))
                        pix_bit.append(BRAILLE[py % 4][px % 2])
                        pix_edge.append(e)
                        pix_dash.append((k // DASH) % 2 == 0)
    result = None
    if edges and pix_cell:
        result = EdgeGeometry(
            cell_x=np.array([c[0] for c in cells]), cell_y=np.array([c[1] for c in cells]),
            pix_cell=np.array(pix_cell), pix_bit=np.array(pix_bit), pix_edge=np.array(pix_edge),
            pix_dash_on=np.array(pix_dash), edge_layer=np.array([e[0] for e in edges]),
            edge_i=np.array([e[1] for e in edges]), edge_j=np.array([e[2] for e in edges]))
    if len(_GEOMETRY_CACHE) > 16:
        _GEOMETRY_CACHE.clear()
    _GEOMETRY_CACHE[key] = result
    return result


def _draw_edges(grid, g: EdgeGeometry, weights) -> None:
    """Colour and dash every edge by its weight; per cell the brightest edge wins."""
    levels, negatives = [], []
    # the layers with edges drawn, in order (not np.unique: NumPy 2's loads numpy.ma, ≈ 15 ms
    # of the first frame)
    for l in sorted(set(g.edge_layer.tolist())):
        W = weights[l]
        sel = g.edge_layer == l
        w = W[g.edge_i[sel], g.edge_j[sel]]
        scale = float(np.abs(W[np.isfinite(W)]).max(initial=0.0)) or 1.0
        levels.append(np.where(np.isfinite(w), np.rint(np.abs(w) / scale * (EDGE_LEVELS - 1)),
                               EDGE_LEVELS - 1).clip(0, EDGE_LEVELS - 1).astype(int))
        negatives.append(w < 0)
    level, negative = np.concatenate(levels), np.concatenate(negatives)
    drawn = ~negative[g.pix_edge] | g.pix_dash_on
    bits = np.zeros(len(g.cell_x), dtype=np.int64)
    np.bitwise_or.at(bits, g.pix_cell[drawn], g.pix_bit[drawn])
    code = level * 2 + negative
    best = np.full(len(g.cell_x), -1)
    np.maximum.at(best, g.pix_cell[drawn], code[g.pix_edge[drawn]])
    for x, y, b, c in zip(g.cell_x.tolist(), g.cell_y.tolist(), bits.tolist(), best.tolist()):
        if b:
            grid[y][x] = (chr(0x2800 + b), EDGE_STYLES[(-1 if c % 2 else 1, c // 2)])


def _node_style(data: DiagramView, layer: int, i: int) -> Style:
    key = (layer, i)
    if key == data.problem:
        return PROBLEM
    if key == data.selected:
        return SELECTED
    if key in data.highlighted:
        return HIGHLIGHTED
    return CURRENT if data.fresh[layer][i] else STALE


def _small_maps(data: DiagramView, label_w: list[int], width: int, height: int):
    """(lines, chars) of the node maps when the frame has them at the size this
    diagram has room for; else None (plain labels)."""
    maps = data.maps
    if maps is None or maps.small is None:
        return None
    shape = node_map_shape(data.sizes, label_w, width, height)
    if shape is None or maps.small[0].shape[1:] != (2 * shape[0], shape[1]):
        return None
    return shape


def maps_drawn(data: DiagramView, width: int, height: int) -> bool:
    """Whether :func:`render_diagram` draws the neuron maps at this size (their legend is
    shown only then)."""
    label_w = label_widths(data.input_names, data.names, data.input_labels)
    return _small_maps(data, label_w, width, height) is not None


def _wrap(text: str, width: int) -> list[str] | None:
    """``text`` in lines of at most ``width`` cells, broken between words; None
    if one word is wider."""
    lines: list[str] = []
    for word in text.split():
        if len(word) > width:
            return None
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def marker_lines(n_layers: int, n_neurons: int, width: int, rows: int, terse: bool = False
                 ) -> list[str] | None:
    """The marker for ``n_layers`` hidden layers (``n_neurons`` neurons) left out,
    in at most ``rows`` lines of at most ``width`` cells: the longest wording
    that fits, from "⋯ 3 layers (48 neurons) not shown" to "⋯ 3 layers" (or,
    ``terse``, "⋯ 3"); None if none does."""
    layers = f"{n_layers} layer{'' if n_layers == 1 else 's'}"
    neurons = f"({n_neurons} neuron{'' if n_neurons == 1 else 's'})"
    texts = [f"⋯ {layers} {neurons} not shown", f"⋯ {layers} not shown", f"⋯ {layers}"]
    for text in texts + [f"⋯ {n_layers}"] * terse:
        for w in dict.fromkeys((min(width, MARK_W), width)):
            lines = _wrap(text, w) if w > 0 else None
            if lines is not None and len(lines) <= rows:
                return lines
    return None


@dataclass
class Marker:
    """Hidden layers ``first``…``last`` (diagram columns) left out, drawn at x."""
    first: int
    last: int
    x: int
    lines: list[str]


def _window(n_hidden: int, k: int, selected: int) -> int:
    """First column of the ``k`` hidden layers shown (columns 1…n_hidden): from
    the first, or around ``selected`` (a column) when that is further right."""
    if k == 0 or not 1 <= selected <= n_hidden or selected <= k - 1 or k == n_hidden:
        return 1
    return max(1, min(selected - (k - 1) // 2, n_hidden - k + 1))


def _overflow_layout(sizes, col_w: list[int], width: int, rows: int, selected: int
                     ) -> tuple[list[int | None], list[Marker]]:
    """x of each column (None: not shown) and the markers, when not every
    hidden layer fits across ``width``: as many hidden layers as fit."""
    n_cols = len(sizes)
    n_hidden = n_cols - 2
    # no more hidden layers than their narrowest columns (and gaps) can fit across ``width``:
    # starting there, not at n_hidden - 1, keeps a 1 000-layer network's layout quick
    narrowest = min(col_w[1:-1], default=1) + MIN_GAP
    for k in range(min(n_hidden - 1, width // max(1, narrowest)), -1, -1):
        start = _window(n_hidden, k, selected)
        runs_out = [r for r in ((1, start - 1), (start + k, n_hidden)) if r[0] <= r[1]]
        run_at = {r[0]: r for r in runs_out}
        # the columns left to right: a layer's index, or a run of hidden layers left out
        items: list = [0, *([run_at[1]] if 1 in run_at and start > 1 else []), *range(start, start + k),
                       *([run_at[start + k]] if start + k in run_at else []), n_cols - 1]
        gaps = [MIN_GAP if isinstance(a, int) and isinstance(b, int) else MARK_GAP
                for a, b in zip(items, items[1:])]
        fixed = sum(col_w[c] for c in items if isinstance(c, int)) + sum(gaps)
        room = (width - fixed) // max(1, len(runs_out))
        # a readable marker is worth one hidden layer less; with none shown, any will do
        texts = [marker_lines(b - a + 1, sum(sizes[a:b + 1]), room, rows, terse=k == 0)
                 for a, b in runs_out]
        if all(t is not None for t in texts) or k == 0:
            texts = [t or [f"⋯{b - a + 1}"] for t, (a, b) in zip(texts, runs_out)]
            widths = [col_w[c] if isinstance(c, int) else max(map(len, texts[runs_out.index(c)]))
                      for c in items]
            extra = max(0, width - sum(widths) - sum(gaps)) // max(1, len(gaps))
            xs: list[int | None] = [None] * n_cols
            markers: list[Marker] = []
            x = 0
            for item, w, gap in zip(items, widths, [*gaps, 0]):
                if isinstance(item, int):
                    xs[item] = x
                else:
                    markers.append(Marker(item[0], item[1], x, texts[runs_out.index(item)]))
                x += w + gap + extra
            return xs, markers
    raise AssertionError("unreachable: k = 0 always gives a layout")


def title_place(title: str, x: int, w: int, left: int, right: int | None
                ) -> tuple[int, str]:
    """Where a layer's title goes and what of it: at its column ``x``, whole if it fits
    in ``w`` cells.  The last column (``right``: the diagram's width) may also use the
    free cells to its right and, moved left, those after what ends at ``left`` (one
    blank cell kept); failing that its last word ("softmax"), else cut to ``w``."""
    if len(title) <= w and (right is None or x + len(title) <= right):
        return x, title
    if right is not None:
        for text in (title, title.split()[-1]):
            start = max(left + 1, min(x, right - len(text)))
            if start + len(text) <= right:
                return start, text
    return x, title[:w]


#: shorter wordings of a caption's words, tried in turn while it is too wide
SHORTER = ((" pass", ""), ("hidden layer ", "layer "), ("output layer ", "output "),
           (" (not in the batch: –)", " (–: not in batch)"), (" · nodes show ", " · "))


def fit_words(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, never cut inside a word: its shorter wordings
    (:data:`SHORTER`: "next: forward layer 1" for "next: forward hidden layer 1"), then
    whole words dropped from its end, an "…" in their place."""
    for old, new in SHORTER:
        if len(text) <= width:
            return text
        text = text.replace(old, new)
    if len(text) <= width:
        return text
    words = text.split(" ")
    while len(words) > 1 and len(" ".join(words)) + 1 > width:
        words.pop()
    while words and words[-1] in ("·", "next:"):  # no dangling separator before the "…"
        words.pop()
    return (" ".join(words) + "…")[:width] if words else text[:width]


def render_diagram(data: DiagramView, width: int, height: int,
                   color_system: str | None = "truecolor"
                   ) -> tuple[list[list[Segment]], list["NodeBox"]]:
    """Lines of Segments for the diagram, and where each node was drawn.
    With ``data.maps`` (and room), each hidden/output node has its neuron map
    right of its label; ``color_system`` as Rich names it, None for NO_COLOR."""
    n_cols = len(data.sizes)
    names = [data.input_names, *data.names]
    label_w = label_widths(data.input_names, data.names, data.input_labels)
    in_w = input_value_width(data.input_labels)
    node_map = _small_maps(data, label_w, width, height)
    text_w = list(label_w)
    if node_map is not None:
        label_w = [w if c == 0 else w + node_map[1] + 1 for c, w in enumerate(label_w)]
    top = 2  # the first two lines are the caption
    rows = max(1, height - top - 1)
    gap = max(2, (width - sum(label_w)) // max(1, n_cols - 1))
    xs = [left + c * gap for c, left in enumerate(accumulate(label_w[:-1], initial=0))]

    # which nodes are shown, and where
    columns: list[list[tuple[int, int]]] = []  # (index, y) per column
    more: list[str] = []  # per column: what its window leaves out ("" if nothing)
    for c, n in enumerate(data.sizes):
        if names[c] is None:  # a layer the view left out (too deep to show whole)
            columns.append([])
            more.append("")
            continue
        focus = data.selected[1] if c - 1 == data.selected[0] else None
        idx, cut = visible_rows(n, rows, focus)
        span = len(idx) + (1 if cut else 0)
        spacing = max(1, min(6, rows // max(1, span)))
        offset = top + max(0, (rows - (span - 1) * spacing - 1) // 2)
        columns.append([(i, offset + r * spacing) for r, i in enumerate(idx)])
        more.append(more_text(idx, n))

    # more hidden layers than fit across: show some, and markers for the rest
    markers: list[Marker] = []
    col_w = [max(w, len(m)) for w, m in zip(label_w, more)]
    title_w = [w + gap - 1 for w in label_w]
    if n_cols > 2 and any(x + w > width for x, w in zip(xs, col_w)):
        if node_map is not None:  # (maps are only made where every column fits)
            node_map, label_w = None, list(text_w)
            col_w = [max(w, len(m)) for w, m in zip(label_w, more)]
        shown_xs, markers = _overflow_layout(data.sizes, col_w, width, rows, data.selected[0] + 1)
        columns = [col if shown_xs[c] is not None else [] for c, col in enumerate(columns)]
        lefts = sorted([x for x in shown_xs if x is not None] + [m.x for m in markers])
        after = dict(zip(lefts, [*lefts[1:], width + 1]))  # each left edge: the next one
        title_w = [0 if x is None else after[x] - x - 1 for x in shown_xs]
        xs = [0 if x is None else x for x in shown_xs]

    grid = [[(" ", None)] * width for _ in range(height)]
    geometry = _edge_geometry(tuple(x + w for x, w in zip(xs, label_w)),
                              tuple(x - 1 for x in xs),
                              tuple(tuple(col) for col in columns), width, height)
    if geometry is not None:
        _draw_edges(grid, geometry, data.weights)

    boxes: list[NodeBox] = []

    def put(x: int, y: int, text: str, style: Style) -> None:
        for k, ch in enumerate(text):
            if 0 <= x + k < width and 0 <= y < height:
                grid[y][x + k] = (ch, style)

    title_end = max([-1] + [m.x + max(map(len, m.lines), default=0) for m in markers
                            if m.x < xs[-1]])  # the last title may not cross a marker
    for c, col in enumerate(columns):
        if not col:
            continue  # a hidden layer left out (a marker stands for it)
        layer = c - 1
        for i, y in col:
            if layer < 0:  # the inputs with the digits their arithmetic needs
                label = data.input_labels[i] if data.input_labels else \
                    short(data.input_values[i])
                name = names[c][i].ljust(text_w[c] - in_w - 1)
                put(xs[c], y, f"{name} {label.rjust(in_w)}", INPUT)
                boxes.append(NodeBox(xs[c], y, layer, i, label_w[c]))
                continue
            name = names[c][i].ljust(text_w[c] - VALUE_W - 1)
            ever = data.computed is None or bool(data.computed[layer][i])
            value = short(data.values[layer][i]) if data.known[layer] and ever else "  –  "
            put(xs[c], y, f"{name} {value}", _node_style(data, layer, i))
            if node_map is not None:
                lo, hi = data.maps.scales[layer]
                x0 = xs[c] + text_w[c] + 1
                for r, line in enumerate(heatmap(data.maps.small[layer][i], lo, hi,
                                                 color_system)):
                    k = 0
                    for seg in line:
                        put(x0 + k, y + r, seg.text, seg.style)
                        k += len(seg.text)
            boxes.append(NodeBox(xs[c], y, layer, i, label_w[c]))
        if more[c]:
            y_last = (col[-1][1] + 1) if col else top
            put(xs[c], min(height - 1, y_last), more[c], Style(dim=True))
        title = "input" if layer < 0 else data.layer_titles[layer]
        x_title, title = title_place(title, xs[c], title_w[c], title_end,
                                     width if c == n_cols - 1 else None)
        put(x_title, height - 1, title, Style(color="grey62", italic=True))
        title_end = max(title_end, x_title + len(title))
    for m in markers:
        y0 = top + max(0, (rows - len(m.lines)) // 2)
        for r, line in enumerate(m.lines):
            put(m.x, y0 + r, line, Style(color="grey62"))
    put(0, 0, fit_words(data.caption[0], width), Style(color="cyan", bold=True))
    put(0, 1, fit_words(data.caption[1], width), Style(color="cyan"))

    return [runs(row) for row in grid], boxes


def color_system(app) -> str | None:
    """The app's colour system as Rich names it ("truecolor", "256", "standard"),
    None under NO_COLOR (maps then use glyph densities)."""
    if getattr(app, "no_color", False):
        return None
    return app.console.color_system or None


class NetworkDiagram(LineCanvas):
    """Renders a :class:`DiagramView`; posts :class:`NeuronClicked` on a node click."""

    class NeuronClicked(Message):
        def __init__(self, layer: int, neuron: int) -> None:
            super().__init__()
            self.layer = layer
            self.neuron = neuron

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.data: DiagramView | None = None
        self.boxes: list[NodeBox] = []

    #: the maps' legend for the bottom border: width → text (set by :meth:`show`)
    legend: Callable[[int], str] | None = None

    def show(self, data: DiagramView, legend: Callable[[int], str] | None = None) -> None:
        self.data, self.legend = data, legend
        self._draw()

    class Resized(Message):
        """The diagram has a new size: its frame was built for the old one (maps or none);
        the app builds one at this size (its own resize redraw can run before the layout
        has settled, and leave the maps out)."""

    def on_resize(self) -> None:
        self._draw()
        self.post_message(self.Resized())

    def _draw(self) -> None:
        if self.data is not None:
            lines, self.boxes = render_diagram(self.data, self.content_size.width,
                                               self.content_size.height, color_system(self.app))
            self.set_lines(lines)
            drawn = self.legend is not None and maps_drawn(self.data, *self.content_size)
            self.border_subtitle = self.legend(self.size.width - 6) if drawn else ""

    def node_at(self, x: int, y: int) -> NodeBox | None:
        for box in self.boxes:
            if box.y == y and box.x <= x < box.x + box.width:
                return box
        return None

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        box = self.node_at(offset.x, offset.y)
        if box is not None and box.layer >= 0:
            self.post_message(self.NeuronClicked(box.layer, box.index))


__all__ = ["NetworkDiagram", "render_diagram"]
