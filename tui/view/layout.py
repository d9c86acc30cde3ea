"""Diagram geometry shared by the frame builder and the diagram widget: how wide each column
of node labels is, how large the small neuron maps beside the nodes can be, and which layers
a diagram of a given width can show at all (a 1 000-layer network shows a dozen: the frame
reads only those from the engine)."""
from __future__ import annotations

#: (lines, chars) of a node map at each step down, largest first
_NODE_SHAPES = ((4, 8), (3, 6), (2, 4), (1, 4))
MIN_GAP = 2  #: the diagram's smallest gap between node columns

#: node rows a diagram needs for maps: the compact layout (80×24: 6) keeps plain labels,
#: whose edges the maps would squeeze into 2 columns
MIN_ROWS = 12


VALUE_W = 5  #: a node's value as the diagram writes it, short(): "+0.73"


#: the narrowest a column of nodes can be: a name of one character, a space, the value
MIN_LABEL_W = 1 + 1 + VALUE_W


def label_widths(input_names, names, input_labels=()) -> list[int]:
    """Width of each diagram column's node labels ("h¹₃ +0.73"), inputs first; the
    inputs' values as ``input_labels`` writes them ("x₁² 0.8428"), when given; a layer
    the view left out (its names None: see :func:`diagram_layers`) counts as the narrowest."""
    widths = [MIN_LABEL_W if col is None else max(len(nm) for nm in col) + 1 + VALUE_W
              for col in (input_names, *names)]
    if input_labels:
        widths[0] += max(0, input_value_width(input_labels) - VALUE_W)
    return widths


def input_value_width(input_labels) -> int:
    """Cells the input column's values take: the longest label, at least VALUE_W."""
    return max([VALUE_W, *map(len, input_labels)])


def diagram_layers(n_layers: int, selected: int, width: int) -> tuple[int, ...] | None:
    """The layers (0-based) whose nodes a diagram ``width`` cells wide may show when the
    layer ``selected`` is selected, or None for every layer (they may all fit; ``width``
    ≤ 0: unknown).

    Columns are at least :data:`MIN_LABEL_W` wide with :data:`MIN_GAP` between, so when
    ``n_layers + 1`` columns cannot all fit the diagram shows the inputs, the output and
    at most k = width // (MIN_LABEL_W + MIN_GAP) hidden layers: the first k, or k around
    the selected one (:func:`tui.app.widgets.diagram._window`).  This returns a superset
    of those: O(width) layers, however many the network has."""
    n_cols = n_layers + 1
    step = MIN_LABEL_W + MIN_GAP
    if width <= 0 or n_cols <= 2 or n_cols * step - MIN_GAP <= width:
        return None
    k = width // step + 1
    col = selected + 1
    cols = set(range(1, min(k, n_cols - 1) + 1))
    cols.update(range(max(1, col - k), min(n_cols - 1, col + k + 1)))
    cols.add(n_cols - 1)
    return tuple(sorted(c - 1 for c in cols))


def node_map_shape(sizes, label_widths, width: int, height: int) -> tuple[int, int] | None:
    """(lines, chars) of the small map beside each hidden/output node of a
    diagram ``width`` × ``height`` cells whose columns of labels are
    ``label_widths`` wide, or None when there is no room (then the diagram
    keeps its plain labels).  The same rule as the diagram's layout: two lines
    of caption, one of titles, nodes spaced ``rows // n`` (at most 6) apart."""
    rows = height - 3
    n_cols = len(sizes)
    # the smallest map (4 chars) beside the narrowest labels: if even that is too wide, none
    if n_cols < 2 or rows < MIN_ROWS or n_cols * MIN_LABEL_W + (n_cols - 1) * 7 > width:
        return None  # (a 1 000-layer network: no walk over its layers)
    hidden = list(sizes[1:])
    if max(hidden) > rows:
        return None
    spacing = min(min(6, rows // n) for n in hidden)
    for lines, chars in _NODE_SHAPES:
        if lines > max(1, spacing - 1):
            continue
        need = sum(label_widths) + (n_cols - 1) * (chars + 1 + MIN_GAP)
        if need <= width:
            return lines, chars
    return None
