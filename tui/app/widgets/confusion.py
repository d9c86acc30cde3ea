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


def summary(view: DigitsView) -> str:
    return f"{view.accuracy:.1%} right · {view.mistakes} mistakes: i, then [ ] walks them"


def render_confusion(view: DigitsView, width: int, height: int) -> list[list[Segment]]:
    """The header of classes, a line per true class, the summary (:func:`summary`) under
    them where the height allows. Narrower than a full line (39 cells for 10 classes): the
    row labels and the % column lose their spare spaces. Shorter than the class lines and
    the header (80×24): the header goes (the columns are the classes in the rows' order;
    the panel's title says so, :func:`title`), never a class's line."""
    counts = view.confusion
    k = counts.shape[0]
    cw = cell_width(counts)
    narrow = width < 4 + k * cw + 5
    label_w, pct = (3, "{:4.0%}") if narrow else (4, " {:4.0%}")
    lines = [[Segment("t\\ŷ".ljust(label_w), HEAD),
              Segment("".join(str(j).rjust(cw) for j in range(k)), HEAD),
              Segment("   %" if narrow else "    %", HEAD)]]
    for i in range(k):
        line = [Segment(f"{i:>{label_w - 1}} ", HEAD)]
        for j in range(k):
            n = int(counts[i, j])
            text = ("·" if n == 0 else str(n)).rjust(cw)
            line.append(Segment(text, DIM if n == 0 else RIGHT if i == j else WRONG))
        total = int(counts[i].sum())
        line.append(Segment(pct.format(counts[i, i] / total) if total
                            else ("   –" if narrow else "    –")))
        lines.append(line)
    if height <= k:  # no room for the header: every class's line first
        lines = lines[1:]
    elif height > k + 1:
        lines.append([Segment(summary(view), HEAD)])
    return [crop(line, width) for line in lines[:max(1, height)]]


def title(view: DigitsView, width: int, height: int) -> str:
    """The panel's title: what is scored and how well; where the summary line has no room
    under the matrix (80×24), the summary itself, shortened to the title's room."""
    k = view.confusion.shape[0]
    if height > k + 1:
        return f"confusion · {view.confusion_of} · {view.accuracy:.1%} right"
    room = width - 6  # the title between "╭─ " and " ─╮"
    acc, wrong = f"{view.accuracy:.1%}", view.mistakes
    # "right" before the panel's name: at 80×24 "confusion · 10.0% · 323 wrong: i" left
    # a bare 10.0% (right? wrong?)
    for text in (f"confusion · {summary(view)}", summary(view),
                 f"confusion · {acc} right · {wrong} wrong: i",
                 f"{acc} right · {wrong} wrong: i, then [ ]", f"{acc} right · {wrong} wrong: i"):
        if len(text) <= room:
            return text
    return f"{view.accuracy:.1%} right"


class ConfusionPanel(ViewCanvas):
    """Renders a :class:`DigitsView`'s confusion matrix."""

    data: DigitsView | None

    def _draw(self) -> None:
        if self.data is not None:
            size = self.content_size
            self.border_title = title(self.data, self.outer_size.width, size.height)
            self.set_lines(render_confusion(self.data, size.width, size.height))
