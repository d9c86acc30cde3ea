"""The app plays close to headless speed: at maximum speed, 120×40, the play worker trains
a large share of what ``fit`` does in the same time, while the screen keeps redrawing.

A ratio of two rates taken back to back (absolute rates mean nothing on a shared
machine).  The target is ≥ 40 % (``bench/bench_app.py`` measures it); the test asks for
much less so that a loaded machine does not fail it, yet the old worker — which rested
as long as it trained — misses it on a quiet one.  Slow: about 6 s."""
import asyncio
import time

import pytest

from tui.app.app import TinyNetApp
from tui.core.config import RunConfig, build
from tui.core.session import SPEEDS

SECONDS = 2.5


def _headless_rate(task: str) -> float:
    problem = build(RunConfig(task=task))
    cfg, end = problem.config, time.perf_counter() + SECONDS
    start = time.perf_counter()
    result = problem.net.fit(problem.X, problem.y, epochs=10**9, lr=cfg.lr, batch=cfg.batch,
                             callback=lambda *_: time.perf_counter() >= end)
    return result.epochs / (time.perf_counter() - start)


async def _played(task: str) -> tuple[float, float]:
    """(epochs a second, redraws a second) while the app plays at maximum speed."""
    app = TinyNetApp(build(RunConfig(task=task)))
    async with app.run_test(size=(120, 40)) as pilot:
        app.session.speed_index = SPEEDS.index(0)
        redraws, start = app.redraws, time.perf_counter()
        await pilot.press("space")
        await asyncio.sleep(SECONDS)
        elapsed = time.perf_counter() - start
        epochs, drawn = app.session.stepper.epoch, app.redraws - redraws
        await pilot.press("space")
        await app.workers.wait_for_complete()
    return epochs / elapsed, drawn / elapsed


@pytest.mark.slow
def test_playing_xor_at_max_speed_trains_a_large_share_of_headless_speed():
    headless = _headless_rate("xor")
    played, redraws = asyncio.run(_played("xor"))
    assert played / headless >= 0.2, f"played {played:.0f} vs headless {headless:.0f} epochs/s"
    assert redraws >= 8  # the screen keeps up (≥ 20/s on a quiet machine)
