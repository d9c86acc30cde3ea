"""Every key of the app, once: the table the bindings, the footer, the help screen and the
command palette are all made from.

A :class:`Key` is data — which keys, which action, the footer's word, the help screen's
sentence, a group, whether the footer shows it.  :func:`bindings` turns the table into the
App's ``BINDINGS``; :mod:`tui.app.screens.help` lists it; :class:`KeyCommands` (a
command-palette provider, ctrl+p) finds every action by its help text.  Adding a key is
one row here and one ``action_…`` method in a controller (:mod:`tui.app.controllers`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider


@dataclass(frozen=True)
class Key:
    """One row of the key table.  ``keys``: Textual key names, comma-separated (the first is
    the one shown); ``action``: a Textual action string of the app (``"speed(1)"``)."""

    keys: str
    action: str
    footer: str
    help: str
    group: str
    show: bool = False
    priority: bool = False

    def binding(self) -> Binding:
        return Binding(self.keys, self.action, self.footer, show=self.show,
                       priority=self.priority, tooltip=self.help)


#: the groups, in the order the help screen lists them
GROUPS = ("general", "stepping", "time travel", "run", "views", "files", "lessons",
          "branches", "drawing")

# Footer order = table order of the shown keys: help and quit first, so they stay
# visible in narrow terminals.
KEYS: tuple[Key, ...] = (
    Key("question_mark", "help", "help", "help: every key and a glossary", "general", True),
    Key("q", "quit", "quit", "quit", "general", True),
    Key("ctrl+p", "command_palette", "commands",
        "command palette: find any action by what it does", "general", priority=True),
    Key("n,right", "step", "step", "one step forward at the current granularity", "stepping",
        True),
    Key("b,left", "back", "back",
        "step back in time at the current granularity (undo; not the backward pass)",
        "time travel", True),
    Key("g", "granularity", "grain",
        "granularity: neuron → layer → phase → (batch) → epoch", "stepping", True),
    Key("space", "play", "play",
        "play / pause epochs (a lesson: as it asks)", "stepping", True),
    Key("plus,equals_sign", "speed(1)", "faster", "play faster", "stepping"),
    Key("minus", "speed(-1)", "slower", "play slower", "stepping"),
    Key("up", "select(-1)", "prev neuron", "select the previous neuron", "stepping",
        priority=True),
    Key("down", "select(1)", "next neuron", "select the next neuron", "stepping", priority=True),
    Key("left_square_bracket", "sample(-1)", "prev sample",
        "previous sample (diagram, neuron panel and narration)", "stepping"),
    Key("right_square_bracket", "sample(1)", "next sample",
        "next sample (diagram, neuron panel and narration)", "stepping"),
    Key("j", "jump", "jump", "jump back in time to the start of an epoch", "time travel"),
    Key("d", "changes", "changes", "which weights moved most since an earlier epoch",
        "time travel"),
    Key("w", "edit", "edit", "edit a weight or bias of the selected neuron by hand", "run"),
    Key("r", "reset", "reset", "reset to the same initial weights (epoch 0)", "run", True),
    Key("R", "new_seed", "new seed", "new seed: new initial weights", "run"),
    Key("t", "next_task", "task",
        "next task: and, xor, regression, circle, spiral, spiral3, blobs", "run"),
    Key("l", "learning_rate", "lr", "change the learning rate", "run", True),
    Key("k", "breakpoints", "bkpts", "breakpoints: pause playing when …", "run"),
    Key("c", "gradcheck", "check", "gradient check: backprop vs finite differences", "run",
        True),
    Key("y", "log_scale", "log y", "loss chart: log scale ⇄ linear", "views"),
    Key("v", "swap_panel", "swap",
        "small screens: show loss chart ⇄ predictions (in a lesson: chain rule → loss → "
        "predictions)", "views"),
    Key("e", "export", "export", "export a handout: loss, decision boundary, neuron maps, "
        "branches compared (PNG) and handout.md", "files"),
    Key("s", "save", "save", "save the model (.npz, never overwrites)", "files"),
    Key("S", "save_session", "save session",
        "save the session (config + every action) for --replay", "files"),
    Key("z", "quiz", "quiz", "quiz mode: predict δ or the updated weight before each step",
        "stepping"),
    Key("x", "export_trace", "trace", "export the step-by-step trace as CSV and Markdown",
        "files"),
    Key("L", "lessons", "lessons", "lessons: the list of lessons and chapters", "lessons"),
    Key("o", "slow_motion", "slow",
        "slow motion: one neuron every few seconds, narrated (+/− pace, any key pauses)",
        "lessons"),
    Key("p", "lesson_play", "play", "as space (in a lesson: as the chapter asks)",
        "lessons"),
    Key("pagedown", "next_chapter", "next chapter",
        "in a lesson: read on (the chapter's text), then the next chapter (else: scroll the "
        "chain rule down)", "lessons"),
    Key("pageup", "previous_chapter", "previous chapter",
        "in a lesson: back up the chapter's text, then the previous chapter (else: scroll "
        "the chain rule up)", "lessons"),
    Key("greater_than_sign", "chapter(1)", "next chapter", "in a lesson: the next chapter",
        "lessons"),
    Key("less_than_sign", "chapter(-1)", "previous chapter",
        "in a lesson: the previous chapter", "lessons"),
    Key("shift+down", "scroll_narration(1)", "scroll chain rule",
        "scroll the chain rule panel down (a long backward step)", "lessons"),
    Key("shift+up", "scroll_narration(-1)", "scroll chain rule",
        "scroll the chain rule panel up", "lessons"),
    Key("enter", "chapter_done", "next chapter",
        "in a lesson: the next chapter, once this one is done", "lessons"),
    Key("m", "neuron_map", "map", "the selected neuron's map, large, in the predictions area",
        "views"),
    Key("f", "fork", "fork", "fork this run into a branch (up to 4) at this very step",
        "branches"),
    Key("a", "next_branch", "branch", "follow the next branch (A→B→…)", "branches"),
    Key("F", "compare", "compare", "compare branches: curves, weight distances, diagrams",
        "branches"),
    Key("W", "sweep", "sweep", "sweep seeds × lr for this task; Enter opens a run", "branches"),
    Key("B", "batch_losses", "batch loss",
        "loss chart: each mini-batch's loss ⇄ each epoch's (with --batch)", "views"),
    Key("P", "export_pytorch", "PyTorch",
        "export this run as a PyTorch script that trains it again", "files"),
    Key("N", "settings", "network",
        "settings: hidden layers, neurons, activation, input features, noise", "run"),
    Key("C", "pen", "pen", "drawing data (m, output map): class 0 ⇄ 1 (regression: target ±)",
        "drawing"),
    Key("X", "remove_point", "remove point",
        "drawing data: remove the point nearest the mouse on the output map", "drawing"),
    Key("U", "clear_points", "clear points",
        "drawing data: remove every point (then draw from nothing)", "drawing"),
    Key("D", "save_data", "save data",
        "save the data (drawn or the task's) as CSV for --data (never overwrites)", "drawing"),
    # digits (image tasks; tui/app/digits_keys.py)
    Key("i", "mistakes", "mistakes",
        "digits: [ ] walk the misclassified test samples ⇄ the training samples", "drawing"),
    Key("backspace", "clear_drawing", "clear drawing",
        "digits: clear the digit drawn on the picture (back to the samples, the real run)",
        "drawing"),
    Key("0,1,2,3,4,5,6,7,8,9", "drawn_label", "drawn digit",
        "digits: which digit the drawing is (then n steps backprop on it)", "drawing"),
)


def bindings(keys: tuple[Key, ...] = KEYS) -> list[Binding]:
    """The App's BINDINGS, from the table."""
    return [k.binding() for k in keys]


def as_keys(extra) -> list[Key]:
    """Bindings given the Textual way (``Binding`` or ``(key, action, description)`` tuples,
    as the share/follow apps add) as rows of the table's shape (group "more")."""
    return [Key(b.key, b.action, b.description, b.tooltip or b.description, "more", b.show,
                b.priority) for b in Binding.make_bindings(extra)]


def extra_keys(app) -> list[Key]:
    """Keys a subclass of the app adds with its own ``BINDINGS`` (the share and follow
    apps), as rows: the help screen and the palette list them after the table's."""
    ours = {k.action for k in KEYS}
    found = []
    for cls in type(app).__mro__:
        if cls.__module__.startswith("textual"):
            continue
        found += [k for k in as_keys(cls.__dict__.get("BINDINGS", ())) if k.action not in ours]
    return found


NAMES = {"space": "space", "question_mark": "?", "plus": "+", "minus": "-", "equals_sign": "=",
         "left_square_bracket": "[", "right_square_bracket": "]", "up": "↑", "down": "↓",
         "right": "→", "left": "←", "pagedown": "PgDn", "pageup": "PgUp",
         "greater_than_sign": ">", "less_than_sign": "<", "enter": "Enter", "ctrl+p": "ctrl+p",
         "shift+down": "shift+↓", "shift+up": "shift+↑"}


def display_key(key: str) -> str:
    """How a Textual key name is written for a person (``question_mark`` → ``?``)."""
    return NAMES.get(key, key)


def display_keys(key: Key) -> str:
    return " / ".join(display_key(k) for k in key.keys.split(","))


class KeyCommands(Provider):
    """The command palette's commands: every key of the table (and of the app's subclass),
    found by its help text; choosing one runs the key's action."""

    def _rows(self) -> list[Key]:
        rows = [k for k in KEYS if k.action != "command_palette"]
        return rows + extra_keys(self.app)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for key in self._rows():
            score = matcher.match(key.help)
            if score > 0:
                yield Hit(score, matcher.highlight(key.help),
                          partial(self.app.run_action, key.action), text=key.help,
                          help=f"key: {display_keys(key)}")

    async def discover(self) -> Hits:
        for key in self._rows():
            yield DiscoveryHit(key.help, partial(self.app.run_action, key.action),
                               text=key.help, help=f"key: {display_keys(key)}")
