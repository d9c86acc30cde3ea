"""The diagram's input labels: each input value with the digits its arithmetic needs.

The input column shows the selected sample's network inputs.  With derived features each
is written as the narration writes its operands (4 significant digits,
:func:`tui.core.format.num`), so ``x₁² 0.8428`` on the diagram is the ``0.8428`` in
``z = w₁x₁ + …``.  A derived feature
(x₁², x₁x₂, sin x₁) is an equation on screen too — recomputed from the raw inputs shown
beside it, it must give the value shown (issue 22 item 8: ``x₁² +0.08`` beside
``x₁ +0.28`` hid the arithmetic): the raw inputs get more digits, one at a time, until
every derived feature agrees (:func:`tui.view.equation.agrees`).

Pure: no textual, no rich.
"""
from __future__ import annotations

import numpy as np

from tui.core.format import num
from tui.view.equation import MAX_DIGITS, MIN_DIGITS, agrees

#: a derived feature as an expression of the raw inputs as displayed ({x1}, {x2})
DERIVED = {"x1^2": "({x1})²", "x2^2": "({x2})²", "x1x2": "({x1})·({x2})",
           "sin(x1)": "sin({x1})", "sin(x2)": "sin({x2})"}
RAW = ("x1", "x2")


def equations(values: np.ndarray, keys, labels) -> list[tuple[int, str]]:
    """(input index, expression) of each derived feature whose raw inputs are shown,
    the expression written with ``labels`` (the displayed raw inputs)."""
    where = {k: i for i, k in enumerate(keys) if k in RAW}
    out = []
    for i, k in enumerate(keys):
        form = DERIVED.get(k)
        if form is None or any(f"{{{r}}}" in form and r not in where for r in RAW):
            continue
        out.append((i, form.format(**{r: labels[where[r]] for r in where})))
    return out


def input_labels(values: np.ndarray, keys=None) -> tuple[str, ...]:
    """The labels of ``values`` (n_in,), the network inputs of one sample; ``keys`` the
    feature keys of :mod:`nn.features`.  Empty without a derived feature (plain inputs:
    no arithmetic between them, and the diagram keeps its narrow ``+0.73`` labels, which
    leave deep networks their room)."""
    if not keys or len(keys) != len(values) or not any(k in DERIVED for k in keys):
        return ()  # no arithmetic between the inputs: the diagram's short labels
    labels = [num(v) for v in values]
    raw = [i for i, k in enumerate(keys) if k in RAW]
    for digits in range(MIN_DIGITS, MAX_DIGITS + 1):
        for i in raw:
            labels[i] = num(values[i], digits)
        if all(agrees(expr, labels[i]) for i, expr in equations(values, keys, labels)):
            break
    return tuple(labels)


__all__ = ["input_labels", "equations", "DERIVED"]
