"""The compare view: every branch's loss curve overlaid (each its colour, labelled
with what differs from A), and a table of where each branch is and how far its
weights are from A's.

``render_chart`` and ``render_table`` are pure functions of a
:class:`~tui.core.branches.CompareView` (built under the session's lock by
``Session.compare``); :class:`CompareScreen` is the thin screen that shows them
and redraws when the session changes.  The app's keys keep working on it:
stepping and playing move all branches in lockstep, and the view follows.
"""
from __future__ import annotations

import io
import math

import numpy as np
import plotext
from rich.cells import cell_len
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui.view.compare import CompareView, compare_view
from tui.core.format import num
from tui.app.widgets.loss_chart import log_ticks, nice_ticks

#: how often the screen looks for a change (the session's version), per second
REFRESH_HZ = 10


#: one plotext marker per branch (A, B, C, D): the curves differ without colour too
BRANCH_MARKERS = ("braille", "x", "+", "•")


def render_chart(view: CompareView, width: int, height: int, log: bool = True) -> str:
    """The loss curves of every branch, overlaid, as ANSI text ``width``×``height``.
    Each branch plots the largest loss of each bin of epochs (and the smallest
    too, where they differ), so no spike is thinned away."""
    plt = plotext
    plt.clear_figure()
    plt.limitsize(False, False)  # else plotext caps the chart at the process's terminal
    plt.plotsize(max(20, width), max(8, height))  # (80×24 under `serve` and in tests)
    plt.theme("clear")
    plt.xlabel("epoch")
    plt.ylabel("loss (log scale)" if log else "loss")
    x_end, y_lo, y_hi = 1.0, math.inf, -math.inf
    for k, row in enumerate(view.rows):
        marker = BRANCH_MARKERS[k % len(BRANCH_MARKERS)]
        x, lo, hi = row.epochs, row.lo, row.hi
        ok = np.isfinite(lo) & np.isfinite(hi) & ((lo > 0) if log else True)
        x, lo, hi = x[ok], lo[ok], hi[ok]
        if log:
            lo, hi = np.log10(lo), np.log10(hi)
        name = row.label + (" ◀ followed" if row.followed else "")
        if not len(x):
            continue
        x_end = max(x_end, float(x[-1]))
        y_lo, y_hi = min(y_lo, float(lo.min())), max(y_hi, float(hi.max()))
        plt.plot(x.tolist(), hi.tolist(), marker=marker, color=row.colour, label=name)
        if np.any(hi != lo):
            plt.plot(x.tolist(), lo.tolist(), marker=marker, color=row.colour)
    if math.isfinite(y_lo):
        plt.xlim(0, x_end)
        xt = nice_ticks(0, x_end, max(2, width // 12), integer=True)
        plt.xticks(xt, [f"{int(t)}" for t in xt])
        if log:
            yt, labels = log_ticks(y_lo, y_hi, most=max(2, min(6, (height - 5) // 2)))
        else:
            yt = nice_ticks(y_lo, y_hi, max(2, height // 4))
            labels = [num(t, 3) for t in yt]
        if yt:
            plt.yticks(yt, labels)
    else:
        plt.title("no loss yet: step or play")
    return plt.build()


def _where(epoch: int, cursor: int, units: int) -> str:
    """``epoch 12`` at its start, ``epoch 12 (8/10 units)`` mid-epoch."""
    return f"epoch {epoch}" + (f" ({cursor}/{units} units)" if cursor else "")


#: the table's columns, and whether a column's cells may wrap between words
TABLE_COLUMNS = {"branch": False, "what differs": True, "at": True, "loss": True,
                 "‖θ − θ_A‖": False, "max |Δ| (which)": True, "forked": True}
COLUMN_GAP = 2  #: cells between two columns (Rich's padding of 1 on each side)


def table_cells(view: CompareView) -> list[tuple[Text, str, str, str, str, str, str]]:
    """Each branch's row: its letter (▶ when followed), what differs from A, where it
    is, its loss, how far its θ is from A's (‖θ − θ_A‖, the largest |Δ| and which
    weight that is) and where it was forked."""
    rows = []
    for row in view.rows:
        mark = "▶ " if row.followed else "  "
        loss = "—" if row.loss is None else num(row.loss, 4)
        if row.halted:
            loss = f"stopped ({row.halted})"
        most = (f"{num(row.max_change, 4)} ({row.max_where})" if row.max_where is not None
                else "0" if row.letter != "A" and row.max_change == 0 else "—")
        forked = "—" if row.fork_at is None else \
            f"from {row.parent} at {_where(*row.fork_at, row.units)}"
        rows.append((Text(mark + row.letter, style=f"bold {row.colour}"),
                     row.label.split(": ", 1)[1], _where(row.epoch, row.cursor, row.units),
                     loss, "—" if row.letter == "A" else num(row.distance, 4), most, forked))
    return rows


#: which wrapping columns get room first on a narrow screen: what differs (why the
#: table exists), then where each branch is, how far from A, the fork, the loss
ROOM_FIRST = ("what differs", "at", "max |Δ| (which)", "forked", "loss")


#: the most lines a cell may wrap over before columns move to a second table below
MAX_CELL_LINES = 3


def _lines(text: str, width: int) -> int:
    """Lines ``text`` takes wrapped between words at ``width`` cells."""
    lines, used = 1, 0
    for word in text.split():
        w = cell_len(word)
        if used and used + 1 + w > width:
            lines, used = lines + 1, w
        else:
            used += w + (1 if used else 0)
    return lines


def column_widths(columns: dict[str, list[str]], wraps: dict[str, bool],
                  width: int) -> dict[str, int] | None:
    """Widths that fit ``columns`` (name → cell texts, header first) into ``width``,
    or None when every cell fits on one line.  Every column first gets its longest
    word if it may wrap (its longest cell if not); what is left goes, one cell at a
    to the wrapping columns in ``ROOM_FIRST`` order, each up to its longest cell — or,
    where that leaves a cell over MAX_CELL_LINES lines, one cell at a time to the
    wrapping column whose cells take the most lines (ties: ``ROOM_FIRST`` order), so
    that no cell is much taller than the others."""
    longest = {k: max(cell_len(c) for c in col) for k, col in columns.items()}
    room = width - COLUMN_GAP * (len(columns) - 1)
    if sum(longest.values()) <= room:
        return None
    widths = {k: max(cell_len(w) for c in col for w in c.split() or [""]) if wraps[k]
              else longest[k] for k, col in columns.items()}
    left = room - sum(widths.values())
    first = dict(widths)  # in ROOM_FIRST order, each column up to its longest cell
    rest = left
    for k in (k for k in ROOM_FIRST if k in columns):
        more = max(0, min(rest, longest[k] - first[k]))
        first[k] += more
        rest -= more
    if max(_lines(c, first[k]) for k, col in columns.items() for c in col) <= MAX_CELL_LINES:
        return first
    order = [k for k in ROOM_FIRST if k in columns] + \
        [k for k in columns if k not in ROOM_FIRST and wraps[k]]
    while left > 0:
        growing = [k for k in order if widths[k] < longest[k]]
        if not growing:
            break
        tallest = max(growing, key=lambda k: (max(_lines(c, widths[k]) for c in columns[k]),
                                              -order.index(k)))
        widths[tallest] += 1
        left -= 1
    return widths


#: the columns that move below first on a narrow screen (the branch letter goes along)
MOVE_FIRST = ("forked", "max |Δ| (which)", "‖θ − θ_A‖")


def _cell_lines(columns: dict[str, list[str]], widths: dict[str, int] | None) -> int:
    """The most lines any cell takes at ``widths`` (1 when everything fits)."""
    if widths is None:
        return 1
    return max(_lines(cell, max(1, widths[k])) for k, col in columns.items() for cell in col)


def _table(rows, names: list[str], width: int | None) -> Table:
    index = {name: k for k, name in enumerate(TABLE_COLUMNS)}
    columns = {n: [n] + [str(r[index[n]]) for r in rows] for n in names}
    wraps = {n: TABLE_COLUMNS[n] for n in names}
    widths = None if width is None else column_widths(columns, wraps, width)
    table = Table(box=None, pad_edge=False, expand=False, header_style="bold")
    for name in names:
        table.add_column(name, no_wrap=not TABLE_COLUMNS[name], overflow="fold",
                         width=None if widths is None else widths[name])
    for cells in rows:
        table.add_row(*(cells[index[n]] for n in names))
    return table


def render_table(view: CompareView, width: int | None = None) -> Table:
    """One row per branch (see :func:`table_cells`).  On a screen narrower than the
    table's one-line form, the wordy cells wrap between words: no column is
    dropped and no number is cut short; where a cell would still wrap over more than
    MAX_CELL_LINES lines (80×24), the last columns move to a second table below it,
    each row again under its branch's letter."""
    rows = table_cells(view)
    names = list(TABLE_COLUMNS)
    moved: list[str] = []
    if width is not None:
        index = {name: k for k, name in enumerate(TABLE_COLUMNS)}
        for k in range(len(MOVE_FIRST) + 1):
            moved = list(MOVE_FIRST[:k])
            keep = [n for n in names if n not in moved]
            columns = {n: [n] + [str(r[index[n]]) for r in rows] for n in keep}
            widths = column_widths(columns, {n: TABLE_COLUMNS[n] for n in keep}, width)
            if _cell_lines(columns, widths) <= MAX_CELL_LINES:
                break
    if not moved:
        return _table(rows, names, width)
    outer = Table.grid()
    outer.add_row(_table(rows, [n for n in names if n not in moved], width))
    outer.add_row(_table(rows, ["branch"] + [n for n in names if n in moved], width))
    return outer


#: a diagram in the compare view: at least this wide, this tall
DIAGRAM_MIN_WIDTH = 28
DIAGRAM_HEIGHT = 11


def diagrams_fit(n: int, width: int, height: int) -> bool:
    """Whether ``n`` diagrams fit side by side above a readable chart and the table."""
    return n > 1 and (width - 2 * (n - 1)) // n >= DIAGRAM_MIN_WIDTH and \
        height >= 10 + (n + 3) + DIAGRAM_HEIGHT


def diagram_width(n: int, width: int) -> int:
    """Each of ``n`` diagrams' width side by side in ``width`` cells."""
    return (width - 2 * (n - 1)) // n


def render_diagrams(view: CompareView, width: int, height: int = DIAGRAM_HEIGHT) -> Table:
    """The branches' network diagrams side by side, each titled with its letter."""
    # the sweep grid loads when first used: start-up time
    from tui.app.widgets.diagram import render_diagram

    n = len(view.diagrams)
    each = diagram_width(n, width)
    grid = Table.grid(padding=(0, 2))
    cells = []
    for row, data in zip(view.rows, view.diagrams):
        grid.add_column(width=each, no_wrap=True)
        lines, _ = render_diagram(data, each, height - 1)
        text = Text(f"{row.letter}{' ▶' if row.followed else ''}", style=f"bold {row.colour}")
        for line in lines:
            text.append("\n")
            for seg in line:
                text.append(seg.text, seg.style)
        cells.append(text)
    grid.add_row(*cells)
    return grid


def table_height(table: Table, width: int) -> int:
    """Lines ``table`` takes when drawn ``width`` cells wide (its rows may wrap)."""
    console = Console(width=width, file=io.StringIO(), color_system=None)
    return len(console.render_lines(table, console.options.update(width=width), pad=False))


#: the blank line under the chart (plotext ends its last line with a line break)
SPARE_LINES = 1


def render_compare(view: CompareView, width: int, height: int, log: bool = True) -> Group:
    """Chart above, table below (as many lines as it takes at ``width``); with
    ``view.diagrams`` (and room), the diagrams side by side between them.  The chart
    gets the rest of ``height``, but never fewer than 8 lines."""
    parts = []
    table = render_table(view, width)
    rows_left = height - table_height(table, width) - SPARE_LINES
    if view.diagrams and diagrams_fit(len(view.diagrams), width, height):
        parts.append(render_diagrams(view, width))
        rows_left -= DIAGRAM_HEIGHT
    chart = Text.from_ansi(render_chart(view, width, max(8, rows_left), log))
    return Group(chart, *parts, table)


class CompareScreen(Screen):
    """Full-screen compare view of ``app.session``'s branches."""

    DEFAULT_CSS = """
    CompareScreen #compare { height: 1fr; padding: 0 1; }
    CompareScreen #compare-help { height: auto; color: $text-muted; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,F", "app.pop_screen", "close compare"),
                Binding("y", "log_scale", "log y", tooltip="log scale ⇄ linear")]

    def __init__(self) -> None:
        super().__init__()
        self.log_scale = True
        self._shown = None

    def compose(self) -> ComposeResult:
        yield Static(id="compare")
        yield Static("Branches move in lockstep when stepping or playing; the other keys act on "
                     "the followed branch (▶).  Esc closes.", id="compare-help")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.set_interval(1 / REFRESH_HZ, self.refresh_view)
        self.call_after_refresh(self.refresh_view, True)

    def action_log_scale(self) -> None:
        self.log_scale = not self.log_scale
        self.refresh_view(True)

    def refresh_view(self, force: bool = False) -> None:
        session = self.app.session
        box = self.query_one("#compare", Static)
        key = (session.version, box.size.width, box.size.height, self.log_scale)
        if key == self._shown and not force:
            return
        self._shown = key
        width, height = max(20, box.size.width - 2), max(10, box.size.height)
        n = len(session.branches)
        view = compare_view(session, points=max(20, width * 2),
                            diagrams=diagrams_fit(n, width, height),
                            diagram_width=diagram_width(max(1, n), width))
        box.update(render_compare(view, width, height, self.log_scale))


# ------------------------------------------------------------- the app's sweep
def sweep_cells(row: dict) -> tuple[str, ...]:
    """A sweep row as table cells: lr, seed, result, epochs to success, final loss."""
    state = row.get("state") or ("diverged" if row["diverged"] else
                                 "success" if row["success"] else "stuck")
    result = {"success": "✓", "not yet": "… not yet", "stuck": "✗ stuck"}.get(state, state)
    first = "—" if row["epochs_to_success"] is None else f"{row['epochs_to_success']}"
    return (f"{row['lr']:g}", str(row["seed"]), result, first, num(row["final_loss"], 4))


def sweep_summary(rows: list[dict]) -> str:
    """``lr 0.5: 6/10 succeed, 3 not yet, 1 stuck · lr 5: 10/10 succeed`` (not yet:
    still falling when the budget ran out; stuck: on a plateau)."""
    parts = []
    for lr in sorted({r["lr"] for r in rows}):
        mine = [r for r in rows if r["lr"] == lr]
        text = f"lr {lr:g}: {sum(r['success'] for r in mine)}/{len(mine)} succeed"
        for state in ("not yet", "stuck"):
            if (n := sum(r.get("state") == state for r in mine)):
                text += f", {n} {state}"
        parts.append(text)
    return " · ".join(parts)


class SweepScreen(Screen):
    """Trains a small seeds × lr grid of the current task in a thread worker, lists
    every run, and opens the one chosen (Enter) in the debugger."""

    DEFAULT_CSS = """
    SweepScreen #sweep-note { height: auto; padding: 0 1; }
    SweepScreen DataTable { height: 1fr; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "close")]

    class Note(Message):
        """(from the sweep worker) A line for the note: progress, or why nothing was trained."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Trained(Message):
        """(from the sweep worker) The grid is trained: its :class:`Sweep` and rows."""

        def __init__(self, sweep, rows: list[dict]) -> None:
            super().__init__()
            self.sweep, self.rows = sweep, rows

    def __init__(self, config=None, rows: list[dict] | None = None, note: str = "") -> None:
        """``config``: the run whose task is swept.  Dismisses with (the chosen run's
        config, its seed, its lr), or None.  ``rows`` given: a sweep trained elsewhere (the
        teacher's, in follow mode) shown read-only: nothing is trained and Enter opens nothing."""
        super().__init__()
        self.config = config
        self.sweep = None
        self.rows: list[dict] = []
        self.given = rows
        self.given_note = note

    def compose(self) -> ComposeResult:
        from textual.widgets import DataTable

        yield Static("training the grid …", id="sweep-note")
        table = DataTable(cursor_type="row", zebra_stripes=True)
        table.add_columns("lr", "seed", "result", "epochs to success", "final loss")
        yield table
        yield Footer(compact=True)

    def on_mount(self) -> None:
        if self.given is not None:
            from textual.widgets import DataTable

            self.rows = self.given
            self._note(f"the teacher's sweep (read-only): {self.given_note}")
            table = self.query_one(DataTable)
            for row in self.rows:
                table.add_row(*sweep_cells(row))
            return
        self.run_worker(lambda: self._train(self.config), thread=True, exclusive=True,
                        group="sweep")

    def _train(self, config) -> None:
        """(thread worker) Train the grid; reports by message (``post_message`` is thread-safe)."""
        from tui.core.sweep import app_grid  # the sweep grid loads when first used: start-up time

        def progress(done: int, total: int) -> None:
            self.post_message(self.Note(f"training {total:,} run-epochs … "
                                        f"{100 * done / max(1, total):.0f} %"))
        try:
            sweep, rows = app_grid(config, progress=progress)
        except ValueError as exc:  # a grid too large for memory: one line
            self.post_message(self.Note(f"cannot sweep: {exc}"))
            return
        self.post_message(self.Trained(sweep, rows))

    def on_sweep_screen_note(self, message: Note) -> None:
        self._note(message.text)

    def on_sweep_screen_trained(self, message: Trained) -> None:
        self._show(message.sweep, message.rows)

    def _note(self, text: str) -> None:
        if self.is_attached:
            self.query_one("#sweep-note", Static).update(Text(text))

    def _show(self, sweep, rows: list[dict]) -> None:
        if not self.is_attached:
            return
        from textual.widgets import DataTable

        self.sweep, self.rows = sweep, rows
        self._note(f"{len(sweep.seeds)} seeds × {len(sweep.lrs)} learning rates, "
                   f"{sweep.epochs} epochs, success = {sweep.criterion} "
                   f"({sweep.seconds:.1f} s): {sweep_summary(rows)}.  Enter opens a run.")
        table = self.query_one(DataTable)
        for row in rows:
            table.add_row(*sweep_cells(row))
        table.focus()

    def on_data_table_row_selected(self, event) -> None:
        # the sweep grid loads when first used: start-up time
        from tui.core.sweep import run_config

        if self.sweep is None:
            return
        row = self.rows[event.cursor_row]
        self.dismiss((run_config(self.sweep, row), row["seed"], row["lr"]))
