"""The live confusion matrix: rows the true class, columns the predicted one.

:func:`render_confusion` is pure: a header line of classes, then one line per true class
with its counts (the diagonal green, mistakes red, zeros a dim ``·``) and the share of it
that is right (its recall) in the last column.
"""
from __future__ import annotations

import numpy as np
from rich.segment import Segment
from rich.style import Style

from tui.view.digits_views import DigitsView
from tui.app.widgets.canvas import ViewCanvas, crop

HEAD = Style(bold=True, color="cyan")
RIGHT = Style(color="green")
WRONG = Style(color="red", bold=True)
DIM = Style(dim=True)


def cell_width(counts: np.ndarray) -> int:
    """Columns per count: the widest count and a space (at least 3)."""
    return max(3, len(str(int(counts.max(initial=0)))) + 1)


def render_confusion(view: DigitsView, width: int, height: int) -> list[list[Segment]]:
    counts = view.confusion
    k = counts.shape[0]
    cw = cell_width(counts)
    lines = [[Segment("t\\ŷ".ljust(4), HEAD),
              Segment("".join(str(j).rjust(cw) for j in range(k)), HEAD),
              Segment("    %", HEAD)]]
    for i in range(k):
        line = [Segment(f"{i:>3} ", HEAD)]
        for j in range(k):
            n = int(counts[i, j])
            text = ("·" if n == 0 else str(n)).rjust(cw)
            line.append(Segment(text, DIM if n == 0 else RIGHT if i == j else WRONG))
        total = int(counts[i].sum())
        line.append(Segment(f" {counts[i, i] / total:4.0%}" if total else "    –"))
        lines.append(line)
    if height > k + 1:
        lines.append([Segment(f"{view.accuracy:.1%} right · {view.mistakes} mistakes: "
                              "i, then [ ] walks them", HEAD)])
    return [crop(line, width) for line in lines[:max(1, height)]]


class ConfusionPanel(ViewCanvas):
    """Renders a :class:`DigitsView`'s confusion matrix."""

    data: DigitsView | None

    def _draw(self) -> None:
        if self.data is not None:
            self.set_lines(render_confusion(self.data, self.content_size.width,
                                            self.content_size.height))
