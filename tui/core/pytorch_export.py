"""A run as a standalone PyTorch script that reproduces it (``train --export-pytorch``).

:func:`write` writes one readable Python file (its text: :mod:`tui.core.pytorch_script`)
that imports only ``torch`` (and NumPy for the mini-batch order, which is NumPy's
generator): the same ``nn.Sequential``, the same initial weights, the same data, loss,
optimizer, weight decay and mini-batch order, in float64, for the same epochs.  Run, it
prints its loss every k epochs beside this engine's recorded loss and the largest
relative difference, and exits 1 if that exceeds ``LIMIT`` (1e-9).

Here: which losses to compare (:func:`prepare`: the engine's record, up to the first
NaN/inf), whether the run is chaotic (:func:`sensitivity`; then each compared epoch
restarts from the engine's state, :func:`engine_states`), and what goes in a
``.safetensors`` file beside the script (the data and weights of a large run,
:data:`EMBED_LIMIT`; a chaotic run's states).  Pure: NumPy and :mod:`nn`, no textual or rich.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from nn import NeuralNetwork
from nn import safetensors
from nn.io import atomic_write
from nn.state_dict import optimizer_state_arrays, state_dict

from .pytorch_script import LIMIT, check_exportable, script  # noqa: F401 - LIMIT: re-exported

#: at most this many numbers (data + weights) are written into the script itself
EMBED_LIMIT = 40_000
#: about this many epochs are compared and printed (every k-th, and the last)
ROWS = 10


@dataclass
class Run:
    """What the script reproduces.  ``net`` is at its *starting* weights and optimizer
    state; ``X`` (N, n_in), ``y`` (N, n_out) what it trains on; ``losses`` the loss this
    engine recorded for each epoch (None: computed here, by :func:`engine_losses`)."""

    net: NeuralNetwork
    X: np.ndarray
    y: np.ndarray
    lr: float
    epochs: int
    batch: int | None = None
    losses: list[float] | None = None
    label: str = "run"       #: the task or data file, for the script's title


def engine_losses(net: NeuralNetwork, X, y, lr: float, epochs: int,
                  batch: int | None = None) -> list[float]:
    """Each epoch's loss as this engine records it, training a float64 copy of ``net``
    (``net`` itself is left as it is); stops at the first non-finite loss."""
    copy = net.copy(np.float64)
    with np.errstate(all="ignore"):
        return copy.fit(X, y, epochs=epochs, lr=lr, batch=batch).losses


def checkpoints(epochs: int, rows: int = ROWS) -> list[int]:
    """The epochs compared: 0, k, 2k, … and the last (k = ⌈epochs/rows⌉)."""
    k = max(1, math.ceil(epochs / rows))
    return sorted(set(range(0, epochs, k)) | {epochs - 1})


@dataclass
class Plan:
    """What :func:`script` writes, computed by :func:`prepare`."""

    run: Run
    epochs: int                  #: epochs trained (up to the first non-finite loss)
    compare: dict[int, float]    #: the engine's loss at the compared epochs
    #: why the script restarts each compared epoch from the engine's state (None: it
    #: trains freely from the initial weights)
    chaos: str | None = None
    #: epoch → (state dict, optimizer state in torch's names, step count t) at its start
    restarts: dict = field(default_factory=dict)
    embed: bool = True           #: data and initial weights written into the script


def prepare(run: Run, embed_limit: int = EMBED_LIMIT) -> Plan:
    """The losses to compare, and whether the run is chaotic (:func:`sensitivity`);
    ValueError (one line) for an optimizer without a torch.optim equivalent."""
    check_exportable(run.net)
    n = len(run.X)
    if run.batch is not None and run.batch >= n:  # one batch of all: the engine's full batch
        run = replace(run, batch=None)
    losses = run.losses if run.losses is not None else engine_losses(
        run.net, run.X, run.y, run.lr, run.epochs, run.batch)
    epochs = min(run.epochs, _finite_prefix(losses))
    if epochs < 1:
        raise ValueError("the run has no epoch with a finite loss to compare")
    compare = {e: float(losses[e]) for e in checkpoints(epochs)}
    plan = Plan(run, epochs, compare,
                embed=run.X.size + run.y.size + run.net.n_params <= embed_limit)
    plan.chaos = sensitivity(plan)
    if plan.chaos:
        plan.restarts = engine_states(run, set(compare) - {0})
    return plan


#: how much :func:`sensitivity` changes one initial weight (relative)
NUDGE = 1e-15
#: a run is chaotic when that change moves the engine's own loss by more than this
CHAOTIC = 1e-12


def sensitivity(plan: Plan) -> str | None:
    """Why no float64 reimplementation can follow this run freely, or None: the engine
    itself, with its first weight changed by a relative :data:`NUDGE` (about the
    rounding of one operation), records losses that differ by more than
    :data:`CHAOTIC` at a compared epoch.  Rounding differences grow like that in
    chaotic training (large steps), however exact each step is."""
    run = plan.run
    nudged = run.net.copy(np.float64)
    W = nudged.layers[0].W
    W[0, 0] = W[0, 0] * (1.0 + NUDGE) if W[0, 0] else NUDGE
    other = engine_losses(nudged, run.X, run.y, run.lr, plan.epochs, run.batch)
    worst, at = 0.0, 0
    for epoch, loss in plan.compare.items():
        mine = other[epoch] if epoch < len(other) else math.nan
        difference = abs(mine - loss) / max(abs(loss), 1e-300)
        if not difference <= worst:
            worst, at = difference, epoch
    if worst <= CHAOTIC:
        return None
    return (f"changing one initial weight by {NUDGE:g} (relative) changes the engine's own "
            f"loss at epoch {at} by {worst:.2g} (relative)")


def engine_states(run: Run, epochs: set[int]) -> dict:
    """The engine's state at the start of each of ``epochs``: (state dict, optimizer state
    in torch's names, step count t), training a float64 copy of ``run.net``."""
    copy = run.net.copy(np.float64)
    states = {}

    def grab(epoch: int, loss: float) -> None:
        if epoch + 1 in epochs:
            states[epoch + 1] = (state_dict(copy), optimizer_state_arrays(copy),
                                 copy.optimizer.t)

    if epochs:
        with np.errstate(all="ignore"):
            copy.fit(run.X, run.y, epochs=max(epochs), lr=run.lr, batch=run.batch,
                     callback=grab)
    return states


def _finite_prefix(losses) -> int:
    """How many losses there are before the first NaN/inf."""
    for i, v in enumerate(losses):
        if not math.isfinite(v):
            return i
    return len(losses)


def sidecar_tensors(plan: Plan) -> dict[str, np.ndarray]:
    """What the ``.safetensors`` beside the script holds (float64): X, Y and the initial
    state dict unless they are embedded, and the engine's states of a chaotic run."""
    tensors = {}
    if not plan.embed:
        tensors["X"] = np.asarray(plan.run.X, np.float64)
        tensors["Y"] = np.asarray(plan.run.y, np.float64)
        tensors.update({k: v.astype(np.float64) for k, v in state_dict(plan.run.net).items()})
    for epoch, (params, slots, _) in sorted(plan.restarts.items()):
        for name, value in params.items():
            tensors[f"{epoch}/{name}"] = value
            for key, array in slots.get(name, {}).items():
                tensors[f"{epoch}/{name}/{key}"] = array
    return tensors


def write(path: str | Path, run: Run, embed_limit: int = EMBED_LIMIT) -> list[Path]:
    """Write the script to ``path`` (and ``<path stem>.safetensors`` beside it when the data
    and weights hold more than ``embed_limit`` numbers, or the run is chaotic), atomically;
    returns the paths written.  ``OSError`` propagates; ``ValueError`` when nothing can be
    compared (the first epoch's loss is already NaN/inf)."""
    path = Path(path)
    plan = prepare(run, embed_limit)
    written = [path]
    sidecar = None
    if not plan.embed or plan.restarts:
        side = path.with_suffix(".safetensors")
        sidecar = side.name
        safetensors.write(side, sidecar_tensors(plan))
        written.append(side)
    text = script(plan, sidecar)
    atomic_write(path, lambda f: f.write(text.encode("utf-8")))
    return written


def sidecar_path(path: str | Path) -> Path:
    """Where :func:`write` may put the ``.safetensors`` beside the script."""
    return Path(path).with_suffix(".safetensors")


#: the most epochs the app's export trains again (the engine runs them up to 3 times)
MAX_APP_EPOCHS = 20_000


def run_of_stepper(stepper, label: str, epochs: int | None = None) -> Run:
    """The run a :class:`~nn.stepper.Stepper` is on, from its starting weights and
    optimizer state: for the epochs played so far (``epochs`` when none is played yet),
    at most :data:`MAX_APP_EPOCHS`.  The engine's losses are computed again from the
    start (edits to weights made while stepping are not part of the run)."""
    net = stepper.net.copy()
    net.set_params(stepper.initial_params)
    net.optimizer.set_state(stepper.initial_optimizer)
    played = stepper.epoch or epochs or 1
    return Run(net, stepper.X, stepper.y, stepper.lr, min(played, MAX_APP_EPOCHS),
               stepper.batch, label=label)
