"""The compare view's data (``F``): one row per branch — its loss envelope, how far its
weights are from branch A's, where it forked — and, when asked, every branch's diagram.
Built under the session's lock from the branches (:mod:`tui.core.branches`)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nn.naming import param_name

from tui.core.branches import COLOURS, label, letter
from tui.view.frame import diagram_view


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
                               #: and where no parameter differs (max_change 0)
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
    return net._flat()[0].copy()


def param_at(net, k: int) -> str:
    """The name of θ[k] (``h₁ w₂ (x₂)``, ``ŷ b``)."""
    layer, kind, index = net.layout.locate(int(k))
    return param_name(layer, kind, index, net.sizes)


def branch_diagrams(session, width: int = 0) -> tuple:
    """Every branch's DiagramView, built by the frame's own builder with each branch
    followed in turn (under the lock; the followed branch is put back); ``width``: each
    diagram's (0: unknown; a deep network's view then holds every layer)."""
    diagram = diagram_view
    saved, out = session.branch, []
    try:
        with np.errstate(all="ignore"):
            for i in range(len(session.branches)):
                session.branch = i
                out.append(diagram(session, width))
    finally:
        session.branch = saved
    return tuple(out)


def compare_view(session, points: int = 240, diagrams: bool = False,
                 diagram_width: int = 0) -> CompareView:
    """The compare view's data (copies) of ``session``'s branches, with their diagrams if
    ``diagrams`` (each ``diagram_width`` wide, 0: unknown); takes ``session.lock``."""
    with session.lock:
        return build_compare(session, points, diagrams, diagram_width)


def build_compare(session, points: int = 240, diagrams: bool = False,
                  diagram_width: int = 0) -> CompareView:
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
            if k is not None and absdiff[k] == 0:  # no weight differs: none moved most
                k = None                           # (it named h₁ w₁ (x₁) after a fork)
            distance = float(np.sqrt(np.sum(diff * diff))) if i else 0.0
        epochs, lo, hi = st.losses.envelope(points)
        rows.append(BranchRow(
            letter=letter(i), label=label(branches, i), colour=COLOURS[i],
            followed=i == session.branch, epoch=st.epoch, cursor=st.cursor, units=len(st.units),
            loss=st.losses.last, lr=st.lr,
            halted=None if st.halted is None else st.halted.problem,
            fork_at=b.fork_at, parent=None if b.parent is None else letter(b.parent),
            distance=distance,
            max_change=float(absdiff[k]) if k is not None else
            (0.0 if not i or not np.any(absdiff) else math.nan),
            max_where=None if k is None else param_at(b.problem.net, k),
            epochs=epochs, lo=lo, hi=hi))
    return CompareView(tuple(rows), getattr(session, "baseline_loss", None), session.version,
                       branch_diagrams(session, diagram_width) if diagrams else ())
