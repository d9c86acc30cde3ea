"""Helpers the test files share (one module; no test file imports another test file, and
fixtures stay in conftest.py).  ``from helpers import ...`` works because pytest puts the
tests folder on ``sys.path`` (rootdir-relative ``tests/`` without an ``__init__``).

Grouped by what they drive: the engine, the view's renderers, the App under Pilot,
lessons, the classroom (sockets), and a real terminal (a pty)."""
from __future__ import annotations

import io
import os
import re
import select
import time

import numpy as np
from rich.console import Console
from textual.app import App

from nn import Granularity, NeuralNetwork, Stepper
from tui.app.app import TinyNetApp
from tui.app.screens.settings import SettingsScreen
from tui.app.widgets.narration import Narration
from tui.core.config import RunConfig, build, with_settings
from tui.core.session import Session
from tui.app.lesson_mode import PANEL_IDS
from tui.lessons import catalogue, live, panels
from tui.lessons.format import load
from tui.lessons.progress import Progress
from tui.view.views import FRESH, Freshness, NeuronView

# ── the engine ──────────────────────────────────────────────────────────────────


def random_net(sizes, hidden="tanh", output="sigmoid", seed=0) -> NeuralNetwork:
    """A network of ``sizes`` with non-zero biases (so their gradients are exercised)."""
    net = NeuralNetwork.from_sizes(sizes, hidden, output, seed=seed)
    rng = np.random.default_rng(seed + 100)
    for layer in net.layers:
        layer.b[...] = rng.normal(0, 0.5, layer.b.shape)
    return net


def step_epoch(stepper: Stepper, plan) -> None:
    """Take the steps of ``plan`` (granularities) until the epoch is complete."""
    for g in plan:
        stepper.step(g)
        if stepper.at_epoch_start:
            break


def blown_up() -> Session:
    """A session: regression at lr 1000, stepped epoch by epoch until NaN/inf stops it."""
    session = Session(build(RunConfig(task="regression", lr=1000.0)))
    session.granularity = Granularity.EPOCH
    for _ in range(60):
        session.step()
        if session.is_halted:
            break
    return session


# ── the view's renderers ────────────────────────────────────────────────────────


def y_ticks(lines) -> list[str]:
    """The loss chart's y tick labels, top to bottom (``lines``: the drawn chart)."""
    return [line.split("┤")[0].strip() for line in lines if "┤" in line]


def x_ticks(lines) -> list[str]:
    """The loss chart's x tick labels, left to right."""
    axis = next(k for k, line in enumerate(lines) if "└" in line)
    return lines[axis + 1].split()


def plot_rows(lines) -> list[str]:
    """The inside of the plot frame, one string per row."""
    return [re.split(r"[┤│]", line, maxsplit=1)[1][:-1] for line in lines
            if ("┤" in line or line.lstrip().startswith("│")) and "┌" not in line]


def braille_in(ansi: str) -> dict[str, int]:
    """Braille cells per foreground colour (256-colour number) in plotext's ANSI text."""
    found: dict[str, int] = {}
    for m in re.finditer(r"((?:\x1b\[[0-9;]*m)+)([^\x1b]+)", ansi):
        colour = re.findall(r"38;5;(\d+)", m.group(1))
        for ch in m.group(2):
            if 0x2800 <= ord(ch) <= 0x28FF and colour:
                found[colour[-1]] = found.get(colour[-1], 0) + 1
    return found


#: values from epoch 0, not fresh (for the stale notes)
STALE0 = Freshness(0, False)


def neuron(forward=FRESH, backward=FRESH, update=FRESH, n=3, sample=1, delta=True) -> NeuronView:
    """A hand-made NeuronView whose numbers are known (z: n of 10 fixed values; a = z/10,
    δ = z/100); ``forward``/``backward``/``update``: how fresh each phase's values are."""
    A = np.array
    z = A([0.5, -1.25, 2.0, 0.125, -0.5, 3.0, 1.5, -2.0, 0.25, 4.0])[:n]
    return NeuronView(name="h₂", title="hidden layer 1 · sigmoid", input_names=("x₁", "x₂"),
                      w=A([0.5, -1.25]), b=0.125, dw=A([0.0625, -0.375]), db=-0.5,
                      change_w=A([-0.03125, 0.1875]), change_b=0.25, z=z, a=z / 10,
                      delta=z / 100 if delta else A([]), sample=sample,
                      forward=forward, backward=backward, update=update)


# ── the App under Pilot ─────────────────────────────────────────────────────────


def batch_session(**config) -> Session:
    """A session on ``RunConfig`` with ``config``'s settings whose stepper runs mini-batches
    of ``config["batch"]`` (made here if the session does not pass the batch size on yet)."""
    s = Session(build(with_settings(RunConfig(), **config)))
    batch = config.get("batch")
    if s.stepper.batch != (batch if batch and batch < len(s.problem.X) else None):
        p = s.problem
        s.branches[s.branch].stepper = Stepper(p.net, p.X, p.y, p.config.lr, batch=batch)
    return s


def make_app(tmp_path=None, **config) -> TinyNetApp:
    """The main app on ``RunConfig(**config)``; exports and saves go to ``tmp_path``."""
    return TinyNetApp(build(RunConfig(**config)), export_dir=tmp_path, save_dir=tmp_path)


def played(epochs: int, *keys: str):
    """A snapshot's ``run_before``: train ``epochs`` epochs the way playing does, press
    ``keys``, then draw the frame of the session as it is."""
    async def run(pilot):
        pilot.app.session.play_chunk(epochs)
        for key in keys:
            await pilot.press(key)
        await pilot.pause()
        pilot.app.redraw(force=True)
        await pilot.pause()
    return run


def plain(widget, width: int = 200) -> str:
    """What a Static (or the narration panel) shows, as plain text ``width`` columns wide."""
    if isinstance(widget, Narration):
        widget = widget.query_one("#narration-text")
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


def shown_lines(widget) -> list[str]:
    """The lines a widget shows on screen now, border included (right spaces cut)."""
    from textual.geometry import Region

    size = widget.outer_size
    return [strip.text.rstrip() for strip in
            widget.render_lines(Region(0, 0, size.width, size.height))]


def status(app) -> str:
    """The status line's text."""
    return plain(app.query_one("#status"))


class SettingsHost(App):
    """A bare App that opens the settings screen on ``session``; ``.result`` is what the
    screen dismissed with ("open" while it is open)."""

    def __init__(self, session):
        super().__init__()
        self.session, self.result = session, "open"

    def on_mount(self):
        self.push_screen(SettingsScreen(self.session), lambda r: setattr(self, "result", r))


# ── lessons ─────────────────────────────────────────────────────────────────────


#: the built-in lessons by name (name → path)
BUILTIN = catalogue.builtin_lessons()


def lesson_app(tmp_path, name: str, start: int = 0) -> TinyNetApp:
    """The app on built-in lesson ``name`` at chapter ``start`` (progress in ``tmp_path``)."""
    progress = Progress(tmp_path / "progress.json")
    ls = live.LessonSession(load(BUILTIN[name]), name, start, progress)
    return TinyNetApp(ls.chapter.session.problem, export_dir=tmp_path, save_dir=tmp_path,
                      lesson=ls, progress=progress)


def panel_text(app) -> str:
    """The lesson panel's text and to-do, as plain text (400 columns: no wrapping)."""
    return (plain(app.query_one("#lesson-text"), 400)
            + plain(app.query_one("#lesson-todo"), 400))


def on_screen(widget) -> bool:
    """Displayed, with a region inside the screen."""
    region = widget.region
    return widget.display and widget.visible and region.width > 2 and region.height > 2 \
        and widget.screen.region.contains_region(region)


def assert_named_panels_shown(app, ch) -> None:
    """Issue 22 item 6: every panel the chapter names (panel:, show:, its prose) is on
    screen, not zero-size, at this size (``maps``: the predictions area holds the large map)."""
    if app.screen.has_class("digits"):
        return
    for name in panels.named(ch):
        widget = app.query_one(f"#{PANEL_IDS[name]}")
        assert on_screen(widget), (ch.title, name, widget.region)
        if name == "maps":
            assert app.view.large_map and app.frame.predictions.neuron_map is not None
        elif name == "predictions":
            assert not app.view.large_map, (ch.title, "the map hides the predictions")


# ── the classroom (sockets) ─────────────────────────────────────────────────────

#: join-guard back-off (first delay, cap) small enough for tests that try wrong codes
FAST_BACKOFF = (0.02, 0.2)


def wait_until(predicate, timeout=20.0, what="condition"):
    """Poll ``predicate`` (every 5 ms) until it is true; AssertionError after ``timeout`` s."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.005)
    raise AssertionError(f"timed out waiting for {what}")


async def await_until(predicate, timeout=20.0, what="condition"):
    """``wait_until`` for a test inside the app's event loop: polls without blocking it."""
    import asyncio

    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


# ── a real terminal ─────────────────────────────────────────────────────────────


def read_until(fd, needle: bytes, timeout: float) -> bytes:
    """Read a pty's output until ``needle`` appears, it closes, or ``timeout`` s pass."""
    out = b""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
            if needle in out:
                break
    return out
