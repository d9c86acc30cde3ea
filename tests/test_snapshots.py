"""SVG snapshots of the main screen (accept changes with `pytest --snapshot-update`)."""
import pytest

from tui.app.app import TinyNetApp
from tui.core.config import RunConfig, build

from helpers import played

STEPS = ["n", "n", "n", "n", "n"]  # forward pass, loss, first backward neuron


@pytest.mark.parametrize("task", ["xor", "regression"])
@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_main_screen(snap_compare, task, size):
    app = TinyNetApp(build(RunConfig(task=task)))
    assert snap_compare(app, press=STEPS, terminal_size=size)


@pytest.mark.parametrize("name,keys,size", [
    ("help", ["question_mark"], (120, 40)),
    ("quiz", ["z", "n", "n", "n", "n", "n"], (120, 40)),
    ("breakpoints", ["k"], (120, 40)),
    ("backward-80x24", ["g", "g", "n", "n", "g", "g", "g", "n", "n"], (80, 24)),
])
def test_screens(snap_compare, name, keys, size):
    app = TinyNetApp(build(RunConfig(task="xor")))
    assert snap_compare(app, press=keys, terminal_size=size)


def test_gradient_check_screen(snap_compare):
    async def run_check(pilot):
        await pilot.press("c")
        for _ in range(200):
            await pilot.pause(0.02)
            if pilot.app.screen.result is not None:
                break
        await pilot.pause()

    app = TinyNetApp(build(RunConfig(task="xor")))
    assert snap_compare(app, run_before=run_check, terminal_size=(120, 40))


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_spiral_with_neuron_maps(snap_compare, size, monkeypatch):
    """Spiral 2–16–16–1 mid-training: small maps beside every node (120×40), and the
    output's map large with the data points (m)."""
    monkeypatch.setenv("COLORTERM", "truecolor")
    app = TinyNetApp(build(RunConfig(task="spiral")))
    assert snap_compare(app, run_before=played(1500, "m"), terminal_size=size)


def test_circle_with_squared_features_and_no_hidden_layer(snap_compare, monkeypatch):
    monkeypatch.setenv("COLORTERM", "truecolor")
    app = TinyNetApp(build(RunConfig(task="circle", features=("x1^2", "x2^2"), hidden=())))
    assert snap_compare(app, run_before=played(2000, "m"), terminal_size=(120, 40))
