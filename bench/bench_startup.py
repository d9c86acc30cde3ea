"""Start-up: how long until the first full frame of ``tinynet-tui`` is on a terminal, against
a minimal Textual app (a Static and a Footer) in the same terminal, side by side.

    python bench/bench_startup.py [--runs 9] [--size 120x40]

Each run spawns a fresh Python in a pseudo-terminal (``TERM=xterm-256color``,
``COLORTERM=truecolor``) and reads what it writes through :class:`bench_pty.Screen` (a tiny
terminal model) until the screen shows the app's first full frame: for tinynet-tui the
status line's ``epoch 0``, the loss chart's axis label (plotext has drawn) and the footer's
``quit``; for the minimal app its Static's text and its footer's ``quit``.  That is the time a person waits,
from pressing Enter to a usable screen: interpreter start, imports, app set-up, first layout
and first paint, and the terminal's own bytes.  One untimed run of each first writes the
bytecode (into a cache outside the checkout; see ``PYCACHE``) and warms the disk cache.  The
two apps then take turns (minimal, tinynet, minimal, …) so a change in the shared VM's speed
hits both alike; the table gives the median and the range of each, and the median ratio of
adjacent pairs.  ``--root DIR`` times another checkout's tinynet-tui (e.g. before a change).
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


def first_frame(code: str, markers: tuple[str, ...], cols: int, rows: int,
                timeout: float = 30.0, root: Path = ROOT) -> float:
    """Seconds from spawning ``python -c code`` in a pty until every marker is on screen."""
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
                return time.perf_counter() - start
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
    args = parser.parse_args(argv)
    cols, rows = map(int, args.size.split("x"))
    times: dict[str, list[float]] = {name: [] for name in APPS}
    for name, (code, markers) in APPS.items():  # warm the disk cache: not counted
        first_frame(code, markers, cols, rows, root=args.root)
    for _ in range(args.runs):
        for name, (code, markers) in APPS.items():
            times[name].append(first_frame(code, markers, cols, rows, root=args.root))
            time.sleep(0.2)
    print(f"first full frame, {args.runs} runs each at {cols}×{rows}, taking turns:")
    for name, ts in times.items():
        print(f"  {name:<12} median {statistics.median(ts):.3f} s  "
              f"(min {min(ts):.3f}, max {max(ts):.3f})")
    ratios = [t / m for t, m in zip(times["tinynet-tui"], times["minimal"])]
    print(f"  ratio        median {statistics.median(ratios):.2f}×  "
          f"(min {min(ratios):.2f}, max {max(ratios):.2f}); "
          f"ratio of medians {statistics.median(times['tinynet-tui']) / statistics.median(times['minimal']):.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
