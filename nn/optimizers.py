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
    rmsprop    s ← ρ·s + (1−ρ)·g²;   θ ← θ − lr·g / (√s + ε)  (as torch.optim.RMSprop)

Each class declares, as class attributes, everything the rest of the project shows or
reads of it: its ``title`` (words on screen), its ``hypers`` (one :class:`Hyper` per
hyper-parameter: keyword, symbol, default, bounds, help, and the run setting — command-line
flag, session-file and lesson key — that sets it), its ``variants`` (the words
``--optimizer`` takes for it: Nesterov is momentum with ``nesterov=True``) and its PyTorch
equivalent (``torch_call``, ``torch_state``).  The settings table, the command line, the
settings screen, sweeps, session files, lessons and the narration are generated from these
declarations (tui/core/settings.py), so a new optimizer is its class here and its test.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np

#: attribute values an optimizer's copy may share: they cannot be changed in place
_IMMUTABLE = (bool, int, float, complex, str, bytes, type(None))


@dataclass(frozen=True)
class Hyper:
    """One hyper-parameter an optimizer class declares.

    ``name`` is its keyword in the class's constructor and ``hyper``; ``symbol`` how the
    narration writes it; ``low``/``high`` its bounds (``*_open``: the bound itself is
    refused).  ``setting`` is the run setting that sets it — the command-line flag
    ``--<setting>``, the session-file key and the lesson key — shared by every variant of the
    class; None: it keeps its default (Adam's β₁, β₂, ε).  ``ladder``: the values the settings
    screen's row steps through."""

    name: str
    symbol: str
    default: float
    low: float = 0.0
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    help: str = ""
    setting: str | None = None
    metavar: str = "X"
    ladder: tuple[float, ...] = ()

    def check(self, value: float, who: str) -> float:
        """``value`` as a float within the bounds; ValueError naming ``who`` and the symbol."""
        try:
            value = float(value)
        except OverflowError:  # an int past a float's range (10**400)
            raise ValueError(f"{who} {self.symbol} must be in {self.interval()}, got a number "
                             "too large for a float") from None
        below = value < self.low or (self.low_open and value == self.low)
        above = self.high is not None and (value > self.high or (self.high_open
                                                                 and value == self.high))
        if not math.isfinite(value) or below or above:
            raise ValueError(f"{who} {self.symbol} must be in {self.interval()}, got {value}")
        return value

    def interval(self) -> str:
        """"[0, 1)", "(0, ∞)"."""
        high = "∞" if self.high is None else f"{self.high:g}"
        return (("(" if self.low_open else "[") + f"{self.low:g}, {high}"
                + (")" if self.high_open or self.high is None else "]"))


class Optimizer:
    """Base class: ``name``, ``slots`` (names of the state vectors), ``hyper``, and the
    declarations the rest of the project reads (see the module's docstring)."""

    name = "optimizer"
    title = "optimizer"                 #: its name in words, on screen
    slots: tuple[str, ...] = ()
    hypers: tuple[Hyper, ...] = ()      #: its hyper-parameters, in the constructor's order
    #: the words ``--optimizer`` takes for this class: word → (title, fixed constructor
    #: options); empty: its ``name`` alone, with its ``title``
    variants: dict[str, tuple[str, dict]] = {}
    #: the torch.optim call that computes the same update, with ``{params}`` and ``{<name>}``
    #: of each hyper-parameter (written as Python numbers); None: no equivalent (the
    #: PyTorch export refuses it)
    torch_call: str | None = None
    torch_note: str = ""                #: what that call computes, for the script's comment
    torch_state: dict[str, str] = {}    #: slot → torch.optim's name of that state
    torch_step: bool = False            #: torch.optim's state counts the steps ("step")

    @classmethod
    def words(cls) -> dict[str, tuple[str, dict]]:
        """word → (title, fixed options): what ``--optimizer`` takes for this class."""
        return dict(cls.variants) or {cls.name: (cls.title, {})}

    def word(self) -> str:
        """The ``--optimizer`` word of this instance (``nesterov`` for Momentum(nesterov=True))."""
        hyper = self.hyper
        for word, (_, fixed) in self.words().items():
            if all(hyper.get(k) == v for k, v in fixed.items()):
                return word
        return self.name  # pragma: no cover - every instance is one of its words

    def display_title(self) -> str:
        """The title of this instance's variant: "Nesterov momentum"."""
        return self.words()[self.word()][0]

    def _check_hypers(self, **values) -> None:
        """Set each declared hyper-parameter from ``values``, checked against its bounds."""
        for h in self.hypers:
            setattr(self, h.name, h.check(values[h.name], self.title))

    def __init__(self):
        self.state: dict[str, np.ndarray] = {}
        self.t = 0

    # ----------------------------------------------------------------- state
    @property
    def hyper(self) -> dict:
        """Hyper-parameters by name (what a file or a narration records): the declared
        ones (a class with variants adds their options: Momentum's ``nesterov``)."""
        return {h.name: getattr(self, h.name) for h in self.hypers}

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
        """An independent optimizer in exactly this state (its vectors converted to
        ``dtype`` if given): the hyper-parameters and ``t``, the ``state`` vectors
        copied, and, so that a subclass keeping more is never copied wrongly by
        default, every other attribute too: an array copied, a number, string or
        None shared (immutable), anything else deep-copied.  A fork relies on this:
        stepping the copy gives the very numbers this one would."""
        new = type(self).__new__(type(self))
        for name, value in vars(self).items():
            if name == "state":
                value = {k: v.astype(dtype or v.dtype) for k, v in value.items()}
            elif isinstance(value, np.ndarray):
                value = value.astype(dtype or value.dtype)
            elif not isinstance(value, _IMMUTABLE):
                value = copy.deepcopy(value)
            setattr(new, name, value)
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
    title = "gradient descent"
    torch_call = "torch.optim.SGD({params}, lr=LR)"
    torch_note = "plain gradient descent: θ ← θ − lr·g"

    def _update(self, theta, grad, lr, t, state):
        theta -= lr * grad

    def explain(self, w, g, lr, t, state, name="w", grad="dw"):
        return [(f"{name} ← {name} − lr·{grad} = {{}} − {{}}·{{}}", [w, lr, g], w - lr * g)]


class Momentum(Optimizer):
    """Heavy-ball momentum (or Nesterov), as ``torch.optim.SGD(momentum=β)``:
    v starts at 0, so the first step is v = g."""

    name = "momentum"
    title = "momentum"
    slots = ("v",)
    hypers = (Hyper("beta", "β", 0.9, 0.0, 1.0, high_open=True, setting="momentum",
                    metavar="BETA", ladder=(0.0, 0.5, 0.8, 0.9, 0.95, 0.99),
                    help="β of momentum / nesterov, from 0 to below 1 (default 0.9)"),)
    variants = {"momentum": ("momentum", {"nesterov": False}),
                "nesterov": ("Nesterov momentum", {"nesterov": True})}
    torch_state = {"v": "momentum_buffer"}

    def __init__(self, beta: float = 0.9, nesterov: bool = False):
        super().__init__()
        self._check_hypers(beta=beta)
        self.nesterov = bool(nesterov)

    @property
    def torch_call(self) -> str:  # type: ignore[override]
        return ("torch.optim.SGD({params}, lr=LR, momentum={beta}"
                + (", nesterov=True)" if self.nesterov else ")"))

    @property
    def torch_note(self) -> str:  # type: ignore[override]
        what = ("Nesterov: v ← β·v + g;  θ ← θ − lr·(g + β·v)" if self.nesterov
                else "heavy ball: v ← β·v + g;  θ ← θ − lr·v")
        return f"{what} (v starts at 0, dampening 0: the first step is v = g)"

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
    title = "Adam"
    slots = ("m", "v")
    hypers = (Hyper("beta1", "β₁", 0.9, 0.0, 1.0, high_open=True),
              Hyper("beta2", "β₂", 0.999, 0.0, 1.0, high_open=True),
              Hyper("eps", "ε", 1e-8, 0.0, None, low_open=True))
    torch_call = "torch.optim.Adam({params}, lr=LR, betas=({beta1}, {beta2}), eps={eps})"
    torch_note = "Adam, bias corrections (1 − β₁ᵗ, √(1 − β₂ᵗ)) arranged as the engine does"
    torch_state = {"m": "exp_avg", "v": "exp_avg_sq"}
    torch_step = True

    def __init__(self, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__()
        self._check_hypers(beta1=beta1, beta2=beta2, eps=eps)

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


class RMSProp(Optimizer):
    """RMSProp (Hinton's lecture 6e), as ``torch.optim.RMSprop(alpha=ρ)``: a running mean
    s of g² scales each parameter's step; s starts at 0."""

    name = "rmsprop"
    title = "RMSProp"
    slots = ("s",)
    hypers = (Hyper("rho", "ρ", 0.9, 0.0, 1.0, high_open=True, setting="rho", metavar="RHO",
                    ladder=(0.0, 0.5, 0.8, 0.9, 0.95, 0.99),
                    help="ρ of rmsprop: the share of the running mean of g² kept at each "
                         "step, from 0 to below 1 (default 0.9)"),
              Hyper("eps", "ε", 1e-8, 0.0, None, low_open=True))
    torch_call = "torch.optim.RMSprop({params}, lr=LR, alpha={rho}, eps={eps})"
    torch_note = "RMSProp: s ← ρ·s + (1−ρ)·g²;  θ ← θ − lr·g/(√s + ε) (s starts at 0)"
    torch_state = {"s": "square_avg"}
    torch_step = True

    def __init__(self, rho: float = 0.9, eps: float = 1e-8):
        super().__init__()
        self._check_hypers(rho=rho, eps=eps)

    def _update(self, theta, grad, lr, t, state):
        s = state["s"]
        s *= self.rho
        s += (1.0 - self.rho) * grad * grad
        denom = np.sqrt(s)
        denom += self.eps
        theta -= lr * grad / denom

    def explain(self, w, g, lr, t, state, name="w", grad="dw"):
        rho = self.rho
        s = rho * state["s"] + (1.0 - rho) * g * g
        new = w - lr * g / (math.sqrt(s) + self.eps)
        return [
            (f"s ← ρ·s + (1−ρ)·{grad}² = {{}}·{{}} + {{}}·{{}}²", [rho, state["s"], 1.0 - rho, g], s),
            (f"{name} ← {name} − lr·{grad}/(√s + ε) = {{}} − {{}}·{{}}/(√{{}} + {{}})",
             [w, lr, g, s, self.eps], new),
        ]


#: the optimizers by name: what model files record and ``get_optimizer`` takes
OPTIMIZERS: dict[str, type[Optimizer]] = {cls.name: cls for cls in (GD, Momentum, Adam, RMSProp)}


def register(cls: type[Optimizer]) -> type[Optimizer]:
    """Add ``cls`` to :data:`OPTIMIZERS` (a class decorator).  The run settings and the
    command line are made from the registry when ``tui`` is first imported, so register
    before that (a new class in this module is registered by the line above)."""
    OPTIMIZERS[cls.name] = cls
    return cls


def optimizer_words() -> dict[str, tuple[type[Optimizer], str, dict]]:
    """Every word ``--optimizer`` takes, in the registry's order: word → (class, title,
    fixed constructor options)."""
    return {word: (cls, title, fixed) for cls in OPTIMIZERS.values()
            for word, (title, fixed) in cls.words().items()}


def from_word(word: str, **settings) -> Optimizer:
    """A fresh optimizer for an ``--optimizer`` word, its hyper-parameters taken from
    ``settings`` by their run setting's name (``momentum=0.5``; the rest keep their defaults)."""
    try:
        cls, _, fixed = optimizer_words()[word]
    except KeyError:
        raise ValueError(f"unknown optimizer {word!r} (choose from "
                         f"{', '.join(optimizer_words())})") from None
    values = {h.name: settings[h.setting] for h in cls.hypers
              if h.setting is not None and settings.get(h.setting) is not None}
    return cls(**values, **fixed)


def hyper_settings() -> dict[str, tuple[Hyper, tuple[str, ...]]]:
    """Every run setting an optimizer declares: setting → (its Hyper, the ``--optimizer``
    words that use it), in the registry's order."""
    out: dict[str, tuple[Hyper, tuple[str, ...]]] = {}
    for cls in OPTIMIZERS.values():
        for h in cls.hypers:
            if h.setting is not None:
                _, words = out.get(h.setting, (h, ()))
                out[h.setting] = (h, words + tuple(cls.words()))
    return out


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
