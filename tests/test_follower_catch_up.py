"""A follower fed a huge log catches up off the UI thread, with progress, and its keys
keep answering (2·10⁷ played epochs of spiral 64,64; ≥ 100 000 neuron steps, as many as
take 15 s to replay on the machine running the test)."""
import gc
import os
import socket
import threading
import time

import pytest

from nn import Granularity
from tui.core import actions as act
from tui.core import wire
from tui.core.config import RunConfig
from tui.net.follow import CATCH_UP_CHUNK, make_follow_app, replay_cost, replay_with_progress

from helpers import FAST_BACKOFF, await_until


class FakeTeacher:
    """Sends one hello with the given log to whoever joins, once ``release`` is set."""

    def __init__(self, config, log):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.lines = wire.hello_lines("huge", len(log), config, [a.to_json() for a in log])
        self.conns = []
        self.release = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.conns.append(conn)
            conn.sendall(wire.encode("challenge", nonce=wire.new_nonce()))
            conn.makefile("rb").readline()
            self.release.wait()
            conn.sendall(b"".join(self.lines))

    def close(self):
        for c in self.conns:
            c.close()
        self.listener.close()


#: how long (seconds, on this machine now) a neuron-step log takes to replay: far longer than
#: the keys are timed (a second or two, more on a loaded machine), so it is still replaying
REPLAY_SECONDS = 15.0
#: the fewest neuron steps (a slow machine takes them in about REPLAY_SECONDS)
MIN_NEURON_STEPS = 100_000


def neuron_steps(config) -> list:
    """A log of neuron steps sized from the replay speed measured here and now (≥ 1 500
    steps, ≥ 0.1 s): a fixed 100 000 replayed on a fast machine before the keys were timed
    (the case then skipped).  Only the keys and the start of the replay are waited for, so a
    longer log costs the test its sending and parsing only (~2 % of its replay time)."""
    from tui.core.config import build
    from tui.core.session import Session
    from tui.net.follow import replay_with_progress

    session, step, n = Session(build(config)), act.Step(Granularity.NEURON), 0
    start = time.perf_counter()
    while n < 1500 or time.perf_counter() - start < 0.1:
        replay_with_progress(session, [step] * 500)
        n += 500
    rate = n / (time.perf_counter() - start)
    return [step] * max(MIN_NEURON_STEPS, int(rate * REPLAY_SECONDS))


@pytest.mark.slow
@pytest.mark.parametrize("config, make_log", [
    (RunConfig(task="spiral", hidden=(64, 64)), lambda config: [act.Play(10_000_000)] * 2),
    (RunConfig(task="xor"), neuron_steps),
], ids=["2e7 epochs of spiral 64,64", "neuron steps for 15 s of replay"])
async def test_keys_answer_while_a_huge_log_is_replayed(config, make_log):
    import asyncio

    from tui.app.screens.help import HelpScreen

    log = make_log(config)
    teacher = FakeTeacher(config, log)
    app = make_follow_app(f"127.0.0.1:{teacher.port}", "ABCDEF", backoff=FAST_BACKOFF)
    app.follower.start()

    async def latencies() -> list[float]:
        """Seconds from each key (? then Esc, three times) to its effect on screen.
        (pilot.press waits for the process to be idle, which it is not while replaying:
        post each key as a terminal would; each wait is for the key's effect)"""
        waits = []
        for key, done in (("question_mark", lambda: isinstance(app.screen, HelpScreen)),
                          ("escape", lambda: not isinstance(app.screen, HelpScreen))) * 3:
            start = time.perf_counter()
            app.simulate_key(key)
            while not done():
                assert time.perf_counter() - start < 5, f"{key} not answered"
                await asyncio.sleep(0.005)
            waits.append(time.perf_counter() - start)
            await asyncio.sleep(0.05)                     # (the screen draws before the next)
        return waits

    # a full run's worker holds every earlier test's objects: a full garbage collection over
    # them during a key (likely what made one key take 1.7 s in two full runs here, never
    # alone) is not the replay's doing; frozen, the collector skips them
    gc.collect()
    gc.freeze()
    try:
        async with app.run_test(size=(100, 30)):
            idle = await latencies()                 # the same keys before the log comes
            teacher.release.set()
            await await_until(lambda: app.follower.catching_up is not None
                              and app.follower.catching_up[0] > 0, what="catch-up progress")
            await await_until(lambda: "catching up with the teacher" in str(
                app.query_one("#follow-banner").render()), timeout=5, what="the banner")
            waits = await latencies()
            print(f"{len(log)} actions; key latencies idle {[round(w * 1000) for w in idle]} ms, while catching "
                  f"up {[round(w * 1000) for w in waits]} ms")
            # the UI never waits for the replay (or a piece of it: seconds): on a quiet machine
            # each key answers within half a second more than twice the slowest answer with
            # nothing to replay (tens of ms); a machine with more to run than cores stretches
            # every wait (the replay thread shares the interpreter with the UI), so the bound too
            busy = max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
            assert max(waits) < busy * (0.5 + 2 * max(idle)), (waits, idle, busy)
            first = app.follower.catching_up
            if first is None:  # (the keys were timed, not all under replay: the log is sized
                # to replay for REPLAY_SECONDS, so only a machine that sped up many times over)
                pytest.skip("the replay ended before the keys were timed")
            later = []
            await await_until(lambda: later.append(app.follower.catching_up) or later[-1] is None
                              or later[-1][0] > first[0], timeout=10, what="the replay to go on")
            assert later[-1] is None or later[-1][1] == first[1]     # (None: it finished)
    finally:
        gc.unfreeze()
        teacher.release.set()
        t = time.perf_counter()
        app.follower.stop()                           # cancels the replay promptly
        assert time.perf_counter() - t < 5
        teacher.close()


def test_a_replay_in_pieces_equals_one_replay_and_reports_progress():
    from tui.core.config import build
    from tui.core.session import Session

    log = [act.Play(2 * CATCH_UP_CHUNK + 7), act.Step(Granularity.NEURON), act.Play(3)]
    whole, pieces = Session(build(RunConfig(task="xor"))), Session(build(RunConfig(task="xor")))
    whole.replay(log)
    seen = []
    replay_with_progress(pieces, log, lambda done, total: seen.append((done, total)))
    assert [l.W.tobytes() for l in whole.net.layers] == [l.W.tobytes() for l in pieces.net.layers]
    assert (whole.stepper.epoch, whole.stepper.cursor) == (pieces.stepper.epoch,
                                                           pieces.stepper.cursor)
    assert seen[-1] == (replay_cost(log), replay_cost(log)) and len(seen) >= 3
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
