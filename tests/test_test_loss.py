"""The held-out rows' loss: recorded by the engine beside each epoch's training loss, with
the weights the epoch starts from, the same on every path, cut on rewind, and on screen
(loss chart series and status line)."""
import numpy as np
import pytest

from nn import Granularity
from tui.core.config import RunConfig, build
from tui.view.frame import PanelSizes, build_frame
from tui.core.session import Session
from tui.app.widgets.loss_chart import _test_series
from tui.app.widgets.status import render_status


def frame(s):
    with s.lock:
        return build_frame(s, PanelSizes(loss_width=60))


def expected_test_losses(s, epochs):
    """net.loss on the test rows with the parameters at the start of each epoch."""
    net = s.net.copy()
    out = []
    for e in range(epochs):
        net.set_params(s.stepper.snapshot(e))
        out.append(net.loss(net.predict(s.problem.X_test), s.problem.y_test))
    return out


@pytest.mark.parametrize("batch", [None, 64])
def test_each_epochs_test_loss_is_taken_with_the_weights_it_starts_from(batch):
    s = Session(build(RunConfig(task="circle", test_fraction=0.2, batch=batch)))
    s.play_chunk(12)
    got = s.stepper.test_history().exact_values()
    assert len(got) == 12 == len(s.stepper.losses)
    np.testing.assert_array_equal(got, expected_test_losses(s, 12))
    assert got[0] != got[-1]


def test_stepping_and_playing_record_the_same_test_losses():
    played = Session(build(RunConfig(task="spiral", test_fraction=0.25)))
    played.play_chunk(4)
    stepped = Session(build(RunConfig(task="spiral", test_fraction=0.25)))
    stepped.granularity = Granularity.NEURON
    while stepped.stepper.epoch < 4:
        stepped.step()
    np.testing.assert_array_equal(stepped.stepper.test_history().exact_values(),
                                  played.stepper.test_history().exact_values())


def test_rewinding_cuts_the_test_losses_with_the_training_losses():
    s = Session(build(RunConfig(task="circle", test_fraction=0.2)))
    s.play_chunk(30)
    before = s.stepper.test_history().exact_values()
    s.go_to_epoch(7)
    assert len(s.stepper.test_history()) == len(s.stepper.losses) == 7
    s.play_chunk(23)
    np.testing.assert_array_equal(s.stepper.test_history().exact_values(), before)


def test_the_chart_and_the_status_line_show_the_test_loss():
    s = Session(build(RunConfig(task="circle", test_fraction=0.2)))
    s.play_chunk(40)
    f = frame(s)
    test = s.stepper.test_history()
    assert f.status.test_loss == test.last
    assert f" · test {f.status.test_loss:.4g}" in render_status(f.status).plain
    np.testing.assert_array_equal(f.loss.test_hi, test.exact_values())
    x, lo, hi = _test_series(f.loss, log=True)
    np.testing.assert_allclose(hi, np.log10(test.exact_values()))
    # no split: no test series, no test on the status line
    plain = Session(build(RunConfig(task="circle")))
    plain.play_chunk(3)
    g = frame(plain)
    assert g.loss.test_epochs is None and g.status.test_loss is None
    assert "test" not in render_status(g.status).plain
