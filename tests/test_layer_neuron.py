import numpy as np
import pytest

from nn import Layer, NeuralNetwork, Neuron


def test_neuron_is_a_view_on_its_layer(xor_net):
    layer = xor_net.layers[0]
    neuron = layer.neurons[1]
    neuron.w[0] = 0.5
    assert layer.W[0, 1] == 0.5
    neuron.b = -0.25
    assert layer.b[1] == -0.25
    layer.W[1, 1] = 3.0
    assert neuron.w[1] == 3.0
    assert np.shares_memory(neuron.w, layer.W)
    assert np.shares_memory(neuron.dw, layer.dW)


def test_neuron_sees_the_layers_update(xor_net, xor_data):
    X, y = xor_data
    neuron = xor_net.layers[0].neurons[0]
    w = neuron.w  # held across the step
    before = w.copy()
    xor_net.train_step(X, y, lr=1.0)
    np.testing.assert_array_equal(w, xor_net.layers[0].W[:, 0])
    assert not np.array_equal(w, before)
    np.testing.assert_allclose(before - 1.0 * neuron.dw, w, rtol=1e-15)


def test_neuron_computes_z_equals_xw_plus_b(xor_net, xor_data):
    X, _ = xor_data
    xor_net.forward(X)
    for layer_index, layer in enumerate(xor_net.layers):
        x = X if layer_index == 0 else xor_net.layers[layer_index - 1].a
        for n in layer.neurons:
            np.testing.assert_allclose(n.z, x @ n.w + n.b, rtol=1e-14)
            np.testing.assert_allclose(n.a, layer.activation(n.z), rtol=1e-14)


def test_neuron_forward_alone_equals_layer_forward(xor_net, xor_data):
    X, _ = xor_data
    layer = xor_net.layers[0]
    full = layer.forward(X).copy()
    layer.z = layer.z * 0
    a = layer.neurons[1].forward(X)
    np.testing.assert_allclose(a, full[:, 1], rtol=1e-14)


def test_shapes_are_checked():
    with pytest.raises(ValueError):
        Layer(np.zeros((2, 3)), np.zeros(2), "sigmoid")
    with pytest.raises(ValueError, match="do not chain"):
        NeuralNetwork([Layer(np.zeros((2, 3)), np.zeros(3), "tanh"),
                       Layer(np.zeros((2, 1)), np.zeros(1), "tanh")])
    with pytest.raises(IndexError):
        Neuron(Layer(np.zeros((2, 3)), np.zeros(3), "tanh"), 3)
