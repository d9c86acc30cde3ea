"""Playing: whole epochs in a thread worker, paced so the screen keeps up.

The worker and the UI thread share one GIL and the session lock, so they take turns. The
worker trains in chunks of at most about ``PLAY_CHUNK_S`` under the lock, one after another,
with no rest between them (the old worker rested 6 ms after every 6 ms of training, and
playing reached about a tenth of headless speed). Every ``FRAME_S`` it asks the app for a
frame (a :class:`Player.FrameWanted` message, safe from a thread) and trains on; when the app
starts drawing it, the worker stops after the chunk under way and waits, the lock free,
until the frame is built (at most ``MAX_WAIT_FOR_REDRAW_S``; :meth:`Player.frame_built`). So
it rests only while the screen builds a frame — not while the message waits in the app's
queue, nor while the widgets take their parts of it, nor while Textual paints — and redraws
stay at ``1 / FRAME_S`` ≈ 22 a second, above the 20 the app promises. While it plays
(:attr:`Player.driving`) the app's own redraw timer stands by: its frames came on top of
these (up to twice the screen's work for the same picture). After each chunk it also steps
aside for anyone waiting for the lock (a key's action, the app's own redraw timer): the
session's lock (:class:`~tui.core.lock.HandoffLock`) counts its waiters, since a plain lock,
let go and taken straight back, keeps a waiting thread out for many chunks.
``bench/bench_app.py`` measures both.

While playing, the interpreter's thread switch interval is lowered to
``SWITCH_INTERVAL_S``, so the UI thread waits at most that long for the GIL
whenever it wakes (a key, painting a frame) while the worker computes.

It stops on pause, on NaN/inf and on a breakpoint, and tells the app with a message
(:class:`Player.Halted`, :class:`Player.Breakpoint`).
"""
from __future__ import annotations

import sys
import threading
import time

from textual.message import Message

from tui.core.actions_local import SetPlaying

PLAY_CHUNK_S = 0.008           #: about the longest the worker trains under the lock at a time
FRAME_S = 0.044                #: the worker asks for a frame this often (≈ 22.7 a second)
MAX_WAIT_FOR_REDRAW_S = 0.05   #: longest it waits for the app to draw one
ASK_AGAIN_S = 0.25             #: a frame asked for and not drawn by then is asked for again
SWITCH_INTERVAL_S = 0.0005     #: the GIL's switch interval while playing (Python's default: 5 ms)


class Player:
    """Owns the play worker of ``app`` (a TinyNetApp) for ``app.session``."""

    class Halted(Message):
        """Playing stopped on NaN/inf (the app: ``on_player_halted``)."""

    class FrameWanted(Message):
        """The worker asks for a frame (the app: ``on_player_frame_wanted`` → :meth:`draw`)."""

    class Breakpoint(Message):
        """Playing stopped on a breakpoint (the app: ``on_player_breakpoint``)."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    def __init__(self, app) -> None:
        self.app = app
        self.last_redraw = time.perf_counter()  #: set by the app after each redraw (informative)
        self._asked = threading.Event()    #: a frame is asked for, not drawn yet
        self._ui_turn = threading.Event()  #: the app is drawing it: the worker waits …
        self._drawn = threading.Event()    #: … until the frame is built (the widgets then
        #: take their parts of the immutable frame while the worker trains on)
        self._asked_at = 0.0
        self._switch_interval: float | None = None
        #: the worker is playing and asks for every frame (the app's redraw timer stands by)
        self.driving = False

    @property
    def playing(self) -> bool:
        return self.app.session.playing

    def start(self) -> None:
        self._asked.clear()
        self._ui_turn.clear()
        self.app.session.apply(SetPlaying(True))
        self.app.run_worker(self._loop, thread=True, exclusive=True, group="play")

    def stop(self) -> None:
        self.app.session.apply(SetPlaying(False))
        self.app.workers.cancel_group(self.app, "play")

    def _loop(self) -> None:
        from textual.worker import get_current_worker

        worker = get_current_worker()
        s = self.app.session
        start, done, per_epoch = time.perf_counter(), 0, 1e-4
        speed = s.speed
        frame_at = time.perf_counter() + FRAME_S
        self._fast_switching(True)
        self.driving = True
        try:
            while s.playing and not worker.is_cancelled:
                if s.speed != speed:  # speed changed: restart the clock
                    start, done, speed = time.perf_counter(), 0, s.speed
                now = time.perf_counter()
                if now >= frame_at and (not self._asked.is_set()
                                        or now - self._asked_at > ASK_AGAIN_S):
                    self._ask_for_frame()
                    frame_at = max(frame_at + FRAME_S, now)
                if self._ui_turn.is_set():  # the app is drawing: the lock is its own
                    self._drawn.wait(MAX_WAIT_FOR_REDRAW_S)
                    self._ui_turn.clear()
                left = max(frame_at - now, 1e-3)
                budget = max(1, int(min(PLAY_CHUNK_S, left) / per_epoch))
                n = min(int(speed * (now - start)) - done, budget) if speed else budget
                if n <= 0:
                    time.sleep(min(left, 1 / max(speed, 1)))
                    continue
                t = time.perf_counter()
                ran = s.play_chunk(n)
                if ran:
                    per_epoch = max(1e-6, (time.perf_counter() - t) / ran)
                done += ran
                if s.is_halted:
                    self.app.post_message(self.Halted())
                    return
                if s.stepper.breakpoint:
                    self.app.post_message(self.Breakpoint(str(s.stepper.breakpoint)))
                    return
                s.lock.let_waiters_in(MAX_WAIT_FOR_REDRAW_S)  # a key's action, say
        finally:
            self.driving = False
            self._fast_switching(False)

    def _ask_for_frame(self) -> None:
        """Ask the app for a frame by message (``post_message`` is safe from this thread
        and never blocks; if the app is closing nothing is posted).

        ``_asked`` is set *before* the message goes: posting wakes the UI thread, which
        may draw the frame (and clear ``_asked``) before this thread has the GIL back; set
        after, it stayed set with no frame pending, and the worker asked again only after
        ``ASK_AGAIN_S`` (a quarter of a second without frames, several times a second
        when xor's tiny epochs kept the GIL busy: 12–17 redraws/s instead of 22)."""
        self._asked_at = time.perf_counter()
        self._asked.set()
        if not self.app.post_message(self.FrameWanted()):
            self._asked.clear()

    def frame_built(self) -> None:
        """(UI thread; the app calls it once the frame is built and the lock let go) The
        worker may train on while the widgets draw their parts of the frame."""
        self._drawn.set()

    def draw(self) -> None:
        """(UI thread) The screen's turn: the worker stops after its chunk under way and
        waits, the session lock free, until the frame is built."""
        self._drawn.clear()
        self._ui_turn.set()
        try:
            self.app.redraw()
        finally:
            self._drawn.set()
            self._asked.clear()

    def _fast_switching(self, on: bool) -> None:
        """Lower the GIL's switch interval while playing; restore it after."""
        if on and self._switch_interval is None:
            self._switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(SWITCH_INTERVAL_S)
        elif not on and self._switch_interval is not None:
            sys.setswitchinterval(self._switch_interval)
            self._switch_interval = None
