"""The Textual app: a step-debugger for backprop.

Data flows one way.  Key presses call :class:`~tui.session.Session` methods,
which run the engine; a timer (and every action) then copies what the engine
holds into the widgets, which only draw it.  Playing runs in a thread worker
that trains whole epochs under the session lock; the screen redraws on its own
timer at a bounded rate (``REDRAW_HZ``), so the UI never waits for training.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.events import Resize
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from nn import Granularity, Phase, datasets

from .config import Problem
from .export import export_all
from .format import neuron_name, num
from .screens.breakpoints import BreakpointsScreen
from .screens.gradcheck import GradCheckScreen
from .screens.help import HelpScreen
from .screens.changes import ChangesScreen
from .screens.number import NumberScreen, parse_edit, parse_epoch, parse_lr, parse_number
from .session import Session
from .trace import write_csv, write_markdown
from .widgets.diagram import DiagramData, NetworkDiagram
from .widgets.inspector import Inspector, NeuronView
from .widgets.loss_chart import LossChart, last_loss_text
from .widgets.narration import Narration, narrate
from .widgets.predictions import Predictions, maps, rasterise, truth_table

REDRAW_HZ = 24
REDRAW_TARGET_HZ = 20  # while playing, the worker waits for the screen below this rate
COMPACT_WIDTH, COMPACT_HEIGHT = 110, 34
MIN_WIDTH, MIN_HEIGHT = 60, 18
PLAY_CHUNK_S = 0.006  # longest time the worker trains (holding the lock and the GIL) at a time
PLAY_REST_S = 0.006   # then it rests, so the UI thread gets the GIL to draw and answer keys
MAX_WAIT_FOR_REDRAW_S = 0.03  # longer rests while the screen is behind its redraw rate


class TinyNetApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "tinynet-tui"
    ENABLE_COMMAND_PALETTE = False

    # Footer shows the short description (the help screen the tooltip); help and
    # quit come first so they stay visible in narrow terminals.
    BINDINGS = [
        Binding("question_mark", "help", "help", tooltip="help: every key"),
        Binding("q", "quit", "quit"),
        Binding("n,right", "step", "step", tooltip="one step at the current granularity"),
        Binding("b,left", "back", "back", tooltip="one step back at the current granularity"),
        Binding("g", "granularity", "grain", tooltip="granularity: neuron → layer → phase → epoch"),
        Binding("space", "play", "play", tooltip="play / pause whole epochs"),
        Binding("plus,equals_sign", "speed(1)", "faster", show=False, tooltip="play faster"),
        Binding("minus", "speed(-1)", "slower", show=False, tooltip="play slower"),
        Binding("up", "select(-1)", "prev neuron", show=False, tooltip="select the previous neuron"),
        Binding("down", "select(1)", "next neuron", show=False, tooltip="select the next neuron"),
        Binding("left_square_bracket", "sample(-1)", "prev sample", show=False,
                tooltip="previous sample (diagram and narration)"),
        Binding("right_square_bracket", "sample(1)", "next sample", show=False,
                tooltip="next sample (diagram and narration)"),
        Binding("j", "jump", "jump", show=False, tooltip="jump back to the start of an epoch"),
        Binding("d", "changes", "changes", show=False,
                tooltip="which weights moved most since an earlier epoch"),
        Binding("w", "edit", "edit", show=False,
                tooltip="edit a weight or bias of the selected neuron by hand"),
        Binding("r", "reset", "reset", tooltip="reset to the same initial weights"),
        Binding("R", "new_seed", "new seed", show=False, tooltip="new seed: new initial weights"),
        Binding("t", "next_task", "task", tooltip="next task: and, xor, regression, circle, spiral"),
        Binding("l", "learning_rate", "lr", tooltip="change the learning rate"),
        Binding("k", "breakpoints", "bkpts", tooltip="breakpoints: pause playing when …"),
        Binding("c", "gradcheck", "check", tooltip="gradient check: backprop vs finite differences"),
        Binding("y", "log_scale", "log y", show=False, tooltip="loss chart: log₁₀ ⇄ linear"),
        Binding("v", "swap_panel", "swap", show=False,
                tooltip="small screens: show loss chart ⇄ predictions"),
        Binding("e", "export", "export", tooltip="export Matplotlib PNGs (loss, 3D surface)"),
        Binding("s", "save", "save", tooltip="save the model (.npz)"),
        Binding("S", "save_session", "save session", show=False,
                tooltip="save the session (config + every action) for --replay"),
        Binding("z", "quiz", "quiz", show=False,
                tooltip="quiz mode: predict δ or the updated weight before each step"),
        Binding("x", "export_trace", "trace", show=False,
                tooltip="export the step-by-step trace as CSV and Markdown"),
    ]

    def __init__(self, problem: Problem, export_dir: Path | None = None,
                 save_dir: Path | None = None, replay: list[dict] | None = None) -> None:
        super().__init__()
        self.session = Session(problem)
        if replay:
            self.session.replay(replay)
        self.export_dir = Path(export_dir or "tinynet-export")
        self.save_dir = Path(save_dir or ".")
        self.playing = False
        self.last_redraw = time.perf_counter()
        self.last_breakpoint: str | None = None
        self._drawn_version = -1
        self.redraws = 0

    # ---------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        yield Static(id="status")
        yield Static(id="too-small")
        with Grid(id="main"):
            yield NetworkDiagram(id="diagram", classes="panel")
            with VerticalScroll(id="inspector-box", classes="panel"):
                yield Inspector(id="inspector")
            yield Narration(id="narration", classes="panel")
            yield LossChart(id="loss", classes="panel")
            yield Predictions(id="predictions", classes="panel")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        titles = {"diagram": "network", "inspector-box": "neuron", "narration": "chain rule",
                  "loss": "loss", "predictions": "predictions"}
        for wid, title in titles.items():
            self.query_one(f"#{wid}").border_title = title
        # arrow keys select neurons: the scrolling inspector must not take focus (mouse scrolls it)
        self.query_one("#inspector-box").can_focus = False
        self._apply_size(self.size.width, self.size.height)
        self.set_interval(1 / REDRAW_HZ, self.redraw)
        self.redraw()

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

    # ------------------------------------------------------------ rendering
    def redraw(self, force: bool = False) -> None:
        """Copy the engine's state into the widgets (only if something changed)."""
        s = self.session
        if not force and s.version == self._drawn_version:
            return
        # huge weights (a blow-up about to be caught) must not print NumPy warnings over the UI
        with s.lock, np.errstate(all="ignore"):
            self._drawn_version = s.version
            self.redraws += 1
            self.last_redraw = time.perf_counter()
            self.query_one("#status", Static).update(self._status_text(), layout=False)
            self.query_one(NetworkDiagram).show(self._diagram_data())
            self.query_one(Inspector).show(self._neuron_view())
            j = s.selected[1]
            event = s.event_for_selected()
            act = s.net.layers[event.layer].activation.symbol if event and event.layer is not None \
                else s.net.layers[-1].activation.symbol
            self.query_one(Narration).show(narrate(event, j, s.sample, len(s.net.layers), act,
                                                   len(s.problem.X)))
            losses = list(s.stepper.losses)
            self.query_one(LossChart).show(losses, f"{s.config.label} · epoch {s.stepper.epoch}")
            self.query_one(Predictions).show(self._predictions())

    def _status_text(self) -> Text:
        s = self.session
        st = s.stepper
        t = Text()
        t.append(f" {s.config.label} ", style="bold black on cyan")
        t.append(f" {s.net.describe()} · lr {s.config.lr:g} · step: ")
        t.append(s.granularity.value, style="bold yellow")
        t.append(f" · epoch {st.epoch} · loss {last_loss_text(st.losses)} · ")
        if st.halted:
            t.append("⚠ stopped: NaN/inf", style="bold red")
        elif self.playing:
            speed = "max" if s.speed == 0 else f"{s.speed}/s"
            t.append(f"▶ playing {speed}", style="bold green")
        elif self.last_breakpoint and st.breakpoint:
            t.append("⏸ breakpoint", style="bold yellow")
        else:
            t.append("⏸ paused", style="bold")
        if s.breakpoints.any_enabled():
            t.append(" · ● bp", style="red")
        if s.quiz.on:
            t.append(f" · quiz {s.quiz.right}/{s.quiz.asked}", style="bold magenta")
        t.append(" · ? help", style="dim")
        return t

    def _diagram_data(self) -> DiagramData:
        s = self.session
        st, net, i = s.stepper, s.net, s.sample
        acts = [layer.a[i].copy() if len(layer.a) > i else np.zeros(layer.n_out)
                for layer in net.layers]
        u = st.next_unit
        where = "" if u.layer is None else f" layer {u.layer}" + (
            f" neuron {u.neuron}" if s.granularity is Granularity.NEURON else "")
        caption = f"epoch {st.epoch} · next: {u.phase.value}{where} · sample {i}"
        return DiagramData(sizes=net.sizes, weights=[l.W.copy() for l in net.layers],
                           inputs=s.problem.X[i], activations=acts,
                           activation_symbols=[l.activation.symbol for l in net.layers],
                           selected=s.selected,
                           highlighted=s.current_unit_neurons(), stale=st.stale_neurons(),
                           caption=caption)

    def _neuron_view(self) -> NeuronView:
        s = self.session
        l, j = s.selected
        layer = s.net.layers[l]
        n = layer.neurons[j]
        cw, cb = s.stepper.changes[l]
        has = len(layer.a) > 0
        return NeuronView(layer=l, index=j, n_layers=len(s.net.layers),
                          activation=layer.activation.name, w=n.w.copy(), b=n.b,
                          dw=n.dw.copy(), db=n.db, change_w=cw[:, j].copy(),
                          change_b=float(cb[j]),
                          z=n.z.copy() if has else np.zeros(0),
                          a=n.a.copy() if has else np.zeros(0),
                          delta=n.delta.copy() if len(layer.delta) else np.zeros(0),
                          sample=s.sample, stale=(l, j) in s.stepper.stale_neurons())

    def _predictions(self):
        s = self.session
        X, y = s.problem.X, s.problem.y
        if s.config.is_gate:
            return truth_table(X, y, s.net.predict(X))
        size = self.query_one(Predictions).content_size
        cols = min(40, max(8, (size.width - 2) // 2))       # two maps side by side
        rows = min(40, max(4, (size.height - 2) * 2)) // 2 * 2  # two pixels per line
        pts = datasets.pixel_grid(cols, rows)
        pred = s.net.predict(pts).reshape(rows, cols)
        truth = s.config.target_function
        target = truth(pts).reshape(rows, cols) if truth else rasterise(X, y, rows, cols)
        lo = float(np.nanmin(y))
        hi = float(np.nanmax(y))
        return maps(pred, target, lo, hi)

    # --------------------------------------------------------------- actions
    def action_step(self) -> None:
        if self.playing:
            self.pause()
        s = self.session
        if s.quiz.on and not s.is_halted and s.phase in (Phase.BACKWARD, Phase.UPDATE):
            self._ask_quiz()
            return
        self._do_step()

    def _do_step(self) -> None:
        events = self.session.step()
        if self.session.is_halted and events and events[-1].problem:
            self.notify(events[-1].problem, title="Training paused", severity="error")
        self.redraw()

    def action_quiz(self) -> None:
        q = self.session.quiz
        q.on = not q.on
        if q.on:
            self.session.granularity = Granularity.NEURON
            self.notify("Quiz on: before each backward or update step, predict the value "
                        "(within 1 % counts). Step granularity set to neuron.", timeout=5)
        else:
            self.notify(f"Quiz off · score {q.right}/{q.asked}", timeout=3)
        self.session.touch()
        self.redraw()

    def _ask_quiz(self) -> None:
        s = self.session
        unit = s.stepper.next_unit
        name = neuron_name(unit.layer, unit.neuron, len(s.net.layers))
        if unit.phase is Phase.BACKWARD:
            question = f"Quiz: δ of {name} for sample {s.sample} = ?"
        else:
            question = f"Quiz: {name}.w1 after this update (lr {s.config.lr:g}) = ?"

        def answered(value) -> None:
            if value is None:
                self.notify("question skipped (no step taken)", timeout=2)
                return
            events = self.session.step()
            if not events or events[-1].problem:
                self.redraw()
                return
            v = events[-1].values
            truth = float(v["delta"][s.sample, 0] if unit.phase is Phase.BACKWARD
                          else v["w_after"][0, 0])
            ok = s.quiz.score(float(value), truth)
            self.notify(f"true value {num(truth, 6)}; you said {num(value, 6)} "
                        f"(off by {num(abs(value - truth), 3)}) · score {s.quiz.right}/{s.quiz.asked}",
                        title="✓ right" if ok else "✗ not quite",
                        severity="information" if ok else "warning", timeout=6)
            self.redraw()

        self.push_screen(NumberScreen(question, "", parse=parse_number), answered)

    def action_save_session(self) -> None:
        s = self.session
        path = self.save_dir / f"tinynet-session-{s.config.label}-epoch{s.stepper.epoch}.json"
        try:
            written = s.save_session(path)
        except ValueError as exc:
            self.notify(str(exc), title="Save failed", severity="error")
            return
        self.notify(f"{written} ({len(s.actions)} actions); replay with "
                    f"tinynet-tui --replay {written.name}", title="Session saved")

    def action_back(self) -> None:
        if self.playing:
            self.pause()
        if not self.session.back():
            self.notify("already at the start (epoch 0)", timeout=1.5)
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
                self.notify(str(exc), severity="warning")
            self.redraw()

        self.push_screen(NumberScreen(
            f"Jump back to the start of epoch ({oldest}–{st.epoch})", str(st.epoch),
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
            self.push_screen(ChangesScreen(before, after, int(value), st.epoch, st.cursor,
                                           len(self.session.net.layers)))

        self.push_screen(NumberScreen(
            f"Compare the weights now with the start of epoch ({oldest}–{st.epoch})", str(oldest),
            parse=lambda text: parse_epoch(text, oldest, st.epoch)), show)

    def action_edit(self) -> None:
        self.pause()
        s = self.session
        layer, j = s.selected
        neuron = s.net.layers[layer].neurons[j]
        name = neuron_name(layer, j, len(s.net.layers))

        def apply(value) -> None:
            if value is None:
                return
            weight, number = value
            s.edit(layer, j, weight, number)
            what = "b" if weight is None else f"w{weight + 1}"
            self.notify(f"{name}.{what} = {number:g}; forward pass and loss recomputed", timeout=3)
            self.redraw()

        self.push_screen(NumberScreen(
            f"Edit {name} (as of the start of epoch {s.stepper.epoch}): w1…w{len(neuron.w)} or b",
            f"w1 {neuron.w[0]:.6g}", parse=lambda text: parse_edit(text, len(neuron.w))), apply)

    def action_granularity(self) -> None:
        g = self.session.cycle_granularity()
        self.notify(f"one step = one {g.value}", timeout=1.5)
        self.redraw()

    def action_play(self) -> None:
        if self.playing:
            self.pause()
        elif self.session.is_halted:
            self.notify("Training stopped on NaN/inf: press r to reset or l to lower lr.",
                        severity="warning")
        else:
            self.playing = True
            self.session.touch()
            self.play_worker()
        self.redraw()

    def pause(self) -> None:
        self.playing = False
        self.workers.cancel_group(self, "play")
        self.session.touch()

    def action_speed(self, delta: int) -> None:
        speed = self.session.change_speed(delta)
        self.notify(f"speed: {'max' if speed == 0 else f'{speed} epochs/s'}", timeout=1.5)
        self.redraw()

    def action_select(self, delta: int) -> None:
        self.session.move_selection(delta)
        self.redraw()

    def action_sample(self, delta: int) -> None:
        self.session.move_sample(delta)
        self.redraw()

    def on_network_diagram_neuron_clicked(self, message: NetworkDiagram.NeuronClicked) -> None:
        self.session.select(message.layer, message.neuron)
        self.redraw()

    def action_reset(self) -> None:
        self.pause()
        self.session.reset()
        self.notify("reset to the initial weights (epoch 0)", timeout=2)
        self.redraw()

    def action_new_seed(self) -> None:
        self.pause()
        seed = self.session.new_seed()
        self.notify(f"new weights from seed {seed}", timeout=2)
        self.redraw()

    def action_next_task(self) -> None:
        self.pause()
        task = self.session.next_task()
        self.notify(f"task: {task} ({self.session.net.describe()}, lr {self.session.config.lr:g})",
                    timeout=2)
        self.redraw()

    def action_learning_rate(self) -> None:
        self.pause()

        def apply(value: float | None) -> None:
            if value is not None:
                self.session.set_lr(value)
                self.notify(f"learning rate {value:g}", timeout=2)
                self.redraw()

        self.push_screen(NumberScreen(
            f"Learning rate (now {self.session.config.lr:g})", f"{self.session.config.lr:g}",
            parse=parse_lr), apply)

    def action_log_scale(self) -> None:
        log = self.query_one(LossChart).toggle_log()
        self.session.touch()
        self.notify("loss axis: " + ("log₁₀" if log else "linear"), timeout=1.5)
        self.redraw()

    def action_swap_panel(self) -> None:
        self.screen_stack[0].toggle_class("show-predictions")
        self.session.touch()
        self.redraw()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.BINDINGS))

    def action_save(self) -> None:
        s = self.session
        path = self.save_dir / f"tinynet-{s.config.label}-epoch{s.stepper.epoch}.npz"
        try:
            written = s.save(path)
        except (OSError, ValueError) as exc:
            self.notify(str(exc), title="Save failed", severity="error")
            return
        self.notify(f"saved {written}", title="Model saved")

    def _export_folder(self) -> Path:
        """Where exports of the current state go: <export_dir>/<task>-epoch<N>."""
        s = self.session
        return self.export_dir / f"{s.config.label}-epoch{s.stepper.epoch}"

    def action_export(self) -> None:
        s = self.session
        with s.lock:
            losses = list(s.stepper.losses)
            net = s.net.copy()
            truth = s.config.target_function
            folder = self._export_folder()
        self.notify(f"exporting to {folder} …", timeout=2)
        self.export_worker(folder, losses, net, truth, f"{s.config.label} {net.describe()}")

    def action_export_trace(self) -> None:
        s = self.session
        with s.lock:
            events = s.trace_events()
            folder = self._export_folder()
            title = f"tinynet-tui trace: {s.config.label} {s.net.describe()}, lr {s.config.lr:g}"
        if not events:
            self.notify("nothing to export yet: take some steps with n first", severity="warning")
            return
        try:
            folder.mkdir(parents=True, exist_ok=True)
            write_csv(events, folder / "trace.csv")
            write_markdown(events, folder / "trace.md", title)
        except OSError as exc:
            self.notify(f"{folder}: {exc.strerror or exc}", title="Export failed", severity="error")
            return
        self.notify(f"{folder}/ (trace.csv, trace.md: {len(events)} events)", title="Trace exported")

    @work(thread=True, group="export")
    def export_worker(self, folder: Path, losses, net, truth, title: str) -> None:
        """Matplotlib export in a thread; ``truth`` is the true function, if the task has one."""
        try:
            written = export_all(folder, losses, net.predict if truth else None, truth,
                                 title=f"{title}: training loss")
        except (OSError, ValueError) as exc:
            self.call_from_thread(self.notify, f"{folder}: {exc}", title="Export failed",
                                  severity="error")
            return
        names = ", ".join(p.name for p in written)
        self.call_from_thread(self.notify, f"{folder}/ ({names})", title="Exported")

    # ------------------------------------------------------------------ play
    @work(thread=True, exclusive=True, group="play")
    def play_worker(self) -> None:
        """Train whole epochs at the chosen speed until paused or halted."""
        worker = get_current_worker()
        s = self.session
        start, done, per_epoch = time.perf_counter(), 0, 1e-4
        speed = s.speed
        while self.playing and not worker.is_cancelled:
            if s.speed != speed:  # speed changed: restart the clock
                start, done, speed = time.perf_counter(), 0, s.speed
            budget = max(1, int(PLAY_CHUNK_S / per_epoch))
            if speed:
                due = int(speed * (time.perf_counter() - start)) - done
                n = min(due, budget)
            else:
                n = budget
            if n <= 0:
                time.sleep(min(0.02, 1 / max(speed, 1)))
                continue
            t = time.perf_counter()
            ran = s.play_chunk(n)
            if ran:
                per_epoch = max(1e-6, (time.perf_counter() - t) / ran)
            done += ran
            if s.is_halted:
                self.call_from_thread(self._halted)
                return
            if s.stepper.breakpoint:
                self.call_from_thread(self._breakpoint_hit, s.stepper.breakpoint)
                return
            # the screen comes first: if it is falling behind, wait (briefly) for a redraw
            drawn = self.last_redraw
            waited = 0.0
            time.sleep(PLAY_REST_S)
            while (time.perf_counter() - drawn > 1 / REDRAW_TARGET_HZ and self.last_redraw == drawn
                   and waited < MAX_WAIT_FOR_REDRAW_S and self.playing):
                time.sleep(0.002)
                waited += 0.002

    def _breakpoint_hit(self, reason: str) -> None:
        self.playing = False
        self.last_breakpoint = reason
        self.notify(reason, title="Breakpoint", severity="warning", timeout=8)
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

    def _halted(self) -> None:
        self.playing = False
        problem = self.session.stepper.halted.problem if self.session.stepper.halted else ""
        self.notify(problem + " — press r to reset or l to lower the learning rate",
                    title="Training paused", severity="error")
        self.session.touch()
        self.redraw()


def main() -> None:  # pragma: no cover - thin wrapper kept for `python -m tui.app`
    from .cli import main as cli_main

    raise SystemExit(cli_main())
