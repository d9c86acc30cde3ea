"""Stepper: train a network one neuron, layer, phase or epoch at a time.

An epoch is a fixed sequence of *units* — forward, loss, backward and update,
neuron by neuron — once per mini-batch (one batch of all samples by default);
:mod:`nn.schedule` lays them out.  With ``batch=B`` an epoch is ⌈N/B⌉ such batches over a shuffle of the samples
drawn again from (seed, epoch) (:func:`~nn.network.batch_order`), so rewind
and replay stay exact; the granularity ``batch`` steps one whole batch.
``losses`` then holds each epoch's loss (the batch losses averaged, weighted
by batch size) and ``batch_losses`` every batch's own loss (noisy).  Each
batch's update is one optimizer step.

``step(granularity)`` runs units from the cursor up to the next boundary of
that granularity (:mod:`nn.schedule`) and returns one event per (phase, layer)
run, holding copies of what was computed (:mod:`nn.events`: a frozen dataclass per
phase, computed by :mod:`nn.phases`).  Consecutive units of one layer run as a
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

The jobs live in their own modules: the order of units (:mod:`nn.schedule`), the
events (:mod:`nn.events`, computed by :mod:`nn.phases`), going back (``back``,
``go_to``: :mod:`nn.timetravel`) and playing whole epochs (``run_epochs``:
:mod:`nn.playing`).  ``copy()`` gives an independent stepper in exactly this state
(a fork).

Memory bounds (what a long session keeps; none grows with epochs played):

* ``losses``, a :class:`~nn.history.LossHistory`: the last 2¹⁶ epochs exactly,
  older ones as min/max of at most 1024 bins — ≈ 545 KiB, fixed; its
  ``envelope(240)`` for the chart reads ≤ 3 000 numbers (≈ 30 µs) at any length;
* recent steps, for ``back``: a copy of the state before each step of what that
  step changes (the parameters, gradients, x/z/a/δ/dA and last changes of the
  layers it runs, the optimizer's state, the pending ∂L/∂a it adds or replaces,
  the events of the step before: every array counted, X shared, not copied; a
  neuron step of a 1 000-layer network copies 2 layers), newest last, in
  at most ``undo_bytes`` (32 MiB by default; XOR 2–2–1 ≈ 6 900 neuron steps, where
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

import numpy as np

from . import phases
from .breakpoints import Breakpoints, Stop
from .events import LossEvent, StepEvent
from .history import LossHistory
from .layer import copy_once
from .network import FiniteGuard, NeuralNetwork, batch_order
from .playing import play
from .schedule import BATCH, Granularity, Phase, Schedule, Unit, as_granularity
from .timetravel import TimeTravel

__all__ = ["BATCH", "Granularity", "Phase", "StepEvent", "Stepper", "Unit", "as_granularity"]


class Stepper:
    """Drives ``net`` on data ``X`` (N, n_in), ``y`` (N, n_out) with learning rate ``lr``
    (and mini-batches of ``batch`` samples; None, or ≥ N, is full batch); held-out
    rows ``X_test`` (T, n_in), ``y_test`` (T, n_out) get their loss recorded per epoch."""

    def __init__(self, net: NeuralNetwork, X: np.ndarray, y: np.ndarray, lr: float,
                 history_depth: int | None = None, history_bytes: int = 32 * 2**20,
                 undo_bytes: int = 32 * 2**20, batch: int | None = None,
                 X_test: np.ndarray | None = None, y_test: np.ndarray | None = None):
        self.net = net
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
        self.schedule = Schedule([layer.n_out for layer in net.layers], self.n_batches)
        self.units = self.schedule.units
        self.units_per_batch = self.schedule.units_per_batch
        self._order: tuple[int, list | None] = (-1, None)
        self._batch_cache: tuple = (None, None, None)
        self.initial_params = net.get_params()
        self.initial_optimizer = net.optimizer.get_state()
        self.travel = TimeTravel(self, history_depth, history_bytes, undo_bytes)
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
        self.travel.clear()
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
        #: ∂L/∂a waiting for each layer's backward pass (N, n_out)
        self._dA: dict[int, np.ndarray] = {}
        #: ΔW, Δb that each parameter got at its most recent update: per layer,
        #: views into one flat vector laid out as θ
        self._change_flat = np.zeros(self.net.n_params, dtype=self.net.dtype)
        self.changes = self.net.layout.split(self._change_flat)
        #: why the last run_epochs stopped early: a str with ``layer``/``neuron``
        self.breakpoint: Stop | None = None
        self.travel.forget()

    def copy(self) -> "Stepper":
        """An independent stepper in exactly this state (a fork): stepping or playing
        the copy gives the very numbers this one would.  Each owner copies its own state:

        * the network (:meth:`~nn.network.NeuralNetwork.clone`): θ and ∇θ as two flat
          vectors, the layers' x/z/a/δ/dA, the optimizer's state;
        * here: epoch and cursor, the pending ∂L/∂a (through the same memo as the
          layers', so a layer's dA that is a pending entry stays one array), the last
          changes (one flat vector, re-split), the losses, the initial parameters;
        * the time travel (:meth:`~nn.timetravel.TimeTravel.copy`): the per-epoch rings,
          for the epochs they hold.

        Shared, never copied, as nothing writes into them: the data and the test rows,
        the schedule and its units, this epoch's batch order and batch data (a layer's
        x may be one), the events of the last step (frozen copies) and the undo states
        (only ever copied out of).  The NaN/inf guard is made again when next needed."""
        new = Stepper.__new__(Stepper)
        new.__dict__.update(self.__dict__)  # the numbers and the shared, never written
        memo = {id(a): a for a in (self.X, self.y, *self._batch_cache[1:]) if a is not None}
        new.net = self.net.clone(memo)
        new._dA = {l: copy_once(a, memo) for l, a in self._dA.items()}
        new._change_flat = self._change_flat.copy()
        new.changes = new.net.layout.split(new._change_flat)
        new.initial_params = [(W.copy(), b.copy()) for W, b in self.initial_params]
        new.initial_optimizer = {k: v.copy() if isinstance(v, np.ndarray) else v
                                 for k, v in self.initial_optimizer.items()}
        new.losses, new.batch_losses = self.losses.copy(), self.batch_losses.copy()
        new.test_losses = self.test_losses.copy()
        new.last_events = list(self.last_events)
        new.travel = self.travel.copy(new)
        new._finite_guard = None  # it holds the network: made for the copy's on first use
        return new

    @property
    def history(self):
        """θ at the start of each recent epoch (:class:`~nn.timeline.EpochSnapshots`)."""
        return self.travel.history

    @property
    def history_depth(self) -> int:
        return self.travel.depth

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
        if self._batch_cache[0] != (self.epoch, k):
            idx = slices[k]
            self._batch_cache = ((self.epoch, k), self.X[idx], self.y[idx])
        return self._batch_cache[1], self._batch_cache[2]

    def unit_index(self, phase: Phase | str, layer: int | None = None,
                   neuron: int | None = None, batch: int = 0) -> int:
        """Position in the epoch of ``phase``'s unit for (layer, neuron) in mini-batch
        ``batch``, or of the phase's first unit when they are None.  Units before
        ``cursor`` have run in the current epoch; ValueError if there is no such unit."""
        return self.schedule.index(phase, layer, neuron, batch)

    # ------------------------------------------------------------- stepping
    def step(self, granularity: Granularity | str = Granularity.NEURON) -> list[StepEvent]:
        """Run one step; returns its events (empty if halted by a NaN/inf)."""
        if self.halted is not None:
            return []
        granularity = as_granularity(granularity)
        end = self.schedule.end_of_step(self.cursor, granularity)
        self.travel.remember(*self._touches(self.cursor, end))
        if self.cursor == 0:
            self.travel.record_epoch_start()
        events: list[StepEvent] = []
        with np.errstate(all="ignore"):
            for u, count in self.schedule.groups(self.cursor, end):
                event = self._run(u, count)
                events.append(event)
                self.cursor += count
                if self.cursor % self.units_per_batch == 0:
                    self.net.optimizer.advance()  # one completed update of the whole net
                if event.problem:
                    self.halted = event
                    break
        if self.cursor == len(self.units):
            self.cursor = 0
            self.epoch += 1
            self._loss_sum = 0.0
        self.last_events = events
        return events

    def _touches(self, start: int, end: int) -> tuple[set[int], bool]:
        """(the layers whose arrays units ``start … end-1`` change, whether they replace
        the pending ∂L/∂a): a forward pass of layer l writes its x, z, a and, through
        a, layer l+1's x; a backward pass its δ, ∂L/∂a, dW, db and adds the pending
        ∂L/∂a of layer l-1; an update its W, b and last change; the loss replaces the
        pending ∂L/∂a."""
        layers, loss, last = set(), False, len(self.net.layers) - 1
        for u, _ in self.schedule.groups(start, end):
            if u.phase is Phase.LOSS:
                loss = True
            else:
                layers.add(u.layer)
                if u.phase is Phase.FORWARD and u.layer < last:
                    layers.add(u.layer + 1)
        return layers, loss

    def finish_epoch(self) -> list[StepEvent]:
        """Run what is left of the current epoch (everything, at epoch start)."""
        return self.step(Granularity.EPOCH)

    def _run(self, u: Unit, count: int) -> StepEvent:
        """One group: ``count`` units of one phase of one layer from ``u``."""
        if u.phase is Phase.LOSS:
            return self._run_loss(u.batch)
        net, l = self.net, u.layer
        sl = slice(u.neuron, u.neuron + count)
        layer = net.layers[l]
        if u.phase is Phase.FORWARD:
            x = self._batch_data(u.batch)[0] if l == 0 else net.layers[l - 1].a
            return phases.forward(net, l, sl, x, self._keep(x), self.epoch, u.batch)
        if u.phase is Phase.BACKWARD:
            ev = phases.backward(net, l, sl, self._dA[l], self._keep(layer.x), self.epoch,
                                 u.batch)
            if sl.stop == layer.n_out and l > 0:
                self._dA[l - 1] = layer.input_gradient()
            return ev
        ev = phases.update(net, l, sl, self.lr, self.epoch, u.batch)
        cw, cb = self.changes[l]
        cw[:, sl] = ev.change_w
        cb[sl] = ev.change_b
        return ev

    def _keep(self, x: np.ndarray) -> np.ndarray:
        """A copy of ``x`` for an event, but X itself and a mini-batch's X (never
        changed) by reference."""
        if x is self.X or x is self._batch_cache[1]:
            return x
        return x.copy()

    def _run_loss(self, k: int = 0) -> LossEvent:
        """The loss of mini-batch ``k`` (the whole data when full batch); the
        epoch's loss is recorded with the last batch's."""
        net = self.net
        y = self._batch_data(k)[1]
        y_hat = net.layers[-1].a
        data_loss, grad = net.loss.value_and_gradient(y_hat, y, net.layers[-1].z)
        penalty = net.penalty()
        loss = data_loss + penalty if net.weight_decay else data_loss
        self._dA = {len(net.layers) - 1: grad}
        if k == 0:
            self._test_pending = self._test_loss()  # with the weights the epoch starts from
        epoch_loss = None
        if self.batch is None:
            self.losses.append(loss)
            self._record_test(self._test_pending)
        else:
            self.batch_losses.append(loss)
            self._loss_sum += loss * len(y)
            if k == self.n_batches - 1:
                epoch_loss = self._loss_sum / len(self.X)
                self.losses.append(epoch_loss)
                self._record_test(self._test_pending)
        problem = None
        if not math.isfinite(loss):
            where_ = f", batch {k + 1} of {self.n_batches}" if self.batch is not None else ""
            problem = f"loss became {loss} in epoch {self.epoch}{where_}"
        about = net.loss
        return LossEvent(
            epoch=self.epoch, batch=k, problem=problem, y_hat=y_hat.copy(), y=y, loss=loss,
            data_loss=data_loss, penalty=penalty, weight_decay=net.weight_decay,
            scale=about.scale(y), dL_dyhat=grad.copy(),
            gradient_of="z" if about.fused else "y_hat", loss_name=about.name,
            loss_title=about.title, fused=about.fused, equations=tuple(about.equations),
            n_batches=self.n_batches,
            samples=None if self.batch is None else self.batch_samples(k), epoch_loss=epoch_loss)

    # -------------------------------------------------------------- playing
    def run_epochs(self, n: int, until_loss: float | None = None,
                   breakpoints: Breakpoints | None = None) -> int:
        """Fast path for playing: finish the current epoch, then run whole epochs
        with ``train_step`` (no events), keeping loss history and snapshots.
        Stops early on NaN/inf (``halted`` is set), at ``until_loss``, or when
        one of ``breakpoints`` fires (its reason is left in ``self.breakpoint``).
        Returns the number of epochs completed (see :mod:`nn.playing`)."""
        return play(self, n, until_loss, breakpoints)

    # ------------------------------------------------------------ time travel
    @property
    def oldest_epoch(self) -> int:
        """The earliest epoch whose start can still be returned to."""
        return self.travel.oldest_epoch

    def snapshot(self, epoch: int) -> list[tuple[np.ndarray, np.ndarray]] | None:
        """Parameters at the start of ``epoch`` if still in the history."""
        return self.travel.snapshot(epoch)

    def back(self, granularity: Granularity | str = Granularity.NEURON) -> bool:
        """Step backward at ``granularity``: the state is exactly what it was at
        that point (parameters, gradients, layer values, losses).  Returns False
        at epoch 0 before any step."""
        target = self.schedule.step_back(self.epoch, self.cursor, as_granularity(granularity))
        if target is None:
            return False
        self.travel.go_to(*target)
        return True

    def go_to(self, epoch: int, cursor: int = 0) -> None:
        """Put the stepper at ``cursor`` within ``epoch`` (must not be in the future)."""
        self.travel.go_to(epoch, cursor)

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
        self.travel.forget()
        self.travel.drop_after(self.epoch - 1)
        self.step(Granularity.PHASE)  # forward
        if not self.halted:
            self.step(Granularity.NEURON)  # loss

    # ------------------------------------------------------------ test loss
    def _guard(self) -> FiniteGuard:
        """The NaN/inf check for playing (its overflow bound is computed once)."""
        if self._finite_guard is None:
            self._finite_guard = FiniteGuard(self.net, self.X)
        else:
            self._finite_guard.restart()
        return self._finite_guard

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
