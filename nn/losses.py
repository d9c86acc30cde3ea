"""Loss functions L(ŷ, y), as a registry like the activations.

Shapes: predictions ŷ, targets y and the output layer's pre-activations z are
(N, K) — or (R, N, K) for a stack of R runs (:mod:`nn.stacked`); a loss is a
mean over the last two axes, one value per run.

Each loss gives

* its value, ``loss(ŷ, y, z=None)`` (from the logits z when given: stable);
* ``value_and_gradient(ŷ, y, z)``: the value and what backpropagation starts
  from.  For MSE that is ∂L/∂ŷ, and the output activation's f' is applied as
  usual.  A *fused* loss (``fused = True``: BCE on a sigmoid output,
  cross-entropy on a softmax output) gives δ = ∂L/∂z at the output directly,
  the textbook simplification δ = (ŷ − y)·scale, which never divides by
  ŷ(1 − ŷ) and so stays finite when the output saturates;
* ``scale(y)``: the constant factor of that gradient (for the narration), and
  ``equations``: how the narration writes the loss and its gradient.

    mse          L = 1/(N·K) Σ (ŷ − y)²                ∂L/∂ŷ = 2/(N·K)·(ŷ − y)
    bce          L = −1/(N·K) Σ [y log ŷ + (1−y) log(1−ŷ)],  ŷ = σ(z)
                 = 1/(N·K) Σ [max(z,0) − z·y + log(1 + e^−|z|)]    δ = (ŷ − y)/(N·K)
    softmax-ce   L = −1/N Σₙ Σₖ yₙₖ log ŷₙₖ,  ŷ = softmax(z)
                 = 1/N Σₙ [logsumexp(zₙ) − Σₖ yₙₖ zₙₖ]           δ = (ŷ − y)/N

Without z the cross-entropies read log ŷ with ŷ clipped to [1e-300, 1]: no
log(0), and no warning.
"""
from __future__ import annotations

import numpy as np

from .naming import sub
from .registry import Stateless

#: smallest probability a log is taken of when only ŷ is known
TINY = 1e-300


class Loss(Stateless):
    """Base class: ``name``, ``requires`` (the output activation a fused loss needs)."""

    name = "loss"
    title = "loss"
    fused = False          #: value_and_gradient gives δ at the output, not ∂L/∂ŷ
    requires: str | None = None
    equations: tuple[str, ...] = ()

    def __call__(self, y_hat: np.ndarray, y: np.ndarray, z: np.ndarray | None = None) -> float:
        return float(self.values(y_hat, y, z))

    def values(self, y_hat, y, z=None) -> np.ndarray:  # pragma: no cover - abstract
        """The loss over the last two axes: a 0-d array for (N, K), (R,) for (R, N, K)."""
        raise NotImplementedError

    def scale(self, y: np.ndarray) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def gradient(self, y_hat, y, z=None) -> np.ndarray:
        return self.value_and_gradient(y_hat, y, z)[1]

    def value_and_gradient(self, y_hat, y, z=None) -> tuple[float, np.ndarray]:
        """The loss and the start of backpropagation, shape (N, K)."""
        values, grad = self.per_run(y_hat, y, z)
        return float(values), grad

    def per_run(self, y_hat, y, z=None) -> tuple[np.ndarray, np.ndarray]:
        """Values over the last two axes and the gradient (∂L/∂ŷ, or δ when fused)
        with each run's own factor: ``scale`` of one run's (N, K) targets."""
        grad = y_hat - y
        grad *= self.scale(y_hat[(0,) * (y_hat.ndim - 2)])
        return self.values(y_hat, y, z), grad

    #: for a fused loss: why δ at the output is so simple (the textbook's step)
    simplification = ""

    def explain(self, y_hat: np.ndarray, y: np.ndarray, i: int) -> dict:
        """Sample ``i``'s part of the loss and the start of backpropagation for
        each of its outputs, as (template, numbers, result) lines with one number
        per ``{}``: ``{"value": (template, numbers)`` (how L of these rows is
        written), ``"terms": [lines]`` (the sample's own loss ℓ; its mean over the
        rows is L), ``"outputs": [[lines] per output k]}``.
        ``y_hat``, ``y`` (N, K) are the rows the loss was taken over (a
        mini-batch's); the last line of output k gives what backprop starts from."""
        return {"value": self._explain_value(y), "terms": [],
                "outputs": [self._explain_output(y_hat, y, i, k) for k in range(y.shape[1])]}

    def _explain_value(self, y) -> tuple[str, list]:
        """How the loss of these rows is written, with its 1/N (template, numbers)."""
        return ("L = 1/{} · Σ", [y.size])  # pragma: no cover - each loss has its own

    def _explain_output(self, y_hat, y, i, k) -> list:  # pragma: no cover - abstract
        raise NotImplementedError

    def narration(self, y_hat, y) -> dict:
        """Numbers the narration shows besides value and gradient."""
        return {"loss_name": self.name, "loss_title": self.title, "fused": self.fused,
                "equations": self.equations}


class MSE(Loss):
    """Mean squared error over all samples and outputs.

    The gradient carries the full 2/(N·K) factor, so the weight gradients that
    backpropagation produces are the exact derivatives of the reported loss."""

    name = "mse"
    title = "mean squared error"
    equations = ("L = 1/(N·K) · Σ (ŷ − y)²", "∂L/∂ŷ = 2/(N·K) · (ŷ − y)")

    def __call__(self, y_hat, y, z=None) -> float:
        diff = y_hat - y
        return float(np.vdot(diff, diff)) / diff.size

    def values(self, y_hat, y, z=None):
        diff = y_hat - y
        return np.einsum("...nk,...nk->...", diff, diff) / (diff.shape[-2] * diff.shape[-1])

    def value_and_gradient(self, y_hat, y, z=None):
        """The loss and ∂L/∂ŷ from one subtraction."""
        diff = y_hat - y
        value = float(np.vdot(diff, diff)) / diff.size
        diff *= 2.0 / diff.size
        return value, diff

    def scale(self, y) -> float:
        """The factor 2/(N·K) in the gradient, for narration."""
        return 2.0 / y.size

    def _explain_value(self, y):
        return ("L = 1/{} · Σₙ (ŷₙ − yₙ)²", [y.size])

    def _explain_output(self, y_hat, y, i, k):
        s, yh, t = self.scale(y), y_hat[i, k], y[i, k]
        return [("∂L/∂ŷ = 2/{} · (ŷ − y) = {} · ({} − {})", [y.size, s, yh, t], (yh - t) * s)]


class BCE(Loss):
    """Binary cross-entropy on a sigmoid output (mean over N·K), from the logits."""

    name = "bce"
    title = "binary cross-entropy"
    fused = True
    requires = "sigmoid"
    equations = ("L = −1/(N·K) · Σ [y·log ŷ + (1−y)·log(1−ŷ)]",
                 "δ = ∂L/∂z = (ŷ − y)/(N·K)")

    def values(self, y_hat, y, z=None):
        n = y.shape[-2] * y.shape[-1]
        if z is None:
            terms = y * np.log(np.clip(y_hat, TINY, 1.0))
            terms += (1.0 - y) * np.log(np.clip(1.0 - y_hat, TINY, 1.0))
            return -terms.sum(axis=(-2, -1)) / n
        # log(1 + e^−|z|) never overflows; max(z,0) − z·y adds the rest exactly
        terms = np.log1p(np.exp(-np.abs(z)))
        terms += np.maximum(z, 0.0)
        terms -= z * y
        return terms.sum(axis=(-2, -1)) / n

    def scale(self, y) -> float:
        return 1.0 / y.size

    simplification = ("∂L/∂ŷ = (ŷ − y)/(ŷ(1−ŷ)) / (N·K) and σ'(z) = ŷ(1−ŷ): "
                      "f'(z) cancels, δ = (ŷ − y)/(N·K)")

    def _explain_value(self, y):
        return ("L = −1/{} · Σ [y·log ŷ + (1−y)·log(1−ŷ)]", [y.size])

    def explain(self, y_hat, y, i):
        out = super().explain(y_hat, y, i)
        K = y.shape[1]
        for k in range(K):
            yh, t = y_hat[i, k], y[i, k]
            term = -(t * np.log(np.clip(yh, TINY, 1.0))
                     + (1.0 - t) * np.log(np.clip(1.0 - yh, TINY, 1.0)))
            name = f"ℓ{sub(k + 1)}" if K > 1 else "ℓ"
            out["terms"].append((f"{name} = −[y·log ŷ + (1−y)·log(1−ŷ)] = −[{{}}·log {{}} + "
                                 "{}·log {}]", [t, yh, 1.0 - t, 1.0 - yh], float(term)))
        return out

    def _explain_output(self, y_hat, y, i, k):
        s, yh, t = self.scale(y), y_hat[i, k], y[i, k]
        name = f"δ{sub(k + 1)}" if y.shape[1] > 1 else "δ"
        return [(f"{name} = ∂L/∂z = (ŷ − y)/(N·K) = ({{}} − {{}})/{{}}", [yh, t, y.size],
                 (yh - t) * s)]


class SoftmaxCE(Loss):
    """Softmax + cross-entropy for K classes (one-hot or probability targets)."""

    name = "softmax-ce"
    title = "softmax cross-entropy"
    fused = True
    requires = "softmax"
    equations = ("L = −1/N · Σₙ Σₖ yₙₖ·log ŷₙₖ", "δ = ∂L/∂z = (ŷ − y)/N")

    def values(self, y_hat, y, z=None):
        n = y.shape[-2]
        if z is None:
            return -(y * np.log(np.clip(y_hat, TINY, 1.0))).sum(axis=(-2, -1)) / n
        m = z.max(axis=-1, keepdims=True)
        lse = np.log(np.exp(z - m).sum(axis=-1, keepdims=True)) + m  # log-sum-exp
        return (y * (lse - z)).sum(axis=(-2, -1)) / n  # Σₖ yₖ = 1 per sample

    def scale(self, y) -> float:
        return 1.0 / y.shape[-2]

    simplification = ("∂L/∂ŷₖ = −yₖ/(N·ŷₖ) and softmax's ∂ŷₖ/∂zⱼ = ŷₖ·([j = k] − ŷⱼ): "
                      "f'(z) cancels, δ = (ŷ − y)/N")

    def _explain_value(self, y):
        return ("L = −1/{} · Σₙ Σₖ yₙₖ·log ŷₙₖ", [y.shape[0]])

    def explain(self, y_hat, y, i):
        out = super().explain(y_hat, y, i)
        K = y.shape[1]
        term = -float((y[i] * np.log(np.clip(y_hat[i], TINY, 1.0))).sum())
        parts = " + ".join("{}·log {}" for _ in range(K))
        numbers = [v for k in range(K) for v in (y[i, k], y_hat[i, k])]
        out["terms"].append((f"ℓ = −Σₖ yₖ·log ŷₖ = −[{parts}]", numbers, term))
        return out

    def _explain_output(self, y_hat, y, i, k):
        s, yh, t = self.scale(y), y_hat[i, k], y[i, k]
        name = sub(k + 1)
        return [(f"δ{name} = ∂L/∂z{name} = (ŷ{name} − y{name})/N = ({{}} − {{}})/{{}}",
                 [yh, t, y.shape[0]], (yh - t) * s)]


LOSSES: dict[str, type[Loss]] = {cls.name: cls for cls in (MSE, BCE, SoftmaxCE)}


def get_loss(name: str | Loss | None) -> Loss:
    """A loss instance from its name (``"bce"``) or pass one through; None is MSE."""
    if name is None:
        return MSE()
    if isinstance(name, Loss):
        return name
    try:
        return LOSSES[name.lower()]()
    except KeyError:
        choices = ", ".join(LOSSES)
        raise ValueError(f"unknown loss {name!r} (choose from {choices})") from None


def cross_entropy_for(output: str) -> str:
    """The cross-entropy that fits an output activation: ``bce`` for sigmoid,
    ``softmax-ce`` for softmax (what ``--loss cross-entropy`` means)."""
    for cls in LOSSES.values():
        if cls.fused and cls.requires == output:
            return cls.name
    raise ValueError(f"cross-entropy needs a sigmoid or softmax output, not {output}")
