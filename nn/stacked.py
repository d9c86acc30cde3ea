"""Many networks of one architecture, trained together in one NumPy pass.

A sweep trains R runs (seeds × learning rates) of the same architecture.
Instead of R separate ``train_step`` calls, every layer keeps its R weight
matrices in one stack with a leading *run* axis, and each step of the
algorithm is one NumPy call for all runs:

    W      (R, n_in, n_out)   b   (R, 1, n_out)
    a, z   (R, N, n_out)      ŷ   (R, N, K)         X (N, n_in) is shared
    δ      (R, N, n_out)      dW  (R, n_in, n_out)  db (R, 1, n_out)

The formulas are not written again: the activations' own ``__call__`` and
``delta`` (nn/activations.py; element-wise or, for softmax, over the last
axis, so any leading shape), the loss's own ``per_run`` (nn/losses.py: values
over the last two axes, the gradient or fused δ with one run's factor) and
the optimizer's own ``_update`` formula (gradient descent, with a column of
learning rates) are used; only the products become stacked (``np.matmul``
over the run axis).  Weight decay λ adds λ·W to dW and λ/2·Σw² to each run's
loss, as in ``NeuralNetwork``.  The runs share one optimizer (any of nn/optimizers.py:
gradient descent, momentum, Nesterov, Adam, RMSProp …): its ``_update`` runs once on the
stacked θ (R, P) with state vectors (R, P), so the formula has one home.  Run r
of a stack gives the same parameters as ``NeuralNetwork.train_step`` on run r alone,
bit for bit (tested): ``np.matmul`` over the run axis makes the very BLAS call a
single run makes, and every other step is element-wise.  Keep it so: a product
rounded another way (say, the bias folded into [X | 1]·[W; b]) is invisible after
one step but, on XOR at lr 10, leaves some runs 0.2 apart after 5000 epochs, and
a sweep's run would no longer be the run the debugger opens.

A run whose loss becomes NaN/inf is *frozen*: like ``train_step`` it gets no
update from then on, keeps its last finite parameters (and optimizer state),
and cannot touch the other runs (no operation mixes runs).
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .activations import Activation
from .layer import Layer
from .network import NeuralNetwork, batch_order
from .optimizers import Optimizer


class StackedNetwork:
    """R networks of the same architecture, each with its own learning rate."""

    def __init__(self, nets: Sequence[NeuralNetwork], lrs: Sequence[float] | float):
        nets = list(nets)
        if not nets:
            raise ValueError("a stack needs at least one network")
        first = nets[0]
        for net in nets[1:]:
            if net.sizes != first.sizes or net.activations != first.activations:
                raise ValueError(f"all networks must share one architecture: "
                                 f"{first.describe()} and {net.describe()}")
            if net.dtype != first.dtype:
                raise ValueError("all networks must have the same dtype")
        self.R = len(nets)
        self.sizes = first.sizes
        self.activations: list[Activation] = [type(l.activation)() for l in first.layers]
        self.loss = first.loss
        self.weight_decay = first.weight_decay
        for net in nets:
            if net.loss != first.loss or net.weight_decay != first.weight_decay:
                raise ValueError("all networks must share one loss and weight decay")
            if (type(net.optimizer), net.optimizer.hyper, net.optimizer.t) != \
                    (type(first.optimizer), first.optimizer.hyper, first.optimizer.t):
                raise ValueError(f"all networks must share one optimizer and step count: "
                                 f"{first.optimizer.describe()} and {net.optimizer.describe()}")
        #: the shared optimizer: its formula, hyper-parameters and step count t;
        #: its state vectors are stacked (R, P) in ``state``
        self.optimizer: Optimizer = first.optimizer.copy()
        self.optimizer.state = {}
        self.dtype = first.dtype
        self.seeds = [net.seed for net in nets]
        self.lr = np.broadcast_to(np.asarray(lrs, dtype=self.dtype), (self.R,)).copy()
        self._lr_column = self.lr[:, None]
        # θ (R, P) and its gradient; every W, b, dW, db is a view into them,
        # so the update is one operation for all layers of all runs.
        self.theta = np.stack([net._flat()[0] for net in nets])
        self.grad = np.zeros_like(self.theta)
        self.state = {slot: np.stack([net.optimizer.state[slot] for net in nets])
                      for slot in self.optimizer.slots}
        #: the optimizer's step count t when each run froze (−1: not frozen)
        self.frozen_t = np.full(self.R, -1)
        # per layer W (R, n_in, n_out) and b (R, 1, n_out): views into θ and ∇θ (nn.layout)
        params = [(W, b[:, None, :]) for W, b in first.layout.split(self.theta)]
        grads = [(W, b[:, None, :]) for W, b in first.layout.split(self.grad)]
        self.W, self.b = [W for W, _ in params], [b for _, b in params]
        self.dW, self.db = [W for W, _ in grads], [b for _, b in grads]
        self.frozen = np.zeros(self.R, dtype=bool)  #: runs whose loss went NaN/inf

    @classmethod
    def from_seeds(cls, sizes: Sequence[int], hidden: str, output: str,
                   seeds: Sequence[int], lrs: Sequence[float] | float,
                   inits: Sequence[str] | str = "default",
                   sigmas: Sequence[float | None] | float | None = None) -> "StackedNetwork":
        """Run r is ``NeuralNetwork.from_sizes(sizes, hidden, output, seed=seeds[r],
        init=inits[r], sigma=sigmas[r])`` trained with ``lrs[r]``: its initial weights
        are drawn by that very call (one init and σ may stand for every run)."""
        R = len(seeds)
        inits = [inits] * R if isinstance(inits, str) else list(inits)
        sigmas = list(sigmas) if isinstance(sigmas, (list, tuple)) else [sigmas] * R
        if not len(inits) == len(sigmas) == R:
            raise ValueError(f"{R} seeds need {R} inits and σs, "
                             f"got {len(inits)} and {len(sigmas)}")
        nets = [NeuralNetwork.from_sizes(sizes, hidden, output, seed=s, init=i, sigma=sg)
                for s, i, sg in zip(seeds, inits, sigmas)]
        return cls(nets, lrs)

    def __len__(self) -> int:
        return self.R

    # ------------------------------------------------------------- the math
    def forward(self, X: np.ndarray) -> list[np.ndarray]:
        """Forward pass for all runs; returns the activations [X, a¹, …, ŷ]
        (X as given, each aˡ (R, N, n_out)) and keeps z for the backward pass."""
        a = X
        acts, self._z = [X], []
        for W, b, f in zip(self.W, self.b, self.activations):
            z = np.matmul(a, W)
            z += b
            a = f(z)
            self._z.append(z)
            acts.append(a)
        return acts

    def predict(self, X: np.ndarray) -> np.ndarray:
        """ŷ (R, N, K) for X (N, n_in), without keeping anything."""
        a = np.asarray(X, dtype=self.dtype)
        with np.errstate(all="ignore"):  # frozen runs may hold huge weights
            for W, b, f in zip(self.W, self.b, self.activations):
                a = f(np.matmul(a, W) + b)
        return a

    def backward(self, acts: list[np.ndarray], dA: np.ndarray) -> None:
        """Backpropagate ∂L/∂ŷ (R, N, K) — δ itself for a fused loss — for all runs
        into ``grad`` (dW, db)."""
        last = len(self.W) - 1
        for l in range(last, -1, -1):
            if l == last and self.loss.fused:
                delta = dA
            else:
                delta = self.activations[l].delta(dA, self._z[l], acts[l + 1])
            np.matmul(np.swapaxes(acts[l], -1, -2), delta, out=self.dW[l])
            if self.weight_decay:
                self.dW[l] += self.weight_decay * self.W[l]
            np.matmul(self._ones(delta.shape[-2]), delta, out=self.db[l])  # Σₙ δ via BLAS
            if l:
                Wt = np.swapaxes(self.W[l], -1, -2)
                # with one output, δ Wᵀ is an outer product: a broadcast multiply
                # gives the same numbers without matmul's slow k = 1 path
                dA = delta * Wt if delta.shape[-1] == 1 else np.matmul(delta, Wt)

    def _ones(self, n: int) -> np.ndarray:
        """A cached (1, n) row of ones: ones·δ sums over samples with BLAS."""
        if getattr(self, "_ones_row", None) is None or self._ones_row.shape[1] != n:
            self._ones_row = np.ones((1, n), dtype=self.dtype)
        return self._ones_row

    def update(self, any_frozen: bool = True) -> None:
        """The optimizer's update (θ ← θ − lr·∇θ for gradient descent) for every
        run at once, each with its own lr; frozen runs do not move."""
        frozen = np.flatnonzero(self.frozen) if any_frozen else ()
        if len(frozen):  # momentum and Adam would move them on their state alone
            keep = [self.theta[frozen]] + [v[frozen] for v in self.state.values()]
        self.optimizer.t += 1
        self.optimizer._update(self.theta, self.grad, self._lr_column, self.optimizer.t,
                               self.state)
        if len(frozen):
            for target, saved in zip([self.theta, *self.state.values()], keep):
                target[frozen] = saved

    @property
    def steps(self) -> np.ndarray:
        """Updates each run has had (R,): a frozen run stopped counting."""
        return np.where(self.frozen, self.frozen_t, self.optimizer.t)

    def train_step(self, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One full-batch step for every run.  Returns the loss per run (R,)
        *before* the update and ŷ (R, N, K), the prediction it was computed from.

        Runs whose loss is NaN/inf are frozen (as ``train_step`` skips the update)."""
        with np.errstate(all="ignore"):
            acts = self.forward(X)
            losses, dL = self.loss.per_run(acts[-1], y, self._z[-1])
            if self.weight_decay:
                losses = losses + 0.5 * self.weight_decay * sum(
                    np.einsum("rij,rij->r", W, W) for W in self.W)
            bad = ~np.isfinite(losses)
            any_frozen = bool(self.frozen.any())
            if bad.any():
                self.frozen_t[bad & ~self.frozen] = self.optimizer.t
                self.frozen |= bad
                any_frozen = True
            self.backward(acts, dL)
            if any_frozen:
                self.grad[self.frozen] = 0.0
            self.update(any_frozen)
        return losses, acts[-1]

    def train_epoch(self, X: np.ndarray, y: np.ndarray, batch: int, epoch: int
                    ) -> tuple[np.ndarray, np.ndarray]:
        """One epoch of mini-batches for every run, each in its own network's order
        (:func:`nn.network.batch_order` with run r's seed), as ``NeuralNetwork.train_epoch``
        takes them: batch k of every run is gathered into (R, B, n_in) and stepped at once.
        Returns the epoch loss per run (R,) — the batch losses weighted by their sizes —
        and ŷ (R, N, K) of the whole data with the parameters after the epoch."""
        orders = [batch_order(len(X), batch, epoch, seed) for seed in self.seeds]
        if orders[0] is None:
            return self.train_step(X, y)
        total = np.zeros(self.R, dtype=self.dtype)
        for k in range(len(orders[0])):
            idx = np.stack([order[k] for order in orders])     # (R, B)
            losses, _ = self.train_step(X[idx], y[idx])
            total += losses * idx.shape[1]
        return total / len(X), self.predict(X)

    def block(self, start: int, stop: int) -> "StackedNetwork":
        """Runs ``start:stop`` as a stack of their own that shares this one's
        storage (training the block trains those runs of this stack)."""
        blk = object.__new__(StackedNetwork)
        blk.__dict__.update(self.__dict__)
        rows = slice(start, stop)
        blk.R = len(range(self.R)[rows])
        blk.seeds = self.seeds[rows]
        blk.theta, blk.grad = self.theta[rows], self.grad[rows]
        blk.lr, blk._lr_column, blk.frozen = self.lr[rows], self._lr_column[rows], self.frozen[rows]
        blk.state = {k: v[rows] for k, v in self.state.items()}
        blk.frozen_t, blk.optimizer = self.frozen_t[rows], self.optimizer.copy()
        blk.W, blk.b = [W[rows] for W in self.W], [b[rows] for b in self.b]
        blk.dW, blk.db = [W[rows] for W in self.dW], [b[rows] for b in self.db]
        blk._ones_row = None
        return blk

    def block_size(self, samples: int, cache_bytes: int = 256 * 1024) -> int:
        """How many runs to train together so that one layer's activations
        (runs × samples × widest layer) stay within ``cache_bytes``: past the
        CPU cache, element-wise passes get slower per element than one run's."""
        per_run = samples * max(self.sizes) * self.theta.itemsize
        return max(1, min(self.R, cache_bytes // max(per_run, 1)))

    def fit(self, X: np.ndarray, y: np.ndarray, epochs: int,
            check: Callable[["StackedNetwork", np.ndarray], np.ndarray] | None = None,
            check_every: int = 10, block: int | None = None,
            callback: Callable[[int], None] | None = None,
            batch: int | None = None) -> "StackedFit":
        """Train every run for ``epochs`` steps, ``block`` runs at a time
        (default: :meth:`block_size`).

        ``check(stack, y_hat)`` → bool (R,) says which runs of ``stack`` meet the
        success criterion with the parameters after ``e`` updates (``y_hat`` is
        their prediction of ``X``); it is called every ``check_every`` epochs and
        after the last update.  ``callback(done)`` gets the run-epochs done so far
        (out of R·epochs), every ``check_every`` epochs, for a progress bar.  ``batch``:
        mini-batches of that size (:meth:`train_epoch`; then ``y_hat`` in ``check`` is
        the prediction after the epoch), else one full-batch step per epoch."""
        X = np.asarray(X, dtype=self.dtype)
        y = np.asarray(y, dtype=self.dtype)
        block = block or self.block_size(X.shape[-2])
        losses = np.full((self.R, epochs), np.nan, dtype=self.dtype)
        first = np.full(self.R, -1, dtype=np.int64)
        final_ok = np.zeros(self.R, dtype=bool)
        for start in range(0, self.R, block):
            stop = min(start + block, self.R)
            blk = self.block(start, stop)
            done_before = start * epochs
            for epoch in range(epochs):
                loss, y_hat = (blk.train_step(X, y) if batch is None
                               else blk.train_epoch(X, y, batch, epoch))
                losses[start:stop, epoch] = loss
                if epoch % check_every == 0:
                    if check is not None:  # (frozen runs may overflow: quietly)
                        with np.errstate(all="ignore"):
                            ok = check(blk, y_hat) & ~blk.frozen & (first[start:stop] < 0)
                        first[start:stop][ok] = epoch
                    if callback is not None:
                        callback(done_before + epoch * blk.R)
            last_t = blk.optimizer.t
            if check is not None:
                with np.errstate(all="ignore"):
                    ok = check(blk, blk.predict(X)) & ~blk.frozen
                final_ok[start:stop] = ok
                first[start:stop][ok & (first[start:stop] < 0)] = epochs
        self.optimizer.t = last_t  # every block took the same steps
        if callback is not None:
            callback(self.R * epochs)
        # a frozen run stops where its loss stopped being finite, as fit() does
        diverged_at = np.where(self.frozen, np.argmin(np.isfinite(losses), axis=1), -1)
        for r in np.flatnonzero(self.frozen):
            losses[r, diverged_at[r] + 1:] = np.nan
        return StackedFit(losses, first, final_ok, self.frozen.copy(), diverged_at)

    # ------------------------------------------------------------- one run
    def network(self, r: int) -> NeuralNetwork:
        """Run ``r`` as an ordinary, independent ``NeuralNetwork`` (a copy)."""
        layers = [Layer(W[r].copy(), b[r, 0].copy(), type(f)())
                  for W, b, f in zip(self.W, self.b, self.activations)]
        optimizer = type(self.optimizer)(**self.optimizer.hyper)
        optimizer.state = {k: v[r].copy() for k, v in self.state.items()}
        optimizer.t = int(self.steps[r])
        return NeuralNetwork(layers, loss=self.loss, seed=self.seeds[r],
                             weight_decay=self.weight_decay, optimizer=optimizer)


class StackedFit:
    """What ``StackedNetwork.fit`` did, per run.

    - ``losses`` (R, epochs): the loss before each update (NaN after a run froze)
    - ``first_success`` (R,): first checked epoch (updates done) at which the run
      met the criterion, ``-1`` if never
    - ``success`` (R,): whether it meets it at the end
    - ``diverged`` (R,), ``diverged_at`` (R,): frozen runs and the epoch whose
      loss was NaN/inf (``-1`` if none)
    """

    def __init__(self, losses, first_success, success, diverged, diverged_at):
        self.losses = losses
        self.first_success = first_success
        self.success = success
        self.diverged = diverged
        self.diverged_at = diverged_at

    @property
    def epochs(self) -> np.ndarray:
        """Epochs each run recorded (R,), as ``FitResult.epochs``: a diverged run
        stops at the epoch whose loss was NaN/inf."""
        return np.where(self.diverged, self.diverged_at + 1, self.losses.shape[1])

    @property
    def final_loss(self) -> np.ndarray:
        """The last recorded loss per run (R,), as ``FitResult.final_loss``
        (NaN/inf for a diverged run)."""
        return self.losses[np.arange(len(self.losses)), self.epochs - 1]


def estimate_bytes(sizes: Sequence[int], runs: int, samples: int, epochs: int,
                   extra_samples: int = 0, itemsize: int = 8) -> int:
    """Rough peak memory of training ``runs`` stacked nets: parameters and
    gradients (with the update's temporary), per-sample z/a/δ/∂L/∂a for each
    layer, the loss history (R, epochs), and a forward pass over ``extra_samples``
    (e.g. a held-out grid)."""
    params = sum(a * b + b for a, b in zip(sizes, sizes[1:]))
    width = sum(sizes[1:]) + max(sizes)
    per_run = (3 * params + 5 * samples * width + 2 * extra_samples * max(sizes) + epochs)
    return int(per_run * runs * itemsize)
