"""The one numbering scheme every screen, message and file uses (as a textbook does).

* Layers are numbered from 1: layer 1 is the first hidden layer, layer L the output
  layer (the engine's ``net.layers[l]`` is layer ``l + 1``).  The inputs are x₁, x₂, ….
* Neurons, inputs, weights and samples are numbered from 1 within their layer / data
  set: ``w₂`` is the weight from input 2, "sample 3" is ``X[2]``.
* Epochs are counted from 0: "epoch k" is the pass that starts after k updates, so
  the status line, the loss chart's x axis, breakpoints and snapshots agree.

Names: with one hidden layer its neurons are ``h₁, h₂, …``; with several, the layer
is a superscript: ``h¹₁, h²₃``.  The output is ``ŷ`` (or ``ŷ₁, ŷ₂, …`` for several).

Every function takes the engine's 0-based indices and returns the text to show.
"""
from __future__ import annotations

SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def sub(i: int) -> str:
    """``12`` → ``₁₂``."""
    return str(i).translate(SUB)


def sup(i: int) -> str:
    """``12`` → ``¹²``."""
    return str(i).translate(SUP)


def neuron_name(layer: int, neuron: int, sizes: tuple[int, ...] | list[int]) -> str:
    """Name of neuron ``neuron`` (0-based) of engine layer ``layer`` (0-based) in a
    network with layer widths ``sizes`` (``net.sizes``, inputs first):
    ``h₁``, ``h²₃``, ``ŷ``, ``ŷ₂``."""
    n_layers = len(sizes) - 1
    if layer == n_layers - 1:
        return "ŷ" if sizes[-1] == 1 else f"ŷ{sub(neuron + 1)}"
    if n_layers == 2:
        return f"h{sub(neuron + 1)}"
    return f"h{sup(layer + 1)}{sub(neuron + 1)}"


def input_name(layer: int, i: int, sizes: tuple[int, ...] | list[int]) -> str:
    """What input ``i`` of engine layer ``layer`` is: x₁, x₂ for the first layer,
    else the previous layer's neuron."""
    if layer == 0:
        return f"x{sub(i + 1)}"
    return neuron_name(layer - 1, i, sizes)


def layer_name(layer: int, n_layers: int) -> str:
    """``hidden layer 1``, ``output layer 2`` (engine index → words, numbered from 1)."""
    kind = "output" if layer == n_layers - 1 else "hidden"
    return f"{kind} layer {layer + 1}"


def weight_name(i: int) -> str:
    """Weight from input ``i`` (0-based): ``w₁``."""
    return f"w{sub(i + 1)}"


def sample_name(n: int) -> str:
    """Sample ``n`` (0-based index into X): ``sample 1``."""
    return f"sample {n + 1}"


def param_name(layer: int, kind: str, index: tuple[int, ...], sizes) -> str:
    """A weight or bias by its neuron: ``h₁ w₂ (x₂)``, ``ŷ b``.

    ``kind`` is "w" with ``index`` = (input, neuron) or "b" with ``index`` = (neuron,),
    0-based as in the engine."""
    if kind == "b":
        return f"{neuron_name(layer, index[0], sizes)} b"
    i, j = index
    return f"{neuron_name(layer, j, sizes)} {weight_name(i)} ({input_name(layer, i, sizes)})"
