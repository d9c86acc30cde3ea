"""Live loss chart (plotext via textual-plotext).

The frame hands over the loss history as a min/max envelope (one point per bin
of epochs, at most about two per column), so a redraw costs the same at epoch
100 and epoch 10⁶ and no spike ever disappears: the upper line is each bin's
largest loss, the lower its smallest.  The log view plots log₁₀(loss) on a
linear axis (plotext's own log axis fails on repeated builds) and labels the
ticks in loss units (10⁻¹, 10⁻², …, or each row's value where rows are coarse); no
label is written above the row of the largest loss drawn (the legend's headroom).  Epochs are counted from 0, as on the
status line.  A grey line marks the loss of predicting the mean target, which a
network with no signal gets.

Until the chart has a point (the first screen, at epoch 0) it is an empty frame with a
title and two axis labels: :func:`empty_chart` writes exactly what plotext writes for
it, and plotext (≈ 50 ms to import) loads when the first point is drawn (start-up time;
tests/test_startup.py holds the two to the same bytes).
"""
from __future__ import annotations

import math
import time

import numpy as np
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.strip import Strip
from textual.widget import Widget

from nn.naming import sup

from tui.core.format import num
from tui.view.views import LossView


def nice_ticks(lo: float, hi: float, max_ticks: int = 6, integer: bool = False) -> list[float]:
    """Round tick values (1, 2 or 5 × 10ᵏ apart) covering [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / max(1, max_ticks - 1)
    step = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * step >= raw:
            step *= m
            break
    if integer:
        step = max(1.0, round(step))
    first = math.ceil(lo / step - 1e-9) * step
    count = math.floor((hi - first) / step + 1e-9) + 1
    return [round(first + k * step, 12) for k in range(count)]


def distinct_labels(ticks: list[float], digits: int = 3,
                    to_loss=lambda t: t) -> tuple[list[float], list[str]]:
    """Labels for ``ticks`` with as few significant digits (from ``digits``, up to 6)
    as tell them apart; ticks that still read the same are shown once."""
    for d in range(digits, 7):
        labels = [num(to_loss(t), d) for t in ticks]
        if len(set(labels)) == len(labels):
            break
    kept: dict[str, float] = {}
    for t, label in zip(ticks, labels):
        kept.setdefault(label, t)
    return list(kept.values()), list(kept)


def power_label(exponent: int) -> str:
    """``-2`` → ``10⁻²``."""
    return "1" if exponent == 0 else "10" + ("⁻" if exponent < 0 else "") + sup(abs(exponent))


#: strides between labelled decades: each a round number, so labels step evenly
DECADE_STRIDES = (1, 2, 3, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)


def log_ticks(lo: float, hi: float, most: int = 6) -> tuple[list[float], list[str]]:
    """At most ``most`` ticks for a log₁₀ axis spanning log-values [lo, hi], labelled
    in loss units: decades (10⁻¹, 10⁻², …) a round stride apart (every 1, 2, 3, 5, 10 …
    decades, aligned so the labels read evenly), or inside about one decade the round
    values 1, 2 and 5 × 10ᵏ — or 1 … 9 × 10ᵏ where those give fewer than two."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [], []
    most = max(1, most)
    decades = list(range(math.ceil(lo - 1e-9), math.floor(hi + 1e-9) + 1))
    if len(decades) >= 2:
        stride = next((k for k in DECADE_STRIDES if len(decades) / k <= most), None) or \
            math.ceil(len(decades) / most)
        chosen = [d for d in decades if d % stride == 0] or decades[:1]
        return [float(d) for d in chosen], [power_label(d) for d in chosen]
    for mantissas in ((1, 2, 5), (1, 2, 3, 4, 5, 6, 7, 8, 9)):
        ticks, labels = [], []
        for d in range(math.floor(lo) - 1, math.ceil(hi) + 1):
            for m in mantissas:
                v = math.log10(m) + d
                if lo - 1e-9 <= v <= hi + 1e-9:
                    ticks.append(v)
                    labels.append(num(m * 10.0 ** d, 2))
        if len(ticks) >= 2:
            break
    if len(ticks) > most:  # every k-th, keeping the ends' spacing even
        k = math.ceil(len(ticks) / most)
        ticks, labels = ticks[::k], labels[::k]
    if not ticks:  # a very narrow range: two plain values
        return distinct_labels([lo, hi] if hi > lo else [lo], 3, lambda t: 10 ** t)
    return ticks, labels


#: the most a labelled row may span, in decades, for round labels (10⁻¹, 0.2 …): a
#: coarser row holds values up to 10^(h/2) from its label (the 0.25 plateau drawn on
#: the row labelled 10⁻¹), so its rows are labelled with their own values instead
COARSE_ROW_DECADES = 0.15
#: … and on an axis of several decades, a row over half a decade (10⁻¹ labelling a row
#: that holds 0.25)
COARSE_DECADE_ROWS = 0.5


def tick_row(t: float, a: float, b: float, rows: int) -> int:
    """The canvas row (from the bottom) plotext writes a y tick ``t`` on, on an axis from
    ``a`` to ``b`` of ``rows`` rows: the nearest of the rows' centres."""
    return math.floor(round(0.5 + (rows - 1) * (t - a) / (b - a), 8))


def drawn_row(v: float, a: float, b: float, rows: int) -> int:
    """The canvas row (from the bottom) a braille point at ``v`` is drawn on: plotext puts
    it on one of 4·rows dot rows, 4 to a row — not quite :func:`tick_row`'s grid."""
    return math.floor(round(0.5 + (4 * rows - 1) * (v - a) / (b - a), 8)) // 4


def row_ticks(a: float, b: float, rows: int, most: int, log: bool = True,
              top: float | None = None) -> tuple[list[float], list[str]]:
    """Ticks on the canvas rows of an axis from ``a`` to ``b`` (log₁₀ values when
    ``log``), each labelled with the loss at that very row: whatever is drawn on a
    labelled row reads as its label, to half a row.  Every k-th row from the bottom, at
    most about ``most``.  ``top``: the largest value drawn (below the legend's headroom):
    no row above the one it is drawn on is labelled, and that row is, with ``top`` itself
    (XOR's 0.25 where the mean's line is, not the row's 0.17 or the headroom's 47)."""
    if rows < 2 or not b > a:
        return [], []
    h = (b - a) / (rows - 1)
    n = rows if top is None else max(1, min(rows, drawn_row(top, a, b, rows) + 1))
    step = max(1, math.ceil(n / max(1, most)))
    ks = list(range(0, n, step))
    if top is not None and n >= 2 and ks[-1] != n - 1:
        if n - 1 - ks[-1] < 2 and len(ks) > 1:
            ks.pop()  # the row under the top one: the top row is labelled instead
        ks.append(n - 1)
    where = [a + k * h for k in ks]       # on each row's centre (tick_row)
    values = list(where)                  # what each label says
    if top is not None and n >= 2:
        values[-1] = top                  # the top row: the largest value drawn on it
    kept, labels = distinct_labels(values, 2, (lambda t: 10 ** t) if log else (lambda t: t))
    return [where[values.index(v)] for v in kept], labels


def below_top(ticks: list[float], labels: list[str], a: float, b: float, rows: int,
              top: float | None) -> tuple[list[float], list[str]]:
    """The ticks not written above the row ``top`` is drawn on (the legend's headroom)."""
    if top is None or rows < 2 or not b > a:
        return ticks, labels
    highest = drawn_row(top, a, b, rows)
    kept = [(t, label) for t, label in zip(ticks, labels) if tick_row(t, a, b, rows) <= highest]
    return [t for t, _ in kept], [label for _, label in kept]


def axis_ticks(a: float, b: float, rows: int, most: int, top: float | None = None
               ) -> tuple[list[float], list[str]]:
    """The log axis's ticks: round values (:func:`log_ticks`: decades, or 1, 2, 5 × 10ᵏ
    on a short axis) where the rows are fine enough to hold them — else, or with a
    single round value, :func:`row_ticks`.  ``top``: the largest value drawn; rows above
    it (the legend's headroom) get no label."""
    decades = math.floor(b + 1e-9) - math.ceil(a - 1e-9) + 1  # powers of 10 on the axis
    h = (b - a) / (rows - 1) if rows >= 2 and b > a else 0.0
    if h > (COARSE_ROW_DECADES if decades < 2 else COARSE_DECADE_ROWS):
        return row_ticks(a, b, rows, most, top=top)
    ticks, labels = below_top(*log_ticks(a, b, most), a, b, rows, top)
    if len(ticks) < 2 and rows >= 2 and b > a:  # one round value: too few to read the axis
        return row_ticks(a, b, rows, most, top=top)
    return ticks, labels


#: rows of a plotext chart that are not its canvas: title, two frame lines, x ticks, labels
CHART_FRAME_ROWS = 5
#: the fewest canvas rows left for the curve under a legend; with fewer, no legend
#: (the mean's value goes into the title)
MIN_DATA_ROWS = 2


def legend_headroom(y_lo: float, y_hi: float, n_labels: int, rows: int
                    ) -> tuple[float, float] | None:
    """y limits that keep the top ``n_labels`` of the canvas's ``rows`` rows, where
    plotext writes its legend, above every point (so the legend never hides the curve,
    e.g. XOR's loss sitting at the mean's 0.25); None without a legend."""
    if n_labels <= 0 or not (math.isfinite(y_lo) and math.isfinite(y_hi)):
        return None
    if y_hi <= y_lo:
        pad = max(abs(y_hi) * 0.05, 1e-9)
        y_lo, y_hi = y_lo - pad, y_hi + pad
    # plotext puts a value on one of 4·rows braille dot rows; the top of the data goes on
    # the highest dot row under the legend, with half a dot row to spare for rounding
    dots = 4 * max(rows, n_labels + 1)
    under = max(1.0, dots - 4 * n_labels - 1.5)
    return y_lo, y_lo + (y_hi - y_lo) * (dots - 1) / under


def empty_chart(width: int, height: int, title: str, xlabel: str, ylabel: str,
                fg: tuple[int, int, int], bg: tuple[int, int, int]) -> str | None:
    """What plotext's ``build()`` returns for a ``width`` × ``height`` chart with no data,
    only ``title``, ``xlabel`` and ``ylabel`` (in colour ``fg`` on ``bg``): a title row, a
    box and a label row (the y label at the left, the x label centred on the canvas).
    None where plotext would lay it out otherwise (too small, a label that does not fit
    or touches another, wide characters): plotext then draws it."""
    inner = width - 2                                 # the canvas inside the box
    centre = 1 + inner // 2                           # plotext centres on the canvas
    left = centre - len(title) // 2
    right = width - left - len(title)
    at = centre - len(xlabel) // 2
    gap, tail = at - len(ylabel), width - at - len(xlabel)
    if height < 5 or min(inner, left, right, gap, tail) < 1 or not title or not xlabel \
            or not ylabel or any(cell_len(t) != len(t) for t in (title, xlabel, ylabel)):
        return None
    b, f, r = "\x1b[48;2;%d;%d;%dm" % bg, "\x1b[38;2;%d;%d;%dm" % fg, "\x1b[0m"

    def blank(n: int) -> str:
        return b + " " * n + r

    def ink(text: str) -> str:
        return b + f + text + r

    rows = [blank(left) + ink(title) + blank(right), ink("┌" + "─" * inner + "┐")]
    rows += [ink("│") + blank(inner) + ink("│")] * (height - 4)
    rows += [ink("└" + "─" * inner + "┘"), ink(ylabel) + blank(gap) + ink(xlabel) + blank(tail)]
    return "\n".join(rows) + "\n"


def chart_strips(text: Text, width: int, height: int, base: Style, console) -> list[Strip]:
    """``text``'s first ``height`` lines as strips of ``width`` cells, each segment's style
    over ``base`` with the offset of its first cell (``{"offset": (x, y)}``, as Textual's
    Content gives it: text selection reads it), padded in ``base``, cut at ``width``."""
    strips = []
    combined: dict = {}
    for y, line in enumerate(text.split("\n", allow_blank=True)[:height]):
        segments = []
        x = 0
        for segment in line.render(console):
            style = segment.style
            if style not in combined:
                combined[style] = base + style if style else base
            segments.append(Segment(segment.text, combined[style] + Style(
                meta={"offset": (x, y)})))
            x += len(segment.text)
        strips.append(Strip(segments).crop_extend(0, width, base))
    return strips


#: while playing, the chart is built again at most this often (plotext takes 10–15 ms a build
#: at 120×40, as much as the rest of a frame; the curve moves little in 0.2 s)
PLAYING_EVERY_S = 0.2


class LossChart(Widget):
    """The loss chart: plotext through textual-plotext's ``Plot`` (as its ``PlotextPlot``
    widget draws it), loaded when the first point is drawn."""

    DEFAULT_CSS = """
    LossChart {
        width: 1fr;
        height: 1fr;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.log_scale = True
        self._shown: tuple = ()
        self._plot = None    #: textual-plotext's Plot, made when first needed
        #: (title, y label) while there is nothing to plot (see :func:`empty_chart`)
        self._empty: tuple[str, str] | None = None
        self._built_at = -1e9
        self._version = 0          #: counts the plots made (the render cache's key)
        self._rendered: tuple = ((), None)
        self._strips: tuple = ((), [])  #: (key, the rendered chart's lines) for render_line

    @property
    def plt(self):
        """The plotext figure (textual-plotext's ``Plot``), loaded on first use."""
        if self._plot is None:
            # plotext loads when the chart first has points: start-up time
            from textual_plotext.plot import Plot

            self._plot = Plot()
            if self._empty is not None:
                self._label(*self._empty)
        return self._plot

    def _label(self, title: str, ylabel: str) -> None:
        plt = self._plot
        plt.clear_data()
        plt.clear_figure()
        plt.title(title)
        plt.xlabel("epoch")
        plt.ylabel(ylabel)

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.refresh())

    def _colours(self) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        """(foreground, background) RGB of the chart: the app theme's, as textual-plotext
        gives them to plotext."""
        theme = self.app.theme_variables
        return Color.parse(theme.get("foreground")).rgb, Color.parse(theme.get("surface")).rgb

    def render(self):
        """(Textual) The chart: built again only when it or the size or the theme changed —
        Textual renders the widget again whenever the screen's layout changes, and plotext
        would build the same chart again each time (10–15 ms)."""
        key = (self._version, self.size, self.app.theme, self._empty)
        if self._rendered[0] != key:
            self._rendered = (key, self._render_chart())
        return self._rendered[1]

    #: the chart's lines during one render pass (None: Textual's path, for a selection)
    _pass: list[Strip] | None = None

    def render_lines(self, crop):
        """(Textual) every line of one screen update: the widget's style, the selection and
        the chart's lines looked up once (each is a walk of the DOM or the screen)."""
        self._pass = None if self.text_selection is not None else \
            self._chart_strips(self.rich_style)
        try:
            return super().render_lines(crop)
        finally:
            self._pass = None

    def render_line(self, y: int) -> Strip:
        """(Textual) One line of the chart, from plotext's text straight to segments
        (:func:`chart_strips`), not through Textual's Content (what ``render`` alone would
        get: converting the text's hundreds of spans to Content and back cost ~11 ms a
        build at 41×12, digits at 120×40, against ~3 ms this way).  The segments are the
        same, text selection's offsets included (tests/test_canvas_cache.py); while text
        is selected in the chart, Textual's own path draws the selection."""
        strips = self._pass
        if strips is None:
            if self.text_selection is not None:
                return super().render_line(y)
            strips = self._chart_strips(self.rich_style)
        if y < len(strips):
            return strips[y]
        (_, size, *_), base = self._strips[0]
        return Strip.blank(size.width, base)

    def _chart_strips(self, base: Style) -> list[Strip]:
        """The chart's lines in the widget's style ``base``, made again only when the chart
        was built again (``render``'s key: a new plot, size or theme) or ``base`` changed."""
        text = self.render()
        key = (self._rendered[0], base)
        if self._strips[0] != key:
            width, height = key[0][1]
            self._strips = (key, chart_strips(text, width, height, base, self.app.console))
        return self._strips[1]

    def _render_chart(self):
        width, height = self.size
        if self._plot is None and self._empty is None:  # before the first show(): blank
            return Text()
        if self._empty is not None:
            text = empty_chart(width, height, self._empty[0], "epoch", self._empty[1],
                               *self._colours())
            if text is not None:
                return Text.from_ansi(text)
        # as textual-plotext's PlotextPlot draws (its "auto" theme: the app theme's colours)
        # plotext loads when the chart first has points: start-up time
        from plotext._dict import themes
        from textual_plotext.plot import _rgbify_theme, _sequence

        plot = self.plt
        plot.plotsize(width, height)
        plot._set_size(width, height)
        name = f"textual-auto-{self.app.theme}"
        if name not in themes:
            fg, bg = self._colours()
            themes[name] = _rgbify_theme(bg, bg, fg, "default", _sequence)
        plot.theme(name)
        return Text.from_ansi(plot.build())

    def show(self, view: LossView, every: float = 0.0) -> None:
        """Plot ``view`` — unless it was plotted less than ``every`` seconds ago (while
        playing; the frame after playing stops is plotted whatever the time)."""
        key = (len(view.epochs), float(view.hi[-1]) if len(view.hi) else None,
               None if view.test_hi is None or not len(view.test_hi) else float(view.test_hi[-1]),
               float(view.epochs[-1]) if len(view.epochs) else None, self.log_scale, view.title,
               self.size.width, self.size.height)
        if key == self._shown:
            return
        now = time.perf_counter()
        same_axes = self._shown and (key[4], key[6], key[7]) == \
            (self._shown[4], self._shown[6], self._shown[7])  # log scale and size as plotted
        if every and same_axes and now - self._built_at < every:
            return
        self._shown, self._built_at = key, now
        self._version += 1
        has_mean = view.baseline is not None and view.baseline > 0
        test = _test_series(view, self.log_scale)
        n_labels = has_mean + 2 * (test is not None and len(view.epochs) > 0)
        rows = self.size.height - CHART_FRAME_ROWS
        if rows - n_labels < MIN_DATA_ROWS:  # no room for a legend above the curve
            n_labels = 0
        title = view.title
        ylabel = "loss (log scale)" if self.log_scale else "loss"
        if not n_labels:  # what the legend would have said, in the title and the axis label
            title += f" · mean guess {num(view.baseline, 3)}" if has_mean else ""  # the grey line
            if test is not None and len(view.epochs):
                ylabel = ("loss (log)" if self.log_scale else "loss") + " · test: orange"
        x, lo, hi = view.epochs, view.lo, view.hi
        ok = np.isfinite(lo) & np.isfinite(hi) & ((lo > 0) if self.log_scale else True)
        x, lo, hi = x[ok], lo[ok], hi[ok]
        if not len(x):  # nothing to plot: the frame and labels (empty_chart, no plotext)
            self._empty = (title, ylabel)
            if self._plot is not None:
                self._label(title, ylabel)
            self.refresh()
            return
        self._empty = None
        plt = self.plt
        self._label(title, ylabel)
        if self.log_scale:
            lo, hi = np.log10(lo), np.log10(hi)
        x_end = max(float(x[-1]), 1.0)
        y_lo, y_hi = float(lo.min()), float(hi.max())
        if has_mean:  # drawn first: the loss on top
            b = math.log10(view.baseline) if self.log_scale else view.baseline
            plt.plot([0.0, x_end], [b, b], marker="braille", color="gray",
                     label=f"predict the mean: {num(view.baseline, 3)}" if n_labels else None)
            y_lo, y_hi = min(y_lo, b), max(y_hi, b)
        if test is not None:  # held-out rows, drawn under the training loss
            tx, tlo, thi = test
            plt.plot(tx.tolist(), thi.tolist(), marker="braille", color="orange",
                     label="test" if n_labels else None)
            if np.any(thi != tlo):
                plt.plot(tx.tolist(), tlo.tolist(), marker="braille", color="orange")
            y_lo, y_hi = min(y_lo, float(tlo.min())), max(y_hi, float(thi.max()))
        plt.plot(x.tolist(), hi.tolist(), marker="braille", color="cyan",
                 label="training" if test is not None and n_labels else None)
        if np.any(hi != lo):
            plt.plot(x.tolist(), lo.tolist(), marker="braille", color="cyan")
        plt.xlim(0, x_end)
        xt = nice_ticks(0, x_end, max(2, self.size.width // 12), integer=True)
        plt.xticks(xt, [f"{int(t)}" for t in xt])
        top = legend_headroom(y_lo, y_hi, n_labels, rows)
        a, b = top if top is not None else (y_lo, y_hi)
        if b <= a:
            pad = max(abs(b) * 0.05, 1e-9)
            a, b = a - pad, b + pad
        plt.ylim(a, b)  # the axis exactly: the row ticks below are its rows
        if self.log_scale:  # no more labels than every other row can show apart
            yt, labels = axis_ticks(a, b, rows, most=max(2, min(6, rows // 2)), top=y_hi)
        else:
            yt, labels = below_top(*distinct_labels(nice_ticks(
                y_lo, y_hi, max(2, self.size.height // 4))), a, b, rows, y_hi)
            if len(yt) < 2:  # else plotext labels the axis itself, the legend's headroom too
                yt, labels = row_ticks(a, b, rows, max(2, min(6, rows // 2)), False, top=y_hi)
        if yt:
            plt.yticks(yt, labels)
        self.refresh()

    def toggle_log(self) -> bool:
        self.log_scale = not self.log_scale
        self._shown = ()
        return self.log_scale


def _test_series(view: LossView, log: bool):
    """The test loss's (epochs, lo, hi), finite (and positive on a log axis), or None."""
    if view.test_epochs is None or not len(view.test_epochs):
        return None
    x, lo, hi = view.test_epochs, view.test_lo, view.test_hi
    ok = np.isfinite(lo) & np.isfinite(hi) & ((lo > 0) if log else True)
    if not ok.any():
        return None
    x, lo, hi = x[ok], lo[ok], hi[ok]
    return (x, np.log10(lo), np.log10(hi)) if log else (x, lo, hi)


def loss_text(loss: float | None) -> str:
    if loss is None:
        return "–"
    return f"{loss:.4g}" if math.isfinite(loss) else str(loss)
