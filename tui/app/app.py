"""The Textual app: a step-debugger for backprop.  This module routes; it computes nothing.

Data flows one way.  Keys (one table: :mod:`tui.app.keys`) call ``action_…`` methods of
the controllers (:mod:`tui.app.controllers`), which change the
:class:`~tui.core.session.Session`; dialogs ``dismiss`` with a value the controller applies.
A timer then builds one immutable :class:`~tui.view.views.Frame` (under the session's lock)
whenever the session's version or the view state changed, and hands each widget of the
:class:`~tui.app.main_screen.MainScreen` its part; widgets only draw, and talk up by
messages.  Playing runs in a thread worker (:mod:`tui.app.play`) that reports by message.
"""
from __future__ import annotations

import asyncio
import dataclasses
import functools
import gc
import time
from pathlib import Path

from textual import events
from textual.app import ScreenStackError
from textual.app import App
from textual.css.query import NoMatches
from textual.events import Resize
from textual.widgets import Input

from tui.app import bandwidth, terminal_watch
from tui.app.controllers.files import FileKeys
from tui.app.controllers.lessons import LessonKeys
from tui.app.controllers.run import RunKeys
from tui.app.controllers.stepping import SteppingKeys
from tui.app.controllers.views import ViewKeys, ViewState
from tui.app.digits_keys import DigitsKeys
from tui.app.drawing_keys import DrawingKeys, map_hint
from tui.app.keys import KeyCommands, bindings
from tui.app.lesson_mode import LessonMode
from tui.app.main_screen import COMPACT_HEIGHT, COMPACT_WIDTH, MIN_HEIGHT, MIN_WIDTH, MainScreen
from tui.app.play import Player
from tui.core.first_run import HINT, map_legend
from tui.app.widgets.diagram import NetworkDiagram, color_system
from tui.app.widgets.inspector import Inspector
from tui.app.widgets.loss_chart import PLAYING_EVERY_S, LossChart
from tui.app.widgets.narration import Narration
from tui.app.widgets.predictions import Predictions
from tui.app.widgets.status import StatusLine
from tui.core.text import printable
from tui.core.config import Problem
from tui.core.session import Session
from tui.view.frame import PanelSizes, build_frame

__all__ = ["TinyNetApp", "REDRAW_HZ", "COMPACT_WIDTH", "COMPACT_HEIGHT", "MIN_WIDTH",
           "MIN_HEIGHT"]

REDRAW_HZ = 24


class TinyNetApp(DigitsKeys, SteppingKeys, RunKeys, ViewKeys, LessonKeys, FileKeys, DrawingKeys,
                 App):
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: the share/follow subclasses live in tui/net
    TITLE = "tinynet-tui"
    COMMANDS = {KeyCommands}  # ctrl+p: every key's action, found by its help text
    BINDINGS = bindings()     # from the key table, tui.app.keys.KEYS

    #: the terminal byte budget (KB/s; None: tui.app.bandwidth's default) and the most
    #: screen updates a second (None: as the budget allows); set from --max-kbps/--fps
    max_kbps: float | None = None
    fps: float | None = None

    def __init__(self, problem: Problem, export_dir: Path | None = None,
                 save_dir: Path | None = None, replay: list | None = None,
                 lesson=None, progress=None, replay_step=None, first_run=None) -> None:
        super().__init__()
        #: a tui.core.first_run.FirstRun: the first-start hint and the maps' legend (None: neither)
        self.first_run = first_run
        # a lesson brings its chapter's session (a second Session on the same network
        # would reset the network's buffers)
        self.session = lesson.chapter.session if lesson is not None else Session(problem)
        if replay:
            self.session.replay(replay, before=replay_step)
        self.export_dir = Path(export_dir or "tinynet-export")
        self.save_dir = Path(save_dir or ".")
        self.player = Player(self)
        self.view = ViewState()
        self._drawn: tuple | None = None  #: (session, its version, view key) last drawn
        self.redraws = 0
        self.frame = None  #: the last Frame drawn
        #: the open lesson (a tui.lessons.live.LessonSession) and slow motion
        self.lessons = LessonMode(self, lesson, progress)

    @property
    def playing(self) -> bool:
        return self.session.playing

    # ---------------------------------------------------------------- layout
    def get_default_screen(self) -> MainScreen:
        return MainScreen(id="_default")

    def on_main_screen_ready(self, _message: MainScreen.Ready) -> None:
        bandwidth.answer_now(self)  # the first screen is not held back by the byte budget
        self.digits_mount()
        self._apply_size(self.size.width, self.size.height)
        if self.lessons.active:
            self.lessons.apply_classes()
            self.lessons.refresh(focus=True)
        self.set_interval(1 / REDRAW_HZ, self._timed_redraw)
        self.redraw()
        self.screen_stack[0].start_painting()  # the panels have their frame: to the terminal
        # the command line held back garbage collection for the start-up
        # (tui.cli.main.collections_after_first_frame): on again once this frame is drawn
        self.call_after_refresh(gc.enable)
        if self.first_run is not None and self.first_run.fresh("hint"):
            self.notify(HINT, timeout=20, markup=False)

    def on_mount(self) -> None:
        bandwidth.install(self, max_kbps=self.max_kbps, fps=self.fps)
        try:  # SIGTERM/SIGHUP/a hung-up terminal: leave the terminal as it was (alternate
            # screen, mouse mode) if it is still there, and never linger (terminal_watch)
            terminal_watch.install(self, asyncio.get_running_loop())
        except (NotImplementedError, RuntimeError, ValueError):  # pragma: no cover - not Unix
            pass

    def on_resize(self, event: Resize) -> None:
        self._apply_size(event.size.width, event.size.height)

    def _apply_size(self, width: int, height: int) -> None:
        self.screen_stack[0].fit(width, height)
        self._drawn = None
        self.call_after_refresh(self.redraw, True)  # panels that resample need their new size

    def on_network_diagram_resized(self, _message) -> None:
        """A frame at the diagram's new size (its maps, and their legend, follow it)."""
        self.call_after_refresh(self.redraw, True)

    def say(self, message: str, **kwargs) -> None:
        """A notification; never read as markup (file names and messages are the user's),
        and every control or bidi character shown visibly (:func:`printable`)."""
        self.notify(printable(message, keep_newlines=True), markup=False, **kwargs)

    # ------------------------------------------------------------ rendering
    def panel_sizes(self) -> PanelSizes:
        size = self.query_one(Predictions).content_size
        diagram = self.query_one(NetworkDiagram).content_size
        return PanelSizes(loss_width=self.query_one(LossChart).size.width,
                          map_cols=min(40, max(8, (size.width - 2) // 2)),
                          map_rows=min(40, max(4, (size.height - 3) * 2)) // 2 * 2,
                          diagram_width=diagram.width, diagram_height=diagram.height,
                          large_map=self.view.large_map, batch_losses=self.view.batch_losses)

    def _timed_redraw(self) -> None:
        """The redraw timer's tick: nothing while the play worker asks for its own frames
        (:mod:`tui.app.play` paces them; the timer's would double the screen's work)."""
        if not self.player.driving:
            self.redraw()

    def redraw(self, force: bool = False) -> None:
        """Draw the session's frame (only if the session or the view state changed)."""
        if not self.is_running:  # a timer tick after exit began: the widgets are going
            return
        try:
            self._redraw(force)
        except NoMatches:  # quitting while a worker or a teacher still changes the session
            pass

    #: the selected neuron (layer, index) of the last neuron view built
    _neuron_of: tuple[int, int] | None = None

    def _draw_key(self) -> tuple:
        """What a frame is of: the session, its version and the view state."""
        s = self.session
        return id(s), s.version, self.view_key()

    def is_drawn(self) -> bool:
        """Whether the screen's frame is of the session and the view as they are now."""
        return self._drawn == self._draw_key()

    def _redraw(self, force: bool) -> None:
        self.lessons.observe()
        s = self.session
        key = self._draw_key()
        if not force and key == self._drawn:
            return
        inspector = self.query_one(Inspector)
        # the neuron view only for a frame the neuron panel shows (while playing, one every
        # PLAYING_EVERY_S), or when another neuron is selected (its `.` pages follow it)
        neuron = inspector.due(s.playing) or self._neuron_of != s.selected
        with s.lock:
            frame = build_frame(s, self.panel_sizes(), neuron=neuron)
            if neuron:
                self._neuron_of = s.selected
        self.player.frame_built()  # the play worker trains on while the widgets draw
        self.frame = frame
        self._drawn = (id(s), frame.version, key[2])
        self.redraws += 1
        self.player.last_redraw = time.perf_counter()
        status = frame.status
        if self.lessons.slow:  # slow motion is a timer of the app's, not the session's playing
            status = dataclasses.replace(status, state="slow",
                                         speed=f"{self.lessons.pace:g} s/step")
        self.query_one(StatusLine).show(status)
        if frame.diagram is not None:  # (None on image tasks: the diagram is hidden)
            # the maps' legend, with "m: large" until m is seen once; the diagram shows it
            # while it draws the maps (at each size it is drawn at: a resize can drop them)
            fresh = self.first_run is not None and not self.first_run.seen("map")
            self.query_one(NetworkDiagram).show(frame.diagram, legend=functools.partial(
                map_legend, color_system(self), fresh))
        if frame.neuron is not None:
            inspector.show(frame.neuron, playing=s.playing)
        self.query_one(Narration).show(frame.narration)
        self.swap_hints()  # the screen's classes are in the key: a new layout redraws
        chart = self.query_one(LossChart)
        chart.log_scale = self.view.log_scale
        chart.show(frame.loss, every=PLAYING_EVERY_S if s.playing else 0.0)
        self.query_one(Predictions).show(
            frame.predictions,
            hint=map_hint(s, getattr(self, "pen", None)) if self.view.large_map else None)
        self.digits_show(frame)  # digits: the weight grid, the picture, the confusion matrix

    # --------------------------------------------------------------- lessons
    async def on_event(self, event: events.Event) -> None:
        """Keys pass the lesson mode first: slow motion pauses on any key, and a chapter
        waiting for a key (``wait: key c``) sees the keys the app handled."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            if not self.screen_stack:  # typed before the first screen, or after the last
                return  # (Textual's binding check would raise ScreenStackError)
            if self.lessons.intercept(event.key):
                return
            in_app = len(self.screen_stack) == 1 and not isinstance(self.focused, Input)
            try:
                await super().on_event(event)
            except ScreenStackError:  # the last screen went while the key was on its way
                return
            if in_app:
                self.lessons.saw_key(event.character)
            return
        await super().on_event(event)
