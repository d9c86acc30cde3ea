"""Bytes per second the app writes to a real terminal (a pty) while playing.

    python bench/bench_pty.py                      # xor, regression, spiral at 120×40 and 80×24
    python bench/bench_pty.py --task xor --size 120x40 --seconds 8 [--raw] [--max-kbps N]

The app runs as ``python -m tui.cli.main --task T`` in a pseudo-terminal of the given size with
``TERM=xterm-256color COLORTERM=truecolor``.  The harness waits for the first screen, presses
space, counts every byte written for ``--seconds``, presses space again and counts what is written
while paused (should be nothing after the pause has been drawn).  The bytes also go through
:class:`Screen`, a tiny terminal model (cursor moves and text only), so the epoch shown in the
status line can be read back: the screen must keep changing.

``--raw`` starts the app without :mod:`tui.app.bandwidth` (Textual's own output); by default the
launcher installs it (a no-op once the app installs it itself).  The test
``tests/test_bandwidth.py`` uses :func:`run_app`.
"""
from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.cells import cell_len

ROOT = Path(__file__).resolve().parent.parent

#: Starts the app with tui.app.bandwidth installed from on_mount (idempotent).
LAUNCHER = """
import os, sys
from tui.app import app as _app
if os.environ.get("TINYNET_BENCH_RAW") != "1":
    from tui.app import bandwidth
    _mount = _app.TinyNetApp.on_mount
    def on_mount(self):
        _mount(self)
        bandwidth.install(self)
    _app.TinyNetApp.on_mount = on_mount
else:
    os.environ["TINYNET_MAX_KBPS"] = "0"   # if the app installs it itself: unlimited, no diff
    os.environ["TINYNET_BANDWIDTH"] = "off"
from tui.cli.main import main
sys.exit(main(sys.argv[1:]))
"""

_SEQ = re.compile(r"\x1b\[([0-?]*)[ -/]*([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]"
                  r"|\x1b[=>78DEM\\]|[\x00-\x1f]")
_EPOCH = re.compile(r"epoch (\d+)")


class Screen:
    """Just enough of a terminal to read the text back: cursor moves and printing."""

    def __init__(self, cols: int, rows: int) -> None:
        self.cols, self.rows = cols, rows
        self.cells = [[" "] * cols for _ in range(rows)]
        self.styles = [[None] * cols for _ in range(rows)]  #: (attributes, fg, bg) per cell
        self.x = self.y = 0
        self.attrs: frozenset = frozenset()
        self.fg = self.bg = ""
        self._pending = ""

    def feed(self, data: str) -> None:
        data = self._pending + data
        # keep an unfinished escape sequence for the next call
        cut = data.rfind("\x1b")
        if cut != -1 and cut > len(data) - 64 and not _SEQ.match(data, cut):
            data, self._pending = data[:cut], data[cut:]
        else:
            self._pending = ""
        pos = 0
        for m in _SEQ.finditer(data):
            self._text(data[pos:m.start()])
            pos = m.end()
            self._control(m)
        self._text(data[pos:])

    def _control(self, m: re.Match) -> None:
        seq = m.group(0)
        if seq == "\r":
            self.x = 0
        elif seq == "\n":
            self.y = min(self.rows - 1, self.y + 1)
        elif seq == "\b":
            self.x = max(0, self.x - 1)
        elif m.group(2):
            params, final = m.group(1), m.group(2)
            if params.startswith("?"):
                return
            nums = [int(p) if p.isdigit() else 0 for p in params.split(";")] if params else []
            n = (nums[0] or 1) if nums else 1
            if final in "Hf":
                row = nums[0] if nums and nums[0] else 1
                col = nums[1] if len(nums) > 1 and nums[1] else 1
                self.y, self.x = min(self.rows, row) - 1, min(self.cols, col) - 1
            elif final == "A":
                self.y = max(0, self.y - n)
            elif final == "B":
                self.y = min(self.rows - 1, self.y + n)
            elif final == "C":
                self.x = min(self.cols - 1, self.x + n)
            elif final == "D":
                self.x = max(0, self.x - n)
            elif final == "G":
                self.x = min(self.cols, n) - 1
            elif final == "m":
                self._sgr(params)
            elif final == "J" and nums[:1] in ([2], [3]):
                self.cells = [[" "] * self.cols for _ in range(self.rows)]

    def _sgr(self, params: str) -> None:
        p = params.split(";") if params else ["0"]
        i = 0
        while i < len(p):
            code = p[i]
            if code in ("38", "48"):
                n = 5 if p[i + 1] == "2" else 3
                colour = ";".join(p[i + 1:i + n])
                if code == "38":
                    self.fg = colour
                else:
                    self.bg = colour
                i += n
                continue
            c = int(code or 0)
            if c == 0:
                self.attrs, self.fg, self.bg = frozenset(), "", ""
            elif c == 39:
                self.fg = ""
            elif c == 49:
                self.bg = ""
            elif 30 <= c <= 37 or 90 <= c <= 97:
                self.fg = code
            elif 40 <= c <= 47 or 100 <= c <= 107:
                self.bg = code
            else:
                self.attrs = self.attrs | {code}
            i += 1

    def _text(self, text: str) -> None:
        for ch in text:
            w = cell_len(ch)
            if w == 0:
                continue
            if self.x < self.cols:
                self.cells[self.y][self.x] = ch
                self.styles[self.y][self.x] = (self.attrs, self.fg, self.bg)
                if w == 2 and self.x + 1 < self.cols:
                    self.cells[self.y][self.x + 1] = ""
            self.x = min(self.cols, self.x + w)

    def text(self) -> str:
        return "\n".join("".join(row) for row in self.cells)

    def epoch(self) -> int | None:
        found = _EPOCH.findall(self.text())
        return int(found[0]) if found else None


@dataclass
class Run:
    task: str
    cols: int
    rows: int
    seconds: float
    play_bytes: int = 0
    idle_bytes: int = 0
    epochs: list = field(default_factory=list)  #: (seconds since space, epoch on screen)
    bursts: list = field(default_factory=list)  #: when each burst of output began
    screen: Screen | None = None

    @property
    def kbps(self) -> float:
        return self.play_bytes / self.seconds / 1000

    def line(self) -> str:
        first = self.epochs[0][1] if self.epochs else None
        last = self.epochs[-1][1] if self.epochs else None
        changes = len({e for _, e in self.epochs})
        return (f"{self.task:<11} {self.cols}×{self.rows}  {self.kbps:7.1f} KB/s while playing  "
                f"{len(self.bursts) / self.seconds:4.1f} frames/s  "
                f"idle {self.idle_bytes} bytes  epoch {first} → {last} "
                f"({changes} different epochs seen in {len(self.epochs)} samples)")


def _read(fd: int, until: float, screen: Screen, on_sample=None, bursts=None) -> int:
    """Read until ``until``; ``bursts``: a list that gets one entry per burst of output
    (writes more than 15 ms apart), roughly the frames the terminal showed."""
    total = 0
    next_sample = time.perf_counter()
    last = 0.0
    while True:
        now = time.perf_counter()
        if now >= until:
            return total
        r, _, _ = select.select([fd], [], [], min(0.05, until - now))
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return total
            if not chunk:
                return total
            total += len(chunk)
            if bursts is not None and time.perf_counter() - last > 0.015:
                bursts.append(time.perf_counter())
            last = time.perf_counter()
            screen.feed(chunk.decode("utf-8", "replace"))
        if on_sample and time.perf_counter() >= next_sample:
            on_sample()
            next_sample += 0.25


def _wait_ready(fd: int, screen: Screen, timeout: float = 20.0) -> None:
    """Until the status line shows an epoch and output has been quiet for 0.4 s."""
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        got = _read(fd, time.perf_counter() + 0.4, screen)
        if got == 0 and screen.epoch() is not None:
            return
    raise RuntimeError(f"the app did not draw its first screen in {timeout:.0f} s:\n{screen.text()}")


def spawn(argv: list[str], cols: int, rows: int, env: dict | None = None) -> tuple[int, int]:
    """Run ``argv`` in a new pty of ``cols``×``rows``; returns (pid, master fd)."""
    pid, fd = pty.fork()
    if pid == 0:  # child
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            os.chdir(ROOT)
            os.environ.update(TERM="xterm-256color", COLORTERM="truecolor", **(env or {}))
            os.environ.pop("TEXTUAL", None)
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    return pid, fd


def stop(pid: int, fd: int) -> None:
    """End the child (SIGTERM, then SIGKILL after 1 s) and close the pty."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    for _ in range(50):
        if os.waitpid(pid, os.WNOHANG)[0]:
            break
        time.sleep(0.02)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    os.close(fd)


def app_argv(task: str, args: tuple[str, ...] = (), python: str = sys.executable) -> list[str]:
    """The command line that starts the app through :data:`LAUNCHER`."""
    return [python, "-c", LAUNCHER, "--task", task, *args]


def run_app(task: str = "xor", cols: int = 120, rows: int = 40, seconds: float = 5.0,
            raw: bool = False, args: tuple[str, ...] = (), env: dict | None = None,
            quit_wait: float = 0.3) -> Run:
    """Start the app in a pty, press space, count bytes for ``seconds``; see the module doc."""
    env = {"TINYNET_BENCH_RAW": "1" if raw else "0", **(env or {})}
    pid, fd = spawn(app_argv(task, args), cols, rows, env)
    run = Run(task, cols, rows, seconds)
    screen = run.screen = Screen(cols, rows)
    try:
        _wait_ready(fd, screen)
        os.write(fd, b" ")
        start = time.perf_counter()
        run.play_bytes = _read(fd, start + seconds, screen,
                               lambda: run.epochs.append((time.perf_counter() - start, screen.epoch())),
                               run.bursts)
        os.write(fd, b" ")
        _read(fd, time.perf_counter() + 0.6, screen)       # the pause is drawn
        run.idle_bytes = _read(fd, time.perf_counter() + 1.0, screen)
        os.write(fd, b"q")
        _read(fd, time.perf_counter() + quit_wait, screen)
    finally:
        stop(pid, fd)
    return run


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--task", action="append", help="task (repeatable; default xor, regression, spiral)")
    p.add_argument("--size", action="append", help="COLSxROWS (repeatable; default 120x40, 80x24)")
    p.add_argument("--seconds", type=float, default=8.0)
    p.add_argument("--raw", action="store_true", help="without tui.app.bandwidth")
    p.add_argument("--max-kbps", type=float, help="TINYNET_MAX_KBPS for the app")
    a = p.parse_args()
    env = {"TINYNET_MAX_KBPS": str(a.max_kbps)} if a.max_kbps is not None else {}
    for size in a.size or ["120x40", "80x24"]:
        cols, rows = map(int, size.split("x"))
        for task in a.task or ["xor", "regression", "spiral"]:
            print(run_app(task, cols, rows, a.seconds, raw=a.raw, env=env).line(), flush=True)


if __name__ == "__main__":
    main()
