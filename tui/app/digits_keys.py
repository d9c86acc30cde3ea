"""App wiring of the digits panels (image tasks): their widgets, keys and mouse.

Keys (only on an image task; elsewhere they say so and do nothing):

* ``i``: walk the test set's mistakes — ``[`` / ``]`` then step through the misclassified
  test samples (each shown with its probabilities) instead of the training samples;
* ``m``: the weight panel shows the selected neuron's picture large, with its dw (⇄ the grid);
* ``Backspace``: clear the digit drawn on the picture (left click/drag inks, right erases);
* ``0`` … ``9`` then ``n``: say which digit the drawing is, then step forward, loss and
  backprop on it — on a copy of the network, one sample (the panels follow the copy until
  ``Backspace`` brings back the real run, untouched);
* ``v``: the loss chart ⇄ the confusion matrix.

Their rows are in the key table (tui/app/keys.py, group "drawing").

Clicking a picture in the weight grid selects that hidden neuron.  The state these change
lives on the session (:mod:`tui.core.digits_state`) and changes by local actions through
``Session.apply`` (:mod:`tui.core.actions_local`), so the frame shows it.
"""
from __future__ import annotations

from tui.core import actions_local as local
from tui.core.digits_state import digits_state, probe_problem
from tui.core.session import Session
from tui.view.digits_frame import scored_set

#: ids of the digits widgets (tui/app.tcss shows them on Screen.digits only)
#: the hint for a drawing key pressed with nothing drawn
NOTHING_DRAWN = ("Nothing drawn yet: draw a digit on the picture in the network panel "
                 "first (click or drag inks, right click erases)")

WIDGET_IDS = ("weights", "digit-diagram", "confusion")


def compose_before(session):
    """The widgets the app yields first in its grid (before the network diagram): only when
    ``session`` is an image task.  Other tasks mount them when their session first has images
    (:meth:`DigitsKeys.digits_show`): three hidden widgets fewer to compose, style and lay
    out before the first frame (start-up time)."""
    if session.config.image_shape is not None:
        yield from _widgets_before()


def compose_after(session):
    """The widgets the app yields last in its grid (after the predictions); see
    :func:`compose_before`."""
    if session.config.image_shape is not None:
        yield from _widgets_after()


def _widgets_before():
    # loaded with the first image task: no other task's first frame pays for them
    from tui.app.widgets.digit_diagram import DigitDiagram  # start-up time (above)
    from tui.app.widgets.weight_grid import WeightGrid  # start-up time (above)

    yield WeightGrid(id="weights", classes="panel")
    yield DigitDiagram(id="digit-diagram", classes="panel")


def _widgets_after():
    from tui.app.widgets.confusion import ConfusionPanel  # as in _widgets_before: start-up time

    yield ConfusionPanel(id="confusion", classes="panel")


TITLES = {"weights": "weights: what each hidden neuron looks for", "digit-diagram": "network",
          "confusion": "confusion matrix"}


class DigitsKeys:
    """App mixin.  Needs the app's ``session``, ``redraw``, ``say``, ``pause``."""

    #: the real session while ``n`` steps through a drawn digit on a copy (else None)
    _digits_main = None

    @property
    def digits_state(self):
        return digits_state(self.session)

    def digits_mount(self) -> None:
        """Title the digits panels, if they are mounted (image tasks)."""
        for wid, title in TITLES.items():
            for panel in self.screen_stack[0].query(f"#{wid}"):
                panel.border_title = title
                panel.can_focus = False

    def _mount_digits_panels(self) -> None:
        """Mount the digits panels where they are not yet (the first image task of a run
        that started on another task), where an image task composes them."""
        screen = self.screen_stack[0]
        if screen.query("#weights"):
            return
        grid = screen.query_one("#main")
        grid.mount(*_widgets_before(), before="#diagram")
        grid.mount(*_widgets_after(), after="#predictions")
        self.digits_mount()

    def digits_show(self, frame) -> None:
        """Hand the frame's digits part to the digits widgets; the Screen's ``digits`` class
        follows whether the task has images."""
        view = getattr(frame, "digits", None)
        screen = self.screen_stack[0]
        if view is not None:
            self._mount_digits_panels()  # (the class change below draws them again once sized)
        if screen.has_class("digits") != (view is not None):
            screen.set_class(view is not None, "digits")
            if view is not None and view.selected is None:  # start on h₁: its picture
                self.session.select(0, 0)
            self.call_after_refresh(self.redraw, True)
        if view is None:
            return

        for wid in WIDGET_IDS:  # (by id: their classes load with the first image task)
            screen.query_one(f"#{wid}").show(view)

    def _digits_or_say(self):
        state = self.digits_state
        if state is None:
            self.say("this key is for image tasks: tinynet-tui --task digits (or --data FILE "
                     "--image HxW)")
        return state

    def digits_walk(self, delta: int) -> bool:
        """``[``/``]`` while walking mistakes: the next/previous one (True: handled)."""
        state = self.digits_state
        if state is None or state.mistake is None or state.drawing is not None:
            return False
        self.session.apply(local.WalkMistakes(delta))
        self.redraw()
        return True

    def action_mistakes(self) -> None:
        state = self._digits_or_say()
        if state is None:
            return
        walking = self.session.apply(local.ToggleMistakes())
        self.say("[ ] walk the misclassified test samples" if walking
                 else "[ ] walk the training samples again", timeout=2)
        self.redraw()

    def on_key(self, event) -> None:
        """Remember a digit key for :meth:`action_drawn_label` (one binding holds all ten)."""
        if event.character is not None and event.character in "0123456789":
            self._digits_key = int(event.character)

    def action_drawn_label(self, k: int | None = None) -> None:
        k = getattr(self, "_digits_key", None) if k is None else k
        state = self.digits_state
        if k is None:
            return
        if state is None or self._digits_main is not None:
            return
        if state.drawing is None:
            self.say(f"{k}: which digit a drawing is. {NOTHING_DRAWN}; then {k}, then n steps "
                     "backprop on it", timeout=4)
            return
        if not 0 <= k < self.session.problem.y.shape[1]:
            self.say(f"this task has classes 0 to {self.session.problem.y.shape[1] - 1}")
            return
        self.session.apply(local.LabelDrawing(k))
        self.say(f"your drawing is a {k}: n steps forward, loss and backprop on it (on a copy "
                 "of the network; Backspace comes back)", timeout=4)

    def digits_step(self) -> bool:
        """Before ``n``: with a drawing, step a one-sample copy of the network on it (swapping
        the app's session for it).  True when the key was used up here (no label yet)."""
        state = self.digits_state
        if state is None or state.drawing is None or self._digits_main is not None:
            return False
        if state.label is None:
            self.say("which digit did you draw? press 0–9, then n", timeout=4)
            return True

        main = self.session
        with main.lock:
            probe = Session(probe_problem(main.problem, state.drawing, state.label))
        probe.apply(local.SetGranularity(main.granularity))
        probe.select(*main.selected)
        probe._digits_title = f"your {state.label}, on a copy of the net"
        self._digits_main = main
        self.session = probe
        self.say("stepping on your drawing with a copy of the network: the real run is "
                 "untouched; Backspace returns to it", timeout=5)
        return False

    def digits_leave_probe(self) -> bool:
        """Back to the real run after stepping on a drawing (True if there was a probe)."""
        if self._digits_main is None:
            return False
        self.session, self._digits_main = self._digits_main, None
        self.session.apply(local.ClearDrawing())
        self.redraw(True)
        return True

    def action_clear_drawing(self) -> None:
        if self.digits_leave_probe():
            self.say("back to the real run", timeout=2)
            return
        state = self._digits_or_say()
        if state is None:
            return
        if self.session.apply(local.ClearDrawing()):
            self.say("drawing cleared", timeout=1.5)
        elif state.drawing is None:
            self.say(f"Backspace clears a drawing. {NOTHING_DRAWN}", timeout=4)
        self.redraw()

    def digits_toggle_large(self) -> bool:
        """``m`` on an image task (True: handled)."""
        state = self.digits_state
        if state is None:
            return False
        self.session.apply(local.ToggleLargeDigit())
        self.redraw()
        return True

    def digits_export_job(self, net):
        """For ``e`` (session lock held): a function folder → written paths that draws
        weights.png, confusion.png and mistakes.png from ``net`` (a copy) and the scored
        set; None when the task has no images."""
        problem = self.session.problem
        shape = problem.config.image_shape
        if shape is None:
            return None

        from tui.view.plots_digits import export_digits  # loaded when used: start-up time

        X, y, _ = scored_set(problem)
        X, y = X.copy(), y.copy()
        label = f"{problem.config.label} {net.describe()}, epoch {self.session.stepper.epoch}"
        return lambda folder: export_digits(folder, net.layers[0].W, shape, X, y,
                                            net.predict(X), label)

    def on_weight_grid_neuron_clicked(self, message) -> None:
        self.session.select(0, message.neuron)
        self.redraw()

    def on_digit_diagram_painted(self, message) -> None:
        state = self.digits_state
        if state is None:
            return
        if self._digits_main is not None:
            self.say("stepping on a copy: Backspace returns to the real run, then draw again",
                     timeout=3)
            return
        if self.session.apply(local.Paint(message.row, message.col, message.erase)):
            if state.strokes == 1:
                self.say("drawing: the probabilities follow your digit; right click erases, "
                         "Backspace clears; 0–9 then n steps backprop on it", timeout=4)
            self.redraw()
