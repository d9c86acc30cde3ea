"""Playing: whole epochs in a thread worker, paced so the screen keeps up.

The worker trains in chunks of at most ``PLAY_CHUNK_S`` while holding the
session lock (and the GIL), then rests ``PLAY_REST_S`` so the UI thread can draw
and answer keys; while the screen is behind ``REDRAW_TARGET_HZ`` it rests a
little longer.  It stops on pause, on NaN/inf and on a breakpoint, and tells the
app through ``call_from_thread``.
"""
from __future__ import annotations

import time

REDRAW_TARGET_HZ = 20          #: while playing, the worker waits for the screen below this rate
PLAY_CHUNK_S = 0.006           #: longest time the worker trains at a time
PLAY_REST_S = 0.006            #: then it rests, so the UI thread gets the GIL
MAX_WAIT_FOR_REDRAW_S = 0.03   #: longer rests while the screen is behind its redraw rate


class Player:
    """Owns the play worker of ``app`` (a TinyNetApp) for ``app.session``."""

    def __init__(self, app) -> None:
        self.app = app
        self.last_redraw = time.perf_counter()  #: set by the app after each redraw

    @property
    def playing(self) -> bool:
        return self.app.session.playing

    def start(self) -> None:
        self.app.session.playing = True
        self.app.session.touch()
        self.app.run_worker(self._loop, thread=True, exclusive=True, group="play")

    def stop(self) -> None:
        self.app.session.playing = False
        self.app.workers.cancel_group(self.app, "play")
        self.app.session.touch()

    def _loop(self) -> None:
        from textual.worker import get_current_worker

        worker = get_current_worker()
        s = self.app.session
        start, done, per_epoch = time.perf_counter(), 0, 1e-4
        speed = s.speed
        while s.playing and not worker.is_cancelled:
            if s.speed != speed:  # speed changed: restart the clock
                start, done, speed = time.perf_counter(), 0, s.speed
            budget = max(1, int(PLAY_CHUNK_S / per_epoch))
            n = min(int(speed * (time.perf_counter() - start)) - done, budget) if speed else budget
            if n <= 0:
                time.sleep(min(0.02, 1 / max(speed, 1)))
                continue
            t = time.perf_counter()
            ran = s.play_chunk(n)
            if ran:
                per_epoch = max(1e-6, (time.perf_counter() - t) / ran)
            done += ran
            if s.is_halted:
                self.app.call_from_thread(self.app.on_halted)
                return
            if s.stepper.breakpoint:
                self.app.call_from_thread(self.app.on_breakpoint, str(s.stepper.breakpoint))
                return
            self._rest()

    def _rest(self) -> None:
        """The screen comes first: if it is falling behind, wait (briefly) for a redraw."""
        drawn = self.last_redraw
        waited = 0.0
        time.sleep(PLAY_REST_S)
        while (time.perf_counter() - drawn > 1 / REDRAW_TARGET_HZ and self.last_redraw == drawn
               and waited < MAX_WAIT_FOR_REDRAW_S and self.playing):
            time.sleep(0.002)
            waited += 0.002
