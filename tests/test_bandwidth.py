"""Light over SSH (issue 15): what the app writes to a real terminal while playing.

The pty checks start the app in a pseudo-terminal at 120×40 (bench/bench_pty.py), press space and
count the bytes written for a few seconds: at most 50 KB/s, the epoch on screen keeps advancing,
and a paused app writes nothing.  The model checks drive :class:`tui.app.bandwidth.Bandwidth` directly:
its output, played into a small terminal model, always shows exactly what the app wanted.
"""
from __future__ import annotations

import random
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from rich.style import Style

from tui.app import bandwidth
from tui.app.bandwidth import Bandwidth

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from bench_pty import Screen, run_app  # noqa: E402

BUDGET_KBPS = 50


@pytest.mark.slow
@pytest.mark.parametrize("task", ["xor", "regression", "spiral"])
def test_playing_stays_under_the_budget_and_the_screen_moves(task):
    run = run_app(task, 120, 40, seconds=4.0)
    assert run.kbps <= BUDGET_KBPS, run.line()
    seen = [e for _, e in run.epochs if e is not None]
    assert len(set(seen)) >= 8 and seen[-1] > seen[0], run.line()  # ≥ 2 new epochs a second
    assert run.idle_bytes == 0, run.line()


class _App:
    """What Bandwidth reads from a Textual app, for driving it without a terminal."""

    def __init__(self) -> None:
        from rich.color import ColorSystem

        self.console = SimpleNamespace(_color_system=ColorSystem.TRUECOLOR)
        self.written: list[str] = []
        self._driver = SimpleNamespace(write=self.written.append, flush=lambda: None)
        self._sync_available = False
        self._running, self._closed = True, False
        self.screen = None


def _put(bw: Bandwidth, y: int, x: int, text: str, style: Style | None = None) -> None:
    sid = bw.style_id(style)
    for i, ch in enumerate(text):
        bw.want_ch[y][x + i], bw.want_st[y][x + i] = ch, sid
    bw.dirty.add(y)


def _resolved(sgr: tuple[str, str, str]) -> tuple:
    """(attributes, fg, bg) as bench_pty.Screen records them."""
    attrs = frozenset(sgr[0].split(";")) - {""}
    return attrs, sgr[1].removeprefix("38;"), sgr[2].removeprefix("48;")


def _model(cols=30, rows=6) -> tuple[Bandwidth, Screen]:
    bw = Bandwidth(_App(), max_kbps=0, fps=0)
    bw._resize(cols, rows)
    return bw, Screen(cols, rows)


def test_the_terminal_always_shows_what_the_app_wants():
    bw, screen = _model()
    rng = random.Random(0)
    for _ in range(200):
        for _ in range(rng.randint(1, 4)):
            y, x = rng.randrange(6), rng.randrange(30)
            text = "".join(rng.choice("ab ·─│█") for _ in range(rng.randint(1, 30 - x)))
            _put(bw, y, x, text, Style(color=rng.choice(["red", "#102030", "#ffffff", None]),
                                       bgcolor=rng.choice(["#000000", "blue", None]),
                                       bold=rng.random() < 0.3))
        screen.feed(bw.render_diff())
        assert screen.text() == "\n".join("".join(row) for row in bw.want_ch)
        for y in range(6):  # and in the right colours (SGR changes are sent as differences)
            want = [_resolved(bw._sgr[s]) for s in bw.want_st[y]]
            assert screen.styles[y] == want, y


def test_unchanged_cells_and_near_identical_shades_send_nothing():
    bw, screen = _model()
    _put(bw, 2, 3, "epoch 41", Style(color="#808080"))
    first = bw.render_diff()
    assert "epoch 41" in first
    _put(bw, 2, 3, "epoch 41", Style(color="#808080"))
    assert bw.render_diff() == ""                          # identical: nothing
    _put(bw, 2, 3, "epoch 41", Style(color="#8a8a86"))     # a shade nobody can tell apart
    assert bw.render_diff() == ""
    _put(bw, 2, 3, "epoch 42", Style(color="#808080"))
    diff = bw.render_diff()
    assert "2" in diff and "epoch" not in diff and len(diff) < 40  # only the changed cell
    _put(bw, 2, 3, "epoch 42", Style(color="#f08080"))     # a real colour change is sent
    assert "epoch" in bw.render_diff()


def test_the_budget_spaces_flushes_but_a_key_is_answered_at_once():
    bw = Bandwidth(_App(), max_kbps=10, fps=0)             # 8 000 bytes/s after the margin
    bw._resize(120, 40)
    for y in range(40):
        _put(bw, y, 0, "x" * 120)
    bw.flush()                                             # ≈ 5 KB: over the burst allowance
    now = time.perf_counter()
    assert bw.wait_time(now) > 0.3
    bw.input_at = time.perf_counter()
    assert bw.wait_time(time.perf_counter()) == 0          # a key press: draw now
    bw.configure(max_kbps=0)
    bw.input_at = 0
    assert bw.wait_time(time.perf_counter()) == 0          # no budget: never waits


def test_install_does_nothing_headless_or_when_turned_off(monkeypatch):
    app = SimpleNamespace(_driver=None, is_headless=True)
    assert bandwidth.install(app) is None
    monkeypatch.setenv("TINYNET_BANDWIDTH", "off")
    app = SimpleNamespace(_driver=object(), is_headless=False)
    assert bandwidth.install(app) is None


def test_a_terminal_that_falls_behind_gets_fewer_updates():
    bw = Bandwidth(_App(), max_kbps=0, fps=0)
    queued = [0]
    bw.app._driver._writer_thread = SimpleNamespace(_queue=SimpleNamespace(qsize=lambda: queued[0]))
    assert bw.wait_time(time.perf_counter()) == 0
    queued[0] = 3                                          # writes are blocking: wait
    assert bw.wait_time(time.perf_counter()) >= bandwidth.BACKLOG_RETRY_S
