import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nn import NeuralNetwork, gradcheck
from nn.gradcheck import analytic_gradients

from helpers import random_net

smooth = st.sampled_from(["sigmoid", "tanh", "identity"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sizes=st.lists(st.integers(1, 4), min_size=2, max_size=4),
    hidden=smooth, output=smooth,
    n=st.integers(1, 6), seed=st.integers(0, 10_000),
)
def test_backprop_equals_central_differences(sizes, hidden, output, n, seed):
    net = random_net(sizes, hidden, output, seed=seed)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, sizes[0]))
    y = rng.normal(size=(n, sizes[-1]))
    result = gradcheck(net, X, y)
    assert result.max_rel_error < 1e-6, result.worst


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_relu_nets_away_from_the_kink(seed):
    net = random_net([2, 5, 1], "relu", "identity", seed=seed)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(4, 2))
    z = X @ net.layers[0].W + net.layers[0].b
    X = X[(np.abs(z) > 0.05).all(axis=1)]  # the stencil moves z by ≤ 2ε·(|x|+1)
    if len(X) == 0:
        return
    y = rng.normal(size=(len(X), 1))
    assert gradcheck(net, X, y).ok


def test_gradcheck_catches_a_wrong_gradient(xor_net, xor_data):
    X, y = xor_data
    grads = analytic_gradients(xor_net, X, y)
    grads[0][0][1, 0] *= 1.01  # one weight's gradient off by 1 %
    result = gradcheck(xor_net, X, y, gradients=grads)
    assert not result.ok
    assert result.worst.layer == 0 and result.worst.kind == "w" and result.worst.index == (1, 0)
    assert result.worst.name == "L0 w[1,0]"


def test_gradcheck_covers_every_parameter_and_leaves_the_net_alone(xor_net, xor_data):
    W = xor_net.layers[0].W.copy()
    result = gradcheck(xor_net, *xor_data)
    assert len(result.checks) == xor_net.n_params
    np.testing.assert_array_equal(xor_net.layers[0].W, W)


def test_float32_network_is_checked_in_float64():
    net = NeuralNetwork.from_sizes([2, 3, 1], "tanh", "identity", seed=1, dtype=np.float32)
    X = np.random.default_rng(0).normal(size=(5, 2))
    y = np.ones((5, 1))
    assert gradcheck(net, X, y).ok


def test_a_network_with_nan_fails_quietly(xor_net, xor_data):
    import warnings

    xor_net.layers[0].W[0, 0] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = gradcheck(xor_net, *xor_data)
    assert not result.ok
