"""A bug planted for the lesson "find the bug": one neuron's activation derivative is wrong.

Only the lesson's own copy of the network gets it (``plant: wrong derivative h₂`` in a
chapter's header); the engine in ``nn/`` is untouched.  The layer's activation object is
replaced by a subclass of its own class whose derivative, for one column (neuron) only, is
``f'(z) = a`` — the classic slip of dropping the ``(1 − a)`` of σ'(z) = a·(1 − a).  The
forward pass is the true one, so finite differences (the gradient check, ``c``) disagree
with backprop exactly for the parameters of that neuron.

The subclass carries the column as a class attribute, so ``NeuralNetwork.copy()`` (which
builds ``type(layer.activation)()``) keeps the bug — the gradient check runs on a copy.
The column of an array is found from its shape (a whole layer, ``(N, n_out)``) or, for the
stepper's one-neuron slices ``z[:, j:j+1]`` (views of the layer's array), from the view's
offset in its base array.
"""
from __future__ import annotations

import numpy as np

from nn.activations import Activation


def _columns(z: np.ndarray, n_out: int) -> tuple[int, int]:
    """Which layer columns ``z`` (N, k) holds: (first, count)."""
    base = z.base
    if z.ndim == 2 and z.shape[1] == n_out:
        return 0, n_out
    if base is not None and base.ndim == 2 and base.shape[1] == n_out and z.ndim == 2:
        return (z.__array_interface__["data"][0] - base.__array_interface__["data"][0]) \
            // z.itemsize, z.shape[1]
    return 0, z.shape[1] if z.ndim == 2 else 1


def plant_wrong_derivative(net, layer: int, neuron: int) -> Activation:
    """Give neuron ``neuron`` of layer ``layer`` (0-based) the wrong derivative f'(z) = a."""
    lay = net.layers[layer]
    true = type(lay.activation)
    n_out = lay.n_out

    class Planted(true):  # type: ignore[misc, valid-type]
        planted = (layer, neuron)

        def derivative(self, z, a):
            d = np.array(true.derivative(self, z, a), dtype=float, copy=True)
            first, count = _columns(z, n_out)
            if first <= neuron < first + count:
                col = neuron - first
                d[:, col] = a[:, col]        # the bug: f'(z) = a
            return d

        def delta(self, dA, z, a):
            return dA * self.derivative(z, a)

    Planted.__name__ = Planted.__qualname__ = f"Planted{true.__name__}"
    lay.activation = Planted()
    return lay.activation


def planted_neuron(net) -> tuple[int, int] | None:
    """(layer, neuron) of the planted bug, if this network has one."""
    for layer in net.layers:
        where = getattr(layer.activation, "planted", None)
        if where is not None:
            return where
    return None
