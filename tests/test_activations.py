import warnings

import numpy as np
import pytest

from nn import ACTIVATIONS, Identity, ReLU, Sigmoid, Tanh, get_activation

#: the element-wise ones (softmax mixes a row: tested in tests/test_losses.py)
ELEMENTWISE = [name for name, cls in ACTIVATIONS.items() if cls.elementwise]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_finite_difference(name):
    act = get_activation(name)
    z = np.linspace(-4, 4, 81)
    z = z[np.abs(z) > 1e-3]  # away from ReLU's kink
    eps = 1e-6
    numeric = (act(z + eps) - act(z - eps)) / (2 * eps)
    np.testing.assert_allclose(act.derivative(z, act(z)), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_delta_is_dA_times_the_derivative_in_a_new_array(name, dtype):
    act = get_activation(name)
    rng = np.random.default_rng(1)
    z = rng.normal(scale=3, size=(7, 5)).astype(dtype)
    dA = rng.normal(size=(7, 5)).astype(dtype)
    a = act(z)
    delta = act.delta(dA, z, a)
    np.testing.assert_array_equal(delta, dA * act.derivative(z, a))
    assert delta.dtype == dtype
    assert not np.shares_memory(delta, dA) and not np.shares_memory(delta, a)


def test_sigmoid_values():
    s = Sigmoid()
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(s(z), 1 / (1 + np.exp(-z)), rtol=1e-14)


def test_sigmoid_is_stable_for_huge_inputs():
    z = np.array([-1e4, -800.0, -50.0, 0.0, 50.0, 800.0, 1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = Sigmoid()(z)
        d = Sigmoid().derivative(z, a)
    assert np.isfinite(a).all() and np.isfinite(d).all()
    assert a[0] < 1e-200 and a[-1] == 1.0 and a[3] == 0.5
    assert (np.diff(a) >= 0).all()


def test_tanh_equals_numpy_tanh():
    z = np.concatenate([np.linspace(-30, 30, 2001), [-1e4, 1e-12, 1e4]])
    np.testing.assert_allclose(Tanh()(z), np.tanh(z), rtol=0, atol=1e-15)


def test_sigmoid_keeps_float32():
    assert Sigmoid()(np.zeros(3, np.float32)).dtype == np.float32


def test_relu_and_identity():
    z = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(ReLU()(z), [0, 0, 2])
    np.testing.assert_array_equal(ReLU().derivative(z, ReLU()(z)), [0, 0, 1])
    np.testing.assert_array_equal(Identity()(z), z)
    np.testing.assert_allclose(Tanh().derivative(z, Tanh()(z)), 1 - np.tanh(z) ** 2)


def test_unknown_activation_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        get_activation("swish")
