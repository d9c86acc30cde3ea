"""Data you draw yourself: points added on the output map, removed, cleared, and saved
as a CSV file that ``--data`` reads back.

A :class:`Drawn` set is immutable: every change (:class:`tui.core.actions.AddPoint`,
``RemovePoint``, ``ClearPoints``) makes a new one, the session records the action
and rebuilds the network on the drawn points with the current seed, so a replay
reproduces the very same points and weights.  Drawing starts from the points the
task already has (training and test rows together); ``ClearPoints`` starts from
nothing.  A drawn set is not split into training and test rows, and it needs at least
:data:`nn.datasets.MIN_ROWS` points to train.

The problem built on a drawn set (:func:`build_drawn`) is a CSV-like problem: its
configuration names the data :data:`DRAWN` ("drawn"), so the label, the preset
(:data:`nn.presets.CSV_PRESETS`) and the score treat it like a ``--data`` file.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from nn.datasets import MIN_ROWS

from tui.core.config import Problem, RunConfig, feature_map, new_network
from tui.core.errors import ActionError
from tui.core.output import atomic_write_text, unused_path

#: what a drawn problem's configuration names as its data (shown as its label; never read)
DRAWN = Path("drawn")
#: the most points a drawn set holds
MAX_POINTS = 10_000


@dataclass(frozen=True)
class Drawn:
    """Points (N, 2) and their targets (N, 1): class 0/1 (``kind`` "binary") or a value
    ("regression")."""

    points: np.ndarray
    y: np.ndarray
    kind: str

    def __len__(self) -> int:
        return len(self.points)

    def add(self, x1: float, x2: float, value: float) -> "Drawn":
        """A copy with the point (x₁, x₂) of target ``value`` added last."""
        return replace(self, points=np.vstack([self.points, [[x1, x2]]]),
                       y=np.vstack([self.y, [[value]]]))

    def nearest(self, x1: float, x2: float) -> int | None:
        """Index (from 0) of the point nearest (x₁, x₂), the first on a tie; None if empty."""
        if not len(self):
            return None
        d2 = ((self.points - np.array([x1, x2])) ** 2).sum(axis=1)
        return int(np.argmin(d2))

    def remove_nearest(self, x1: float, x2: float) -> "Drawn":
        """A copy without the point nearest (x₁, x₂) (the same set if it is empty)."""
        i = self.nearest(x1, x2)
        if i is None:
            return self
        keep = np.arange(len(self)) != i
        return replace(self, points=self.points[keep], y=self.y[keep])

    def cleared(self) -> "Drawn":
        return replace(self, points=np.zeros((0, 2)), y=np.zeros((0, 1)))


def kind_of(problem: Problem) -> str:
    """What a drawn point's target is for ``problem``'s task: a class ("binary") or a value."""
    return "regression" if problem.kind == "regression" else "binary"


def refusal(problem: Problem) -> str | None:
    """Why points cannot be drawn for ``problem`` (one line), or None if they can: the pen
    draws class 0/1 or a value, so a task of K > 2 classes is refused."""
    if problem.kind != "multiclass":
        return None
    return (f"drawing data needs a 2-class or regression task: {problem.config.label} has "
            f"{problem.y.shape[1]} classes")


def start_from(problem: Problem) -> Drawn:
    """The drawn set drawing starts from: ``problem``'s raw points, training and test rows
    together, with the first target column.  ActionError (one line) for a task
    :func:`refusal` refuses."""
    why = refusal(problem)
    if why is not None:
        raise ActionError(why)
    points, y = problem.points, problem.y[:, :1]
    if problem.points_test is not None and problem.y_test is not None:
        points = np.vstack([points, problem.points_test])
        y = np.vstack([y, problem.y_test[:, :1]])
    return Drawn(np.array(points[:, :2], dtype=np.float64), np.array(y, dtype=np.float64),
                 kind_of(problem))


def build_drawn(config: RunConfig, drawn: Drawn) -> Problem:
    """The network (from ``config``'s seed, architecture and features) and the drawn data,
    as a problem; ``ValueError`` when the network would not fit in memory."""
    cfg = replace(config, data=DRAWN, data_kind=drawn.kind, load=None).resolved()
    features = feature_map(cfg)
    points = drawn.points.copy()
    X = points if features is None else features(points)
    net = new_network(cfg, X.shape[1], drawn.y.shape[1], len(X))
    return Problem(cfg, net, X, drawn.y.copy(), drawn.kind, points=points, features=features)


def too_few(drawn: Drawn | None) -> str | None:
    """Why a drawn set cannot be trained on, or None if it can."""
    if drawn is None or len(drawn) >= MIN_ROWS:
        return None
    return f"draw at least {MIN_ROWS} points to train ({len(drawn)} drawn)"


def to_csv(drawn: Drawn) -> str:
    """The ``x1,x2,y`` text :func:`nn.datasets.load_csv` reads, exact to the last bit."""
    rows = ["x1,x2,y"]
    rows += [f"{p[0]!r},{p[1]!r},{t!r}" for p, t in
             zip(drawn.points.tolist(), drawn.y[:, 0].tolist())]
    return "\n".join(rows) + "\n"


def save_csv(drawn: Drawn, path: str | Path = "drawn.csv") -> Path:
    """Write the drawn set to ``path`` (or the next free ``name-N.csv``: never overwrites),
    atomically; returns where.  ``ValueError`` with fewer points than ``--data`` reads;
    ``OSError`` if it cannot be written."""
    if len(drawn) < MIN_ROWS:
        raise ValueError(f"cannot save: {too_few(drawn)}")
    return atomic_write_text(unused_path(path), to_csv(drawn))


def drawing_kind(session) -> str:
    return session.drawn.kind if session.drawn is not None else kind_of(session.problem)
