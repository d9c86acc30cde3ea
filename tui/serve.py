"""``tinynet-tui serve``: the very same app in a web browser, via textual-serve.

Each browser tab gets its own app process, started with the same options.
Binds to 127.0.0.1 unless another host is asked for explicitly.
"""
from __future__ import annotations

import shlex
import socket
import sys


def serve(command: list[str], host: str, port: int) -> int:
    try:
        from textual_serve.server import Server
    except ImportError:  # pragma: no cover - it is a dependency
        print("tinynet-tui: error: textual-serve is not installed", file=sys.stderr)
        return 2
    with socket.socket() as probe:  # a clear error instead of a traceback deep in aiohttp
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            print(f"tinynet-tui: error: cannot listen on {host}:{port} ({exc.strerror or exc})",
                  file=sys.stderr)
            return 2
    print(f"tinynet-tui: serving on http://{host}:{port} (Ctrl+C stops)", flush=True)
    Server(shlex.join(command), host=host, port=port, title="tinynet-tui").serve()
    return 0
