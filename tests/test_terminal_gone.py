"""The app exits when its terminal goes away (a killed tmux pane, a dropped SSH link):
through a real pty whose master side is closed, with SIGHUP delivered and with SIGHUP
ignored (then only the hang-up and EIO on writes say the terminal is gone)."""
import os
import pty
import signal
import sys
import time

import pytest

from helpers import read_until
from tui.app import terminal_watch


@pytest.mark.slow
@pytest.mark.parametrize("ignore_sighup", [False, True], ids=["sighup", "sighup-ignored"])
def test_the_app_exits_when_its_terminal_is_closed(ignore_sighup):
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real command line in a terminal
        os.environ["TERM"] = "xterm-256color"
        os.environ["COLUMNS"], os.environ["LINES"] = "100", "30"
        if ignore_sighup:
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
        os.execv(sys.executable, [sys.executable, "-m", "tui.cli.main", "--task", "xor"])
    try:
        assert b"\x1b[?1049h" in read_until(fd, b"paused", 30), "the app did not start"
        os.close(fd)  # the terminal goes away
        fd = None
        end = time.monotonic() + 10
        done = 0
        while not done and time.monotonic() < end:
            done, status = os.waitpid(pid, os.WNOHANG)
            time.sleep(0.05)
        assert done, "the app outlived its terminal"
        assert os.waitstatus_to_exitcode(status) == 128 + signal.SIGHUP
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        if fd is not None:
            os.close(fd)


def test_a_hung_up_terminal_is_seen_without_reading_from_it():
    master, slave = pty.openpty()
    try:
        assert not terminal_watch.terminal_gone(slave)
        os.write(master, b"k")
        assert not terminal_watch.terminal_gone(slave)  # pending input is not a hang-up
        os.close(master)
        master = None
        assert terminal_watch.terminal_gone(slave)
    finally:
        os.close(slave)
        if master is not None:
            os.close(master)


def test_the_watchdog_ends_a_process_whose_clean_exit_hangs():
    pid = os.fork()
    if pid == 0:
        terminal_watch.exit_hard_after(0.2, 77)
        time.sleep(30)  # a clean exit stuck on a write to a terminal that is gone
        os._exit(0)
    start = time.monotonic()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 77 and time.monotonic() - start < 5
