"""How numbers and names are written on screen (one place, so the narration,
the inspector and the tests agree on the digits shown)."""
from __future__ import annotations

import math

SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def num(x: float, digits: int = 4) -> str:
    """``digits`` significant digits; exponent form for very small or large values."""
    x = float(x)
    if not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if x == 0:
        return "0"
    return f"{x:.{digits}g}"


def paren(x: float, digits: int = 4) -> str:
    """A number wrapped in parentheses when negative, for products: (−0.2)·(0.5)."""
    s = num(x, digits)
    return f"({s})" if s.startswith("-") else s


def short(x: float) -> str:
    """At most 5 characters, for node labels in the diagram."""
    x = float(x)
    if not math.isfinite(x):
        return " nan " if math.isnan(x) else " inf "
    if abs(x) < 10:
        return f"{x:+.2f}"
    if abs(x) < 1000:
        return f"{x:+.0f}".rjust(5)
    return f"{x:+.0e}"[:5]


def sub(i: int) -> str:
    return str(i).translate(SUB)


def neuron_name(layer: int, neuron: int, n_layers: int) -> str:
    """``h1₀`` for hidden layer 1's first neuron, ``ŷ`` (or ``ŷ₁``) for outputs.

    Layers are numbered as in the engine: layer 0 is the first hidden layer,
    so hidden layer ``layer`` is written ``h{layer+1}``."""
    if layer == n_layers - 1:
        return "ŷ" if neuron == 0 and layer >= 0 else f"ŷ{sub(neuron)}"
    return f"h{layer + 1}{sub(neuron)}"


def input_name(layer: int, i: int, n_layers: int) -> str:
    """What input ``i`` of ``layer`` is called: x₁, x₂ for layer 0, else the
    previous layer's neuron."""
    if layer == 0:
        return f"x{sub(i + 1)}"
    return neuron_name(layer - 1, i, n_layers)
