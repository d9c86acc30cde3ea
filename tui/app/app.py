"""The Textual app: a step-debugger for backprop.

Data flows one way.  Keys become :mod:`tui.core.actions` carried out by the
:class:`~tui.core.session.Session`, which runs the engine.  A timer then asks the
session for one immutable :class:`~tui.view.views.Frame` (built under its lock) and
hands each widget its part; widgets only draw.  Playing runs in a thread worker
(:mod:`tui.app.play`); files are written by :mod:`tui.core.files`; the quiz lives in
:mod:`tui.core.quiz`.  This module holds the bindings, the layout and the wiring.
"""
from __future__ import annotations

import asyncio
import dataclasses
import signal
import time
from pathlib import Path

from textual import events, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.css.query import NoMatches
from textual.events import Resize
from textual.widgets import Footer, Input, Static

from nn import Granularity
from nn.naming import neuron_name, weight_name

from tui.core import files as app_files

from tui.app import bandwidth
from tui.view.handout import snapshot, write_handout
from tui.core.actions import ActionError
from tui.core import pytorch_export
from tui.core.config import Problem
from tui.core.output import unused_path
from tui.core.format import num
from tui.view.frame import MAPS_NEED_TWO_INPUTS, PanelSizes, build_frame, maps_available
from tui.app.lesson_mode import LessonMode
from tui.app.play import Player
from tui.core.quiz import question
from tui.app.screens.breakpoints import BreakpointsScreen
from tui.app.screens.changes import ChangesScreen
from tui.app.screens.gradcheck import GradCheckScreen
from tui.app.screens.help import HelpScreen
from tui.app.screens.number import NumberScreen, parse_edit, parse_epoch, parse_lr, parse_number
from tui.core.session import Session
from tui.app.drawing_keys import DrawingKeys, map_hint
from tui.app.drawing_keys import bindings as drawing_bindings
from tui.app import digits_keys
from tui.app.digits_keys import DigitsKeys
from tui.app.widgets.compare import CompareScreen, SweepScreen
from tui.app.widgets.diagram import NetworkDiagram
from tui.app.widgets.inspector import Inspector
from tui.app.widgets.lesson import AnswerInput, LessonPanel
from tui.app.widgets.loss_chart import LossChart
from tui.app.widgets.narration import Narration
from tui.app.widgets.predictions import Predictions
from tui.app.widgets.status import StatusLine

REDRAW_HZ = 24
COMPACT_WIDTH, COMPACT_HEIGHT = 110, 34
MIN_WIDTH, MIN_HEIGHT = 60, 18


class TinyNetApp(DigitsKeys, DrawingKeys, App):
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: the share/follow subclasses live in tui/net
    TITLE = "tinynet-tui"
    ENABLE_COMMAND_PALETTE = False

    # Footer shows the short description (the help screen the tooltip); help and
    # quit come first so they stay visible in narrow terminals.
    BINDINGS = [
        Binding("question_mark", "help", "help", tooltip="help: every key and a glossary"),
        Binding("q", "quit", "quit", tooltip="quit"),
        Binding("n,right", "step", "step", tooltip="one step forward at the current granularity"),
        Binding("b,left", "back", "back", tooltip="step back in time at the current granularity "
                "(undo; not the backward pass)"),
        Binding("g", "granularity", "grain", tooltip="granularity: neuron → layer → phase → (batch) → epoch"),
        Binding("space", "play", "play", tooltip="play / pause whole epochs"),
        Binding("plus,equals_sign", "speed(1)", "faster", show=False, tooltip="play faster"),
        Binding("minus", "speed(-1)", "slower", show=False, tooltip="play slower"),
        Binding("up", "select(-1)", "prev neuron", show=False, priority=True,
                tooltip="select the previous neuron"),
        Binding("down", "select(1)", "next neuron", show=False, priority=True,
                tooltip="select the next neuron"),
        Binding("left_square_bracket", "sample(-1)", "prev sample", show=False,
                tooltip="previous sample (diagram, neuron panel and narration)"),
        Binding("right_square_bracket", "sample(1)", "next sample", show=False,
                tooltip="next sample (diagram, neuron panel and narration)"),
        Binding("j", "jump", "jump", show=False, tooltip="jump back in time to the start of an epoch"),
        Binding("d", "changes", "changes", show=False,
                tooltip="which weights moved most since an earlier epoch"),
        Binding("w", "edit", "edit", show=False,
                tooltip="edit a weight or bias of the selected neuron by hand"),
        Binding("r", "reset", "reset", tooltip="reset to the same initial weights (epoch 0)"),
        Binding("R", "new_seed", "new seed", show=False, tooltip="new seed: new initial weights"),
        Binding("t", "next_task", "task", show=False,
                tooltip="next task: and, xor, regression, circle, spiral, spiral3, blobs"),
        Binding("l", "learning_rate", "lr", tooltip="change the learning rate"),
        Binding("k", "breakpoints", "bkpts", show=False, tooltip="breakpoints: pause playing when …"),
        Binding("c", "gradcheck", "check", tooltip="gradient check: backprop vs finite differences"),
        Binding("y", "log_scale", "log y", show=False, tooltip="loss chart: log scale ⇄ linear"),
        Binding("v", "swap_panel", "swap", show=False,
                tooltip="small screens: show loss chart ⇄ predictions (in a lesson: "
                        "chain rule → loss → predictions)"),
        Binding("e", "export", "export", show=False,
                tooltip="export a handout: loss, decision boundary, neuron maps, branches "
                        "compared (PNG) and handout.md; digits: weights, confusion, mistakes)"),
        Binding("s", "save", "save", show=False, tooltip="save the model (.npz, never overwrites)"),
        Binding("S", "save_session", "save session", show=False,
                tooltip="save the session (config + every action) for --replay"),
        Binding("z", "quiz", "quiz", show=False,
                tooltip="quiz mode: predict δ or the updated weight before each step"),
        Binding("x", "export_trace", "trace", show=False,
                tooltip="export the step-by-step trace as CSV and Markdown"),
        Binding("L", "lessons", "lessons", show=False,
                tooltip="lessons: the list of lessons and chapters"),
        Binding("o", "slow_motion", "slow", show=False, tooltip="slow motion: one neuron "
                "every few seconds, narrated (+/− pace, any key pauses)"),
        Binding("p", "lesson_play", "play", show=False,
                tooltip="in a lesson: play as the chapter asks (else as space)"),
        Binding("pagedown,greater_than_sign", "next_chapter", "next chapter", show=False,
                tooltip="in a lesson: the next chapter (else: scroll the chain rule down)"),
        Binding("pageup,less_than_sign", "previous_chapter", "previous chapter", show=False,
                tooltip="in a lesson: the previous chapter (else: scroll the chain rule up)"),
        Binding("enter", "chapter_done", "next chapter", show=False,
                tooltip="in a lesson: the next chapter, once this one is done"),
        Binding("m", "neuron_map", "map", show=False,
                tooltip="the selected neuron's map, large, in the predictions area"),
        Binding("f", "fork", "fork", show=False,
                tooltip="fork this run into a branch (up to 4) at this very step"),
        Binding("a", "next_branch", "branch", show=False, tooltip="follow the next branch (A→B→…)"),
        Binding("F", "compare", "compare", show=False,
                tooltip="compare branches: curves, weight distances, diagrams"),
        Binding("W", "sweep", "sweep", show=False,
                tooltip="sweep seeds × lr for this task; Enter opens a run"),
        Binding("B", "batch_losses", "batch loss", show=False,
                tooltip="loss chart: each mini-batch's loss ⇄ each epoch's (with --batch)"),
        Binding("P", "export_pytorch", "PyTorch", show=False,
                tooltip="export this run as a PyTorch script that trains it again"),
    ] + drawing_bindings() + digits_keys.bindings()

    #: the terminal byte budget (KB/s; None: tui.app.bandwidth's default) and the most
    #: screen updates a second (None: as the budget allows); set from --max-kbps/--fps
    max_kbps: float | None = None
    fps: float | None = None

    def __init__(self, problem: Problem, export_dir: Path | None = None,
                 save_dir: Path | None = None, replay: list | None = None,
                 lesson=None, progress=None, replay_step=None) -> None:
        super().__init__()
        # a lesson brings its chapter's session (a second Session on the same network
        # would reset the network's buffers)
        self.session = lesson.chapter.session if lesson is not None else Session(problem)
        if replay:
            self.session.replay(replay, before=replay_step)
        self.export_dir = Path(export_dir or "tinynet-export")
        self.save_dir = Path(save_dir or ".")
        self.player = Player(self)
        self._drawn_version = -1
        self.redraws = 0
        self.frame = None  #: the last Frame drawn
        self.large_map = False  #: `m`: the selected neuron's map in the predictions area
        self.batch_losses = False  #: `B`: the loss chart shows every mini-batch's loss
        #: the open lesson (a tui.lessons.live.LessonSession) and slow motion
        self.lessons = LessonMode(self, lesson, progress)

    @property
    def playing(self) -> bool:
        return self.session.playing

    # ---------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield Static(id="too-small")
        with Grid(id="main"):
            yield from digits_keys.compose_before()  # digits (tui/app/digits_keys.py)
            yield NetworkDiagram(id="diagram", classes="panel")
            with VerticalScroll(id="inspector-box", classes="panel"):
                yield Inspector(id="inspector")
            yield Narration(id="narration", classes="panel")
            yield LossChart(id="loss", classes="panel")
            yield Predictions(id="predictions", classes="panel")
            yield from digits_keys.compose_after()
        yield LessonPanel(id="lesson", classes="panel")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        titles = {"diagram": "network", "inspector-box": "neuron", "narration": "chain rule",
                  "loss": "loss", "predictions": "predictions"}
        for wid, title in titles.items():
            self.query_one(f"#{wid}").border_title = title
        # arrow keys select neurons: scrolling panels must not take focus (the mouse scrolls them)
        panels = [self.query_one(f"#{wid}")
                  for wid in ("inspector-box", "narration", "loss", "predictions", "diagram")]
        for panel in panels:
            panel.can_focus = False
        self.digits_mount()
        if self.focused in panels:  # auto-focus may have come first (PgDn scrolled the
            self.set_focus(None)    # neuron panel instead of the chain rule)
        self._apply_size(self.size.width, self.size.height)
        if self.lessons.active:
            self.lessons.apply_classes()
            self.lessons.refresh(focus=True)
        self.set_interval(1 / REDRAW_HZ, self.redraw)
        self.redraw()
        bandwidth.install(self, max_kbps=self.max_kbps, fps=self.fps)
        try:  # SIGTERM/SIGHUP: leave the terminal as it was (alternate screen, mouse mode)
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGHUP):
                loop.add_signal_handler(sig, self.exit, None, 128 + sig)
        except (NotImplementedError, RuntimeError, ValueError):  # pragma: no cover - not Unix
            pass

    def on_resize(self, event: Resize) -> None:
        self._apply_size(event.size.width, event.size.height)

    def _apply_size(self, width: int, height: int) -> None:
        compact = width < COMPACT_WIDTH or height < COMPACT_HEIGHT
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        screen = self.screen_stack[0]
        screen.set_class(compact, "compact")
        screen.set_class(small, "too-small")
        if small:
            self.query_one("#too-small", Static).update(
                f"Make the window larger: tinynet-tui needs {MIN_WIDTH}×{MIN_HEIGHT} "
                f"(now {width}×{height}).", layout=False)
        self._drawn_version = -1
        self.call_after_refresh(self.redraw, True)  # panels that resample need their new size

    def say(self, message: str, **kwargs) -> None:
        """A notification; never read as markup (file names and messages are the user's)."""
        self.notify(message, markup=False, **kwargs)

    # ------------------------------------------------------------ rendering
    def panel_sizes(self) -> PanelSizes:
        size = self.query_one(Predictions).content_size
        diagram = self.query_one(NetworkDiagram).content_size
        return PanelSizes(loss_width=self.query_one(LossChart).size.width,
                          map_cols=min(40, max(8, (size.width - 2) // 2)),
                          map_rows=min(40, max(4, (size.height - 3) * 2)) // 2 * 2,
                          diagram_width=diagram.width, diagram_height=diagram.height,
                          large_map=self.large_map, batch_losses=self.batch_losses)

    def redraw(self, force: bool = False) -> None:
        """Draw the session's frame (only if something changed)."""
        if not self.is_running:  # a timer tick after exit began: the widgets are going
            return
        try:
            self._redraw(force)
        except NoMatches:  # quitting while a worker or a teacher still changes the session
            pass

    def _redraw(self, force: bool) -> None:
        self.lessons.observe()
        s = self.session
        if not force and s.version == self._drawn_version:
            return
        with s.lock:
            frame = build_frame(s, self.panel_sizes())
        self.frame = frame
        self._drawn_version = frame.version
        self.redraws += 1
        self.player.last_redraw = time.perf_counter()
        status = frame.status
        if self.lessons.slow:  # slow motion is a timer of the app's, not the session's playing
            status = dataclasses.replace(status, state="slow",
                                         speed=f"{self.lessons.pace:g} s/step")
        self.query_one(StatusLine).show(status)
        self.query_one(NetworkDiagram).show(frame.diagram)
        self.query_one(Inspector).show(frame.neuron)
        self.query_one(Narration).show(frame.narration)
        self.query_one(LossChart).show(frame.loss)
        self.query_one(Predictions).show(
            frame.predictions,
            hint=map_hint(s, getattr(self, "pen", None)) if self.large_map else None)
        self.digits_show(frame)

    # --------------------------------------------------------------- lessons
    async def on_event(self, event: events.Event) -> None:
        """Keys pass the lesson mode first: slow motion pauses on any key, and a chapter
        waiting for a key (``wait: key c``) sees the keys the app handled."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self.lessons.intercept(event.key):
                return
            in_app = len(self.screen_stack) == 1 and not isinstance(self.focused, Input)
            await super().on_event(event)
            if in_app:
                self.lessons.saw_key(event.character)
            return
        await super().on_event(event)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "lesson-answer":
            event.stop()
            self.lessons.answer(event.value)

    def on_answer_input_give_up(self, _message: AnswerInput.GiveUp) -> None:
        self.lessons.give_up()

    def action_lessons(self) -> None:
        self.pause()
        self.lessons.show_list()

    def action_slow_motion(self) -> None:
        self.lessons.toggle_slow()

    def action_lesson_play(self) -> None:
        if not self.lessons.play():
            self.action_play()

    def action_next_chapter(self) -> None:
        if self.lessons.active:
            self.lessons.next()
        else:  # a long narration (a hidden neuron's backward step at 80×24) scrolls by key
            self.query_one("#narration").scroll_page_down(animate=False)

    def action_previous_chapter(self) -> None:
        if self.lessons.active:
            self.lessons.back()
        else:
            self.query_one("#narration").scroll_page_up(animate=False)

    def action_chapter_done(self) -> None:
        run = self.lessons.run
        if run is not None and run.done:
            self.lessons.next()

    # --------------------------------------------------------------- actions
    def pause(self) -> None:
        if self.playing:
            self.player.stop()

    def action_step(self) -> None:
        self.pause()
        if self.digits_step():  # digits: a drawn digit steps on a copy of the network
            return
        s = self.session
        if s.is_halted:
            self.say("Training is stopped (NaN/inf): r resets, b steps back in time, l changes "
                     "the learning rate.", severity="warning")
            self.redraw()
            return
        if s.train_blocker:
            self.say(s.train_blocker, severity="warning")
            return
        q = question(s)
        if q is not None:
            self._ask(q)
            return
        events = s.step()
        if s.is_halted and events and events[-1].problem:
            self.say(events[-1].problem, title="Training paused", severity="error")
        self.redraw()

    def action_quiz(self) -> None:
        q = self.session.quiz
        q.on = not q.on
        if q.on:
            self.session.granularity = Granularity.NEURON
            self.say("Quiz on: before each backward or update step, predict the value "
                     "(within 1 % counts). Step granularity set to neuron.", timeout=5)
        else:
            self.say(f"Quiz off · score {q.right}/{q.asked}", timeout=3)
        self.session.touch()
        self.redraw()

    def _ask(self, q) -> None:
        s = self.session

        def answered(value) -> None:
            if value is None:
                self.say("question skipped (no step taken)", timeout=2)
                return
            events = s.step()
            if not events or events[-1].problem:
                self.redraw()
                return
            truth = q.truth(events[-1])
            ok = s.quiz.score(float(value), truth)
            self.say(f"true value {num(truth, 6)}; you said {num(value, 6)} "
                     f"(off by {num(abs(value - truth), 3)}) · score {s.quiz.right}/{s.quiz.asked}",
                     title="✓ right" if ok else "✗ not quite",
                     severity="information" if ok else "warning", timeout=6)
            self.redraw()

        self.push_screen(NumberScreen(q.text, "", parse=parse_number, dock_bottom=True), answered)

    def action_back(self) -> None:
        self.pause()
        if not self.session.back():
            self.say("already at the start (epoch 0)", timeout=1.5)
        self.redraw()

    def action_jump(self) -> None:
        self.pause()
        st = self.session.stepper
        oldest = st.oldest_epoch

        def apply(value: float | None) -> None:
            if value is None:
                return
            try:
                self.session.go_to_epoch(int(value))
            except ValueError as exc:
                self.say(str(exc), severity="warning")
            self.redraw()

        self.push_screen(NumberScreen(
            f"Jump back in time to the start of epoch ({oldest}–{st.epoch})", str(st.epoch),
            parse=lambda text: parse_epoch(text, oldest, st.epoch)), apply)

    def action_changes(self) -> None:
        self.pause()
        st = self.session.stepper
        oldest = st.oldest_epoch

        def show(value) -> None:
            if value is None:
                return
            with self.session.lock:
                before = st.snapshot(int(value))
                after = self.session.net.get_params()
                sizes = tuple(self.session.net.sizes)
            self.push_screen(ChangesScreen(before, after, int(value), st.epoch, st.cursor, sizes))

        self.push_screen(NumberScreen(
            f"Compare the weights now with the start of epoch ({oldest}–{st.epoch})", str(oldest),
            parse=lambda text: parse_epoch(text, oldest, st.epoch)), show)

    def action_edit(self) -> None:
        self.pause()
        s = self.session
        layer, j = s.selected
        neuron = s.net.layers[layer].neurons[j]
        name = neuron_name(layer, j, tuple(s.net.sizes))

        def apply(value) -> None:
            if value is None:
                return
            weight, number = value
            s.edit(layer, j, weight, number)
            what = "b" if weight is None else weight_name(weight)
            self.say(f"{name}: {what} = {number:g}; forward pass and loss recomputed", timeout=3)
            self.redraw()

        self.push_screen(NumberScreen(
            f"Edit {name} as of the start of epoch {s.stepper.epoch}: w1…w{len(neuron.w)} or b",
            f"w1 {neuron.w[0]:.6g}", parse=lambda text: parse_edit(text, len(neuron.w))), apply)

    def action_granularity(self) -> None:
        self.session.cycle_granularity()  # the status line and the diagram's caption say it
        self.redraw()

    def action_play(self) -> None:
        if self.playing:
            self.pause()
        elif self.session.is_halted:
            self.say("Training is stopped (NaN/inf): r resets, b steps back in time, l changes "
                     "the learning rate.", severity="warning")
        elif self.session.train_blocker:
            self.say(self.session.train_blocker, severity="warning")
        else:
            self.player.start()
        self.redraw()

    def action_speed(self, delta: int) -> None:
        speed = self.session.change_speed(delta)
        self.say(f"speed: {'max' if speed == 0 else f'{speed} epochs/s'}", timeout=1.5)
        self.redraw()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """↑/↓ are priority bindings (neuron selection); while a dialog is open they are
        its own keys (the lesson list, …)."""
        if action == "select" and len(self.screen_stack) > 1:
            return False
        return True

    def action_select(self, delta: int) -> None:
        if len(self.screen_stack) > 1:  # a dialog is open: its own keys
            return
        self.session.move_selection(delta)
        self.redraw()

    def action_sample(self, delta: int) -> None:
        if self.digits_walk(delta):  # digits: walking the test set's mistakes (i)
            return
        self.session.move_sample(delta)
        self.redraw()

    def on_network_diagram_neuron_clicked(self, message: NetworkDiagram.NeuronClicked) -> None:
        self.session.select(message.layer, message.neuron)
        self.redraw()

    def action_reset(self) -> None:
        self.pause()
        self.session.reset()
        self.say("reset to the initial weights (epoch 0)", timeout=2)
        self.redraw()

    def action_new_seed(self) -> None:
        self.pause()
        seed = self.session.new_seed()
        self.say(f"new weights from seed {seed}", timeout=2)
        self.redraw()

    def action_next_task(self) -> None:
        self.pause()
        task = self.session.next_task()
        self.say(f"task: {task} ({self.session.net.describe()}, lr {self.session.config.lr:g})",
                 timeout=2)
        self.redraw()

    def action_learning_rate(self) -> None:
        self.pause()

        def apply(value: float | None) -> None:
            if value is not None:
                self.session.set_lr(value)
                self.say(f"learning rate {value:g}", timeout=2)
                self.redraw()

        self.push_screen(NumberScreen(
            f"Learning rate (now {self.session.config.lr:g})", f"{self.session.config.lr:g}",
            parse=parse_lr), apply)

    def action_log_scale(self) -> None:
        log = self.query_one(LossChart).toggle_log()
        self.session.touch()
        self.say("loss axis: " + ("log scale" if log else "linear"), timeout=1.5)
        self.redraw()

    def action_swap_panel(self) -> None:
        if self.lessons.swap_panel():  # small-screen lesson layout: chain rule → loss → predictions
            return
        screen = self.screen_stack[0]
        if not (screen.has_class("compact") or screen.has_class("lesson")
                or screen.has_class("digits")):
            self.say("v swaps the loss chart and the predictions on a small screen; "
                     "here both are shown")
            return
        self.screen_stack[0].toggle_class("show-predictions")
        self.session.touch()
        self.call_after_refresh(self.redraw, True)  # after the layout gives the panel its size

    def action_neuron_map(self) -> None:
        if self.digits_toggle_large():  # digits: the selected neuron's picture large
            return
        if not maps_available(self.session.problem):
            self.say(MAPS_NEED_TWO_INPUTS)
            return
        self.large_map = not self.large_map
        # the compact layout shows the predictions cell for the map, as `v` does
        self.screen_stack[0].set_class(self.large_map, "show-predictions")
        self.session.touch()
        self.call_after_refresh(self.redraw, True)

    def action_batch_losses(self) -> None:
        if self.session.stepper.batch is None:
            self.say("one update per epoch (full batch): there are no mini-batch losses; "
                     "choose a batch size with N or --batch")
            return
        self.batch_losses = not self.batch_losses
        self.say("loss chart: " + ("each mini-batch's loss" if self.batch_losses
                                   else "each epoch's loss"), timeout=2)
        self.session.touch()
        self.redraw()

    # -------------------------------------------------------------- branches
    def action_fork(self) -> None:
        self.pause()
        try:
            i = self.session.fork()
        except ActionError as exc:
            self.say(str(exc), severity="warning")
            return
        self.say(f"forked: now following branch {'ABCD'[i]} (l changes its lr, a switches, "
                 "F compares)", timeout=4)
        self.redraw()

    def action_next_branch(self) -> None:
        s = self.session
        if len(s.branches) < 2:
            self.say("one run only: f forks it into a branch")
            return
        s.switch_branch((s.branch + 1) % len(s.branches))
        self.redraw()

    def action_compare(self) -> None:
        self.push_screen(CompareScreen())

    def action_sweep(self) -> None:
        self.pause()
        self.push_screen(SweepScreen())

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.BINDINGS))

    # ------------------------------------------------------------------ files
    def _save(self, write, title: str, describe) -> None:
        """Run ``write(session, folder)``; say what was written, or why it failed."""
        try:
            written = write(self.session, self.save_dir)
        except (OSError, ValueError) as exc:
            self.say(str(exc), title="Save failed", severity="error")
            return
        self.say(describe(written), title=title)

    def action_save(self) -> None:
        self._save(app_files.save_model, "Model saved", lambda path: f"saved {path}")

    def action_save_session(self) -> None:
        self._save(app_files.save_session, "Session saved",
                   lambda path: f"{path} ({len(self.session.actions)} actions); replay with "
                                f"tinynet-tui --replay {path.name}")

    def action_export(self) -> None:
        s = self.session
        with s.lock:
            folder = app_files.export_folder(s, self.export_dir)
            images = self.digits_export_job(s.net.copy())  # digits: weights, confusion, mistakes
        data = snapshot(s)  # copies under the lock; the figures are drawn in a thread
        self.say(f"exporting to {folder} …", timeout=2)
        self.export_worker(folder, data, images)

    def action_export_pytorch(self) -> None:
        """The current run, from its starting weights, as a standalone PyTorch script that
        trains it again and compares the losses (tui.core.pytorch_export; docs/pytorch.md)."""
        s = self.session
        with s.lock:
            run = pytorch_export.run_of_stepper(s.stepper, s.config.label, s.config.epochs)  # copies
        path = unused_path(self.export_dir / f"{s.config.label}-pytorch.py")
        self.say(f"writing {path} ({run.epochs} epochs) …", timeout=2)
        self.pytorch_worker(path, run)

    @work(thread=True, group="export")
    def pytorch_worker(self, path: Path, run) -> None:
        """Write the script in a thread: the engine trains the run again (up to 3 times)."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            written = pytorch_export.write(path, run)
        except (OSError, ValueError) as exc:
            self.call_from_thread(self.say, f"{path}: {exc}", title="Export failed",
                                  severity="error")
            return
        self.call_from_thread(self.say, f"{', '.join(map(str, written))}: python {path.name} "
                              f"trains these {run.epochs} epochs again in PyTorch",
                              title="PyTorch script")

    def action_export_trace(self) -> None:
        try:
            csv_path, md_path, count = app_files.export_trace(self.session, self.export_dir)
        except ValueError as exc:
            self.say(str(exc), severity="warning")
            return
        except OSError as exc:
            self.say(f"{exc.filename or self.export_dir}: {exc.strerror or exc}",
                     title="Export failed", severity="error")
            return
        self.say(f"{csv_path.parent}/ ({csv_path.name}, {md_path.name}: {count} events)",
                 title="Trace exported")

    @work(thread=True, group="export")
    def export_worker(self, folder: Path, data, images=None) -> None:
        """The handout (tui.view.handout: loss, boundary, neuron maps, branches, handout.md)
        drawn with Matplotlib in a thread; ``images(folder)`` adds an image task's pictures."""
        try:
            written = write_handout(folder, data)
            if images is not None:
                written += images(folder)
        except (OSError, ValueError) as exc:
            self.call_from_thread(self.say, f"{folder}: {exc}", title="Export failed",
                                  severity="error")
            return
        names = ", ".join(p.name for p in written)
        self.call_from_thread(self.say, f"{folder}/ ({names})", title="Exported")

    # ------------------------------------------------------------------ play
    def on_breakpoint(self, reason: str) -> None:
        self.session.playing = False
        self.say(reason, title="Breakpoint", severity="warning", timeout=8)
        self.session.touch()
        self.redraw()

    def on_halted(self) -> None:
        self.session.playing = False
        halted = self.session.stepper.halted
        self.say((halted.problem if halted else "") + " — r resets, b steps back in time, "
                 "l changes the learning rate", title="Training paused", severity="error")
        self.session.touch()
        self.redraw()

    def action_breakpoints(self) -> None:
        self.pause()

        def apply(value) -> None:
            if value is not None:
                self.session.breakpoints = value
                self.session.touch()
                self.redraw()

        self.push_screen(BreakpointsScreen(self.session.breakpoints), apply)

    def action_gradcheck(self) -> None:
        self.pause()
        s = self.session
        with s.lock:
            net = s.net.copy()
        self.push_screen(GradCheckScreen(net, s.problem.X, s.problem.y))
