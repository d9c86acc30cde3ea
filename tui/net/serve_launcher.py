"""Start one browser-tab app process so that it dies with the server, however the server dies.

``python -m tui.net.serve_launcher SERVER_PID COMMAND...`` asks Linux to send this process
SIGTERM when its parent (the server) exits — even by SIGKILL, when no clean-up code of the
server runs — and then *execs* COMMAND: the app replaces the launcher (same pid, no shell in
between), and the parent-death signal survives the exec.  If the server is already gone
before the request took effect, the launcher quits instead of starting an orphan.
Elsewhere than on Linux it only execs (the server still stops its apps on a normal exit).
"""
from __future__ import annotations

import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent() -> None:
    """``prctl(PR_SET_PDEATHSIG, SIGTERM)`` through ctypes (Linux only; else a no-op)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")


def main(argv: list[str]) -> int:
    if len(argv) < 2 or not argv[0].isdigit():
        print("usage: python -m tui.net.serve_launcher SERVER_PID COMMAND...", file=sys.stderr)
        return 2
    die_with_parent()
    if os.getppid() != int(argv[0]):  # the server died before prctl took effect
        return 1
    os.execvp(argv[1], argv[1:])
    return 1  # pragma: no cover - execvp does not return


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
