"""The main screen: the status line, the five panels, the lesson panel, the footer — and
the layout classes a terminal's size sets (``compact``, ``too-small``)."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from tui.app import digits_keys
from tui.app.widgets.diagram import NetworkDiagram
from tui.app.widgets.footer import KeyFooter
from tui.app.widgets.inspector import Inspector
from tui.app.widgets.lesson import LessonPanel
from tui.app.widgets.loss_chart import LossChart
from tui.app.widgets.narration import Narration
from tui.app.widgets.predictions import Predictions
from tui.app.widgets.status import StatusLine

COMPACT_WIDTH, COMPACT_HEIGHT = 110, 34
MIN_WIDTH, MIN_HEIGHT = 60, 18

#: panel id → its border title
TITLES = {"diagram": "network", "inspector-box": "neuron", "narration": "chain rule",
          "loss": "loss", "predictions": "predictions"}


class MainScreen(Screen):
    """The debugger's screen (the first on the App's stack).  Posts :class:`Ready` once
    its panels are mounted (the App then sizes them, opens a lesson and draws)."""

    class Ready(Message):
        """The panels are mounted."""

    #: whether the screen is drawn on the terminal: not until the App has filled the panels
    #: (:meth:`start_painting`).  Before that a layout is made (the App needs the panels'
    #: sizes for their first frame) but not painted, so the terminal's first frame is the
    #: full one, not empty panels first and the frame a refresh later (start-up time: one
    #: render and one terminal update fewer, ≈ 15–25 ms; bench/README.md)
    painting = False

    def start_painting(self) -> None:
        """Draw from now on, the whole screen at the next refresh."""
        if self.painting:
            return
        self.painting = True
        compositor = self._compositor  # (Textual's) what the skipped refreshes left undrawn
        compositor._dirty_regions.add(compositor.size.region)
        self.refresh()

    def _compositor_refresh(self) -> None:
        """(Textual) Paint the screen: not before :meth:`start_painting`."""
        if self.painting:
            super()._compositor_refresh()

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield Static(id="too-small")
        with Grid(id="main"):
            # digits (tui/app/digits_keys.py): on image tasks
            yield from digits_keys.compose_before(self.app.session)
            yield NetworkDiagram(id="diagram", classes="panel")
            with VerticalScroll(id="inspector-box", classes="panel"):
                yield Inspector(id="inspector")
            yield Narration(id="narration", classes="panel")
            yield LossChart(id="loss", classes="panel")
            yield Predictions(id="predictions", classes="panel")
            yield from digits_keys.compose_after(self.app.session)
        # the lesson panel (and its six children, hidden without a lesson): composed when a
        # lesson opens at start, else mounted when one first opens (LessonMode.panel):
        # seven hidden widgets fewer to compose and style before the first frame (start-up)
        if self.app.lessons.active:
            yield LessonPanel(id="lesson", classes="panel")
        # the palette's key is in the help and the table (ctrl+p), not the footer
        yield KeyFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        for wid, title in TITLES.items():
            self.query_one(f"#{wid}").border_title = title
        # arrow keys select neurons: scrolling panels must not take focus (the mouse scrolls them)
        panels = [self.query_one(f"#{wid}") for wid in TITLES]
        for panel in panels:
            panel.can_focus = False
        if self.focused in panels:  # auto-focus may have come first (PgDn scrolled the
            self.set_focus(None)    # neuron panel instead of the chain rule)
        self.post_message(self.Ready())

    def fit(self, width: int, height: int) -> None:
        """Set the layout classes for a ``width`` × ``height`` terminal."""
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        self.set_class(width < COMPACT_WIDTH or height < COMPACT_HEIGHT, "compact")
        self.set_class(small, "too-small")
        if small:
            self.query_one("#too-small", Static).update(
                f"Make the window larger: tinynet-tui needs {MIN_WIDTH}×{MIN_HEIGHT} "
                f"(now {width}×{height}).", layout=False)
