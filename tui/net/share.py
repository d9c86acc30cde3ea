"""``tinynet-tui share``: the teacher's side of follow mode.

A :class:`ShareServer` watches what its :class:`~tui.core.session.Session` records
(every action goes through ``Session.apply``, which calls its ``listeners``) and sends each one, numbered, to
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
import collections
import secrets
import sys
import threading

from tui.core import actions as act
from tui.core import wire
from tui.core.text import printable
from tui.net.join_guard import JoinGuard
from tui.net.room import Room, tally_line
from tui.net.follow import parse_address

JOIN_TIMEOUT_S = 5.0       #: a connection that sends no join line in time is closed
MAX_QUEUE = 100_000        #: lines waiting for one follower; a follower further behind is
                           #: dropped (it reconnects and catches up from a fresh hello)
PLAY_COALESCE_S = 0.05     #: plays within this time go out as one ``play`` action
MAX_BAD_MESSAGES = 100     #: dropped lines from one follower before it is disconnected
#: connections waiting to send their join line at once (each for up to JOIN_TIMEOUT_S); one
#: more is closed at once, unanswered: a flood of connections that never join held a file
#: descriptor each until the teacher's process could open no file (EMFILE) and asyncio
#: printed a traceback for each refused accept
MAX_JOINING = 64


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
        self._pending_play: act.Play | None = None  #: plays gathered, not sent yet
        self._flush_scheduled = False
        self._queues: set[asyncio.Queue] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._handlers: set[asyncio.Task] = set()
        self._joining = 0                      #: connections before their join line
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server = None
        self._thread: threading.Thread | None = None
        self._unhook = None
        self.guard = JoinGuard()               #: back-off and lockout after wrong codes
        self.alerts: collections.deque[str] = collections.deque(maxlen=100)
        self.on_alert = None                   #: called with each alert (any thread)
        self.room = Room()                     #: the open question and the room's answers
        self.lesson = None                     #: the shared lesson chapter (LessonContext)
        self.view: str | None = None           #: the presenter view open (see ``present``)
        self._view_line: bytes | None = None
        self._ask_line: bytes | None = None
        self._next_id = 0

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
        self.session.set_link_status(f"stopped sharing {self.address}")
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
        """The short form for the status line (``Session.link_status``); the room's tally
        is :meth:`tally_text` (the app shows it on the lesson panel)."""
        self.session.set_link_status(f"sharing {self.address} · code {self.code} · "
                                     f"{self.followers} following")

    def tally_text(self) -> str:
        """``answered 2 of 3 · right 1`` while a question is open, else empty."""
        return tally_line(self.room.tally())

    def describe(self, counts: bool = True) -> str:
        """What to tell the teacher; ``counts=False`` for a toast that stays a while (the
        status line keeps the live count, a toast must never contradict it)."""
        return (f"sharing at {self.address} — join code {self.code} "
                f"(tinynet-tui follow {self.address} {self.code})"
                + (f"; {self.followers} following" if counts else ""))

    # ---------------------------------------------------------------- actions out
    def _install_hook(self) -> None:
        """Publish everything the session records (``Session.listeners`` where there is
        one, else a wrapper around ``Session._record``)."""
        with self._lock:
            self.log = list(self.session.actions)
        session = self.session
        if isinstance(getattr(session, "listeners", None), list):
            session.listeners.append(self.publish)
            self._unhook = lambda: session.listeners.remove(self.publish)
            return
        record = self.session._record

        def record_and_publish(action: act.Action) -> None:
            record(action)
            self.publish(action)

        self.session._record = record_and_publish
        self._unhook = lambda: self.session.__dict__.pop("_record", None)

    def retarget(self, session, lesson=None) -> None:
        """Share ``session`` from now on (the teacher entered a lesson chapter, whose session
        is a new object): a new run — every follower gets a fresh hello naming ``lesson``
        (a :class:`~tui.net.shared_lesson.LessonContext`) and rebuilds that chapter's start,
        then follows the actions taken in it.  Any thread."""
        with self._lock:
            self._flush_play()
            if self._unhook is not None:
                self._unhook()
            self.session = session
            self.lesson = lesson
            self.run_id = secrets.token_hex(8)
            self.seq = 0
            self._install_hook()
            self.log = []  # the chapter's setup is rebuilt by each follower, not replayed
            lines = wire.hello_lines(self.run_id, 0, session.start_config, [],
                                     None if lesson is None else lesson.to_json())
            if self._loop is not None:  # in order: before any action of the new run
                for line in lines:
                    self._loop.call_soon_threadsafe(self._broadcast, line)
        self.close_question()
        self._show()

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
            joined = act.merged(self._pending_play, action)  # the one play-merging rule
            if joined is None:  # too many epochs for one play: send what is gathered
                self._flush_play()
            self._pending_play = action if joined is None else joined
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
        return 0 if self._pending_play is None else self._pending_play.epochs

    def _flush_play(self) -> None:
        self._flush_scheduled = False
        if self._pending_play is not None:
            play, self._pending_play = self._pending_play, None
            self._emit(play)

    def _emit(self, action: act.Action) -> None:
        self.seq += 1
        act.append_merged(self.log, action)
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
        queue, follower, joining = None, None, False
        if self._joining >= MAX_JOINING:
            self.refused += 1
            writer.close()
            return
        self._joining, joining = self._joining + 1, True
        self._handlers.add(asyncio.current_task())
        self._writers.add(writer)
        peer = writer.get_extra_info("peername")
        address = str(peer[0]) if isinstance(peer, tuple) and peer else "?"
        try:
            if (why := self.guard.refusal(address)) is not None:
                return await self._refuse(writer, why)
            if len(self._queues) >= self.max_followers:
                return await self._refuse(writer, f"full: {self.max_followers} followers already")
            nonce = wire.new_nonce()   # a join line is good for this connection only
            writer.write(wire.encode("challenge", nonce=nonce))
            await writer.drain()
            try:
                line = await asyncio.wait_for(reader.readline(), JOIN_TIMEOUT_S)
                message = wire.decode_from_follower(line)
                if message.type != "join":
                    raise wire.WireError("the first line must be a join")
            except asyncio.TimeoutError:
                return await self._refuse(writer, "no join code in time")
            except (ValueError, asyncio.LimitOverrunError) as exc:  # WireError, too long
                return await self._refuse(writer, str(exc) if isinstance(exc, wire.WireError)
                                          else "join line too long")
            # the check, the comparison and the verdict run without an await between them,
            # so parallel guesses from one address are serialised by its back-off
            if (why := self.guard.refusal(address)) is not None:
                return await self._refuse(writer, why)
            if not wire.proof_matches(self.code, nonce, message.data["proof"]):
                alert = self.guard.failed(address)
                if alert:
                    self._alert(alert)
                return await self._refuse(writer, "wrong join code")
            self.guard.succeeded(address)
            self._joining, joining = self._joining - 1, False
            queue = asyncio.Queue()
            self._next_id += 1
            follower = self._next_id
            self.room.join(follower, message.data["name"])
            with self._lock:  # the snapshot and the registration happen between two actions
                self._flush_play()
                lines = wire.hello_lines(self.run_id, self.seq, self.session.start_config,
                                         [a.to_json() for a in self.log],
                                         None if self.lesson is None else self.lesson.to_json())
                if self._ask_line is not None:
                    lines.append(self._ask_line)
                if self._view_line is not None:
                    lines.append(self._view_line)
                self._queues.add(queue)
            self._show()
            writer.writelines(lines)
            await writer.drain()
            reading = asyncio.ensure_future(self._read_answers(reader, queue, follower))
            writing = asyncio.ensure_future(self._write(queue, writer))
            await asyncio.wait({reading, writing}, return_when=asyncio.FIRST_COMPLETED)
            for task in (reading, writing):
                task.cancel()
        except (ConnectionError, OSError, asyncio.CancelledError):
            pass
        finally:
            if joining:
                self._joining -= 1
            if queue is not None:
                self._queues.discard(queue)
                self.room.leave(follower)
                self._show()
            writer.close()
            self._writers.discard(writer)
            self._handlers.discard(asyncio.current_task())

    def _alert(self, text: str) -> None:
        """A line for the teacher (join-code guessing): kept in ``alerts``, passed to
        ``on_alert`` (the app notifies), and written to stderr when the app has ended."""
        self.alerts.append(text)
        if self.on_alert is not None:
            try:
                self.on_alert(text)
            except Exception:  # the app may be closing
                pass

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

    async def _read_answers(self, reader: asyncio.StreamReader, queue: asyncio.Queue,
                            follower: int) -> None:
        """A follower may send answers (:mod:`tui.net.room`) and nothing else that counts:
        every other line is dropped; too many bad lines, or a flood past the rate limit,
        closes this connection (no other follower notices)."""
        limit, bad = wire.RateLimit(wire.FOLLOWER_MSGS_PER_S), 0
        while True:
            try:
                line = await reader.readline()
            except (ValueError, asyncio.LimitOverrunError):
                line = b"(too long)\n"
            if not line:
                return
            if not limit.allow():
                self.dropped += 1
                return
            try:
                message = wire.decode_from_follower(line)
                if message.type != "answer":
                    raise wire.WireError("a second join dropped")
            except wire.WireError:
                self.dropped += 1
                bad += 1
                if bad > MAX_BAD_MESSAGES:
                    return
                continue
            q = message.data["q"]
            counted, text, right = self.room.answer(follower, q, message.data["a"])
            if not counted:
                self.dropped += 1
                bad += 1
                if bad > MAX_BAD_MESSAGES:
                    return
            queue.put_nowait(wire.encode("verdict", q=q, right=bool(right), text=text[:400]))
            if counted:
                self._show()

    # ---------------------------------------------------------------- questions
    def ask(self, q: str, text: str, check) -> None:
        """Put question ``q`` to the room (any thread): followers see it and may answer
        once each; :attr:`room` keeps the tally.  Asking the open question again is a no-op."""
        if not self.room.ask(q, text, check):
            return
        self._send_ask(wire.encode("ask", q=q, text=text[:wire.MAX_QUESTION_TEXT]))

    def close_question(self) -> None:
        if self.room.close():
            self._send_ask(None)

    def present(self, view: str | None, rows: list | None = None, note: str = "",
                draft: dict | None = None) -> None:
        """A presenter view open on the teacher's screen (``compare``/``sweep``, None:
        none): followers show it read-only (late joiners too).  A sweep brings its
        ``rows`` (the app's sweep rows) and ``note`` once they are trained.  Any thread."""
        table = wire.sweep_table(rows) if rows else None
        if draft is not None:  # a copy: the screen edits its lists in place
            import json

            draft = json.loads(json.dumps(draft))
        with self._lock:
            if (view, table, draft) == (self.view, getattr(self, "_view_table", None),
                                        getattr(self, "_view_draft", None)):
                return
            self.view, self._view_table, self._view_draft = view, table, draft
            extra = {} if table is None else {"rows": table, "note": note[:wire.MAX_VERDICT_TEXT]}
            if draft is not None:
                extra["draft"] = draft
            self._view_line = wire.encode("view", name=view, **extra)
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._broadcast, self._view_line)

    def _send_ask(self, line: bytes | None) -> None:
        with self._lock:
            self._ask_line = line
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._broadcast,
                                            line or wire.encode("ask", q=None))
        self._show()

# -------------------------------------------------------------------- the command line
DEFAULT_PORT = 8765


def join_code(text: str) -> str:
    """An argparse type: a join code of 6 to 32 letters and digits (dashes ignored);
    shorter codes fall to guessing in seconds, so they are refused."""
    import argparse

    from tui.core.text import printable  # loaded when used: start-up time

    code = wire.normalise_code(text)
    low, high = wire.MIN_CODE_LENGTH, wire.MAX_CODE_LENGTH
    if not low <= len(code) <= high or len(code) != len(str(text).replace("-", "")):
        raise argparse.ArgumentTypeError(f"a join code is {low} to {high} letters and digits, "
                                         f"got {printable(repr(text))}")
    return code


def follower_name(text: str) -> str:
    """An argparse type: 1 to 32 printable characters."""
    import argparse

    from tui.core.text import printable  # loaded when used: start-up time

    text = str(text).strip()
    if not 0 < len(text) <= wire.MAX_NAME or printable(text) != text:
        raise argparse.ArgumentTypeError(f"a name is 1 to {wire.MAX_NAME} printable characters, "
                                         f"got {printable(repr(text))}")
    return text


def teacher_address(text: str) -> str:
    import argparse


    try:
        parse_address(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def add_share_parsers(sub, add_model_options, port_type) -> None:
    """``share`` (with the app's model options, and ``share learn NAME``) and ``follow``."""
    import argparse

    share = sub.add_parser(
        "share", help="the app, mirrored live by followers (tinynet-tui follow)",
        description="Run the app and let followers mirror it: only actions cross the network.")
    add_model_options(share)
    share.add_argument("--port", type=port_type, default=DEFAULT_PORT,
                       help=f"port (default {DEFAULT_PORT})")
    share.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this machine only)")
    share.add_argument("--code", type=join_code,
                       help="join code of 6 to 32 letters and digits (default: a new random "
                       "one; give the old one to restart without followers re-joining)")
    share_sub = share.add_subparsers(dest="share_command", metavar="learn NAME")
    learn = share_sub.add_parser("learn", help="take the room through a built-in lesson",
                                 description="Share a built-in lesson: followers see the same "
                                 "chapter, panels and network, and answer its questions.")
    learn.add_argument("lesson", metavar="NAME", help="a built-in lesson (tinynet-tui learn "
                       "lists them)")
    for flag, kw in (("--port", dict(type=port_type)), ("--host", {}),
                     ("--code", dict(type=join_code))):
        learn.add_argument(flag, default=argparse.SUPPRESS, **kw)
    follow = sub.add_parser(
        "follow", help="mirror a teacher's tinynet-tui share (u: detach / follow again)",
        description="The same app, mirroring the teacher; u detaches to explore your own "
        "copy, u again jumps back to the teacher's state.")
    follow.add_argument("address", type=teacher_address, metavar="HOST:PORT")
    follow.add_argument("code", type=join_code, metavar="CODE")
    follow.add_argument("--name", type=follower_name,
                        help="your name on the teacher's tally of answers (default: anonymous)")


# -------------------------------------------------------------------- the app
def make_share_app(problem, host: str = "127.0.0.1", port: int = 0, code: str | None = None,
                   replay=None, lesson=None, progress=None, **kw):
    """The app with a (not yet started) ShareServer for its session as ``app.server``."""
    from textual.binding import Binding
    from textual.message import Message

    # the app loads with the app, not with the command line's parser: `--help` stays light
    from tui.app.app import TinyNetApp

    class ShareApp(TinyNetApp):
        BINDINGS = [Binding("i", "share_info", "join code", tooltip="the join code again")]

        class Alert(Message):
            """(from the server's thread) A join-code alert to show the teacher."""

            def __init__(self, text: str) -> None:
                super().__init__()
                self.text = text

        def on_mount(self) -> None:
            super().on_mount()
            self.sub_title = self.server.describe(counts=False)
            self.notify(self.server.describe(counts=False), title="follow mode", timeout=30,
                        markup=False)
            self.server.on_alert = self._alert
            self._tally_shown: tuple | None = None
            self._asking: str | None = None
            self.lessons.on_enter.append(self.share_chapter)
            if self.lessons.active:
                self.share_chapter()
            self.set_interval(0.25, self.classroom_tick)

        def _alert(self, text: str) -> None:  # from the server's thread: by message
            self.post_message(self.Alert(text))  # (thread-safe; a closed app drops it)

        def on_share_app_alert(self, message: Alert) -> None:
            self.notify(message.text, title="join codes", severity="warning", timeout=20,
                        markup=False)

        def action_share_info(self) -> None:
            self.notify(self.server.describe(), title="follow mode", timeout=6, markup=False)

        # ------------------------------------------------------------ the room
        def share_chapter(self) -> None:
            """Take the room into the lesson chapter now on screen (built-in lessons)."""
            # loaded when used: start-up time
            from tui.net.shared_lesson import LessonContext, builtin_name

            lesson = self.lessons.lesson
            context = None
            if lesson is not None:
                name = builtin_name(lesson.key)
                if name is None:
                    self.notify("lesson files are not shared: followers keep the network "
                                "they have (share a built-in lesson)", severity="warning",
                                markup=False)
                    return
                context = LessonContext(name, lesson.index)
            if self.session is not self.server.session or context != self.server.lesson:
                self.server.retarget(self.session, context)

        def classroom_tick(self) -> None:
            """Keep the room in step: the chapter, its question, the tally, the view."""
            if self.session is not self.server.session:
                self.share_chapter()
            self._ask_chapter_question()
            self._show_tally()
            # loaded when used: start-up time
            from tui.app.widgets.compare import CompareScreen, SweepScreen

            screen = self.screen
            from tui.app.screens.settings import SettingsScreen  # loaded when used: start-up time

            if isinstance(screen, SettingsScreen):  # the fields being chosen, as they change
                from tui.app.screens.settings import _sent  # loaded when used: start-up time

                self.server.present("settings", draft={
                    k: v for k, v in _sent(screen.draft).items() if v is not None})
            elif isinstance(screen, SweepScreen):
                # loaded when used: start-up time
                from tui.app.widgets.compare import sweep_summary

                self.server.present("sweep", screen.rows,
                                    sweep_summary(screen.rows) if screen.rows else "")
            else:
                self.server.present("compare" if isinstance(screen, CompareScreen) else None)

        def _ask_chapter_question(self) -> None:
            context, run = self.server.lesson, self.lessons.run
            if context is None or run is None or run.question is None:
                self._ask_quiz_question()
                return
            q = f"lesson:{context.name}:{context.chapter}"
            if self._asking == q or (self.server.room.question is not None
                                     and self.server.room.question.q == q):
                return
            self._asking = q
            lesson = self.lessons.lesson.lesson

            def work() -> None:  # the truth is computed on a copy of the chapter, off the UI
                from tui.net.room import lesson_question  # loaded when used: start-up time

                try:
                    found = lesson_question(lesson, context.name, context.chapter)
                except (ValueError, ArithmeticError):
                    found = None
                if found is not None and self.server.lesson == context:
                    self.server.ask(*found)

            threading.Thread(target=work, name="tinynet-question", daemon=True).start()

        def _ask_quiz_question(self) -> None:
            """The quiz (``z``) asks before each backward or update step: the room too."""
            from tui.net.room import quiz_question  # loaded when used: start-up time

            s = self.session
            if not s.quiz.on:
                self.server.close_question()
                return
            with s.lock:
                st = s.stepper
                key = (id(st), st.epoch, st.cursor, s.sample, len(s.actions))
                if key == getattr(self, "_quiz_key", None):
                    return
                self._quiz_key = key
                found = quiz_question(s)
            if found is None:
                self.server.close_question()
            else:
                self.server.ask(*found)

        def _show_tally(self) -> None:
            from tui.net.room import histogram_lines, tally_line  # loaded when used: start-up time

            t = self.server.room.tally()
            key = (t["q"], t["answered"], t["right"], t["of"])
            if key == self._tally_shown:
                return
            self._tally_shown = key
            try:  # live on the lesson panel's border: "the room: answered 2 of 3 · right 1"
                self.query_one("#lesson").border_subtitle = (
                    f"the room: {tally_line(t)}" if t["q"] is not None else "")
            except Exception:  # no lesson panel (not mounted until a lesson opens; defensive)
                pass
            if t["q"] is not None and t["answered"]:
                self.notify("\n".join([tally_line(t)] + histogram_lines(t, width=34)),
                            title="the room's answers", timeout=8, markup=False)

    wire.check_shareable(problem.config)  # WireError (a ValueError): one line
    app = ShareApp(problem, replay=replay, lesson=lesson, progress=progress, **kw)
    app.server = ShareServer(app.session, host=host, port=port, code=code)
    return app


def open_shared_lesson(name: str):
    """``share learn NAME``: the built-in lesson, at the chapter this user left it, as a
    LessonSession; ValueError (one line) for a file or an unknown or broken lesson."""
    # loaded when used: start-up time
    from tui.lessons.catalogue import builtin_lessons, start_lesson
    from tui.lessons.format import LessonErrors  # loaded when used: start-up time

    if name not in builtin_lessons():
        raise ValueError(f"share learn: {name!r} is not a built-in lesson (followers build "
                         f"each chapter themselves; built-in: {', '.join(builtin_lessons())})")
    try:
        return start_lesson(name)
    except LessonErrors as exc:
        raise ValueError(str(exc.errors[0])) from None


def run_share(problem, host: str = "127.0.0.1", port: int = 0, code: str | None = None,
              replay=None, lesson: str | None = None) -> int:
    """``tinynet-tui share`` (``share learn NAME`` with ``lesson``): listen first (an
    error is one line before the screen is taken over), then run the app; the server
    stops with it."""
    opened = None
    if lesson is not None:
        opened = open_shared_lesson(lesson)
        problem = opened.chapter.session.problem
    app = make_share_app(problem, host, port, code, replay, lesson=opened,
                         progress=None if opened is None else opened.progress)
    try:
        app.server.start()
    except OSError as exc:
        raise OSError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    try:
        app.run()
    finally:
        app.server.stop()
        for alert in app.server.alerts:  # the log of guessing, once the screen is back
            print(f"tinynet-tui share: {printable(alert)}", file=sys.stderr)
    return app.return_code or 0
