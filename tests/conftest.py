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


@pytest.fixture
def brisk_keys(monkeypatch):
    """``pilot.press`` waits (twice, up to 1 s each) for the process to go idle, which it
    never does while the app plays: wait at most 50 ms, so a key pressed mid-play costs
    about what a key pressed while paused does.  The key is still handled before
    ``press`` returns (Pilot waits for the screen's messages as before)."""
    import textual.app
    from textual._wait import wait_for_idle

    async def brisk(min_sleep: float = 0.02, max_sleep: float = 1) -> None:
        await wait_for_idle(min_sleep, min(max_sleep, 0.05))

    monkeypatch.setattr(textual.app, "wait_for_idle", brisk)
