"""The loss chart's y axis, function by function (no app, no Pilot): which rows get a
label and what each label says.  A label decides what the screen says, so each test
states a property a reader of the chart would notice — a label where nothing is drawn,
a label missing, a wrong value — computed here, not copied from the output.  Where a
function claims to match plotext (which row a tick or a point lands on), plotext itself
is drawn and read back.  (The mutation run that asked for these tests is described in
CONTRIBUTING.md: mutmut on tui/app/widgets/loss_chart.py.)"""
from __future__ import annotations

import math
import re

import numpy as np
import pytest
from textual_plotext.plot import Plot

from tui.app.widgets.loss_chart import (
    _test_series, axis_ticks, below_top, drawn_row, legend_headroom, log_ticks, nice_ticks,
    power_label, row_ticks, tick_row,
)
from tui.view.views import LossView

ANSI = re.compile(r"\x1b\[[0-9;]*m")
BRAILLE_TOP = 0x01 | 0x08      # the top dot row of a braille cell (dots 1 and 4)
BRAILLE_BOTTOM = 0x40 | 0x80   # the bottom dot row (dots 7 and 8)


def plotext_canvas(a: float, b: float, rows: int, value: float | None = None,
                   tick: float | None = None) -> list[str]:
    """plotext's canvas rows, bottom first, for an axis from ``a`` to ``b`` of ``rows``
    rows, with a flat braille line at ``value`` and a tick labelled ``X`` at ``tick``
    (each row's first character is the tick column)."""
    plt = Plot()                     # the chart's own plotext figure (no global state)
    plt.plotsize(24, rows + 3)       # the frame's two lines and the x labels
    plt._set_size(24, rows + 3)      # as LossChart._render_chart sets it (any terminal)
    plt.plot([0.0, 1.0], [a if value is None else value] * 2, marker="braille")
    plt.ylim(a, b)
    plt.yticks([] if tick is None else [tick], [] if tick is None else ["X"])
    lines = [ANSI.sub("", line) for line in plt.build().split("\n")]
    top = next(i for i, line in enumerate(lines) if "┌" in line)
    bottom = next(i for i, line in enumerate(lines) if "└" in line)
    canvas = lines[top + 1:bottom]
    assert len(canvas) == rows, lines
    return canvas[::-1]


def braille_rows(canvas: list[str]) -> dict[int, int]:
    """Row (from the bottom) → the dots drawn on it (OR of its braille cells' bits)."""
    drawn: dict[int, int] = {}
    for row, line in enumerate(canvas):
        for ch in line[2:]:
            if 0x2800 < ord(ch) <= 0x28FF:
                drawn[row] = drawn.get(row, 0) | (ord(ch) - 0x2800)
    return drawn


def label_value(label: str) -> float:
    """The loss a label says: ``0.25``, ``10⁻²`` or ``1``."""
    if label.startswith("10") and len(label) > 2 and not label[2].isdigit() and label[2] != ".":
        digits = label[2:].translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789"))
        return 10.0 ** int(digits)
    return float(label)


def labelled_rows(ticks, a, b, rows) -> list[int]:
    return [tick_row(t, a, b, rows) for t in ticks]


# ── where plotext writes a tick and draws a point ─────────────────────────────────

@pytest.mark.parametrize("a, b, rows", [(0.0, 1.0, 6), (-2.3, -0.4, 9), (-1.0, 1.0, 2)])
def test_tick_row_is_the_row_plotext_writes_the_tick_on(a, b, rows):
    for k in range(41):
        t = a + (b - a) * k / 40
        canvas = plotext_canvas(a, b, rows, tick=t)
        written = [row for row, line in enumerate(canvas) if line.startswith("X┤")]
        assert written == [tick_row(t, a, b, rows)], (t, canvas[::-1])


@pytest.mark.parametrize("a, b, rows", [(0.0, 1.0, 6), (-2.3, -0.4, 9), (-1.0, 1.0, 3)])
def test_drawn_row_is_the_row_plotext_draws_a_point_on(a, b, rows):
    for k in range(61):
        v = a + (b - a) * k / 60
        drawn = braille_rows(plotext_canvas(a, b, rows, value=v))
        assert list(drawn) == [drawn_row(v, a, b, rows)], (v, drawn)


@pytest.mark.parametrize("eps", [3e-8, 6e-9, 2e-9, 1e-10, -1e-10])
def test_a_hair_below_a_row_boundary_is_where_plotext_puts_it(eps):
    """plotext rounds a position 2·10⁻⁹ of a row under a boundary up across it (and
    6·10⁻⁹ under, not): so do tick_row and drawn_row."""
    a, b, rows = 0.0, 1.0, 6
    t = (1.5 - eps) / (rows - 1)          # tick position 2 − eps: rows 1 and 2 meet at 2
    written = [r for r, line in enumerate(plotext_canvas(a, b, rows, tick=t))
               if line.startswith("X┤")]
    assert written == [tick_row(t, a, b, rows)]
    v = (7.5 - eps) / (4 * rows - 1)      # dot position 8 − eps: rows 1 and 2 meet at 8
    assert list(braille_rows(plotext_canvas(a, b, rows, value=v))) == [drawn_row(v, a, b, rows)]


def test_a_value_just_below_or_above_a_row_centre_is_on_that_row():
    # rows' centres at 0, 1, 2, 3, 4 on an axis from 0 to 4 of 5 rows; each row spans ±½
    assert [tick_row(t, 0.0, 4.0, 5) for t in (0, 1, 2, 3, 4)] == [0, 1, 2, 3, 4]
    assert [tick_row(t, 0.0, 4.0, 5) for t in (0.4, 1.4, 2.4, 3.4)] == [0, 1, 2, 3]
    assert [tick_row(t, 0.0, 4.0, 5) for t in (0.6, 1.6, 2.6, 3.6)] == [1, 2, 3, 4]
    # a point: 20 dot rows, 4 to a cell; the bottom and top values on the end rows
    assert drawn_row(0.0, 0.0, 1.0, 5) == 0 and drawn_row(1.0, 0.0, 1.0, 5) == 4
    assert [drawn_row(d / 19, 0.0, 1.0, 5) for d in range(20)] == [d // 4 for d in range(20)]
    assert [drawn_row((d + 0.4) / 19, 0.0, 1.0, 5) for d in range(19)] == \
        [d // 4 for d in range(19)]


# ── round values ──────────────────────────────────────────────────────────────────

def test_nice_ticks_are_the_round_decimals_themselves():
    """923.4, not 923.4000000000001 (which a label with more digits would show)."""
    assert nice_ticks(923.33, 924.12, 6) == [923.4, 923.6, 923.8, 924.0]
    assert nice_ticks(750.29, 750.64, 6) == [750.3, 750.4, 750.5, 750.6]


def test_power_labels():
    assert [power_label(e) for e in (-3, -1, 0, 1, 3)] == ["10⁻³", "10⁻¹", "1", "10¹", "10³"]


def test_log_ticks_with_room_for_every_decade_label_each():
    assert log_ticks(-5.0, 0.0, 6)[1] == ["10⁻⁵", "10⁻⁴", "10⁻³", "10⁻²", "10⁻¹", "1"]


def test_log_ticks_never_more_than_asked():
    # one label at most: one decade, a multiple of the stride where there is one
    assert log_ticks(-3.0, 0.0, 1)[1] == ["1"]
    assert log_ticks(-3.0, 0.0, 0)[1] == ["1"]          # fewer than one: as one
    assert log_ticks(11.0, 14.0, 1)[1] == ["10¹¹"]      # no multiple of 5 there: the first
    for lo, hi, most in ((-10.0, 0.0, 2), (-12.0, 3.0, 3), (-7.0, 0.0, 4), (1.0, 3.0, 2)):
        ticks, labels = log_ticks(lo, hi, most)
        assert 1 <= len(ticks) <= most, (lo, hi, most, labels)


def test_log_ticks_step_by_a_round_number_of_decades():
    # eleven decades, two labels: every 10 decades (10⁻¹⁰ and 1), not every 6
    assert log_ticks(-10.0, 0.0, 2)[1] == ["10⁻¹⁰", "1"]
    ticks, labels = log_ticks(-12.0, 3.0, 3)       # 16 decades: every 10 (5 is too few apart)
    assert labels == ["10⁻¹⁰", "1"] and ticks == [-10.0, 0.0]


def test_log_ticks_on_an_absurd_span_still_label_it_evenly():
    """More decades than 1 000 × ``most`` (no round stride fits): a stride of
    ⌈decades / most⌉, still two labels."""
    ticks, labels = log_ticks(-3000.0, 0.0, 2)
    assert len(ticks) == 2 and ticks[-1] == 0.0 and labels[-1] == "1"
    assert labels[0] == power_label(int(ticks[0]))


@pytest.mark.parametrize("m", range(1, 10))
def test_log_ticks_inside_one_decade_name_each_digit(m):
    """Between m and m + 1 (at most one of 1, 2, 5 inside): the two digits themselves."""
    assert log_ticks(math.log10(m), math.log10(m + 1))[1] == [str(m), str(m + 1)]


def test_log_ticks_across_a_power_of_ten_inside_one_decade():
    # 0.85 … 1.05: 0.9 and 1 (of 1 … 9 × 10ᵏ), not two plain ends
    ticks, labels = log_ticks(math.log10(0.85), math.log10(1.05))
    assert labels == ["0.9", "1"]
    assert ticks == pytest.approx([math.log10(0.9), 0.0])


def test_log_ticks_inside_one_decade_thinned_evenly_to_most():
    # 0.15 … 5.5: 0.2 0.5 1 2 5; three at most → every other one, two → every third
    assert log_ticks(math.log10(0.15), math.log10(5.5), 6)[1] == ["0.2", "0.5", "1", "2", "5"]
    assert log_ticks(math.log10(0.15), math.log10(5.5), 3)[1] == ["0.2", "1", "5"]
    assert log_ticks(math.log10(0.15), math.log10(5.5), 2)[1] == ["0.2", "2"]


# ── labels on the rows themselves (coarse rows) ───────────────────────────────────

def assert_row_labels_read_their_rows(ticks, labels, a, b, rows, top=None):
    """Each label's value is the loss at its row (to its two digits) — the top row's is
    ``top`` where given — and no two labels share a row or sit on neighbouring rows."""
    where = labelled_rows(ticks, a, b, rows)
    assert where == sorted(set(where)), where
    for row, t, label in zip(where, ticks, labels):
        value = top if top is not None and row == where[-1] else a + row * (b - a) / (rows - 1)
        assert label == f"{10 ** value:.2g}", (row, label, value)
        assert t == pytest.approx(a + row * (b - a) / (rows - 1))   # on the row's centre


def test_row_ticks_need_two_rows_and_a_span():
    assert row_ticks(0.0, 1.0, 1, 6) == ([], [])
    assert row_ticks(0.0, 1.0, 0, 6) == ([], [])
    assert row_ticks(-1.0, -1.0, 5, 6) == ([], [])
    assert row_ticks(-1.0, -2.0, 5, 6) == ([], [])


def test_row_ticks_of_two_rows_label_both():
    ticks, labels = row_ticks(-2.0, -1.0, 2, 6)
    assert labels == ["0.01", "0.1"] and ticks == [-2.0, -1.0]


def test_row_ticks_with_room_label_every_row():
    ticks, labels = row_ticks(-2.0, -0.5, 4, 6)
    assert labelled_rows(ticks, -2.0, -0.5, 4) == [0, 1, 2, 3]
    assert labels == ["0.01", "0.032", "0.1", "0.32"]
    assert_row_labels_read_their_rows(ticks, labels, -2.0, -0.5, 4)


def test_row_ticks_every_kth_row_from_the_bottom():
    # 8 rows, 3 labels at most: every third row (0, 3, 6), not squeezed up to the top
    ticks, _ = row_ticks(-3.0, 0.5, 8, 3)
    assert labelled_rows(ticks, -3.0, 0.5, 8) == [0, 3, 6]
    ticks, _ = row_ticks(-3.0, 0.5, 8, 1)        # one label: the bottom row
    assert labelled_rows(ticks, -3.0, 0.5, 8) == [0]


def test_row_ticks_labels_have_two_digits():
    ticks, labels = row_ticks(-1.2345, 0.1, 3, 6)   # 0.0583, 0.271, 1.26
    assert labels == ["0.058", "0.27", "1.3"]


@pytest.mark.parametrize("rows, most", [(7, 2), (10, 2), (10, 3), (9, 4), (12, 5), (2, 1),
                                        (3, 1), (5, 6)])
def test_row_ticks_label_the_top_value_on_its_row_and_nothing_above(rows, most):
    """``top`` drawn on the axis's top row: that row is labelled ``top``; the regular
    rows (every ⌈rows/most⌉-th from the bottom) keep their labels, except one right under
    the top row (two labels on neighbouring rows run together) unless it is the bottom
    one."""
    a, b = -2.0, -0.2
    top = b - 0.01 * (b - a)                      # drawn on the top row
    assert drawn_row(top, a, b, rows) == rows - 1
    ticks, labels = row_ticks(a, b, rows, most, top=top)
    regular = list(range(0, rows, math.ceil(rows / most)))
    if regular[-1] != rows - 1:   # the bottom row always stays
        regular = [k for k in regular if k < rows - 2 or k == 0] + [rows - 1]
    assert labelled_rows(ticks, a, b, rows) == regular, labels
    assert labels[-1] == f"{10 ** top:.2g}"
    assert_row_labels_read_their_rows(ticks, labels, a, b, rows, top)


def test_row_ticks_label_no_row_above_the_top_value():
    a, b, rows = -2.0, -1.0, 5
    for top in (a + 0.05 * (b - a), a + 0.3 * (b - a), a + 0.55 * (b - a), a + 0.8 * (b - a)):
        highest = drawn_row(top, a, b, rows)
        ticks, labels = row_ticks(a, b, rows, 6, top=top)
        assert max(labelled_rows(ticks, a, b, rows)) == highest, (top, labels)
        assert labels[-1] == f"{10 ** top:.2g}" or highest == 0
        assert_row_labels_read_their_rows(ticks, labels, a, b, rows, top if highest else None)


def test_row_ticks_on_a_linear_axis_say_the_values():
    ticks, labels = row_ticks(0.0, 0.3, 4, 6, log=False)
    assert labels == ["0", "0.1", "0.2", "0.3"]


# ── the headroom cut ──────────────────────────────────────────────────────────────

def test_below_top_drops_the_labels_above_the_top_value():
    ticks, labels = [0.0, 0.5, 1.0], ["a", "b", "c"]
    # 2 rows: 0.2 is drawn on the bottom row (8 dot rows: dot 1), 0.5 on the bottom's
    # tick row 1 (round half up); only the bottom label stays
    assert drawn_row(0.2, 0.0, 1.0, 2) == 0
    assert below_top(ticks, labels, 0.0, 1.0, 2, 0.2) == ([0.0], ["a"])
    assert below_top(ticks, labels, 0.0, 1.0, 2, 1.0) == (ticks, labels)
    assert below_top(ticks, labels, 0.0, 1.0, 5, 0.55) == ([0.0, 0.5], ["a", "b"])


def test_below_top_leaves_the_ticks_without_a_top_or_an_axis():
    ticks, labels = [0.0, 0.5, 1.0], ["a", "b", "c"]
    assert below_top(ticks, labels, 0.0, 1.0, 5, None) == (ticks, labels)
    assert below_top(ticks, labels, 0.5, 0.5, 5, 0.5) == (ticks, labels)     # no span
    assert below_top(ticks, labels, 1.0, 0.0, 5, 0.5) == (ticks, labels)     # upside down
    assert below_top(ticks, labels, 0.0, 1.0, 1, -1.0) == (ticks, labels)    # no rows


# ── the log axis ──────────────────────────────────────────────────────────────────

def test_axis_ticks_round_decades_where_rows_are_under_half_a_decade():
    # 2 and 3 decades, rows of ⅓, 0.4 and exactly 0.5 decade: the decades themselves
    assert axis_ticks(-1.0, 0.0, 4, 6)[1] == ["10⁻¹", "1"]
    assert axis_ticks(-2.0, 0.0, 6, 6)[1] == ["10⁻²", "10⁻¹", "1"]
    assert axis_ticks(-2.0, 0.0, 5, 6)[1] == ["10⁻²", "10⁻¹", "1"]


def test_axis_ticks_coarse_rows_inside_one_decade_say_their_own_values():
    """Rows over 0.15 decade (0.0158 … 0.0794 on 5 rows: 0.175 each): a round 0.02 would
    sit a third of a row from what is drawn there, so each row says its own value."""
    for a, b, rows in ((-1.8, -1.1, 5), (-1.5, -0.6, 4)):
        ticks, labels = axis_ticks(a, b, rows, 6)
        assert labelled_rows(ticks, a, b, rows) == list(range(rows))
        assert_row_labels_read_their_rows(ticks, labels, a, b, rows)


def test_axis_ticks_coarse_rows_across_decades_say_their_own_values():
    # 3 decades on 2 rows (2 decades a row): the two rows' values, not 3 labels on 2 rows
    ticks, labels = axis_ticks(-2.0, 0.0, 2, 6)
    assert labels == ["0.01", "1"] and labelled_rows(ticks, -2.0, 0.0, 2) == [0, 1]


def test_axis_ticks_pass_most_on():
    ticks, labels = axis_ticks(-6.0, 0.0, 20, 2)      # 7 decades, rows of 0.32
    assert labels == ["10⁻⁵", "1"]


def test_axis_ticks_one_round_value_gives_way_to_the_rows():
    # 0.25 … 0.3 on 2 rows: only 0.3 is round; the two rows say 0.25 and 0.3
    a, b = math.log10(0.25), math.log10(0.3)
    ticks, labels = axis_ticks(a, b, 2, 6)
    assert labels == ["0.25", "0.3"]


def test_axis_ticks_without_rows_or_span():
    assert axis_ticks(-2.0, 0.0, 1, 6)[1] == ["10⁻²", "10⁻¹", "1"]   # no rows to fall back on
    assert axis_ticks(-1.0, -1.0, 5, 6) == ([-1.0], ["0.1"])          # a flat axis: its value


def test_axis_ticks_leave_the_headroom_unlabelled():
    a, b, rows = -3.0, 0.0, 10      # rows of ⅓ decade: decades; the data stops at 0.02
    top = math.log10(0.02)
    ticks, labels = axis_ticks(a, b, rows, 6, top=top)
    assert labels == ["10⁻³", "10⁻²"]
    assert max(labelled_rows(ticks, a, b, rows)) <= drawn_row(top, a, b, rows)


# ── the legend's headroom ─────────────────────────────────────────────────────────

def test_no_headroom_without_a_legend_or_finite_data():
    assert legend_headroom(0.0, 1.0, 0, 10) is None
    assert legend_headroom(0.0, 1.0, -1, 10) is None
    assert legend_headroom(math.nan, 1.0, 1, 10) is None
    assert legend_headroom(0.0, math.inf, 1, 10) is None
    assert legend_headroom(-math.inf, math.nan, 2, 10) is None


@pytest.mark.parametrize("rows, n_labels", [(3, 1), (6, 1), (6, 2), (10, 3), (19, 1), (19, 3),
                                            (4, 2), (30, 2), (2, 1), (4, 3)])
def test_headroom_puts_the_data_just_under_the_legend(rows, n_labels):
    """Drawn by plotext on the axis legend_headroom gives: the largest value on the top
    dot row of the highest row under the legend's ``n_labels`` rows, the smallest on the
    bottom dot row of the bottom row."""
    y_lo, y_hi = -1.7, -0.6
    a, b = legend_headroom(y_lo, y_hi, n_labels, rows)
    assert a == y_lo
    high = braille_rows(plotext_canvas(a, b, rows, value=y_hi))
    assert list(high) == [rows - 1 - n_labels] and high[rows - 1 - n_labels] & BRAILLE_TOP, high
    low = braille_rows(plotext_canvas(a, b, rows, value=y_lo))
    assert list(low) == [0] and low[0] & BRAILLE_BOTTOM, low


def test_headroom_with_too_few_rows_still_holds_the_data():
    for rows, n_labels in ((1, 1), (2, 2), (1, 3)):
        a, b = legend_headroom(0.0, 1.0, n_labels, rows)
        assert a == 0.0 and math.isfinite(b) and b > 1.0


def test_headroom_of_a_flat_line_keeps_it_inside_the_axis():
    """A loss flat at 0.25 (or at 0): a band of ±5 % (at least ±10⁻⁹) around it."""
    for value in (0.25, -3.0, 0.0):
        a, b = legend_headroom(value, value, 1, 10)
        pad = max(abs(value) * 0.05, 1e-9)
        assert a == pytest.approx(value - pad, rel=1e-9, abs=1e-15)
        assert a < value < b
        # and the line is on the highest dot row under the legend, as for any data
        rows, n_labels = 10, 1
        dot = math.floor(round(0.5 + (4 * rows - 1) * (value + pad - a) / (b - a), 8))
        assert dot == 4 * (rows - n_labels) - 1


# ── the test loss series ──────────────────────────────────────────────────────────

def view(test_epochs, test_lo, test_hi) -> LossView:
    arr = (lambda x: None if x is None else np.asarray(x, dtype=float))
    return LossView(np.arange(3.0), np.ones(3), np.ones(3), None, "t", 3,
                    arr(test_epochs), arr(test_lo), arr(test_hi))


def test_test_series_absent_or_empty_is_none():
    assert _test_series(view(None, None, None), True) is None
    assert _test_series(view([], [], []), True) is None
    assert _test_series(view([0, 1], [math.nan, 0.0], [math.nan, 1.0]), True) is None
    assert _test_series(view([0, 1], [math.nan, 1.0], [1.0, math.inf]), False) is None


def test_test_series_keeps_the_points_the_axis_can_draw():
    epochs = [0, 1, 2, 3, 4, 5]
    lo = [0.1, math.nan, 0.0, 0.01, 1.0, -0.5]
    hi = [0.2, 0.3, 0.5, math.inf, 10.0, 0.5]
    x, tlo, thi = _test_series(view(epochs, lo, hi), True)      # log: finite and > 0
    assert x.tolist() == [0, 4]
    assert tlo.tolist() == pytest.approx([-1.0, 0.0]) and thi.tolist() == pytest.approx(
        [math.log10(0.2), 1.0])
    x, tlo, thi = _test_series(view(epochs, lo, hi), False)     # linear: finite
    assert x.tolist() == [0, 2, 4, 5]
    assert tlo.tolist() == [0.1, 0.0, 1.0, -0.5] and thi.tolist() == [0.2, 0.5, 10.0, 0.5]


# Mutants of these functions that no test kills, because they change nothing (mutmut 3.8.1 on
# tui/app/widgets/loss_chart.py, names as `mutmut results` gives them):
# - power_label 12, 13 (`exponent < 0` → `<= 0`, `< 1`): exponent 0 returns "1" before.
# - log_ticks 64, 67 (the mantissa loop starts a decade lower / ends a decade higher): every
#   value in those decades lies outside [lo, hi].
# - log_ticks 73, 74 (`<=` → `<` at lo − 1e-9 / hi + 1e-9): differ only for a value exactly on
#   the tolerance's edge.
# - log_ticks 82, 86 (num(m·10ᵏ, 2) → 4 or 3 digits): m·10ᵏ has one significant digit.
# - log_ticks 90 (`len > most` → `>=`): at equality k = 1 keeps every tick.
# - log_ticks 103, 104 ([lo, hi] where hi == lo): distinct_labels keeps the one label once.
# - row_ticks 65 (`ks[-1] != n - 1` → `!= n + 1`): when ks[-1] is n − 1 there are ≥ 2 ks, and
#   popping the top row and appending it again gives the same rows.
# - axis_ticks 21 (`b > a` → `b >= a` in h's guard): b == a gives h = 0 either way.
# - legend_headroom 35 (max(1.0, …) → max(2.0, …)): `under` is ≥ 2.5 (dots ≥ 4·n_labels + 4).
# - legend_headroom 28 (`n_labels + 1` → `n_labels - 1` in max): only where rows ≤ n_labels,
#   a canvas the legend covers; LossChart.show drops the legend below MIN_DATA_ROWS free rows.
# - legend_headroom 46 ((dots − 1)/under → (dots − 2)/under): the axis's top moves by less than
#   one dot row; the largest and smallest values stay on the same dot rows (the test above
#   passes for it): which top within that dot is a free choice.
