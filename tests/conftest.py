import time

import numpy as np
import pytest

from nn import NeuralNetwork, datasets


@pytest.fixture
def xor_data():
    return datasets.xor()


@pytest.fixture
def xor_net():
    return NeuralNetwork.from_sizes([2, 2, 1], "sigmoid", "sigmoid", seed=0)


def random_net(sizes, hidden="tanh", output="sigmoid", seed=0):
    net = NeuralNetwork.from_sizes(sizes, hidden, output, seed=seed)
    rng = np.random.default_rng(seed + 100)
    for layer in net.layers:  # non-zero biases so their gradients are exercised
        layer.b[...] = rng.normal(0, 0.5, layer.b.shape)
    return net


@pytest.fixture(autouse=True)
def _private_state_dir(tmp_path_factory, monkeypatch):
    """Apps started by tests (in-process or as subprocesses) keep their state — lesson
    progress, the first-start hint — in a fresh folder, never in the user's own."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))


#: join-guard back-off (first delay, cap) small enough for tests that try wrong codes
FAST_BACKOFF = (0.02, 0.2)


def wait_until(predicate, timeout=20.0, what="condition"):
    """Poll ``predicate`` (every 5 ms) until it is true; AssertionError after ``timeout`` s."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.005)
    raise AssertionError(f"timed out waiting for {what}")
