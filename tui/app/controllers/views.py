"""View keys: log scale, the large neuron map, the swapped panel, mini-batch losses, the
neuron panel's pages of weights, help.

View state is an input of the frame: these keys change :class:`ViewState`'s fields (or the
main screen's classes) and redraw; the App redraws whenever the session's version *or* the
view state changed (:meth:`ViewKeys.view_key`), so nothing needs ``session.touch()``.
"""
from __future__ import annotations

from dataclasses import dataclass

from textual.css.query import NoMatches

from tui.app.keys import KEYS, extra_keys
from tui.app.widgets.inspector import WEIGHTS_PAGE, Inspector
from tui.view.frame import MAPS_NEED_TWO_INPUTS, maps_available


@dataclass
class ViewState:
    """What the panels show besides the session's state (none of it is recorded)."""

    log_scale: bool = True       #: `y`: the loss chart's y axis is log₁₀
    large_map: bool = False      #: `m`: the selected neuron's map in the predictions area
    batch_losses: bool = False   #: `B`: the loss chart shows every mini-batch's loss


class ViewKeys:
    """App mixin (see :mod:`tui.app.controllers`); needs ``self.view`` (a ViewState)."""

    #: main-screen classes that change what a panel shows (and so its size)
    VIEW_CLASSES = ("compact", "show-predictions", "lesson", "lesson-chart", "lesson-neuron",
                    "lesson-charts2", "too-small")

    def view_key(self) -> tuple:
        """Everything besides the session that the drawn frame depends on."""
        screen = self.screen_stack[0]
        return (self.view.log_scale, self.view.large_map, self.view.batch_losses,
                tuple(screen.has_class(c) for c in self.VIEW_CLASSES),
                self.lessons.slow, self.lessons.pace, self.lessons.hidden)

    @property
    def large_map(self) -> bool:
        return self.view.large_map

    @property
    def batch_losses(self) -> bool:
        return self.view.batch_losses

    def action_log_scale(self) -> None:
        self.view.log_scale = not self.view.log_scale
        self.say("loss axis: " + ("log scale" if self.view.log_scale else "linear"), timeout=1.5)
        self.redraw()

    #: the screen's classes and panels the swap hints were last set for
    _swap_hints_for: tuple | None = None

    def swap_hints(self) -> None:
        """Where ``v`` swaps two panels in one cell, each says so in its bottom border
        ("v: predictions"): at 80×24 the predictions were hidden behind the loss chart and
        nothing on screen said how to see them.  (A lesson's panel lists its own keys.)"""
        screen = self.screen_stack[0]
        grid = screen.get_child_by_id("main")
        panels = {}  # by id, not a query (≈ 1.7 ms): this runs with every redraw while playing
        for wid in ("loss", "predictions", "confusion"):  # (#confusion: image tasks only)
            try:
                panels[wid] = grid.get_child_by_id(wid)
            except NoMatches:
                panels[wid] = None
        key = (screen.has_class("lesson"), screen.has_class("digits"),
               screen.has_class("compact"), tuple(map(id, panels.values())))
        if key == self._swap_hints_for:
            return
        self._swap_hints_for = key
        hints = {"loss": "", "predictions": "", "confusion": ""}
        if screen.has_class("lesson"):
            pass  # (the lesson panel says which keys its layout has)
        elif screen.has_class("digits"):
            hints.update(loss="v: confusion matrix", confusion="v: loss chart")
        elif screen.has_class("compact"):
            hints.update(loss="v: predictions", predictions="v: loss chart")
        for wid, panel in panels.items():
            if panel is not None:
                panel.border_subtitle = hints[wid]

    def action_swap_panel(self) -> None:
        if self.lessons.swap_panel():  # small-screen lesson layout: chain rule → loss → predictions
            return
        screen = self.screen_stack[0]
        if not (screen.has_class("compact") or screen.has_class("lesson")
                or screen.has_class("digits")):
            self.say("v swaps the loss chart and the predictions on a small screen; "
                     "here both are shown")
            return
        screen.toggle_class("show-predictions")
        self.call_after_refresh(self.redraw)  # after the layout gives the panel its size

    def action_neuron_map(self) -> None:
        if self.digits_toggle_large():  # digits: the selected neuron's picture large
            return
        if not maps_available(self.session.problem):
            self.say(MAPS_NEED_TWO_INPUTS)
            return
        self.view.large_map = not self.view.large_map
        if getattr(self, "first_run", None) is not None:  # the maps' legend has done its job
            self.first_run.mark("map")
        # the compact layout shows the predictions cell for the map, as `v` does
        self.screen_stack[0].set_class(self.view.large_map, "show-predictions")
        self.call_after_refresh(self.redraw)

    def action_batch_losses(self) -> None:
        if not self.session.has_mini_batches:
            self.say("one update per epoch (full batch): there are no mini-batch losses; "
                     "choose a batch size with N or --batch")
            return
        self.view.batch_losses = not self.view.batch_losses
        self.say("loss chart: " + ("each mini-batch's loss" if self.view.batch_losses
                                   else "each epoch's loss"), timeout=2)
        self.redraw()

    def action_weights_page(self) -> None:
        """The neuron panel's next page of weights (a neuron with more than 16 inputs)."""
        inspector = self.query_one(Inspector)
        n = inspector.next_page()
        if n == 1:
            self.say(f"the selected neuron's weights all fit on one page (≤ {WEIGHTS_PAGE})",
                     timeout=2)

    def action_help(self) -> None:
        # the help screen (and rich's tables) load when first opened: start-up time
        from tui.app.screens.help import HelpScreen

        self.push_screen(HelpScreen(KEYS + tuple(extra_keys(self))))

    def on_predictions_resized(self, _message) -> None:
        """The maps are sampled for the panel's size: draw them again at the new one."""
        self.call_after_refresh(self.redraw, True)
