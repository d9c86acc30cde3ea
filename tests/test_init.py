"""Initialisation schemes (nn/init.py)."""
import math

import numpy as np
import pytest

from nn import INITS, NeuralNetwork, get_init, load, save
from nn.activations import Sigmoid


def test_registry_and_errors():
    assert list(INITS) == ["default", "glorot-uniform", "glorot-normal", "he", "normal", "zeros"]
    with pytest.raises(ValueError, match="unknown init 'lecun'"):
        get_init("lecun")
    with pytest.raises(ValueError, match="init he takes no options"):
        get_init("he", sigma=2)
    with pytest.raises(ValueError, match="σ must be"):
        get_init("normal", sigma=-1)


def test_default_is_the_seeds_rule_bit_for_bit():
    net = NeuralNetwork.from_sizes([3, 4, 2], "sigmoid", "identity", seed=7)
    rng = np.random.default_rng(7)
    W0 = rng.normal(0.0, 0.5 / math.sqrt(3), size=(3, 4))
    limit = math.sqrt(6.0 / (4 + 2))
    W1 = rng.uniform(-limit, limit, size=(4, 2))
    np.testing.assert_array_equal(net.layers[0].W, W0)
    np.testing.assert_array_equal(net.layers[1].W, W1)
    assert net.init == "default"


@pytest.mark.parametrize("name,std", [
    ("glorot-uniform", math.sqrt(2 / (200 + 300))), ("glorot-normal", math.sqrt(2 / (200 + 300))),
    ("he", math.sqrt(2 / 200)), ("normal", 1.0), ("zeros", 0.0)])
def test_each_scheme_has_its_spread(name, std):
    W = get_init(name)(200, 300, Sigmoid(), np.random.default_rng(0), np.float32)
    assert W.shape == (200, 300) and W.dtype == np.float32
    assert W.std() == pytest.approx(std, rel=0.02, abs=1e-12)
    if name == "glorot-uniform":
        assert np.abs(W).max() <= math.sqrt(6 / 500)


def test_normal_takes_sigma_and_records_it():
    net = NeuralNetwork.from_sizes([50, 80, 1], "tanh", "identity", init="normal", sigma=3.0)
    assert net.layers[0].W.std() == pytest.approx(3.0, rel=0.05)
    assert net.init == "normal(sigma=3)"
    assert (net.layers[0].b == 0).all()


def test_zeros_keeps_hidden_neurons_identical():
    """The symmetry problem: with equal weights every hidden neuron gets the same
    gradient, so they stay equal however long the net trains."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 2)), rng.uniform(size=(20, 1))
    net = NeuralNetwork.from_sizes([2, 3, 1], "sigmoid", "sigmoid", init="zeros")
    net.fit(X, y, epochs=200, lr=1.0)
    W = net.layers[0].W
    assert np.abs(W).max() > 0
    np.testing.assert_array_equal(W, np.repeat(W[:, :1], 3, axis=1))
    np.testing.assert_array_equal(net.layers[1].W, net.layers[1].W[0, 0])


def test_init_is_recorded_in_model_files(tmp_path):
    net = NeuralNetwork.from_sizes([2, 2, 1], init="he", seed=1)
    back, meta = load(save(net, tmp_path / "m.npz"))
    assert back.init == meta["init"] == "he"
    np.testing.assert_array_equal(back.theta, net.theta)
