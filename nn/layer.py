"""A fully connected layer: ``n_out`` neurons side by side.

Shapes (N = samples in the batch):

    x      (N, n_in)    the input the layer last saw
    W      (n_in, n_out) one column per neuron
    b      (n_out,)
    z      (N, n_out)   z = x W + b
    a      (N, n_out)   a = f(z)
    delta  (N, n_out)   δ = ∂L/∂z
    dW     (n_in, n_out) ∂L/∂W = xᵀ δ
    db     (n_out,)     ∂L/∂b = Σₙ δ

Every method takes an optional ``cols`` (a slice of neuron indices).  With
``cols=None`` the whole layer is computed at once (the fast path used by
``NeuralNetwork.train_step``); with a slice only those neurons are computed,
which is how the :class:`~nn.stepper.Stepper` goes one neuron at a time.
Both paths use the same formulas, and the parameter arrays are always updated
in place so that :class:`~nn.neuron.Neuron` views stay attached.

Softmax (not element-wise: a neuron's a needs the whole layer's z) on the
column path: each slice computes its own z; the whole layer's a is computed
when the slice holding the last neuron runs, i.e. once every z of this pass
is known (until then ``a`` holds the previous pass's values).  Its backward
takes the whole-row Jacobian product and keeps the slice's columns.
"""
from __future__ import annotations

import numpy as np

from .activations import Activation, get_activation
from .neuron import Neuron


def copy_once(a: np.ndarray, memo: dict[int, np.ndarray]) -> np.ndarray:
    """``a``'s copy in ``memo`` (id → copy), made on first sight: arrays shared between
    owners stay shared in the copy.  An array put in ``memo`` as itself is not copied."""
    new = memo.get(id(a))
    if new is None:
        new = memo[id(a)] = a.copy()
    return new


class Layer:
    """Weights, biases, gradients and the last forward/backward values of one layer."""

    def __init__(self, W: np.ndarray, b: np.ndarray, activation: Activation | str):
        W = np.ascontiguousarray(W)
        b = np.ascontiguousarray(b, dtype=W.dtype)
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ValueError(f"W must be (n_in, n_out) and b (n_out,); got {W.shape} and {b.shape}")
        self.W = W
        self.b = b
        self.activation = get_activation(activation)
        self.dW = np.zeros_like(W)
        self.db = np.zeros_like(b)
        self._ones_cache = np.ones(0, dtype=W.dtype)
        self.clear()  # sets x, z, a, delta and dA (∂L/∂a, set by backward) to empty

    # ------------------------------------------------------------------ shape
    @property
    def n_in(self) -> int:
        return self.W.shape[0]

    @property
    def n_out(self) -> int:
        return self.W.shape[1]

    @property
    def dtype(self) -> np.dtype:
        return self.W.dtype

    @property
    def neurons(self) -> list[Neuron]:
        """One :class:`Neuron` view per output; cheap to create, never copies."""
        return [Neuron(self, j) for j in range(self.n_out)]

    def __len__(self) -> int:
        return self.n_out

    def __repr__(self) -> str:
        return f"Layer({self.n_in}→{self.n_out}, {self.activation.name})"

    # ---------------------------------------------------------------- forward
    def forward(self, x: np.ndarray, cols: slice | None = None) -> np.ndarray:
        """Compute z = xW + b and a = f(z) for ``cols`` (default all); returns ``a`` (N, n_out)."""
        if cols is None:
            self.x = x
            self.z = np.dot(x, self.W)
            self.z += self.b
            self.a = self.activation(self.z)
            return self.a
        if self.x is not x or self.z.shape[0] != x.shape[0]:
            self._start_batch(x)
        z = np.dot(x, self.W[:, cols]) + self.b[cols]
        self.z[:, cols] = z
        if self.activation.elementwise:
            self.a[:, cols] = self.activation(z)
        elif self.completes(cols):  # softmax: the last z is in, a for the whole layer
            self.a[...] = self.activation(self.z)
        return self.a

    def completes(self, cols: slice) -> bool:
        """Whether ``cols`` holds the layer's last neuron (the column path runs in order)."""
        return range(self.n_out)[cols].stop == self.n_out

    def _start_batch(self, x: np.ndarray) -> None:
        """Prepare z and a buffers for a column-by-column forward pass over x."""
        self.x = x
        shape = (x.shape[0], self.n_out)
        if self.z.shape != shape or not self.z.flags.writeable:
            self.z = np.zeros(shape, dtype=self.dtype)
            self.a = np.zeros(shape, dtype=self.dtype)

    # --------------------------------------------------------------- backward
    def backward(self, dA: np.ndarray, cols: slice | None = None, fused: bool = False,
                 decay: float = 0.0) -> None:
        """Given ∂L/∂a (N, n_out), compute δ, dW and db for ``cols`` (default all).

        ``fused``: ``dA`` is δ itself (a fused loss at the output layer gives
        ∂L/∂z directly).  ``decay`` λ adds the weight-decay gradient: dW += λ·W."""
        if cols is None:
            self.dA = dA
            self.delta = dA if fused else self.activation.delta(dA, self.z, self.a)
            np.dot(self.x.T, self.delta, out=self.dW)
            np.dot(self._ones(len(dA)), self.delta, out=self.db)  # Σₙ δ, via BLAS
            if decay:
                self.dW += decay * self.W
            return
        if self.dA is not dA:
            self.dA = dA
            if self.delta.shape != dA.shape:
                self.delta = np.zeros(dA.shape, dtype=self.dtype)
        if fused:
            delta = dA[:, cols].copy()
        elif self.activation.elementwise:
            delta = self.activation.delta(dA[:, cols], self.z[:, cols], self.a[:, cols])
        else:  # softmax: δₖ needs Σⱼ dAⱼ·aⱼ over the whole row
            delta = self.activation.delta(dA, self.z, self.a)[:, cols]
        self.delta[:, cols] = delta
        self.dW[:, cols] = np.dot(self.x.T, delta)
        if decay:
            self.dW[:, cols] += decay * self.W[:, cols]
        self.db[cols] = delta.sum(axis=0)

    def _ones(self, n: int) -> np.ndarray:
        """A cached vector of n ones: ones·δ sums over samples several times
        faster than ``δ.sum(axis=0)`` for the small, wide arrays here."""
        if self._ones_cache.shape[0] != n:
            self._ones_cache = np.ones(n, dtype=self.dtype)
        return self._ones_cache

    def input_gradient(self) -> np.ndarray:
        """∂L/∂x = δ Wᵀ, shape (N, n_in): the dA of the layer before this one."""
        return np.dot(self.delta, self.W.T)

    # ------------------------------------------------------------------ reset
    def clear(self) -> None:
        """Forget gradients and the last pass (as before any training)."""
        self.dW[...] = 0
        self.db[...] = 0
        empty = np.zeros((0, self.n_out), dtype=self.dtype)
        self.x = np.zeros((0, self.n_in), dtype=self.dtype)
        self.z, self.a, self.delta, self.dA = empty, empty.copy(), empty.copy(), empty.copy()

    # ------------------------------------------------------------ parameters
    def use_storage(self, W: np.ndarray, b: np.ndarray, dW: np.ndarray, db: np.ndarray) -> None:
        """Keep W, b, dW, db in the given arrays from now on (the network passes
        views into its flat parameter and gradient vectors), copying the values."""
        for name, new in (("W", W), ("b", b), ("dW", dW), ("db", db)):
            new[...] = getattr(self, name)
            setattr(self, name, new)

    def clone(self, W: np.ndarray, b: np.ndarray, dW: np.ndarray, db: np.ndarray,
              memo: dict[int, np.ndarray]) -> "Layer":
        """An independent layer in exactly this state, keeping its parameters and
        gradients in the given arrays (the network's views into its copied θ and ∇θ,
        already holding the values).  Its last pass x/z/a/δ/dA is copied through
        ``memo`` (id → copy, shared by every owner the caller copies): an array two
        owners hold (layer l's a is layer l+1's x; a layer's dA the stepper's pending
        ∂L/∂a) is copied once and stays shared, and an array the caller put in
        ``memo`` as itself (the data X, never written) is kept by reference.  The
        activation is stateless and the cached ones vector never written: shared."""
        new = Layer.__new__(Layer)
        new.__dict__.update(self.__dict__, W=W, b=b, dW=dW, db=db,
                            x=copy_once(self.x, memo), z=copy_once(self.z, memo),
                            a=copy_once(self.a, memo), delta=copy_once(self.delta, memo),
                            dA=copy_once(self.dA, memo))
        return new

    def copy_params(self) -> tuple[np.ndarray, np.ndarray]:
        return self.W.copy(), self.b.copy()

    def set_params(self, W: np.ndarray, b: np.ndarray) -> None:
        """Overwrite parameters in place (keeps Neuron views attached)."""
        self.W[...] = W
        self.b[...] = b
