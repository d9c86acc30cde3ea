"""Recordings: asciinema v2 casts of exactly what the terminal received.

``tinynet-tui --record demo.cast`` (any mode: the app, ``learn``, ``share``, ``follow``)
tees every byte the app's driver writes to the terminal into a cast, with real
timings: :func:`enable` wraps Textual's driver class for every app made afterwards,
so the recording sits below :mod:`tui.app.bandwidth` (it sees the diffs the budget let
through, which is what keeps casts small) and above nothing else.

``tinynet-tui record SESSION.json demo.cast --size 120x40 --speed N`` renders a saved
session (``S`` in the app) into a cast without a terminal: the app runs headless at
that size, each action is carried out in turn, and each screen update is turned into
the cells that changed (:class:`tui.app.bandwidth.Bandwidth`'s terminal model) at a
virtual time (``STEP_S / speed`` per action, plays shown as ``PLAY_FRAMES`` frames).

The format (https://docs.asciinema.org/manual/asciicast/v2/): a header line
``{"version": 2, "width", "height", "timestamp", "title", "env"}``, then one JSON
array per event: ``[seconds, "o", text]`` for output, ``[seconds, "r", "COLSxROWS"]``
for a resize.  ``asciinema play demo.cast`` and the asciinema web player play it;
``cat`` of its output events (:func:`frames`) gives the raw terminal stream.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import threading
import time
from pathlib import Path

from tui.core.text import printable

MAX_CAST_BYTES = 512 * 2**20   #: a recording stops (with a note) when its file reaches this
STEP_S = 0.5                   #: virtual seconds per replayed action at speed 1
PLAY_FRAMES = 20               #: frames a replayed play is shown in
SLICE_S = 0.25                 #: estimated seconds of a play carried out between two looks at signals
RESIZE_POLL_S = 0.25           #: how often a live recording looks at the terminal's size
PROG = "tinynet-tui record"


class CastError(ValueError):
    """A cast path or size that cannot be used; one line."""


def check_target(path: Path) -> Path:
    """A new file in an existing folder (never overwrites); CastError says why not."""
    path = Path(path)
    if path.exists() or path.is_symlink():
        raise CastError(f"{printable(path)}: exists already (a recording never overwrites)")
    if not path.parent.is_dir():
        raise CastError(f"{printable(path)}: the folder {printable(path.parent)} does not exist")
    return path


class CastWriter:
    """Writes a cast as events come (thread-safe); ``clock`` gives seconds."""

    def __init__(self, path: Path, width: int, height: int, title: str = "tinynet-tui",
                 clock=time.monotonic, max_bytes: int = MAX_CAST_BYTES) -> None:
        self.path = check_target(path)
        self.clock = clock
        self.start = clock()
        self.width, self.height = width, height
        self.max_bytes = max_bytes
        self.bytes_out = 0            #: terminal bytes recorded (UTF-8)
        self.events = 0
        self.stopped: str | None = None
        self.last_t = 0.0
        self._lock = threading.Lock()
        self._file = open(self.path, "x", encoding="utf-8")
        header = {"version": 2, "width": int(width), "height": int(height),
                  "timestamp": int(time.time()), "title": printable(title),
                  "env": {"TERM": os.environ.get("TERM", "xterm-256color"),
                          "SHELL": os.environ.get("SHELL", "/bin/sh")}}
        self._write(json.dumps(header))

    def _write(self, line: str) -> None:
        self._file.write(line + "\n")
        self.size = self._file.tell()

    def _event(self, kind: str, text: str, t: float | None) -> None:
        with self._lock:
            if self._file.closed or self.stopped:
                return
            t = max(self.last_t, self.clock() - self.start if t is None else t)
            self.last_t = t
            self._write(json.dumps([round(t, 6), kind, text], ensure_ascii=False))
            self.events += 1
            if self.size >= self.max_bytes:
                self.stopped = f"the recording reached {self.max_bytes // 2**20} MiB and stopped"
            self._file.flush()

    def output(self, text: str, t: float | None = None) -> None:
        """What the terminal received (at ``t`` seconds, default: now)."""
        if text:
            self.bytes_out += len(text.encode("utf-8", "replace"))
            self._event("o", text, t)

    def resize(self, width: int, height: int, t: float | None = None) -> None:
        if (width, height) != (self.width, self.height):
            self.width, self.height = width, height
            self._event("r", f"{width}x{height}", t)

    def close(self) -> None:
        with self._lock:
            if not self._file.closed:
                self._file.close()

    @property
    def seconds(self) -> float:
        return self.last_t

    def summary(self) -> str:
        """``demo.cast: 1 m 12 s, 410 KB (342 KB per minute of playing)``."""
        minutes = max(self.seconds, 1e-9) / 60
        size = Path(self.path).stat().st_size if Path(self.path).exists() else self.size
        return (f"{printable(self.path)}: {self.seconds:.1f} s, {size / 1000:.0f} KB "
                f"({size / 1000 / minutes:.0f} KB per minute of playing)"
                + (f"; {self.stopped}" if self.stopped else ""))


# ------------------------------------------------------------------ live recording
_ACTIVE: list[CastWriter] = []


def enable(path: Path, title: str = "tinynet-tui") -> CastWriter:
    """Record every Textual app this process runs from now on into ``path``: its
    driver's writes go to the terminal and to the cast.  CastError for a bad path."""
    from textual.app import App

    size = shutil.get_terminal_size((80, 24))
    writer = CastWriter(path, size.columns, size.lines, title)
    _ACTIVE.append(writer)
    original = App.get_driver_class

    def get_driver_class(self):
        return recording_driver(original(self), writer)

    App.get_driver_class = get_driver_class
    return writer


def recording_driver(base, writer: CastWriter):
    """A subclass of Textual driver ``base`` whose ``write`` also records."""

    class RecordingDriver(base):
        _next_size_check = 0.0

        def write(self, data: str) -> None:
            super().write(data)
            now = time.monotonic()
            if now >= self._next_size_check:
                self._next_size_check = now + RESIZE_POLL_S
                try:
                    size = os.get_terminal_size((sys.__stderr__ or sys.__stdout__).fileno())
                    writer.resize(size.columns, size.lines)
                except (OSError, ValueError, AttributeError):
                    pass
            writer.output(data)

    RecordingDriver.__name__ = f"Recording{base.__name__}"
    return RecordingDriver


def finish() -> list[str]:
    """Close the live recordings; one summary line each (printed after the app ends)."""
    lines = []
    while _ACTIVE:
        writer = _ACTIVE.pop()
        writer.close()
        lines.append(f"recorded {writer.summary()}")
    return lines


def take_record_option(argv: list[str]) -> tuple[list[str], str | None]:
    """``--record PATH`` (or ``--record=PATH``) anywhere in ``argv``: taken out, so every
    mode accepts it; (the other words, PATH or None).  CastError when PATH is missing."""
    out, path, k = [], None, 0
    while k < len(argv):
        word = argv[k]
        if word == "--record":
            if k + 1 >= len(argv) or argv[k + 1].startswith("-"):
                raise CastError("argument --record: expected a file name (demo.cast)")
            path, k = argv[k + 1], k + 2
            continue
        if word.startswith("--record="):
            path = word.split("=", 1)[1]
            if not path:
                raise CastError("argument --record: expected a file name (demo.cast)")
        else:
            out.append(word)
        k += 1
    return out, path


# ------------------------------------------------------------------ a saved session → cast
def cast_size(text: str) -> tuple[int, int]:
    """``120x40`` → (120, 40); argparse type (ArgumentTypeError with one line)."""
    cols, sep, rows = str(text).lower().partition("x")
    if not (sep and cols.isdigit() and rows.isdigit() and 40 <= int(cols) <= 500
            and 12 <= int(rows) <= 200):
        raise argparse.ArgumentTypeError(f"a size is COLSxROWS from 40x12 to 500x200, "
                                         f"got {printable(repr(text))}")
    return int(cols), int(rows)


def speed_value(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.01 <= value <= 1000:
        raise argparse.ArgumentTypeError(f"a speed is a number from 0.01 to 1000, got "
                                         f"{printable(repr(text))}")
    return value


def add_record_parser(sub) -> None:
    p = sub.add_parser("record", help="render a saved session (S) into an asciinema cast",
                       description="Render a saved session into an asciinema v2 cast without "
                                   "a terminal (asciinema play FILE.cast plays it).")
    p.add_argument("session", type=Path, metavar="SESSION.json")
    p.add_argument("cast", type=Path, metavar="FILE.cast")
    p.add_argument("--size", type=cast_size, default=(120, 40), metavar="COLSxROWS",
                   help="terminal size of the cast (default 120x40)")
    p.add_argument("--speed", type=speed_value, default=1.0, metavar="N",
                   help=f"N× faster: each action takes {STEP_S:g}/N s (default 1)")


def _pieces(action, most: int | None = None):
    """A play is shown in up to PLAY_FRAMES frames (``play n`` = ``play a`` + ``play b``);
    ``most``: instead, as few plays as keep each within ``most`` epochs."""
    from tui.core import actions as act  # loaded when recording: start-up time

    if not isinstance(action, act.Play) or action.epochs < 2:
        return [action]
    k = min(PLAY_FRAMES, action.epochs) if most is None else -(-action.epochs // max(1, most))
    base, extra = divmod(action.epochs, k)
    return [act.Play(base + (i < extra)) for i in range(k)]


async def render_session(config, actions, path: Path, size=(120, 40), speed: float = 1.0,
                         progress=None) -> CastWriter:
    """Run the app headless at ``size`` and write a cast of ``actions`` being carried out."""
    from tui.app.app import TinyNetApp  # loaded when recording: start-up time
    from tui.app.bandwidth import Bandwidth  # loaded when recording: start-up time
    from tui.core.config import build  # loaded when recording: start-up time

    clock = [0.0]
    writer = CastWriter(path, *size, title=f"tinynet-tui: {config.label}", clock=lambda: clock[0])
    app = TinyNetApp(build(config))
    model = Bandwidth(app, 0, 0)

    def display(screen, renderable) -> None:
        from textual._compositor import CompositorUpdate

        if isinstance(renderable, CompositorUpdate) and not app._batch_count:
            width, height = app.size
            if (width, height) != (model.cols, model.rows):
                model._resize(width, height)
            model._apply(renderable)
            writer.output(model.render_diff(), t=clock[0])
        app.post_display_hook()

    from tui.core.replay_cost import epoch_seconds  # loaded when recording: start-up time

    problem = app.session.problem
    # a frame's play is carried out in slices of at most SLICE_S (estimated), the event loop
    # running between them: a SIGTERM (the app's handler is the loop's) ends the recording
    # within a slice, not after a piece that could take minutes
    per_slice = max(1, int(SLICE_S / epoch_seconds(problem.net.sizes, len(problem.X))))
    try:
        async with app.run_test(size=size, headless=True) as pilot:
            app._display = display
            app.refresh(layout=True)
            await pilot.pause()
            writer.output("\x1b[?25l", t=0.0)   # the cursor hidden, as the app does
            for k, action in enumerate(actions):
                for piece in _pieces(action):
                    clock[0] += STEP_S / speed / (PLAY_FRAMES if piece is not action else 1)
                    for part in _pieces(piece, most=per_slice):
                        with app.session.lock:
                            app.session.apply(part)
                        await asyncio.sleep(0)
                    app.redraw(True)
                    await pilot.pause()
                if progress is not None:
                    progress(k + 1, len(actions))
            clock[0] += 1.0
            app.redraw(True)
            await pilot.pause()
            writer.output("\x1b[0m", t=clock[0])
    finally:
        writer.close()
    return writer


def run_record(args) -> int:
    """``tinynet-tui record SESSION.json FILE.cast``; the exit status (2: bad input)."""

    from tui.core.recording import load_session  # loaded when recording: start-up time

    try:
        config, actions = load_session(args.session)
        check_target(args.cast)
        from tui.core.wire import check_log_size  # loaded when recording: start-up time

        check_log_size(actions)
        from tui.core.config import build  # loaded when recording: start-up time
        from tui.core.replay_cost import check_replay_cost  # loaded when recording: start-up time

        check_replay_cost(args.session, build(config), actions)  # as --replay: hours refused
    except (ValueError, OSError) as exc:
        print(f"{PROG}: error: {printable(exc)}", file=sys.stderr)
        return 2

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r{PROG}: action {done} of {total}", end="", file=sys.stderr, flush=True)

    try:
        writer = asyncio.run(render_session(config, actions, args.cast, args.size, args.speed,
                                            progress))
    except (ValueError, OSError) as exc:  # an action that cannot be carried out, a full disk
        print(f"\n{PROG}: error: {printable(exc)}", file=sys.stderr)
        return 2
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"wrote {writer.summary()}")
    return 0


# ------------------------------------------------------------------ reading a cast
def read_cast(path: Path) -> tuple[dict, list[list]]:
    """(header, events) of a cast file; ValueError (one line) if it is not one."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    try:
        header = json.loads(lines[0])
        events = [json.loads(line) for line in lines[1:] if line.strip()]
    except (IndexError, ValueError):
        raise ValueError(f"{printable(path)}: not an asciinema cast") from None
    if not isinstance(header, dict) or header.get("version") != 2:
        raise ValueError(f"{printable(path)}: not an asciinema v2 cast")
    return header, events


def frames(path: Path) -> str:
    """Every output event of a cast, concatenated: what ``cat`` of them would show."""
    return "".join(e[2] for e in read_cast(path)[1] if e[1] == "o")


_CSI = None


def screen_at(header: dict, events: list[list], until: float | None = None) -> list[str]:
    """The screen's text after the output events up to ``until`` seconds (all: None): a
    small terminal for checks (cursor moves H/C/A/B/D, colours ignored, text, resizes;
    enough for what :mod:`tui.app.bandwidth` and Textual send)."""
    import re

    from rich.cells import cell_len

    global _CSI
    _CSI = _CSI or re.compile(r"\x1b\[([0-9;?]*)([A-Za-z])|\x1b[^\[]|[^\x1b]")
    width, height = int(header["width"]), int(header["height"])
    grid = [[" "] * width for _ in range(height)]
    y = x = 0
    for t, kind, data in events:
        if until is not None and t > until:
            break
        if kind == "r":
            width, height = (int(v) for v in data.split("x"))
            grid = [(row + [" "] * width)[:width] for row in grid[:height]]
            grid += [[" "] * width for _ in range(height - len(grid))]
            continue
        if kind != "o":
            continue
        for m in _CSI.finditer(data):
            if m.group(2):
                params = [int(p) if p.isdigit() else 0 for p in m.group(1).split(";")]
                n = max(1, params[0]) if params and params[0] else 1
                final = m.group(2)
                if final in "Hf":
                    y = (params[0] if params and params[0] else 1) - 1
                    x = (params[1] if len(params) > 1 and params[1] else 1) - 1
                elif final == "C":
                    x += n
                elif final == "D":
                    x -= n
                elif final == "A":
                    y -= n
                elif final == "B":
                    y += n
                y, x = max(0, min(height - 1, y)), max(0, min(width - 1, x))
                continue
            ch = m.group(0)
            if ch.startswith("\x1b") or ch in "\r\n":
                if ch == "\r":
                    x = 0
                elif ch == "\n":
                    y = min(height - 1, y + 1)
                continue
            if 0 <= y < height and 0 <= x < width:
                grid[y][x] = ch
            x += max(1, cell_len(ch))
    return ["".join(row).rstrip() for row in grid]
