"""SVG snapshots of the main screen (accept changes with `pytest --snapshot-update`)."""
import pytest

from tui.app import TinyNetApp
from tui.config import RunConfig, build

STEPS = ["n", "n", "n", "n", "n"]  # forward pass, loss, first backward neuron


@pytest.mark.parametrize("task", ["xor", "regression"])
@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_main_screen(snap_compare, task, size):
    app = TinyNetApp(build(RunConfig(task=task)))
    assert snap_compare(app, press=STEPS, terminal_size=size)
