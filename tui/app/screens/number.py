"""A small dialog that asks for one number (learning rate, epoch, …)."""
from __future__ import annotations

from typing import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from tui.core.parsing import finite_number, positive_number, whole_number


def parse_lr(text: str) -> float:
    """A positive, finite number, or ValueError with a message for the person."""
    try:
        return positive_number(text)
    except ValueError as exc:
        raise ValueError(f"learning rate: {exc}") from None


parse_number = finite_number


def parse_epoch(text: str, low: int, high: int) -> int:
    return whole_number(text, low, high)


def parse_edit(text: str, n_inputs: int) -> tuple[int | None, float]:
    """``"w2 0.5"`` → (1, 0.5); ``"b -0.3"`` → (None, -0.3)."""
    parts = text.replace("=", " ").split()
    if len(parts) != 2:
        raise ValueError("write a parameter and a value, e.g. w1 0.5 or b -0.2")
    name, value = parts[0].lower(), finite_number(parts[1])
    if name == "b":
        return None, value
    if name.startswith("w") and name[1:].isdigit() and 1 <= int(name[1:]) <= n_inputs:
        return int(name[1:]) - 1, value
    raise ValueError(f"{parts[0]!r}: choose b or w1 … w{n_inputs}")


class NumberScreen(ModalScreen[object]):
    """Asks for a value; ``parse`` turns the text into it or raises ValueError
    (shown under the field, the dialog stays open).  Esc cancels (None).  ``dock_bottom``:
    out of the panels' way (a quiz) — at the bottom, or at the top on a compact screen."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, prompt: str, initial: str, parse: Callable[[str], object],
                 dock_bottom: bool = False) -> None:
        super().__init__(classes="bottom" if dock_bottom else "")
        self.prompt = prompt
        self.initial = initial
        self.parse = parse

    def compose(self) -> ComposeResult:
        if self.has_class("bottom") and self.app.screen_stack[0].has_class("compact"):
            # the compact layout has the chain rule in its bottom row, which a quiz's
            # question points at (at 80×24 the dialog hid it all): at the top there
            self.set_class(False, "bottom").set_class(True, "top")
        with Vertical(id="number-box", classes="dialog"):
            yield Label(self.prompt)
            yield Label("Enter to apply · Esc to cancel", classes="hint")
            yield Input(value=self.initial, id="number-input")
            yield Label("", id="number-error")

    def on_mount(self) -> None:
        field = self.query_one("#number-input", Input)
        field.focus()
        field.select_all()  # typing replaces the old value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            self.dismiss(self.parse(event.value))
        except ValueError as exc:
            self.query_one("#number-error", Label).update(Text(str(exc)))

    def action_cancel(self) -> None:
        self.dismiss(None)
