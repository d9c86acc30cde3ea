"""Branches: fork a run at any step (mid-epoch included) and let the copies go on
in lockstep, and the compare view's data.

A :class:`Branch` is one run: its Problem (config, network, data), its Stepper
and its step trace.  Branch A is the run the session started with; ``fork``
copies the followed branch *exactly* (parameters, gradients, the layers' x/z/a/δ,
the stepper's epoch and cursor, pending ∂L/∂a, last changes, loss history, the
per-epoch θ ring and the undo stack), so stepping or playing the copy gives the
very numbers the original would.  What the session does with branches (which one
the panels follow, lockstep) lives in :mod:`tui.core.session`.

The compare view (:class:`CompareView`) is built under the session's lock from
every branch and holds copies only: loss envelopes, the epoch, loss and lr of
each branch, and how far its parameters θ are from branch A's
(‖θᵢ − θ_A‖, the largest |Δ| and which weight it is, named by :mod:`nn.naming`).
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field, fields, replace

import numpy as np

from nn import StepEvent, Stepper
from nn.naming import param_name
from nn.timeline import EpochSnapshots

from tui.core.config import Problem

#: at most this many runs at once (A and three forks)
MAX_BRANCHES = 4
LETTERS = "ABCD"
#: the plot colour of each branch (plotext names), also used in the table
COLOURS = ("cyan", "orange", "green", "magenta")


def letter(index: int) -> str:
    """``0`` → ``A``: how a branch is named on screen and in messages."""
    return LETTERS[index]


def fork_error(count: int) -> str | None:
    """Why a run with ``count`` branches cannot be forked again, or None."""
    if count >= MAX_BRANCHES:
        return (f"at most {MAX_BRANCHES} branches ({LETTERS[0]}–{LETTERS[MAX_BRANCHES - 1]}) "
                f"can exist at once")
    return None


def switch_error(index: int, count: int) -> str | None:
    """Why branch ``index`` (0-based) cannot be followed among ``count``, or None."""
    if not 0 <= index < count:
        have = LETTERS[0] if count == 1 else f"{LETTERS[0]}–{LETTERS[count - 1]}"
        return (f"branch index {index} does not exist: there {'is' if count == 1 else 'are'} "
                f"{count} branch{'' if count == 1 else 'es'} ({have}, indices 0–{count - 1})")
    return None


@dataclass
class Branch:
    """One run of a session: what the panels show while it is followed."""

    problem: Problem
    stepper: Stepper
    #: every step's events since the start, with the (epoch, cursor) after the step
    trace: list[tuple[tuple[int, int], list[StepEvent]]] = field(default_factory=list)
    trace_bytes: int = 0
    parent: int | None = None                  #: the branch it was forked from
    fork_at: tuple[int, int] | None = None     #: (epoch, cursor) of the fork
    edits: list[str] = field(default_factory=list)  #: hand edits since the fork, as text


# ------------------------------------------------------------------- forking
def copy_stepper(stepper: Stepper) -> Stepper:
    """An independent Stepper in exactly the state of ``stepper``.

    ``copy.deepcopy`` does the work; then the links a deep copy breaks are
    re-made: the layers' W, b, dW, db become views into the copy's flat θ and
    gradient vectors again (``NeuralNetwork._flat`` re-packs, keeping values),
    and the per-parameter ``changes`` views into ``_change_flat``.  Shared, never
    copied: the data X, y (never written) and the undo states (each is restored
    by copying out of it, never written); the per-epoch rings (θ, optimizer
    state) are copied for the epochs they hold only, so a fork costs what the
    run has used, not the rings' preallocated size.  The optimizer's state
    vectors are plain arrays and are deep-copied with the network."""
    memo = {id(stepper.X): stepper.X, id(stepper.y): stepper.y,
            id(stepper.undo): copy.copy(stepper.undo)}
    for ring in vars(stepper).values():  # θ (and optimizer-state) rings: used rows only
        if isinstance(ring, EpochSnapshots):
            rows = np.empty_like(ring.rows)
            if len(ring):
                kept = np.arange(ring.oldest, ring.newest + 1) % ring.depth
                rows[kept] = ring.rows[kept]
            memo[id(ring.rows)] = rows
    new = copy.deepcopy(stepper, memo)
    new.net._flat()  # re-adopt W, b, dW, db as views into θ and grad
    flat = new._change_flat
    views, start = [], 0
    for layer, (cw, cb) in zip(new.net.layers, new.changes):
        w_end = start + layer.W.size
        views.append((flat[start:w_end].reshape(layer.W.shape), flat[w_end:w_end + layer.b.size]))
        views[-1][0][...] = cw
        views[-1][1][...] = cb
        start = w_end + layer.b.size
    new.changes = views
    return new


def fork(branch: Branch, index: int) -> Branch:
    """A new branch in exactly ``branch``'s state (``index`` is ``branch``'s own)."""
    stepper = copy_stepper(branch.stepper)
    problem = replace(branch.problem, net=stepper.net, X=stepper.X, y=stepper.y)
    return Branch(problem, stepper, trace=list(branch.trace), trace_bytes=branch.trace_bytes,
                  parent=index, fork_at=(branch.stepper.epoch, branch.stepper.cursor),
                  edits=list(branch.edits))


# ------------------------------------------------------------------- labels
def _value(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def differences(branches: list[Branch], index: int) -> list[str]:
    """What branch ``index`` has that A has not: config fields (lr, and whatever
    else a branch can change), then hand edits, e.g. ``["lr 0.5 (A: 5)"]``."""
    if index == 0:
        return []
    mine, base = branches[index].problem.config, branches[0].problem.config
    out = [f"{f.name} {_value(getattr(mine, f.name))} (A: {_value(getattr(base, f.name))})"
           for f in fields(mine) if getattr(mine, f.name) != getattr(base, f.name)]
    return out + branches[index].edits


def label(branches: list[Branch], index: int) -> str:
    """``B: lr 0.5 (A: 5)``; for A its lr; ``C: as A`` when nothing differs yet."""
    if index == 0:
        return f"A: lr {branches[0].stepper.lr:g}"
    diffs = differences(branches, index)
    return f"{letter(index)}: {', '.join(diffs) if diffs else 'as A'}"


# -------------------------------------------------------------- the view
@dataclass(frozen=True)
class BranchRow:
    """One branch in the compare view (all numbers copied out under the lock)."""

    letter: str
    label: str
    colour: str
    followed: bool
    epoch: int
    cursor: int                #: units of the epoch already run (0: at its start)
    units: int                 #: units in one epoch
    loss: float | None         #: the last recorded loss
    lr: float
    halted: str | None         #: the NaN/inf message if the branch stopped
    fork_at: tuple[int, int] | None
    parent: str | None
    distance: float            #: ‖θ − θ_A‖ (Euclidean, over every weight and bias)
    max_change: float          #: max |θ − θ_A|
    max_where: str | None      #: which parameter that is (``h₁ w₂ (x₂)``), None for A
    epochs: np.ndarray         #: loss envelope: first epoch of each bin
    lo: np.ndarray             #: … smallest loss in the bin
    hi: np.ndarray             #: … largest loss in the bin


@dataclass(frozen=True)
class CompareView:
    rows: tuple[BranchRow, ...]
    baseline: float | None     #: loss of predicting the mean target
    version: int
    #: each branch's network panel data (tui.view.views.DiagramView), when asked for
    diagrams: tuple = ()


def theta(net) -> np.ndarray:
    """Every weight and bias in θ's order (W₀, b₀, W₁, b₁, …), copied: (n_params,)."""
    return np.concatenate([a.ravel() for layer in net.layers for a in (layer.W, layer.b)])


def param_at(net, k: int) -> str:
    """The name of θ[k] (``h₁ w₂ (x₂)``, ``ŷ b``)."""
    sizes = net.sizes
    for l, layer in enumerate(net.layers):
        if k < layer.W.size:
            return param_name(l, "w", tuple(int(i) for i in np.unravel_index(k, layer.W.shape)),
                              sizes)
        k -= layer.W.size
        if k < layer.b.size:
            return param_name(l, "b", (k,), sizes)
        k -= layer.b.size
    raise IndexError("parameter index out of range")


def branch_diagrams(session) -> tuple:
    """Every branch's DiagramView, built by the frame's own builder with each branch
    followed in turn (under the lock; the followed branch is put back)."""
    from tui.view import frame

    diagram = frame.diagram_view
    saved, out = session.branch, []
    try:
        with np.errstate(all="ignore"):
            for i in range(len(session.branches)):
                session.branch = i
                out.append(diagram(session))
    finally:
        session.branch = saved
    return tuple(out)


def build_compare(session, points: int = 240, diagrams: bool = False) -> CompareView:
    """The compare view of ``session``'s branches (with their diagrams if
    ``diagrams``); call under ``session.lock``."""
    branches = session.branches
    base = theta(branches[0].problem.net)
    rows = []
    for i, b in enumerate(branches):
        st = b.stepper
        with np.errstate(invalid="ignore", over="ignore"):  # weights edited to ±1e308
            diff = theta(b.problem.net) - base
            absdiff = np.abs(diff)
            k = int(np.nanargmax(absdiff)) if i and np.isfinite(absdiff).any() else None
            distance = float(np.sqrt(np.sum(diff * diff))) if i else 0.0
        epochs, lo, hi = st.losses.envelope(points)
        rows.append(BranchRow(
            letter=letter(i), label=label(branches, i), colour=COLOURS[i],
            followed=i == session.branch, epoch=st.epoch, cursor=st.cursor, units=len(st.units),
            loss=st.losses.last, lr=st.lr,
            halted=None if st.halted is None else st.halted.problem,
            fork_at=b.fork_at, parent=None if b.parent is None else letter(b.parent),
            distance=distance,
            max_change=float(absdiff[k]) if k is not None else (0.0 if not i else math.nan),
            max_where=None if k is None else param_at(b.problem.net, k),
            epochs=epochs, lo=lo, hi=hi))
    return CompareView(tuple(rows), getattr(session, "baseline_loss", None), session.version,
                       branch_diagrams(session) if diagrams else ())
