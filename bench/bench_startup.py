"""Start-up: how long until the first full frame of ``tinynet-tui`` is on a terminal, against
a minimal Textual app (a Static and a Footer) in the same terminal, side by side.

    python bench/bench_startup.py [--runs 9] [--size 120x40] [--before DIR] [--floor]

Each run spawns a fresh Python in a pseudo-terminal (``TERM=xterm-256color``,
``COLORTERM=truecolor``) and reads what it writes through :class:`bench_pty.Screen` (a tiny
terminal model) until the screen shows the app's first full frame: for tinynet-tui the
status line's ``epoch 0``, the loss chart's axis label (the chart has drawn) and the
footer's ``quit``; for the minimal app its Static's text and its footer's ``quit``.  That is
the time a person waits, from pressing Enter to a usable screen: interpreter start, imports, app set-up, first layout
and first paint, and the terminal's own bytes.  One untimed run of each first writes the
bytecode (into a cache outside the checkout; see ``PYCACHE``) and warms the disk cache.  The
two apps then take turns (minimal, tinynet, minimal, …) so a change in the shared VM's speed
hits both alike; the table gives the median and the range of each, and the median ratio of
adjacent pairs — for the wall time a person waits and for the CPU time the process used
until then (``/proc/PID/schedstat``: far less disturbed by other programs on a shared
machine).  ``--root DIR`` times another checkout's tinynet-tui; ``--before DIR`` times
another checkout's beside this one's, in the same turns (e.g. before a change); ``--floor``
adds two floors: the minimal app after ``import numpy`` (NumPy alone), and **the same screen**
— a Textual app that imports NumPy and shows tinynet-tui's first frame as plain text in the
same widget tree (the same ids, classes, border titles, containers and footer keys, styled by
the same ``app.tcss``), with none of the project's code: what Textual and NumPy alone take to
put this screen on a terminal (:func:`same_screen_code`; the text is read from the app's own
first frame, headless, before the timing starts).  tinynet-tui cannot start faster than
either; the gap above the second is the project's own imports and first-frame work.
"""
from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import sys
import termios
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_pty import Screen  # noqa: E402  (bench/ is not a package)

MINIMAL = """
from textual.app import App
from textual.widgets import Footer, Static

class Minimal(App):
    BINDINGS = [("q", "quit", "quit")]

    def compose(self):
        yield Static("a minimal Textual app")
        yield Footer()

Minimal().run()
"""

#: compiled bytecode, outside the checkout: ``pip install`` compiles an installed app's modules,
#: so a run that compiled every module from source (PYTHONDONTWRITEBYTECODE=1, as on the team's
#: VM) would time the compiler (≈ 0.4 s for tui/ and nn/), not the start-up a user waits for
PYCACHE = os.path.join(os.environ.get("TMPDIR", "/tmp"), "tinynet-bench-pycache")

TINYNET = "import sys; from tui.cli.main import main; sys.exit(main([]))"

APPS = {"minimal": (MINIMAL, ("a minimal Textual app", "quit")),
        "tinynet-tui": (TINYNET, ("epoch 0", "loss (log scale)", "quit"))}


def _plain_lines(widget) -> str:
    """``widget``'s content as shown in the first frame: its lines inside its border and
    padding, as plain text (trailing spaces dropped)."""
    from textual.geometry import Region

    width, height = widget.region.width, widget.region.height
    gutter = widget.styles.gutter
    lines = widget.render_lines(Region(0, 0, width, height))
    rows = lines[gutter.top:height - gutter.bottom]
    return "\n".join("".join(seg.text for seg in line)[gutter.left:width - gutter.right].rstrip()
                     for line in rows)


def _same_screen_tree(node, out: list[str], depth: int) -> None:
    """Lines of a ``compose`` body that rebuild ``node``'s children as Textual's own
    containers and Statics holding their first frame's text (see :func:`same_screen_code`)."""
    from textual.containers import Grid, VerticalScroll
    from textual.widgets import Footer

    pad = "    " * depth
    for child in node.children:
        kw = f"id={child.id!r}, classes={' '.join(sorted(child.classes))!r}"
        if isinstance(child, Footer):
            out.append(f"{pad}yield Footer(compact=True, show_command_palette=False)")
            continue
        titles = f"border_title={child.border_title!r}, border_subtitle={child.border_subtitle!r}"
        kind = next((k for k in (Grid, VerticalScroll) if isinstance(child, k)), None)
        if kind is not None and child.children:
            out.append(f"{pad}with {kind.__name__}({kw}) as w:")
            out.append(f"{pad}    titled(w, {titles})")
            _same_screen_tree(child, out, depth + 1)
        else:
            text = _plain_lines(child) if child.display else ""
            out.append(f"{pad}yield titled(Static({text!r}, markup=False, {kw}), {titles})")


SAME_SCREEN = """
import numpy
from textual.app import App
from textual.containers import Grid, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

def titled(widget, border_title, border_subtitle):
    widget.border_title, widget.border_subtitle = border_title, border_subtitle
    return widget

class Main(Screen):
    def compose(self):
{body}

class SameScreen(App):
    CSS_PATH = {css!r}
    BINDINGS = {bindings!r}

    def get_default_screen(self):
        return Main(classes={classes!r})

SameScreen().run()
"""


def same_screen_code(cols: int, rows: int, root: Path = ROOT) -> str:
    """The source of the floor app for tinynet-tui's first frame at ``cols``×``rows``: NumPy
    imported, then a Textual app whose screen has the same tree as tinynet-tui's (each
    container as Textual's ``Grid``/``VerticalScroll``, each other widget a ``Static`` of the
    text it shows in the first frame, with its id, classes and border titles; the screen
    with the classes the app gave it, e.g. ``compact``), the app's ``app.tcss`` and a footer
    with the same keys.  Read from the app run headless here."""
    import asyncio

    sys.path.insert(0, str(root))
    from tui.app.app import TinyNetApp
    from tui.cli.main import _resolve_task, make_parser
    from tui.cli.options import config_from_args
    from tui.core.config import build

    args = make_parser(subcommands=False).parse_args([])  # what a plain `tinynet-tui` runs
    _resolve_task(args)

    async def read() -> tuple[list[str], list, str]:
        app = TinyNetApp(build(config_from_args(args)))
        async with app.run_test(size=(cols, rows)) as pilot:
            await pilot.pause()
            body: list[str] = []
            _same_screen_tree(app.screen, body, 2)
            shown = [(b.key, b.action, b.description)
                     for _node, b, _enabled, _tip in app.screen.active_bindings.values() if b.show]
            return body, shown, " ".join(sorted(app.screen.classes))

    body, bindings, classes = asyncio.run(read())
    css = str(Path(sys.modules["tui.app.app"].__file__).with_name("app.tcss"))
    return SAME_SCREEN.format(body="\n".join(body), css=css, bindings=bindings, classes=classes)


def cpu_seconds(pid: int) -> float:
    """CPU seconds the process ``pid`` has run so far (all its threads; Linux's
    ``/proc/PID/schedstat``, nanoseconds on a CPU), NaN where that is not readable."""
    try:
        total = 0
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        return total / 1e9
    except (OSError, ValueError, IndexError):
        return float("nan")


def first_frame(code: str, markers: tuple[str, ...], cols: int, rows: int,
                timeout: float = 30.0, root: Path = ROOT) -> tuple[float, float]:
    """(wall seconds, CPU seconds) from spawning ``python -c code`` in a pty until every
    marker is on screen: the wall time is what a person waits; the CPU time is the work the
    app did, which another program on a shared machine slows down far less."""
    env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor",
               PYTHONPATH=str(root) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               PYTHONPYCACHEPREFIX=PYCACHE)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed app has its bytecode (see above)
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the app
        os.chdir(root)
        os.execve(sys.executable, [sys.executable, "-c", code], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    screen = Screen(cols, rows)
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            screen.feed(data.decode("utf-8", "replace"))
            text = screen.text()
            if all(m in text for m in markers):
                return time.perf_counter() - start, cpu_seconds(pid)
        raise RuntimeError(f"no first frame within {timeout} s:\n{screen.text()}")
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--size", default="120x40")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the checkout whose tinynet-tui runs (default: this one)")
    parser.add_argument("--before", type=Path, metavar="DIR",
                        help="also time the tinynet-tui of checkout DIR (e.g. before a change), "
                             "in the same turns")
    parser.add_argument("--floor", action="store_true",
                        help="also time the minimal app after `import numpy` (what NumPy "
                             "alone costs)")
    args = parser.parse_args(argv)
    cols, rows = map(int, args.size.split("x"))
    minimal_code, minimal_markers = APPS["minimal"]
    tinynet_code, tinynet_markers = APPS["tinynet-tui"]
    runs = {"minimal": (minimal_code, minimal_markers, args.root)}
    if args.floor:
        runs["minimal+numpy"] = ("import numpy\n" + minimal_code, minimal_markers, args.root)
        runs["same screen"] = (same_screen_code(cols, rows, args.root), tinynet_markers, args.root)
    if args.before:
        runs["before"] = (tinynet_code, tinynet_markers, args.before.resolve())
    runs["tinynet-tui"] = (tinynet_code, tinynet_markers, args.root)
    wall: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    for code, markers, root in runs.values():  # bytecode and disk cache: not counted
        first_frame(code, markers, cols, rows, root=root)
    for _ in range(args.runs):
        for name, (code, markers, root) in runs.items():
            w, c = first_frame(code, markers, cols, rows, root=root)
            wall[name].append(w)
            cpu[name].append(c)
            time.sleep(0.2)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"first full frame, {args.runs} runs each at {cols}×{rows}, taking turns "
          f"(load average {load:.1f} at the end):")
    print(f"  {'':<14} {'wall median (min–max)':>26}  {'× minimal':>10}  "
          f"{'CPU median':>10}  {'× minimal':>9}")
    for name in runs:
        ratios = [t / m for t, m in zip(wall[name], wall["minimal"])]
        cpu_ratios = [t / m for t, m in zip(cpu[name], cpu["minimal"])]
        print(f"  {name:<14} {statistics.median(wall[name]):8.3f} s "
              f"({min(wall[name]):.3f}–{max(wall[name]):.3f})  "
              f"{statistics.median(ratios):9.2f}×  {statistics.median(cpu[name]):8.3f} s  "
              f"{statistics.median(cpu_ratios):8.2f}×")
    print("  (× minimal: the median of each run's ratio to the minimal app's run beside it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
