import math
import warnings

import numpy as np
import pytest

from nn import MSE, NeuralNetwork, datasets
from nn.metrics import binary_accuracy, r_squared
from nn.presets import PRESETS

from helpers import random_net


def sig(z):
    return 1 / (1 + np.exp(-z))


def test_train_step_matches_hand_written_backprop(xor_data):
    """An independent, textbook-style computation of one XOR step."""
    X, y = xor_data
    net = random_net([2, 3, 1], "sigmoid", "sigmoid", seed=3)
    (W1, b1), (W2, b2) = net.get_params()
    lr = 0.7
    a1 = sig(X @ W1 + b1)
    a2 = sig(a1 @ W2 + b2)
    loss = np.mean((a2 - y) ** 2)
    d2 = 2 * (a2 - y) / y.size * a2 * (1 - a2)
    d1 = (d2 @ W2.T) * a1 * (1 - a1)
    got = net.train_step(X, y, lr)
    assert got == pytest.approx(loss, rel=1e-14)
    np.testing.assert_allclose(net.layers[1].dW, a1.T @ d2, rtol=1e-12)
    np.testing.assert_allclose(net.layers[0].db, d1.sum(0), rtol=1e-12)
    np.testing.assert_allclose(net.layers[0].W, W1 - lr * X.T @ d1, rtol=1e-12)
    np.testing.assert_allclose(net.layers[1].b, b2 - lr * d2.sum(0), rtol=1e-12)


def test_mse_normalisation():
    y_hat = np.array([[1.0, 2.0], [3.0, 5.0]])
    y = np.zeros_like(y_hat)
    assert MSE()(y_hat, y) == pytest.approx((1 + 4 + 9 + 25) / 4)
    np.testing.assert_allclose(MSE().gradient(y_hat, y), 2 * y_hat / 4)


def test_mse_value_and_gradient_equal_the_separate_calls():
    rng = np.random.default_rng(0)
    y_hat, y = rng.normal(size=(9, 2)), rng.normal(size=(9, 2))
    value, grad = MSE().value_and_gradient(y_hat, y)
    assert value == MSE()(y_hat, y)
    np.testing.assert_array_equal(grad, MSE().gradient(y_hat, y))


def test_parameters_live_in_one_flat_vector_the_layers_view():
    net = random_net([2, 3, 2, 1], "tanh", "sigmoid", seed=1)
    assert net.theta.size == net.grad.size == net.n_params
    expected = np.concatenate([a.ravel() for l in net.layers for a in (l.W, l.b)])
    np.testing.assert_array_equal(net.theta, expected)
    net.layers[1].neurons[0].w[1] = 4.5          # a neuron's weight is the flat vector's
    assert 4.5 in net.theta
    net.theta[-1] = -2.0                         # … and the other way round
    assert net.layers[-1].b[0] == -2.0


def test_update_is_theta_minus_lr_grad_for_every_layer(xor_data):
    X, y = xor_data
    net = random_net([2, 3, 3, 1], "sigmoid", "sigmoid", seed=2)
    before = net.get_params()
    net.train_step(X, y, 0.5)
    for layer, (W, b) in zip(net.layers, before):
        np.testing.assert_array_equal(layer.W, W - 0.5 * layer.dW)
        np.testing.assert_array_equal(layer.b, b - 0.5 * layer.db)


def test_a_replaced_layer_array_is_adopted_not_forgotten(xor_data):
    """Rebinding ``layer.W = …`` (instead of writing into it) must not detach it
    from training: the next update adopts the new array with its values."""
    X, y = xor_data
    net = random_net([2, 2, 1], "sigmoid", "sigmoid", seed=0)
    net.layers[0].W = np.full((2, 2), 0.3)
    net.train_step(X, y, 1.0)
    np.testing.assert_array_equal(net.layers[0].W, 0.3 - net.layers[0].dW)
    assert net.layers[0].W.base is net.theta


def test_layers_of_different_dtypes_are_refused():
    from nn import Layer

    with pytest.raises(ValueError, match="same dtype"):
        NeuralNetwork([Layer(np.zeros((2, 2)), np.zeros(2), "sigmoid"),
                       Layer(np.zeros((2, 1), np.float32), np.zeros(1, np.float32), "sigmoid")])


def test_predict_equals_forward_and_leaves_caches_alone(xor_net, xor_data):
    X, _ = xor_data
    y_hat = xor_net.forward(X).copy()
    z_before = xor_net.layers[0].z.copy()
    np.testing.assert_array_equal(xor_net.predict(X), y_hat)
    np.testing.assert_array_equal(xor_net.layers[0].z, z_before)


def test_seed_determines_weights():
    a = NeuralNetwork.from_sizes([2, 4, 1], seed=7)
    b = NeuralNetwork.from_sizes([2, 4, 1], seed=7)
    c = NeuralNetwork.from_sizes([2, 4, 1], seed=8)
    for la, lb, lc in zip(a.layers, b.layers, c.layers):
        np.testing.assert_array_equal(la.W, lb.W)
        assert not np.array_equal(la.W, lc.W)


def test_description_and_param_count():
    net = NeuralNetwork.from_sizes([2, 16, 1], "sigmoid", "identity")
    assert net.n_params == 2 * 16 + 16 + 16 + 1
    assert net.describe() == "2–16–1 sigmoid/identity"
    with pytest.raises(ValueError):
        NeuralNetwork.from_sizes([2, 0, 1])


def test_copy_is_independent_and_restore_works(xor_net, xor_data):
    X, y = xor_data
    saved = xor_net.get_params()
    twin = xor_net.copy()
    xor_net.fit(X, y, epochs=10, lr=1.0)
    np.testing.assert_array_equal(twin.layers[0].W, saved[0][0])
    xor_net.set_params(saved)
    np.testing.assert_array_equal(xor_net.layers[0].W, saved[0][0])


def test_fit_stops_at_until_loss(xor_net, xor_data):
    X, y = xor_data
    result = xor_net.fit(X, y, epochs=5000, lr=5.0, until_loss=0.05)
    assert result.stopped == "until_loss"
    assert result.final_loss <= 0.05
    assert result.epochs < 5000


def test_divergence_stops_without_warnings_and_keeps_finite_params():
    X, y = datasets.regression(50)
    net = NeuralNetwork.from_sizes([2, 8, 1], "relu", "identity", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = net.fit(X * 1e3, y, epochs=200, lr=1000.0)
    assert result.stopped == "diverged"
    assert not math.isfinite(result.final_loss)
    assert net.params_finite()


def test_float32_network_stays_float32():
    net = NeuralNetwork.from_sizes([4, 8, 3], "relu", "identity", dtype=np.float32)
    X = np.ones((5, 4), np.float32)
    y = np.zeros((5, 3), np.float32)
    net.train_step(X, y, 0.1)
    for layer in net.layers:
        assert layer.W.dtype == layer.dW.dtype == layer.a.dtype == np.float32


# ------------------------------------------------------------ quality bars
def accuracy(net, X, y):
    return binary_accuracy(net.predict(X), y)


def test_xor_221_learns_for_every_seed_0_to_19():
    p = PRESETS["xor"]
    X, y = datasets.xor()
    failed = []
    for seed in range(20):
        net = NeuralNetwork.from_sizes([2, 2, 1], "sigmoid", "sigmoid", seed=seed)
        net.fit(X, y, epochs=p.epochs, lr=p.lr)
        if accuracy(net, X, y) < 1.0:
            failed.append(seed)
    assert failed == []


def test_and_gate_learns():
    p = PRESETS["and"]
    X, y = datasets.and_gate()
    net = NeuralNetwork.from_sizes([2, 1], "sigmoid", "sigmoid", seed=0)
    net.fit(X, y, epochs=p.epochs, lr=p.lr)
    assert accuracy(net, X, y) == 1.0


def test_regression_2_16_1_reaches_r2_098_on_held_out_grid():
    p = PRESETS["regression"]
    X, y = datasets.regression(400, seed=0)
    net = NeuralNetwork.from_sizes([2, 16, 1], "sigmoid", "identity", seed=0)
    net.fit(X, y, epochs=p.epochs, lr=p.lr)
    Xg, yg = datasets.regression_grid(25)
    assert r_squared(net.predict(Xg), yg) >= 0.98


def test_metrics():
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    assert binary_accuracy(np.array([[0.2], [0.7], [0.4], [0.1]]), y) == 0.75
    assert r_squared(y, y) == 1.0
    assert r_squared(np.full_like(y, y.mean()), y) == 0.0


def relu_net_that_overflows():
    """z of the output neuron is −inf (1e300 · −1e300) while ReLU makes ŷ = 0: the
    loss stays finite."""
    from nn.layer import Layer

    layers = [Layer(np.array([[1e300, 1.0]]), np.zeros(2), "relu"),
              Layer(np.array([[-1e300], [1.0]]), np.zeros(1), "relu")]
    return NeuralNetwork(layers), np.array([[1.0], [2.0]]), np.array([[0.5], [0.5]])


def test_fit_reports_an_infinite_z_even_when_the_loss_stays_finite():
    net, X, y = relu_net_that_overflows()
    with np.errstate(all="ignore"):
        result = net.fit(X, y, 10, 0.1)
    assert math.isfinite(result.losses[0]) and result.epochs == 1
    assert result.stopped == "diverged"
    assert result.problem == "NaN/inf in z of ŷ (output layer 2) during the forward pass of epoch 0"


def test_overflow_bound_is_safe_and_not_too_tight():
    from nn.network import theta_limit

    net = NeuralNetwork.from_sizes([2, 16, 1], "relu", "identity", seed=0)
    m = theta_limit(net, 1.0)
    assert 1e100 < m < 1e160  # |z²| ≤ (16·(3m)+1)·m must stay below ~1e305
    with np.errstate(all="raise"):  # at the limit nothing overflows
        for layer in net.layers:
            layer.W[...] = m
            layer.b[...] = m
        net.forward(np.ones((3, 2)))


def test_each_hidden_layer_has_its_own_activation_and_init():
    """2–4–4–1 tanh, relu: layer 1 tanh (Glorot), layer 2 relu (He), output sigmoid; the
    weights are the default rule's draws, layer by layer, from one generator."""
    from nn.activations import ReLU, Sigmoid, Tanh
    from nn.init import default

    net = NeuralNetwork.from_sizes([2, 4, 4, 1], ["tanh", "relu"], "sigmoid", seed=5)
    assert net.activations == ["tanh", "relu", "sigmoid"]
    assert net.describe() == "2–4–4–1 tanh/relu/sigmoid"
    rng = np.random.default_rng(5)
    for layer, (n_in, n_out, act) in zip(net.layers, [(2, 4, Tanh()), (4, 4, ReLU()),
                                                       (4, 1, Sigmoid())]):
        np.testing.assert_array_equal(layer.W, default(n_in, n_out, act, rng))
        assert not layer.b.any()
    X = np.random.default_rng(0).uniform(-1, 1, (8, 2))
    h1 = np.tanh(X @ net.layers[0].W)
    h2 = np.maximum(0.0, h1 @ net.layers[1].W)
    np.testing.assert_allclose(net.predict(X), sig(h2 @ net.layers[2].W))


def test_one_hidden_activation_name_is_the_same_as_naming_every_layer():
    """A name for all hidden layers builds bit for bit the net a list of that name does
    (and today's net: the same draws as before per-layer activations)."""
    one = NeuralNetwork.from_sizes([2, 5, 3, 1], "tanh", seed=7)
    each = NeuralNetwork.from_sizes([2, 5, 3, 1], ("tanh", "tanh"), seed=7)
    assert one.activations == each.activations == ["tanh", "tanh", "sigmoid"]
    np.testing.assert_array_equal(one.theta, each.theta)
    assert one.layers[0].activation is not one.layers[1].activation   # one object per layer
    with pytest.raises(ValueError, match="3 hidden activations for 2 hidden layers"):
        NeuralNetwork.from_sizes([2, 4, 4, 1], ["tanh", "relu", "relu"])
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        NeuralNetwork.from_sizes([2, 4, 4, 1], ["tanh", "swish"])
