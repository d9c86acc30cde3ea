"""``tinynet-tui follow HOST:PORT CODE``: a learner's copy that mirrors the teacher.

:class:`Follower` is the headless core (tests drive it directly): a client thread
reads the teacher's lines (:mod:`tui.core.wire`), keeps the teacher's configuration
and action log, and — while attached — carries each action out on its
:class:`~tui.core.session.Session` under the session lock (``Session.apply``), so the
network equals the teacher's bit for bit.  A late joiner rebuilds from the
teacher's configuration and replays the log.

Detaching leaves the session alone (the learner's own keys work on their own
copy; any own action detaches too); re-attaching rebuilds from the teacher's
configuration and full log.  A bad line is dropped with a line in ``notes``;
when the teacher goes away the session keeps its state and the client reconnects
with backoff (a restarted teacher — same ``--code`` — is followed from its new start).
"""
from __future__ import annotations

import collections
import socket
import threading

from tui.core import actions as act
from tui.core import wire
from tui.core.config import RunConfig, build
from tui.core.session import Session
from tui.app.app import TinyNetApp

CONNECT_TIMEOUT_S = 5.0
BACKOFF_S = (0.1, 5.0)      #: first and longest wait between reconnection attempts


class Resync(Exception):
    """The stream skipped an action: reconnect and catch up from a fresh hello."""


def parse_address(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:PORT`` for IPv6) → (host, port); ValueError with one line."""
    host, sep, port = str(text).rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"the teacher's address must look like HOST:PORT "
                         f"(e.g. 127.0.0.1:8765), got {text!r}")
    return host, int(port)


def restart_session(session, config: RunConfig, actions: list[act.Action]) -> None:
    """Make ``session`` what a fresh Session of ``config`` becomes after ``actions``
    (the same object, so the app's widgets keep it).  Raises ValueError/ActionError."""
    with session.lock:
        session.playing = False
        session.open_run(config)
        session.replay(actions)
        session.touch()


class Follower:
    """Follows the teacher at ``host:port`` with join ``code``, driving ``session``
    (None: one is made from the teacher's configuration on the first hello)."""

    def __init__(self, host: str, port: int, code: str, session=None,
                 backoff: tuple[float, float] = BACKOFF_S, on_change=None) -> None:
        self.host, self.port, self.code = host, int(port), wire.normalise_code(code)
        self.session = session
        self.backoff = backoff
        self.on_change = on_change            #: called (from the client thread) on news
        self.state = "connecting"             #: connecting/following/detached/gone/refused
        self.attached = True                  #: mirror the teacher (False: own copy)
        self.reason = ""                      #: why refused
        self.notes: collections.deque[str] = collections.deque(maxlen=50)
        self.dropped = 0                      #: lines dropped as bad
        self.connects = 0                     #: hellos completed
        self.rebuilds = 0                     #: times the session was rebuilt from the log
        self.run_id: str | None = None        #: the teacher run the log belongs to
        self.teacher_config: RunConfig | None = None
        self.teacher_log: list[act.Action] = []
        self.seq = 0                          #: the teacher's actions received
        self.applied_seq = 0                  #: … and carried out here (while attached)
        self._lock = threading.RLock()
        self._local = threading.local()
        self._stop = threading.Event()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        if session is not None:
            self._watch(session)

    # ---------------------------------------------------------------- lifetime
    def start(self) -> "Follower":
        self._thread = threading.Thread(target=self._run, name="tinynet-follow", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def status(self) -> str:
        """One line for the status bar."""
        if self.state == "refused":
            return f"teacher at {self.address} refused: {self.reason}"
        if self.state == "gone":
            return "teacher gone — keeping state; reconnecting…"
        if not self.attached:
            return f"detached — your own copy (teacher at {self.address}; u follows again)"
        if self.state == "connecting":
            return f"connecting to teacher at {self.address}…"
        return f"following teacher at {self.address}"

    def _note(self, text: str) -> None:
        self.notes.append(text)
        self._changed()

    def _changed(self) -> None:
        if self.session is not None:  # for the status line (``Session.link_status``)
            self.session.link_status = self.status
        if self.on_change is not None:
            try:
                self.on_change(self)
            except Exception:  # the app may be closing; the client keeps going
                pass

    # ---------------------------------------------------------------- detach / attach
    def detach(self) -> None:
        """Stop mirroring: the session is the learner's own copy from now on."""
        self.attached = False
        self._changed()

    def attach(self) -> bool:
        """Jump back to the teacher's state: rebuild from its configuration and full log."""
        with self._lock:
            if self.teacher_config is None:
                self._note("nothing to follow yet: no hello from the teacher")
                return False
            self.attached = True
            ok = self._rebuild()
        self._changed()
        return ok

    def _watch(self, session) -> None:
        """Any action the learner takes on the session while attached detaches it."""
        def watch(action: act.Action) -> None:
            if self.attached and not getattr(self._local, "applying", False):
                self.attached = False
                self._note(f"detached by your own {action.name}: exploring your own copy")

        if isinstance(getattr(session, "listeners", None), list):
            session.listeners.append(watch)
            return
        record = session._record

        def record_and_watch(action: act.Action) -> None:
            record(action)
            watch(action)

        session._record = record_and_watch

    def _rebuild(self) -> bool:
        self._local.applying = True
        try:
            if self.session is None:

                session = Session(build(self.teacher_config))
                self._watch(session)
                session.replay(self.teacher_log)
                self.session = session
            else:
                restart_session(self.session, self.teacher_config, self.teacher_log)
        except (ValueError, OSError) as exc:  # ActionError, DataError, ModelFileError
            self.attached = False
            self._note(f"cannot rebuild the teacher's network here: {exc}; detached")
            return False
        finally:
            self._local.applying = False
        self.rebuilds += 1
        self.applied_seq = self.seq
        return True

    # ---------------------------------------------------------------- the client thread
    def _run(self) -> None:
        delay = self.backoff[0]
        while not self._stop.is_set():
            try:
                sock = socket.create_connection((self.host, self.port), timeout=CONNECT_TIMEOUT_S)
            except OSError:
                sock = None
            if sock is not None:
                self._sock = sock
                try:
                    sock.settimeout(None)
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
                    sock.sendall(wire.encode("join", code=self.code))
                    if self._session_loop(sock.makefile("rb")):
                        delay = self.backoff[0]
                except Resync:
                    delay = 0
                except (OSError, ValueError):
                    pass
                finally:
                    self._close()
                if self.state == "refused" and self.reason == "wrong join code":
                    return
            if self._stop.is_set():
                return
            if self.state in ("following", "connecting") and self.connects:
                self.state = "gone"
                self._changed()
            self._stop.wait(delay)
            delay = min(self.backoff[1], max(self.backoff[0], 2 * delay))

    def _close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _lines(self, stream):
        """Lines of at most ``MAX_LINE_BYTES``; a longer one is skipped to its end."""
        while not self._stop.is_set():
            line = stream.readline(wire.MAX_LINE_BYTES + 1)
            if not line:
                return
            if len(line) > wire.MAX_LINE_BYTES:
                size = len(line)
                while line and not line.endswith(b"\n"):
                    line = stream.readline(wire.MAX_LINE_BYTES)
                    size += len(line)
                self._drop(f"a line of more than {wire.MAX_LINE_BYTES} bytes ({size}) dropped")
                continue
            yield line

    def _drop(self, text: str) -> None:
        self.dropped += 1
        self._note(text)

    def _session_loop(self, stream) -> bool:
        """Read one connection; True once a hello was complete (the link worked)."""
        hello, log, early, synced = None, [], [], False
        for line in self._lines(stream):
            try:
                message = wire.decode_from_teacher(line)
            except wire.WireError as exc:
                self._drop(str(exc))
                continue
            kind, data = message.type, message.data
            if kind == "error":
                self.state, self.reason = "refused", data["reason"]
                self._note(f"the teacher refused: {data['reason']}")
                return synced
            if kind == "hello":
                hello, log, synced = data, [], False
                if data["n"] == 0:
                    self._on_hello(hello, log)
                    synced = True
            elif kind == "log":
                if hello is None or synced or len(log) + len(data["actions"]) > hello["n"]:
                    self._drop("a log line outside a hello dropped")
                    continue
                log.extend(data["actions"])
                if len(log) == hello["n"]:
                    self._on_hello(hello, log)
                    synced = True
            elif kind == "action":
                if not synced:
                    early.append(data)
                    continue
                for item in early + [data]:
                    self._on_action(item["seq"], item["action"])
                early = []
        return synced

    def _on_hello(self, hello: dict, log: list[act.Action]) -> None:
        try:
            wire.check_log_size(log)
        except wire.WireError as exc:
            self._drop(f"hello dropped: {exc}")
            raise Resync from None
        with self._lock:
            same = (hello["run"] == self.run_id and hello["seq"] == self.seq
                    and self.session is not None)
            self.run_id, self.teacher_config = hello["run"], hello["config"]
            self.teacher_log, self.seq = list(log), hello["seq"]
            self.connects += 1
            self.state = "following"
            if self.attached and not same:
                self._rebuild()
            elif same:
                self.applied_seq = self.seq
        self._changed()

    def _on_action(self, seq: int, action: act.Action) -> None:
        with self._lock:
            if seq <= self.seq:
                return  # already in the hello's log
            if seq != self.seq + 1:
                self._note(f"missed the teacher's actions {self.seq + 1}–{seq - 1}: catching up")
                raise Resync
            wire.append_merged(self.teacher_log, action)
            self.seq = seq
            if self.session is None:
                return
            with self.session.lock:
                if not self.attached:
                    return
                self._local.applying = True
                try:
                    self.session.apply(action)
                except act.ActionError as exc:
                    self._note(f"the teacher's action {seq} ({action.name}) failed here: {exc}; "
                               "rebuilding")
                    self._rebuild()
                finally:
                    self._local.applying = False
                self.applied_seq = seq
        self._changed()


# -------------------------------------------------------------------- the app
def make_follow_app(address: str, code: str, backoff: tuple[float, float] = BACKOFF_S, **kw):
    """The app with a (not yet started) Follower of its session as ``app.follower``;
    ValueError (one line) for a bad address."""

    host, port = parse_address(address)

    class FollowApp(TinyNetApp):
        BINDINGS = [("u", "follow_toggle", "unfollow/follow")]

        def on_mount(self) -> None:
            super().on_mount()
            self._shown = ("", 0)
            self.set_interval(0.25, self.show_follow_status)

        def show_follow_status(self) -> None:
            """Status changes and dropped lines become notifications (and the sub-title)."""
            status, notes = self.follower.status, len(self.follower.notes)
            if (status, notes) == self._shown:
                return
            if notes != self._shown[1] and self.follower.notes:
                self.notify(self.follower.notes[-1], title="follow", severity="warning", markup=False)
            if status != self._shown[0]:
                self.sub_title = status
                self.notify(status, title="follow", markup=False)
            self._shown = (status, notes)

        def action_follow_toggle(self) -> None:
            if self.follower.attached:
                self.follower.detach()
            else:
                if self.playing:
                    self.player.stop()
                self.follower.attach()
            self.session.touch()
            self.show_follow_status()

    app = FollowApp(build(RunConfig()), **kw)
    app.follower = Follower(host, port, code, session=app.session, backoff=backoff,
                            on_change=lambda f: app.session.touch())
    return app


def run_follow(address: str, code: str) -> int:
    """``tinynet-tui follow HOST:PORT CODE``: the app, mirroring the teacher."""
    app = make_follow_app(address, code)
    app.follower.start()
    try:
        app.run()
    finally:
        app.follower.stop()
    return app.return_code or 0
