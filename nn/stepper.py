"""Stepper: train a network one neuron, layer, phase or epoch at a time.

An epoch is a fixed sequence of *units*, once per mini-batch (one batch of
all samples by default)::

    forward   (layer 0, neuron 0) … (layer L-1, last neuron)
    loss      one unit
    backward  (layer L-1, neuron 0) … (layer 0, last neuron)
    update    (layer 0, neuron 0) … (layer L-1, last neuron)

With ``batch=B`` an epoch is ⌈N/B⌉ such batches over a shuffle of the samples
drawn again from (seed, epoch) (:func:`~nn.network.batch_order`), so rewind
and replay stay exact; the granularity ``batch`` steps one whole batch.
``losses`` then holds each epoch's loss (the batch losses averaged, weighted
by batch size) and ``batch_losses`` every batch's own loss (noisy).  Each
batch's update is one optimizer step.

``step(granularity)`` runs units from the cursor up to the next boundary of
that granularity and returns one :class:`StepEvent` per (phase, layer) run,
holding copies of what was computed.  Consecutive units of one layer run as a
single column slice through the same :class:`~nn.layer.Layer` methods that
``NeuralNetwork.train_step`` uses, so any mix of steps that completes an epoch
leaves the parameters equal (to rounding, ≤1e-12 in float64) to one
``train_step`` — the tests check this.

Non-finite numbers never raise: the step that produced them returns an event
whose ``problem`` says where (named as on screen, e.g. "NaN/inf in z of h₂
(hidden layer 1) during the forward pass of epoch 3"; ``problem_layer`` and
``problem_neuron`` give the 0-based engine indices), and the stepper halts
(``halted``) until ``reset``.  Playing (``run_epochs``) notices a NaN/inf in any
layer's z or a too, even while the loss stays finite.

Memory bounds (what a long session keeps; none grows with epochs played):

* ``losses``, a :class:`~nn.history.LossHistory`: the last 2¹⁶ epochs exactly,
  older ones as min/max of at most 1024 bins — ≈ 545 KiB, fixed; its
  ``envelope(240)`` for the chart reads ≤ 3 000 numbers (≈ 30 µs) at any length;
* recent steps, for ``back``: a full copy of the state before each step
  (parameters, gradients, the layers' x/z/a/δ/dA, the changes, the events of
  the step before: every array counted, X shared, not copied), newest last, in
  at most ``undo_bytes`` (32 MiB by default; XOR 2–2–1 ≈ 5 700 steps, where
  Python object headers are most of a state; regression 2–16–1 on 400 points
  ≈ 150).  A state larger than the whole budget (big data sets) is not kept:
  going back then replays from the epoch's start;
* every epoch: θ (the flat parameter vector) at its start, in one ring array
  of ``history_depth × n_params × itemsize`` bytes, preallocated; by default the
  depth keeps this under ``history_bytes`` (32 MiB: XOR ≈ 466 000 epochs,
  regression 2–16–1 ≈ 64 000).  Going back past the recent steps restores these
  parameters exactly and recomputes the rest by replaying the epoch before;
* besides: the network's own arrays and ``last_events`` (copies of the last
  step's values, about the size of one layer's x/z/a/δ).
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from enum import Enum
from typing import Iterable

import numpy as np

from .breakpoints import Breakpoints, Stop
from .history import LossHistory
from .network import FiniteGuard, NeuralNetwork, batch_order, where
from .timeline import EpochSnapshots, StepperState, capture, restore


class Phase(str, Enum):
    FORWARD = "forward"
    LOSS = "loss"
    BACKWARD = "backward"
    UPDATE = "update"


class Granularity(str, Enum):
    NEURON = "neuron"
    LAYER = "layer"
    PHASE = "phase"
    BATCH = "batch"    #: one mini-batch: forward, loss, backward and update (= an epoch
    EPOCH = "epoch"    #: when the whole data set is one batch)

    def next(self) -> "Granularity":
        members = list(Granularity)
        return members[(members.index(self) + 1) % len(members)]


#: The mini-batch step (between phase and epoch).
BATCH = Granularity.BATCH


def as_granularity(value) -> Granularity:
    """The Granularity named ``value`` (``"batch"`` included)."""
    return Granularity(value)


@dataclass(frozen=True)
class Unit:
    """One indivisible piece of an epoch. ``layer``/``neuron`` are None for the loss;
    ``batch`` is the mini-batch (0-based) it belongs to."""

    phase: Phase
    layer: int | None
    neuron: int | None
    batch: int = 0


@dataclass
class StepEvent:
    """What one step computed, for one layer (or the loss).

    ``neurons`` is the half-open range (start, stop) of neuron indices that
    were computed.  ``values`` holds copies; keys by phase (k = stop - start):

    forward   x (N, n_in), w (n_in, k), b (k,), z (N, k), a (N, k); for softmax
              (not element-wise) ``a`` only once the layer's last z is known
              (``a_pending`` True before that, and no ``a``)
    loss      y_hat (N, K), y (N, K), loss (float: data loss + penalty), scale (float:
              the gradient's factor, 2/(N·K) for MSE), dL_dyhat (N, K): what
              backprop starts from — ∂L/∂ŷ, or for a fused loss δ = ∂L/∂z
              (``gradient_of`` "y_hat" or "z"); loss_name, loss_title, fused,
              equations (the loss's own, as text), data_loss, penalty (λ/2·Σw²),
              weight_decay (λ)
    backward  dA (N, k), fprime (N, k), delta (N, k), x (N, n_in), dw (n_in, k), db (k,);
              for a hidden layer also next_delta (N, n_next) and next_w (k, n_next),
              so that dA = next_delta · next_wᵀ can be shown term by term.
              Single-neuron steps add the per-sample terms: dw_terms (N, n_in)
              = x·δ (summed over samples they give dw − decay_w) and, for a hidden
              neuron, dA_terms (N, n_next) = next_delta·next_w.  ``fused`` True at
              the output of a fused loss (then dA is δ and fprime is 1);
              weight_decay λ and decay_w = λ·w (n_in, k), the part of dw it adds;
              for softmax without a fused loss (δ is not dA·f' there) row_sum (N, 1)
              = Σⱼ dAⱼ·aⱼ, so that δ = a·(dA − row_sum)
    update    lr, w_before, w_after (n_in, k), b_before, b_after (k,), dw, db,
              change_w = w_after − w_before, change_b; optimizer (name), hyper
              (dict), t (the step count this update uses); per state slot s of the
              optimizer (momentum: v; adam: m, v): s_w_before, s_w_after (n_in, k),
              s_b_before, s_b_after (k,)
    """

    epoch: int
    phase: Phase
    layer: int | None
    neurons: tuple[int, int] | None
    values: dict[str, np.ndarray | float] = field(default_factory=dict)
    problem: str | None = None         #: where a NaN/inf appeared (text to show)
    problem_layer: int | None = None   #: … and in which neuron (0-based engine indices;
    problem_neuron: int | None = None  #: None for the loss or a whole-layer problem)
    batch: int = 0                     #: the mini-batch (0-based) the step belongs to

    @property
    def is_single_neuron(self) -> bool:
        return self.neurons is not None and self.neurons[1] - self.neurons[0] == 1


def build_units(net: NeuralNetwork, n_batches: int = 1) -> list[Unit]:
    """The fixed order of units in one epoch for ``net`` (``n_batches`` mini-batches)."""
    order = range(len(net.layers))
    units = []
    for k in range(n_batches):
        units += [Unit(Phase.FORWARD, l, j, k) for l in order for j in range(net.layers[l].n_out)]
        units.append(Unit(Phase.LOSS, None, None, k))
        units += [Unit(Phase.BACKWARD, l, j, k) for l in reversed(order)
                  for j in range(net.layers[l].n_out)]
        units += [Unit(Phase.UPDATE, l, j, k) for l in order for j in range(net.layers[l].n_out)]
    return units


#: how event fields and phases are named in messages
FIELD_NAMES = {"z": "z", "a": "a", "delta": "δ", "dw": "dw", "db": "db",
               "w_after": "w", "b_after": "b"}
PHASE_NAMES = {Phase.FORWARD: "forward pass", Phase.BACKWARD: "backward pass",
               Phase.UPDATE: "update"}


def _nonfinite(values: Iterable) -> bool:
    return any(not np.isfinite(v).all() for v in values)


class _Recent:
    """The losses as breakpoints read them while ``run_epochs`` plays: the history's
    recorded epochs followed by this chunk's (``[-1]``, ``[-2]`` … across both)."""

    def __init__(self, history: LossHistory, chunk: list[float]):
        self.history, self.chunk = history, chunk

    def __getitem__(self, i: int) -> float:
        if i >= 0:
            raise IndexError("read from the end")
        if -i <= len(self.chunk):
            return self.chunk[i]
        return self.history[i + len(self.chunk)]


class Stepper:
    """Drives ``net`` on data ``X`` (N, n_in), ``y`` (N, n_out) with learning rate ``lr``
    (and mini-batches of ``batch`` samples; None, or ≥ N, is full batch)."""

    def __init__(self, net: NeuralNetwork, X: np.ndarray, y: np.ndarray, lr: float,
                 history_depth: int | None = None, history_bytes: int = 32 * 2**20,
                 undo_bytes: int = 32 * 2**20, batch: int | None = None,
                 X_test: np.ndarray | None = None, y_test: np.ndarray | None = None):
        self.net = net
        #: held-out rows (T, n_in), (T, n_out): their loss is recorded beside each epoch's
        self.X_test = None if X_test is None else np.ascontiguousarray(X_test, dtype=net.dtype)
        self.y_test = None if y_test is None else np.ascontiguousarray(y_test, dtype=net.dtype)
        self._test_pending = math.nan
        self.X = np.ascontiguousarray(X, dtype=net.dtype)
        self.y = np.ascontiguousarray(y, dtype=net.dtype)
        if self.X.ndim != 2 or self.X.shape[1] != net.sizes[0]:
            raise ValueError(f"X has shape {self.X.shape}; the network takes {net.sizes[0]} inputs")
        if self.y.shape != (self.X.shape[0], net.sizes[-1]):
            raise ValueError(f"y has shape {self.y.shape}; expected ({self.X.shape[0]}, {net.sizes[-1]})")
        self.lr = float(lr)
        n = self.X.shape[0]
        if batch is not None and (type(batch) is not int or batch < 1):
            raise ValueError(f"batch size must be a positive whole number, got {batch}")
        #: samples per mini-batch; None = all of them in one batch
        self.batch = batch if batch is not None and batch < n else None
        self.n_batches = 1 if self.batch is None else -(-n // self.batch)
        self.units = build_units(net, self.n_batches)
        self.units_per_batch = len(self.units) // self.n_batches
        #: (phase, layer, neuron, batch) → position in the epoch; (phase, None, None,
        #: batch) → the phase's first unit in that batch
        self._unit_at: dict[tuple, int] = {}
        for k, u in enumerate(self.units):
            self._unit_at.setdefault((u.phase, u.layer, u.neuron, u.batch), k)
            self._unit_at.setdefault((u.phase, None, None, u.batch), k)
        self._order: tuple[int, list | None] = (-1, None)
        opt_width = net.optimizer.state_size + 1 if net.optimizer.state_size else 0
        per_snapshot = max(1, (net.n_params + opt_width) * net.dtype.itemsize)
        self.history_depth = history_depth or max(2, history_bytes // per_snapshot)
        self.undo_bytes = undo_bytes
        self.initial_params = net.get_params()
        self.initial_optimizer = net.optimizer.get_state()
        #: θ at the start of each recent epoch (see the module docstring)
        self.history = EpochSnapshots(self.history_depth, net.n_params, net.dtype)
        #: the optimizer's state vectors and t at the start of each recent epoch, in
        #: step with ``history`` (None when it has no state: then t = t₀ + epoch)
        self.opt_history = (EpochSnapshots(self.history_depth, opt_width, net.dtype)
                            if opt_width else None)
        self._finite_guard: FiniteGuard | None = None
        self.reset()

    # ----------------------------------------------------------------- state
    def reset(self, params=None) -> None:
        """Back to epoch 0 with the initial parameters (or ``params``)."""
        if params is not None:
            self.initial_params = [(W.copy(), b.copy()) for W, b in params]
        self.net.set_params(self.initial_params)
        self.net.optimizer.set_state(self.initial_optimizer)
        self.losses = LossHistory()  #: loss of each epoch (exact for the recent ones)
        self.batch_losses = LossHistory()  #: loss of each mini-batch, in order
        #: the test rows' loss with each epoch's starting weights (the data loss, without
        #: weight decay), aligned with ``losses``: read it through :meth:`test_history`
        self.test_losses = LossHistory()
        self.history.clear()
        if self.opt_history is not None:
            self.opt_history.clear()
        self._reset_state()

    def _reset_state(self) -> None:
        """Epoch 0, cursor 0, layers cleared; keeps parameters, losses and history."""
        for layer in self.net.layers:
            layer.clear()
        self.epoch = 0
        self.cursor = 0
        self._loss_sum = 0.0  #: Σ batch loss · batch size, this epoch so far
        self.last_events: list[StepEvent] = []
        self.halted: StepEvent | None = None
        self._dA: dict[int, np.ndarray] = {}
        #: ΔW, Δb that each parameter got at its most recent update: per layer,
        #: views into one flat vector laid out as θ
        self._change_flat = np.zeros(self.net.n_params, dtype=self.net.dtype)
        self.changes = []
        start = 0
        for layer in self.net.layers:
            w_end = start + layer.W.size
            self.changes.append((self._change_flat[start:w_end].reshape(layer.W.shape),
                                 self._change_flat[w_end:w_end + layer.b.size]))
            start = w_end + layer.b.size
        #: why the last run_epochs stopped early: a str with ``layer``/``neuron``
        self.breakpoint: Stop | None = None
        self.undo: deque[StepperState] = deque()
        self._forget_undo()

    @property
    def next_unit(self) -> Unit:
        return self.units[self.cursor]

    @property
    def phase(self) -> Phase:
        """The phase the next step will run."""
        return self.next_unit.phase

    @property
    def at_epoch_start(self) -> bool:
        return self.cursor == 0

    @property
    def batch_index(self) -> int:
        """The mini-batch (0-based) the next step belongs to."""
        return self.next_unit.batch

    def batch_samples(self, k: int | None = None) -> np.ndarray:
        """Sample indices (0-based) of mini-batch ``k`` (default: the next step's)
        of the current epoch."""
        k = self.batch_index if k is None else k
        slices = self._slices()
        return np.arange(len(self.X)) if slices is None else slices[k]

    def _slices(self) -> list | None:
        if self._order[0] != self.epoch:
            self._order = (self.epoch, batch_order(len(self.X), self.batch, self.epoch,
                                                   self.net.seed))
        return self._order[1]

    def _batch_data(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(X, y) of mini-batch ``k`` of this epoch: the whole data when full batch,
        else a copy made once per batch (layers keep it as their x)."""
        slices = self._slices()
        if slices is None:
            return self.X, self.y
        if getattr(self, "_batch_cache", (None,))[0] != (self.epoch, k):
            idx = slices[k]
            self._batch_cache = ((self.epoch, k), self.X[idx], self.y[idx])
        return self._batch_cache[1], self._batch_cache[2]

    def unit_index(self, phase: Phase | str, layer: int | None = None,
                   neuron: int | None = None, batch: int = 0) -> int:
        """Position in the epoch of ``phase``'s unit for (layer, neuron) in mini-batch
        ``batch``, or of the phase's first unit when they are None.  Units before
        ``cursor`` have run in the current epoch; ValueError if there is no such unit."""
        try:
            return self._unit_at[(Phase(phase), layer, neuron, batch)]
        except KeyError:
            raise ValueError(f"no {Phase(phase).value} step for that neuron") from None

    # ------------------------------------------------------------- stepping
    def _boundary(self, granularity: Granularity) -> int:
        """Index one past the last unit a step at ``granularity`` runs."""
        units, start = self.units, self.cursor
        first = units[start]
        end = start + 1
        if granularity is Granularity.NEURON:
            return end
        if granularity is Granularity.EPOCH:
            return len(units)
        if granularity == BATCH:
            return (first.batch + 1) * self.units_per_batch
        same = ((lambda u: u.phase is first.phase and u.layer == first.layer
                 and u.batch == first.batch)
                if granularity is Granularity.LAYER
                else (lambda u: u.phase is first.phase and u.batch == first.batch))
        while end < len(units) and same(units[end]):
            end += 1
        return end

    def step(self, granularity: Granularity | str = Granularity.NEURON) -> list[StepEvent]:
        """Run one step; returns its events (empty if halted by a NaN/inf)."""
        if self.halted is not None:
            return []
        granularity = as_granularity(granularity)
        self._remember()
        if self.cursor == 0:
            self._record_epoch_start()
        end = self._boundary(granularity)
        events: list[StepEvent] = []
        with np.errstate(all="ignore"):
            i = self.cursor
            while i < end:
                u = self.units[i]
                j = i
                while (j < end and self.units[j].phase is u.phase
                       and self.units[j].layer == u.layer and self.units[j].batch == u.batch):
                    j += 1
                event = self._run(u, j - i)
                event.batch = u.batch
                events.append(event)
                self.cursor = j
                if j % self.units_per_batch == 0:
                    self.net.optimizer.advance()  # one completed update of the whole net
                if event.problem:
                    self.halted = event
                    break
                i = j
        if self.cursor == len(self.units):
            self.cursor = 0
            self.epoch += 1
            self._loss_sum = 0.0
        self.last_events = events
        return events

    def finish_epoch(self) -> list[StepEvent]:
        """Run what is left of the current epoch (everything, at epoch start)."""
        return self.step(Granularity.EPOCH)

    def run_epochs(self, n: int, until_loss: float | None = None,
                   breakpoints: Breakpoints | None = None) -> int:
        """Fast path for playing: finish the current epoch, then run whole epochs
        with ``train_step`` (no events), keeping loss history and snapshots.
        Stops early on NaN/inf (``halted`` is set), at ``until_loss``, or when
        one of ``breakpoints`` fires (its reason is left in ``self.breakpoint``).
        Returns the number of epochs completed."""
        self.breakpoint = None
        if breakpoints is not None and not breakpoints.any_enabled():
            breakpoints = None
        done = 0
        if self.halted is not None or n <= 0:
            return 0
        if self.cursor:
            self.finish_epoch()
            done += 1
            if self.halted is not None:
                return done
        self._forget_undo()  # whole epochs are rewound through the per-epoch snapshots
        net, X, y, lr = self.net, self.X, self.y, self.lr
        net._flat()  # θ is current (re-adopts any layer array replaced by hand)
        guard = self._guard()
        history, opt_history, opt = self.history, self.opt_history, net.optimizer
        batch = self.batch
        test_rows = self.X_test is not None
        # the bookkeeping is gathered here and stored once at the end
        chunk: list[float] = []         # each epoch's loss
        parts_all: list[float] = []     # each mini-batch's loss
        tests: list[float] = []         # each epoch's test loss
        recent = _Recent(self.losses, chunk)  # what breakpoints read: old and new losses
        first = self.epoch
        with np.errstate(all="ignore"):
            while done < n:
                epoch = self.epoch
                history.record(epoch, net.theta)
                if opt_history is not None:
                    opt_history.record(epoch, opt.state_vector())
                if test_rows:
                    tests.append(self._test_loss())
                if batch is None:
                    loss = net.train_step(X, y, lr)
                    problem = guard.after_step(loss, epoch)
                else:  # ⌈N/B⌉ steps; ``changes`` below are then the whole epoch's
                    loss, parts, problem = net.train_epoch(X, y, lr, batch, epoch, guard)
                    parts_all += parts
                chunk.append(loss)
                if problem is not None:
                    self.halted = StepEvent(epoch, Phase.LOSS, None, None, {"loss": loss},
                                            problem=problem.text, problem_layer=problem.layer,
                                            problem_neuron=problem.neuron)
                    history.pop()
                    if opt_history is not None:
                        opt_history.pop()
                    break
                self.epoch = epoch + 1
                done += 1
                if until_loss is not None and loss <= until_loss:
                    break
                if breakpoints is not None:
                    self.breakpoint = breakpoints.check(net, recent, epoch)
                    if self.breakpoint:
                        break
        self.losses.extend(chunk)
        if batch is not None:
            self.batch_losses.extend(parts_all)
        if test_rows:
            self.test_losses.truncate(len(self.losses) - len(chunk))
            self.test_losses.extend(tests)
        if self.epoch > first:  # ΔW, Δb of the last update: θ now − θ at its epoch's start
            np.subtract(net.theta, history.get(self.epoch - 1), out=self._change_flat)
        self.last_events = []
        return done

    # -------------------------------------------------------------- rewind
    def _guard(self) -> FiniteGuard:
        """The NaN/inf check for playing (its overflow bound is computed once)."""
        if self._finite_guard is None:
            self._finite_guard = FiniteGuard(self.net, self.X)
        else:
            self._finite_guard.restart()
        return self._finite_guard

    @property
    def oldest_epoch(self) -> int:
        """The earliest epoch whose start can still be returned to."""
        oldest = self.history.oldest
        return 0 if oldest is None or oldest <= 1 else oldest

    def _record_epoch_start(self) -> None:
        """Snapshot θ at the start of this epoch (once per epoch)."""
        if self.history.get(self.epoch) is None:
            self.history.record(self.epoch, self.net._flat()[0])
            if self.opt_history is not None:
                self.opt_history.record(self.epoch, self.net.optimizer.state_vector())

    def _drop_history_after(self, epoch: int) -> None:
        self.history.drop_after(epoch)
        if self.opt_history is not None:
            self.opt_history.drop_after(epoch)

    def _forget_undo(self) -> None:
        self.undo.clear()
        self._undo_nbytes = 0

    def _remember(self) -> None:
        """Push the state before a step; drop the oldest beyond ``undo_bytes`` (all of
        them, this one too, if it alone is larger)."""
        state = capture(self)
        self.undo.append(state)
        self._undo_nbytes += state.nbytes
        while self._undo_nbytes > self.undo_bytes and self.undo:  # never over budget
            self._undo_nbytes -= self.undo.popleft().nbytes

    def _previous_boundary(self, granularity: Granularity) -> tuple[int, int] | None:
        """(epoch, cursor) one step back at ``granularity``; None at the very start."""
        epoch, cursor = self.epoch, self.cursor
        if cursor == 0:
            if epoch == 0:
                return None
            epoch, cursor = epoch - 1, len(self.units)
            if granularity is Granularity.EPOCH:
                return epoch, 0
        if granularity is Granularity.EPOCH:
            return epoch, 0
        last = self.units[cursor - 1]
        start = cursor - 1
        if granularity == BATCH:
            return epoch, last.batch * self.units_per_batch
        if granularity is not Granularity.NEURON:
            def same(u: Unit) -> bool:
                return u.phase is last.phase and u.batch == last.batch and (
                    granularity is Granularity.PHASE or u.layer == last.layer)
            while start > 0 and same(self.units[start - 1]):
                start -= 1
        return epoch, start

    def back(self, granularity: Granularity | str = Granularity.NEURON) -> bool:
        """Step backward at ``granularity``: the state is exactly what it was at
        that point (parameters, gradients, layer values, losses).  Returns False
        at epoch 0 before any step."""
        target = self._previous_boundary(as_granularity(granularity))
        if target is None:
            return False
        self.go_to(*target)
        return True

    def go_to(self, epoch: int, cursor: int = 0) -> None:
        """Put the stepper at ``cursor`` within ``epoch`` (must not be in the future)."""
        if (epoch, cursor) > (self.epoch, self.cursor):
            raise ValueError("go_to can only go back; step forward instead")
        if (epoch, cursor) == (self.epoch, self.cursor):
            return
        while self.undo and self.undo[-1].position > (epoch, cursor):
            self._undo_nbytes -= self.undo.pop().nbytes
        if self.undo and self.undo[-1].epoch == epoch:
            state = self.undo.pop()
            self._undo_nbytes -= state.nbytes
            restore(self, state)
        else:
            self._rebuild_epoch_start(epoch)
        self._drop_history_after(self.epoch)
        while self.cursor < cursor:
            self.step(Granularity.NEURON)
            if self.halted:
                break

    def set_parameter(self, layer: int, neuron: int, weight: int | None, value: float) -> None:
        """Set weight ``weight`` (an input index) or, with None, the bias of one
        neuron, as of the start of the current epoch, then run the forward pass
        and the loss so their new values show at once.  Steps of this epoch
        already taken are redone; earlier epochs stay as they were."""
        self.go_to(self.epoch, 0)
        target = self.net.layers[layer]
        if weight is None:
            target.b[neuron] = value
        else:
            target.W[weight, neuron] = value
        self._forget_undo()
        self._drop_history_after(self.epoch - 1)
        self.step(Granularity.PHASE)  # forward
        if not self.halted:
            self.step(Granularity.NEURON)  # loss

    def _rebuild_epoch_start(self, epoch: int) -> None:
        """The state at the start of ``epoch`` from the per-epoch snapshots:
        replay the epoch before it, then set the recorded parameters exactly."""
        params = self.snapshot(epoch)
        if params is None:
            raise ValueError(f"epoch {epoch} is older than the history kept "
                             f"(oldest {self.oldest_epoch})")
        before = self.snapshot(epoch - 1) if epoch > 0 else None
        self._drop_history_after(epoch)
        self._reset_state()
        if before is not None:
            self.losses.truncate(epoch - 1)
            self.batch_losses.truncate((epoch - 1) * self.n_batches)
            self.net.set_params(before)
            self._set_optimizer(epoch - 1)
            self.epoch = epoch - 1
            self.finish_epoch()  # its start is in the history already: not recorded again
            self._forget_undo()
        self.net.set_params(params)
        self._set_optimizer(epoch)
        self.losses.truncate(epoch)
        self.batch_losses.truncate(epoch * self.n_batches)
        self.epoch = epoch
        self.last_events = []

    # ------------------------------------------------------------ test loss
    def _test_loss(self) -> float:
        """The loss on the test rows with the weights now (NaN without test rows)."""
        if self.X_test is None:
            return math.nan
        with np.errstate(all="ignore"):
            return self.net.loss(self.net.predict(self.X_test), self.y_test)

    def _record_test(self, value: float) -> None:
        """``value`` as the test loss of the epoch whose loss was just appended."""
        if self.X_test is not None:
            self.test_losses.truncate(len(self.losses) - 1)
            self.test_losses.append(value)

    def test_history(self) -> LossHistory | None:
        """The test loss of each epoch whose training loss is recorded (None without test
        rows); cut to ``losses`` after a rewind."""
        if self.X_test is None:
            return None
        if len(self.test_losses) > len(self.losses):
            self.test_losses.truncate(len(self.losses))
        return self.test_losses

    def _set_optimizer(self, epoch: int) -> None:
        """The optimizer's state as it was at the start of ``epoch``."""
        opt = self.net.optimizer
        if epoch == 0:
            opt.set_state(self.initial_optimizer)
        elif self.opt_history is not None:
            opt.set_state_vector(self.opt_history.get(epoch))
        else:  # stateless: only the step count, one per completed batch
            opt.t = int(self.initial_optimizer["t"]) + epoch * self.n_batches

    # ------------------------------------------------------------ one group
    def _run(self, u: Unit, count: int) -> StepEvent:
        net = self.net
        if u.phase is Phase.LOSS:
            return self._run_loss(u.batch)
        layer = net.layers[u.layer]
        start, stop = u.neuron, u.neuron + count
        cols = None if count == layer.n_out else slice(start, stop)
        sl = slice(start, stop)
        ev = StepEvent(self.epoch, u.phase, u.layer, (start, stop))
        v = ev.values
        if u.phase is Phase.FORWARD:
            x = self._batch_data(u.batch)[0] if u.layer == 0 else net.layers[u.layer - 1].a
            layer.forward(x, cols)
            v.update(x=self._keep(x), w=layer.W[:, sl].copy(), b=layer.b[sl].copy(),
                     z=layer.z[:, sl].copy())
            if layer.activation.elementwise or layer.completes(sl):
                v["a"] = layer.a[:, sl].copy()
                check = ("z", "a")
            else:  # softmax: a follows when the layer's last z is known
                v["a_pending"] = True
                check = ("z",)
        elif u.phase is Phase.BACKWARD:
            dA = self._dA[u.layer]
            fused = net.loss.fused and u.layer == len(net.layers) - 1
            decay = net.weight_decay
            layer.backward(dA, cols, fused=fused, decay=decay)
            fprime = (np.ones_like(layer.z[:, sl]) if fused
                      else layer.activation.derivative(layer.z[:, sl], layer.a[:, sl]))
            v.update(dA=dA[:, sl].copy(), fprime=fprime,
                     delta=layer.delta[:, sl].copy(), x=self._keep(layer.x),
                     dw=layer.dW[:, sl].copy(), db=layer.db[sl].copy(),
                     fused=fused, weight_decay=decay)
            if decay:
                v["decay_w"] = decay * layer.W[:, sl]
            if not (fused or layer.activation.elementwise):  # softmax: δ = a·(dA − Σⱼ dAⱼaⱼ)
                v["row_sum"] = (dA * layer.a).sum(axis=1, keepdims=True)
            if u.layer + 1 < len(net.layers):
                nxt = net.layers[u.layer + 1]
                v.update(next_delta=nxt.delta.copy(), next_w=nxt.W[sl, :].copy())
            if count == 1:
                v["dw_terms"] = layer.x * v["delta"]
                if "next_delta" in v:
                    v["dA_terms"] = v["next_delta"] * v["next_w"]
            if stop == layer.n_out and u.layer > 0:
                self._dA[u.layer - 1] = layer.input_gradient()
            check = ("delta", "dw", "db")
        else:  # UPDATE
            opt = net.optimizer
            v.update(lr=self.lr, w_before=layer.W[:, sl].copy(), b_before=layer.b[sl].copy(),
                     dw=layer.dW[:, sl].copy(), db=layer.db[sl].copy(),
                     optimizer=opt.name, hyper=opt.hyper, t=opt.t + 1)
            views = {k: net.split(vec)[u.layer] for k, vec in opt.state.items()}
            for k, (sw, sb) in views.items():
                v.update({f"{k}_w_before": sw[:, sl].copy(), f"{k}_b_before": sb[sl].copy()})
            net.update_neurons(u.layer, sl, self.lr)
            v.update(w_after=layer.W[:, sl].copy(), b_after=layer.b[sl].copy())
            for k, (sw, sb) in views.items():
                v.update({f"{k}_w_after": sw[:, sl].copy(), f"{k}_b_after": sb[sl].copy()})
            v.update(change_w=v["w_after"] - v["w_before"], change_b=v["b_after"] - v["b_before"])
            cw, cb = self.changes[u.layer]
            cw[:, sl] = v["change_w"]
            cb[sl] = v["change_b"]
            check = ("w_after", "b_after")
        bad = [k for k in check if _nonfinite([v[k]])]
        if bad:
            arr = np.asarray(v[bad[0]])
            column = np.flatnonzero((~np.isfinite(arr.reshape(-1, arr.shape[-1]))).any(axis=0))
            j = start + int(column[0])
            ev.problem_layer, ev.problem_neuron = u.layer, j
            ev.problem = (f"NaN/inf in {', '.join(FIELD_NAMES[k] for k in bad)} of "
                          f"{where(u.layer, j, net.sizes)} during the {PHASE_NAMES[u.phase]} "
                          f"of epoch {self.epoch}")
        return ev

    def _keep(self, x: np.ndarray) -> np.ndarray:
        """A copy of ``x`` for an event, but X itself and a mini-batch's X (never
        changed) by reference."""
        if x is self.X or x is getattr(self, "_batch_cache", (None, None))[1]:
            return x
        return x.copy()

    def _run_loss(self, k: int = 0) -> StepEvent:
        """The loss of mini-batch ``k`` (the whole data when full batch); the
        epoch's loss is recorded with the last batch's."""
        net = self.net
        y = self._batch_data(k)[1]
        y_hat = net.layers[-1].a
        data_loss, grad = net.loss.value_and_gradient(y_hat, y, net.layers[-1].z)
        penalty = net.penalty()
        loss = data_loss + penalty if net.weight_decay else data_loss
        self._dA = {len(net.layers) - 1: grad}
        values = dict(y_hat=y_hat.copy(), y=y, loss=loss,
                      scale=net.loss.scale(y), dL_dyhat=grad.copy(),
                      gradient_of="z" if net.loss.fused else "y_hat",
                      data_loss=data_loss, penalty=penalty,
                      weight_decay=net.weight_decay, **net.loss.narration(y_hat, y))
        if k == 0:
            self._test_pending = self._test_loss()  # with the weights the epoch starts from
        if self.batch is None:
            self.losses.append(loss)
            self._record_test(self._test_pending)
        else:
            self.batch_losses.append(loss)
            self._loss_sum += loss * len(y)
            values.update(batch=k, n_batches=self.n_batches, samples=self.batch_samples(k))
            if k == self.n_batches - 1:
                values["epoch_loss"] = self._loss_sum / len(self.X)
                self.losses.append(values["epoch_loss"])
                self._record_test(self._test_pending)
        ev = StepEvent(self.epoch, Phase.LOSS, None, None, values)
        if not math.isfinite(loss):
            where_ = f", batch {k + 1} of {self.n_batches}" if self.batch is not None else ""
            ev.problem = f"loss became {loss} in epoch {self.epoch}{where_}"
        return ev

    # --------------------------------------------------------------- history
    def snapshot(self, epoch: int) -> list[tuple[np.ndarray, np.ndarray]] | None:
        """Parameters at the start of ``epoch`` if still in the history."""
        if epoch == 0:
            return self.initial_params
        theta = self.history.get(epoch)
        if theta is None:
            return None
        params, start = [], 0
        for layer in self.net.layers:
            w_end = start + layer.W.size
            params.append((theta[start:w_end].reshape(layer.W.shape).copy(),
                           theta[w_end:w_end + layer.b.size].copy()))
            start = w_end + layer.b.size
        return params
