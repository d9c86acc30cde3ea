"""SIGTERM and SIGHUP end the app cleanly: the terminal leaves the alternate screen and
mouse reporting, and the process exits (through a real pty, as a terminal runs it)."""
import os
import pty
import signal
import sys
import time

import pytest

from helpers import read_until


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_restores_the_terminal(sig):
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real command line in a 100×30 terminal
        os.environ["TERM"] = "xterm-256color"
        os.environ["COLUMNS"], os.environ["LINES"] = "100", "30"
        os.execv(sys.executable, [sys.executable, "-m", "tui.cli.main", "--task", "xor"])
    try:
        started = read_until(fd, b"paused", 30)
        assert b"\x1b[?1049h" in started, "the app did not start"
        os.kill(pid, sig)
        rest = read_until(fd, b"\x1b[?1049l", 15)
        assert b"\x1b[?1049l" in rest, "still in the alternate screen"
        assert b"\x1b[?1000l" in rest, "mouse reporting left on"
        for _ in range(100):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.05)
        assert done, "the app did not exit"
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(fd)
