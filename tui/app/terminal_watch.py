"""The app ends when its terminal goes away, never lingering with PPID 1.

A killed tmux pane or a closed SSH connection hangs up the terminal: the app gets SIGHUP
(or, where SIGHUP is ignored, its terminal reports a hang-up and writes fail with EIO).
A clean exit then tries to restore the terminal it no longer has and can wait forever on
that write, so every way out here is backed by a watchdog: if the clean exit has not
finished within :data:`GRACE_S`, the process ends at once with the same status.
"""
from __future__ import annotations

import os
import select
import signal
import sys
import threading

GRACE_S = 2.0        #: time a clean exit gets before the process is ended outright
CHECK_EVERY_S = 0.5  #: how often the terminal is polled for a hang-up


def terminal_gone(fd: int) -> bool:
    """True when the terminal on ``fd`` has hung up (or the descriptor is no longer valid);
    reads nothing, so the app's own input reader loses no key."""
    poller = select.poll()
    poller.register(fd, select.POLLHUP | select.POLLERR | select.POLLNVAL)
    try:
        events = poller.poll(0)
    except OSError:
        return True
    return any(mask & (select.POLLHUP | select.POLLERR | select.POLLNVAL) for _, mask in events)


def exit_hard_after(seconds: float, status: int) -> threading.Timer:
    """End the process with ``status`` after ``seconds`` unless it ended before (a daemon
    timer: a clean exit that finishes in time ends the process first)."""
    timer = threading.Timer(seconds, os._exit, (status,))
    timer.daemon = True
    timer.start()
    return timer


def leave(app, status: int) -> None:
    """Exit ``app`` cleanly with ``status``, backed by the watchdog."""
    exit_hard_after(GRACE_S, status)
    app.exit(None, status)


def install(app, loop) -> None:
    """SIGTERM and SIGHUP leave the app (128 + signal number); on a real terminal, a
    hang-up seen by polling leaves it too (status 129, as SIGHUP would)."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, leave, app, 128 + sig)
    stream = sys.__stdin__
    if app.is_headless or stream is None or not stream.isatty():
        return
    fd = stream.fileno()

    def check() -> None:
        if terminal_gone(fd):
            leave(app, 128 + signal.SIGHUP)
    app.set_interval(CHECK_EVERY_S, check)
