"""Time travel: going back to any earlier point of a Stepper, exactly.

Two memories, both bounded (see the :mod:`nn.stepper` docstring for the budgets):

* ``undo``: a copy of the state before each recent step
  (:class:`~nn.timeline.StepperState`), newest last, within ``undo_bytes``: of what
  that step changes only (the layers it runs, the pending ∂L/∂a it adds), so a step of
  one neuron of a 1 000-layer network copies two layers; going back undoes them newest
  first;
* ``history`` / ``opt_history``: θ and the optimizer's state at the start of each
  recent epoch, in preallocated rings (:class:`~nn.timeline.EpochSnapshots`).

Going back to (epoch, cursor) restores the newest undo state at or before it when
one is kept; otherwise it rebuilds the epoch's start from the rings (replaying the
epoch before it, for the layers' values, then setting the recorded θ exactly) and
steps forward to the cursor.  Either way the state is bit for bit what it was.
"""
from __future__ import annotations

from collections import deque

import numpy as np

from .timeline import EpochSnapshots, StepperState, capture, restore


class TimeTravel:
    """The memories of ``stepper`` and the moves back in time they allow."""

    def __init__(self, stepper, history_depth: int | None, history_bytes: int,
                 undo_bytes: int):
        net = stepper.net
        self.stepper = stepper
        opt_width = net.optimizer.state_size + 1 if net.optimizer.state_size else 0
        per_snapshot = max(1, (net.n_params + opt_width) * net.dtype.itemsize)
        self.depth = history_depth or max(2, history_bytes // per_snapshot)
        #: θ (n_params,) at the start of each recent epoch
        self.history = EpochSnapshots(self.depth, net.n_params, net.dtype)
        #: the optimizer's state vectors and t at the start of each recent epoch, in
        #: step with ``history`` (None when it has no state: then t = t₀ + epoch·batches)
        self.opt_history = (EpochSnapshots(self.depth, opt_width, net.dtype)
                            if opt_width else None)
        self.undo_bytes = undo_bytes
        self.undo: deque[StepperState] = deque()
        self.nbytes = 0  #: what the undo states hold

    def copy(self, stepper) -> "TimeTravel":
        """The memories of ``stepper``, a copy of this one's stepper (a fork): the rings
        copied for the epochs they hold; the undo states shared, as the deque's items (a
        new deque): a state is only ever copied out of (:func:`~nn.timeline.restore`),
        never written."""
        new = TimeTravel.__new__(TimeTravel)
        new.__dict__.update(self.__dict__)
        new.stepper = stepper
        new.history = self.history.copy()
        new.opt_history = None if self.opt_history is None else self.opt_history.copy()
        new.undo = deque(self.undo)
        return new

    # ------------------------------------------------------------- recording
    def clear(self) -> None:
        self.history.clear()
        if self.opt_history is not None:
            self.opt_history.clear()
        self.forget()

    def forget(self) -> None:
        """Drop the undo states (whole epochs stay reachable through the rings)."""
        self.undo.clear()
        self.nbytes = 0

    def remember(self, layers=None, whole_dA: bool = True) -> None:
        """Push the state before a step; drop the oldest beyond ``undo_bytes`` (all of
        them, this one too, if it alone is larger).  ``layers``: only the layers the
        step will change (a partial state, :func:`~nn.timeline.capture`); None: all."""
        state = capture(self.stepper, layers, whole_dA)
        self.undo.append(state)
        self.nbytes += state.nbytes
        while self.nbytes > self.undo_bytes and self.undo:  # never over budget
            self.nbytes -= self.undo.popleft().nbytes

    def record_epoch_start(self) -> None:
        """Snapshot θ and the optimizer at the start of the stepper's epoch (once)."""
        st = self.stepper
        if self.history.get(st.epoch) is None:
            self.record(st.epoch, st.net._flat()[0])

    def record(self, epoch: int, theta: np.ndarray) -> None:
        """θ (n_params,) and the optimizer's state now as the start of ``epoch`` (the
        newest epoch, or the one after it: playing records every epoch this way)."""
        self.history.record(epoch, theta)
        if self.opt_history is not None:
            self.opt_history.record(epoch, self.stepper.net.optimizer.state_vector())

    def drop_last_epoch(self) -> None:
        """Forget the newest epoch start (its epoch did not complete)."""
        self.history.pop()
        if self.opt_history is not None:
            self.opt_history.pop()

    def drop_after(self, epoch: int) -> None:
        self.history.drop_after(epoch)
        if self.opt_history is not None:
            self.opt_history.drop_after(epoch)

    # --------------------------------------------------------------- reading
    @property
    def oldest_epoch(self) -> int:
        """The earliest epoch whose start can still be returned to."""
        oldest = self.history.oldest
        return 0 if oldest is None or oldest <= 1 else oldest

    def snapshot(self, epoch: int) -> list[tuple[np.ndarray, np.ndarray]] | None:
        """Parameters [(W, b) per layer] at the start of ``epoch``, copies, if kept."""
        st = self.stepper
        if epoch == 0:
            return st.initial_params
        theta = self.history.get(epoch)
        return None if theta is None else st.net.layout.copies(theta)

    def set_optimizer(self, epoch: int) -> None:
        """The optimizer's state as it was at the start of ``epoch``."""
        st = self.stepper
        opt = st.net.optimizer
        if epoch == 0:
            opt.set_state(st.initial_optimizer)
        elif self.opt_history is not None:
            opt.set_state_vector(self.opt_history.get(epoch))
        else:  # stateless: only the step count, one per completed batch
            opt.t = int(st.initial_optimizer["t"]) + epoch * st.n_batches

    # ---------------------------------------------------------------- moving
    def go_to(self, epoch: int, cursor: int = 0) -> None:
        """Put the stepper at ``cursor`` within ``epoch`` (not in the future)."""
        st = self.stepper
        if (epoch, cursor) > (st.epoch, st.cursor):
            raise ValueError("go_to can only go back; step forward instead")
        if (epoch, cursor) == (st.epoch, st.cursor):
            return
        while self.undo and self.undo[-1].position > (epoch, cursor):
            state = self.undo.pop()
            self.nbytes -= state.nbytes
            restore(st, state)  # each may hold only what its step changed: undo them in turn
        if self.undo and self.undo[-1].epoch == epoch:
            state = self.undo.pop()
            self.nbytes -= state.nbytes
            restore(st, state)
        else:
            self.rebuild_epoch_start(epoch)
        self.drop_after(st.epoch)
        while st.cursor < cursor:
            st.step("neuron")
            if st.halted:
                break

    def rebuild_epoch_start(self, epoch: int) -> None:
        """The state at the start of ``epoch`` from the rings: replay the epoch before
        it (for the layers' values and last changes), then set the recorded θ exactly."""
        st = self.stepper
        params = self.snapshot(epoch)
        if params is None:
            raise ValueError(f"epoch {epoch} is older than the history kept "
                             f"(oldest {self.oldest_epoch})")
        before = self.snapshot(epoch - 1) if epoch > 0 else None
        self.drop_after(epoch)
        st._reset_state()
        if before is not None:
            st.losses.truncate(epoch - 1)
            st.batch_losses.truncate((epoch - 1) * st.n_batches)
            st.net.set_params(before)
            self.set_optimizer(epoch - 1)
            st.epoch = epoch - 1
            st.finish_epoch()  # its start is in the history already: not recorded again
            self.forget()
        st.net.set_params(params)
        self.set_optimizer(epoch)
        st.losses.truncate(epoch)
        st.batch_losses.truncate(epoch * st.n_batches)
        st.epoch = epoch
        st.last_events = []
