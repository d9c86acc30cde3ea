"""Long sessions stay bounded: the loss history, the per-epoch snapshots and the
undo stack are measured with tracemalloc, and the loss chart's envelope costs
the same after 10⁶ epochs as after 10⁴."""
import gc
import time
import tracemalloc

import numpy as np
import pytest

from nn import NeuralNetwork, Phase, Stepper
from nn.history import LossHistory
from nn.timeline import event_nbytes

SPIKE_AT, SPIKE = 123_457, 1e9       # folded into the min/max bins by the end
LATE_AT, LATE = 999_000, 1e6         # still exact at the end
N = 10**6


@pytest.fixture(scope="module")
def long_history():
    """10⁶ small losses with two spikes, and the tracemalloc growth of recording them."""
    values = (1.0 / np.arange(1, N + 1)).tolist()
    values[SPIKE_AT], values[LATE_AT] = SPIKE, LATE
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    h = LossHistory()
    for v in values:
        h.append(v)
    grown = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    return h, grown


def test_loss_history_memory_is_fixed(long_history):
    h, grown = long_history
    assert len(h) == N and h[-1] == 1.0 / N and h[-2] == 1.0 / (N - 1) and h.last == 1.0 / N
    assert grown < 600 * 1024, grown
    assert h.nbytes < 600 * 1024 and abs(h.nbytes - grown) < 16 * 1024
    with pytest.raises(IndexError):
        h[0]  # folded long ago: not exact any more


@pytest.mark.parametrize("max_points", [1, 2, 3, 7, 100, 240, 5000, 10**7])
def test_no_spike_ever_disappears(long_history, max_points):
    h, _ = long_history
    for start in (0, 1, SPIKE_AT - 1000, SPIKE_AT, LATE_AT - 5, LATE_AT):
        epochs, lo, hi = h.envelope(max_points, start)
        assert len(epochs) == len(lo) == len(hi) and 1 <= len(epochs) <= max_points
        assert epochs[0] == start and np.all(np.diff(epochs) > 0) and np.all(lo <= hi)
        for at, value in ((SPIKE_AT, SPIKE), (LATE_AT, LATE)):
            if at >= start:  # the bin holding the spike shows it as its max
                assert hi[np.searchsorted(epochs, at, side="right") - 1] >= value
        assert lo.min() == 1.0 / N


def test_envelope_is_exact_where_the_epochs_are(long_history):
    h, _ = long_history
    epochs, lo, hi = h.envelope(100, N - 50)
    assert list(epochs) == list(range(N - 50, N)) and np.array_equal(lo, hi)
    assert hi[-1] == 1.0 / N and hi[0] == 1.0 / (N - 49)


def test_envelope_cost_does_not_grow_with_epochs(long_history):
    h_long, _ = long_history
    h_short = LossHistory()
    for v in (1.0 / np.arange(1, 10**4 + 1)).tolist():
        h_short.append(v)

    def best(h):
        times = []
        for _ in range(30):
            t = time.perf_counter()
            h.envelope(240)
            times.append(time.perf_counter() - t)
        return min(times)

    best(h_short), best(h_long)  # warm up
    # linear in epochs would be ×100; the bins and block cache keep it within a few ×
    assert best(h_long) < 8 * best(h_short)


def test_truncate_and_nonfinite_values():
    h = LossHistory(exact=128, bins=4)
    values = np.linspace(1.0, 2.0, 1000)
    for v in values:
        h.append(v)
    h.truncate(950)  # within the exact epochs: exact
    assert len(h) == 950 and h[-1] == values[949]
    h.truncate(500)  # older than the exact epochs: the bins are cut
    assert len(h) == 500 and h.last is None
    for v in (3.0, float("inf"), float("nan")):
        h.append(v)
    assert h[-3] == 3.0 and h[-2] == np.inf and np.isnan(h[-1])
    epochs, lo, hi = h.envelope(1000, start=500)
    assert list(epochs) == [500, 501, 502] and np.isnan(hi[-1]) and hi[-2] == np.inf
    epochs, lo, hi = h.envelope(1000)  # bins of 256: the NaN's bin shows NaN
    assert list(epochs) == [0, 256] and lo[0] == 1.0 and hi[0] <= 2.0 and np.isnan(hi[1])
    c = h.copy()
    c.append(5.0)
    assert len(c) == len(h) + 1 and c.nbytes == h.nbytes


def test_epoch_snapshots_use_a_fixed_ring(xor_data):
    net = NeuralNetwork.from_sizes([2, 2, 1], seed=0)
    s = Stepper(net, *xor_data, lr=1.0, history_bytes=2**14)
    assert s.history.nbytes == s.history_depth * net.n_params * 8 <= 2**14
    s.run_epochs(100)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    s.run_epochs(3_000)  # ≫ history_depth (227)
    grown = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    assert grown < 8 * 1024, grown
    assert len(s.history) == s.history_depth and s.oldest_epoch == s.epoch - s.history_depth
    W = s.snapshot(s.epoch - 3)[0][0].copy()
    s.go_to(s.epoch - 3)
    np.testing.assert_array_equal(net.layers[0].W, W)


def test_undo_stack_counts_every_byte_on_a_big_data_set():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(200_000, 2))
    y = (X ** 2).sum(axis=1, keepdims=True)
    net = NeuralNetwork.from_sizes([2, 2, 1], "sigmoid", "identity", seed=0)
    budget = 48 * 2**20
    s = Stepper(net, X, y, lr=0.1, undo_bytes=budget)
    s.step("layer")
    gc.collect()
    tracemalloc.start()
    for _ in range(100):
        s.step("layer")
    while s.phase is not Phase.UPDATE:  # the newest states then hold backward events
        s.step("layer")
    assert s.travel.nbytes <= budget and len(s.travel.undo) >= 1
    events = sum(event_nbytes(state.events, (X, y)) for state in s.travel.undo)
    assert events > 0.1 * s.travel.nbytes  # (so that not counting them would show)
    with_stack = tracemalloc.get_traced_memory()[0]
    counted = s.travel.nbytes
    s.travel.forget()
    gc.collect()
    held = with_stack - tracemalloc.get_traced_memory()[0]  # what the stack really kept
    tracemalloc.stop()
    assert held <= budget, (held, budget)
    assert abs(held - counted) < 0.02 * counted + 64 * 1024, (held, counted)


def test_a_state_bigger_than_the_undo_budget_is_not_kept(xor_data):
    net = NeuralNetwork.from_sizes([2, 2, 1], seed=0)
    s = Stepper(net, *xor_data, lr=1.0, undo_bytes=100)  # less than one state
    s.step("epoch")
    for _ in range(4):
        s.step("neuron")
    assert len(s.travel.undo) == 0 and s.travel.nbytes == 0
    W = net.layers[0].W.copy()
    s.back("neuron")  # replayed from the epoch's start instead
    assert (s.epoch, s.cursor) == (1, 3)
    s.step("epoch")
    net2 = NeuralNetwork.from_sizes([2, 2, 1], seed=0)
    net2.train_step(*xor_data, 1.0)
    net2.train_step(*xor_data, 1.0)
    np.testing.assert_allclose(net.layers[0].W, net2.layers[0].W, rtol=0, atol=1e-12)
    assert not np.array_equal(W, net.layers[0].W)


def test_undo_stack_counts_python_objects_too(xor_data):
    """For XOR the arrays are tiny: headers, dicts and events are most of a state."""
    net = NeuralNetwork.from_sizes([2, 2, 1], seed=0)
    budget = 2**20
    s = Stepper(net, *xor_data, lr=1.0, undo_bytes=budget)
    s.step("neuron")
    gc.collect()
    tracemalloc.start()
    for granularity in ["neuron", "layer", "phase"] * 300:
        s.step(granularity)
    with_stack, counted, states = tracemalloc.get_traced_memory()[0], s.travel.nbytes, len(s.travel.undo)
    s.travel.forget()
    gc.collect()
    held = with_stack - tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert 100 < states < 900 and counted <= budget and held <= budget, (states, held)
    assert abs(held - counted) < 0.1 * counted, (held, counted)
