"""State files: the lesson progress file is validated like every other file (bad content:
one warning, then rewritten; a FIFO or device: refused without blocking), and the
temporary ``.part`` files of atomic writes never outlive a signal or a killed process."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nn.io import atomic_write, remove_stale_parts
from tui.lessons.progress import Progress

ROOT = Path(__file__).resolve().parents[1]


def python(code: str, env: dict | None = None, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", **(env or {})},
                            **kw)


@pytest.mark.parametrize("content", [
    '{"version": 1, "lessons": {"backprop": {"chapter": 1, "chapters": "x"}}}',
    '{"version": 1, "lessons": {"backprop": {"chapter": 1, "completed": "abc"}}}',
    '{"version": 1, "lessons": {"backprop": {"chapter": true}}}',
    "[1]",
    "[" * 100_000,
    "not json",
    b"\xff\xfe bytes",
], ids=["chapters-x", "completed-str", "chapter-bool", "list", "deep", "text", "binary"])
def test_a_corrupt_progress_file_is_one_warning_and_rewritten(tmp_path, content):
    path = tmp_path / "progress.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    warnings = []
    progress = Progress(path, warn=warnings.append)
    assert len(warnings) == 1 and "progress not read" in warnings[0]
    assert progress.lessons == {}
    assert json.loads(path.read_text()) == {"version": 1, "lessons": {}}  # rewritten, valid
    assert Progress(path, warn=warnings.append).lessons == {} and len(warnings) == 1
    assert not list(tmp_path.glob("*.part"))


def test_every_learn_command_survives_a_corrupt_progress_file(tmp_path, capsys):
    from tui.cli.learn import main as learn

    state = tmp_path / "state"
    (state / "tinynet-tui").mkdir(parents=True)
    (state / "tinynet-tui" / "progress.json").write_text('{"lessons": {"x": {"chapter": 1, '
                                                          '"chapters": "x"}}}')
    os.environ["XDG_STATE_HOME"] = str(state)
    try:
        assert learn(["learn"]) == 0
        assert "warning:" in capsys.readouterr().err
        assert learn(["learn", "--check", "backprop"]) == 0
        assert learn(["learn", "backprop", "--worksheet", str(tmp_path / "w.md")]) == 0
    finally:
        del os.environ["XDG_STATE_HOME"]


def test_a_fifo_as_progress_file_is_refused_without_blocking(tmp_path):
    state = tmp_path / "state"
    (state / "tinynet-tui").mkdir(parents=True)
    fifo = state / "tinynet-tui" / "progress.json"
    os.mkfifo(fifo)
    proc = python("import sys; from tui.cli.learn import main; sys.exit(main(['learn']))",
                  env={"XDG_STATE_HOME": str(state)})
    try:
        out, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("learn blocked on a FIFO progress file")
    assert proc.returncode == 0 and "not a regular file" in err and err.count("\n") == 1
    assert fifo.exists() and not fifo.is_file()  # left alone, never replaced


def test_a_device_as_progress_file_is_refused_and_never_written(tmp_path):
    link = tmp_path / "progress.json"
    link.symlink_to("/dev/null")
    warnings = []
    progress = Progress(link, warn=warnings.append)
    assert "not a regular file" in warnings[0]
    progress.record("backprop", 1, 3)
    assert link.is_symlink() and len(warnings) == 1


def test_sigterm_while_saving_leaves_no_part_file_and_the_old_file_intact(tmp_path):
    target = tmp_path / "m.npz"
    target.write_bytes(b"old")
    code = f"""
import sys, time
from pathlib import Path
from tui.cli.main import terminate_as_exit
from nn.io import atomic_write

def slow(f):
    f.write(b"x" * 1_000_000)
    f.flush()
    print("writing", flush=True)
    time.sleep(30)

with terminate_as_exit():
    atomic_write(Path({str(target)!r}), slow)
"""
    proc = python(code)
    assert proc.stdout.readline().strip() == "writing"
    assert len(list(tmp_path.glob(".m.npz.*.part"))) == 1
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=10)
    assert proc.returncode == 143
    assert not list(tmp_path.glob("*.part")) and target.read_bytes() == b"old"


def test_a_part_file_of_a_killed_process_is_removed_by_the_next_write(tmp_path):
    target = tmp_path / "m.npz"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = tmp_path / f".m.npz.{dead}.abc123.part"
    stale.write_bytes(b"x" * 1000)
    live = tmp_path / f".m.npz.{os.getpid()}.def456.part"  # a write in progress: kept
    live.write_bytes(b"y")
    other = tmp_path / f".other.npz.{dead}.ghi789.part"    # another file's: not ours
    other.write_bytes(b"z")
    atomic_write(target, lambda f: f.write(b"new"))
    assert target.read_bytes() == b"new"
    assert not stale.exists() and live.exists() and other.exists()
    assert remove_stale_parts(tmp_path / "other.npz") == [other]


def test_sigkill_mid_save_then_the_next_save_cleans_up(tmp_path):
    target = tmp_path / "m.npz"
    code = f"""
import time
from pathlib import Path
from nn.io import atomic_write

def slow(f):
    f.write(b"x" * 1_000_000)
    f.flush()
    print("writing", flush=True)
    time.sleep(30)

atomic_write(Path({str(target)!r}), slow)
"""
    proc = python(code)
    assert proc.stdout.readline().strip() == "writing"
    proc.kill()
    proc.communicate(timeout=10)
    assert len(list(tmp_path.glob("*.part"))) == 1
    time.sleep(0.05)
    atomic_write(target, lambda f: f.write(b"next"))
    assert not list(tmp_path.glob("*.part")) and target.read_bytes() == b"next"
