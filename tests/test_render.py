"""The renderers on their own, fed hand-made views whose numbers are known: each
test checks what a person reads (every field, number, word, tick and style), so a
renderer that shows the wrong value, drops a part or dims the wrong cell fails.
(tests/test_frame.py checks the same renderers against the engine.)"""
import math
import re
from dataclasses import replace

import numpy as np
import pytest
from textual.geometry import Size

from nn.naming import sub
from nn import BackwardEvent, ForwardEvent, Granularity, LossEvent, Phase, StepEvent, UpdateEvent
from tui.core.config import RunConfig, build
from tui.core.format import num, paren, short
from tui.view.frame import PanelSizes, build_frame
from tui.core.session import Session
from tui.view.views import FRESH, Freshness, LossView, NarrationView, NeuronView, StatusView
from tui.app.widgets.inspector import num_a, render_inspector
from tui.app.widgets.loss_chart import LossChart, distinct_labels, log_ticks, loss_text, nice_ticks, power_label
from tui.app.widgets.narration import HALTED_HELP, narrate
from tui.app.widgets.status import render_status

from helpers import STALE0, blown_up, braille_in, neuron, plot_rows, x_ticks, y_ticks

A = np.array


def loss_event(**kw) -> LossEvent:
    """A loss event for the narration tests: MSE, no weight decay, unless given."""
    kw = {"penalty": 0.0, "weight_decay": 0.0, "gradient_of": "y_hat", "loss_name": "mse",
          "loss_title": "mean squared error", "fused": False, "data_loss": kw["loss"], **kw}
    return LossEvent(**kw)


def update_event(**kw) -> UpdateEvent:
    """An update event for the narration tests: plain gradient descent unless given."""
    return UpdateEvent(**{"optimizer": "gd", **kw})


def styled(text, style_word: str) -> list[str]:
    """The pieces of a rich Text whose style contains ``style_word``, in order (without
    the spaces and line breaks around them; empty pieces left out)."""
    pieces = [text.plain[s.start:s.end].strip() for s in text.spans
              if style_word in str(s.style).split()]
    return [p for p in pieces if p]


def style_at(text, needle: str, start: int = 0) -> str:
    """The style of the first character of ``needle`` (found from ``start``)."""
    at = text.plain.index(needle, start)
    return " ".join(str(s.style) for s in text.spans if s.start <= at < s.end)


# ── status line ─────────────────────────────────────────────────────────────────

def status(**kw) -> StatusView:
    fields = dict(label="xor", architecture="2–2–1 sigmoid/sigmoid", lr=0.5, granularity="neuron",
                  epoch=7, loss=0.123456, state="paused", speed="30/s", breakpoints_on=True,
                  quiz=(2, 3))
    fields.update(kw)
    return StatusView(**fields)


#: the status line as the width shrinks: each line drops the least important part left
STATUS_LINES = [
    " xor 2–2–1 sigmoid/sigmoid · lr 0.5 · step: neuron · epoch 7 · loss 0.1235 · ⏸ paused · ● bp"
    " · quiz 2/3 · ? help",
    " xor · lr 0.5 · step: neuron · epoch 7 · loss 0.1235 · ⏸ paused · ● bp · quiz 2/3 · ? help",
    " xor · lr 0.5 · step: neuron · epoch 7 · loss 0.1235 · ⏸ paused · quiz 2/3 · ? help",
    " xor · lr 0.5 · epoch 7 · loss 0.1235 · ⏸ paused · quiz 2/3 · ? help",
    " xor · epoch 7 · loss 0.1235 · ⏸ paused · quiz 2/3 · ? help",
    " xor · epoch 7 · loss 0.1235 · ⏸ paused · ? help",
    " xor · epoch 7 · ⏸ paused · ? help",
    " xor · ⏸ paused · ? help",
    "? help",
]


def test_status_line_shows_every_field_with_its_value_and_style():
    t = render_status(status(), 200)
    assert t.plain == STATUS_LINES[0]
    assert t.no_wrap is True and t.overflow == "ellipsis"
    assert styled(t, "cyan") == ["xor"] and style_at(t, " xor ") == "bold black on cyan"
    assert style_at(t, "neuron") == "bold yellow"
    assert style_at(t, "⏸ paused") == "bold"
    assert style_at(t, "● bp") == "red" and style_at(t, "quiz 2/3") == "bold magenta"
    assert style_at(t, "? help") == "dim"
    for plain in ("2–2–1", "lr 0.5", "step: ", "epoch 7", "loss 0.1235"):
        assert style_at(t, plain) == "", plain
    separators = [m.start() for m in re.finditer(" · ", t.plain)]
    assert [style_at(t, " · ", at) for at in separators] == ["", "", "", "", "", "red", "bold magenta",
                                                             "dim"]
    assert "● bp" not in render_status(status(breakpoints_on=False)).plain
    assert "quiz" not in render_status(status(quiz=None)).plain
    assert "quiz 0/4" in render_status(status(quiz=(0, 4))).plain


@pytest.mark.parametrize("state,shown,style", [
    ("playing", "▶ playing 30/s", "bold green"), ("paused", "⏸ paused", "bold"),
    ("breakpoint", "⏸ breakpoint", "bold yellow"), ("halted", "⚠ stopped: NaN/inf", "bold red")])
def test_status_line_names_the_play_state(state, shown, style):
    t = render_status(status(state=state), 200)
    assert f" · {shown} · " in t.plain and style_at(t, shown) == style


def test_status_line_drops_the_least_important_part_first():
    for k, line in enumerate(STATUS_LINES):
        assert render_status(status(), len(line)).plain == line
        if k + 1 < len(STATUS_LINES):
            assert render_status(status(), len(line) - 1).plain == STATUS_LINES[k + 1]
    assert render_status(status(), 3).plain == "? help"  # never dropped, even when it can't fit


#: a forked run, trained with Adam in batches, between epochs (its loss is epoch 6's), with test
#: rows, breakpoints, a quiz and a teacher followed: the order its parts give way in
FULL_STATUS_LINES = [
    " xor branch B of 2 · 2–2–1 sigmoid/sigmoid · lr 0.5 · adam · batch 16 · step: neuron · epoch 7"
    " · loss 0.1235 (epoch 6) · test 0.2 · ⏸ paused · ● bp · quiz 2/3 · following teacher at"
    " 127.0.0.1:8765 · ? help",
    " xor branch B of 2 · lr 0.5 · adam · batch 16 · step: neuron · epoch 7 · loss 0.1235 (epoch 6)"
    " · test 0.2 · ⏸ paused · ● bp · quiz 2/3 · following teacher at 127.0.0.1:8765 · ? help",
    " xor branch B of 2 · lr 0.5 · step: neuron · epoch 7 · loss 0.1235 (epoch 6) · test 0.2"
    " · ⏸ paused · ● bp · quiz 2/3 · following teacher at 127.0.0.1:8765 · ? help",
    " xor branch B of 2 · lr 0.5 · step: neuron · epoch 7 · loss 0.1235 (epoch 6) · test 0.2"
    " · ⏸ paused · quiz 2/3 · following teacher at 127.0.0.1:8765 · ? help",
    " xor branch B of 2 · lr 0.5 · epoch 7 · loss 0.1235 (epoch 6) · test 0.2 · ⏸ paused"
    " · quiz 2/3 · following teacher at 127.0.0.1:8765 · ? help",
    " xor branch B of 2 · epoch 7 · loss 0.1235 (epoch 6) · test 0.2 · ⏸ paused · quiz 2/3"
    " · following teacher at 127.0.0.1:8765 · ? help",
    # the epoch goes before the loss that says whose it is, then the loss with its "(epoch 6)"
    " xor branch B of 2 · loss 0.1235 (epoch 6) · test 0.2 · ⏸ paused · following teacher at"
    " 127.0.0.1:8765 · ? help",
    " xor branch B of 2 · ⏸ paused · following teacher at 127.0.0.1:8765 · ? help",
    " xor · ⏸ paused · following teacher at 127.0.0.1:8765 · ? help",
    "following teacher at 127.0.0.1:8765 · ? help",
]


def full_status() -> StatusView:
    return status(branch="branch B of 2", training="adam · batch 16", loss_epoch=6,
                  test_loss=0.2, link="following teacher at 127.0.0.1:8765")


def test_every_part_of_a_full_status_line_gives_way_in_its_order():
    """Each width shows the longest line of FULL_STATUS_LINES that fits; one column less
    than a line's length shows the next.  '(epoch 6)' goes with the loss it qualifies: it
    stood alone after the branch name ('xor branch B of 2 (epoch 6)') once the loss was
    dropped."""
    view = full_status()
    for k, line in enumerate(FULL_STATUS_LINES):
        assert render_status(view, len(line)).plain == line, k
        if k + 1 < len(FULL_STATUS_LINES):
            assert render_status(view, len(line) - 1).plain == FULL_STATUS_LINES[k + 1], k
    for width in range(1, 260):
        text = render_status(view, width).plain
        assert "(epoch 6)" not in text or "loss 0.1235 (epoch 6)" in text, (width, text)
    t = render_status(view, 300)
    assert style_at(t, "branch B of 2") == "bold" and style_at(t, "following") == "bold cyan"
    for plain in ("adam · batch 16", "(epoch 6)", "test 0.2"):
        assert style_at(t, plain) == "", plain


def test_whose_loss_is_said_only_when_it_is_another_epochs():
    assert "loss 0.1235 (epoch 6) ·" in render_status(status(loss_epoch=6)).plain
    assert "(epoch" not in render_status(status(loss_epoch=7)).plain     # the epoch named
    assert "(epoch" not in render_status(status(loss_epoch=None)).plain
    assert "(epoch" not in render_status(status(loss=None, loss_epoch=6)).plain  # no loss yet


def test_status_line_has_no_double_space_when_the_architecture_is_dropped():
    # at 80 columns a long architecture is dropped: the line read " regression  · lr …"
    view = status(label="regression", architecture="2–16–1 sigmoid/identity", quiz=None,
                  breakpoints_on=False)
    for width in range(6, 200):
        text = render_status(view, width).plain
        assert "  " not in text and len(text) <= width and text.endswith("? help"), (width, text)
    assert render_status(view, 80).plain.startswith(" regression · lr 0.5 · ")


def test_status_line_default_width_is_200_columns():
    long = status(label="x" * (200 - len(STATUS_LINES[0]) + 3))
    assert len(render_status(long, 10_000).plain) == 200
    assert render_status(long).plain == render_status(long, 10_000).plain
    longer = status(label=long.label + "x")
    assert "2–2–1" not in render_status(longer).plain


@pytest.mark.parametrize("loss,shown", [(None, "–"), (0.123456, "0.1235"), (1234567.0, "1.235e+06"),
                                        (math.nan, "nan"), (math.inf, "inf"), (-math.inf, "-inf")])
def test_loss_text(loss, shown):
    assert loss_text(loss) == shown
    assert f"loss {shown} · " in render_status(status(loss=loss), 200).plain


# ── numbers ─────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("x,shown", [(math.nan, "nan"), (math.inf, "inf"), (-math.inf, "-inf"),
                                     (0.0, "0"), (1.0, "1"), (-0.123456, "-0.1235"),
                                     (123456.0, "1.235e+05")])
def test_num(x, shown):
    assert num(x) == shown


def test_num_digits_and_paren():
    assert num(-0.123456, 2) == "-0.12" and num(2 / 3, 6) == "0.666667"
    assert paren(-0.123456) == "(-0.1235)" and paren(-0.123456, 2) == "(-0.12)"
    assert paren(0.123456) == "0.1235" and paren(0.0) == "0" and paren(-math.inf) == "(-inf)"


@pytest.mark.parametrize("x,shown", [
    (math.nan, " nan "), (math.inf, " inf "), (-math.inf, " -inf"), (15.0, "  +15"), (-15.0, "  -15"),
    (9.994, "+9.99"), (9.995, "  +10"), (9999.4, "+9999"), (9999.5, " +1e4"), (10000.0, " +1e4"),
    (-3e7, " -3e7"), (2e12, "+2e12"), (9.4e99, "+9e99"), (1e100, "+huge"), (-1e100, "-huge"),
    (0.00494, "+5e-3"), (0.00495, "+0.00"), (0.0051, "+0.01"), (1e-9, "+1e-9"), (1e-10, "+0.00")])
def test_short_at_its_boundaries(x, shown):
    assert short(x) == shown


# ── loss axis ticks ─────────────────────────────────────────────────────────────

def test_nice_ticks():
    assert nice_ticks(math.nan, 1) == [] and nice_ticks(0, math.inf) == []
    assert nice_ticks(5, 5) == [5] and nice_ticks(5, 4) == [5]
    assert nice_ticks(0, 1, 2) == [0, 1]
    assert nice_ticks(0, 2, 3) == [0, 1, 2]
    assert nice_ticks(0, 1, 6) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(0, 1.5, 6) == [0, 0.5, 1.0, 1.5]
    assert nice_ticks(0, 3, 6) == [0, 1, 2, 3]
    assert nice_ticks(0, 3, 6, integer=True) == [0, 1, 2, 3]
    assert nice_ticks(3, 9, 4) == [4, 6, 8]
    assert nice_ticks(0.0023, 0.0031, 3) == [0.0025, 0.003]
    assert nice_ticks(0, 1) == [0, 0.2, 0.4, 0.6, 0.8, 1.0] and nice_ticks(0, 2.5) == [0, 0.5, 1, 1.5, 2, 2.5]
    assert nice_ticks(0, 3e12, 4) == [0, 1e12, 2e12, 3e12]
    assert nice_ticks(0, 5.5) == [0, 2, 4]       # at most 6 ticks by default


def test_log_ticks_every_decade_or_round_values_inside_one():
    assert log_ticks(math.nan, 0) == ([], []) and log_ticks(0, math.inf) == ([], [])
    assert log_ticks(-3.0, -1.0) == ([-3.0, -2.0, -1.0], ["10⁻³", "10⁻²", "10⁻¹"])
    assert log_ticks(-2.0, -1.0) == ([-2.0, -1.0], ["10⁻²", "10⁻¹"])
    assert log_ticks(-12.0, 0.0)[1] == ["10⁻¹²", "10⁻⁹", "10⁻⁶", "10⁻³", "1"]
    assert log_ticks(-1.0, 2.5)[1] == ["10⁻¹", "1", "10¹", "10²"]
    ticks, labels = log_ticks(math.log10(0.2), math.log10(0.5))
    assert labels == ["0.2", "0.5"] and ticks == pytest.approx([math.log10(0.2), math.log10(0.5)])
    assert log_ticks(math.log10(20), math.log10(60))[1] == ["20", "50"]
    assert power_label(0) == "1" and power_label(1) == "10¹" and power_label(-2) == "10⁻²"
    assert power_label(12) == "10¹²"


def test_narrow_ranges_get_labels_that_differ():
    lo, hi = math.log10(0.25), math.log10(0.2500906)
    assert log_ticks(lo, hi) == ([lo, hi], ["0.25", "0.2501"])
    assert log_ticks(lo, lo) == ([lo], ["0.25"])
    assert distinct_labels([0.25, 0.25005]) == ([0.25, 0.25005], ["0.25", "0.25005"])
    assert distinct_labels([0.25, 0.25 + 1e-12]) == ([0.25], ["0.25"])  # same to 6 digits: once
    assert distinct_labels([1.0, 2.0, 3.0]) == ([1.0, 2.0, 3.0], ["1", "2", "3"])
    assert distinct_labels([0.2501, 0.2509]) == ([0.2501, 0.2509], ["0.25", "0.251"])  # fewest digits
    assert distinct_labels([0.25, 0.2500001])[1] == ["0.25"]                # at most 6 digits
    assert log_ticks(math.log10(0.2501), math.log10(0.2509))[1] == ["0.25", "0.251"]


# ── loss chart (what plotext draws) ─────────────────────────────────────────────

class SizedChart(LossChart):
    """A LossChart with a fixed size, drawn without an app."""

    def __init__(self, width=60, height=16):
        super().__init__()
        self._size = Size(width, height)

    @property
    def size(self):
        return self._size

    def drawn(self) -> list[str]:
        self.plt.plotsize(self._size.width, self._size.height)
        self.plt.theme("clear")
        return re.sub(r"\x1b\[[0-9;]*m", "", self.plt.build()).splitlines()


def draw(view: LossView, log=True, width=60, height=16) -> list[str]:
    chart = SizedChart(width, height)
    chart.log_scale = log
    chart.show(view)
    return chart.drawn()


def loss_view(epochs, lo, hi=None, baseline=None, title="xor · epoch 9"):
    lo = A(lo, dtype=float)
    return LossView(epochs=A(epochs, dtype=float), lo=lo, hi=lo if hi is None else A(hi, dtype=float),
                    baseline=baseline, title=title, epoch=int(epochs[-1]) + 1 if len(epochs) else 0)


def test_chart_labels_title_axes_and_ticks_in_loss_units():
    view = loss_view(range(0, 1000, 10), np.logspace(0, -3, 100), title="spiral · epoch 1000")
    lines = draw(view)
    assert lines[0].strip() == "spiral · epoch 1000"
    assert lines[-1].split() == ["loss", "(log", "scale)", "epoch"]
    assert y_ticks(lines) == ["1", "10⁻¹", "10⁻²", "10⁻³"]
    assert x_ticks(lines) == ["0", "500"]             # whole epochs, about one per 12 columns
    assert x_ticks(draw(view, width=100)) == ["0", "200", "400", "600", "800"]
    lines = draw(view, log=False)
    assert lines[-1].split() == ["loss", "epoch"]
    assert y_ticks(lines) == ["1", "0.5"]
    assert y_ticks(draw(view, log=False, height=40)) == ["1", "0.8", "0.6", "0.4", "0.2"]


def test_chart_shows_the_envelope_spike_and_its_low_line():
    epochs = range(0, 100, 2)
    lo = np.full(50, 0.01)
    hi = lo.copy()
    hi[10:12] = 1.0                     # a spike inside bins 10 and 11 (epochs 20–23)
    lines = draw(loss_view(epochs, lo, hi))
    assert y_ticks(lines) == ["1", "10⁻¹", "10⁻²"]
    rows = plot_rows(lines)
    top, bottom = rows[0], rows[-1]
    marks = [c for c, ch in enumerate(top) if ch.strip()]
    assert marks and all(8 <= c <= 16 for c in marks)   # the spike, about a fifth of the way in
    assert sum(ch.strip() != "" for ch in bottom) > 0.9 * len(bottom)  # the low line runs on
    flat = plot_rows(draw(loss_view(epochs, lo)))
    assert not flat[0].strip()          # no spike, no mark at the top


def test_chart_draws_the_mean_line_with_its_label():
    lines = draw(loss_view(range(50), np.linspace(0.5, 0.05, 50), baseline=0.25))
    rows = plot_rows(lines)
    legend = [r for r in rows if "predict the mean: 0.25" in r]
    assert len(legend) == 1
    full = [r for r in rows if sum(ch.strip() != "" for ch in r) >= len(r) - 2]
    assert full, "the mean line crosses the whole chart"
    assert "predict the mean" not in "".join(draw(loss_view(range(50), np.linspace(0.5, 0.05, 50))))
    assert "predict the mean" not in "".join(draw(loss_view(range(50), np.linspace(0.5, 0.05, 50),
                                                            baseline=0.0)))


def braille_colours(chart: SizedChart) -> dict[str, int]:
    """How many braille cells plotext draws in each foreground colour (its 256-colour
    number: 6 is cyan, 8 is grey)."""
    chart.plt.plotsize(chart._size.width, chart._size.height)
    return braille_in(chart.plt.build())


def test_chart_draws_the_loss_in_cyan_braille_and_the_mean_in_grey():
    chart = SizedChart(40, 10)
    chart.show(loss_view(range(10), np.linspace(0.5, 0.05, 10), [0.6] * 10, baseline=0.25))
    colours = braille_colours(chart)
    assert set(colours) == {"6", "8"} and colours["6"] > 30 and colours["8"] > 20
    for row in plot_rows(chart.drawn()):
        marks = row.replace(" predict the mean: 0.25", "")
        assert all(ch == " " or 0x2800 <= ord(ch) <= 0x28FF for ch in marks), row
    chart = SizedChart(40, 10)
    chart.show(loss_view(range(10), np.linspace(0.5, 0.05, 10)))
    assert set(braille_colours(chart)) == {"6"}


def test_chart_draws_both_edges_of_the_envelope():
    lines = draw(loss_view(range(0, 100, 2), [0.01] * 50, [0.1] * 50))
    rows = plot_rows(lines)
    assert y_ticks(lines) == ["10⁻¹", "10⁻²"]
    full = [k for k, r in enumerate(rows) if all(ch.strip() for ch in r)]
    assert full == [0, len(rows) - 1]    # the upper line at 0.1, the lower at 0.01, edge to edge


def test_chart_mean_line_sits_at_its_value_from_epoch_0():
    lines = draw(loss_view(range(10), np.linspace(0.5, 0.05, 10), baseline=0.123456), height=18)
    assert any("predict the mean: 0.123 " in line for line in lines)
    ticks = {line.split("┤")[0].strip(): k for k, line in enumerate(lines) if "┤" in line}
    rows = [k for k, line in enumerate(lines) if "│" in line and line.split("│")[1][:1].strip()
            and sum(ch.strip() != "" for ch in line.split("│")[1]) > 40]
    assert len(rows) == 1 and ticks["0.2"] < rows[0] < ticks["0.1"]
    lin = draw(loss_view(range(10), np.linspace(0.5, 0.05, 10), baseline=0.25), log=False)
    assert y_ticks(lin) == ["0.4", "0.2"]       # no room made for log₁₀(0.25) < 0


def test_chart_epoch_ticks_follow_the_width():
    view = loss_view(range(151), np.linspace(0.5, 0.05, 151))
    assert x_ticks(draw(view, width=33)) == ["0"]
    assert x_ticks(draw(view, width=36)) == ["0", "100"]
    assert x_ticks(draw(view, width=60)) == ["0", "50", "100", "150"]
    late = loss_view(range(50, 151), np.linspace(0.5, 0.05, 101))
    assert x_ticks(draw(late, width=60)) == ["0", "50", "100", "150"]  # the axis starts at epoch 0
    lin = loss_view(range(10), np.linspace(0.15, 0.0, 10))
    # one round value fits (0): the rows' own values, the top one the largest loss drawn
    assert y_ticks(draw(lin, log=False, height=8)) == ["0.15", "0"]
    assert y_ticks(draw(lin, log=False, height=10)) == ["0.15", "0"]
    assert y_ticks(draw(lin, log=False, height=16)) == ["0.15", "0.1", "0.05", "0"]


def test_chart_redraws_when_the_last_bin_changes():
    chart = SizedChart()
    chart.show(loss_view([0, 5], [0.5, 0.25]))
    chart.show(loss_view([0, 5], [0.5, 0.05]))      # the last bin's loss went down
    assert y_ticks(chart.drawn())[-1] == "0.05"
    chart.show(loss_view([0, 50], [0.5, 0.05]))     # …and the bins moved on
    assert x_ticks(chart.drawn())[-1] == "40"


def test_chart_of_one_epoch_repeats_no_tick():
    session = Session(build(RunConfig(task="xor")))
    session.granularity = Granularity.EPOCH
    session.step()
    with session.lock:
        view = build_frame(session, PanelSizes()).loss
    for log in (True, False):
        lines = draw(view, log=log)
        ticks = y_ticks(lines)
        assert len(ticks) == len(set(ticks)) >= 1, (log, ticks)
        assert x_ticks(lines) == ["0", "1"]
    assert x_ticks(draw(loss_view([0], [0.3]))) == ["0", "1"]


def test_chart_skips_values_it_cannot_draw():
    view = loss_view([0, 1, 2, 3], [0.5, 0.0, math.nan, 0.25])
    assert y_ticks(draw(view)) == ["0.5", "0.4", "0.3"]   # log: 0 and nan left out (0.25…0.5)
    assert y_ticks(draw(view, log=False)) == ["0.4", "0.2", "0"]  # linear: 0 is drawn, nan not
    empty = draw(loss_view([], []))
    assert empty[0].strip() == "xor · epoch 9" and y_ticks(empty) == []


def test_chart_redraws_only_when_something_changed_and_toggles_log():
    chart = SizedChart()
    view = loss_view(range(10), np.linspace(1, 0.1, 10))
    chart.show(view)
    first = chart._shown
    assert "xor · epoch 9" in chart.drawn()[0]
    chart.plt.clear_figure()
    chart.show(view)                    # same view, same size: nothing is rebuilt
    assert chart._shown == first and "xor · epoch 9" not in "".join(chart.drawn())
    chart._size = Size(50, 16)          # resized: drawn again
    chart.show(view)
    assert "xor · epoch 9" in chart.drawn()[0]
    assert chart.toggle_log() is False and chart._shown == () and chart.log_scale is False
    chart.show(view)
    assert y_ticks(chart.drawn())[0] == "1" and chart._shown != first
    assert chart.toggle_log() is True and chart.log_scale is True


# ── neuron inspector ────────────────────────────────────────────────────────────


WEIGHTS = """\
h₂ · hidden layer 1 · sigmoid
        value dw / db   last Δ
w₁ (x₁)   0.5  0.0625 -0.03125
w₂ (x₂) -1.25  -0.375   0.1875
b       0.125    -0.5     0.25
"""
SAMPLES = """\
sample     z      a       δ
     1   0.5   0.05   0.005
     2 -1.25 -0.125 -0.0125
     3     2    0.2    0.02"""


def test_inspector_shows_each_column_and_row():
    t = render_inspector(neuron())
    assert t.plain == WEIGHTS + SAMPLES
    assert t.no_wrap is True and t.overflow == "ellipsis"
    assert style_at(t, "h₂") == "bold cyan" and style_at(t, " · hidden") == ""
    assert styled(t, "bold") == ["h₂", "value", "dw / db", "last Δ", "sample", "z", "a", "δ"]
    assert styled(t, "dim") == []
    for cell in ("w₁ (x₁)", "0.0625", "-0.03125", "b       0.125", "-0.5", "0.25", "0.005"):
        assert style_at(t, cell) == "", cell   # current values are drawn plain
    assert style_at(t, "     1   0.5") == "" and style_at(t, "0.05") == "" and style_at(t, "0.125") == ""
    # the selected sample's row (sample 2) is drawn reversed, and only it
    assert " ".join(styled(t, "reverse")) == "2 -1.25 -0.125 -0.0125"


def test_inspector_dims_stale_cells_and_says_from_when():
    t = render_inspector(neuron(STALE0, STALE0, STALE0))
    assert t.plain == (WEIGHTS + "dw, db, last Δ: from epoch 0\n" + SAMPLES
                       + "\nz, a from epoch 0 · δ from epoch 0")
    dim = styled(t, "dim")
    # dw / db and last Δ of every row, z, a and δ of every sample, and the two notes
    assert dim == ["0.0625", "-0.03125", "-0.375", "0.1875", "-0.5", "0.25",
                   "dw, db, last Δ: from epoch 0",
                   "0.5", "0.05", "0.005", "-1.25", "-0.125", "-0.0125",
                   "2", "0.2", "0.02", "z, a from epoch 0 · δ from epoch 0"]
    assert style_at(t, "0.5") == ""      # a weight's value is always current
    # only the forward pass stale: z and a dimmed, not δ nor the gradients
    t = render_inspector(neuron(forward=STALE0))
    assert styled(t, "dim") == ["0.5", "0.05", "-1.25", "-0.125", "2", "0.2",
                                "z, a from epoch 0"]


def test_inspector_notes_differ_on_separate_lines():
    t = render_inspector(neuron(FRESH, Freshness(1, False), Freshness(None, False), delta=False))
    never_changed = ("h₂ · hidden layer 1 · sigmoid\n"
                     "        value dw / db last Δ\n"
                     "w₁ (x₁)   0.5  0.0625      –\n"
                     "w₂ (x₂) -1.25  -0.375      –\n"
                     "b       0.125    -0.5      –\n")
    assert t.plain == (never_changed + "dw, db: from epoch 1\nlast Δ: not computed yet\n"
                       "sample     z      a δ\n     1   0.5   0.05 –\n     2 -1.25 -0.125 –\n"
                       "     3     2    0.2 –")
    assert styled(t, "dim") == ["0.0625", "–", "-0.375", "–", "-0.5", "–",
                                "dw, db: from epoch 1", "last Δ: not computed yet", "–", "–", "–"]
    t = render_inspector(neuron(update=Freshness(4, False)))
    assert "\nlast Δ: from epoch 4\n" in t.plain and "dw, db:" not in t.plain
    t = render_inspector(neuron(backward=Freshness(4, False), delta=False))
    assert "\ndw, db: from epoch 4\nsample" in t.plain and "δ from" not in t.plain


def test_inspector_before_the_first_pass():
    t = render_inspector(neuron(backward=Freshness(None, False), update=Freshness(None, False), n=0))
    # never computed: "–", not the 0 (or stale number) the arrays hold
    assert t.plain == ("h₂ · hidden layer 1 · sigmoid\n"
                       "        value dw / db last Δ\n"
                       "w₁ (x₁)   0.5       –      –\n"
                       "w₂ (x₂) -1.25       –      –\n"
                       "b       0.125       –      –\n"
                       "dw, db, last Δ: not computed yet\n"
                       "z, a, δ: not computed yet")
    assert styled(t, "dim")[-2:] == ["dw, db, last Δ: not computed yet",
                                     "z, a, δ: not computed yet"]


@pytest.mark.parametrize("sample,rows", [(0, ["1", "2", "3", "4"]), (1, ["1", "2", "3", "4"]),
                                         (5, ["4", "5", "6", "7"]), (9, ["7", "8", "9", "10"])])
def test_inspector_shows_four_samples_around_the_selected_one(sample, rows):
    t = render_inspector(neuron(n=10, sample=sample))
    lines = t.plain.splitlines()
    table = lines[lines.index(next(line for line in lines if line.startswith("sample"))) + 1:]
    assert [line.split()[0] for line in table[:4]] == rows
    assert table[4] == f"sample {sample + 1} of 10; [ and ] change it"
    assert styled(t, "dim") == [table[4]]
    assert styled(t, "reverse")[0] == str(sample + 1)
    assert "of 4;" not in render_inspector(neuron(n=4, sample=3)).plain


def test_inspector_freshness_line_fits_the_80x24_panel():
    """At 80×24 the inspector shows 36 columns; its notes read "…" before."""
    session = Session(build(RunConfig(task="regression")))
    width = 36
    for step in range(3):
        with session.lock:
            text = render_inspector(build_frame(session, PanelSizes()).neuron).plain
        for line in text.splitlines():
            assert len(line) <= width, line
        session.granularity = Granularity.EPOCH
        session.step()
    assert "dw, db, last Δ: from epoch 1" in text


# ── narration ───────────────────────────────────────────────────────────────────

def narration_view(event, neuron=0, sample=1, sizes=(2, 2, 1), n=4, halted=None, zero=False, f="σ"):
    return NarrationView(event=event, neuron=neuron, sample=sample, sizes=sizes, activation_symbol=f,
                         n_samples=n, halted=halted, all_zero_inputs=zero)


def test_narration_before_the_first_step_and_after_a_blow_up():
    t = narrate(narration_view(None))
    assert t.plain == "Press n to take a step. Each step's equation appears here, with its real numbers."
    assert styled(t, "bold") == ["n"] and len(styled(t, "dim")) == 2
    t = narrate(narration_view(None, halted="NaN in the forward pass of h₁ at epoch 3"))
    assert t.plain == "⚠ NaN in the forward pass of h₁ at epoch 3\n" + HALTED_HELP
    assert HALTED_HELP == ("Training is stopped. Press r to reset to the initial weights, b to step "
                           "back in time to before the blow-up, or l to choose a smaller learning "
                           "rate and then r.")
    assert style_at(t, "⚠") == "bold red" and style_at(t, "Training") == ""


LOSS = loss_event(epoch=0, phase=Phase.LOSS, layer=None, neurons=None, **dict(
    y_hat=A([[0.5], [0.75], [0.25], [0.125]]), y=A([[0.], [1.], [-1.], [1.]]), loss=0.66015625,
    scale=0.5, dL_dyhat=A([[0.25], [-0.125], [0.625], [-0.4375]])))


def test_narration_of_the_loss_reads_the_selected_sample():
    t = narrate(narration_view(LOSS, sample=1))
    assert t.plain == ("Loss · mean squared error over 4 samples\n"
                       "L = 1/4 · Σₙ (ŷₙ − yₙ)² = 0.6602\n"
                       "sample 2: ŷ = 0.75, y = 1\n"
                       "∂L/∂ŷ = 2/4 · (ŷ − y) = 0.5 · (0.75 − 1) = -0.125")
    assert styled(t, "bold") == ["Loss · mean squared error over 4 samples", "0.6602", "-0.125"]
    t = narrate(narration_view(LOSS, sample=2))
    assert t.plain.endswith("sample 3: ŷ = 0.25, y = -1\n"
                            "∂L/∂ŷ = 2/4 · (ŷ − y) = 0.5 · (0.25 − (-1)) = 0.625")
    two = loss_event(epoch=0, phase=Phase.LOSS, layer=None, neurons=None, **dict(
        y_hat=A([[0.5, 1.0]] * 3), y=A([[0., 0.]] * 3), loss=0.625, scale=1 / 3,
        dL_dyhat=A([[1 / 6, 1 / 3]] * 3)))
    t = narrate(narration_view(two, n=3))
    assert "L = 1/6 · Σₙ" in t.plain and "∂L/∂ŷ = 2/6 · (ŷ − y) = 0.3333 · (0.5 − 0) = " in t.plain
    assert t.plain.endswith("0.1667   (output 1 of 2)") and styled(t, "dim") == ["(output 1 of 2)"]


FORWARD = ForwardEvent(epoch=0, phase=Phase.FORWARD, layer=0, neurons=(1, 2), **dict(
    x=A([[0., 0.], [1., 2.], [3., 4.], [5., 6.]]), w=A([[0.5], [-0.25]]), b=A([0.125]),
    z=A([[0.125], [0.125], [0.625], [1.125]]), a=A([[0.5312], [0.5312], [0.6514], [0.7549]])))


def test_narration_of_a_forward_step():
    t = narrate(narration_view(FORWARD, neuron=1, sample=1))
    assert t.plain == ("Forward · h₂ (hidden layer 1, neuron 2) · sample 2\n"
                       "z = w₁x₁ + w₂x₂ + b\n"
                       "  = 0.5·1 + (-0.25)·2 + 0.125\n"
                       "  = 0.125\n"
                       "a = σ(z) = σ(0.125) = 0.5312")
    assert styled(t, "bold") == ["Forward · h₂ (hidden layer 1, neuron 2)", "0.125", "0.5312"]
    assert styled(t, "dim") == ["· sample 2"]
    t = narrate(narration_view(FORWARD, neuron=1, sample=3))
    assert "  = 0.5·5 + (-0.25)·6 + 0.125\n  = 1.125\na = σ(z) = σ(1.125) = 0.7549" in t.plain


def big_layer():
    """A hidden layer of 2 neurons with 5 inputs, 5 neurons after it, 6 samples."""
    x = A([[1., -2., 0.5, 4., 8.]] + [[0.25, 0.5, -1., 2., 1.]] * 5)
    w = A([[0.5, 0.25], [-1., 2.], [2., 0.], [0.125, -0.5], [1., 1.]])
    b = A([0.5, -0.25])
    z = x @ w + b
    a = np.tanh(z)
    nd = A([[1., 2., -1., 0.5, 0.25]] * 6)
    nw = A([[0.5, -0.5, 1., 2., 4.], [1., 1., 1., 1., 1.]])
    dA = nd @ nw.T
    fp = 1 - a ** 2
    delta = dA * fp
    dw, db = x.T @ delta, delta.sum(0)
    fwd = ForwardEvent(epoch=2, layer=0, neurons=(0, 2), x=x, w=w, b=b, z=z, a=a)
    bwd = BackwardEvent(epoch=2, phase=Phase.BACKWARD, layer=0, neurons=(0, 2), **dict(
        dA=dA, fprime=fp, delta=delta, x=x, dw=dw, db=db, next_delta=nd, next_w=nw))
    upd = update_event(epoch=2, phase=Phase.UPDATE, layer=0, neurons=(0, 2), **dict(
        lr=0.1, w_before=w, w_after=w - 0.1 * dw, dw=dw, db=db, b_before=b, b_after=b - 0.1 * db))
    return fwd, bwd, upd


def test_narration_of_a_long_sum_writes_three_terms_and_counts_the_rest():
    fwd, bwd, upd = big_layer()
    t = narrate(narration_view(fwd, neuron=1, sample=0, sizes=(5, 2, 5, 1), n=6, f="tanh"))
    assert t.plain == ("this step computed h¹₁, h¹₂; ↑↓ picks the one explained here\n"  # a layer's event
                       "Forward · h¹₂ (hidden layer 1, neuron 2) · sample 1\n"
                       "z = w₁x₁ + w₂x₂ + w₃x₃ + … + b\n"
                       "  = 0.25·1 + 2·(-2) + 0·0.5 + … 2 more + (-0.25)\n"
                       "  = 2\n"
                       "a = tanh(z) = tanh(2) = 0.964")
    t = narrate(narration_view(bwd, neuron=0, sample=2, sizes=(5, 2, 5, 1), n=6, f="tanh"))
    assert t.plain == (
        "this step computed h¹₁, h¹₂; ↑↓ picks the one explained here\n"
        "Backward · h¹₁ (hidden layer 1, neuron 1) · sample 3 for δ\n"
        "∂L/∂a = Σₖ δₖ·wₖ (from layer 2) = 1·0.5 + 2·(-0.5) + (-1)·1 + … 2 more = 0.5\n"
        "δ = ∂L/∂z = ∂L/∂a · tanh'(z) = 0.5 · 0.6924 = 0.3462\n"
        "dw₁ = Σₙ δₙ·x₁ₙ = (sample 3: 0.3462·0.25 = 0.08655) + … all 6 → 0.4328\n"
        "dw₂ = Σₙ δₙ·x₂ₙ = (sample 3: 0.3462·0.5 = 0.1731) + … all 6 → 0.8655\n"
        "dw₃ = Σₙ δₙ·x₃ₙ = (sample 3: 0.3462·(-1) = -0.3462) + … all 6 → -1.731\n"
        "… and 2 more weights (see the neuron panel)\n"
        "db = Σₙ δₙ = 1.731")
    assert styled(t, "bold") == ["Backward · h¹₁ (hidden layer 1, neuron 1)", "0.5", "0.3462",
                                 "0.4328", "0.8655", "-1.731", "1.731"]
    assert styled(t, "dim") == [
        "this step computed h¹₁, h¹₂; ↑↓ picks the one explained here", "· sample 3 for δ", "(sample 3: 0.3462·0.25 = 0.08655) + … all 6 →",
        "(sample 3: 0.3462·0.5 = 0.1731) + … all 6 →", "(sample 3: 0.3462·(-1) = -0.3462) + … all 6 →",
        "… and 2 more weights (see the neuron panel)"]
    t = narrate(narration_view(upd, neuron=1, sample=2, sizes=(5, 2, 5, 1), n=6, f="tanh"))
    assert t.plain == ("this step computed h¹₁, h¹₂; ↑↓ picks the one explained here\n"
                       "Update · h¹₂ (hidden layer 1, neuron 2)\n"
                       "gradient descent, lr = 0.1\n"
                       "w₁ ← w₁ − lr·dw₁ = 0.25 − 0.1·2.0842 = 0.04158\n"  # 0.2084 would give 0.0416
                       "w₂ ← w₂ − lr·dw₂ = 2 − 0.1·3.391 = 1.661\n"
                       "w₃ ← w₃ − lr·dw₃ = 0 − 0.1·(-7.463) = 0.7463\n"
                       "… and 2 more weights (see the neuron panel)\n"
                       "b ← b − lr·db = -0.25 − 0.1·7.754 = -1.025")
    assert styled(t, "bold") == ["Update · h¹₂ (hidden layer 1, neuron 2)", "0.04158", "1.661",
                                 "0.7463", "-1.025"]
    assert styled(t, "dim") == ["this step computed h¹₁, h¹₂; ↑↓ picks the one explained here", "… and 2 more weights (see the neuron panel)"]


BACKWARD_OUT = BackwardEvent(epoch=0, phase=Phase.BACKWARD, layer=1, neurons=(0, 1), **dict(
    dA=A([[0.25], [-0.5], [1.], [0.125]]), fprime=A([[0.25], [0.5], [0.125], [0.25]]),
    delta=A([[0.0625], [-0.25], [0.125], [0.03125]]), x=A([[0.5, 1.], [0.25, -1.], [2., 0.], [1., 4.]]),
    dw=A([[0.25], [0.4375]]), db=A([-0.03125])))


def test_narration_of_the_output_neurons_backward_step_writes_out_every_term():
    t = narrate(narration_view(BACKWARD_OUT, sample=1))
    assert t.plain == (
        "Backward · ŷ (output layer 2, neuron 1) · sample 2 for δ\n"
        "∂L/∂a = ∂L/∂ŷ = -0.5\n"
        "δ = ∂L/∂z = ∂L/∂a · σ'(z) = (-0.5) · 0.5 = -0.25\n"
        "dw and db add up every sample's term (n = 1…4):\n"
        "dw₁ = Σₙ δₙ·h₁ₙ = 0.0625·0.5 + (-0.25)·0.25 + 0.125·2 + 0.03125·1 = 0.25\n"
        "dw₂ = Σₙ δₙ·h₂ₙ = 0.0625·1 + (-0.25)·(-1) + 0.125·0 + 0.03125·4 = 0.4375\n"
        "db = Σₙ δₙ = 0.0625 + (-0.25) + 0.125 + 0.03125 = -0.03125")
    assert styled(t, "bold") == ["Backward · ŷ (output layer 2, neuron 1)", "-0.5", "-0.25", "0.25",
                                 "0.4375", "-0.03125"]
    assert styled(t, "dim") == ["· sample 2 for δ", "dw and db add up every sample's term (n = 1…4):"]


def test_narration_says_why_a_zero_input_sample_adds_nothing():
    hidden = BackwardEvent(epoch=0, phase=Phase.BACKWARD, layer=0, neurons=(1, 2), **dict(
        dA=A([[0.25], [-0.5], [1.], [0.125]]), fprime=A([[0.25], [0.5], [0.125], [0.25]]),
        delta=A([[0.0625], [-0.25], [0.125], [0.03125]]), x=A([[0., 0.], [0.25, -1.], [2., 0.], [1., 4.]]),
        dw=A([[0.21875], [0.375]]), db=A([-0.03125]), next_delta=A([[0.5], [-1.], [2.], [0.25]]),
        next_w=A([[0.5]])))
    t = narrate(narration_view(hidden, neuron=1, sample=0, zero=True))
    assert t.plain == (
        "Backward · h₂ (hidden layer 1, neuron 2) · sample 1 for δ\n"
        "∂L/∂a = Σₖ δₖ·wₖ (from layer 2) = 0.5·0.5 = 0.25\n"
        "δ = ∂L/∂z = ∂L/∂a · σ'(z) = 0.25 · 0.25 = 0.0625\n"
        "dw and db add up every sample's term (n = 1…4):\n"
        "dw₁ = Σₙ δₙ·x₁ₙ = 0.0625·0 + (-0.25)·0.25 + 0.125·2 + 0.03125·1 = 0.2188\n"
        "dw₂ = Σₙ δₙ·x₂ₙ = 0.0625·0 + (-0.25)·(-1) + 0.125·0 + 0.03125·4 = 0.375\n"
        "db = Σₙ δₙ = 0.0625 + (-0.25) + 0.125 + 0.03125 = -0.03125\n"
        "sample 1's inputs are all 0, so its δ·x terms are 0: only db gets its δ.")
    assert styled(t, "dim")[-1] == "sample 1's inputs are all 0, so its δ·x terms are 0: only db gets its δ."
    # the note is about the inputs x: not shown for a later layer, nor for a sample with inputs
    assert "inputs are all 0" not in narrate(narration_view(BACKWARD_OUT, zero=True)).plain
    assert "inputs are all 0" not in narrate(narration_view(hidden, neuron=1, sample=0)).plain


UPDATE = update_event(epoch=0, phase=Phase.UPDATE, layer=1, neurons=(0, 1), **dict(
    lr=0.5, w_before=A([[0.5], [-0.25]]), w_after=A([[0.375], [-0.5]]), dw=A([[0.25], [0.5]]),
    db=A([-0.75]), b_before=A([0.125]), b_after=A([0.5])))


def test_narration_of_an_update_shows_before_rate_gradient_and_after():
    t = narrate(narration_view(UPDATE))
    assert t.plain == ("Update · ŷ (output layer 2, neuron 1)\n"
                       "gradient descent, lr = 0.5\n"
                       "w₁ ← w₁ − lr·dw₁ = 0.5 − 0.5·0.25 = 0.375\n"
                       "w₂ ← w₂ − lr·dw₂ = -0.25 − 0.5·0.5 = -0.5\n"
                       "b ← b − lr·db = 0.125 − 0.5·(-0.75) = 0.5")
    assert styled(t, "bold") == ["Update · ŷ (output layer 2, neuron 1)", "0.375", "-0.5", "0.5"]
    assert styled(t, "dim") == []


# ── the widgets pass their renderer's text on (no app needed) ───────────────────

def test_widgets_show_their_renderers_text(monkeypatch):
    from tui.app.widgets.inspector import Inspector
    from tui.app.widgets.narration import Narration
    from tui.app.widgets.status import StatusLine

    calls = []
    inspector = Inspector()
    monkeypatch.setattr(inspector, "update", lambda text, layout: calls.append((text.plain, layout)))
    inspector.show(neuron())
    inspector.show(neuron(sample=2))                 # same number of lines: no layout pass
    inspector.show(neuron(forward=STALE0))           # one more line: layout pass
    assert calls == [(render_inspector(neuron()).plain, True),
                     (render_inspector(neuron(sample=2)).plain, False),
                     (render_inspector(neuron(forward=STALE0)).plain, True)]

    line = StatusLine()
    shown = []
    monkeypatch.setattr(line, "update", lambda text, layout: shown.append((text.plain, layout)))
    monkeypatch.setattr(StatusLine, "size", property(lambda self: Size(len(STATUS_LINES[3]), 1)))
    line.show(status())
    monkeypatch.setattr(StatusLine, "size", property(lambda self: Size(0, 0)))  # before layout
    line.show(status())
    assert shown == [(STATUS_LINES[3], False), (render_status(status(), 200).plain, False)]

    class Target:
        texts = []
        content_size = Size(0, 0)  # before layout: the narration asks for a layout pass

        def update(self, text, layout=True):
            assert layout
            self.texts.append(text.plain)

    target = Target()
    narration = Narration()
    asked = []
    monkeypatch.setattr(narration, "query_one", lambda *how: asked.append(how) or target)
    narration.show(narration_view(UPDATE))
    narration.show(narration_view(UPDATE))           # unchanged: no repaint
    narration.show(narration_view(LOSS))
    assert target.texts == [narrate(narration_view(UPDATE)).plain, narrate(narration_view(LOSS)).plain]
    assert [(type(w).__name__, w.id) for w in narration.compose()] == [("Static", "narration-text")]
    assert asked[0][0] == "#narration-text" and asked[0][1].__name__ == "Static"


def test_narration_of_three_terms_writes_them_all():
    x = A([[1., 2., 3.], [0.5, 0.25, -1.]])
    w = A([[0.5], [0.25], [-1.]])
    z = x @ w
    events = [
        ForwardEvent(epoch=0, layer=0, neurons=(0, 1), x=x, w=w, b=A([0.]), z=z, a=z),
        BackwardEvent(epoch=0, phase=Phase.BACKWARD, layer=0, neurons=(0, 1), **dict(
            dA=A([[1.], [2.]]), fprime=A([[1.], [1.]]), delta=A([[1.], [2.]]), x=x, dw=x.T @ A([[1.], [2.]]),
            db=A([3.]), next_delta=A([[1., 1., 1.], [2., 2., 2.]]), next_w=A([[0.5, 0.25, 0.25]]))),
        update_event(epoch=0, phase=Phase.UPDATE, layer=0, neurons=(0, 1), **dict(
            lr=1.0, w_before=w, w_after=w, dw=0 * w, db=A([0.]), b_before=A([0.]), b_after=A([0.])))]
    texts = [narrate(narration_view(e, sizes=(3, 1, 3, 1), n=2, f="id")).plain for e in events]
    assert "z = w₁x₁ + w₂x₂ + w₃x₃ + b\n  = 0.5·0.5 + 0.25·0.25 + (-1)·(-1) + 0\n" in texts[0]
    assert "(from layer 2) = 2·0.5 + 2·0.25 + 2·0.25 = 2\n" in texts[1]
    assert "dw₃ = Σₙ δₙ·x₃ₙ = 1·3 + 2·(-1) = 1\ndb = " in texts[1]
    assert "w₃ ← w₃ − lr·dw₃ = -1 − 1·0 = -1\nb ← b" in texts[2]
    assert not any("more" in text for text in texts)


# ── what the frame hands the status line and the diagram's captions ─────────────

def built(session):
    with session.lock:
        return build_frame(session, PanelSizes())


def test_frame_status_says_the_play_state_speed_and_quiz():
    from nn.breakpoints import Stop

    session = Session(build(RunConfig(task="xor", lr=0.75)))
    v = built(session).status
    assert (v.label, v.lr, v.granularity, v.epoch, v.loss, v.state, v.quiz) == \
        ("xor", 0.75, "neuron", 0, None, "paused", None)
    assert v.architecture == session.net.describe() and v.speed == "100/s"
    assert v.breakpoints_on is False
    session.breakpoints.loss_up = True
    session.stepper.breakpoint = Stop("loss went up")
    assert built(session).status.state == "breakpoint" and built(session).status.breakpoints_on
    session.playing = True                       # playing wins over an old breakpoint
    assert built(session).status.state == "playing"
    session.speed_index = len(session_speeds()) - 1
    assert built(session).status.speed == "max"
    session.speed_index = 0
    assert built(session).status.speed == "1/s"
    session.quiz.on = True
    session.quiz.right, session.quiz.asked = 2, 5
    assert built(session).status.quiz == (2, 5)
    session.granularity = Granularity.EPOCH
    session.step()
    v = built(session).status
    assert v.epoch == 1 and v.loss == session.stepper.losses[-1] and v.granularity == "epoch"


def session_speeds():
    from tui.core.session import SPEEDS
    return SPEEDS


def test_frame_status_and_caption_after_a_blow_up():
    session = blown_up()
    session.playing = True
    f = built(session)
    assert f.status.state == "halted"              # halted wins over playing
    assert f.diagram.caption[0] == f"epoch {session.stepper.epoch} · next: stopped (NaN/inf)"


def test_frame_caption_names_the_next_step_at_each_granularity():
    session = Session(build(RunConfig(task="xor")))
    session.sample = 2
    assert built(session).diagram.caption == ("epoch 0 · next: forward h₁", "sample 3 · nodes show a")
    session.granularity = Granularity.LAYER
    assert built(session).diagram.caption[0] == "epoch 0 · next: forward hidden layer 1"
    session.granularity = Granularity.PHASE
    assert built(session).diagram.caption[0] == "epoch 0 · next: forward pass"
    session.step()                                  # the forward pass
    assert built(session).diagram.caption[0] == "epoch 0 · next: loss"
    session.step()                                  # the loss
    assert built(session).diagram.caption[0] == "epoch 0 · next: backward pass"
    session.step()                                  # the backward pass: nodes show δ
    f = built(session)
    assert f.diagram.caption == ("epoch 0 · next: update", "sample 3 · nodes show δ")
    assert f.diagram.quantity == "δ"
    session.granularity = Granularity.NEURON
    assert built(session).diagram.caption[0] == "epoch 0 · next: update h₁"


def test_frame_layer_titles_and_names():
    f = built(Session(build(RunConfig(task="xor"))))
    assert f.diagram.layer_titles == ("h σ", "out σ")
    assert f.diagram.names == (("h₁", "h₂"), ("ŷ",)) and f.diagram.input_names == ("x₁", "x₂")
    assert f.neuron.title == "output layer 2 · sigmoid"
    deep = built(Session(build(RunConfig(task="spiral"))))
    titles = deep.diagram.layer_titles
    # the layer as the nodes write it (h¹₁, h²₁): 'h1 tanh' under nodes named h¹₁ …
    assert titles[:2] == ("h¹ tanh", "h² tanh") and titles[-1].startswith("out ")
    assert all(name.startswith(title.split()[0]) for title, names in
               zip(titles[:2], deep.diagram.names[:2]) for name in names)


def test_frame_diagram_narration_and_loss_parts():
    session = Session(build(RunConfig(task="xor")))
    session.sample = 0                               # inputs (0, 0)
    f = built(session)
    assert f.neuron.forward == Freshness(None, False) and f.neuron.forward.note == "not computed yet"
    d = f.diagram
    assert d.sizes == (2, 2, 1) and d.known == (False, False) and d.quantity == "a"
    assert d.activation_symbols == ("σ", "σ") and d.selected == session.selected
    assert d.problem is None and d.highlighted == frozenset(session.current_unit_neurons())
    n = f.narration
    assert n.event is None and n.activation_symbol == "σ" and n.n_samples == 4 and n.sizes == (2, 2, 1)
    assert n.all_zero_inputs is True and n.halted is None
    assert f.loss.title == "xor · epoch 0" and len(f.loss.epochs) == 0 and f.version == session.version
    session.granularity = Granularity.LAYER
    session.step()                                   # forward hidden layer 1
    session.select(0, 1)
    session.sample = 1
    f = built(session)
    assert f.diagram.known == (True, False) and f.neuron.forward == Freshness(0, True)
    assert f.narration.neuron == 1 and "Forward · h₂" in narrate(f.narration).plain
    assert f.narration.all_zero_inputs is False
    assert f.diagram.highlighted == frozenset(session.current_unit_neurons())
    reg = Session(build(RunConfig(task="regression")))
    assert built(reg).narration.activation_symbol == reg.net.layers[-1].activation.symbol != "σ"
    reg.granularity = Granularity.LAYER
    reg.step()                                       # forward hidden layer 1: its σ, not ŷ's
    assert built(reg).narration.activation_symbol == reg.net.layers[0].activation.symbol == "σ"
    reg.granularity = Granularity.EPOCH
    reg.play_chunk(700, breakpoints=False)
    with reg.lock:
        for width, points in ((60, 120), (5, 20)):
            view = build_frame(reg, PanelSizes(loss_width=width)).loss
            np.testing.assert_array_equal(view.epochs, reg.stepper.losses.envelope(points)[0])
            assert view.title == f"regression · epoch {reg.stepper.epoch}" and view.epoch == 700


def test_frame_marks_where_a_blow_up_happened():
    session = Session(build(RunConfig(task="xor")))
    session.stepper.halted = StepEvent(epoch=3, phase=Phase.FORWARD, layer=0, neurons=(1, 2),
                                       problem="inf in z of h₂ (forward, epoch 3)",
                                       problem_layer=0, problem_neuron=1)
    f = built(session)
    assert f.diagram.problem == (0, 1) and f.narration.halted == "inf in z of h₂ (forward, epoch 3)"
    assert f.status.state == "halted" and f.diagram.caption[0].endswith("next: stopped (NaN/inf)")
    session.stepper.halted = StepEvent(epoch=3, phase=Phase.LOSS, layer=None, neurons=None,
                                       problem="loss became inf in epoch 3")
    assert built(session).diagram.problem is None


def test_status_line_says_how_it_trains_and_the_share_link():
    t = render_status(status(training="adam · batch 16", link="following teacher at 127.0.0.1:8765"))
    assert " · lr 0.5 · adam · batch 16 · step: " in t.plain
    assert style_at(t, "following teacher at 127.0.0.1:8765") == "bold cyan"
    assert t.plain.endswith(" · following teacher at 127.0.0.1:8765 · ? help")
    # the training part goes before the lr when space runs out, the link after the loss
    narrow = render_status(status(training="adam · batch 16", link="sharing"), 80).plain
    assert "adam" not in narrow and "sharing" in narrow


def test_frame_status_carries_the_training_parts_and_the_link():
    from tui.core.config import RunConfig, build
    from tui.view.frame import PanelSizes, build_frame
    from tui.core.session import Session

    s = Session(build(RunConfig(task="spiral", optimizer="adam", lr=0.01, batch=16)))
    s.link_status = "sharing 127.0.0.1:1 · code X · 0 following"
    with s.lock:
        f = build_frame(s, PanelSizes(loss_width=60))
    assert f.status.training == "adam · batch 16"
    assert f.status.link == "sharing 127.0.0.1:1 · code X · 0 following"


def test_inspector_drops_the_input_names_rather_than_cut_a_number():
    """ŷ of spiral 2–16–16–1 at 80×24 (36 columns): `w₁₀ (h²₁₀)` made the last Δ column
    run past the edge; narrow panels name weights w₁ … and keep every number whole."""
    from tui.core.config import RunConfig, build
    from tui.view.frame import PanelSizes, build_frame
    from tui.core.session import Session

    s = Session(build(RunConfig(task="spiral")))
    s.play_chunk(30)
    s.select(2, 0)
    with s.lock:
        view = build_frame(s, PanelSizes(loss_width=60)).neuron
    narrow = render_inspector(view, 36).plain.splitlines()
    table = [line for line in narrow if line.startswith(("w", "b "))]
    assert len(table) == 17 and all(len(line) <= 36 for line in table), table
    assert table[9].startswith("w₁₀ ") and "(h²" not in "\n".join(table)
    assert num(view.change_w[9]) in table[9]                  # last Δ is whole
    wide = render_inspector(view, 120).plain
    assert "w₁₀ (h²₁₀)" in wide



def test_a_narrow_inspector_says_which_input_each_short_weight_name_stands_for():
    """A lesson's narrow neuron panel names weights w₁ w₂ (no room for `w₁ (x₁)`); a line
    under the table keeps the link to the inputs (seen by a teacher: `w₃` with features
    x₁, x₂, x₁x₂ could only be matched to x₁x₂ through the diagram's order)."""
    view = NeuronView(name="ŷ", title="output layer 1 · sigmoid", input_names=("x₁", "x₂", "x₁x₂"),
                      w=A([0.5, -1.25, 2.0]), b=0.125, dw=A([0.0625, -0.375, 0.002517]), db=-0.5,
                      change_w=A([-0.03125, 0.1875, -0.001258]), change_b=0.25, z=A([]), a=A([]),
                      delta=A([]), sample=0, forward=FRESH, backward=FRESH, update=FRESH)
    wide = render_inspector(view, 60).plain
    assert "w₃ (x₁x₂)" in wide and "w₃ x₁x₂" not in wide
    narrow = render_inspector(view, 30).plain.splitlines()
    assert not any("(x" in line for line in narrow)
    assert "w₁ x₁ · w₂ x₂ · w₃ x₁x₂" in narrow and all(len(line) <= 30 for line in narrow)

# ── K classes: the output map's legend and drawing ──────────────────────────────

def test_three_class_output_map_says_which_class_is_filled_and_drawing_is_refused():
    from tui.app.drawing_keys import Pen, add_at, map_hint
    from tui.app.widgets.neuron_map import render_large

    session = Session(build(RunConfig(task="spiral3")))
    session.select(len(session.net.layers) - 1, 2)
    with session.lock:
        f = build_frame(session, PanelSizes(map_cols=29, map_rows=14, large_map=True))
    text = "\n".join("".join(s.text for s in line) for line in render_large(f.maps, None))
    assert "class 3: ●  others: ○" in text and "● 1  ○ 0" not in text
    why = "drawing data needs a 2-class or regression task: spiral3 has 3 classes"
    assert map_hint(session, None) == why
    for draw in (lambda: add_at(session, Pen(), 0.1, 0.2), session.clear_points,
                 lambda: session.remove_point(0.0, 0.0)):
        with pytest.raises(ValueError, match=why):
            draw()
    assert session.drawn is None and session.problem.y.shape[1] == 3
    xor = Session(build(RunConfig(task="xor")))
    xor.select(1, 0)
    with xor.lock:
        f = build_frame(xor, PanelSizes(map_cols=29, map_rows=14, large_map=True))
    assert "class ● 1  ○ 0" in "\n".join("".join(s.text for s in line)
                                         for line in render_large(f.maps, None))
    assert map_hint(xor, None).startswith("click: class 1 (right 0)")


# ── the loss chart's legend never covers the curve ──────────────────────────────

LEGEND_MARK = re.compile(r" ?[⠀-⣿]{2} (predict the mean: [\d.]+|test|training)")


@pytest.mark.parametrize("width, height", [(58, 9), (38, 8), (60, 16)])  # 120×40, 80×24, tall
def test_loss_chart_legend_sits_above_the_curve(width, height):
    """XOR's loss sits at the mean's 0.25 for hundreds of epochs: the legend rows hold
    the legend and nothing of the curve, which is drawn whole below them."""
    lo = np.r_[np.full(200, 0.25), np.linspace(0.25, 0.1, 100)]
    lines = draw(loss_view(range(300), lo, baseline=0.25, title="xor · epoch 300"),
                 width=width, height=height)
    rows = plot_rows(lines)
    legend = [k for k, r in enumerate(rows) if "predict the mean: 0.25" in r]
    assert legend == [0], lines
    rest = LEGEND_MARK.sub("", rows[0])
    assert not rest.strip(), lines                  # no part of the curve on the legend's row
    assert all(any(r[c].strip() for r in rows[1:]) for c in range(len(rows[1]))), lines


def test_loss_chart_too_low_for_a_legend_puts_the_mean_in_the_title():
    view = loss_view(range(300), np.linspace(0.3, 0.1, 300), baseline=0.25, title="xor · epoch 300")
    view = LossView(**{**view.__dict__, "test_epochs": view.epochs, "test_lo": view.lo * 1.1,
                       "test_hi": view.hi * 1.1})
    lines = draw(view, width=38, height=8)       # 3 canvas rows: no room for 3 legend lines
    assert lines[0].strip() == "xor · epoch 300 · mean guess 0.25"   # the grey line
    assert "predict the mean" not in "".join(lines) and "training" not in "".join(lines)
    lines = draw(view, width=60, height=16)
    assert lines[0].strip() == "xor · epoch 300"
    assert [k for k, r in enumerate(plot_rows(lines)) if LEGEND_MARK.search(r)] == [0, 1, 2]
    assert all(not LEGEND_MARK.sub("", r).strip() for r in plot_rows(lines)[:3]), lines


def test_status_line_shows_the_batch_loss_until_the_first_epoch_loss():
    assert "· batch loss 0.388 ·" in render_status(status(loss=None, batch_loss=0.388)).plain
    assert "batch loss" not in render_status(status(loss=0.25, batch_loss=0.388)).plain


def test_status_line_says_slow_motion_and_its_pace():
    t = render_status(status(state="slow", speed="1.5 s/step"))
    assert " · ▶ slow motion 1.5 s/step · " in t.plain and style_at(t, "▶ slow motion") == "bold green"


def test_a_chart_too_low_for_a_legend_names_the_test_curve_in_its_title():
    from dataclasses import replace

    view = replace(loss_view(range(50), np.linspace(0.3, 0.1, 50), baseline=0.21,
                             title="circle · epoch 50"),
                   test_epochs=A(range(50), dtype=float), test_lo=np.linspace(0.3, 0.12, 50),
                   test_hi=np.linspace(0.3, 0.12, 50))
    low = "\n".join(draw(view, width=58, height=9))
    assert "mean guess 0.21" in low and "test: orange" in low
    tall = "\n".join(draw(view, width=58, height=20))
    assert "test: orange" not in tall and "test" in tall and "training" in tall


# ── the neuron panel's header, pages, optimizer state and batch rows (mutmut's survivors)

def test_inspector_header_parts_go_to_the_next_line_only_when_they_do_not_fit():
    v = replace(neuron(), title="hidden layer 1 · neuron 2 · sigmoid")
    head = {w: render_inspector(v, w).plain.split("\n")[:2] for w in (18, 19, 29, 30, None)}
    assert head[None][0] == "h₂ · hidden layer 1 · neuron 2 · sigmoid"
    assert head[30] == ["h₂ · hidden layer 1 · neuron 2", "sigmoid"]           # 30 cells
    assert head[29] == head[19] == ["h₂ · hidden layer 1", "neuron 2 · sigmoid"]
    assert render_inspector(v, 18).plain.split("\n")[:3] == [
        "h₂", "hidden layer 1", "neuron 2 · sigmoid"]


def test_inspector_pages_the_weights_sixteen_at_a_time():
    n = 20
    v = replace(neuron(), input_names=tuple(f"x{i}" for i in range(n)), w=np.arange(n) / 8,
                dw=np.arange(n) / 16, change_w=np.arange(n) / 32)
    first, second = render_inspector(v), render_inspector(v, None, 1)   # page 0 first
    assert first.plain.split("\n")[1] == "w₁…w₁₆ of 20 (4 more: . next)"
    assert second.plain.split("\n")[1:9] == [
        "w₁₇…w₂₀ of 20 (last: . back to w₁)",   # the last page (it said "16 more")
        "          value dw / db  last Δ",      # last Δ as wide as page 1's (0.46875)
        "w₁₇ (x16)     2       1     0.5",
        "w₁₈ (x17) 2.125   1.062  0.5312",
        "w₁₉ (x18)  2.25   1.125  0.5625",
        "w₂₀ (x19) 2.375   1.188  0.5938",
        "b         0.125    -0.5    0.25",
        "sample     z      a       δ"]
    assert styled(second, "dim") == ["w₁₇…w₂₀ of 20 (last: . back to w₁)"]
    assert [line.split()[0] for line in first.plain.split("\n")[3:20]] == \
        [f"w{sub(k)}" for k in range(1, 17)] + ["b"]
    assert render_inspector(v, None, 2).plain == first.plain     # after the last: the first
    assert "more:" not in render_inspector(neuron()).plain       # two weights: one page


def test_inspector_shows_the_optimizer_state_beside_or_below_the_weights():
    v = replace(neuron(), state=(("v", np.array([0.01, -0.02]), 0.03),))
    wide = ["        value dw / db   last Δ     v",
            "w₁ (x₁)   0.5  0.0625 -0.03125  0.01",                   # 36 cells
            "w₂ (x₂) -1.25  -0.375   0.1875 -0.02",
            "b       0.125    -0.5     0.25  0.03"]
    assert render_inspector(v).plain.split("\n")[1:5] == wide
    assert render_inspector(v, 36).plain.split("\n")[1:5] == wide
    assert render_inspector(v, 35).plain.split("\n")[1:10] == [
        "        value dw / db   last Δ", "w₁ (x₁)   0.5  0.0625 -0.03125",
        "w₂ (x₂) -1.25  -0.375   0.1875", "b       0.125    -0.5     0.25",
        "            v", "w₁ (x₁)  0.01", "w₂ (x₂) -0.02", "b        0.03", "sample     z      a       δ"]
    assert styled(render_inspector(v, 35), "bold")[3:5] == ["last Δ", "v"]
    t = render_inspector(replace(v, update=STALE0, backward=STALE0))
    assert "\ndw, db, last Δ, v: from epoch 0\n" in t.plain     # the slot is updated too
    assert "0.01" in styled(t, "dim") and "0.03" in styled(t, "dim")


def test_inspector_narrow_names_weights_w1_and_keys_them_below_when_the_key_fits():
    assert render_inspector(neuron(), 30).plain.split("\n")[1:5] == [   # 30 cells: one
        "        value dw / db   last Δ", "w₁ (x₁)   0.5  0.0625 -0.03125",     # table, named
        "w₂ (x₂) -1.25  -0.375   0.1875", "b       0.125    -0.5     0.25"]
    assert render_inspector(neuron(), 13).plain.split("\n")[3:16] == [      # a column a
        "   value", "w₁   0.5", "w₂ -1.25", "b  0.125",                      # table: no
        "   dw / db", "w₁  0.0625", "w₂  -0.375", "b     -0.5",               # number cut
        "     last Δ", "w₁ -0.03125", "w₂   0.1875", "b      0.25", "w₁ x₁ · w₂ x₂"]
    narrow = render_inspector(neuron(), 29)
    assert "w₁ (x₁)" not in narrow.plain and "\nw₁   0.5  0.0625 -0.03125\n" in narrow.plain
    assert "w₁ x₁ · w₂ x₂" in styled(narrow, "dim")
    assert "\nw₁ x₁ · w₂ x₂" in render_inspector(neuron(), 13).plain    # 13 cells: it fits
    assert "w₁ x₁ · w₂ x₂" not in render_inspector(neuron(), 12).plain


def test_inspector_with_mini_batches_numbers_the_batchs_rows():
    v = replace(neuron(), rows=(0, 4, 7), rows_note="batch 2 of 4", sample=4)
    t = render_inspector(v)
    assert t.plain.split("\n")[5:] == [
        "sample     z      a       δ", "     1   0.5   0.05   0.005",
        "     5 -1.25 -0.125 -0.0125", "     8     2    0.2    0.02",
        "rows: batch 2 of 4 (3 samples); [ and ] change it"]
    assert " ".join(styled(t, "reverse")) == "5 -1.25 -0.125 -0.0125"
    assert styled(t, "dim") == ["rows: batch 2 of 4 (3 samples); [ and ] change it"]
    t = render_inspector(replace(v, sample=1))
    assert t.plain.endswith("\n     8     2    0.2    0.02\n"
                            "sample 2 is not in batch 2 of 4 (3 samples)")
    assert styled(t, "reverse") == [] and styled(t, "dim") == [
        "sample 2 is not in batch 2 of 4 (3 samples)"]


def test_activations_near_one_get_the_digits_that_keep_one_minus_a_readable():
    """num_a: 3 + ⌈−log₁₀(1 − |a|)⌉ significant digits (at most 12) when 1 − |a| < 0.01."""
    assert [num_a(a) for a in (0.9912345678, -0.9912345678, 0.9999999997123456)] == [
        "0.991235", "-0.991235", "0.999999999712"]              # 6, 6 and 13 → 12 digits
    assert [num_a(a) for a in (0.98765, 0.5564, 1.0, -1.0, 2.5)] == [
        "0.9877", "0.5564", "1", "-1", "2.5"]                   # 1 − |a| ≥ 0.01 or 0: num


def test_a_narrow_stale_inspector_splits_its_tables_and_notes_and_dims_every_old_value():
    t = render_inspector(neuron(STALE0, STALE0, STALE0), 21)
    assert t.plain == (
        "h₂ · hidden layer 1\nsigmoid\n"
        "   value dw / db\nw₁   0.5  0.0625\nw₂ -1.25  -0.375\nb  0.125    -0.5\n"
        "     last Δ\nw₁ -0.03125\nw₂   0.1875\nb      0.25\n"      # moved below: not cut
        "w₁ x₁ · w₂ x₂\ndw, db, last Δ: from epoch 0\n"
        "sample     z      a\n     1   0.5   0.05\n     2 -1.25 -0.125\n     3     2    0.2\n"
        "sample       δ\n     1   0.005\n     2 -0.0125\n     3    0.02\n"
        "z, a from epoch 0\nδ from epoch 0")                          # one note a line
    assert styled(t, "dim") == [
        "0.0625", "-0.375", "-0.5", "-0.03125", "0.1875", "0.25", "w₁ x₁ · w₂ x₂",
        "dw, db, last Δ: from epoch 0", "0.5", "0.05", "-1.25", "-0.125", "2", "0.2",
        "0.005", "-0.0125", "0.02", "z, a from epoch 0\nδ from epoch 0"]
    assert styled(t, "reverse") == ["2", "-1.25", "-0.125", "2", "-0.0125"]  # both tables
    notes = {w: render_inspector(neuron(STALE0, STALE0, STALE0), w).plain.split("\n")[-2:]
             for w in (33, 34)}
    assert notes[34][1] == "z, a from epoch 0 · δ from epoch 0"      # 34 cells: one line
    assert notes[33] == ["z, a from epoch 0", "δ from epoch 0"]


def test_a_narrow_inspector_shows_only_the_page_of_weights():
    n = 20
    v = replace(neuron(), input_names=tuple(f"x{i}" for i in range(n)), w=np.arange(n) / 8,
                dw=np.arange(n) / 16, change_w=np.arange(n) / 32)
    assert render_inspector(v, 25, 1).plain.split("\n")[2:9] == [
        "w₁₇…w₂₀ of 20 (last: . back to w₁)", "    value dw / db  last Δ",
        "w₁₇     2       1     0.5", "w₁₈ 2.125   1.062  0.5312", "w₁₉  2.25   1.125  0.5625",
        "w₂₀ 2.375   1.188  0.5938", "b   0.125    -0.5    0.25"]
    one = render_inspector(neuron())                    # one page: page 1 is page 0
    assert render_inspector(neuron(), None, 1).plain == one.plain


def test_inspector_names_every_optimizer_slot_in_the_update_note():
    v = replace(neuron(update=STALE0), state=(("m", np.array([0.01, -0.02]), 0.03),
                                              ("v", np.array([0.04, 0.05]), 0.06)))
    assert render_inspector(v).plain.split("\n")[1:6] == [
        "        value dw / db   last Δ     m    v",
        "w₁ (x₁)   0.5  0.0625 -0.03125  0.01 0.04",
        "w₂ (x₂) -1.25  -0.375   0.1875 -0.02 0.05",
        "b       0.125    -0.5     0.25  0.03 0.06",
        "last Δ, m, v: from epoch 0"]


# ── the loss chart's y labels are the values drawn on their rows ────────────────

def label_value(label: str) -> float:
    """A y label as a number: ``0.25``, ``9.4e-05``, ``1``, ``10⁻²``."""
    if label.startswith("10") and len(label) > 2 and not label[2].isdigit():
        digits = label[2:].translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789"))
        return 10.0 ** int(digits)
    return float(label)


def labelled_rows(lines) -> list[tuple[int, float]]:
    """(canvas row from the top, value) of each y label of a drawn chart."""
    rows = [line for line in lines if ("┤" in line or line.lstrip().startswith("│"))
            and "┌" not in line]
    return [(k, label_value(line.split("┤")[0].strip())) for k, line in enumerate(rows)
            if "┤" in line]


def data_rows(lines) -> list[int]:
    """The canvas rows with something of a curve drawn on them (legend rows: only their
    text and swatch, left out)."""
    return [k for k, r in enumerate(plot_rows(lines))
            if any(0x2800 < ord(c) <= 0x28FF for c in LEGEND_MARK.sub("", r))]


XOR_CURVE = np.r_[np.full(300, 0.25), np.logspace(np.log10(0.25), -4, 2700)]  # + + +, space


@pytest.mark.parametrize("log", [True, False], ids=["log", "linear"])
@pytest.mark.parametrize("width, height", [(38, 8), (58, 9), (60, 16), (58, 20)])
@pytest.mark.parametrize("curve, baseline", [(XOR_CURVE, 0.25), (XOR_CURVE, None),
                                             (np.logspace(0, -3, 300), None),
                                             (np.linspace(0.3, 0.1, 300), 0.25),
                                             (np.array([0.2501]), 0.25)],
                         ids=["xor-mean", "xor", "decades", "short", "first-epoch"])
def test_every_y_label_is_a_value_drawn_where_it_is(curve, baseline, width, height, log):
    """Read off the drawn chart: no label on a row above the curve's highest row (the
    legend's headroom: XOR at 80×24 had ``47┤`` over a loss that never passes 0.25) or
    below its lowest, and every label within a row of the data's range; on XOR's coarse
    log axis the top label is the largest loss drawn (``0.25`` where the mean's line is,
    not ``0.17``)."""
    lines = draw(loss_view(range(len(curve)), curve, baseline=baseline,
                           title="xor · epoch 3000"), log=log, width=width, height=height)
    labels, drawn = labelled_rows(lines), data_rows(lines)
    assert len(labels) >= 2 and drawn, lines
    first, last = min(drawn), max(drawn)
    values = np.r_[curve, [] if baseline is None else [baseline]]
    d_lo, d_hi = float(values.min()), float(values.max())
    span = max(1, last - first)
    for row, value in labels:
        assert first <= row <= last, (row, value, lines)
        if log:  # within a row (in log₁₀ units) of the data's range
            h = (math.log10(d_hi) - math.log10(d_lo)) / span
            assert math.log10(d_lo) - h - 1e-9 <= math.log10(value) <= math.log10(d_hi) + h + 1e-9
        else:
            h = (d_hi - d_lo) / span
            assert d_lo - h - 1e-9 <= value <= d_hi + h + 1e-9, (value, lines)
    if log and curve is XOR_CURVE and height <= 9:  # coarse rows: labelled with their values
        top = min(labels)
        assert top[0] == first and f"{top[1]:.2g}" == f"{d_hi:.2g}", lines


def _paged_neuron(n: int = 64) -> NeuronView:
    """A digits-like hidden neuron: ``n`` weights named x₁…xₙ and Adam's m and v."""
    rng = np.random.default_rng(3)
    w, dw, dv = (rng.normal(0, 0.1, n) for _ in range(3))
    return replace(neuron(), input_names=tuple(f"x{sub(k + 1)}" for k in range(n)), w=w,
                   dw=dw, change_w=dv, state=(("m", dw / 10, 0.5), ("v", dw * dw, 0.25)))


def test_each_page_of_weights_says_how_many_come_after_it():
    """Every page said '(48 more: . next)': it counts the weights after the page now, and
    the last page says how to get back to w₁."""
    v = _paged_neuron()
    said = [render_inspector(v, 37, page).plain.splitlines()[1] for page in range(5)]
    assert said == ["w₁…w₁₆ of 64 (48 more: . next)", "w₁₇…w₃₂ of 64 (32 more: . next)",
                    "w₃₃…w₄₈ of 64 (16 more: . next)", "w₄₉…w₆₄ of 64 (last: . back to w₁)",
                    "w₁…w₁₆ of 64 (48 more: . next)"]
    assert max(map(len, said)) <= 37  # the 120×40 panel's width


@pytest.mark.parametrize("width", range(30, 100, 3))
def test_every_page_of_weights_has_the_same_columns(width):
    """The m and v columns (and the '(x₁₇)' input names) showed on pages 1 and 3 but not on
    2 and 4, whose wider labels (w₁₇ (x₁₇)) pushed them out: every page is laid out as the
    widest one now, so the table heading is the same line on every page."""
    v = _paged_neuron()
    headings = {render_inspector(v, width, page).plain.splitlines()[2] for page in range(4)}
    assert len(headings) == 1, (width, headings)


@pytest.mark.parametrize("width", [None, 70, 40])
def test_pages_past_w99_keep_the_first_pages_columns(width):
    """A 28×28 image's neuron has 784 weights: page 7's names (w₁₁₃ (x₁₁₃)) are wider than
    page 1's (w₁₆ (x₁₆)), so the first column is as wide as its widest named weight on
    every page; the table heading does not move on `.`."""
    v = _paged_neuron(120)
    lines = [render_inspector(v, width, page).plain.splitlines() for page in (0, 7)]
    assert lines[0][2] == lines[1][2], width
    assert "(x₁₁₃)" in lines[1][3] or width == 40  # named where the names fit


def test_paged_state_columns_hold_each_weights_own_m_and_v_right_aligned():
    """On every page, each weight's row ends with its own m and v (momentum/Adam slots),
    each heading right-aligned over its column like the numbers below it."""
    v = _paged_neuron()
    m, s = v.state[0][1], v.state[1][1]
    for page in range(4):
        lines = render_inspector(v, None, page).plain.splitlines()
        heading, rows = lines[2], lines[3:3 + 16]
        for i, row in enumerate(rows):
            k = page * 16 + i
            assert row.startswith(f"w{sub(k + 1)} "), (page, row)
            assert row.split()[-2:] == [num(m[k]), num(s[k])], (page, k, row)
            assert row.endswith(num(s[k])) and len(row) == len(heading), (page, row)
        end_of_m = heading.rindex("m") + 1
        assert all(row[:end_of_m].endswith(num(m[page * 16 + i]))
                   for i, row in enumerate(rows)), (page, heading)


def test_narration_after_playing_says_where_the_run_is():
    """After playing, the chain rule still said 'Press n to take a step…' beside a status
    at epoch 12160: it says the run was played to that epoch and that n steps from there."""
    t = narrate(replace(narration_view(None), epoch=12160))
    assert t.plain == ("Played to epoch 12160. Press n to step from here; each step's "
                       "equation appears here with its real numbers.")
    assert styled(t, "bold") == ["n"]
    assert narrate(narration_view(None)).plain.startswith("Press n to take a step.")
