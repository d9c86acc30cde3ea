"""The compare view's renderers fed hand-made views whose numbers are known: every
cell of the table, the chart's curves, colours, legend, axes and ticks, and the
layout rules (when diagrams fit, how tall the chart is).  tests/test_branches.py
checks the same renderers against real branches."""
import math
import re

import numpy as np
import pytest
from rich.console import Console

from helpers import braille_in, plot_rows, x_ticks, y_ticks
from tui.view.compare import BranchRow, CompareView, compare_view
from tui.app.widgets.compare import (DIAGRAM_HEIGHT, DIAGRAM_MIN_WIDTH, _where, diagrams_fit,
                                 render_chart, render_compare, render_table)

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def row(letter="A", **fields) -> BranchRow:
    base = dict(letter=letter, label=f"{letter}: lr 5", colour="cyan", followed=False, epoch=12,
                cursor=0, units=10, loss=0.125, lr=5.0, halted=None, fork_at=None, parent=None,
                distance=0.0, max_change=0.0, max_where=None,
                epochs=np.arange(0, 100, 10.0), lo=np.logspace(0, -2, 10),
                hi=np.logspace(0, -2, 10))
    base.update(fields)
    return BranchRow(**base)


A_ROW = row("A", followed=False)
B_ROW = row("B", label="B: lr 0.5 (A: 5)", colour="orange", followed=True, epoch=7, cursor=3,
            loss=0.03125, lr=0.5, fork_at=(4, 2), parent="A", distance=1.234567,
            max_change=0.987654, max_where="h₁ w₂ (x₂)",
            epochs=np.arange(0, 70, 10.0), lo=np.full(7, 0.2), hi=np.full(7, 0.2))


def table_lines(view: CompareView, width: int = 160) -> list[str]:
    console = Console(width=width, record=True, color_system=None)
    console.print(render_table(view))
    return console.export_text().splitlines()


def cells(line: str) -> list[str]:
    return [c for c in re.split(r"\s{2,}", line.strip()) if c]


# ------------------------------------------------------------------ the table
def test_table_header_and_every_cell_of_each_branch():
    lines = table_lines(CompareView((A_ROW, B_ROW), None, 1))
    assert cells(lines[0]) == ["branch", "what differs", "at", "loss", "‖θ − θ_A‖",
                               "max |Δ| (which)", "forked"]
    assert cells(lines[1]) == ["A", "lr 5", "epoch 12", "0.125", "—", "—", "—"]
    assert cells(lines[2]) == ["▶ B", "lr 0.5 (A: 5)", "epoch 7 (3/10 units)", "0.03125",
                               "1.235", "0.9877 (h₁ w₂ (x₂))", "from A at epoch 4 (2/10 units)"]
    assert lines[1].startswith("  A") and lines[2].startswith("▶ B")


def test_table_says_when_a_branch_has_no_loss_or_stopped():
    fresh = row("C", label="C: as A", loss=None, distance=0.0, max_change=math.nan,
                fork_at=(0, 0), parent="B")
    stopped = row("D", label="D: lr 50 (A: 5)", loss=math.nan, halted="loss is NaN at ŷ",
                  distance=3.0, max_change=2.0, max_where="ŷ b", fork_at=(9, 0), parent="A")
    lines = table_lines(CompareView((A_ROW, fresh, stopped), None, 1))
    assert cells(lines[2]) == ["C", "as A", "epoch 12", "—", "0", "—", "from B at epoch 0"]
    assert cells(lines[3]) == ["D", "lr 50 (A: 5)", "epoch 12", "stopped (loss is NaN at ŷ)",
                               "3", "2 (ŷ b)", "from A at epoch 9"]


def test_table_letters_wear_their_branch_colour():
    table = render_table(CompareView((A_ROW, B_ROW), None, 1))
    letters = table.columns[0]._cells
    assert [t.plain for t in letters] == ["  A", "▶ B"]
    assert [str(t.style) for t in letters] == ["bold cyan", "bold orange"]


@pytest.mark.parametrize("epoch,cursor,units,text", [(0, 0, 10, "epoch 0"),
                                                     (12, 8, 10, "epoch 12 (8/10 units)"),
                                                     (3, 1, 4, "epoch 3 (1/4 units)")])
def test_where_a_branch_is(epoch, cursor, units, text):
    assert _where(epoch, cursor, units) == text


# ------------------------------------------------------------------ the chart
def chart_lines(view, width=60, height=16, log=True) -> list[str]:
    return ANSI.sub("", render_chart(view, width, height, log)).splitlines()


def test_chart_legend_names_each_branch_and_marks_the_followed_one():
    text = "\n".join(chart_lines(CompareView((A_ROW, B_ROW), None, 1)))
    assert "A: lr 5" in text and "A: lr 5 ◀" not in text
    assert "B: lr 0.5 (A: 5) ◀ followed" in text


def test_chart_axes_and_ticks_in_loss_units_log_and_linear():
    view = CompareView((A_ROW,), None, 1)              # 1 … 0.01 over epochs 0–90
    lines = chart_lines(view)
    assert lines[-1].split() == ["loss", "(log", "scale)", "epoch"]
    assert y_ticks(lines) == ["1", "10⁻¹", "10⁻²"]
    assert x_ticks(lines) == ["0", "50"]              # about one per 12 columns
    lines = chart_lines(view, log=False)
    assert lines[-1].split() == ["loss", "epoch"]
    assert y_ticks(lines) == ["1", "0.5"]
    assert x_ticks(chart_lines(view, width=100)) == ["0", "20", "40", "60", "80"]


def test_chart_draws_each_branch_in_its_own_colour_and_glyph():
    import re

    one = braille_in(render_chart(CompareView((A_ROW,), None, 1), 60, 16))
    text = render_chart(CompareView((A_ROW, B_ROW), None, 1), 60, 16)
    both = braille_in(text)
    assert set(one) == {"6"} and one["6"] > 20                   # cyan braille for A
    assert set(both) == {"6"} and both["6"] > 20                 # B is not braille …
    b_cells = "".join(re.findall(r"\x1b\[38;5;3m([^\x1b]+)", text))
    assert set(b_cells) == {"x"} and len(b_cells) > 10            # … but orange x: no colour needed


def test_chart_draws_the_low_edge_only_where_the_bin_has_one():
    flat = row("A", epochs=np.arange(0, 100, 10.0), lo=np.full(10, 0.01), hi=np.full(10, 0.1))
    rows = plot_rows(chart_lines(CompareView((flat,), None, 1)))
    full = [k for k, r in enumerate(rows) if sum(ch.strip() != "" for ch in r) > 0.9 * len(r)]
    assert full == [0, len(rows) - 1]          # the high line at 0.1 and the low one at 0.01
    same = row("A", epochs=np.arange(0, 100, 10.0), lo=np.full(10, 0.1), hi=np.full(10, 0.1))
    assert braille_in(render_chart(CompareView((same,), None, 1), 60, 16))["6"] < \
        braille_in(render_chart(CompareView((flat,), None, 1), 60, 16))["6"]


def test_chart_spans_the_longest_branch_and_the_lowest_and_highest_loss():
    late = row("B", colour="orange", epochs=np.arange(0, 400, 10.0), lo=np.full(40, 10.0),
               hi=np.full(40, 10.0))
    lines = chart_lines(CompareView((A_ROW, late), None, 1))
    assert x_ticks(lines)[-1] == "300"
    assert y_ticks(lines) == ["10¹", "1", "10⁻¹", "10⁻²"]


def test_chart_leaves_out_what_log_scale_cannot_draw_and_says_when_there_is_nothing():
    odd = row("A", epochs=np.array([0.0, 1.0, 2.0, 3.0]), lo=np.array([0.5, 0.0, np.nan, 0.25]),
              hi=np.array([0.5, 0.0, np.inf, 0.25]))
    assert y_ticks(chart_lines(CompareView((odd,), None, 1))) == ["0.5", "0.4", "0.3"]
    assert "0" in y_ticks(chart_lines(CompareView((odd,), None, 1), log=False))
    empty = row("A", epochs=np.array([]), lo=np.array([]), hi=np.array([]))
    lines = chart_lines(CompareView((empty,), None, 1))
    assert "no loss yet: step or play" in lines[0] and y_ticks(lines) == []
    assert "no loss yet" not in "".join(chart_lines(CompareView((A_ROW,), None, 1)))


def test_chart_is_as_big_as_asked_but_never_smaller_than_20_by_8():
    assert len(chart_lines(CompareView((A_ROW,), None, 1), 60, 16)) == 16
    assert max(map(len, chart_lines(CompareView((A_ROW,), None, 1), 60, 16))) == 60
    tiny = chart_lines(CompareView((A_ROW,), None, 1), 5, 3)
    assert len(tiny) == 8 and max(map(len, tiny)) == 20


# ------------------------------------------------------------------ the layout
def test_diagrams_fit_side_by_side_only_when_each_is_wide_enough_and_there_is_height():
    tall = 10 + (2 + 3) + DIAGRAM_HEIGHT
    wide = 2 * DIAGRAM_MIN_WIDTH + 2
    assert diagrams_fit(2, wide, tall)
    assert not diagrams_fit(2, wide - 1, tall)       # one column short
    assert not diagrams_fit(2, wide, tall - 1)       # one line short
    assert not diagrams_fit(1, 200, 100)             # one run: nothing to compare
    assert diagrams_fit(4, 4 * DIAGRAM_MIN_WIDTH + 6, 10 + 7 + DIAGRAM_HEIGHT)
    assert not diagrams_fit(4, 4 * DIAGRAM_MIN_WIDTH + 5, 10 + 7 + DIAGRAM_HEIGHT)


def compare_lines(view, width, height) -> list[str]:
    console = Console(width=width, record=True, color_system=None)
    console.print(render_compare(view, width, height))
    return console.export_text().splitlines()


@pytest.mark.parametrize("width", [120, 99, 76])
def test_the_table_keeps_every_column_whole_and_the_chart_takes_the_rest(width):
    """On a narrow screen the wordy cells wrap onto more lines: "what differs" (why the
    table exists) and the fork point are never dropped or cut short."""
    stopped = row("C", label="C: lr 50 (A: 5)", colour="green", loss=math.nan,
                  halted="loss is NaN at ŷ", distance=3.0, max_change=2.0, max_where="ŷ b",
                  fork_at=(9, 0), parent="B")
    view = CompareView((A_ROW, B_ROW, stopped), None, 1)
    lines = compare_lines(view, width, 30)
    header = next(k for k, line in enumerate(lines) if "branch" in line)
    words = " ".join(lines[header - 1:]).split()
    for cell in ("branch what differs at loss ‖θ − θ_A‖ max |Δ| (which) forked",
                 "lr 0.5 (A: 5)", "epoch 7 (3/10 units)", "0.03125", "1.235",
                 "0.9877 (h₁ w₂ (x₂))", "from A at epoch 4 (2/10 units)", "lr 50 (A: 5)",
                 "stopped (loss is NaN at ŷ)", "2 (ŷ b)", "from B at epoch 9"):
        assert set(cell.split()) <= set(words), (width, cell)
    assert max(map(len, lines)) <= width
    assert len(lines) == 30                            # the chart fills what the table leaves
    row_b = next(line for line in lines if "▶ B" in line)
    if width >= 120:                                   # room: B's cells each whole on one line
        assert "lr 0.5 (A: 5)" in row_b and "from A at epoch 4 (2/10 units)" in row_b
    short = compare_lines(view, width, 12)
    assert next(k for k, line in enumerate(short) if "branch" in line) >= 8  # chart ≥ 8 lines


def test_the_chart_is_as_wide_as_the_screen_not_the_process_terminal():
    """plotext caps a chart at the terminal it runs in (80×24 under `serve` and tests)
    unless told not to."""
    lines = chart_lines(CompareView((A_ROW,), None, 1), 150, 40)
    assert len(lines) == 40 and max(map(len, lines)) == 150


def test_diagrams_side_by_side_each_titled_and_as_wide_as_its_share():
    from tui.core.config import RunConfig, build
    from tui.core.session import Session
    from tui.app.widgets.compare import render_diagrams

    s = Session(build(RunConfig(task="xor")))
    s.play_chunk(3)
    s.fork()
    s.fork()
    view = compare_view(s, diagrams=True)
    width = 120
    console = Console(width=width, record=True, color_system=None)
    console.print(render_diagrams(view, width))
    lines = console.export_text().splitlines()
    each = (width - 2 * 2) // 3                       # three diagrams, two gaps of 2
    assert len(lines) == DIAGRAM_HEIGHT and max(map(len, lines)) <= width
    assert lines[0][:1] == "A" and lines[0][each + 2:each + 3] == "B"
    assert lines[0][2 * (each + 2):2 * (each + 2) + 3] == "C ▶"   # the followed one
    inputs = [k for k, line in enumerate(lines) if line.startswith("x₁ ")]
    assert inputs and all(lines[inputs[0]][c * (each + 2):].startswith("x₁ ") for c in range(3))


@pytest.mark.parametrize("width", [76, 60])
def test_at_80x24_no_cell_wraps_over_more_than_three_lines(width):
    """Issue 22 item 14: the compare table at 80×24 wrapped a cell over 5 lines; its last
    columns move to a second table (under each branch's letter) instead."""
    stopped = row("C", label="C: lr 50 (A: 5), weight h₁ w₂ (x₂) = 1 at epoch 12",
                  colour="green", loss=math.nan, halted="loss is NaN at ŷ", distance=3.0,
                  max_change=2.0, max_where="ŷ b", fork_at=(9, 0), parent="B")
    view = CompareView((A_ROW, B_ROW, stopped), None, 1)
    console = Console(width=width, record=True, color_system=None)
    console.print(render_table(view, width))
    lines = console.export_text().splitlines()
    starts = [k for k, line in enumerate(lines)
              if re.match(r"^(branch|  A|▶ B|  C)\b", line.rstrip() or " ")] + [len(lines)]
    assert all(b - a <= 3 for a, b in zip(starts, starts[1:])), "\n".join(lines)
    words = set(" ".join(lines).split())
    for cell in ("from A at epoch 4 (2/10 units)", "0.9877 (h₁ w₂ (x₂))", "1.235",
                 "stopped (loss is NaN at ŷ)"):
        assert set(cell.split()) <= words, cell
    assert max(map(len, lines)) <= width
