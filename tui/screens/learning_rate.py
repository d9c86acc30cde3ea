"""A small dialog to type a new learning rate."""
from __future__ import annotations

import math

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


def parse_lr(text: str) -> float:
    """A positive, finite number, or ValueError with a message for the person."""
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not (value > 0 and math.isfinite(value)):
        raise ValueError("the learning rate must be a positive number")
    return value


class LearningRateScreen(ModalScreen[float | None]):
    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, current: float) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="lr-box"):
            yield Label(f"Learning rate (now {self.current:g}); Enter to apply, Esc to cancel")
            yield Input(value=f"{self.current:g}", id="lr-input")
            yield Label("", id="lr-error")

    def on_mount(self) -> None:
        field = self.query_one("#lr-input", Input)
        field.focus()
        field.select_all()  # typing replaces the old value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            self.dismiss(parse_lr(event.value))
        except ValueError as exc:
            self.query_one("#lr-error", Label).update(str(exc))

    def action_cancel(self) -> None:
        self.dismiss(None)
