"""``tinynet-tui share``: the teacher's side of follow mode.

A :class:`ShareServer` watches what its :class:`~tui.core.session.Session` records
(every action goes through ``Session._record``) and sends each one, numbered, to
every follower that presented the join code.  A follower that joins late gets a
``hello`` with the starting configuration and the whole action log, and replays
it (:mod:`tui.core.wire` has the format).  Nothing a follower sends is carried out:
the server reads only a join line, then drops whatever comes, with limits on line
size, messages a second and followers; bad input closes that one connection,
never the server.

The server is an asyncio loop in its own thread (stdlib only); the app is a thin
layer (:func:`run_share`).
"""
from __future__ import annotations

import asyncio
import hmac
import secrets
import threading

from tui.core import actions as act
from tui.core import wire
from tui.net.follow import parse_address
from tui.app.app import TinyNetApp

JOIN_TIMEOUT_S = 5.0       #: a connection that sends no join line in time is closed
MAX_QUEUE = 100_000        #: lines waiting for one follower; a follower further behind is
                           #: dropped (it reconnects and catches up from a fresh hello)
PLAY_COALESCE_S = 0.05     #: plays within this time go out as one ``play`` action
MAX_BAD_MESSAGES = 100     #: dropped lines from one follower before it is disconnected


class ShareServer:
    """Serves ``session``'s actions to followers on ``host:port`` (port 0: any free)."""

    def __init__(self, session, host: str = "127.0.0.1", port: int = 0,
                 code: str | None = None, max_followers: int = wire.MAX_FOLLOWERS) -> None:
        self.session = session
        self.host, self.port = host, port
        self.code = wire.normalise_code(code) if code else wire.new_code()
        self.max_followers = max_followers
        self.run_id = secrets.token_hex(8)     #: new for every start: followers see a restart
        self.seq = 0                           #: actions recorded since the start
        self.log: list[act.Action] = list(session.actions)  #: merged, as Session keeps them
        self.dropped = 0                       #: lines from followers dropped
        self.refused = 0                       #: connections closed (wrong code, full, bad)
        self._lock = threading.RLock()
        self._pending_play = 0
        self._flush_scheduled = False
        self._queues: set[asyncio.Queue] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._handlers: set[asyncio.Task] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server = None
        self._thread: threading.Thread | None = None
        self._unhook = None

    # ---------------------------------------------------------------- lifetime
    def start(self) -> tuple[str, int]:
        """Bind, start serving and watching the session; returns the bound address."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="tinynet-share",
                                        daemon=True)
        self._thread.start()
        try:
            self._server = asyncio.run_coroutine_threadsafe(
                asyncio.start_server(self._handle, self.host, self.port,
                                     limit=wire.MAX_JOIN_LINE_BYTES), self._loop).result()
        except BaseException:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            raise
        self.port = self._server.sockets[0].getsockname()[1]
        self._install_hook()
        self._show()
        return self.host, self.port

    def stop(self) -> None:
        """Stop serving and close every follower's connection (they keep their state)."""
        if self._loop is None:
            return
        if self._unhook is not None:
            self._unhook()
            self._unhook = None
        self.flush()
        self.session.link_status = f"stopped sharing {self.address}"
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()
        self._loop = None

    async def _close(self) -> None:
        self._server.close()
        for queue in list(self._queues):
            queue.put_nowait(None)  # each writer sends what is queued, then closes
        if self._handlers:
            await asyncio.wait(self._handlers, timeout=1)
        for task in self._handlers:
            task.cancel()
        for writer in list(self._writers):  # whatever is left: closed, so followers see EOF
            writer.transport.abort()
        await self._server.wait_closed()

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def followers(self) -> int:
        return len(self._queues)

    def _show(self) -> None:
        """The short form for the status line (``Session.link_status``)."""
        self.session.link_status = (f"sharing {self.address} · code {self.code} · "
                                    f"{self.followers} following")
        self.session.touch()

    def describe(self) -> str:
        return (f"sharing at {self.address} — join code {self.code} "
                f"(tinynet-tui follow {self.address} {self.code}); "
                f"{self.followers} following")

    # ---------------------------------------------------------------- actions out
    def _install_hook(self) -> None:
        """Publish everything the session records (``Session.listeners`` where there is
        one, else a wrapper around ``Session._record``)."""
        with self._lock:
            self.log = list(self.session.actions)
        if isinstance(getattr(self.session, "listeners", None), list):
            self.session.listeners.append(self.publish)
            self._unhook = lambda: self.session.listeners.remove(self.publish)
            return
        record = self.session._record

        def record_and_publish(action: act.Action) -> None:
            record(action)
            self.publish(action)

        self.session._record = record_and_publish
        self._unhook = lambda: self.session.__dict__.pop("_record", None)

    def publish(self, action: act.Action) -> None:
        """Number ``action``, log it, and queue it for every follower (any thread).
        Plays are gathered for ``PLAY_COALESCE_S`` and sent as one (``play n`` then
        ``play m`` replays exactly as ``play n+m``): playing costs a follower about
        20 short lines a second, not one per chunk the play worker ran."""
        with self._lock:
            if not isinstance(action, act.Play):
                self._flush_play()
                self._emit(action)
                return
            if self._pending_play + action.epochs > act.MAX_PLAY_EPOCHS:
                self._flush_play()
            self._pending_play += action.epochs
            if self._loop is not None and not self._flush_scheduled:
                self._flush_scheduled = True
                self._loop.call_soon_threadsafe(self._loop.call_later, PLAY_COALESCE_S,
                                                self.flush)

    def flush(self) -> None:
        """Send the plays gathered so far (the loop calls this ``PLAY_COALESCE_S`` after a play)."""
        with self._lock:
            self._flush_play()

    @property
    def pending_epochs(self) -> int:
        """Epochs played but not sent yet (at most ``PLAY_COALESCE_S`` old)."""
        return self._pending_play

    def _flush_play(self) -> None:
        self._flush_scheduled = False
        if self._pending_play:
            epochs, self._pending_play = self._pending_play, 0
            self._emit(act.Play(epochs))

    def _emit(self, action: act.Action) -> None:
        self.seq += 1
        wire.append_merged(self.log, action)
        line = wire.action_line(self.seq, action)
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._broadcast, line)

    def _broadcast(self, line: bytes) -> None:
        for queue in list(self._queues):
            if queue.qsize() >= MAX_QUEUE:
                self._queues.discard(queue)
                queue.put_nowait(None)
            else:
                queue.put_nowait(line)

    # ---------------------------------------------------------------- one follower
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        queue = None
        self._handlers.add(asyncio.current_task())
        self._writers.add(writer)
        try:
            if len(self._queues) >= self.max_followers:
                return await self._refuse(writer, f"full: {self.max_followers} followers already")
            try:
                line = await asyncio.wait_for(reader.readline(), JOIN_TIMEOUT_S)
                message = wire.decode_from_follower(line)
            except asyncio.TimeoutError:
                return await self._refuse(writer, "no join code in time")
            except (ValueError, asyncio.LimitOverrunError) as exc:  # WireError, too long
                return await self._refuse(writer, str(exc) if isinstance(exc, wire.WireError)
                                          else "join line too long")
            if not hmac.compare_digest(message.data["code"].encode(), self.code.encode()):
                return await self._refuse(writer, "wrong join code")
            queue = asyncio.Queue()
            with self._lock:  # the snapshot and the registration happen between two actions
                self._flush_play()
                lines = wire.hello_lines(self.run_id, self.seq, self.session.start_config,
                                         [a.to_json() for a in self.log])
                self._queues.add(queue)
            self._show()
            writer.writelines(lines)
            await writer.drain()
            reading = asyncio.ensure_future(self._drain_input(reader))
            writing = asyncio.ensure_future(self._write(queue, writer))
            await asyncio.wait({reading, writing}, return_when=asyncio.FIRST_COMPLETED)
            for task in (reading, writing):
                task.cancel()
        except (ConnectionError, OSError, asyncio.CancelledError):
            pass
        finally:
            if queue is not None:
                self._queues.discard(queue)
                self._show()
            writer.close()
            self._writers.discard(writer)
            self._handlers.discard(asyncio.current_task())

    async def _refuse(self, writer: asyncio.StreamWriter, reason: str) -> None:
        self.refused += 1
        writer.write(wire.encode("error", reason=reason))
        try:
            await asyncio.wait_for(writer.drain(), 1)
        except (asyncio.TimeoutError, ConnectionError, OSError):
            pass

    async def _write(self, queue: asyncio.Queue, writer: asyncio.StreamWriter) -> None:
        while True:
            line = await queue.get()
            if line is None:
                return
            writer.write(line)
            while not queue.empty():  # a burst goes out in one write
                line = queue.get_nowait()
                if line is None:
                    await writer.drain()
                    return
                writer.write(line)
            await writer.drain()

    async def _drain_input(self, reader: asyncio.StreamReader) -> None:
        """Followers send nothing that counts: every line is dropped; too many, or a
        flood past the rate limit, closes the connection."""
        limit, bad = wire.RateLimit(wire.FOLLOWER_MSGS_PER_S), 0
        while True:
            try:
                line = await reader.readline()
            except (ValueError, asyncio.LimitOverrunError):
                line = b"(too long)\n"
            if not line:
                return
            self.dropped += 1
            bad += 1
            if not limit.allow() or bad > MAX_BAD_MESSAGES:
                return


# -------------------------------------------------------------------- the command line
DEFAULT_PORT = 8765


def join_code(text: str) -> str:
    """An argparse type: a join code of 4 to 32 letters and digits (dashes ignored)."""
    import argparse

    code = wire.normalise_code(text)
    if not 4 <= len(code) <= 32 or len(code) != len(str(text).replace("-", "")):
        raise argparse.ArgumentTypeError(f"a join code is 4 to 32 letters and digits, got {text!r}")
    return code


def teacher_address(text: str) -> str:
    import argparse


    try:
        parse_address(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def add_share_parsers(sub, add_model_options, port_type) -> None:
    """``share`` (with the app's model options) and ``follow`` subcommands."""
    share = sub.add_parser(
        "share", help="the app, mirrored live by followers (tinynet-tui follow)",
        description="Run the app and let followers mirror it: only actions cross the network.")
    add_model_options(share)
    share.add_argument("--port", type=port_type, default=DEFAULT_PORT,
                       help=f"port (default {DEFAULT_PORT})")
    share.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this machine only)")
    share.add_argument("--code", type=join_code,
                       help="join code (default: a new random one; give the old one to "
                       "restart a lesson without followers re-joining)")
    follow = sub.add_parser(
        "follow", help="mirror a teacher's tinynet-tui share (u: detach / follow again)",
        description="The same app, mirroring the teacher; u detaches to explore your own "
        "copy, u again jumps back to the teacher's state.")
    follow.add_argument("address", type=teacher_address, metavar="HOST:PORT")
    follow.add_argument("code", type=join_code, metavar="CODE")


# -------------------------------------------------------------------- the app
def make_share_app(problem, host: str = "127.0.0.1", port: int = 0, code: str | None = None,
                   replay=None, **kw):
    """The app with a (not yet started) ShareServer for its session as ``app.server``."""

    class ShareApp(TinyNetApp):
        BINDINGS = [("i", "share_info", "join code")]

        def on_mount(self) -> None:
            super().on_mount()
            self.sub_title = self.server.describe()
            self.notify(self.server.describe(), title="follow mode", timeout=30, markup=False)

        def action_share_info(self) -> None:
            self.notify(self.server.describe(), title="follow mode", timeout=15, markup=False)

    wire.check_shareable(problem.config)  # WireError (a ValueError): one line
    app = ShareApp(problem, replay=replay, **kw)
    app.server = ShareServer(app.session, host=host, port=port, code=code)
    return app


def run_share(problem, host: str = "127.0.0.1", port: int = 0, code: str | None = None,
              replay=None) -> int:
    """``tinynet-tui share``: listen first (an error is one line before the screen is
    taken over), then run the app; the server stops with it."""
    app = make_share_app(problem, host, port, code, replay)
    try:
        app.server.start()
    except OSError as exc:
        raise OSError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    try:
        app.run()
    finally:
        app.server.stop()
    return app.return_code or 0
