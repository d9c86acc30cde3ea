"""Toggle breakpoints and edit their thresholds."""
from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label

from nn.breakpoints import Breakpoints

from tui.core.parsing import positive_number

#: (flag, threshold field or None, label)
ROWS = [
    ("loss_up", None, "loss went up"),
    ("vanishing", "vanishing_below", "vanishing gradient: a layer's max |dw| below"),
    ("saturated", "saturated_above", "saturated σ/tanh neuron: |z| on all samples above"),
    ("target", "target_loss", "loss reached"),
]


class MarkedCheckbox(Checkbox):
    """A checkbox whose state reads without colour: ``▐✓▌`` on, ``▐ ▌`` off (Textual's
    draws an X either way and tells them apart by colour only)."""

    @property
    def _button(self):
        self.BUTTON_INNER = "✓" if self.value else " "  # the instance's, read by the base
        return super()._button


class BreakpointsScreen(ModalScreen[Breakpoints | None]):
    """Returns the edited Breakpoints (Enter / Apply) or None (Esc)."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, current: Breakpoints) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="bp-box", classes="dialog"):
            yield Label("Breakpoints: playing pauses when one fires (NaN/inf always stops).")
            for flag, field, label in ROWS:
                with Horizontal(classes="bp-row"):
                    yield MarkedCheckbox(label, getattr(self.current, flag), id=f"bp-{flag}")
                    if field:
                        yield Input(f"{getattr(self.current, field):g}", id=f"bp-{field}",
                                    classes="bp-value")
            yield Label("", id="bp-error")
            with Horizontal(classes="bp-row"):
                yield Button("Apply", variant="primary", id="bp-apply")
                yield Button("Cancel", id="bp-cancel")

    def _read(self) -> Breakpoints:
        values = {}
        for flag, field, label in ROWS:
            values[flag] = self.query_one(f"#bp-{flag}", Checkbox).value
            if field:
                text = self.query_one(f"#bp-{field}", Input).value
                try:
                    values[field] = positive_number(text)
                except ValueError as exc:
                    raise ValueError(f"{label}: {exc}") from None
        return replace(self.current, **values)

    def _apply(self) -> None:
        try:
            self.dismiss(self._read())
        except ValueError as exc:
            self.query_one("#bp-error", Label).update(Text(str(exc)))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "bp-apply":
            self._apply()
        else:
            self.dismiss(None)

    def on_input_submitted(self) -> None:
        self._apply()

    def action_cancel(self) -> None:
        self.dismiss(None)
