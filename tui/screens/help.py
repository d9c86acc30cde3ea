"""The help screen: every key, and what the panels show."""
from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

ABOUT = (
    "Each step runs part of one training epoch on the whole data set: forward pass (layer by "
    "layer, neuron by neuron) → loss → backward pass (output layer first) → gradient-descent "
    "update. The granularity (g) says how much one press of n (or b, backward) runs: one neuron, "
    "one layer, one phase, or the rest of the epoch. Space plays whole epochs until you pause, "
    "a breakpoint fires (k) or the numbers blow up. Every number on screen comes from the "
    "engine; the chain-rule panel shows the equation of the last step with those numbers.\n\n"
    "Diagram: blue edges are positive weights, orange negative; brighter = larger |w|. The "
    "selected neuron is white, the neurons the last step computed are yellow, grey ones are not "
    "yet recomputed in this epoch."
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "close")]

    def __init__(self, bindings: list[Binding]) -> None:
        super().__init__()
        self.app_bindings = bindings

    def compose(self) -> ComposeResult:
        table = Table(title="Keys", box=None, header_style="bold", title_style="bold cyan")
        table.add_column("key", style="bold yellow", justify="right")
        table.add_column("action")
        for b in self.app_bindings:
            keys = " / ".join(display_key(k) for k in b.key.split(","))
            table.add_row(keys, b.tooltip or b.description)
        with VerticalScroll(id="help-box"):
            yield Static(Text("tinynet-tui help", style="bold"), id="help-title")
            yield Static(table)
            yield Static(Text(ABOUT))
            yield Static(Text("Press Esc or ? to close.", style="dim"))


NAMES = {"space": "space", "question_mark": "?", "plus": "+", "minus": "-", "equals_sign": "=",
         "left_square_bracket": "[", "right_square_bracket": "]", "up": "↑", "down": "↓",
         "right": "→", "left": "←"}


def display_key(key: str) -> str:
    return NAMES.get(key, key)
