"""Neuron inspector: everything the engine knows about the selected neuron.

Values left over from an earlier pass are dimmed and labelled with their epoch
(the frame decides what is current; see :class:`~tui.view.views.Freshness`)."""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from nn.naming import sample_name, sub

from tui.core.format import num
from tui.view.views import Freshness, NeuronView

MAX_SAMPLES = 4
STALE = "dim"


def _table(t: Text, rows: list[list[tuple[str, str]]], first_left: bool = True,
           highlight: int | None = None) -> None:
    """Cells (text, style) in aligned columns: first left-aligned, the rest right."""
    widths = [max(len(r[k][0]) for r in rows) for k in range(len(rows[0]))]
    for n, row in enumerate(rows):
        if n:
            t.append("\n")
        line_style = "reverse" if highlight == n else ""
        for k, ((text, style), w) in enumerate(zip(row, widths)):
            cell = text.ljust(w) if (k == 0 and first_left) else text.rjust(w)
            t.append(("" if k == 0 else " ") + cell, style=f"{style} {line_style}".strip())


def _style(fresh: Freshness) -> str:
    return "" if fresh.current else STALE


def render_inspector(v: NeuronView, width: int | None = None) -> Text:
    """Plain aligned text (much cheaper to redraw than rich Tables while playing).

    The optimizer's state (momentum: v; Adam: m and v) is shown per weight as
    extra columns; where they would make the table wider than ``width``, in a
    second table below it."""
    t = Text(no_wrap=True, overflow="ellipsis")
    t.append(v.name, style="bold cyan")
    t.append(f" · {v.title}\n")
    back, upd = _style(v.backward), _style(v.update)
    rows = _parameter_rows(v, back, upd, with_inputs=True)
    if width is not None and _width(rows) > width:  # narrow: w₁ instead of w₁ (h²₁)
        rows = _parameter_rows(v, back, upd, with_inputs=False)
    state = [[(slot, "bold")] + [(num(x), upd) for x in ws] + [(num(bs), upd)]
             for slot, ws, bs in v.state]
    state_cols = [list(col) for col in zip(*state)]  # one row per parameter
    wide = [row + extra for row, extra in zip(rows, state_cols)] if state else rows
    if state and (width is None or _width(wide) <= width):
        _table(t, wide)
    else:
        _table(t, rows)
        if state:
            t.append("\n")
            _table(t, [[row[0]] + extra for row, extra in zip(rows, state_cols)])
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
        t.append("z, a, δ: not computed yet (press n)", style=STALE)
        return t
    fwd = _style(v.forward)
    has_delta = len(v.delta) == n
    ids = list(range(n)) if v.rows is None else list(v.rows)
    at = ids.index(v.sample) if v.sample in ids else None
    rows = [[("sample", "bold"), ("z", "bold"), ("a", "bold"), ("δ", "bold")]]
    start = max(0, min((at or 0) - MAX_SAMPLES // 2, n - MAX_SAMPLES))
    shown = list(range(start, min(n, start + MAX_SAMPLES)))
    rows += [[(str(ids[r] + 1), ""), (num(v.z[r]), fwd), (num(v.a[r]), fwd),
              (num(v.delta[r]) if has_delta and v.delta[r] == v.delta[r] else "–", back)]
             for r in shown]
    _table(t, rows, first_left=False,
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


def _parameter_rows(v: NeuronView, back: str, upd: str, with_inputs: bool) -> list:
    """Header, one row per weight (named with its input, e.g. ``w₁ (h²₁)``, when
    ``with_inputs``) and the bias: value, dw / db, last Δ."""
    def grad(x: float) -> str:    # never computed: "–", not a 0 that looks like a result
        return "–" if v.backward.never else num(x)

    def change(x: float) -> str:
        return "–" if v.update.never else num(x)

    rows = [[("", "bold"), ("value", "bold"), ("dw / db", "bold"), ("last Δ", "bold")]]
    rows += [[(f"w{sub(k + 1)}" + (f" ({name})" if with_inputs else ""), ""), (num(v.w[k]), ""),
              (grad(v.dw[k]), back), (change(v.change_w[k]), upd)]
             for k, name in enumerate(v.input_names)]
    rows.append([("b", ""), (num(v.b), ""), (grad(v.db), back), (change(v.change_b), upd)])
    return rows


def _width(rows) -> int:
    widths = [max(len(r[k][0]) for r in rows) for k in range(len(rows[0]))]
    return sum(widths) + len(widths) - 1


class Inspector(Static):
    """Sits in a scrolling box, so its height follows its content: a layout pass
    is asked for only when the number of lines changes (not on every frame)."""

    _lines = -1
    _view: NeuronView | None = None

    def show(self, view: NeuronView) -> None:
        self._view = view
        text = render_inspector(view, self.size.width or None)
        lines = text.plain.count("\n")
        self.update(text, layout=lines != self._lines)
        self._lines = lines

    def on_resize(self) -> None:  # its columns depend on the width: redo them at the new one
        if self._view is not None:
            self.show(self._view)
