"""NeuralNetwork: layers in a chain, trained by full-batch gradient descent.

One training step (``train_step``) is the seed's loop:

1. forward pass            a⁰ = X, aˡ = fˡ(aˡ⁻¹ Wˡ + bˡ), ŷ = aᴸ
2. loss                    L = loss(ŷ, y) + λ/2·Σ w²   (nn/losses.py; MSE by default;
                           weight decay λ on the weights only, never the biases)
3. loss gradient           ∂L/∂ŷ (or, for a fused loss, δᴸ = ∂L/∂zᴸ directly)
4. backward pass           δˡ = ∂L/∂aˡ ⊙ fˡ'(zˡ), dWˡ = aˡ⁻¹ᵀ δˡ + λ·Wˡ, dbˡ = Σ δˡ,
                           ∂L/∂aˡ⁻¹ = δˡ Wˡᵀ
5. update                  θ ← optimizer(θ, ∇θ, lr)   (nn/optimizers.py; plain gradient
                           descent θ -= lr·∇θ by default)

``train_step`` is the fast path: it records no events and no history.  The
:class:`~nn.stepper.Stepper` walks the very same steps one neuron, layer or
phase at a time, for watching.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from .activations import Activation, get_activation
from .init import default as init_weights  # noqa: F401 - the per-activation rule, re-exported
from .init import get_init
from .layer import Layer
from .layout import ThetaLayout
from .losses import Loss, get_loss
from .optimizers import Optimizer, get_optimizer
from .naming import layer_name, neuron_name, weight_name


@dataclass
class FitResult:
    """What ``fit`` did: the loss before each epoch's update, and why it stopped."""

    losses: list[float] = field(default_factory=list)
    stopped: str = "epochs"  #: "epochs", "until_loss", "diverged" or "callback"
    problem: str | None = None  #: where a NaN/inf appeared, when ``stopped == "diverged"``

    @property
    def epochs(self) -> int:
        return len(self.losses)

    @property
    def final_loss(self) -> float:
        return self.losses[-1] if self.losses else math.nan


def batch_order(n: int, batch: int | None, epoch: int,
                seed: int | None) -> list[np.ndarray] | None:
    """The sample indices of each mini-batch of ``epoch``: a permutation of 0…n−1
    drawn from ``default_rng([seed, epoch])`` (so any epoch's order can be drawn
    again, which keeps rewind and replay exact), cut into ⌈n/B⌉ batches of B
    samples (the last one smaller when B does not divide n).  None means one
    full batch in the data's own order: ``batch`` None or ≥ n."""
    if batch is None or batch >= n:
        return None
    if batch < 1:
        raise ValueError(f"batch size must be a positive whole number, got {batch}")
    order = np.random.default_rng([0 if seed is None else seed, epoch]).permutation(n)
    return [order[i:i + batch] for i in range(0, n, batch)]


def _per_layer(hidden, n_hidden: int) -> list[Activation]:
    """``hidden`` (one activation, or a list with one per hidden layer) as a list of
    ``n_hidden`` activations; ValueError for a list of another length."""
    if isinstance(hidden, (str, Activation)):
        return [get_activation(hidden)] * n_hidden
    acts = [get_activation(h) for h in hidden]
    if len(acts) != n_hidden:
        raise ValueError(f"{len(acts)} hidden activations for {n_hidden} hidden layer"
                         f"{'' if n_hidden == 1 else 's'}: give one, or one per hidden layer")
    return acts


class NeuralNetwork:
    """A multilayer perceptron: ``layers[0]`` takes the input, ``layers[-1]`` gives ŷ."""

    def __init__(self, layers: Sequence[Layer], loss: Loss | str | None = None,
                 seed: int | None = None, optimizer: Optimizer | str | None = None,
                 weight_decay: float = 0.0, init: str = "default"):
        """``loss`` (name or object, default MSE), ``optimizer`` (default plain
        gradient descent; its state is (re)allocated for this net's θ unless it
        fits), ``weight_decay`` λ ≥ 0 (L2 on the weights, not the biases), and
        ``init``, the name of the scheme the weights came from (recorded only)."""
        if not layers:
            raise ValueError("a network needs at least one layer")
        for prev, nxt in zip(layers, layers[1:]):
            if prev.n_out != nxt.n_in:
                raise ValueError(f"layer sizes do not chain: {prev} then {nxt}")
        if len({layer.dtype for layer in layers}) != 1:
            raise ValueError("all layers must have the same dtype")
        self.layers = list(layers)
        self.loss = get_loss(loss)
        out = self.layers[-1].activation.name
        if self.loss.requires is not None and out != self.loss.requires:
            raise ValueError(f"loss {self.loss.name} needs a {self.loss.requires} output layer, "
                             f"not {out}")
        try:
            weight_decay = float(weight_decay)
        except OverflowError:  # an int past a float's range (10**400)
            weight_decay = math.inf
        if not (weight_decay >= 0 and math.isfinite(weight_decay)):
            raise ValueError(f"weight decay must be a finite number ≥ 0, got {weight_decay}")
        self.weight_decay = weight_decay
        self.init = init
        self.seed = seed
        self.optimizer = get_optimizer(optimizer)
        #: where each layer's W and b sit in θ (and in ∇θ and the optimizer's state)
        self.layout = ThetaLayout(tuple(layer.W.shape for layer in self.layers))
        self._index_cache: dict[tuple, np.ndarray] = {}
        self._pack()

    def _pack(self) -> None:
        """Put every layer's W and b into one flat vector ``theta`` and every dW, db
        into ``grad`` (same order: W₀, b₀, W₁, b₁, …); the layers keep views into
        them, so the update is a single vectorised operation for the whole net."""
        n = self.layout.size
        self.theta = np.empty(n, dtype=self.dtype)
        self.grad = np.empty(n, dtype=self.dtype)
        for layer, (W, b), (dW, db) in zip(self.layers, self.layout.split(self.theta),
                                           self.layout.split(self.grad)):
            layer.use_storage(W, b, dW, db)
        self.optimizer.bind(n, self.dtype)

    def _flat(self) -> tuple[np.ndarray, np.ndarray]:
        """``theta`` and ``grad``, after re-adopting any layer array that code
        replaced (``layer.W = …`` instead of writing into it breaks the link;
        its values are kept)."""
        theta, grad = self.theta, self.grad
        if not all(l.W.base is theta and l.b.base is theta and l.dW.base is grad
                   and l.db.base is grad for l in self.layers):
            self._pack()
        return self.theta, self.grad

    @classmethod
    def from_sizes(cls, sizes: Sequence[int],
                   hidden: Activation | str | Sequence[Activation | str] = "sigmoid",
                   output: Activation | str = "sigmoid", seed: int | None = 0,
                   dtype=np.float64, init: str = "default", sigma: float | None = None,
                   loss: Loss | str | None = None, optimizer: Optimizer | str | None = None,
                   weight_decay: float = 0.0) -> "NeuralNetwork":
        """Build a net such as ``[2, 2, 1]``: ``hidden`` activation on every hidden
        layer (or a list of them, one per hidden layer: ``["tanh", "relu"]`` for
        ``[2, 4, 4, 1]``), ``output`` on the last.  Weights are drawn from
        ``default_rng(seed)`` by the ``init`` scheme (nn/init.py; ``sigma`` for
        ``normal``; the default scheme follows each layer's activation); biases start
        at zero.  ``loss``, ``optimizer``, ``weight_decay``: see ``__init__``."""
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or any(s < 1 for s in sizes):
            raise ValueError(f"sizes must be two or more positive integers, got {sizes}")
        draw = get_init(init, **({} if sigma is None else {"sigma": sigma}))
        rng = np.random.default_rng(seed)
        hidden_acts = _per_layer(hidden, len(sizes) - 2)
        output_act = get_activation(output)
        layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
            act = output_act if i == len(sizes) - 2 else type(hidden_acts[i])()
            W = draw(n_in, n_out, act, rng, dtype)
            layers.append(Layer(W, np.zeros(n_out, dtype=dtype), act))
        name = (init or "default").lower()
        if name == "normal":
            name = f"normal(sigma={1.0 if sigma is None else sigma:g})"
        return cls(layers, seed=seed, loss=loss, optimizer=optimizer,
                   weight_decay=weight_decay, init=name)

    # ----------------------------------------------------------- description
    @property
    def sizes(self) -> list[int]:
        return [self.layers[0].n_in] + [layer.n_out for layer in self.layers]

    @property
    def activations(self) -> list[str]:
        return [layer.activation.name for layer in self.layers]

    @property
    def n_params(self) -> int:
        return self.layout.size

    @property
    def dtype(self) -> np.dtype:
        return self.layers[0].dtype

    def describe(self) -> str:
        """e.g. ``2–2–1 sigmoid/sigmoid``."""
        return architecture(self.sizes, self.activations)

    def __repr__(self) -> str:
        return f"NeuralNetwork({self.describe()}, params={self.n_params})"

    # ------------------------------------------------------------- the math
    def forward(self, X: np.ndarray) -> np.ndarray:
        """Forward pass, caching z and a in every layer; returns ŷ (N, n_out)."""
        a = X
        for layer in self.layers:
            a = layer.forward(a)
        return a

    def predict(self, X: np.ndarray) -> np.ndarray:
        """ŷ for ``X`` (N, n_in) without touching the layers' caches."""
        a = np.asarray(X, dtype=self.dtype)
        for layer in self.layers:
            a = layer.activation(np.dot(a, layer.W) + layer.b)
        return a

    def backward(self, dA: np.ndarray) -> None:
        """Backpropagate the loss's gradient (N, n_out) through the cached forward
        pass: ∂L/∂ŷ, or δ at the output when the loss is fused."""
        layers = self.layers
        decay = self.weight_decay
        i = len(layers) - 1
        layers[i].backward(dA, None, self.loss.fused, decay)
        while i:
            dA = layers[i].input_gradient()
            i -= 1
            layers[i].backward(dA, None, False, decay)

    def penalty(self) -> float:
        """The weight-decay term λ/2·Σ w² over every weight (biases excluded)."""
        if not self.weight_decay:
            return 0.0
        return 0.5 * self.weight_decay * sum(float(np.vdot(l.W, l.W)) for l in self.layers)

    def objective(self, X: np.ndarray, y: np.ndarray) -> float:
        """The loss ``train_step`` reports for (X, y) — data loss plus weight-decay
        penalty — without touching the layers' caches."""
        a, z = np.asarray(X, dtype=self.dtype), None
        for layer in self.layers:
            z = np.dot(a, layer.W) + layer.b
            a = layer.activation(z)
        return self.loss(a, y, z) + self.penalty()

    def update(self, lr: float) -> None:
        """The optimizer's step on all parameters at once (default θ ← θ − lr·∇θ)."""
        theta, grad = self._flat()
        self.optimizer.step(theta, grad, lr)

    def split(self, flat: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Views (W-shaped, b-shaped) per layer into any vector laid out as θ
        (θ, ∇θ, an optimizer's state)."""
        return self.layout.split(flat)

    def param_index(self, layer: int, cols: slice) -> np.ndarray:
        """Positions in θ (and every optimizer state vector) of the W columns and
        biases of neurons ``cols`` of ``layer``: one neuron's parameters."""
        js = range(self.layers[layer].n_out)[cols]
        key = (layer, js.start, js.stop)
        idx = self._index_cache.get(key)
        if idx is None:
            idx = self._index_cache[key] = self.layout.neuron_index(layer, js.start, js.stop)
        return idx

    def update_neurons(self, layer: int, cols: slice, lr: float) -> None:
        """The optimizer's step for neurons ``cols`` of ``layer`` only (the same
        formula as ``update``, on their entries of θ; the step count is advanced
        by ``optimizer.advance()`` once the whole net is updated)."""
        theta, grad = self._flat()
        self.optimizer.step(theta, grad, lr, self.param_index(layer, cols))

    def train_step(self, X: np.ndarray, y: np.ndarray, lr: float) -> float:
        """One full-batch training step; returns the loss *before* the update.

        If that loss is NaN or infinite the backward pass and update are
        skipped, so the parameters stay as they were (nothing is lost)."""
        y_hat = self.forward(X)
        loss, dL_dy_hat = self.loss.value_and_gradient(y_hat, y, self.layers[-1].z)
        if self.weight_decay:
            loss += self.penalty()
        if not math.isfinite(loss):
            return loss
        self.backward(dL_dy_hat)
        self.update(lr)
        return loss

    def train_epoch(self, X: np.ndarray, y: np.ndarray, lr: float, batch: int | None = None,
                    epoch: int = 0, guard: "FiniteGuard | None" = None
                    ) -> tuple[float, list[float], "NonFinite | None"]:
        """One epoch of mini-batch training: a ``train_step`` on each batch of
        :func:`batch_order` (one full-batch step when ``batch`` is None).  Returns
        the epoch's loss — the batch losses averaged with their sizes as weights —
        the batch losses, and the problem ``guard`` found (then the epoch stops at
        that batch, whose non-finite loss is returned)."""
        slices = batch_order(len(X), batch, epoch, self.seed)
        if slices is None:
            loss = self.train_step(X, y, lr)
            return loss, [loss], guard.after_step(loss, epoch) if guard is not None else None
        losses, total = [], 0.0
        for idx in slices:
            loss = self.train_step(X[idx], y[idx], lr)
            losses.append(loss)
            total += loss * len(idx)
            if guard is not None:
                problem = guard.after_step(loss, epoch)
                if problem is not None:
                    return loss, losses, problem
        return total / len(X), losses, None

    def fit(self, X: np.ndarray, y: np.ndarray, epochs: int, lr: float,
            until_loss: float | None = None,
            callback: Callable[[int, float], bool | None] | None = None,
            batch: int | None = None) -> FitResult:
        """Train for up to ``epochs`` epochs (full batch: one step each; with
        ``batch`` B, ⌈N/B⌉ steps over a seeded shuffle, see :meth:`train_epoch`;
        ``losses`` then holds each epoch's size-weighted mean batch loss).

        Stops early when a NaN/inf appears (``stopped="diverged"``, and
        ``problem`` says where: the loss, or a z/a of some neuron even while the
        loss stays finite, or a parameter after the update), when it falls to
        ``until_loss``, or when ``callback(epoch, loss)`` returns True.
        """
        X = np.asarray(X, dtype=self.dtype)
        y = np.asarray(y, dtype=self.dtype)
        result = FitResult()
        guard = FiniteGuard(self, X)
        for epoch in range(epochs):
            if batch is None:
                loss = self.train_step(X, y, lr)
                problem = guard.after_step(loss, epoch)
            else:
                loss, _, problem = self.train_epoch(X, y, lr, batch, epoch, guard)
            result.losses.append(loss)
            if problem is not None:
                result.stopped, result.problem = "diverged", problem.text
                break
            if until_loss is not None and loss <= until_loss:
                result.stopped = "until_loss"
                break
            if callback is not None and callback(epoch, loss):
                result.stopped = "callback"
                break
        return result

    # ------------------------------------------------------ copy / restore
    def get_params(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """A deep copy of every layer's (W, b)."""
        return [layer.copy_params() for layer in self.layers]

    def set_params(self, params: Sequence[tuple[np.ndarray, np.ndarray]]) -> None:
        """Restore parameters in place from ``get_params()`` output."""
        if len(params) != len(self.layers):
            raise ValueError("parameter list does not match the number of layers")
        for layer, (W, b) in zip(self.layers, params):
            if W.shape != layer.W.shape or b.shape != layer.b.shape:
                raise ValueError(f"parameter shapes {W.shape}, {b.shape} do not fit {layer}")
            layer.set_params(W, b)

    def copy(self, dtype=None) -> "NeuralNetwork":
        """An independent network with the same architecture and parameters
        (converted to ``dtype`` if given, e.g. float64 for a gradient check)."""
        dtype = self.dtype if dtype is None else dtype
        layers = [Layer(layer.W.astype(dtype), layer.b.astype(dtype), type(layer.activation)())
                  for layer in self.layers]
        return NeuralNetwork(layers, loss=self.loss, seed=self.seed,
                             optimizer=self.optimizer.copy(dtype), weight_decay=self.weight_decay,
                             init=self.init)

    def clone(self, memo: dict[int, np.ndarray] | None = None) -> "NeuralNetwork":
        """An independent network in exactly this state, for a fork: θ and ∇θ copied
        as two flat vectors (each layer's W, b, dW, db viewing into the copies as here),
        the layers' last pass x/z/a/δ/dA (through ``memo``: see :meth:`Layer.clone`)
        and the optimizer's state (:meth:`Optimizer.copy`).  Shared: the layout, the
        loss and the activations (stateless).  Unlike :meth:`copy`, which starts a
        fresh network from the parameters only, training the clone gives the very
        numbers this one would."""
        memo = {} if memo is None else memo
        theta, grad = self._flat()  # a layer array replaced by assignment is adopted first
        new = NeuralNetwork.__new__(NeuralNetwork)
        new.__dict__.update(self.__dict__)
        new.theta, new.grad = theta.copy(), grad.copy()
        new.layers = [layer.clone(W, b, dW, db, memo) for layer, (W, b), (dW, db) in
                      zip(self.layers, self.layout.split(new.theta),
                          self.layout.split(new.grad))]
        new.optimizer = self.optimizer.copy()
        new._index_cache = dict(self._index_cache)  # index arrays, never written
        return new

    def params_finite(self) -> bool:
        """Whether every weight and bias is a finite number (one pass over θ)."""
        return bool(np.isfinite(self._flat()[0]).all())


def architecture(sizes, activations) -> str:
    """A network of layer ``sizes`` and ``activations`` (names) as
    :meth:`NeuralNetwork.describe` writes it: ``2–2–1 sigmoid/sigmoid``."""
    return "–".join(map(str, sizes)) + " " + "/".join(activations)


# ------------------------------------------------------------- NaN/inf guard
def where(layer: int, neuron: int, sizes) -> str:
    """``h₂ (hidden layer 1)``: a neuron named as every screen names it."""
    return f"{neuron_name(layer, neuron, sizes)} ({layer_name(layer, len(sizes) - 1)})"


@dataclass
class NonFinite:
    """A NaN/inf found after a training step: the message and, when one neuron is
    to blame, its 0-based engine indices."""

    text: str
    layer: int | None = None
    neuron: int | None = None


def find_nonfinite(net: NeuralNetwork) -> tuple[str, int, int, int | None] | None:
    """The first NaN/inf among the layers' z, a (forward order), then W, b:
    (field, layer, neuron, input or None), or None if all are finite."""
    for l, layer in enumerate(net.layers):
        for name in ("z", "a"):
            bad = ~np.isfinite(getattr(layer, name))
            if bad.any():
                return name, l, int(np.flatnonzero(bad.any(axis=0))[0]), None
    for l, layer in enumerate(net.layers):
        bad = ~np.isfinite(layer.W)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            return "w", l, int(j), int(i)
        bad = ~np.isfinite(layer.b)
        if bad.any():
            return "b", l, int(np.flatnonzero(bad)[0]), None
    return None


def theta_limit(net: NeuralNetwork, x_max: float) -> float:
    """The largest m such that, with every |weight|, |bias| ≤ m and every input
    |x| ≤ ``x_max``, no z or a of a forward pass can overflow: |z| ≤ (n_in·B + 1)·m
    where B bounds the layer's input (1 after sigmoid/tanh, |z| after relu/identity).
    Found once by bisection on log₁₀ m; 0 if X itself is not finite."""
    big = float(np.finfo(net.dtype).max) / 1e3
    if not math.isfinite(x_max):
        return 0.0

    def safe(m: float) -> bool:
        bound = x_max
        for layer in net.layers:
            z = (layer.n_in * bound + 1.0) * m
            if not z < big:
                return False
            bound = 1.0 if layer.activation.name in ("sigmoid", "tanh", "softmax") else z
        return True

    lo, hi = -300.0, 300.0
    if not safe(10.0 ** lo):
        return 0.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if safe(10.0 ** mid) else (lo, mid)
    return 10.0 ** lo


class FiniteGuard:
    """Notices a NaN/inf after each ``train_step`` for about the cost of one pass
    over θ (≈1 µs): while max|θ| stays below :func:`theta_limit`, no z or a can
    overflow, so only the loss and θ need looking at; above it, every layer's z
    and a are scanned (one ``isfinite`` per array)."""

    def __init__(self, net: NeuralNetwork, X: np.ndarray):
        self.net = net
        self.limit = theta_limit(net, float(np.abs(X).max(initial=0.0)))
        self._buf = np.empty_like(net._flat()[0])
        self.restart()

    def restart(self) -> None:
        """Start checking from the current θ (call before a new run of steps)."""
        self._m = self._max_abs()  # max|θ| of the forward pass about to run

    def _max_abs(self) -> float:
        theta = self.net.theta  # train_step's update has re-adopted replaced arrays
        if self._buf.shape != theta.shape:
            self._buf = np.empty_like(theta)
        return float(np.maximum.reduce(np.abs(theta, out=self._buf)))

    def after_step(self, loss: float, epoch: int) -> NonFinite | None:
        """Check the step just taken in ``epoch``; None when everything is finite."""
        m_before, self._m = self._m, self._max_abs()
        if math.isfinite(loss) and m_before <= self.limit and self._m <= self.limit:
            return None
        return self.locate(loss, epoch)

    def locate(self, loss: float, epoch: int) -> NonFinite | None:
        """Say where the NaN/inf is (the slow path)."""
        net = self.net
        found = find_nonfinite(net)
        if found is not None and (found[0] in ("z", "a") or math.isfinite(loss)):
            name, l, j, i = found
            if name in ("z", "a"):
                return NonFinite(f"NaN/inf in {name} of {where(l, j, net.sizes)} during the "
                               f"forward pass of epoch {epoch}", l, j)
            param = weight_name(i) if name == "w" else "b"
            return NonFinite(f"NaN/inf in {param} of {where(l, j, net.sizes)} after the "
                           f"update of epoch {epoch}", l, j)
        if not math.isfinite(loss):
            return NonFinite(f"loss became {loss} in epoch {epoch}")
        return None
