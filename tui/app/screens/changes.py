"""Which weights moved most between an earlier epoch and now."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from nn.timeline import param_changes

from nn.naming import param_name

from tui.core.format import num


def param_label(change, sizes: tuple[int, ...]) -> str:
    return param_name(change.layer, change.kind, change.index, sizes)


class ChangesScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,d", "dismiss", "close")]

    def __init__(self, before, after, epoch: int, now_epoch: int, now_cursor: int,
                 sizes: tuple[int, ...]) -> None:
        super().__init__()
        self.changes = param_changes(before, after)
        self.title_text = (f"Weight changes from the start of epoch {epoch} to now "
                           f"(epoch {now_epoch}{', mid-epoch' if now_cursor else ''}), "
                           "largest first. Esc closes.")
        self.sizes = sizes

    def compose(self) -> ComposeResult:
        with Vertical(id="gc-box", classes="dialog"):
            yield Label(self.title_text)
            yield DataTable(id="changes-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("parameter", "then", "now", "change")
        for c in self.changes:
            style = "green" if c.change > 0 else ("red" if c.change < 0 else "dim")
            table.add_row(param_label(c, self.sizes), num(c.before), num(c.after),
                          Text(num(c.change), style=style))
