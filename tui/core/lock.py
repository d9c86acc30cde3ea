"""A re-entrant lock that says whether another thread is waiting for it.

Python's locks are not fair: a thread that lets go of one and takes it straight
back (the play worker between two chunks of epochs) usually wins against a thread
already waiting (the app, to draw a frame or act on a key), which can wait many
chunks.  :class:`HandoffLock` counts its waiters, so the holder can step aside
(:meth:`let_waiters_in`) exactly when someone waits, and never otherwise.
"""
from __future__ import annotations

import threading
import time


class HandoffLock:
    """``threading.RLock`` plus ``waiting``: how many threads are blocked on it now."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._count = threading.Lock()  # guards ``waiting`` (+= is not atomic)
        self.waiting = 0

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if self._lock.acquire(blocking=False):
            return True
        if not blocking:
            return False
        with self._count:
            self.waiting += 1
        try:
            return self._lock.acquire(True, timeout)
        finally:
            with self._count:
                self.waiting -= 1

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()

    def let_waiters_in(self, most: float = 0.05, nap: float = 0.0005) -> None:
        """(Call without holding it.) While another thread waits for the lock, sleep in
        ``nap``-long steps, at most ``most`` seconds, so that it gets the lock first."""
        end = time.perf_counter() + most
        while self.waiting and time.perf_counter() < end:
            time.sleep(nap)
