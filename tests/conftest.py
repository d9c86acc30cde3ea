"""Fixtures every test file may use (shared functions live in tests/helpers.py)."""
import pytest

from nn import NeuralNetwork, datasets


@pytest.fixture
def xor_data():
    return datasets.xor()


@pytest.fixture
def xor_net():
    return NeuralNetwork.from_sizes([2, 2, 1], "sigmoid", "sigmoid", seed=0)


@pytest.fixture(autouse=True)
def _private_state_dir(tmp_path_factory, monkeypatch):
    """Apps started by tests (in-process or as subprocesses) keep their state — lesson
    progress, the first-start hint — in a fresh folder, never in the user's own."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))
