"""Each breakpoint fires on a case built to trigger it, and not before."""
import numpy as np

from nn import NeuralNetwork, Stepper, datasets
from nn.breakpoints import Breakpoints
from nn.layer import Layer


def test_no_breakpoints_enabled_plays_through(xor_net, xor_data):
    s = Stepper(xor_net, *xor_data, lr=5.0)
    assert s.run_epochs(100, breakpoints=Breakpoints()) == 100 and s.breakpoint is None


def test_loss_went_up_fires_on_a_too_large_learning_rate():
    X, y = datasets.regression(50)
    net = NeuralNetwork.from_sizes([2, 8, 1], "sigmoid", "identity", seed=0)
    s = Stepper(net, X, y, lr=3.0)  # overshoots: the loss oscillates upward
    done = s.run_epochs(200, breakpoints=Breakpoints(loss_up=True))
    assert done < 200 and "loss went up" in s.breakpoint
    assert s.breakpoint == f"loss went up in epoch {s.epoch - 1} (just finished): " \
        f"{s.losses[-2]:.6g} → {s.losses[-1]:.6g}"  # the status line shows s.epoch
    losses = list(s.losses)
    assert losses[-1] > losses[-2]
    assert all(a >= b for a, b in zip(losses[:-1], losses[1:-1]))  # it stopped at the first rise


def test_target_loss(xor_net, xor_data):
    s = Stepper(xor_net, *xor_data, lr=5.0)
    s.run_epochs(10_000, breakpoints=Breakpoints(target=True, target_loss=0.01))
    assert "loss reached" in s.breakpoint and s.losses[-1] <= 0.01 < s.losses[-2]


def test_saturation_fires_for_huge_sigmoid_inputs():
    X = np.array([[10.0, 10.0], [12.0, 9.0], [11.0, 11.0]])
    y = np.array([[0.0], [1.0], [0.0]])
    W = np.array([[1.0, 0.01], [1.0, 0.01]])
    net = NeuralNetwork([Layer(W, np.zeros(2), "sigmoid"), Layer(np.ones((2, 1)), np.zeros(1), "sigmoid")])
    s = Stepper(net, X, y, lr=0.1)
    s.run_epochs(5, breakpoints=Breakpoints(saturated=True, saturated_above=6.0))
    assert s.breakpoint.startswith("h₁ (hidden layer 1, sigmoid) saturated in epoch 0 (just finished)")
    assert (s.breakpoint.layer, s.breakpoint.neuron) == (0, 0) and s.epoch == 1


def test_vanishing_gradient_fires_when_a_layer_stops_learning():
    X, y = datasets.xor()
    net = NeuralNetwork.from_sizes([2, 2, 1], seed=0)
    net.layers[1].W[...] = 0.0  # nothing flows back into layer 0: its dw is exactly 0
    net.layers[1].W[0, 0] = 1e-12
    s = Stepper(net, X, y, lr=0.1)
    s.run_epochs(5, breakpoints=Breakpoints(vanishing=True, vanishing_below=1e-8))
    assert "vanishing gradient in hidden layer 1 in epoch 0 (just finished)" in s.breakpoint
    assert (s.breakpoint.layer, s.breakpoint.neuron) == (0, None) and str(s.breakpoint) == s.breakpoint.reason
