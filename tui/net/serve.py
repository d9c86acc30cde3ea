"""``tinynet-tui serve``: the very same app in a web browser, via textual-serve.

Each browser tab gets its own app process, started with the same options.  What stands
between a web page and those processes (textual-serve 1.1.3 itself checks none of it):

* **Host and Origin.**  Bound to a loopback address, only requests whose ``Host`` names
  this machine (localhost, 127.0.0.1, [::1]) are served (no DNS rebinding).  A request
  whose ``Origin`` header is present must come from the page's own origin
  (``scheme://Host`` as the client sent it) — otherwise 403, and no process starts.
* **A per-run secret token**, as Jupyter does: ``serve`` prints ``…/?token=…``; the page
  and the websocket (``/ws/<token>``, written into the page) are refused without it
  (constant-time compare).  ``--no-token`` turns it off.
* **Limits**: at most ``--max-clients`` tabs at once (default 4; the next one is told so
  and closed, no process); a tab's terminal is clamped to ``MAX_COLUMNS × MAX_ROWS``.
* **No orphans**: each app starts through :mod:`tui.net.serve_launcher`, which makes Linux
  send it SIGTERM when the server dies, even by SIGKILL.
* **Offline page**: textual-serve's template asks Google Fonts for Roboto Mono; here the
  page uses the Roboto Mono textual-serve ships, and no URL outside this server remains.

``serve --follow HOST:PORT CODE`` makes every tab a follower of a teacher's
``tinynet-tui share`` (:func:`follow_command`): each tab's process runs
``tinynet-tui follow HOST:PORT CODE``.  The address and join code stay in the server's
argv; the page carries neither, and the tabs still need the serve token.
"""
from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import os
import re
import secrets
import shlex
import signal
import socket
import sys
from pathlib import Path

from tui.net.serve_font import SHAPES, symbols_ttf, unicode_range
from tui.net.share import join_code, teacher_address

MAX_COLUMNS = 300          # widest terminal a tab may ask for (cells)
MAX_ROWS = 100             # tallest terminal a tab may ask for (cells)
DEFAULT_MAX_CLIENTS = 4    # browser tabs (= app processes) at once
STOP_TIMEOUT = 5.0         # seconds an app gets to quit before it is killed
FONT_FILE = "RobotoMono-VariableFont_wght.ttf"  # shipped in textual_serve/static/fonts


# ---------------------------------------------------------------- checks (pure functions)

def split_host(host_header: str) -> tuple[str, str | None]:
    """``"[::1]:8000"`` → ``("::1", "8000")``, ``"localhost"`` → ``("localhost", None)``."""
    if host_header.startswith("["):
        name, _, rest = host_header[1:].partition("]")
        return name, rest[1:] if rest.startswith(":") else None
    name, sep, port = host_header.rpartition(":")
    return (name, port) if sep and ":" not in name else (host_header, None)


def is_loopback(host: str) -> bool:
    """True for ``localhost``, ``127.x.y.z`` and ``::1``."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_allowed(host_header: str | None, bound_host: str) -> bool:
    """A server bound to loopback answers only requests addressed to this machine
    (a page of evil.example rebinding its name to 127.0.0.1 sends ``Host: evil.example``)."""
    if not is_loopback(bound_host):
        return True
    return bool(host_header) and is_loopback(split_host(host_header)[0])


def origin_allowed(origin: str | None, host_header: str | None, scheme: str = "http") -> bool:
    """No ``Origin`` (not a browser's cross-site request), or exactly ``scheme://Host``."""
    if origin is None:
        return True
    return bool(host_header) and origin.lower() == f"{scheme}://{host_header}".lower()


def token_matches(given: str | None, token: str | None) -> bool:
    """Constant-time comparison; ``token=None`` (``--no-token``) accepts everything."""
    if token is None:
        return True
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def clamp_size(width: object, height: object) -> tuple[int, int]:
    """A terminal size from a client (text or number) → ``(columns, rows)`` within
    ``1..MAX_COLUMNS`` × ``1..MAX_ROWS``; unreadable values give 80 × 24."""
    def clamp(value: object, default: int, high: int) -> int:
        try:
            number = int(value)  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):
            number = default
        return max(1, min(high, number))
    return clamp(width, 80, MAX_COLUMNS), clamp(height, 24, MAX_ROWS)


def url_host(host: str) -> str:
    """``::1`` → ``[::1]`` (IPv6 literals need brackets in URLs)."""
    return f"[{host}]" if ":" in host else host


def check_address(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on (one line), or None; any address family."""
    where = f"{url_host(host)}:{port}"
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        return f"cannot listen on {where} ({getattr(exc, 'strerror', None) or exc})"
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                return f"cannot listen on {where} ({exc.strerror or exc})"
    return None


# ---------------------------------------------------------------- following a teacher

def follow_command(address: str, code: str) -> list[str]:
    """The argv every tab runs to follow the teacher at ``address`` (``HOST:PORT``) with
    join ``code``: ``python -m tui.cli.main follow HOST:PORT CODE``.  ValueError (one line)
    for an address or code ``tinynet-tui follow`` would refuse."""
    import argparse


    try:
        teacher_address(address)
        code = join_code(code)
    except argparse.ArgumentTypeError as exc:
        raise ValueError(str(exc)) from None
    return [sys.executable, "-m", "tui.cli.main", "follow", address, code]


def add_follow_option(parser) -> None:
    """``serve --follow HOST:PORT CODE`` (checked by :func:`follow_command`)."""
    parser.add_argument(
        "--follow", nargs=2, metavar=("HOST:PORT", "CODE"),
        help="every browser tab follows the teacher's `tinynet-tui share` at HOST:PORT with "
             "join CODE (the address and code stay on this server; tabs still need the "
             "token; the teacher chooses the network, so no model options)")


# ---------------------------------------------------------------- the page

def page_template() -> str:
    """textual-serve's page, made self-contained: no Google Fonts, no external URL."""
    import textual_serve

    path = Path(textual_serve.__file__).parent / "templates" / "app_index.html"
    html = path.read_text(encoding="utf-8")
    html = re.sub(r"<link[^>]*fonts\.googleapis\.com[^>]*>", "", html, flags=re.S)
    html = html.replace(' xmlns="http://www.w3.org/2000/svg"', "")  # inline SVG needs none
    return html.replace("<head>", "<head>\n" + FONTS, 1)


# Roboto Mono from textual-serve's static folder, plus the few symbols it and common fonts
# lack (tui.net.serve_font).  textual.js starts its terminal in ``window.onload``: hold that back
# until the fonts are loaded, or the terminal measures and caches glyphs of a fallback font.
FONTS = """<style>
@font-face { font-family: "Roboto Mono"; font-weight: 100 700; font-display: block;
  src: url("{{ config.static.url }}fonts/%s") format("truetype"); }
@font-face { font-family: "Roboto Mono"; font-weight: 100 700; font-display: block;
  unicode-range: %s;
  src: url("/fonts/symbols.ttf") format("truetype"); }
</style>
<script>
  (() => {
    const text = "a" + %s;
    const fonts = Promise.all(["16px", "bold 16px"].map(
      (f) => document.fonts.load(f + ' "Roboto Mono"', text))).catch(() => {});
    let start = null;
    Object.defineProperty(window, "onload", {configurable: true, get: () => start,
                                             set: (handler) => { start = handler; }});
    window.addEventListener("load", (event) => fonts.then(() => start && start(event)));
  })();
</script>
""" % (FONT_FILE, unicode_range(), json.dumps("".join(chr(c) for c, _ in SHAPES.values())))


# ---------------------------------------------------------------- the server

def make_server(argv: list[str], host: str, port: int, *, token: str | None,
                max_clients: int = DEFAULT_MAX_CLIENTS):
    """Build the guarded server (a :class:`textual_serve.server.Server` subclass)."""
    import jinja2
    from aiohttp import WSMsgType, web
    from textual_serve.app_service import AppService
    from textual_serve.server import Server

    class TabService(AppService):
        """One app process, started through the launcher without a shell."""

        async def _open_app_process(self, width: int = 80, height: int = 24):
            env = self._build_environment(width=width, height=height)
            self._process = process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tui.net.serve_launcher", str(os.getpid()), *argv,
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE, env=env)
            self._stdin = process.stdin
            return process

        async def stop(self) -> None:
            try:
                await asyncio.wait_for(super().stop(), STOP_TIMEOUT)
            except (asyncio.TimeoutError, OSError):
                pass
            if self._process is not None and self._process.returncode is None:
                self._process.kill()
                await self._process.wait()

    class GuardedServer(Server):
        def __init__(self) -> None:
            super().__init__(shlex.join(argv), host=host, port=port, title="tinynet-tui")
            self.token = token
            self.max_clients = max_clients
            self.clients = 0           # open tabs now
            self.started = 0           # app processes started so far
            self.sockets: set = set()
            self.page = jinja2.Environment(autoescape=True).from_string(page_template())

        def make_app(self) -> web.Application:
            app = web.Application(middlewares=[self.guard])
            app.add_routes([
                web.get("/", self.handle_index),
                web.get("/ws", self.handle_websocket),
                web.get("/ws/{token}", self.handle_websocket),
                web.get("/download/{key}", self.handle_download),
                web.get("/fonts/symbols.ttf", self.handle_symbols_font),
                web.static("/static", self.statics_path, name="static"),
            ])
            return app

        @web.middleware
        async def guard(self, request, handler):
            if not host_allowed(request.headers.get("Host"), self.host):
                return refuse(403, "this server answers only to localhost")
            if not origin_allowed(request.headers.get("Origin"), request.headers.get("Host"),
                                  request.scheme):
                return refuse(403, "cross-origin request refused")
            return await handler(request)

        def authorised(self, request) -> bool:
            given = request.match_info.get("token", request.query.get("token"))
            return token_matches(given, self.token)

        async def handle_index(self, request):
            if not self.authorised(request):
                return refuse(403, "missing or wrong token: open the URL that "
                                   "`tinynet-tui serve` printed (…/?token=…)")
            ws_path = "/ws" if self.token is None else f"/ws/{self.token}"
            html = self.page.render(
                font_size=clamp_size(request.query.get("fontsize", 16), 16)[0],
                app_websocket_url=f"ws://{request.host}{ws_path}",
                config={"static": {"url": "/static/"}},
                application={"name": self.title}, ping_url="")
            return web.Response(text=html, content_type="text/html", headers={
                "Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
                "X-Frame-Options": "DENY",
                "Content-Security-Policy": (
                    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
                    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                    f"connect-src 'self' ws://{request.host}; frame-ancestors 'none'")})

        async def handle_symbols_font(self, request):
            font = symbols_ttf()
            if font is None:
                raise web.HTTPNotFound()
            return web.Response(body=font, content_type="font/ttf")

        async def handle_websocket(self, request):
            if not self.authorised(request):
                return refuse(403, "missing or wrong token")
            websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=1 << 16)
            await websocket.prepare(request)
            if self.clients >= self.max_clients:
                message = (f"tinynet-tui: {self.clients} browser tabs are open already, the "
                           f"most this server allows (--max-clients {self.max_clients}); "
                           "close one and reload")
                await websocket.send_bytes(f"\r\n  {message}\r\n".encode())
                await websocket.close(code=1013, message=b"too many browser tabs")
                return websocket
            self.clients += 1
            self.sockets.add(websocket)
            service = TabService(self.command, write_bytes=websocket.send_bytes,
                                 write_str=websocket.send_str, close=websocket.close,
                                 download_manager=self.download_manager)
            try:
                self.started += 1
                await service.start(*clamp_size(request.query.get("width"),
                                                request.query.get("height")))
                await self._process_messages(websocket, service)
            except asyncio.CancelledError:
                pass
            finally:
                self.clients -= 1
                self.sockets.discard(websocket)
                await service.stop()
                await websocket.close()
            return websocket

        async def _process_messages(self, websocket, service) -> None:
            """textual-serve's loop, with sizes clamped and bad messages ignored."""
            async for message in websocket:
                if message.type != WSMsgType.TEXT:
                    continue
                try:
                    kind, *rest = json.loads(message.data)
                except (ValueError, TypeError):
                    continue
                data = rest[0] if rest else None
                if kind == "stdin" and isinstance(data, str):
                    await service.send_bytes(data.encode("utf-8"))
                elif kind == "resize" and isinstance(data, dict):
                    await service.set_terminal_size(*clamp_size(data.get("width"),
                                                                data.get("height")))
                elif kind == "ping":
                    await websocket.send_json(["pong", data])
                elif kind == "blur":
                    await service.blur()
                elif kind == "focus":
                    await service.focus()

        async def close_tabs(self) -> None:
            """Close every tab's websocket: their handlers then stop the apps."""
            for websocket in list(self.sockets):
                await websocket.close(code=1001, message=b"server stopping")

    def refuse(status: int, reason: str):
        return web.Response(status=status, text=f"tinynet-tui: {reason}\n")

    return GuardedServer()


def page_url(host: str, port: int, token: str | None) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else "[::1]" if host == "::" else url_host(host)
    return f"http://{shown}:{port}/" + ("" if token is None else f"?token={token}")


async def run_server(server, host: str, port: int, follow: str | None = None) -> int:
    """Listen until SIGINT/SIGTERM; 2 if the address cannot be listened on."""
    from aiohttp import web

    runner = web.AppRunner(server.make_app(), access_log=None, shutdown_timeout=STOP_TIMEOUT)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        await runner.cleanup()
        print(f"tinynet-tui: error: cannot listen on {url_host(host)}:{port} "
              f"({exc.strerror or exc})", file=sys.stderr)
        return 2
    following = f"; every tab follows the teacher at {follow}" if follow else ""
    print(f"tinynet-tui: serving on {page_url(host, port, server.token)} (Ctrl+C stops)"
          f"{following}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await server.close_tabs()
        await runner.cleanup()
    return 0


def serve(command: list[str], host: str, port: int, *, token: bool = True,
          max_clients: int = DEFAULT_MAX_CLIENTS, follow: str | None = None) -> int:
    """Serve ``command`` (one process per tab) until Ctrl+C; ``follow``: the teacher's
    address the tabs follow, named in the start line."""
    try:
        import textual_serve  # noqa: F401
    except ImportError:  # pragma: no cover - it is a dependency
        print("tinynet-tui: error: textual-serve is not installed", file=sys.stderr)
        return 2
    problem = check_address(host, port)  # a clear error instead of a traceback in aiohttp
    if problem:
        print(f"tinynet-tui: error: {problem}", file=sys.stderr)
        return 2
    secret = secrets.token_urlsafe(24) if token else None
    if secret is None and not is_loopback(host):
        print(f"tinynet-tui: warning: --no-token on {host}: anyone who can reach port {port} "
              "can start the app", file=sys.stderr)
    server = make_server(command, host, port, token=secret, max_clients=max_clients)
    return asyncio.run(run_server(server, host, port, follow))
