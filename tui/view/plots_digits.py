"""Matplotlib figures for image tasks: the weight pictures, the confusion matrix, the mistakes.

``weights.png``: every first-layer neuron's incoming weights as an H×W image, each on a
diverging scale centred on 0 and scaled to its own largest |w| (as the app's grid draws
them); ``confusion.png``: the test set's confusion matrix; ``mistakes.png``: the misclassified
test images, each titled with its true class and the network's answer.  Agg backend; safe in
a worker thread.  Arrays in, files out: nothing here reads a session.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from nn.confusion import confusion_matrix, mistakes

from tui.view.digits_frame import scored_set
from tui.view.plots import IMAGE_PNGS, _pyplot, _save_png

NAMES = IMAGE_PNGS
WEIGHTS_PNG, CONFUSION_PNG, MISTAKES_PNG = IMAGE_PNGS
#: mistakes.png shows at most this many images
MAX_MISTAKES = 40
#: the weight pictures' colours: orange − … dark 0 … blue +, as in the app
CMAP = ["#f28e2b", "#1e1e24", "#4c9be8"]


def _cmap():
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("tinynet-weights", CMAP)


def _grid(n: int) -> tuple[int, int]:
    cols = max(1, int(np.ceil(np.sqrt(n * 1.5))))
    return int(np.ceil(n / cols)), cols


def weights_png(W: np.ndarray, shape: tuple[int, int], path: str | Path,
                title: str = "What each hidden neuron looks for") -> Path:
    """``W`` (H·W, n): a first layer's weights (one column per neuron)."""
    plt = _pyplot()
    n = W.shape[1]
    rows, cols = _grid(n)
    fig, axes = plt.subplots(rows, cols, figsize=(1.3 * cols, 1.45 * rows + 0.6), dpi=110,
                             squeeze=False)
    cmap = _cmap()
    for k, ax in enumerate(axes.ravel()):
        ax.set_axis_off()
        if k >= n:
            continue
        w = W[:, k]
        top = float(np.abs(w[np.isfinite(w)]).max(initial=0.0)) or 1.0
        ax.imshow(w.reshape(shape), cmap=cmap, vmin=-top, vmax=top, interpolation="nearest")
        ax.set_title(f"h{k + 1}", fontsize=8)
    fig.suptitle(f"{title}\n(each scaled to its own max |w|: orange −, dark 0, blue +)",
                 fontsize=10)
    fig.tight_layout()
    return _save_png(fig, path)


def confusion_png(counts: np.ndarray, path: str | Path, title: str = "Confusion matrix"
                  ) -> Path:
    """``counts`` (K, K): rows the true class, columns the predicted one."""
    plt = _pyplot()
    k = counts.shape[0]
    fig, ax = plt.subplots(figsize=(6, 5.2), dpi=110)
    ax.imshow(counts, cmap="Blues")
    top = counts.max(initial=0)
    for i in range(k):
        for j in range(k):
            if counts[i, j]:
                ax.text(j, i, str(int(counts[i, j])), ha="center", va="center", fontsize=8,
                        color="white" if counts[i, j] > top / 2 else
                        ("#b00" if i != j else "black"))
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    total = counts.sum()
    ax.set_title(f"{title}: {np.trace(counts) / max(1, total):.1%} of {int(total)} right",
                 fontsize=10)
    fig.tight_layout()
    return _save_png(fig, path)


def mistakes_png(X: np.ndarray, y: np.ndarray, probs: np.ndarray, shape: tuple[int, int],
                 path: str | Path, title: str = "Misclassified test samples") -> Path:
    """The rows of ``X`` (n, H·W) whose argmax ``probs`` (n, K) is not the class of ``y``
    (one-hot (n, K)), at most :data:`MAX_MISTAKES`, each titled "true → said (p)"."""
    plt = _pyplot()
    wrong = mistakes(probs, y)
    shown = wrong[:MAX_MISTAKES]
    rows, cols = _grid(max(1, len(shown)))
    fig, axes = plt.subplots(rows, cols, figsize=(1.4 * cols, 1.6 * rows + 0.6), dpi=110,
                             squeeze=False)
    for ax in axes.ravel():
        ax.set_axis_off()
    for ax, r in zip(axes.ravel(), shown):
        said = int(np.argmax(probs[r]))
        ax.imshow(X[r].reshape(shape), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(f"{int(np.argmax(y[r]))} → {said} ({probs[r, said]:.0%})", fontsize=8)
    more = f" (the first {len(shown)} of {len(wrong)})" if len(wrong) > len(shown) else ""
    fig.suptitle(f"{title}: {len(wrong)} of {len(X)}{more}; true → said (its probability)"
                 if len(wrong) else f"{title}: none of {len(X)}", fontsize=10)
    fig.tight_layout()
    return _save_png(fig, path)


def export_digits(folder: str | Path, W: np.ndarray, shape: tuple[int, int],
                  X: np.ndarray, y: np.ndarray, probs: np.ndarray, label: str = "") -> list[Path]:
    """Write weights.png, confusion.png and mistakes.png into ``folder``: ``W`` (H·W, n) the
    first layer's weights, ``X`` (m, H·W) / ``y`` (m, K) one-hot the scored set (the test
    set), ``probs`` (m, K) the network's answers for it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    prefix = f"{label}: " if label else ""
    return [weights_png(W, shape, folder / WEIGHTS_PNG, f"{prefix}what each hidden neuron "
                                                        "looks for"),
            confusion_png(confusion_matrix(probs, y, y.shape[1]), folder / CONFUSION_PNG,
                          f"{prefix}confusion matrix"),
            mistakes_png(X, y, probs, shape, folder / MISTAKES_PNG,
                         f"{prefix}misclassified")]


def export_problem(folder: str | Path, problem, label: str = "") -> list[Path]:
    """:func:`export_digits` for a :class:`~tui.config.Problem` with image inputs: its
    network's first layer, its test set (the training set without one)."""
    X, y, _ = scored_set(problem)
    return export_digits(folder, problem.net.layers[0].W, problem.config.image_shape, X, y,
                         problem.net.predict(X), label)
