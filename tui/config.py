"""What to train: a task or CSV file, an architecture, a learning rate, a seed.

``RunConfig`` is filled from the command line (or the app's keys) and
``build`` turns it into a network and data.  Unset fields fall back to the
task's preset (:mod:`nn.presets`).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from nn import NeuralNetwork, datasets, load
from nn.metrics import binary_accuracy, r_squared
from nn.presets import CSV_PRESETS, PRESETS, Preset

TASKS = list(PRESETS)


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
        net, _ = load(cfg.load)
        if net.sizes[0] != X.shape[1] or net.sizes[-1] != y.shape[1]:
            raise ValueError(f"{cfg.load}: model takes {net.sizes[0]} inputs and gives "
                             f"{net.sizes[-1]} outputs; the data has {X.shape[1]} and {y.shape[1]}")
        cfg = replace(cfg, hidden=tuple(net.sizes[1:-1]), activation=net.activations[0]
                      if len(net.layers) > 1 else cfg.activation)
    else:
        output = cfg.preset.output
        net = NeuralNetwork.from_sizes([X.shape[1], *cfg.hidden, y.shape[1]],
                                       cfg.activation, output, seed=cfg.seed)
    return Problem(cfg, net, X, y, kind)
