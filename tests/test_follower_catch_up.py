"""A follower fed a huge log catches up off the UI thread, with progress, and its keys
keep answering (2·10⁷ played epochs of spiral 64,64; 200 000 neuron steps)."""
import socket
import threading
import time

import pytest

from nn import Granularity
from tui.core import actions as act
from tui.core import wire
from tui.core.config import RunConfig
from tui.net.follow import CATCH_UP_CHUNK, make_follow_app, replay_cost, replay_with_progress

from helpers import FAST_BACKOFF


class FakeTeacher:
    """Sends one hello with the given log to whoever joins."""

    def __init__(self, config, log):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.lines = wire.hello_lines("huge", len(log), config, [a.to_json() for a in log])
        self.conns = []
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
            conn.sendall(b"".join(self.lines))

    def close(self):
        for c in self.conns:
            c.close()
        self.listener.close()


@pytest.mark.slow
@pytest.mark.parametrize("config, log", [
    (RunConfig(task="spiral", hidden=(64, 64)), [act.Play(10_000_000)] * 2),
    (RunConfig(task="xor"), [act.Step(Granularity.NEURON)] * 200_000),
], ids=["2e7 epochs of spiral 64,64", "200 000 neuron steps"])
async def test_keys_answer_while_a_huge_log_is_replayed(config, log):
    import asyncio

    teacher = FakeTeacher(config, log)
    app = make_follow_app(f"127.0.0.1:{teacher.port}", "ABCDEF", backoff=FAST_BACKOFF)
    app.follower.start()
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            end = time.monotonic() + 20
            while app.follower.catching_up is None or app.follower.catching_up[0] == 0:
                assert time.monotonic() < end, "no catch-up progress"
                await asyncio.sleep(0.02)
            await pilot.pause(0.4)
            assert "catching up with the teacher" in str(app.query_one("#follow-banner").render())
            from tui.app.screens.help import HelpScreen

            # (pilot.press itself waits for the process to be idle, which it is not while
            # replaying: time how soon each key's effect is on screen instead)
            waits = []
            for key, done in (("question_mark", lambda: isinstance(app.screen, HelpScreen)),
                              ("escape", lambda: not isinstance(app.screen, HelpScreen))) * 3:
                start = time.perf_counter()
                press = asyncio.ensure_future(pilot.press(key))
                while not done():
                    assert time.perf_counter() - start < 5, f"{key} not answered"
                    await asyncio.sleep(0.005)
                waits.append(time.perf_counter() - start)
                await press
            print(f"key latencies while catching up: {[round(w * 1000) for w in waits]} ms")
            assert max(waits) < 0.5, waits            # the UI never waits for the replay
            first = app.follower.catching_up
            await pilot.pause(1.0)
            later = app.follower.catching_up
            assert later is not None and later[0] > first[0] and later[1] == first[1]
    finally:
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
