"""Neuron inspector: everything the engine knows about the selected neuron.

Values left over from an earlier pass are dimmed and labelled with their epoch
(the frame decides what is current; see :class:`~tui.view.views.Freshness`)."""
from __future__ import annotations

import math
import time

from rich.segment import Segment
from rich.style import Style as RichStyle
from rich.text import Text
from textual.containers import ScrollableContainer
from textual.geometry import Region
from textual.strip import Strip
from textual.visual import Visual, visualize
from textual.widgets import Static

from nn.naming import sample_name, sub

from tui.core.format import num
from tui.view.views import Freshness, NeuronView
from tui.app.widgets.mask import mask

MAX_SAMPLES = 4
STALE = "dim"
#: weights shown at a time: a neuron with more inputs (64 for a digits hidden neuron) shows
#: a page of them and "… and N more"; ``.`` pages on (:meth:`Inspector.next_page`)
WEIGHTS_PAGE = 16
PAGE_KEY = "."  #: the key that pages (tui/app/keys.py binds it)
#: while playing, the numbers are written again at most this often (as the loss chart)
PLAYING_EVERY_S = 0.2


def _column_widths(rows: list[list[tuple[str, str]]]) -> list[int]:
    """The width of each column of cells (text, style): its widest text."""
    return [max(len(r[k][0]) for r in rows) for k in range(len(rows[0]))]


def _table(t: Text, rows: list[list[tuple[str, str]]], first_left: bool = True,
           highlight: int | None = None) -> None:
    """Cells (text, style) in aligned columns: first left-aligned, the rest right."""
    widths = _column_widths(rows)
    for n, row in enumerate(rows):
        if n:
            t.append("\n")
        line_style = "reverse" if highlight == n else ""
        for k, ((text, style), w) in enumerate(zip(row, widths)):
            cell = text.ljust(w) if (k == 0 and first_left) else text.rjust(w)
            t.append(("" if k == 0 else " ") + cell, style=f"{style} {line_style}".strip())


def num_a(a: float) -> str:
    """An activation near ±1 with the digits that keep 1 − |a| readable: 0.99989, not
    0.9999 (whose a·(1 − a) would be 10 % off the σ'(z) the chain rule shows)."""
    a = float(a)
    gap = 1.0 - abs(a)
    if 0 < gap < 0.01:
        return num(a, min(12, 3 + math.ceil(-math.log10(gap))))
    return num(a)


def _fitted_table(t: Text, rows, width: int | None, first_left: bool = True,
                  highlight: int | None = None) -> None:
    """:func:`_table`, its last columns moved to a second table below (with the first
    column again) while it is wider than ``width``: values are never cut."""
    keep = len(rows[0])
    while width is not None and keep > 2 and _width([r[:keep] for r in rows]) > width:
        keep -= 1
    _table(t, [r[:keep] for r in rows], first_left, highlight)
    if keep < len(rows[0]):
        t.append("\n")
        _fitted_table(t, [[r[0]] + r[keep:] for r in rows], width, first_left, highlight)


def _style(fresh: Freshness) -> str:
    return "" if fresh.current else STALE


def pages(n_weights: int) -> int:
    """How many pages of :data:`WEIGHTS_PAGE` weights a neuron with ``n_weights`` has."""
    return max(1, -(-n_weights // WEIGHTS_PAGE))


def render_inspector(v: NeuronView, width: int | None = None, page: int = 0) -> Text:
    """Plain aligned text (much cheaper to redraw than rich Tables while playing).

    The optimizer's state (momentum: v; Adam: m and v) is shown per weight as
    extra columns; where they would make the table wider than ``width``, in a
    second table below it.  Only page ``page`` (modulo the pages) of the weights is
    shown: w of rows ``page·WEIGHTS_PAGE`` … (then b), and a line saying how many more."""
    t = Text(no_wrap=True, overflow="ellipsis")
    t.append(v.name, style="bold cyan")
    parts, line = v.title.split(" · "), len(v.name)
    for part in parts:  # the header's parts go on the next line rather than being cut
        if width is not None and line + 3 + len(part) > width:
            t.append("\n" + part)
            line = len(part)
        else:
            t.append(" · " + part)
            line += 3 + len(part)
    t.append("\n")
    back, upd = _style(v.backward), _style(v.update)
    n_w = len(v.input_names)
    first = page % pages(n_w) * WEIGHTS_PAGE
    shown = range(first, min(n_w, first + WEIGHTS_PAGE))
    paged = len(shown) < n_w
    if paged:  # above the table: a short panel still shows how to page on
        after = n_w - (shown[-1] + 1)  # the weights after this page
        more = (f"{after} more: {PAGE_KEY} next" if after
                else f"last: {PAGE_KEY} back to w{sub(1)}")
        t.append(f"w{sub(shown[0] + 1)}…w{sub(shown[-1] + 1)} of {n_w} ({more})\n",
                 style="dim")  # at most 35 cells: fits the 80×24 panel
    # every page is laid out as the widest one (w₁₇ (x₁₇) is wider than w₁ (x₁)): its header
    # cells padded to the widths of all the weights, the same columns (names, m and v) on
    # every page, and nothing moves on `.`
    everything = range(n_w)

    def parameter_rows(with_inputs: bool) -> list:
        rows = _parameter_rows(v, back, upd, with_inputs=with_inputs, shown=shown)
        if not paged:
            return rows
        return _padded_header(rows, _parameter_rows(v, back, upd, with_inputs, everything))

    rows = parameter_rows(with_inputs=True)
    named = True
    if width is not None and _width(rows) > width:  # narrow: w₁ instead of w₁ (h²₁)
        rows = parameter_rows(with_inputs=False)
        named = False
    state = [[(slot, "bold")] + [(num(ws[k]), upd) for k in shown] + [(num(bs), upd)]
             for slot, ws, bs in v.state]
    if paged and state:  # each slot's heading as wide as its widest number on any page
        state = [[(slot.rjust(max(len(slot), len(num(bs)), *(len(num(x)) for x in ws))),
                   "bold")] + cells[1:] for (slot, ws, bs), cells in zip(v.state, state)]
    state_cols = [list(col) for col in zip(*state)]  # one row per parameter
    wide = [row + extra for row, extra in zip(rows, state_cols)] if state else rows
    if state and (width is None or _width(wide) <= width):
        _table(t, wide)
    else:
        _fitted_table(t, rows, width)
        if state:
            t.append("\n")
            _table(t, [[row[0]] + extra for row, extra in zip(rows, state_cols)])
    if not named:  # the inputs the short names stand for, on one line when it fits
        key = " · ".join(f"w{sub(k + 1)} {v.input_names[k]}" for k in shown)
        if len(key) <= width:
            t.append("\n" + key, style="dim")
    slots = "".join(f", {slot}" for slot, *_ in v.state)  # updated with last Δ
    if v.backward.note and v.backward.note == v.update.note:  # one short line (fits 80×24)
        t.append(f"\ndw, db, last Δ{slots}: {v.backward.note}", style=STALE)
    else:
        if v.backward.note:
            t.append(f"\ndw, db: {v.backward.note}", style=STALE)
        if v.update.note:
            t.append(f"\nlast Δ{slots}: {v.update.note}", style=STALE)
    n = len(v.z)
    t.append("\n")
    if not n:
        t.append("z, a, δ: not computed yet", style=STALE)
        return t
    fwd = _style(v.forward)
    has_delta = len(v.delta) == n
    ids = list(range(n)) if v.rows is None else list(v.rows)
    at = ids.index(v.sample) if v.sample in ids else None
    rows = [[("sample", "bold"), ("z", "bold"), ("a", "bold"), ("δ", "bold")]]
    start = max(0, min((at or 0) - MAX_SAMPLES // 2, n - MAX_SAMPLES))
    shown = list(range(start, min(n, start + MAX_SAMPLES)))
    rows += [[(str(ids[r] + 1), ""), (num(v.z[r]), fwd), (num_a(v.a[r]), fwd),
              (num(v.delta[r]) if has_delta and v.delta[r] == v.delta[r] else "–", back)]
             for r in shown]
    _fitted_table(t, rows, width, first_left=False,
                  highlight=1 + shown.index(at) if at in shown else None)
    notes = []
    if v.forward.note:
        notes.append(f"z, a {v.forward.note}")
    if has_delta and v.backward.note:
        notes.append(f"δ {v.backward.note}")
    if notes:
        joined = " · ".join(notes)  # one line if it fits, else one note a line
        t.append("\n" + (joined if width is None or len(joined) <= width
                         else "\n".join(notes)), style=STALE)
    if v.rows is not None:
        if at is None:
            t.append(f"\n{sample_name(v.sample)} is not in {v.rows_note} ({n} samples)",
                     style="dim")
        else:
            t.append(f"\nrows: {v.rows_note} ({n} samples); [ and ] change it", style="dim")
    elif n > MAX_SAMPLES:
        t.append(f"\n{sample_name(v.sample)} of {n}; [ and ] change it", style="dim")
    return t


def _parameter_rows(v: NeuronView, back: str, upd: str, with_inputs: bool,
                    shown: range) -> list:
    """Header, one row per weight of ``shown`` (named with its input, e.g. ``w₁ (h²₁)``,
    when ``with_inputs``) and the bias: value, dw / db, last Δ."""
    def grad(x: float) -> str:    # never computed: "–", not a 0 that looks like a result
        return "–" if v.backward.never else num(x)

    def change(x: float) -> str:
        return "–" if v.update.never else num(x)

    rows = [[("", "bold"), ("value", "bold"), ("dw / db", "bold"), ("last Δ", "bold")]]
    names = v.input_names
    rows += [[(f"w{sub(k + 1)}" + (f" ({names[k]})" if with_inputs else ""), ""),
              (num(v.w[k]), ""), (grad(v.dw[k]), back), (change(v.change_w[k]), upd)]
             for k in shown]
    rows.append([("b", ""), (num(v.b), ""), (grad(v.db), back), (change(v.change_b), upd)])
    return rows


def _padded_header(rows: list, every: list) -> list:
    """``rows`` with its header's cells padded to the widths of ``every``'s columns."""
    widths = _column_widths(every)
    header = [((text.ljust(w) if k == 0 else text.rjust(w)), style)
              for k, ((text, style), w) in enumerate(zip(rows[0], widths))]
    return [header] + rows[1:]


def _width(rows) -> int:
    widths = _column_widths(rows)
    return sum(widths) + len(widths) - 1


def _at_line(style, y: int):
    """``style`` with its text-selection offset (x, 0) moved to line ``y``."""
    offset = style.meta.get("offset") if style is not None and style._meta else None
    if offset is None:
        return style
    return style + RichStyle.from_meta({"offset": (offset[0], y)})


class Inspector(Static):
    """Sits in a scrolling box, so its height follows its content: a layout pass
    is asked for only when the number of lines changes (not on every frame)."""

    _lines = -1
    _view: NeuronView | None = None
    #: a lesson question's answer, hidden while the question is open (None: nothing)
    secret: float | None = None
    #: the page of weights shown (``.``; kept when another neuron is selected, modulo its pages)
    page = 0

    def next_page(self) -> int:
        """Show the next page of the selected neuron's weights (after the last: the first);
        returns how many pages it has."""
        n = pages(len(self._view.input_names)) if self._view is not None else 1
        self.page = (self.page + 1) % n
        if self._view is not None:
            self.show(self._view)
        return n

    _shown_at = -1e9

    def due(self, playing: bool) -> bool:
        """Whether :meth:`show` would write a view now (the app builds the neuron view
        only then)."""
        return not playing or time.perf_counter() - self._shown_at >= PLAYING_EVERY_S

    def show(self, view: NeuronView, playing: bool = False) -> None:
        """Show ``view``.  While ``playing`` its numbers are written at most every
        ``PLAYING_EVERY_S`` (they change every frame, too fast to read, and the panel costs
        as much to draw as the weight grid), and the panel's height only grows: values that
        change width move a column to a table below and back (46 ⇄ 64 lines for a digits
        neuron at 120×40), and each change of height is a layout of the whole screen.  The
        first frame after playing shows the last numbers at their height."""
        self._view = view
        now = time.perf_counter()
        if playing and not self.due(playing):
            return
        self._shown_at = now if playing else -1e9
        text = mask(render_inspector(view, self.size.width or None, self.page), self.secret)
        lines = text.plain.count("\n")
        relayout = lines > self._lines if playing else lines != self._lines
        self.update(text, layout=relayout)
        if relayout:
            self._lines = lines
        if self._follow:
            self._follow = False
            self._keep_in_view(text)

    #: the user chose another sample ([ ]): its row is scrolled into view on the next show
    _follow = False

    def follow_sample(self) -> None:
        """On the next show, scroll the selected sample's row into view (a short panel,
        80×24, scrolls and held the row below the fold). Only when the user picks a
        sample: a frame does not scroll the panel the user looks at."""
        self._follow = True

    def _keep_in_view(self, text: Text) -> None:
        line = next((text.plain.count("\n", 0, span.start) for span in text.spans
                     if "reverse" in str(span.style)), None)
        if line is None:
            return
        box = self.parent
        if isinstance(box, ScrollableContainer):
            self.call_after_refresh(
                lambda: box.scroll_to_region(Region(0, line, 1, 1), animate=False))

    # ------------------------------------------------------------ drawing
    #: the shown text's lines (None: Textual draws the whole text, as a Static does) and
    #: the strips drawn from them so far, for the width and style they were drawn at
    _text_lines: list | None = None
    _strips: dict = {}
    _strips_for: tuple = ()
    _checked_width = 0  #: the width the lines were checked against (each one strip at it)

    def update(self, content="", *, layout: bool = True) -> None:
        """(Static) Show ``content``.  A Text whose every line is one strip is drawn line by
        line, only the lines the panel's box shows (9 of a digits neuron's 46 at 120×40;
        Textual's Static turns every line into a strip): the same strips, one at a time."""
        super().update(content, layout=layout)
        lines = content.split("\n", allow_blank=True) if isinstance(content, Text) else None
        width = self._checked_width = self.size.width
        self._strips, self._strips_for = {}, ()
        self._text_lines = list(lines) if lines is not None and width else None
        if self._text_lines is not None:  # a line wider than the panel (cut with …, or
            for y, line in enumerate(self._text_lines):  # wrapped): drawn by itself, one
                if line.cell_len > width:                # strip, or Textual draws it all
                    strips = Visual.to_strips(self, visualize(self, line), width, None,
                                              self.visual_style)
                    if len(strips) != 1:
                        self._text_lines = None
                        break

    def refresh(self, *regions, **kwargs):
        """(Widget) A refresh draws the lines again (as it does a Static's)."""
        self._strips = {}
        return super().refresh(*regions, **kwargs)

    def render_line(self, y: int) -> Strip:
        lines = self._text_lines
        width = self.size.width
        if (lines is None or self.BLANK or width != self._checked_width
                or self.text_selection is not None):  # (selections: offsets in the whole text)
            return super().render_line(y)
        style = self.visual_style
        if self._strips_for != (width, style):
            self._strips, self._strips_for = {}, (width, style)
        strip = self._strips.get(y)
        if strip is None:
            if y >= len(lines):
                return Strip.blank(width, style.rich_style)
            strip = Visual.to_strips(self, visualize(self, lines[y]), width, 1, style)[0]
            if y:  # drawn as line 0: the offsets text selection reads say line y
                strip = Strip([Segment(text, _at_line(seg_style, y), control)
                               for text, seg_style, control in strip], strip.cell_length)
            self._strips[y] = strip
        return strip

    _shown_width = -1

    def on_resize(self) -> None:  # its columns depend on the width: redo them at the new one
        if self._view is not None and self.size.width != self._shown_width:  # (not its height: that
            self._shown_width = self.size.width                             # follows the lines)
            self.show(self._view)
