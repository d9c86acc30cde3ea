"""Handouts: what ``e`` (and ``train --export``) writes for a class to take home.

Per export folder:

* ``loss.png``       the followed run's loss curve;
* ``boundary.png``   (tasks with two raw inputs) the prediction map — the decision
                     boundary for classes — with the training points (filled) and the
                     test points (hollow), classes told apart by marker shape;
* ``neurons.png``    (two raw inputs) the neuron-map grid: every hidden and output
                     neuron's activation over the input plane, one small panel each;
* ``compare.png``    (with branches) every branch's loss, each with its own line style
                     and marker and labelled at its end — readable without colour;
* ``surface.png``    (regression with a known function) as before;
* ``handout.md``     one page: the settings and the figures.

Every title carries the task, architecture, lr, optimizer, seed, epoch and — with
branches — the branch and its fork point (:func:`run_title`).  Colour maps are
perceptually uniform (luminance rises monotonically), so every figure reads in
greyscale; every map has a colour bar.

:func:`snapshot` copies what is needed under the session's lock; :func:`write_handout`
draws from the copy (Matplotlib's Agg backend, fine in a worker thread).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tui.core.text import printable
from tui.core.output import atomic_write_text

MAX_MAP_NEURONS = 48         #: neurons drawn in neurons.png (the first ones, layer by layer)
MAP_PIXELS = 60              #: grid side of each neuron map
BOUNDARY_PIXELS = 200
#: line styles and markers per branch (A, B, C, D): told apart without colour
BRANCH_STYLES = (("-", "o"), ("--", "s"), (":", "^"), ("-.", "D"))
CLASS_MARKERS = ("o", "X", "^", "s", "D", "v", "P", "*")
CMAP = "cividis"             #: luminance rises monotonically: fine in greyscale


@dataclass
class BranchCopy:
    letter: str
    label: str
    net: object                       #: NeuralNetwork (a copy)
    lr: float
    epoch: int
    curve: tuple                      #: (epochs, lo, hi) loss envelope
    fork_at: tuple[int, int] | None = None
    parent: str | None = None


@dataclass
class HandoutData:
    """Everything a handout draws, copied out of a session (arrays are copies)."""

    task: str
    architecture: str
    optimizer: str
    seed: int
    kind: str                         #: binary / multiclass / regression
    loss_name: str
    branches: list[BranchCopy]
    followed: int = 0
    points: np.ndarray | None = None  #: (N, 2) raw training points (None: not 2 inputs)
    y: np.ndarray | None = None       #: (N, K)
    points_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    features: object = None           #: raw points → network inputs, or None
    truth: object = None              #: the regression's true function, or None
    extra: dict = field(default_factory=dict)


def snapshot(session) -> HandoutData:
    """Copy what a handout needs from ``session`` (takes its lock)."""
    from tui.core import branches as br  # loaded when a handout is drawn: start-up time
    # loaded when a handout is drawn: start-up time
    from tui.view.frame import map_inputs, maps_available

    with session.lock:
        problem, cfg = session.problem, session.config
        copies = []
        for i, b in enumerate(session.branches):
            st = b.stepper
            copies.append(BranchCopy(
                letter=br.letter(i), label=br.label(session.branches, i),
                net=b.problem.net.copy(), lr=st.lr, epoch=st.epoch,
                curve=tuple(np.array(a, copy=True) for a in st.losses.envelope(2000)),
                fork_at=b.fork_at, parent=None if b.parent is None else br.letter(b.parent)))
        X2, X2_test = map_inputs(problem) if maps_available(problem) else (None, None)
        features = getattr(problem, "features", None)
        return HandoutData(
            task=cfg.label, architecture=problem.net.describe(), optimizer=optimizer_text(cfg),
            seed=cfg.seed, kind=problem.kind, loss_name=problem.net.loss.name,
            branches=copies, followed=session.branch,
            points=None if X2 is None else X2.copy(), y=problem.y.copy(),
            points_test=None if X2_test is None else X2_test.copy(),
            y_test=None if problem.y_test is None else problem.y_test.copy(),
            features=features if callable(features) else None,
            truth=cfg.target_function)


def from_problem(problem, losses) -> HandoutData:
    """A handout of a trained :class:`~tui.core.config.Problem` (``train --export``): one run,
    ``losses`` (epochs,) the loss before each update."""
    # loaded when a handout is drawn: start-up time
    from tui.view.frame import map_inputs, maps_available

    cfg, net = problem.config, problem.net
    values = np.asarray(losses, dtype=float).ravel()
    epochs = np.arange(len(values), dtype=float)
    X2, X2_test = map_inputs(problem) if maps_available(problem) else (None, None)
    features = getattr(problem, "features", None)
    return HandoutData(
        task=cfg.label, architecture=net.describe(), optimizer=optimizer_text(cfg),
        seed=cfg.seed, kind=problem.kind, loss_name=net.loss.name,
        branches=[BranchCopy("A", f"A: lr {cfg.lr:g}", net.copy(), cfg.lr, len(values),
                             (epochs, values, values))],
        points=X2, y=problem.y, points_test=X2_test, y_test=problem.y_test,
        features=features if callable(features) else None, truth=cfg.target_function)


def names_for(problem) -> list[str]:
    """What :func:`write_handout` writes for ``problem`` with one branch (checked before
    ``train`` starts)."""
    from tui.view.frame import maps_available  # loaded when a handout is drawn: start-up time

    names = ["loss.png"] + (["boundary.png", "neurons.png"] if maps_available(problem) else [])
    return names + (["surface.png"] if problem.config.target_function is not None else []) \
        + ["handout.md"]


def optimizer_text(cfg) -> str:
    """"gradient descent", "nesterov β 0.9", "rmsprop ρ 0.9", "adam"."""
    name = getattr(cfg, "optimizer", "gd") or "gd"
    return "gradient descent" if name == "gd" else cfg.optimizer_text()


def run_title(d: HandoutData, index: int | None = None, what: str = "", width: int = 70) -> str:
    """``loss — spiral · 2–16–16–1 tanh/sigmoid · lr 0.3 · adam · seed 4 · epoch 1200 ·
    branch B (forked from A at epoch 400)``, broken at `` · `` into lines of at most
    ``width`` characters where it is longer (nothing is left out)."""
    b = d.branches[d.followed if index is None else index]
    parts = [d.task, d.architecture, f"lr {b.lr:g}", d.optimizer, f"seed {d.seed}",
             f"epoch {b.epoch}"]
    if len(d.branches) > 1:
        fork = ("" if b.fork_at is None else
                f" (forked from {b.parent} at epoch {b.fork_at[0]}"
                + (f", step {b.fork_at[1]}" if b.fork_at[1] else "") + ")")
        parts.append(f"branch {b.letter}{fork}")
    if what:
        parts[0] = f"{what} — {parts[0]}"
    lines, line = [], ""
    for part in parts:
        if line and len(line) + 3 + len(part) > width:
            lines.append(line)
            line = part
        else:
            line = f"{line} · {part}" if line else part
    lines.append(line)
    return printable("\n".join(lines), keep_newlines=True)


def _pyplot():
    from tui.view.plots import _pyplot as p  # loaded when a handout is drawn: start-up time

    return p()


def _save(fig, path: Path) -> Path:
    """Write ``fig`` as PNG atomically, then close it."""
    from tui.view.plots import _save_png  # loaded when a handout is drawn: start-up time

    return _save_png(fig, path)


# ------------------------------------------------------------------ figures
def loss_figure(d: HandoutData, path: Path) -> Path:
    from tui.view.plots import loss_curve  # loaded when a handout is drawn: start-up time

    return loss_curve(d.branches[d.followed].curve, path,
                      title=run_title(d, what="training loss"),
                      ylabel=f"{d.loss_name} loss (log scale)")


def _grid(d: HandoutData, pixels: int):
    from nn import maps as nn_maps  # loaded when a handout is drawn: start-up time

    pts = d.points if d.points_test is None else np.vstack([d.points, d.points_test])
    bounds = nn_maps.data_bounds(pts)
    return bounds, nn_maps.grid_points(bounds, pixels, pixels)


def _classes(y: np.ndarray, kind: str) -> np.ndarray:
    if kind == "multiclass":
        return y.argmax(axis=1)
    return (y[:, 0] > 0.5).astype(int)


def boundary_figure(d: HandoutData, path: Path) -> Path:
    """The prediction map with the data: classes → regions (boundary line at 0.5, or the
    largest output), regression → the predicted value; train filled, test hollow."""
    from nn import maps as nn_maps  # loaded when a handout is drawn: start-up time

    plt = _pyplot()
    b = d.branches[d.followed]
    bounds, grid = _grid(d, BOUNDARY_PIXELS)
    out = nn_maps.layer_activations(b.net, grid, d.features)[-1]
    extent = (bounds.x1_lo, bounds.x1_hi, bounds.x2_lo, bounds.x2_hi)
    fig, ax = plt.subplots(figsize=(6.4, 5.6), dpi=120)
    side = BOUNDARY_PIXELS
    if d.kind == "multiclass":
        k = out.shape[1]
        image = out.argmax(axis=1).reshape(side, side)
        shown = ax.imshow(image, extent=extent, cmap=plt.get_cmap(CMAP, k), vmin=-0.5,
                          vmax=k - 0.5, alpha=0.55, interpolation="nearest")
        bar = fig.colorbar(shown, ax=ax, ticks=range(k))
        bar.set_label("predicted class (largest output)")
    else:
        image = out[:, 0].reshape(side, side)
        lo, hi = (0.0, 1.0) if d.kind == "binary" else (float(np.nanmin(image)),
                                                        float(np.nanmax(image)))
        shown = ax.imshow(image, extent=extent, cmap=CMAP, vmin=lo, vmax=hi, alpha=0.75,
                          interpolation="bilinear")
        bar = fig.colorbar(shown, ax=ax)
        bar.set_label("ŷ (network output)")
        if d.kind == "binary":
            xs = np.linspace(bounds.x1_lo, bounds.x1_hi, side)
            ys = np.linspace(bounds.x2_hi, bounds.x2_lo, side)
            ax.contour(xs, ys, image, levels=[0.5], colors="black", linewidths=1.8)
    for pts, y, hollow, name in ((d.points, d.y, False, "train"),
                                 (d.points_test, d.y_test, True, "test")):
        if pts is None or y is None or not len(pts):
            continue
        if d.kind == "regression":
            ax.scatter(pts[:, 0], pts[:, 1], s=14, marker="o",
                       facecolors="none" if hollow else "white", edgecolors="black",
                       linewidths=0.8, label=name)
            continue
        labels = _classes(y, d.kind)
        for c in np.unique(labels):
            sel = labels == c
            marker = CLASS_MARKERS[int(c) % len(CLASS_MARKERS)]
            ax.scatter(pts[sel, 0], pts[sel, 1], s=26, marker=marker,
                       facecolors="none" if hollow else ("white" if c == 0 else "black"),
                       edgecolors="black", linewidths=0.9,
                       label=f"{name}: class {int(c)}")
    ax.set_xlim(bounds.x1_lo, bounds.x1_hi)
    ax.set_ylim(bounds.x2_lo, bounds.x2_hi)
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=7, framealpha=0.85)
    what = ("decision boundary (ŷ = 0.5)" if d.kind == "binary" else
            "predicted class regions" if d.kind == "multiclass" else "prediction map")
    ax.set_title(run_title(d, what=what, width=55), fontsize=8.5)
    fig.tight_layout()
    return _save(fig, path)


def neurons_figure(d: HandoutData, path: Path) -> Path:
    """Every hidden and output neuron's activation over the input plane (a grid)."""
    from nn import maps as nn_maps  # loaded when a handout is drawn: start-up time
    from nn.naming import neuron_name  # loaded when a handout is drawn: start-up time

    plt = _pyplot()
    b = d.branches[d.followed]
    bounds, grid = _grid(d, MAP_PIXELS)
    acts = nn_maps.layer_activations(b.net, grid, d.features)
    sizes = tuple(b.net.sizes)
    cells = [(l, j) for l, a in enumerate(acts) for j in range(a.shape[1])][:MAX_MAP_NEURONS]
    cols = min(8, len(cells))
    rows = -(-len(cells) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(1.6 * cols + 1.4, 1.75 * rows + 1.0),
                             dpi=110, squeeze=False)
    extent = (bounds.x1_lo, bounds.x1_hi, bounds.x2_lo, bounds.x2_hi)
    lo = min(float(np.nanmin(acts[l][:, j])) for l, j in cells)
    hi = max(float(np.nanmax(acts[l][:, j])) for l, j in cells)
    if not np.isfinite(lo) or not np.isfinite(hi) or lo == hi:
        lo, hi = (0.0, 1.0) if not np.isfinite(lo) or not np.isfinite(hi) else (lo - 1, hi + 1)
    shown = None
    for k, ax in enumerate(axes.ravel()):
        ax.set_xticks([])
        ax.set_yticks([])
        if k >= len(cells):
            ax.axis("off")
            continue
        l, j = cells[k]
        image = acts[l][:, j].reshape(MAP_PIXELS, MAP_PIXELS)
        shown = ax.imshow(image, extent=extent, cmap=CMAP, vmin=lo, vmax=hi,
                          interpolation="nearest")
        ax.set_title(f"{neuron_name(l, j, sizes)} (layer {l + 1})", fontsize=7)
    fig.colorbar(shown, ax=axes, shrink=0.8, label="activation a")
    left = sum(a.shape[1] for a in acts) - len(cells)
    note = f" (first {len(cells)}; {left} more not shown)" if left > 0 else ""
    fig.suptitle(run_title(d, what="neuron maps" + note), fontsize=8.5)
    return _save(fig, path)


def compare_figure(d: HandoutData, path: Path) -> Path:
    """Every branch's loss on one log axis: each its own line style and marker, labelled
    by letter at its end and in the legend (with what differs), so no colour is needed."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.4, 4.4), dpi=120)
    for i, b in enumerate(d.branches):
        epochs, lo, hi = b.curve
        with np.errstate(all="ignore"):
            mid = np.sqrt(np.asarray(lo) * np.asarray(hi))
        ok = np.isfinite(mid) & (mid > 0)
        if not ok.any():
            continue
        style, marker = BRANCH_STYLES[i % len(BRANCH_STYLES)]
        every = max(1, int(ok.sum()) // 8)
        ax.plot(np.asarray(epochs)[ok], mid[ok], linestyle=style, marker=marker,
                markevery=every, markersize=5, lw=1.6, color=f"{0.1 + 0.2 * i:.2f}",
                markerfacecolor="white" if i % 2 else f"{0.1 + 0.2 * i:.2f}",
                label=printable(b.label)
                + ("" if b.fork_at is None else f" — forked at epoch {b.fork_at[0]}"))
        ax.annotate(b.letter, xy=(np.asarray(epochs)[ok][-1], mid[ok][-1]), xytext=(4, 0),
                    textcoords="offset points", fontsize=10, fontweight="bold", va="center")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"{d.loss_name} loss (log scale)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    title = run_title(d, what="branches compared")
    ax.set_title(title, fontsize=8.5)
    fig.tight_layout()
    return _save(fig, path)


# ------------------------------------------------------------------ the handout
def handout_names(d: HandoutData) -> list[str]:
    names = ["loss.png"]
    if d.points is not None:
        names += ["boundary.png", "neurons.png"]
    if len(d.branches) > 1:
        names.append("compare.png")
    if d.truth is not None:
        names.append("surface.png")
    return names + ["handout.md"]


def write_handout(folder: Path, d: HandoutData) -> list[Path]:
    """Write every figure that applies and handout.md into ``folder`` (made if missing);
    returns the paths written.  OSError/ValueError name the file."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = [loss_figure(d, folder / "loss.png")]
    if d.points is not None:
        written.append(boundary_figure(d, folder / "boundary.png"))
        written.append(neurons_figure(d, folder / "neurons.png"))
    if len(d.branches) > 1:
        written.append(compare_figure(d, folder / "compare.png"))
    if d.truth is not None:
        from tui.view.plots import surface  # loaded when a handout is drawn: start-up time

        net, features = d.branches[d.followed].net, d.features

        def predict(points: np.ndarray) -> np.ndarray:
            return net.predict(points if features is None else features(points))

        written.append(surface(predict, d.truth, folder / "surface.png",
                               title=run_title(d, what="true vs predicted")))
    written.append(atomic_write_text(folder / "handout.md", handout_markdown(d, written)))
    return written


FIGURE_WORDS = {
    "loss.png": "The training loss per epoch (log scale).",
    "boundary.png": "What the network predicts over the input plane, with the training "
                    "points (filled) and the test points (hollow); markers tell the classes apart.",
    "neurons.png": "What every neuron computes over the input plane (darker = lower activation).",
    "compare.png": "Every branch's loss; line styles, markers and letters tell them apart.",
    "surface.png": "The true function and the network's prediction as 3D surfaces.",
}


def handout_markdown(d: HandoutData, written: list[Path]) -> str:
    b = d.branches[d.followed]
    rows = [("task", d.task), ("architecture", d.architecture), ("learning rate", f"{b.lr:g}"),
            ("optimizer", d.optimizer), ("seed", str(d.seed)), ("epoch", str(b.epoch)),
            ("loss", d.loss_name)]
    if len(d.branches) > 1:
        rows.append(("branches", "; ".join(
            printable(x.label) + ("" if x.fork_at is None else
                                  f" (forked from {x.parent} at epoch {x.fork_at[0]})")
            for x in d.branches)))
        rows.append(("shown", f"branch {b.letter}"))
    last = b.curve[2][-1] if len(b.curve[2]) else None
    if last is not None and np.isfinite(last):
        rows.append(("final loss", f"{float(last):.4g}"))
    lines = [f"# tinynet-tui handout: {printable(d.task)}", "",
             "| setting | value |", "|---|---|"]
    lines += [f"| {k} | {printable(v).replace('|', '/')} |" for k, v in rows]
    lines += ["", "## Figures", ""]
    for path in written:
        lines += [f"### {path.name}", "", FIGURE_WORDS.get(path.name, ""), "",
                  f"![{path.stem}]({path.name})", ""]
    lines += ["To see it again step by step: save the session in the app (`S`) and open it "
              "with `tinynet-tui --replay FILE.json`.", ""]
    return "\n".join(lines)
