"""Branches: fork a run at any step (mid-epoch included) and let the copies go on
in lockstep, and the compare view's data.

A :class:`Branch` is one run: its Problem (config, network, data), its Stepper
and its step trace.  Branch A is the run the session started with; ``fork``
copies the followed branch *exactly* (``Stepper.copy``: parameters, gradients, the
layers' x/z/a/δ, the stepper's epoch and cursor, pending ∂L/∂a, last changes, loss
history, the per-epoch θ ring and the undo stack), so stepping or playing the copy
gives the very numbers the original would.  What the session does with branches (which one
the panels follow, lockstep) lives in :mod:`tui.core.session`.

The compare view (:class:`CompareView`) is built under the session's lock from
every branch and holds copies only: loss envelopes, the epoch, loss and lr of
each branch, and how far its parameters θ are from branch A's
(‖θᵢ − θ_A‖, the largest |Δ| and which weight it is, named by :mod:`nn.naming`).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

from nn import StepEvent, Stepper

from tui.core import forward_cache
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
def fork(branch: Branch, index: int) -> Branch:
    """A new branch in exactly ``branch``'s state (``index`` is ``branch``'s own)."""
    stepper = branch.stepper.copy()
    forward_cache.inherit(branch.stepper.net, stepper.net)  # the first frame: no pass
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
