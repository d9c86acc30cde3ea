"""Playing: whole epochs on the fast path, with the debugger's bookkeeping kept.

``play(stepper, n)`` finishes the stepper's current epoch (step path), then runs
whole epochs with ``NeuralNetwork.train_step`` / ``train_epoch`` — no events —
and keeps what time travel and the screen need: θ and the optimizer's state at
each epoch's start (the rings of :mod:`nn.timetravel`), each epoch's loss (and
batch and test losses), the last update's changes.  The losses are gathered in
lists and stored once per call (``LossHistory.extend``); breakpoints still see
every epoch's loss as it comes, so a stop is at the exact first epoch whatever
the chunk size, as is a NaN/inf stop (the same ``FiniteGuard`` as ``fit``).
"""
from __future__ import annotations

import numpy as np

from .breakpoints import Breakpoints
from .events import StepEvent
from .history import LossHistory
from .schedule import Phase


class _Recent:
    """The losses as breakpoints read them while playing: the history's
    recorded epochs followed by this chunk's (``[-1]``, ``[-2]`` … across both)."""

    def __init__(self, history: LossHistory, chunk: list[float]):
        self.history, self.chunk = history, chunk

    def __getitem__(self, i: int) -> float:
        if i >= 0:
            raise IndexError("read from the end")
        if -i <= len(self.chunk):
            return self.chunk[i]
        return self.history[i + len(self.chunk)]


def play(st, n: int, until_loss: float | None = None,
         breakpoints: Breakpoints | None = None) -> int:
    """Run up to ``n`` epochs of stepper ``st``; stops early on NaN/inf (``st.halted``
    is set), at ``until_loss``, or when one of ``breakpoints`` fires (its reason is
    left in ``st.breakpoint``).  Returns the number of epochs completed."""
    st.breakpoint = None
    if breakpoints is not None and not breakpoints.any_enabled():
        breakpoints = None
    done = 0
    if st.halted is not None or n <= 0:
        return 0
    if st.cursor:
        st.finish_epoch()
        done += 1
        if st.halted is not None:
            return done
    st.travel.forget()  # whole epochs are rewound through the per-epoch snapshots
    net, X, y, lr = st.net, st.X, st.y, st.lr
    net._flat()  # θ is current (re-adopts any layer array replaced by hand)
    guard = st._guard()
    travel, history = st.travel, st.travel.history
    batch = st.batch
    test_rows = st.X_test is not None
    # the bookkeeping is gathered here and stored once at the end
    chunk: list[float] = []         # each epoch's loss
    parts_all: list[float] = []     # each mini-batch's loss
    tests: list[float] = []         # each epoch's test loss
    recent = _Recent(st.losses, chunk)  # what breakpoints read: old and new losses
    first = st.epoch
    with np.errstate(all="ignore"):
        while done < n:
            epoch = st.epoch
            travel.record(epoch, net.theta)
            if test_rows:
                tests.append(st._test_loss())
            if batch is None:
                loss = net.train_step(X, y, lr)
                problem = guard.after_step(loss, epoch)
            else:  # ⌈N/B⌉ steps; ``changes`` below are then the whole epoch's
                loss, parts, problem = net.train_epoch(X, y, lr, batch, epoch, guard)
                parts_all += parts
            chunk.append(loss)
            if problem is not None:
                st.halted = StepEvent(epoch=epoch, phase=Phase.LOSS, problem=problem.text,
                                      problem_layer=problem.layer, problem_neuron=problem.neuron)
                travel.drop_last_epoch()
                break
            st.epoch = epoch + 1
            done += 1
            if until_loss is not None and loss <= until_loss:
                break
            if breakpoints is not None:
                st.breakpoint = breakpoints.check(net, recent, epoch)
                if st.breakpoint:
                    break
    st.losses.extend(chunk)
    if batch is not None:
        st.batch_losses.extend(parts_all)
    if test_rows:
        st.test_losses.truncate(len(st.losses) - len(chunk))
        st.test_losses.extend(tests)
    if st.epoch > first:  # ΔW, Δb of the last update: θ now − θ at its epoch's start
        np.subtract(net.theta, history.get(st.epoch - 1), out=st._change_flat)
    st.last_events = []
    return done
