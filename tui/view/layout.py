"""Diagram geometry shared by the frame builder and the diagram widget: how wide each column
of node labels is, and how large the small neuron maps beside the nodes can be."""
from __future__ import annotations

#: (lines, chars) of a node map at each step down, largest first
_NODE_SHAPES = ((4, 8), (3, 6), (2, 4), (1, 4))
MIN_GAP = 2  #: the diagram's smallest gap between node columns

#: node rows a diagram needs for maps: the compact layout (80×24: 6) keeps plain labels,
#: whose edges the maps would squeeze into 2 columns
MIN_ROWS = 12


VALUE_W = 5  #: a node's value as the diagram writes it, short(): "+0.73"


def label_widths(input_names, names, input_labels=()) -> list[int]:
    """Width of each diagram column's node labels ("h¹₃ +0.73"), inputs first; the
    inputs' values as ``input_labels`` writes them ("x₁² 0.8428"), when given."""
    widths = [max(len(nm) for nm in col) + 1 + VALUE_W for col in (input_names, *names)]
    if input_labels:
        widths[0] += max(0, input_value_width(input_labels) - VALUE_W)
    return widths


def input_value_width(input_labels) -> int:
    """Cells the input column's values take: the longest label, at least VALUE_W."""
    return max([VALUE_W, *map(len, input_labels)])


def node_map_shape(sizes, label_widths, width: int, height: int) -> tuple[int, int] | None:
    """(lines, chars) of the small map beside each hidden/output node of a
    diagram ``width`` × ``height`` cells whose columns of labels are
    ``label_widths`` wide, or None when there is no room (then the diagram
    keeps its plain labels).  The same rule as the diagram's layout: two lines
    of caption, one of titles, nodes spaced ``rows // n`` (at most 6) apart."""
    rows = height - 3
    hidden = list(sizes[1:])
    if not hidden or rows < MIN_ROWS or max(hidden) > rows:
        return None
    spacing = min(min(6, rows // n) for n in hidden)
    n_cols = len(sizes)
    for lines, chars in _NODE_SHAPES:
        if lines > max(1, spacing - 1):
            continue
        need = sum(label_widths) + (n_cols - 1) * (chars + 1 + MIN_GAP)
        if need <= width:
            return lines, chars
    return None
