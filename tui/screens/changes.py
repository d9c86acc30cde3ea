"""Which weights moved most between an earlier epoch and now."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from nn.timeline import param_changes

from ..format import input_name, neuron_name, num


def param_label(change, n_layers: int) -> str:
    if change.kind == "b":
        return f"{neuron_name(change.layer, change.index[0], n_layers)}.b"
    i, j = change.index
    return f"{neuron_name(change.layer, j, n_layers)}.w{i + 1} ({input_name(change.layer, i, n_layers)})"


class ChangesScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,d", "dismiss", "close")]

    def __init__(self, before, after, epoch: int, now_epoch: int, now_cursor: int,
                 n_layers: int) -> None:
        super().__init__()
        self.changes = param_changes(before, after)
        self.title_text = (f"Weight changes from the start of epoch {epoch} to now "
                           f"(epoch {now_epoch}{', mid-epoch' if now_cursor else ''}), "
                           "largest first. Esc closes.")
        self.n_layers = n_layers

    def compose(self) -> ComposeResult:
        with Vertical(id="gc-box"):
            yield Label(self.title_text)
            yield DataTable(id="changes-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("parameter", "then", "now", "change")
        for c in self.changes:
            style = "green" if c.change > 0 else ("red" if c.change < 0 else "dim")
            table.add_row(param_label(c, self.n_layers), num(c.before), num(c.after),
                          Text(num(c.change), style=style))
