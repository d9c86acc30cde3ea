"""Long engine work runs off the UI thread: the gradient check (c) shows how far it is,
keys keep answering, and Esc stops it at the next parameter."""
from __future__ import annotations

import time

import numpy as np
import pytest

from nn import NeuralNetwork
from nn.gradcheck import GradCheckCancelled, gradcheck
from tui.app.app import TinyNetApp
from tui.app.screens.gradcheck import GradCheckScreen
from tui.core.config import RunConfig, build


def test_a_gradient_check_reports_progress_and_stops_when_told():
    net = NeuralNetwork.from_sizes([2, 3, 1], "tanh", "sigmoid", seed=0)
    X, y = np.eye(2), np.ones((2, 1))
    seen = []
    assert len(gradcheck(net, X, y, progress=lambda d, t: seen.append((d, t))).checks) == 13
    assert seen[0] == (0, 13) and seen[-1] == (12, 13)
    with pytest.raises(GradCheckCancelled):
        gradcheck(net, X, y, progress=lambda done, total: done < 5)


async def test_the_gradient_check_runs_off_the_ui_thread_and_esc_stops_it(tmp_path):
    app = TinyNetApp(build(RunConfig(task="regression", hidden=(64, 64))), save_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("c")
        screen = app.screen
        assert isinstance(screen, GradCheckScreen)
        end = time.monotonic() + 10
        while screen.progress is None and time.monotonic() < end:
            await pilot.pause(0.05)
        done, total = screen.progress
        assert total == 64 * 3 + 64 * 65 + 65 and done < total  # 4 481 parameters
        (worker,) = list(app.workers)  # the check, running
        start = time.perf_counter()
        await pilot.press("escape")  # answered while the check runs
        assert time.perf_counter() - start < 0.5
        assert not isinstance(app.screen, GradCheckScreen)
        end = time.monotonic() + 2
        while not worker.is_finished and time.monotonic() < end:
            await pilot.pause(0.05)
        assert worker.is_finished, "the check kept running after Esc"
        assert screen.result is None
