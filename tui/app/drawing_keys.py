"""Drawing data on the large output map, in the app: the pen, clicks, the hint line, the keys.

The data model (:class:`tui.core.drawing.Drawn`) and the actions that change it live in the
core; this module is what a person touches: which class a click draws, what the line under
the map says, and the :class:`DrawingKeys` mixin the app's keys call.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tui.app.widgets.neuron_map import large_map_point
from tui.core.drawing import drawing_kind, refusal, too_few


@dataclass
class Pen:
    """What a click on the output map adds: class 1 or 0 for a class task (the left
    mouse button draws ``klass``, the right one the other class), a target ``value`` for
    regression.  Not recorded itself: the points it adds are."""

    klass: int = 1
    value: float = 1.0
    step: float = 0.25

    def toggle(self) -> int:
        self.klass = 1 - self.klass
        return self.klass

    def nudge(self, delta: int) -> float:
        self.value = round(self.value + delta * self.step, 10)
        return self.value

    def target(self, kind: str, other: bool = False) -> float:
        """The target a click adds to a ``kind`` task (``other``: the right button)."""
        if kind == "regression":
            return -self.value if other else self.value
        return float(1 - self.klass if other else self.klass)

    def describe(self, kind: str) -> str:
        if kind == "regression":
            return f"pen: target {self.value:g} (right button: {-self.value:g})"
        return f"pen: class {self.klass} (right button: class {1 - self.klass})"


def click(session, view, pen: Pen, x: int, y: int, other: bool = False) -> str | None:
    """Add a point where cell (x, y) of the large output map (``view``: the frame's
    NeuronMapsView) is clicked; returns what happened (one line), or None off the map
    or when the map shown is not the output's."""
    if view is None or view.selected[0] != len(session.net.layers) - 1:
        return None
    where = large_map_point(view, x, y)
    return None if where is None else add_at(session, pen, where[0], where[1], other)


def add_at(session, pen: Pen, x1: float, x2: float, other: bool = False) -> str:
    """Draw a point at (x₁, x₂) with ``pen``'s target (``other``: the right button's);
    returns what happened, one line (ActionError if it cannot be drawn)."""
    value = pen.target(drawing_kind(session), other)
    session.add_point(x1, x2, value)
    n = len(session.drawn)
    return f"point {n} at ({x1:.2f}, {x2:.2f}), target {value:g}" + \
        (f" · {too_few(session.drawn)}" if too_few(session.drawn) else "")


def map_hint(session, pen: Pen | None) -> str:
    """The line under the large output map: what a click draws, and the drawing keys."""
    why = refusal(session.problem) if session.drawn is None else None
    if why is not None:
        return why
    kind = drawing_kind(session)
    pen = pen or Pen()
    if kind == "regression":
        what = f"click: y {pen.value:g} (right {-pen.value:g})"
    else:
        what = f"click: class {pen.klass} (right {1 - pen.klass})"
    hint = f"{what} · X del · U clear · D save"
    blocker = session.train_blocker
    return f"{blocker} · {hint}" if blocker else hint


class DrawingKeys:
    """App mixin: the settings screen and drawing data on the large output map.  Needs
    the app's ``session``, ``pause``, ``redraw``, ``say``, ``save_dir``."""

    pen: Pen

    def action_settings(self) -> None:
        # loaded when first used: start-up time
        from tui.app.screens.settings import SettingsScreen

        self.pause()

        def done(changes) -> None:
            if changes:
                self.say(f"network rebuilt: {'–'.join(map(str, self.session.net.sizes))} "
                         f"(changed {', '.join(changes)})", timeout=3)
            self.redraw(True)

        self.push_screen(SettingsScreen(self.session), done)

    def _pen(self) -> Pen:
        if getattr(self, "pen", None) is None:
            self.pen = Pen()
        return self.pen

    def _drawing(self, change) -> None:
        self.pause()
        try:
            message = change()
        except ValueError as exc:  # ActionError too
            self.say(str(exc), severity="warning")
            return
        blocker = self.session.train_blocker
        self.say(message + (f" · {blocker}" if blocker and blocker not in message else ""),
                 timeout=2)
        self.redraw(True)

    def on_predictions_map_clicked(self, message) -> None:
        """Left button: the pen's class (or target); right: the other; ctrl: remove."""
        if message.ctrl:
            def remove() -> str:
                self.session.remove_point(message.x1, message.x2)
                return f"removed the point nearest ({message.x1:.2f}, {message.x2:.2f})"
            self._drawing(remove)
            return
        self._drawing(lambda: add_at(self.session, self._pen(), message.x1, message.x2,
                                     other=message.button == 3))

    def action_pen(self) -> None:
        pen = self._pen()
        why = refusal(self.session.problem) if self.session.drawn is None else None
        if why is not None:
            self.say(why, severity="warning")
            return
        if drawing_kind(self.session) == "regression":
            pen.value = -pen.value
        else:
            pen.toggle()
        self.say(pen.describe(drawing_kind(self.session)), timeout=2)

    def action_remove_point(self) -> None:
        # loaded when first used: start-up time
        from tui.app.widgets.predictions import Predictions

        where = self.query_one(Predictions).pointer
        if where is None:
            self.say("point at the output map (m) with the mouse, then press X to remove the "
                     "point nearest it")
            return

        def remove() -> str:
            self.session.remove_point(*where)
            return f"removed the point nearest ({where[0]:.2f}, {where[1]:.2f}): " \
                   f"{len(self.session.drawn)} left"
        self._drawing(remove)

    def action_clear_points(self) -> None:
        def clear() -> str:
            self.session.clear_points()
            return "cleared the data: click on the output map (m) to draw points"
        self._drawing(clear)

    def action_save_data(self) -> None:
        try:
            path = self.session.save_drawn(Path(self.save_dir) / "drawn.csv")
        except (OSError, ValueError) as exc:
            self.say(str(exc), title="Save failed", severity="error")
            return
        self.say(f"saved {path}; train on it with tinynet-tui --data {path.name}",
                 title="Data saved")
