"""Check backpropagation against central finite differences.

For every parameter θ the numeric derivative is the fourth-order central
difference

    numeric = (−L(θ+2ε) + 8 L(θ+ε) − 8 L(θ−ε) + L(θ−2ε)) / 12ε

computed in float64 on a copy of the network (truncation error O(ε⁴), so
ε = 1e-3 keeps both truncation and rounding near 1e-12), compared with the
analytic gradient from one backward pass.  The relative error is

    |analytic − numeric| / max(|analytic| + |numeric|, floor)

with ``floor`` = 1e-5: for gradients smaller than that the check is, in
effect, |analytic − numeric| < tolerance·floor = 1e-11, about the noise of
the finite difference itself.

The loss checked is the network's whole objective: its loss (MSE, BCE,
softmax cross-entropy, from the logits) plus the weight-decay penalty
λ/2·Σw², so the check covers fused output deltas and dW += λ·W too.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import NeuralNetwork


@dataclass(frozen=True)
class ParamCheck:
    """One parameter: ``kind`` is "w" (index = (input, neuron)) or "b" (index = (neuron,))."""

    layer: int
    kind: str
    index: tuple[int, ...]
    analytic: float
    numeric: float
    rel_error: float

    @property
    def name(self) -> str:
        if self.kind == "w":
            i, j = self.index
            return f"L{self.layer} w[{i},{j}]"
        return f"L{self.layer} b[{self.index[0]}]"


@dataclass(frozen=True)
class GradCheckResult:
    checks: list[ParamCheck]
    tolerance: float

    @property
    def worst(self) -> ParamCheck:
        return max(self.checks, key=lambda c: c.rel_error)

    @property
    def max_rel_error(self) -> float:
        return self.worst.rel_error

    @property
    def ok(self) -> bool:
        return self.max_rel_error < self.tolerance


def analytic_gradients(net: NeuralNetwork, X: np.ndarray, y: np.ndarray):
    """(dW, db) for every layer after one forward/backward pass on a float64 copy."""
    work = net.copy(dtype=np.float64)
    y_hat = work.forward(X)
    work.backward(work.loss.gradient(y_hat, y, work.layers[-1].z))
    return [(layer.dW.copy(), layer.db.copy()) for layer in work.layers]


class GradCheckCancelled(Exception):
    """The check was stopped by its ``progress`` callback."""


def gradcheck(net: NeuralNetwork, X: np.ndarray, y: np.ndarray, eps: float = 1e-3,
              tolerance: float = 1e-6, floor: float = 1e-5,
              gradients=None, progress=None) -> GradCheckResult:
    """Compare analytic and numeric gradients of every weight and bias of ``net``.

    ``gradients`` may be given as a list of (dW, db) to check someone else's
    analytic gradients (e.g. deliberately wrong ones) instead of the engine's.
    ``progress(done, total)`` is called before each parameter (4 loss evaluations each);
    when it returns False the check stops with :class:`GradCheckCancelled` (a caller
    on another thread cancels a long check this way).
    The network passed in is never modified.
    """
    with np.errstate(all="ignore"):  # a blown-up network gives NaN errors, not warnings
        return _gradcheck(net, np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64),
                          eps, tolerance, floor, gradients, progress)


def _gradcheck(net, X, y, eps, tolerance, floor, gradients, progress=None) -> GradCheckResult:
    if gradients is None:
        gradients = analytic_gradients(net, X, y)
    work = net.copy(dtype=np.float64)

    def loss() -> float:
        return work.objective(X, y)

    checks: list[ParamCheck] = []
    total = sum(layer.W.size + layer.b.size for layer in work.layers)
    for l, layer in enumerate(work.layers):
        for kind, param, grad in (("w", layer.W, gradients[l][0]), ("b", layer.b, gradients[l][1])):
            for index in np.ndindex(param.shape):
                if progress is not None and progress(len(checks), total) is False:
                    raise GradCheckCancelled
                old = param[index]
                f = []
                for step in (2, 1, -1, -2):
                    param[index] = old + step * eps
                    f.append(loss())
                param[index] = old
                numeric = (-f[0] + 8 * f[1] - 8 * f[2] + f[3]) / (12 * eps)
                analytic = float(grad[index])
                err = abs(analytic - numeric) / max(abs(analytic) + abs(numeric), floor)
                if not np.isfinite(err):
                    err = float("inf")  # NaN/inf gradients never pass
                checks.append(ParamCheck(l, kind, tuple(int(i) for i in index),
                                         analytic, numeric, err))
    return GradCheckResult(checks, tolerance)

