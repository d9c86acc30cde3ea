"""The settings screen: change the network and the data without leaving the app.

Hidden layers (add, remove, neurons per layer), each layer's activation (on the row under
its neuron count; ``A`` there gives every layer that one), the input
features, noise, the test fraction, the learning rate, optimizer (and, under it, the
chosen optimizer's hyper-parameters: momentum's β …), loss, initial weights,
mini-batch and weight decay, as rows of a table: ↑/↓ choose
a row, ←/→ (or − / +) change it, space toggles a feature, ``a`` adds a hidden layer,
``x`` removes the last, Enter applies, Esc cancels.  With the mouse: click ``[−]`` or
``[+]`` on a row (anywhere on a toggle row), then Apply.

Applying sends one :class:`tui.core.actions.Configure` with the fields that changed (the
session validates them like a session file's, rebuilds the network with the current
seed and records the action); a network that cannot be built leaves the screen open
with one line saying why.

The rows are data (:class:`Row`), made from the one declaration of each setting
(:data:`tui.core.settings.SETTINGS`): a setting with a ``row`` appears here by itself.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Callable

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Region
from textual.events import Click
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from nn import datasets
from nn.features import DEFAULT as DEFAULT_FEATURES
from nn.features import FEATURES
from nn.naming import layer_name

from tui.core.actions import ActionError
from tui.core.settings import (CONFIGURABLE, HIDDEN_ACTIVATIONS, MAX_HIDDEN, MAX_LAYERS, SETTINGS,
                               config_to_json)

#: neurons per hidden layer the screen offers: the settings' bound (the network must also
#: fit in memory: :func:`tui.core.config.check_fits`, checked when applying)
MAX_NEURONS = MAX_HIDDEN
#: the learning rates the ×2 / ÷2 row reaches
LR_RANGE = (1e-6, 1e3)
MINUS, PLUS = "[−]", "[+]"
LABEL_W = 22


@dataclass
class Row:
    """One line of the table: ``show(draft)`` is its value as text; ``change(draft,
    delta)`` changes the draft by one step (delta ±1); ``toggle`` rows have no −/+."""

    label: str
    show: Callable[[dict], str]
    change: Callable[[dict, int], None]
    toggle: bool = False


# ---------------------------------------------------------------- row makers
def choice(key: str, label: str, options: tuple) -> Row:
    def change(draft: dict, delta: int) -> None:
        i = options.index(draft[key]) if draft[key] in options else 0
        draft[key] = options[(i + delta) % len(options)]
    return Row(label, lambda d: str(d[key]), change)


def number(key: str, label: str, step: float, low: float, high: float,
           default: Callable[[dict], str] = lambda d: "default", start: float = 0.0,
           open_ends: tuple[bool, bool] = (False, False)) -> Row:
    """A number from ``low`` to ``high`` in steps of ``step`` (a step short of a bound that
    ``open_ends`` says is refused); None (shown as ``default``) counts as ``start``."""
    low, high = low + step * open_ends[0], high - step * open_ends[1]

    def change(draft: dict, delta: int) -> None:
        value = draft[key] if draft[key] is not None else start
        draft[key] = round(min(high, max(low, value + delta * step)), 10)

    def show(draft: dict) -> str:
        return default(draft) if draft[key] is None else f"{draft[key]:g}"
    return Row(label, show, change)


def scaled(key: str, label: str, low: float, high: float) -> Row:
    """A positive number changed by factors of 2 (the learning rate)."""
    def change(draft: dict, delta: int) -> None:
        draft[key] = min(high, max(low, float(draft[key]) * (2.0 if delta > 0 else 0.5)))
    return Row(label, lambda d: f"{d[key]:g}", change)


def ladder(key: str, label: str, values: tuple, show: Callable = str) -> Row:
    """One of ``values`` (in order; ± moves one rung, stopping at the ends; a number
    between rungs moves to the next rung that way)."""
    def change(draft: dict, delta: int) -> None:
        value = draft[key]
        if value in values:
            i = values.index(value) + delta
        elif isinstance(value, (int, float)) and all(isinstance(v, (int, float)) for v in values):
            above = [k for k, v in enumerate(values) if v > value]
            i = (above[0] if above else len(values)) - (delta < 0)
        else:
            i = 0
        draft[key] = values[max(0, min(len(values) - 1, i))]
    return Row(label, lambda d: show(d[key]), change)


def feature(key: str) -> Row:
    def change(draft: dict, delta: int) -> None:
        chosen = draft["features"]
        if key in chosen:
            if len(chosen) > 1:  # at least one input
                chosen.remove(key)
        else:  # keep the order FEATURES lists them in
            chosen.append(key)
            chosen.sort(key=list(FEATURES).index)
    return Row(f"  input {FEATURES[key][0]}",
               lambda d: "[x]" if key in d["features"] else "[ ]", change, toggle=True)


def _neurons(n: int, delta: int) -> int:
    """±1 up to 16 neurons, then doubling/halving (16 → 32 → 64 …)."""
    if delta > 0:
        return min(MAX_NEURONS, n + 1 if n < 16 else n * 2)
    return max(1, n - 1 if n <= 16 else n // 2)


def layer_rows(draft: dict) -> list[Row]:
    """'hidden layers: N' (± adds/removes the last layer), then one row per layer, each
    with its activation on the row under it — the one place an activation is chosen (``A``
    on one gives every layer that one: :func:`same_activation`).  The draft's
    ``activation`` is a list with one name per hidden layer (one name while there is
    none); a new layer takes the last one's width and activation."""
    def count(d: dict, delta: int) -> None:
        if delta > 0 and len(d["hidden"]) < MAX_LAYERS:
            if d["hidden"]:
                d["activation"].append(d["activation"][-1])
            d["hidden"].append(d["hidden"][-1] if d["hidden"] else 4)
        elif delta < 0 and d["hidden"]:
            d["hidden"].pop()
            if len(d["activation"]) > 1:
                d["activation"].pop()

    rows = [Row("hidden layers", lambda d: str(len(d["hidden"])) + ("  (none: inputs → output)"
                                                                     if not d["hidden"] else ""),
                count)]
    for k in range(len(draft["hidden"])):
        def change(d: dict, delta: int, k=k) -> None:
            d["hidden"][k] = _neurons(d["hidden"][k], delta)
        name = layer_name(k, len(draft["hidden"]) + 1)
        rows.append(Row(f"  {name}", lambda d, k=k: f"{d['hidden'][k]} neurons", change))
        rows.append(layer_activation(k))
    return rows


def layer_activation(k: int) -> Row:
    """Hidden layer ``k``'s own activation (0-based)."""
    def change(d: dict, delta: int) -> None:
        names = d["activation"]
        i = HIDDEN_ACTIVATIONS.index(names[k]) if names[k] in HIDDEN_ACTIVATIONS else 0
        names[k] = HIDDEN_ACTIVATIONS[(i + delta) % len(HIDDEN_ACTIVATIONS)]
    return Row("    activation", lambda d: d["activation"][k], change)


def same_activation(draft: dict, row: int) -> bool:
    """Give every hidden layer the activation of the layer whose activation row is ``row``
    (of :func:`layer_rows`: 2, 4, 6 …); False (nothing changes) on any other row."""
    k, rest = divmod(row - 2, 2)
    if rest or not 0 <= k < len(draft["hidden"]):
        return False
    draft["activation"][:] = [draft["activation"][k]] * len(draft["activation"])
    return True


def task_noise(task: str) -> float | None:
    """The noise σ a generated task has by default; None for a task without noise."""
    make = datasets.TASKS.get(task)
    if task not in datasets.GENERATED or make is None:
        return None
    return float(inspect.signature(make).parameters["noise"].default)


def setting_row(name: str, task: str) -> Row:
    """The row of a plain setting, made from its one declaration (tui/core/settings.py):
    its label, how ± changes it and its bounds."""
    s = SETTINGS[name]
    spec = s.row
    if spec.kind == "choice":
        return choice(name, spec.label, s.choices())
    if spec.kind == "scaled":  # ×2 / ÷2, inside the setting's bounds
        return scaled(name, spec.label, LR_RANGE[0], LR_RANGE[1] if s.high is None else s.high)
    if spec.kind == "ladder":
        show = {"loss": lambda v: "the task's" if v is None else v,
                "batch": lambda v: "all samples" if v is None else f"{v} samples"}.get(
                    name, lambda v: f"{v:g}")
        return ladder(name, spec.label, spec.values, show)
    if name == "noise":
        own = task_noise(task)
        return number(name, spec.label, spec.step, s.low, s.high,
                      lambda d: "none (a gate)" if own is None else f"{own:g} (the task's)",
                      start=own or 0.0)
    return number(name, spec.label, spec.step, s.low, s.high, start=s.default or s.low,
                  open_ends=(s.low_open, s.high_open))


def field_rows(draft: dict, task: str) -> list[Row]:
    """Every row, top to bottom: the hidden layers, each with its activation, the input
    features, then one row per setting that declares one (in the table's order; an
    optimizer's hyper-parameter only while that optimizer is chosen)."""
    rows = layer_rows(draft)
    rows += [feature(key) for key in FEATURES]
    shown = sorted((s for s in SETTINGS.values() if s.row is not None and (
        not s.optimizers or draft.get("optimizer") in s.optimizers)), key=lambda s: s.row.order)
    rows += [setting_row(s.name, task) for s in shown]
    return rows


def draft_of(config) -> dict:
    """The editable copy of ``config``'s configurable fields (JSON form, lists)."""
    data = config_to_json(config)  # (an optimizer's setting may be left out: its value)
    draft = {key: data[key] if key in data else config.hyper_value(key) for key in CONFIGURABLE}
    draft["hidden"] = list(draft["hidden"] or [])
    draft["features"] = list(draft["features"] or DEFAULT_FEATURES)
    names = draft["activation"] or "sigmoid"
    n = max(1, len(draft["hidden"]))
    draft["activation"] = [names] * n if isinstance(names, str) else list(names)
    return draft


def _sent(draft: dict) -> dict:
    """The draft as Configure sends it: one activation name when every layer has the
    same (as before per-layer activations), else the list."""
    names = draft["activation"]
    return {**draft, "activation": names[0] if len(set(names)) == 1 else list(names)}


def changed(draft: dict, original: dict) -> dict:
    """The fields of ``draft`` that differ from ``original`` (what Configure sends)."""
    draft, original = _sent(draft), _sent(original)
    return {key: value for key, value in draft.items() if value != original[key]}


# ---------------------------------------------------------------- the screen
class SettingsScroll(VerticalScroll, can_focus=False):
    """Scrolls the table on short terminals; the screen's keys move the cursor."""


class SettingsTable(Static):
    """The rows as text; a click picks the row and presses its [−]/[+] or toggle."""

    def __init__(self, screen: "SettingsScreen") -> None:
        super().__init__(id="settings-table")
        self.owner = screen

    def on_click(self, event: Click) -> None:
        self.owner.click(event.x, event.y)


class SettingsScreen(ModalScreen[object]):
    """Change the network and the data; dismissed with the applied changes (a dict) or
    None when cancelled or nothing changed."""

    DEFAULT_CSS = """
    SettingsScreen { align: center middle; }
    #settings-box { width: 62; height: auto; max-height: 100%; border: round $accent;
                    padding: 0 1; background: $surface; }
    #settings-scroll { height: auto; max-height: 60vh; }
    SettingsScreen.short #settings-box { height: 100%; }
    SettingsScreen.short #settings-scroll { height: 1fr; max-height: 100%; }
    SettingsScreen.short #settings-error.empty { display: none; }
    SettingsScreen.short #settings-buttons { margin-top: 0; }
    #settings-table { height: auto; }
    #settings-error { color: $error; width: 100%; height: auto; }
    #settings-buttons { height: 1; margin-top: 1; }
    #settings-buttons Button { min-width: 10; height: 1; border: none; margin-right: 2; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "cancel"),
        Binding("enter", "apply", "apply", priority=True),
        Binding("up,k", "move(-1)", "up", show=False),
        Binding("down,j", "move(1)", "down", show=False),
        Binding("left,minus,h", "change(-1)", "less", show=False),
        Binding("right,plus,equals_sign,l", "change(1)", "more", show=False),
        Binding("space", "change(1)", "toggle", show=False),
        Binding("a", "add_layer", "add layer", show=False),
        Binding("A", "same_activation", "every layer's activation like this one", show=False),
        Binding("x,delete", "remove_layer", "remove layer", show=False),
    ]

    def __init__(self, session) -> None:
        super().__init__()
        self.session = session
        self.task_name = session.config.task
        self.original = draft_of(session.config)
        self.draft = draft_of(session.config)
        self.cursor = 0

    @property
    def rows(self) -> list[Row]:
        return field_rows(self.draft, self.task_name)

    def compose(self) -> ComposeResult:
        with Vertical(id="settings-box"):
            yield Label("Network and data", classes="title")
            yield Label("↑↓ row · ←→ change · a/x add/remove layer · Enter apply",
                        classes="hint")
            with SettingsScroll(id="settings-scroll"):
                yield SettingsTable(self)
            yield Label("", id="settings-error", classes="empty")
            with Horizontal(id="settings-buttons"):
                yield Button("Apply", id="settings-apply", variant="primary")
                yield Button("Cancel", id="settings-cancel")

    def on_mount(self) -> None:
        self.refresh_table()

    def render_table(self) -> Text:
        text = Text(no_wrap=True)
        for i, row in enumerate(self.rows):
            style = Style(reverse=True) if i == self.cursor else Style()
            text.append(row.label.ljust(LABEL_W), style)
            if row.toggle:
                text.append(row.show(self.draft), style)
            else:
                text.append(f"{MINUS} {row.show(self.draft)} {PLUS}", style)
            text.append("\n")
        text.append(self.summary(), Style(color="grey62", italic=True))
        return text

    def summary(self) -> str:
        sizes = [len(self.draft["features"]), *self.draft["hidden"], self.session.net.sizes[-1]]
        what = changed(self.draft, self.original)
        on_activation = (len(self.draft["hidden"]) > 1 and self.cursor % 2 == 0
                         and 2 <= self.cursor <= 2 * len(self.draft["hidden"]))
        return (f"network {'–'.join(map(str, sizes))}"
                + (f" · changes: {', '.join(what)}" if what else " · unchanged")
                + ("\nA: every hidden layer's activation like this one" if on_activation
                   else ""))

    def on_resize(self) -> None:
        self.fit_height()

    def fit_height(self) -> None:
        """On a terminal too short for the whole box (80×24 is), the table takes every row
        the box leaves (class ``short``) rather than 60% of the screen with blank rows
        around the buttons; on a tall one the box keeps its natural height."""
        table = self.render_table().plain.count("\n") + 1
        error = self.query_one("#settings-error", Label)
        natural = table + 6 + max(error.region.height, 1)  # border 2, title, hint, margin, buttons
        self.set_class(natural > min(self.size.height, self.app.size.height * 0.6 + 7),
                       "short")

    def refresh_table(self) -> None:
        self.cursor = max(0, min(self.cursor, len(self.rows) - 1))
        self.query_one(SettingsTable).update(self.render_table())
        self.fit_height()
        self.query_one(SettingsScroll).scroll_to_region(
            Region(0, self.cursor, 1, 1), animate=False)

    # ------------------------------------------------------------ keys
    def action_move(self, delta: int) -> None:
        self.cursor = (self.cursor + delta) % len(self.rows)
        self.refresh_table()

    def action_change(self, delta: int) -> None:
        self.rows[self.cursor].change(self.draft, delta)
        self.refresh_table()

    def action_add_layer(self) -> None:
        self.rows[0].change(self.draft, 1)
        self.refresh_table()

    def action_same_activation(self) -> None:
        if same_activation(self.draft, self.cursor):
            self.refresh_table()

    def action_remove_layer(self) -> None:
        self.rows[0].change(self.draft, -1)
        self.refresh_table()

    def click(self, x: int, y: int) -> None:
        """A click at cell (x, y) of the table: pick row y; on its [−] or [+] (or
        anywhere on a toggle row) change it."""
        rows = self.rows
        if not 0 <= y < len(rows):
            return
        self.cursor = y
        row = rows[y]
        if row.toggle:
            row.change(self.draft, 1)
        elif LABEL_W <= x < LABEL_W + len(MINUS):
            row.change(self.draft, -1)
        else:
            end = LABEL_W + len(MINUS) + 1 + len(row.show(self.draft)) + 1
            if end <= x < end + len(PLUS):
                row.change(self.draft, 1)
        self.refresh_table()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "settings-apply":
            self.action_apply()
        else:
            self.action_cancel()

    def action_apply(self) -> None:
        changes = changed(self.draft, self.original)
        if not changes:
            self.dismiss(None)
            return
        others = len(self.session.branches) - 1
        if others:  # a new network is a new run: it would drop the branches unasked
            named = "branch B" if others == 1 else f"branches B–{'ABCD'[others]}"
            self.show_error(
                f"Applying builds a new network and would close {named}. In a branch, "
                "change its learning rate (l) or a weight (w); R starts a new single run.")
            return
        try:
            self.session.configure(changes)
        except ActionError as exc:
            self.show_error(str(exc))
            return
        self.dismiss(changes)

    def show_error(self, message: str) -> None:
        error = self.query_one("#settings-error", Label)
        error.update(Text(message))
        error.remove_class("empty")
        self.call_after_refresh(self.fit_height)

    def action_cancel(self) -> None:
        self.dismiss(None)
