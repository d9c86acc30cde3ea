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

import asyncio
import collections
import inspect
import socket
import threading

from tui.core import actions as act
from tui.core import wire
from tui.core.config import RunConfig, build
from tui.core.session import Session

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


#: a replayed ``play`` runs in chunks of at most this many epochs (progress, cancelling)
CATCH_UP_CHUNK = 2000
CHUNK_WORK = 5_000_000
#: the state a replay changes; everything else (lock, listeners, speed, quiz) stays the app's
REPLAYED_STATE = ("branches", "branch", "selected", "sample", "baseline_loss", "drawn",
                  "start_config", "actions")
#: … and what a lesson chapter's setup sets besides (the step size it is read with)
LESSON_STATE = ("granularity",)


class Cancelled(Exception):
    """A catch-up given up (the follower stopped, or a newer catch-up began)."""


def replay_cost(actions) -> int:
    """How much replaying ``actions`` costs, in the units :func:`replay_with_progress`
    reports: an epoch of play is 1 000 (it runs every sample), any other action 1."""
    return sum(1000 * a.epochs if isinstance(a, act.Play) else 1 for a in actions)


def replay_with_progress(session, actions, progress=None, cancelled=None) -> None:
    """``session.replay(actions)`` in small pieces: a big play runs ``CATCH_UP_CHUNK``
    epochs at a time (``play n`` then ``play m`` replays exactly as ``play n+m``);
    ``progress(done, total)`` is called now and then; ``cancelled()`` true → Cancelled."""
    import time

    total, done, last, last_t = replay_cost(actions), 0, -1, time.monotonic()
    for k, action in enumerate(actions):
        if cancelled is not None and cancelled():
            raise Cancelled
        pieces = [action]
        chunk = play_chunk_for(session)
        if isinstance(action, act.Play) and action.epochs > chunk:
            full, rest = divmod(action.epochs, chunk)
            pieces = _with_rest(full, rest, chunk)
        for piece in pieces:
            if cancelled is not None and cancelled():
                raise Cancelled
            try:  # through apply: checked once and recorded (the pieces of a play merge back)
                session.apply(piece)
            except act.ActionError as exc:
                raise act.ActionError(f"action {k + 1} ({action.name}): {exc}") from None
            done += replay_cost([piece])
            now = time.monotonic()
            if progress is not None and ((done - last) * 200 >= total or now - last_t > 0.2):
                last, last_t = done, now          # every 0.5 %, and at least 5 times a second
                progress(done, total)
    if progress is not None:
        progress(total, total)


def fresh_session(config: RunConfig, lesson=None):
    """A new Session where the teacher's run starts: ``config`` built, or the shared
    lesson chapter's start (:mod:`tui.net.shared_lesson`)."""
    from tui.core.session import Session  # loaded when used: start-up time

    if lesson is not None:
        from tui.net.shared_lesson import chapter_session  # loaded when used: start-up time

        return chapter_session(lesson)
    return Session(build(config))


def play_chunk_for(session) -> int:
    """Epochs a replayed play runs at a time: about ``CHUNK_WORK`` weight-sample products
    (a few tens of ms), at most ``CATCH_UP_CHUNK``."""
    work = session.net.n_params * max(1, len(session.problem.X))
    return max(1, min(CATCH_UP_CHUNK, CHUNK_WORK // max(1, work)))


def _with_rest(full: int, rest: int, chunk: int):
    for _ in range(full):
        yield act.Play(chunk)
    if rest:
        yield act.Play(rest)


def restart_session(session, config: RunConfig, actions: list[act.Action],
                    progress=None, cancelled=None, lesson=None) -> None:
    """Make ``session`` what a fresh Session of ``config`` (or of ``lesson``'s chapter)
    becomes after ``actions`` (the same object, so the app's widgets keep it).  The
    replay runs on a fresh Session outside ``session.lock`` (the app keeps drawing and
    answering keys); only the final swap holds the lock.  Raises ValueError/ActionError,
    or Cancelled."""
    fresh = fresh_session(config, lesson)
    replay_with_progress(fresh, actions, progress, cancelled)
    session.adopt(fresh, REPLAYED_STATE + (LESSON_STATE if lesson is not None else ()))


class Follower:
    """Follows the teacher at ``host:port`` with join ``code``, driving ``session``
    (None: one is made from the teacher's configuration on the first hello)."""

    def __init__(self, host: str, port: int, code: str, session=None,
                 backoff: tuple[float, float] = BACKOFF_S, on_change=None,
                 name: str | None = None) -> None:
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
        self.lesson = None                    #: the teacher's lesson chapter (LessonContext)
        self.view: str | None = None          #: the presenter view open on the teacher
        self.view_rows: list[dict] | None = None  #: … a sweep's rows, once trained
        self.view_note = ""
        self.view_draft: dict | None = None   #: … the settings the teacher is choosing
        self.teacher_log: list[act.Action] = []
        self.seq = 0                          #: the teacher's actions received
        self.applied_seq = 0                  #: … and carried out here (while attached)
        self.name = name                      #: shown on the teacher's tally (None: anonymous)
        self.question: tuple[str, str] | None = None   #: (id, text) open on the teacher's screen
        self.verdicts: dict[str, tuple[bool, str]] = {}  #: question id → (right, text)
        self.sent: set[str] = set()           #: questions answered from here
        self.catching_up: tuple[int, int] | None = None  #: (done, total) while replaying
        self._generation = 0                  #: bumped per catch-up (an older one gives up)
        self._send_lock = threading.Lock()
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
        if self.state == "unreachable":
            return f"cannot reach the teacher at {self.address} — retrying…"
        if self.catching_up is not None and self.attached:
            done, total = self.catching_up
            return f"catching up with the teacher… {100 * done // max(1, total)} %"
        if not self.attached:
            return f"detached — your own copy (teacher {self.address}; u follows again)"
        if self.state == "connecting":
            return f"connecting to teacher at {self.address}…"
        return f"following teacher at {self.address}"

    @property
    def short_status(self) -> str:
        """The status line's form (it must fit 80 columns with the epoch and loss)."""
        if self.state == "refused":
            return f"refused: {self.reason}"[:40]
        if self.state == "gone":
            return "teacher gone · reconnecting…"
        if self.state == "unreachable":
            return f"can't reach {self.address}"
        if self.catching_up is not None and self.attached:
            done, total = self.catching_up
            return f"catching up {100 * done // max(1, total)} %"
        if not self.attached:
            return "DETACHED · u follows"
        if self.state == "connecting":
            return f"connecting {self.address}…"
        return f"following {self.address}"

    def _note(self, text: str) -> None:
        self.notes.append(text)
        self._changed()

    def _changed(self) -> None:
        if self.session is not None:  # the status line (redrawn when the text changes)
            self.session.set_link_status(self.short_status)
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

    def attach(self, wait: bool = True) -> bool:
        """Jump back to the teacher's state: rebuild from its configuration and full log.
        ``wait=False`` (the app's key) rebuilds in a thread, with progress in the status."""
        if self.teacher_config is None:
            self._note("nothing to follow yet: no hello from the teacher")
            return False
        self.attached = True
        if not wait:
            threading.Thread(target=self._attach_now, name="tinynet-catch-up",
                             daemon=True).start()
            self._changed()
            return True
        return self._attach_now()

    def _attach_now(self) -> bool:
        with self._lock:
            ok = self._rebuild() if self.attached else False
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
        """Rebuild from the teacher's configuration and log (caller holds ``_lock``).
        The replay runs off the session's lock with progress (``catching_up``)."""
        self._generation += 1
        generation = self._generation

        def progress(done: int, total: int) -> None:
            # no redraw of the whole app for a percentage: the status text changes, and
            # the app's banner (a cheap widget) shows it; the panels keep the old state
            self.catching_up = (done, total)
            if self.session is not None:
                self.session.set_link_status(self.short_status, redraw=False)

        def cancelled() -> bool:
            return self._stop.is_set() or generation != self._generation

        self._local.applying = True
        try:
            if self.session is None:
                session = fresh_session(self.teacher_config, self.lesson)
                self._watch(session)
                replay_with_progress(session, self.teacher_log, progress, cancelled)
                self.session = session
            else:
                restart_session(self.session, self.teacher_config, self.teacher_log,
                                progress, cancelled, self.lesson)
        except Cancelled:
            return False
        except (ValueError, OSError) as exc:  # ActionError, DataError, ModelFileError
            self.attached = False
            self._note(f"cannot rebuild the teacher's network here: {exc}; detached")
            return False
        finally:
            self._local.applying = False
            self.catching_up = None
        self.rebuilds += 1
        self.applied_seq = self.seq
        return True

    # ---------------------------------------------------------------- the room's answers
    def send_answer(self, answer: str) -> str | None:
        """Answer the open question (once); None when sent, else why not (one line)."""
        question, sock = self.question, self._sock
        if question is None:
            return "no question is open on the teacher's screen"
        if question[0] in self.sent:
            return "you have answered this question already"
        answer = str(answer).strip()
        if not answer or len(answer) > wire.MAX_ANSWER:
            return f"an answer is 1 to {wire.MAX_ANSWER} characters"
        if sock is None:
            return "not connected to the teacher"
        try:
            with self._send_lock:
                sock.sendall(wire.encode("answer", q=question[0], a=answer))
        except OSError as exc:
            return f"could not send the answer: {exc.strerror or exc}"
        self.sent.add(question[0])
        return None

    # ---------------------------------------------------------------- the client thread
    def _run(self) -> None:
        delay = self.backoff[0]
        while not self._stop.is_set():
            try:
                sock = socket.create_connection((self.host, self.port), timeout=CONNECT_TIMEOUT_S)
            except OSError:
                sock = None
                if self.state == "connecting" and not self.connects:
                    self.state = "unreachable"   # said until it can be reached
                    self._changed()
            if sock is not None:
                self._sock = sock
                try:
                    sock.settimeout(None)
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
                    if self._session_loop(sock.makefile("rb")):
                        delay = self.backoff[0]
                except Resync:
                    delay = 0
                except (OSError, ValueError):
                    pass
                finally:
                    self._close()
                if self.state == "refused" and self.reason.startswith(("wrong join code",
                                                                       "locked out")):
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
        hello, log, early, synced, joined = None, [], [], False, False
        self.question = self.view = None
        for line in self._lines(stream):
            try:
                message = wire.decode_from_teacher(line)
            except wire.WireError as exc:
                self._drop(str(exc))
                continue
            kind, data = message.type, message.data
            if kind == "challenge":
                sock = self._sock
                if joined:  # one join per connection
                    self._drop("a second challenge dropped")
                    continue
                if sock is None:
                    return synced
                joined = True
                with self._send_lock:
                    sock.sendall(wire.encode("join", proof=wire.join_proof(
                        self.code, data["nonce"]), name=self.name))
                if self.state == "unreachable":
                    self.state = "connecting"
                    self._changed()
                continue
            if kind == "view":
                self.view = data["name"]
                self.view_rows, self.view_note = data["rows"], data["note"]
                self.view_draft = data["draft"]
                self._changed()
                continue
            if kind == "ask":
                self.question = None if data["q"] is None else (data["q"], data["text"])
                self._changed()
                continue
            if kind == "verdict":
                self.verdicts[data["q"]] = (data["right"], data["text"])
                if len(self.verdicts) > 1000:
                    self.verdicts.pop(next(iter(self.verdicts)))
                self._note(data["text"])
                continue
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
            self.lesson = hello.get("lesson")
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
            act.append_merged(self.teacher_log, action)
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
#: actions of the app that change the session: on a follower each first asks whether to
#: detach from the teacher (answering y detaches and carries it out)
OWN_ACTIONS = frozenset({
    "step", "back", "play", "reset", "new_seed", "next_task", "learning_rate", "edit",
    "jump", "fork", "next_branch", "lesson_play", "chapter_done", "next_chapter",
    "previous_chapter", "sweep", "settings", "pen", "remove_point", "clear_points",
    "lessons", "slow_motion"})


def make_follow_app(address: str, code: str, backoff: tuple[float, float] = BACKOFF_S,
                    name: str | None = None, **kw):
    """The app with a (not yet started) Follower of its session as ``app.follower``;
    ValueError (one line) for a bad address."""
    from rich.text import Text
    from textual.binding import Binding
    from textual.screen import ModalScreen
    from textual.widgets import Label, Static

    # the app loads with the app, not with the command line's parser: `--help` stays light
    from tui.app.app import TinyNetApp

    host, port = parse_address(address)

    class Confirm(ModalScreen[bool]):
        """``detach from the teacher? (y/n)``"""

        DEFAULT_CSS = """
        Confirm { align: center middle; }
        Confirm > Label { width: auto; padding: 1 2; border: heavy $warning; background: $panel; }
        """
        BINDINGS = [Binding("y", "answer(True)", "yes"), Binding("n,escape", "answer(False)", "no")]

        def compose(self):
            yield Label("detach from the teacher? (y/n)\n"
                        "y: explore your own copy (u follows the teacher again)")

        def action_answer(self, yes: bool) -> None:
            self.dismiss(yes)

    class TeacherSettings(ModalScreen):
        """The settings the teacher is choosing, read-only (its own rows and values)."""

        DEFAULT_CSS = """
        TeacherSettings { align: center middle; }
        TeacherSettings > Static { width: 62; height: auto; border: round $accent;
                                   padding: 0 1; background: $surface; }
        """

        def __init__(self, session, draft: dict) -> None:
            super().__init__()
            self.session, self.draft = session, draft

        def compose(self):
            yield Static(id="teacher-settings")

        def on_mount(self) -> None:
            self.show(self.draft)

        def show(self, changes: dict | None) -> None:
            # loaded when used: start-up time
            from tui.app.screens.settings import LABEL_W, draft_of, field_rows
            from tui.core.config import with_settings  # loaded when used: start-up time
            from tui.core.settings import typed_changes  # loaded when used: start-up time

            self.draft = changes or {}
            if not self.is_mounted:
                return  # on_mount shows it
            text = Text("The teacher is choosing (read-only)\n", style="bold")
            try:
                config = with_settings(self.session.config, **typed_changes(self.draft))
                draft = draft_of(config)
                for row in field_rows(draft, config.task):
                    text.append(row.label.ljust(LABEL_W) + row.show(draft) + "\n")
            except (ValueError, TypeError, KeyError) as exc:
                text.append(f"(cannot show these settings here: {exc})")
            self.query_one("#teacher-settings", Static).update(text)

    class FollowApp(TinyNetApp):
        BINDINGS = [Binding("u", "follow_toggle", "unfollow/follow",
                            tooltip="detach to explore your own copy / follow the teacher again"),
                    Binding("A", "answer_room", "answer", tooltip="answer the teacher's question")]
        DEFAULT_CSS = """
        #follow-banner { dock: top; height: 1; background: $warning; color: $text;
                         text-style: bold; padding: 0 1; display: none; }
        #follow-banner.shown { display: block; }
        """

        def on_mount(self) -> None:
            super().on_mount()
            self._shown = ("", 0)
            self._lesson_shown = None
            self._view_shown = None
            self._question_shown = None
            self._verdicts_shown = 0
            self._confirming = False
            self.lessons.answer_hook = self.send_lesson_answer
            self.screen_stack[0].mount(Static(id="follow-banner"))
            self.set_interval(0.25, self.show_follow_status)

        # ------------------------------------------------------------ no silent drift
        def guard(self, carry_out) -> bool:
            """An own action while following first asks whether to detach; True when it
            may go ahead now (``carry_out()`` runs later if the learner says y)."""
            if not (self.follower.attached and self.follower.teacher_config is not None):
                return True
            if not self._confirming:
                self._confirming = True

                def answered(yes: bool | None) -> None:
                    self._confirming = False
                    if yes:
                        self.follower.detach()
                        self.show_follow_status()
                        result = carry_out()
                        if inspect.isawaitable(result):
                            asyncio.ensure_future(result)

                self.push_screen(Confirm(), answered)
            return False

        def show_follow_status(self) -> None:
            """Status changes and dropped lines become notifications, a banner while not
            following; the teacher's chapter, question, verdicts and views are shown."""
            f = self.follower
            status, notes = f.status, len(f.notes)
            found = self.screen_stack[0].query("#follow-banner") if self.is_running else ()
            if not found:  # mounting it (a slow start) or quitting (the panels are going)
                return
            banner = found.first(Static)
            alarm = ("⚠ DETACHED — exploring your own copy · u follows the teacher again"
                     if not f.attached else f"⟳ {status}" if f.catching_up is not None else
                     None if f.state in ("following", "connecting") else f"⚠ {status}")
            banner.set_class(alarm is not None, "shown")
            if alarm is not None:
                banner.update(Text(alarm))
            if (status, notes) != self._shown:
                if notes != self._shown[1] and f.notes:
                    self.notify(f.notes[-1], title="follow", severity="warning", markup=False)
                if status != self._shown[0]:
                    self.sub_title = status
                    self.notify(status, title="follow", markup=False)
                self._shown = (status, notes)
            self._follow_lesson()
            self._follow_question()
            self._follow_view()

        def _follow_lesson(self) -> None:
            f = self.follower
            context = f.lesson if f.attached and f.catching_up is None else self._lesson_shown
            if context == self._lesson_shown or context is None or f.applied_seq != f.seq:
                return
            from tui.net.shared_lesson import open_chapter  # loaded when used: start-up time

            try:
                lesson = open_chapter(context)
            except ValueError as exc:
                self.notify(str(exc), title="follow", severity="warning", markup=False)
                self._lesson_shown = context
                return
            self._lesson_shown = context
            self.lessons.follow_chapter(lesson, self.session)

        def _follow_question(self) -> None:
            f = self.follower
            if f.question != self._question_shown:
                self._question_shown = f.question
                if f.question is not None and not self.lessons.active:
                    self.notify(f"{f.question[1]}  (A: answer)", title="the teacher asks",
                                timeout=15, markup=False)
            if len(f.verdicts) != self._verdicts_shown:
                self._verdicts_shown = len(f.verdicts)
                q = f.question[0] if f.question else None
                if q in f.verdicts and self.lessons.active:
                    right, text = f.verdicts[q]
                    self.lessons.feedback, self.lessons.right = text, right
                    if right and self.lessons.run is not None:
                        self.lessons.run.answered = True
                    self.lessons.refresh()

        def _follow_view(self) -> None:
            f = self.follower
            view = (f.view, id(f.view_rows)) if f.attached else (None, None)
            if view[0] == "settings" and isinstance(self.screen, TeacherSettings):
                self.screen.show(f.view_draft)   # the same view, new values: no new screen
                self._view_shown = view
                return
            if view == self._view_shown:
                return
            # loaded when used: start-up time
            from tui.app.widgets.compare import CompareScreen, SweepScreen

            if isinstance(self.screen, (CompareScreen, SweepScreen, TeacherSettings)) \
                    and getattr(self.screen, "presented", False):
                self.pop_screen()
            self._view_shown = view
            screen = (CompareScreen() if view[0] == "compare" else
                      SweepScreen(rows=f.view_rows, note=f.view_note)
                      if view[0] == "sweep" and f.view_rows else
                      TeacherSettings(self.session, f.view_draft)
                      if view[0] == "settings" and f.view_draft is not None else None)
            if screen is not None:
                screen.presented = True   # the teacher's: closed when the teacher closes it
                self.push_screen(screen)

        # ------------------------------------------------------------ answering
        def send_lesson_answer(self, text: str) -> bool:
            """An answer typed into the lesson panel goes to the teacher (while following)."""
            f = self.follower
            if not f.attached or f.question is None:
                return False
            why = f.send_answer(text)
            self.lessons.feedback = why or "sent to the teacher — waiting for the check…"
            self.lessons.right = None
            self.lessons.refresh()
            return True

        def action_answer_room(self) -> None:
            from tui.app.screens.number import NumberScreen  # loaded when used: start-up time

            f = self.follower
            if f.question is None:
                self.notify("no question is open on the teacher's screen", markup=False)
                return

            def parse(text: str) -> str:
                if not text.strip():
                    raise ValueError("type an answer")
                return text

            def answered(text) -> None:
                if text is not None:
                    why = f.send_answer(text)
                    self.notify(why or "sent to the teacher", title="answer", markup=False)

            self.push_screen(NumberScreen(f.question[1], "", parse=parse, dock_bottom=True),
                             answered)

        def action_follow_toggle(self) -> None:
            if self.follower.attached:
                self.follower.detach()
            else:
                if self.playing:
                    self.player.stop()
                self.follower.attach(wait=False)  # off the UI thread, with progress
            self.show_follow_status()  # (the status line: the link status changed)

    def guarded(action_name: str):
        original = getattr(TinyNetApp, f"action_{action_name}")

        def action(self, *args):
            if self.guard(lambda: original(self, *args)):
                return original(self, *args)
            return None

        action.__name__ = original.__name__
        action.__doc__ = original.__doc__
        return action

    for action_name in OWN_ACTIONS:
        if hasattr(TinyNetApp, f"action_{action_name}"):
            setattr(FollowApp, f"action_{action_name}", guarded(action_name))

    app = FollowApp(build(RunConfig()), **kw)
    app.follower = Follower(host, port, code, session=app.session, backoff=backoff,
                            name=name)
    return app


def run_follow(address: str, code: str, name: str | None = None) -> int:
    """``tinynet-tui follow HOST:PORT CODE``: the app, mirroring the teacher."""
    app = make_follow_app(address, code, name=name)
    app.follower.start()
    try:
        app.run()
    finally:
        app.follower.stop()
    return app.return_code or 0
