import warnings

import numpy as np
import pytest

from nn import Granularity, NeuralNetwork, Phase, Stepper, datasets
from nn.network import batch_order

from helpers import random_net, step_epoch

G = Granularity


def assert_same_params(a: NeuralNetwork, b: NeuralNetwork, atol=1e-12):
    for la, lb in zip(a.layers, b.layers):
        np.testing.assert_allclose(la.W, lb.W, rtol=0, atol=atol)
        np.testing.assert_allclose(la.b, lb.b, rtol=0, atol=atol)
        np.testing.assert_allclose(la.dW, lb.dW, rtol=0, atol=atol)


@pytest.mark.parametrize("plan", [
    [G.EPOCH],
    [G.NEURON] * 200,
    [G.LAYER] * 50,
    [G.PHASE] * 4,
    [G.NEURON, G.NEURON, G.NEURON, G.EPOCH],
    [G.LAYER, G.NEURON, G.PHASE, G.NEURON, G.NEURON, G.LAYER, G.EPOCH],
])
@pytest.mark.parametrize("sizes,hidden,output", [
    ([2, 2, 1], "sigmoid", "sigmoid"),
    ([2, 5, 3, 1], "tanh", "identity"),
    ([3, 4, 2], "relu", "sigmoid"),
])
def test_any_steps_that_complete_an_epoch_equal_one_train_step(plan, sizes, hidden, output):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(7, sizes[0]))
    y = rng.uniform(size=(7, sizes[-1]))
    fast = random_net(sizes, hidden, output, seed=2)
    slow = random_net(sizes, hidden, output, seed=2)
    stepper = Stepper(slow, X, y, lr=0.3)
    for epoch in range(3):
        fast_loss = fast.train_step(X, y, 0.3)
        step_epoch(stepper, plan)
        assert stepper.at_epoch_start and stepper.epoch == epoch + 1
        assert stepper.losses[-1] == pytest.approx(fast_loss, abs=1e-12)
        assert_same_params(fast, slow)


def test_units_and_boundaries(xor_net, xor_data):
    s = Stepper(xor_net, *xor_data, lr=1.0)
    # 2–2–1: 3 forward + loss + 3 backward + 3 update units
    assert len(s.units) == 10
    ev = s.step(G.NEURON)
    assert len(ev) == 1 and ev[0].phase is Phase.FORWARD and ev[0].neurons == (0, 1)
    ev = s.step(G.LAYER)  # the rest of layer 0
    assert ev[0].neurons == (1, 2) and s.next_unit.layer == 1
    ev = s.step(G.PHASE)  # the rest of forward: layer 1
    assert [e.layer for e in ev] == [1] and s.phase is Phase.LOSS
    ev = s.step(G.NEURON)
    assert ev[0].phase is Phase.LOSS and isinstance(ev[0].loss, float)
    ev = s.step(G.PHASE)  # whole backward, output layer first
    assert [(e.phase, e.layer) for e in ev] == [(Phase.BACKWARD, 1), (Phase.BACKWARD, 0)]
    ev = s.step(G.EPOCH)
    assert [e.phase for e in ev] == [Phase.UPDATE, Phase.UPDATE]
    assert s.epoch == 1 and s.at_epoch_start


def test_events_hold_the_engines_numbers(xor_net, xor_data):
    X, y = xor_data
    s = Stepper(xor_net, X, y, lr=2.0)
    fwd = s.step(G.NEURON)[0]
    n = xor_net.layers[0].neurons[0]
    np.testing.assert_array_equal(fwd.z[:, 0], n.z)
    np.testing.assert_allclose(fwd.z[:, 0], X @ fwd.w[:, 0] + fwd.b[0])
    s.step(G.PHASE)
    loss = s.step(G.NEURON)[0]
    np.testing.assert_allclose(loss.dL_dyhat, loss.scale * (loss.y_hat - y))
    out = s.step(G.NEURON)[0]  # backward, output neuron
    np.testing.assert_allclose(out.delta, out.dA * out.fprime)
    np.testing.assert_allclose(out.dw, out.x.T @ out.delta)
    hid = s.step(G.NEURON)[0]  # backward, hidden neuron 0
    np.testing.assert_allclose(hid.dA, hid.next_delta @ hid.next_w.T)
    s.step(G.PHASE)
    upd = s.step(G.NEURON)[0]
    np.testing.assert_allclose(upd.w_after, upd.w_before - 2.0 * upd.dw)
    np.testing.assert_array_equal(upd.w_after, xor_net.layers[0].W[:, :1])


def test_events_are_copies(xor_net, xor_data):
    s = Stepper(xor_net, *xor_data, lr=1.0)
    ev = s.step(G.EPOCH)
    z = ev[0].z.copy()
    s.step(G.EPOCH)
    np.testing.assert_array_equal(ev[0].z, z)


def test_run_epochs_matches_fit_and_keeps_history(xor_data):
    X, y = xor_data
    a = NeuralNetwork.from_sizes([2, 2, 1], seed=4)
    b = NeuralNetwork.from_sizes([2, 2, 1], seed=4)
    s = Stepper(a, X, y, lr=5.0, history_depth=5)
    s.step(G.NEURON)
    assert s.run_epochs(20) == 20
    result = b.fit(X, y, 20, 5.0)
    assert list(s.losses) == pytest.approx(result.losses, abs=1e-12)
    assert_same_params(a, b)
    assert len(s.history) == 5 and s.history.newest == 19 and s.oldest_epoch == 15
    assert s.snapshot(0) is s.initial_params


def test_reset_restores_initial_weights(xor_net, xor_data):
    W0 = xor_net.layers[0].W.copy()
    s = Stepper(xor_net, *xor_data, lr=1.0)
    s.run_epochs(10)
    s.step(G.NEURON)
    s.reset()
    assert s.epoch == 0 and s.cursor == 0 and len(s.losses) == 0
    np.testing.assert_array_equal(xor_net.layers[0].W, W0)


def test_history_memory_is_bounded():
    net = NeuralNetwork.from_sizes([2, 64, 64, 1], seed=0)
    X, y = datasets.regression(20)
    s = Stepper(net, X, y, lr=0.1, history_bytes=2**20)
    assert s.history_depth * net.n_params * 8 <= 2**20
    s.run_epochs(s.history_depth + 10)
    assert len(s.history) == s.history_depth


@pytest.mark.parametrize("granularity", list(G))
def test_nan_is_reported_as_an_event_not_raised(granularity):
    X, y = datasets.regression(30)
    net = NeuralNetwork.from_sizes([2, 4, 1], "relu", "identity", seed=0)
    s = Stepper(net, X * 1e200, y, lr=1e200)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        events = []
        for _ in range(200):
            events += s.step(granularity)
            if s.halted:
                break
    assert s.halted is not None and "NaN/inf" in s.halted.problem or "loss became" in s.halted.problem
    assert s.step(G.EPOCH) == []
    s.reset()
    assert s.halted is None and net.params_finite()


def test_problem_names_the_neuron_as_the_screens_do():
    X = np.array([[1.0], [2.0]])
    y = np.array([[0.5], [0.5]])
    from nn.layer import Layer

    def net():  # output z = 1e300·(−1e300) = −inf, ŷ = relu(z) = 0: the loss stays finite
        return NeuralNetwork([Layer(np.array([[1e300, 1.0]]), np.zeros(2), "relu"),
                              Layer(np.array([[-1e300], [1.0]]), np.zeros(1), "relu")])

    text = "NaN/inf in z of ŷ (output layer 2) during the forward pass of epoch 0"
    s = Stepper(net(), X, y, lr=0.1)
    assert s.run_epochs(10) == 0 and s.epoch == 0  # the status line shows epoch 0 too
    assert s.halted.problem == text
    assert (s.halted.problem_layer, s.halted.problem_neuron) == (1, 0)
    s = Stepper(net(), X, y, lr=0.1)
    s.step(G.PHASE)
    assert s.halted.problem == text  # (relu(−inf) = 0: a is finite)
    assert (s.halted.problem_layer, s.halted.problem_neuron) == (1, 0)
    s = Stepper(NeuralNetwork([Layer(np.array([[1.0, 1e300, 1e300]]), np.zeros(3), "relu"),
                               Layer(np.ones((3, 1)), np.zeros(1), "identity")]), X * 1e10, y, 1.0)
    s.step(G.LAYER)
    assert s.halted.problem.startswith("NaN/inf in z, a of h₂ (hidden layer 1) during the forward")
    assert (s.halted.problem_layer, s.halted.problem_neuron) == (0, 1)


def test_go_to_the_oldest_epoch_kept(xor_data):
    net = NeuralNetwork.from_sizes([2, 2, 1], seed=3)
    s = Stepper(net, *xor_data, lr=5.0, history_depth=5)
    s.run_epochs(20)
    assert s.oldest_epoch == 15
    W = s.snapshot(15)[0][0]
    s.go_to(15)  # no epoch before it to replay: the parameters are set all the same
    np.testing.assert_array_equal(net.layers[0].W, W)
    assert len(s.losses) == 15 and s.epoch == 15


def test_run_epochs_halts_on_divergence():
    X, y = datasets.regression(30)
    net = NeuralNetwork.from_sizes([2, 4, 1], "relu", "identity", seed=0)
    s = Stepper(net, X * 1e3, y, lr=1e3)
    done = s.run_epochs(500)
    assert done < 500 and s.halted is not None and "loss became" in s.halted.problem
    assert net.params_finite()


def test_granularity_cycles():
    assert [g.next() for g in G] == [G.LAYER, G.PHASE, G.BATCH, G.EPOCH, G.NEURON]


def test_bad_shapes_are_clear(xor_net):
    with pytest.raises(ValueError, match="2 inputs"):
        Stepper(xor_net, np.zeros((4, 3)), np.zeros((4, 1)), 1.0)


def test_single_neuron_events_carry_per_sample_terms(xor_net, xor_data):
    s = Stepper(xor_net, *xor_data, lr=1.0)
    s.step(G.PHASE)
    s.step(G.PHASE)
    out = s.step(G.NEURON)[0]
    np.testing.assert_allclose(out.dw_terms.sum(axis=0), out.dw[:, 0])
    hid = s.step(G.NEURON)[0]
    np.testing.assert_allclose(hid.dA_terms.sum(axis=1), hid.dA[:, 0])


def test_changes_record_the_last_update(xor_net, xor_data):
    s = Stepper(xor_net, *xor_data, lr=1.0)
    W0 = xor_net.layers[0].W.copy()
    s.step(G.EPOCH)
    np.testing.assert_allclose(s.changes[0][0], xor_net.layers[0].W - W0)
    W1 = xor_net.layers[0].W.copy()
    s.run_epochs(1)
    np.testing.assert_allclose(s.changes[0][0], xor_net.layers[0].W - W1)


# ------------------------------------------------------------------ rewind
def state_of(s: Stepper):
    """Everything the app shows, copied."""
    layers = [(l.W.copy(), l.b.copy(), l.dW.copy(), l.db.copy(), l.z.copy(), l.a.copy(),
               l.delta.copy()) for l in s.net.layers]
    return s.epoch, s.cursor, list(s.losses), layers, [(a.copy(), b.copy()) for a, b in s.changes]


def assert_same_state(a, b):
    assert a[:3] == b[:3]
    for la, lb in zip(a[3], b[3]):
        for x, y in zip(la, lb):
            np.testing.assert_array_equal(x, y)
    for (a1, b1), (a2, b2) in zip(a[4], b[4]):
        np.testing.assert_array_equal(a1, a2)
        np.testing.assert_array_equal(b1, b2)


@pytest.mark.parametrize("granularity", list(G))
def test_back_restores_every_earlier_state_exactly(xor_data, granularity):
    net = random_net([2, 3, 1], "tanh", "sigmoid", seed=5)
    s = Stepper(net, *xor_data, lr=0.5)
    states = [state_of(s)]
    for _ in range(12):
        s.step(granularity)
        states.append(state_of(s))
    for expected in reversed(states[:-1]):
        assert s.back(granularity)
        assert_same_state(state_of(s), expected)
    assert not s.back(granularity)
    # forward again: the very same numbers
    for expected in states[1:]:
        s.step(granularity)
        assert_same_state(state_of(s), expected)


def test_back_at_a_finer_granularity_than_the_steps(xor_net, xor_data):
    s = Stepper(xor_net, *xor_data, lr=1.0)
    s.step(G.EPOCH)
    s.step(G.EPOCH)
    s.back(G.NEURON)  # the last update unit of epoch 1 is undone
    assert (s.epoch, s.cursor) == (1, len(s.units) - 1)
    s.back(G.PHASE)   # to the start of epoch 1's update phase
    assert s.phase is Phase.UPDATE and s.units[s.cursor - 1].phase is Phase.BACKWARD
    s.back(G.EPOCH)
    assert (s.epoch, s.cursor) == (1, 0)
    np.testing.assert_array_equal(xor_net.layers[0].W, s.snapshot(1)[0][0])


def test_back_after_playing_uses_epoch_snapshots(xor_data):
    net = NeuralNetwork.from_sizes([2, 2, 1], seed=3)
    s = Stepper(net, *xor_data, lr=5.0)
    s.run_epochs(50)
    W30 = s.snapshot(30)[0][0].copy()
    losses = list(s.losses)
    s.go_to(30)
    assert s.epoch == 30 and s.cursor == 0 and list(s.losses) == losses[:30]
    np.testing.assert_array_equal(net.layers[0].W, W30)
    assert len(net.layers[0].a) == 4  # the layer values of epoch 29's pass are back
    s.back(G.NEURON)
    assert (s.epoch, s.cursor) == (29, len(s.units) - 1)
    s.step(G.NEURON)
    np.testing.assert_allclose(net.layers[0].W, W30, rtol=0, atol=1e-12)


def test_undo_memory_is_bounded(xor_net, xor_data):
    s = Stepper(xor_net, *xor_data, lr=1.0, undo_bytes=20_000)
    for _ in range(200):
        s.step(G.NEURON)
    assert s.travel.nbytes <= 20_000
    assert len(s.travel.undo) < 200
    s.go_to(0, 0)  # older than the undo stack: rebuilt from the epoch snapshots
    assert (s.epoch, s.cursor) == (0, 0) and len(s.losses) == 0


def test_set_parameter_updates_forward_and_loss_at_once(xor_net, xor_data):
    X, y = xor_data
    s = Stepper(xor_net, X, y, lr=1.0)
    s.step(G.EPOCH)
    s.step(G.NEURON)
    s.set_parameter(0, 1, 0, 2.5)
    assert xor_net.layers[0].W[0, 1] == 2.5
    assert (s.epoch, s.phase) == (1, Phase.BACKWARD)
    expected = xor_net.predict(X)
    np.testing.assert_array_equal(xor_net.layers[-1].a, expected)
    assert s.losses[-1] == pytest.approx(float(np.mean((expected - y) ** 2)), rel=1e-14)
    s.set_parameter(1, 0, None, -0.75)
    assert xor_net.layers[1].b[0] == -0.75 and len(s.losses) == 2
    s.go_to(1, 0)  # the epoch restarts from the edited parameters
    assert xor_net.layers[0].W[0, 1] == 2.5 and xor_net.layers[1].b[0] == -0.75


def test_param_changes_are_sorted_by_size():
    from nn.timeline import param_changes

    before = [(np.array([[1.0, 2.0]]), np.array([0.0, 0.0]))]
    after = [(np.array([[1.5, 2.0]]), np.array([0.0, -3.0]))]
    changes = param_changes(before, after)
    assert [(c.kind, c.index, c.change) for c in changes[:2]] == [("b", (1,), -3.0), ("w", (0, 0), 0.5)]


def test_set_parameter_right_after_playing(xor_net, xor_data):
    s = Stepper(xor_net, *xor_data, lr=1.0)
    s.run_epochs(5)
    s.set_parameter(0, 0, 1, 0.125)  # the current epoch's start is not in the history yet
    assert xor_net.layers[0].W[1, 0] == 0.125 and s.epoch == 5 and len(s.losses) == 6


def test_unit_index_is_the_position_in_the_epoch(xor_net, xor_data):
    s = Stepper(xor_net, *xor_data, lr=1.0)
    for k, u in enumerate(s.units):
        assert s.unit_index(u.phase, u.layer, u.neuron) == k
    assert s.unit_index("loss") == 3 and s.unit_index(Phase.BACKWARD) == 4
    with pytest.raises(ValueError, match="no loss step"):
        s.unit_index("loss", 0, 0)


# ---------------------------------------------------------------- mini-batches


def test_batch_order_is_a_seeded_shuffle_per_epoch():
    parts = batch_order(10, 4, epoch=3, seed=1)
    assert [len(p) for p in parts] == [4, 4, 2]
    assert sorted(np.concatenate(parts).tolist()) == list(range(10))
    again = batch_order(10, 4, epoch=3, seed=1)
    assert all((a == b).all() for a, b in zip(parts, again))
    assert not all((a == b).all() for a, b in zip(parts, batch_order(10, 4, 4, 1)))
    assert batch_order(10, None, 0, 1) is None and batch_order(10, 10, 0, 1) is None


@pytest.mark.parametrize("opt", ["gd", "momentum", "adam"])
@pytest.mark.parametrize("batch", [3, 4])
@pytest.mark.parametrize("plan", [[G.NEURON] * 400, [G.LAYER, G.PHASE, G.NEURON, "batch", G.LAYER] * 20])
def test_mini_batch_steps_equal_train_steps_per_batch(opt, batch, plan):
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(10, 2)), rng.uniform(size=(10, 1))
    fast = NeuralNetwork.from_sizes([2, 3, 1], "tanh", "sigmoid", seed=2, optimizer=opt)
    slow = NeuralNetwork.from_sizes([2, 3, 1], "tanh", "sigmoid", seed=2, optimizer=opt)
    stepper = Stepper(slow, X, y, lr=0.3, batch=batch)
    assert stepper.n_batches == -(-10 // batch)
    for epoch in range(2):
        losses = []
        for idx in batch_order(10, batch, epoch, fast.seed):
            losses.append(fast.train_step(X[idx], y[idx], 0.3))
        step_epoch(stepper, plan)
        assert stepper.at_epoch_start and stepper.epoch == epoch + 1
        n_seen = len(stepper.batch_losses)
        np.testing.assert_allclose(stepper.batch_losses.exact_values(n_seen - len(losses)),
                                   losses, rtol=0, atol=1e-12)
        sizes = [len(i) for i in batch_order(10, batch, epoch, fast.seed)]
        assert stepper.losses[-1] == pytest.approx(np.dot(losses, sizes) / 10, abs=1e-12)
        np.testing.assert_allclose(slow.theta, fast.theta, rtol=0, atol=1e-12)
        assert slow.optimizer.t == fast.optimizer.t
    # playing and fit() take the same steps
    played = NeuralNetwork.from_sizes([2, 3, 1], "tanh", "sigmoid", seed=2, optimizer=opt)
    fit = played.fit(X, y, 2, 0.3, batch=batch)
    np.testing.assert_allclose(played.theta, fast.theta, rtol=0, atol=1e-12)
    assert fit.losses[-1] == pytest.approx(stepper.losses[-1], abs=1e-12)
    stepper.run_epochs(2)
    for e in (2, 3):
        for idx in batch_order(10, batch, e, fast.seed):
            fast.train_step(X[idx], y[idx], 0.3)
    np.testing.assert_allclose(slow.theta, fast.theta, rtol=0, atol=1e-12)


def test_mini_batch_rewind_is_exact_mid_epoch_and_across_epochs():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(9, 2)), rng.uniform(size=(9, 1))
    net = NeuralNetwork.from_sizes([2, 2, 1], "tanh", "sigmoid", seed=2, optimizer="momentum")
    stepper = Stepper(net, X, y, lr=0.3, batch=4)
    seen = []
    for _ in range(3 * len(stepper.units) // 2):  # one and a half epochs, unit by unit
        seen.append((stepper.epoch, stepper.cursor, net.theta.copy(),
                     net.optimizer.state["v"].copy(), len(stepper.batch_losses)))
        stepper.step("neuron")
    for epoch, cursor, theta, v, n in reversed(seen):
        assert stepper.back("neuron")
        assert (stepper.epoch, stepper.cursor) == (epoch, cursor)
        np.testing.assert_array_equal(net.theta, theta)
        np.testing.assert_array_equal(net.optimizer.state["v"], v)
        assert len(stepper.batch_losses) == n
    stepper.step("epoch")
    first_loss = stepper.losses[0]
    stepper.step("batch")
    stepper.back("epoch")
    stepper.back("epoch")
    stepper.step("neuron")
    stepper.step("epoch")  # the epoch's loss sums its batches again from 0
    assert stepper.losses[0] == first_loss
    stepper.step("batch")
    assert stepper.cursor == stepper.units_per_batch and stepper.batch_index == 1
    assert stepper.back("batch") and stepper.cursor == 0
    starts = {}
    for _ in range(4):
        starts[stepper.epoch] = net.theta.copy()
        stepper.run_epochs(1)
    stepper.go_to(2)
    np.testing.assert_array_equal(net.theta, starts[2])
    assert len(stepper.batch_losses) == 2 * stepper.n_batches and len(stepper.losses) == 2
    stepper.step("epoch")
    np.testing.assert_array_equal(net.theta, starts[3])


def test_bad_batch_size_is_clear(xor_net, xor_data):
    with pytest.raises(ValueError, match="batch size must be a positive whole number"):
        Stepper(xor_net, *xor_data, lr=0.1, batch=0)
