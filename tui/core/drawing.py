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

import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from nn.datasets import MIN_ROWS

from tui.core.config import Problem, RunConfig, feature_map, new_network
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
        from tui.core.actions import ActionError
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


# ------------------------------------------------------------ the pen (UI state)
@dataclass
class Pen:
    """What a click on the output map adds: class 1 or 0 for a class task (the left
    mouse button draws ``klass``, the right one the other class), a target ``value`` for
    regression.  Not recorded itself: the points it adds are."""

    klass: int = 1
    value: float = 1.0
    step: float = 0.25

    def toggle(self) -> int:
        self.klass = 1 - self.klass
        return self.klass

    def nudge(self, delta: int) -> float:
        self.value = round(self.value + delta * self.step, 10)
        return self.value

    def target(self, kind: str, other: bool = False) -> float:
        """The target a click adds to a ``kind`` task (``other``: the right button)."""
        if kind == "regression":
            return -self.value if other else self.value
        return float(1 - self.klass if other else self.klass)

    def describe(self, kind: str) -> str:
        if kind == "regression":
            return f"pen: target {self.value:g} (right button: {-self.value:g})"
        return f"pen: class {self.klass} (right button: class {1 - self.klass})"


def click(session, view, pen: Pen, x: int, y: int, other: bool = False) -> str | None:
    """Add a point where cell (x, y) of the large output map (``view``: the frame's
    NeuronMapsView) is clicked; returns what happened (one line), or None off the map
    or when the map shown is not the output's."""
    from tui.app.widgets.neuron_map import large_map_point

    if view is None or view.selected[0] != len(session.net.layers) - 1:
        return None
    where = large_map_point(view, x, y)
    return None if where is None else add_at(session, pen, where[0], where[1], other)


def add_at(session, pen: Pen, x1: float, x2: float, other: bool = False) -> str:
    """Draw a point at (x₁, x₂) with ``pen``'s target (``other``: the right button's);
    returns what happened, one line (ActionError if it cannot be drawn)."""
    value = pen.target(drawing_kind(session), other)
    session.add_point(x1, x2, value)
    n = len(session.drawn)
    return f"point {n} at ({x1:.2f}, {x2:.2f}), target {value:g}" + \
        (f" · {too_few(session.drawn)}" if too_few(session.drawn) else "")


def map_hint(session, pen: Pen | None) -> str:
    """The line under the large output map: what a click draws, and the drawing keys."""
    why = refusal(session.problem) if session.drawn is None else None
    if why is not None:
        return why
    kind = drawing_kind(session)
    pen = pen or Pen()
    if kind == "regression":
        what = f"click: y {pen.value:g} (right {-pen.value:g})"
    else:
        what = f"click: class {pen.klass} (right {1 - pen.klass})"
    hint = f"{what} · X del · U clear · D save"
    blocker = session.train_blocker
    return f"{blocker} · {hint}" if blocker else hint


#: (long, short) wordings of the map hint's parts, for a panel too small for the long
#: ones (:func:`tui.app.widgets.predictions.fit_hint` uses them)
SHORTER = (
    (re.compile(r"drawing data needs a 2-class or regression task: (.+) has (\d+) classes"),
     r"drawing needs 2 classes: \1 has \2"),
    (re.compile(r"draw at least (\d+) points to train \((\d+) drawn\)"),
     r"draw ≥\1 (\2 drawn)"),
    (re.compile(r"click: class (\d) \(right (\d)\)"), r"click: \1, right: \2"),
)


def shorter(text: str) -> str:
    """``text`` with the short wording of each part :data:`SHORTER` knows."""
    for long, short in SHORTER:
        text = long.sub(short, text)
    return text


def shown_points(points, drawn: "Drawn | None") -> tuple:
    """The points the output map shows: the drawn set's while one exists (the network
    stays on the last data until enough are drawn, but the map shows what is drawn
    now), else ``points`` (the task's :class:`~tui.view.views.MapPoints`)."""
    if drawn is None:
        return points
    from tui.view.views import MapPoints

    return (MapPoints(drawn.points.copy(), drawn.y[:, 0].copy()),)


def drawing_kind(session) -> str:
    return session.drawn.kind if session.drawn is not None else kind_of(session.problem)


# ------------------------------------------------------------ app wiring
#: keys of :class:`DrawingKeys` (the app adds them to its BINDINGS)
def bindings() -> list:
    from textual.binding import Binding

    return [
        Binding("N", "settings", "network", show=False,
                tooltip="settings: hidden layers, neurons, activation, input features, noise"),
        Binding("C", "pen", "pen", show=False,
                tooltip="drawing data (m, output map): class 0 ⇄ 1 (regression: target ±)"),
        Binding("X", "remove_point", "remove point", show=False,
                tooltip="drawing data: remove the point nearest the mouse on the output map"),
        Binding("U", "clear_points", "clear points", show=False,
                tooltip="drawing data: remove every point (then draw from nothing)"),
        Binding("D", "save_data", "save data", show=False,
                tooltip="save the data (drawn or the task's) as CSV for --data (never overwrites)"),
    ]


class DrawingKeys:
    """App mixin: the settings screen and drawing data on the large output map.  Needs
    the app's ``session``, ``pause``, ``redraw``, ``say``, ``save_dir``."""

    pen: Pen

    def action_settings(self) -> None:
        from tui.app.screens.settings import SettingsScreen

        self.pause()

        def done(changes) -> None:
            if changes:
                self.say(f"network rebuilt: {'–'.join(map(str, self.session.net.sizes))} "
                         f"(changed {', '.join(changes)})", timeout=3)
            self.redraw(True)

        self.push_screen(SettingsScreen(self.session), done)

    def _pen(self) -> Pen:
        if getattr(self, "pen", None) is None:
            self.pen = Pen()
        return self.pen

    def _drawing(self, change) -> None:
        self.pause()
        try:
            message = change()
        except ValueError as exc:  # ActionError too
            self.say(str(exc), severity="warning")
            return
        blocker = self.session.train_blocker
        self.say(message + (f" · {blocker}" if blocker and blocker not in message else ""),
                 timeout=2)
        self.redraw(True)

    def on_predictions_map_clicked(self, message) -> None:
        """Left button: the pen's class (or target); right: the other; ctrl: remove."""
        if message.ctrl:
            def remove() -> str:
                self.session.remove_point(message.x1, message.x2)
                return f"removed the point nearest ({message.x1:.2f}, {message.x2:.2f})"
            self._drawing(remove)
            return
        self._drawing(lambda: add_at(self.session, self._pen(), message.x1, message.x2,
                                     other=message.button == 3))

    def action_pen(self) -> None:
        pen = self._pen()
        why = refusal(self.session.problem) if self.session.drawn is None else None
        if why is not None:
            self.say(why, severity="warning")
            return
        if drawing_kind(self.session) == "regression":
            pen.value = -pen.value
        else:
            pen.toggle()
        self.say(pen.describe(drawing_kind(self.session)), timeout=2)

    def action_remove_point(self) -> None:
        from tui.app.widgets.predictions import Predictions

        where = self.query_one(Predictions).pointer
        if where is None:
            self.say("point at the output map (m) with the mouse, then press X to remove the "
                     "point nearest it")
            return

        def remove() -> str:
            self.session.remove_point(*where)
            return f"removed the point nearest ({where[0]:.2f}, {where[1]:.2f}): " \
                   f"{len(self.session.drawn)} left"
        self._drawing(remove)

    def action_clear_points(self) -> None:
        def clear() -> str:
            self.session.clear_points()
            return "cleared the data: click on the output map (m) to draw points"
        self._drawing(clear)

    def action_save_data(self) -> None:
        try:
            path = self.session.save_drawn(Path(self.save_dir) / "drawn.csv")
        except (OSError, ValueError) as exc:
            self.say(str(exc), title="Save failed", severity="error")
            return
        self.say(f"saved {path}; train on it with tinynet-tui --data {path.name}",
                 title="Data saved")
