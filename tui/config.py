"""What to train: a task or CSV file, an architecture, a learning rate, a seed.

``RunConfig`` is filled from the command line (or the app's keys) and
``build`` turns it into a network and data.  Unset fields fall back to the
task's preset (:mod:`nn.presets`).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from nn import NeuralNetwork, datasets, load
from nn.metrics import binary_accuracy, r_squared
from nn.presets import CSV_PRESETS, PRESETS, Preset

TASKS = list(PRESETS)

#: Fixed memory the app may add on top of the network: the stepper's per-epoch θ history
#: (32 MiB) and its undo states (32 MiB), see :mod:`nn.stepper`.
HISTORY_BUDGET_BYTES = 64 * 1024 * 1024
#: A network may use at most this fraction of physical memory (estimated by
#: :func:`estimate_bytes`); 8 GiB is assumed where the size cannot be read.
MEMORY_FRACTION = 0.5


def estimate_bytes(sizes, n_samples: int, itemsize: int = 8) -> int:
    """Bytes a network of layer widths ``sizes`` (inputs first) needs to train on
    ``n_samples`` rows: 5 copies of the parameters (θ, gradients, the initial weights,
    ≥ 2 epoch snapshots), 5 arrays per neuron and sample (x, z, a, δ, ∂L/∂a), plus
    :data:`HISTORY_BUDGET_BYTES`."""
    params = sum((n_in + 1) * n_out for n_in, n_out in zip(sizes, sizes[1:]))
    return itemsize * (5 * params + 5 * n_samples * sum(sizes)) + HISTORY_BUDGET_BYTES


def memory_cap() -> int:
    """:data:`MEMORY_FRACTION` of physical memory, in bytes."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        total = 8 * 1024 ** 3
    return int(total * MEMORY_FRACTION)


def _size(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return ""


def check_fits(sizes, n_samples: int, cap: int | None = None) -> None:
    """Raise ``ValueError`` (one line, with the size needed) if the network would not fit."""
    need, cap = estimate_bytes(sizes, n_samples), memory_cap() if cap is None else cap
    if need > cap:
        shape = "–".join(map(str, sizes))
        raise ValueError(f"a {shape} network on {n_samples} samples would need about "
                         f"{_size(need)} of memory; the limit is {_size(cap)} "
                         f"(half of this machine's memory): use smaller --hidden sizes")


@dataclass(frozen=True)
class RunConfig:
    task: str = "xor"
    data: Path | None = None          #: a CSV file instead of a built-in task
    hidden: tuple[int, ...] | None = None
    activation: str | None = None
    lr: float | None = None
    seed: int = 0
    epochs: int | None = None
    load: Path | None = None          #: start from a saved model

    data_kind: str | None = None      #: "binary"/"regression", known once the CSV is read

    @property
    def preset(self) -> Preset:
        if self.data:
            return CSV_PRESETS[self.data_kind or "regression"]
        return PRESETS[self.task]

    @property
    def target_function(self):
        """The true function behind the data (x₁² + x₂² for the regression task), or None."""
        return datasets.regression_target if self.data is None and self.task == "regression" \
            else None

    @property
    def is_gate(self) -> bool:
        return self.data is None and self.task in ("and", "xor")

    @property
    def label(self) -> str:
        return self.data.name if self.data else self.task

    def resolved(self) -> "RunConfig":
        """A copy with every unset field filled from the preset."""
        p = self.preset
        return replace(
            self,
            hidden=p.hidden if self.hidden is None else self.hidden,
            activation=self.activation or p.activation,
            lr=p.lr if self.lr is None else self.lr,
            epochs=p.epochs if self.epochs is None else self.epochs,
        )


@dataclass
class Problem:
    """A network and the data it learns, plus how to score it."""

    config: RunConfig          #: resolved
    net: NeuralNetwork
    X: np.ndarray              #: (N, 2)
    y: np.ndarray              #: (N, 1)
    kind: str                  #: "binary" or "regression"

    def score(self) -> tuple[str, float]:
        """("accuracy", fraction) for two-class tasks, ("R²", value) for regression.

        R² for the regression task is measured on a held-out 25×25 grid."""
        if self.kind == "binary":
            return "accuracy", binary_accuracy(self.net.predict(self.X), self.y)
        if self.config.target_function is not None:
            Xg, yg = datasets.regression_grid(25)
            return "R²", r_squared(self.net.predict(Xg), yg)
        return "R²", r_squared(self.net.predict(self.X), self.y)


def build(config: RunConfig) -> Problem:
    """Make the data and the network.  Raises ``ValueError`` subclasses
    (``DataError``, ``ModelFileError``) with one-line messages on bad input."""
    if config.data is not None:
        X, y = datasets.load_csv(config.data)
        kind = "binary" if set(np.unique(y)) <= {0.0, 1.0} else "regression"
        config = replace(config, data_kind=kind)
    else:
        X, y = datasets.load_task(config.task)
    cfg = config.resolved()
    kind = cfg.preset.kind
    if cfg.load is not None:
        net, meta = load(cfg.load)
        cfg = _fit_loaded(config, cfg, net, meta, X, y)
    else:
        sizes = [X.shape[1], *cfg.hidden, y.shape[1]]
        check_fits(sizes, len(X))
        net = NeuralNetwork.from_sizes(sizes, cfg.activation, cfg.preset.output, seed=cfg.seed)
    return Problem(cfg, net, X, y, kind)


def _fit_loaded(config: RunConfig, cfg: RunConfig, net: NeuralNetwork, meta: dict,
                X: np.ndarray, y: np.ndarray) -> RunConfig:
    """The resolved config for a loaded model: what the file holds wins over presets; an
    explicit ``hidden``/``activation`` that differs, or a task whose output kind differs,
    is an error; an explicit ``lr`` overrides the saved one."""
    where = cfg.load
    if net.sizes[0] != X.shape[1] or net.sizes[-1] != y.shape[1]:
        raise ValueError(f"{where}: model takes {net.sizes[0]} inputs and gives "
                         f"{net.sizes[-1]} outputs; the data has {X.shape[1]} and {y.shape[1]}")
    hidden = tuple(net.sizes[1:-1])
    if config.hidden is not None and tuple(config.hidden) != hidden:
        shown = ",".join(map(str, hidden)) or "0"
        raise ValueError(f"{where}: the model has hidden layers {shown}, not --hidden "
                         f"{','.join(map(str, config.hidden)) or '0'} (leave --hidden out)")
    activation = net.activations[0] if hidden else cfg.activation
    if hidden and config.activation is not None and config.activation != activation:
        raise ValueError(f"{where}: the model's hidden activation is {activation}, not "
                         f"--activation {config.activation} (leave --activation out)")
    if net.activations[-1] != cfg.preset.output:
        raise ValueError(f"{where}: the model has a {net.activations[-1]} output, but "
                         f"{cfg.label} is a {cfg.preset.kind} task that needs a "
                         f"{cfg.preset.output} output")
    lr = config.lr if config.lr is not None else meta.get("lr") or cfg.lr
    return replace(cfg, hidden=hidden, activation=activation, lr=float(lr))


def saved_task(path: Path) -> str | None:
    """The task a model file was saved for (None if it has none we know); raises
    ``ModelFileError`` for a bad file."""
    task = load(path)[1].get("task")
    return task if task in PRESETS else None
