"""Playing in chunks (``Stepper.run_epochs``, the app's fast path) keeps its bookkeeping in
bulk, yet stops, records and rewinds exactly as if every epoch were played on its own."""
import numpy as np
import pytest

from nn import NeuralNetwork, Stepper, datasets
from nn.breakpoints import Breakpoints
from nn.history import LossHistory


def _regression_stepper(lr=3.0, **kw):
    X, y = datasets.regression(50)
    net = NeuralNetwork.from_sizes([2, 8, 1], "sigmoid", "identity", seed=0)
    return Stepper(net, X, y, lr=lr, **kw)


def _play(stepper, total, chunk, **kw):
    """Play up to ``total`` epochs in chunks of ``chunk`` until a stop; epochs played."""
    done = 0
    while done < total:
        ran = stepper.run_epochs(min(chunk, total - done), **kw)
        done += ran
        if stepper.breakpoint or stepper.halted or ran == 0:
            break
    return done


def _first_rise(losses) -> int:
    """The first epoch whose loss is above the one before (what loss_up must stop after)."""
    return next(e for e in range(1, len(losses)) if losses[e] > losses[e - 1])


@pytest.mark.parametrize("chunk", [1, 2, 7, 64, 10_000])
def test_a_breakpoint_stops_after_the_exact_first_epoch_whatever_the_chunk(chunk):
    expected = _first_rise(_losses_of_fit())
    s = _regression_stepper()
    _play(s, 300, chunk, breakpoints=Breakpoints(loss_up=True))
    assert s.breakpoint and s.epoch == expected + 1  # stopped right after epoch `expected`
    assert f"in epoch {expected} (just finished)" in s.breakpoint
    assert list(s.losses) == _losses_of_fit()[:expected + 1]


def _losses_of_fit() -> list[float]:
    """The same run headless (``fit``, no breakpoints): each epoch's loss."""
    s = _regression_stepper()
    return s.net.fit(s.X, s.y, epochs=300, lr=3.0).losses


@pytest.mark.parametrize("chunk", [1, 5, 1000])
def test_a_nan_stops_at_the_same_epoch_whatever_the_chunk(chunk):
    X, y = datasets.regression(50)
    make = lambda: Stepper(NeuralNetwork.from_sizes([2, 8, 1], "relu", "identity", seed=0),
                           X, y, lr=40.0)
    one = make()
    _play(one, 500, 1)
    s = make()
    _play(s, 500, chunk)
    assert one.halted is not None and s.halted is not None
    assert (s.epoch, s.halted.problem) == (one.epoch, one.halted.problem)
    np.testing.assert_array_equal(s.losses.exact_values(), one.losses.exact_values())
    assert s.history.newest == one.history.newest == s.epoch - 1


@pytest.mark.parametrize("batch", [None, 16])
def test_chunked_play_records_what_single_epochs_record_and_rewinds_exactly(batch):
    X, y = datasets.regression(60)
    Xt, yt = datasets.regression(20, seed=5)

    def make():
        net = NeuralNetwork.from_sizes([2, 6, 1], "tanh", "identity", seed=1, optimizer="adam")
        return Stepper(net, X, y, lr=0.01, batch=batch, X_test=Xt, y_test=yt)

    one, many = make(), make()
    _play(one, 150, 1)
    _play(many, 150, 37)
    np.testing.assert_array_equal(many.net.theta, one.net.theta)
    np.testing.assert_array_equal(many.losses.exact_values(), one.losses.exact_values())
    np.testing.assert_array_equal(many.batch_losses.exact_values(), one.batch_losses.exact_values())
    np.testing.assert_array_equal(many.test_history().exact_values(),
                                  one.test_history().exact_values())
    stepped = make()  # the step path (every unit, events and all) records the same, to rounding
    for _ in range(150):
        stepped.finish_epoch()
    np.testing.assert_allclose(many.test_history().exact_values(),
                               stepped.test_history().exact_values(), rtol=1e-9)
    np.testing.assert_allclose(many.losses.exact_values(), stepped.losses.exact_values(),
                               rtol=1e-9)
    for (cw, cb), (ow, ob) in zip(many.changes, one.changes):  # the last update's ΔW, Δb
        np.testing.assert_array_equal(cw, ow)
        np.testing.assert_array_equal(cb, ob)
    for epoch in (149, 100, 37, 3):  # rewinding lands on exactly the recorded parameters
        many.go_to(epoch)
        for (W, b), (W0, b0) in zip(many.net.get_params(), one.snapshot(epoch)):
            np.testing.assert_array_equal(W, W0)
            np.testing.assert_array_equal(b, b0)
        assert len(many.losses) == epoch


def test_loss_history_extend_equals_appending_each():
    rng = np.random.default_rng(0)
    for _ in range(20):
        values = rng.normal(size=int(rng.integers(1, 3000)))
        values[rng.integers(0, len(values))] = np.nan
        one, bulk = LossHistory(exact=256, bins=8), LossHistory(exact=256, bins=8)
        for v in values:
            one.append(v)
        i = 0
        while i < len(values):
            k = int(rng.integers(1, 300))
            bulk.extend(values[i:i + k])
            i += k
        assert (len(bulk), bulk.first_exact) == (len(one), one.first_exact)
        np.testing.assert_array_equal(bulk.exact_values(), one.exact_values())
        for a, b in zip(bulk.envelope(40), one.envelope(40)):
            np.testing.assert_array_equal(a, b)
