"""Optimizers: how the gradient ∇θ becomes a change of the parameters θ.

An optimizer keeps its state in flat vectors laid out exactly as the
network's θ (W₀, b₀, W₁, b₁, …), so one index picks the same parameter in θ,
∇θ and every state vector.  Its ``step(theta, grad, lr, idx)`` updates
either all parameters (``idx=None``: the fast path, in place) or only
``theta[idx]`` (an index array: one neuron's W column and bias, what the
stepper's update unit does).  Both run the same ``_update`` formula, so any
mix of neuron, layer and whole-net updates gives the same numbers.

The step count ``t`` (Adam's bias correction) counts *completed* updates of
the whole net: the fast path advances it; the stepper uses ``t + 1`` for the
neurons of an epoch's update phase and calls ``advance()`` at its end.

    gd         θ ← θ − lr·g
    momentum   v ← β·v + g;   θ ← θ − lr·v             (heavy ball, as torch.optim.SGD)
               θ ← θ − lr·(g + β·v)                     (nesterov=True)
    adam       m ← β₁·m + (1−β₁)·g;  v ← β₂·v + (1−β₂)·g²
               θ ← θ − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)   (as torch.optim.Adam)
"""
from __future__ import annotations

import math

import numpy as np


class Optimizer:
    """Base class: ``name``, ``slots`` (names of the state vectors), ``hyper``."""

    name = "optimizer"
    slots: tuple[str, ...] = ()

    def __init__(self):
        self.state: dict[str, np.ndarray] = {}
        self.t = 0

    # ----------------------------------------------------------------- state
    @property
    def hyper(self) -> dict:
        """Hyper-parameters by name (what a file or a narration records)."""
        return {}

    def bind(self, n_params: int, dtype) -> "Optimizer":
        """Allocate zeroed state vectors for a θ of ``n_params`` (kept if they fit)."""
        for slot in self.slots:
            old = self.state.get(slot)
            if old is None or old.shape != (n_params,):
                self.state[slot] = np.zeros(n_params, dtype=dtype)
            elif old.dtype != dtype:
                self.state[slot] = old.astype(dtype)
        return self

    def reset(self) -> None:
        """Back to the state before any update."""
        for v in self.state.values():
            v[...] = 0
        self.t = 0

    def get_state(self) -> dict:
        """A copy of the state: {slot: vector} and ``t``."""
        return {"t": self.t, **{k: v.copy() for k, v in self.state.items()}}

    def set_state(self, state: dict) -> None:
        """Restore from ``get_state()`` output, in place."""
        for k, v in self.state.items():
            v[...] = state[k]
        self.t = int(state["t"])

    @property
    def state_size(self) -> int:
        return sum(v.size for v in self.state.values())

    def state_vector(self) -> np.ndarray:
        """All state vectors one after another, then t: what a per-epoch row keeps."""
        parts = [v for v in self.state.values()]
        dtype = parts[0].dtype if parts else np.float64
        return np.concatenate(parts + [np.array([self.t], dtype=dtype)])

    def set_state_vector(self, row: np.ndarray) -> None:
        start = 0
        for v in self.state.values():
            v[...] = row[start:start + v.size]
            start += v.size
        self.t = int(row[start])

    def copy(self, dtype=None) -> "Optimizer":
        new = type(self)(**self.hyper)
        new.state = {k: v.astype(dtype or v.dtype) for k, v in self.state.items()}
        new.t = self.t
        return new

    def describe(self) -> str:
        args = ", ".join(f"{k}={v:g}" if not isinstance(v, bool) else f"{k}={v}"
                         for k, v in self.hyper.items())
        return f"{self.name}({args})" if args else self.name

    def __repr__(self) -> str:
        return self.describe()

    # ---------------------------------------------------------------- update
    def step(self, theta: np.ndarray, grad: np.ndarray, lr: float, idx=None) -> None:
        """Update ``theta`` in place: all of it (``idx`` None; advances t) or
        ``theta[idx]`` with step count t + 1 (t is advanced by ``advance()``)."""
        if idx is None:
            self.t += 1
            self._update(theta, grad, lr, self.t, self.state)
            return
        th = theta[idx]
        part = {k: v[idx] for k, v in self.state.items()}
        self._update(th, grad[idx], lr, self.t + 1, part)
        theta[idx] = th
        for k, v in self.state.items():
            v[idx] = part[k]

    def advance(self) -> None:
        """Count one completed update of the whole net (after per-neuron steps)."""
        self.t += 1

    def explain(self, w: float, g: float, lr: float, t: int, state: dict[str, float],
                name: str = "w", grad: str = "dw") -> list[tuple[str, list[float], float]]:
        """The update of one parameter as equations with their numbers, for a
        narration: (template, numbers, result) per line, each ``{}`` of the
        template to be filled by one number.  ``w``, ``g`` the parameter and its
        gradient before the update, ``state`` each slot's value before it, ``t``
        the step count the update uses; ``name``/``grad`` how they are written.
        The results are computed here, from scalars, so a test can hold them
        against what ``_update`` did (the last line's result is the new value)."""
        raise NotImplementedError  # pragma: no cover - abstract

    def _update(self, theta, grad, lr, t, state) -> None:  # pragma: no cover - abstract
        """The formula, in place on ``theta`` and the ``state`` arrays (any shape;
        ``lr`` may be an array broadcasting against them)."""
        raise NotImplementedError


class GD(Optimizer):
    """Plain gradient descent: θ ← θ − lr·g (no state)."""

    name = "gd"

    def _update(self, theta, grad, lr, t, state):
        theta -= lr * grad

    def explain(self, w, g, lr, t, state, name="w", grad="dw"):
        return [(f"{name} ← {name} − lr·{grad} = {{}} − {{}}·{{}}", [w, lr, g], w - lr * g)]


class Momentum(Optimizer):
    """Heavy-ball momentum (or Nesterov), as ``torch.optim.SGD(momentum=β)``:
    v starts at 0, so the first step is v = g."""

    name = "momentum"
    slots = ("v",)

    def __init__(self, beta: float = 0.9, nesterov: bool = False):
        super().__init__()
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"momentum β must be in [0, 1), got {beta}")
        self.beta, self.nesterov = float(beta), bool(nesterov)

    @property
    def hyper(self):
        return {"beta": self.beta, "nesterov": self.nesterov}

    def _update(self, theta, grad, lr, t, state):
        v = state["v"]
        v *= self.beta
        v += grad
        if self.nesterov:
            theta -= lr * (grad + self.beta * v)
        else:
            theta -= lr * v

    def explain(self, w, g, lr, t, state, name="w", grad="dw"):
        v = self.beta * state["v"] + g
        lines = [(f"v ← β·v + {grad} = {{}}·{{}} + {{}}", [self.beta, state["v"], g], v)]
        if self.nesterov:
            lines.append((f"{name} ← {name} − lr·({grad} + β·v) = {{}} − {{}}·({{}} + {{}}·{{}})",
                          [w, lr, g, self.beta, v], w - lr * (g + self.beta * v)))
        else:
            lines.append((f"{name} ← {name} − lr·v = {{}} − {{}}·{{}}", [w, lr, v], w - lr * v))
        return lines


class Adam(Optimizer):
    """Adam (Kingma & Ba), in ``torch.optim.Adam``'s arrangement of the bias
    corrections."""

    name = "adam"
    slots = ("m", "v")

    def __init__(self, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__()
        if not (0.0 <= beta1 < 1.0 and 0.0 <= beta2 < 1.0):
            raise ValueError(f"Adam β₁, β₂ must be in [0, 1), got {beta1}, {beta2}")
        if not eps > 0:
            raise ValueError(f"Adam ε must be positive, got {eps}")
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)

    @property
    def hyper(self):
        return {"beta1": self.beta1, "beta2": self.beta2, "eps": self.eps}

    def _update(self, theta, grad, lr, t, state):
        m, v = state["m"], state["v"]
        m *= self.beta1
        m += (1.0 - self.beta1) * grad
        v *= self.beta2
        v += (1.0 - self.beta2) * grad * grad
        c1 = 1.0 - self.beta1 ** t
        c2 = math.sqrt(1.0 - self.beta2 ** t)
        denom = np.sqrt(v)
        denom /= c2
        denom += self.eps
        theta -= (lr / c1) * m / denom

    def explain(self, w, g, lr, t, state, name="w", grad="dw"):
        b1, b2 = self.beta1, self.beta2
        m = b1 * state["m"] + (1.0 - b1) * g
        v = b2 * state["v"] + (1.0 - b2) * g * g
        c1, c2 = 1.0 - b1 ** t, 1.0 - b2 ** t
        m_hat, v_hat = m / c1, v / c2
        # the new value in _update's arrangement (so it matches to the last bit)
        new = w - (lr / c1) * m / (math.sqrt(v) / math.sqrt(c2) + self.eps)
        return [
            (f"m ← β₁·m + (1−β₁)·{grad} = {{}}·{{}} + {{}}·{{}}", [b1, state["m"], 1.0 - b1, g], m),
            (f"v ← β₂·v + (1−β₂)·{grad}² = {{}}·{{}} + {{}}·{{}}²", [b2, state["v"], 1.0 - b2, g], v),
            ("m̂ = m/(1−β₁ᵗ) = {}/{}", [m, c1], m_hat),
            ("v̂ = v/(1−β₂ᵗ) = {}/{}", [v, c2], v_hat),
            (f"{name} ← {name} − lr·m̂/(√v̂ + ε) = {{}} − {{}}·{{}}/(√{{}} + {{}})",
             [w, lr, m_hat, v_hat, self.eps], new),
        ]


OPTIMIZERS: dict[str, type[Optimizer]] = {cls.name: cls for cls in (GD, Momentum, Adam)}


def get_optimizer(name: str | Optimizer | None, **hyper) -> Optimizer:
    """An optimizer from its name (``"adam"``, with hyper-parameters) or pass one
    through; None is gradient descent."""
    if name is None:
        return GD()
    if isinstance(name, Optimizer):
        return name
    try:
        cls = OPTIMIZERS[name.lower()]
    except KeyError:
        choices = ", ".join(OPTIMIZERS)
        raise ValueError(f"unknown optimizer {name!r} (choose from {choices})") from None
    try:
        return cls(**hyper)
    except TypeError:
        raise ValueError(f"optimizer {cls.name} takes {', '.join(cls().hyper) or 'no options'}, "
                         f"not {', '.join(hyper)}") from None
