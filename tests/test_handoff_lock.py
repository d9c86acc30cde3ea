"""The session's lock counts who waits for it, so the play worker can step aside
(tui/core/lock.py)."""
import threading
import time

from tui.core.lock import HandoffLock


def test_a_waiter_is_counted_and_gets_the_lock_when_the_holder_steps_aside():
    lock = HandoffLock()
    got = threading.Event()

    def waiter():
        with lock:
            got.set()

    with lock:
        with lock:  # re-entrant
            t = threading.Thread(target=waiter)
            t.start()
            end = time.perf_counter() + 5
            while lock.waiting == 0 and time.perf_counter() < end:
                time.sleep(0.001)
            assert lock.waiting == 1 and not got.is_set()
    lock.let_waiters_in(most=5)  # returns once the waiter holds the lock
    assert lock.waiting == 0
    t.join(5)
    assert got.is_set() and lock.acquire(blocking=False)
    lock.release()


def test_stepping_aside_with_nobody_waiting_costs_nothing():
    lock = HandoffLock()
    start = time.perf_counter()
    lock.let_waiters_in(most=1.0)
    assert time.perf_counter() - start < 0.5 and lock.acquire(blocking=False) is True
    lock.release()
