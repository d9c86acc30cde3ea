"""Recordings: asciinema v2 casts of what the terminal received (live) or of a saved session."""
import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui.app import cast
from tui.core.config import RunConfig, build
from tui.core.session import Session


def main_record(argv: list[str]) -> int:
    """``tinynet-tui record ARGV…`` through the real command line."""
    from tui.cli.main import main

    return main(["record", *argv])


def saved_session(tmp_path: Path) -> tuple[Path, Session]:
    s = Session(build(RunConfig(task="xor")))
    for _ in range(3):
        s.step()
    s.play_chunk(200, breakpoints=False)
    s.set_lr(2.0)
    s.play_chunk(57, breakpoints=False)
    path = tmp_path / "s.json"
    s.save_session(path)
    return path, s


def status_epoch(lines: list[str]) -> int:
    return int(re.search(r"epoch (\d+)", lines[0]).group(1))


@pytest.mark.slow
def test_a_saved_session_renders_into_a_cast_that_shows_the_same_epochs(tmp_path):
    path, session = saved_session(tmp_path)
    out = tmp_path / "demo.cast"
    assert main_record([str(path), str(out), "--size", "100x30", "--speed", "4"]) == 0
    header, events = cast.read_cast(out)
    assert (header["version"], header["width"], header["height"]) == (2, 100, 30)
    times = [e[0] for e in events]
    assert times == sorted(times) and all(e[1] in ("o", "r") for e in events)
    # 6 actions at 0.5 s / 4 (a play's 20 frames share its time), a second held at the end
    assert times[-1] == pytest.approx(6 * 0.5 / 4 + 1.0)
    assert status_epoch(cast.screen_at(header, events)) == session.stepper.epoch == 257
    seen = {status_epoch(cast.screen_at(header, events, t)) for t in times}
    assert {0, 200, 257} <= seen and len(seen) > 10          # the plays are shown moving
    # only the cells that changed are sent: far less than a full screen per event
    full = sum(len(e[2]) for e in events[:1])
    assert sum(len(e[2]) for e in events[1:]) < full * len(events) / 5


def test_record_refuses_bad_input_with_one_line(tmp_path, capsys):
    path, _ = saved_session(tmp_path)
    (tmp_path / "there.cast").write_text("keep me")
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "nope"}')
    for argv, words in ((["missing.json", "x.cast"], "no such file"),
                        ([str(bad), str(tmp_path / "y.cast")], "not a tinynet-tui session"),
                        ([str(path), str(tmp_path / "there.cast")], "exists already"),
                        ([str(path), str(tmp_path / "no" / "x.cast")], "does not exist"),
                        ([str(path), "x.cast", "--size", "5x5"], "COLSxROWS"),
                        ([str(path), "x.cast", "--speed", "0"], "speed")):
        assert main_record(argv) == 2
        err = capsys.readouterr().err
        assert words in err and err.count("\n") == 1 and "Traceback" not in err
    assert (tmp_path / "there.cast").read_text() == "keep me"


def test_record_refuses_a_session_estimated_at_hours_as_replay_does(tmp_path, capsys,
                                                                   monkeypatch):
    """Two plays of 10⁷ epochs of spiral 256,256 (~370 h) are refused by --replay; record
    rendered them (and went on for 10 minutes after a SIGTERM in the hunt)."""
    monkeypatch.setattr(cast, "render_session", lambda *a, **k: pytest.fail("it rendered"))
    path = tmp_path / "heavy.json"
    path.write_text(json.dumps({"format": "tinynet-session-1",
                                "config": {"task": "spiral", "hidden": [256, 256]},
                                "actions": [{"do": "play", "epochs": 10_000_000}] * 2}))
    start = time.perf_counter()
    assert main_record([str(path), str(tmp_path / "h.cast")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "heavy.json: replaying 2 actions on a 2–256–256–1 network" \
        in err and "at most about 1 h" in err, err
    assert time.perf_counter() - start < 5 and not (tmp_path / "h.cast").exists()


def test_the_record_option_works_in_every_mode_and_never_overwrites(tmp_path):
    assert cast.take_record_option(["--record", "a.cast", "follow", "h:1", "ABCDEF"]) == \
        (["follow", "h:1", "ABCDEF"], "a.cast")
    assert cast.take_record_option(["learn", "backprop", "--record=b.cast"]) == \
        (["learn", "backprop"], "b.cast")
    for argv in (["--record"], ["--record", "--task"], ["--record="]):
        with pytest.raises(cast.CastError, match="expected a file name"):
            cast.take_record_option(argv)
    (tmp_path / "old.cast").write_text("x")
    with pytest.raises(cast.CastError, match="exists already"):
        cast.CastWriter(tmp_path / "old.cast", 80, 24)


def test_a_live_recording_tees_every_driver_write_with_real_times(tmp_path):
    class Base:
        def __init__(self):
            self.out = []

        def write(self, data):
            self.out.append(data)

    writer = cast.CastWriter(tmp_path / "live.cast", 80, 24)
    driver = cast.recording_driver(Base, writer)()
    driver.write("\x1b[1;1Hepoch 0")
    time.sleep(0.05)
    driver.write("\x1b[1;7H5")
    writer.close()
    header, events = cast.read_cast(tmp_path / "live.cast")
    outputs = [e for e in events if e[1] == "o"]
    assert "".join(driver.out) == "".join(e[2] for e in outputs)   # exactly what was written
    assert outputs[1][0] - outputs[0][0] >= 0.04                    # with real timings
    assert cast.screen_at(header, events)[0] == "epoch 5"
    assert "KB per minute of playing" in writer.summary()


def test_cli_refuses_record_where_there_is_no_screen(capsys):
    from tui.cli.main import main

    assert main(["train", "--record", "x.cast"]) == 2
    assert "records the app, learn, share and follow" in capsys.readouterr().err


@pytest.mark.slow
def test_the_app_records_itself_in_a_real_terminal(tmp_path):
    """``tinynet-tui --record`` in a pty: the cast holds what the terminal got, keys included."""
    import pty
    import select

    out = tmp_path / "app.cast"
    pid, fd = pty.fork()
    if pid == 0:  # the child: the app in a 100×30 terminal
        os.environ.update(COLUMNS="100", LINES="30", TERM="xterm-256color")
        os.chdir(tmp_path)
        os.execv(sys.executable, [sys.executable, "-m", "tui.cli.main", "--record", str(out)])
    import fcntl
    import struct
    import termios

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    received = b""

    def pump(seconds):
        nonlocal received
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    received += os.read(fd, 65536)
                except OSError:
                    return

    pump(4)
    for key in (b"n", b"n", b"q"):
        os.write(fd, key)
        pump(1)
    os.waitpid(pid, 0)
    header, events = cast.read_cast(out)
    recorded = "".join(e[2] for e in events if e[1] == "o")
    assert header["width"] == 100 and "epoch 0" in cast.screen_at(header, events, 3)[0]
    # every byte recorded reached the terminal, in the same order
    assert len(recorded) > 1000 and recorded.encode() in received
    assert "epoch 0" in cast.screen_at(header, events)[0]


@pytest.mark.slow
def test_a_sigterm_ends_a_long_record_within_a_slice(tmp_path):
    """A play is carried out between the cast's frames, and the app's SIGTERM handler is the
    event loop's: a TERM waited for the whole frame's piece (one run of the hunt went on for
    10 minutes).  The piece is now played in slices of SLICE_S (estimated) with the loop
    running between them, so a TERM in the middle of a long play ends the recording at once
    (exit status 143)."""
    from tui.core.replay_cost import epoch_seconds

    problem = build(RunConfig(task="spiral", hidden=(64, 64)))
    epochs = int(600 / epoch_seconds(problem.net.sizes, len(problem.X)))  # ≈ 10 min estimated
    session = tmp_path / "long.json"
    session.write_text(json.dumps({"format": "tinynet-session-1",
                                   "config": {"task": "spiral", "hidden": [64, 64]},
                                   "actions": [{"do": "play", "epochs": epochs}]}))
    child = subprocess.Popen([sys.executable, "-m", "tui.cli.main", "record", str(session),
                              str(tmp_path / "long.cast")], cwd=tmp_path,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(4)  # started, and into the first frame's piece (30 s estimated)
        assert child.poll() is None, "the recording ended before the TERM"
        child.send_signal(signal.SIGTERM)
        start = time.perf_counter()
        assert child.wait(timeout=20) == 143
        assert time.perf_counter() - start < 3.0  # (the piece: 30 s estimated; the exit ≈ 1–2 s)
    finally:
        child.kill()
        child.wait()
