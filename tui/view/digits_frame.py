"""Build the digits panels' :class:`~tui.view.digits_views.DigitsView` from the session (lock held).

The image shown is the session's selected training sample, or (walking mistakes) a
misclassified test sample, or the digit drawn by hand; its probabilities and the first
hidden layer's activations are a forward pass with the weights now (``net.predict`` and one
layer product: the stepper's caches are not touched).  The confusion matrix counts the test
set (the training set without a split)."""
from __future__ import annotations

import numpy as np

from nn import Phase
from nn.confusion import confusion_matrix, mistakes
from nn.naming import neuron_name

from tui.core.digits_state import digits_state
from tui.view.digits_views import DigitsView


def _range(name: str, values: np.ndarray) -> tuple[float, float]:
    if name in ("sigmoid", "softmax"):
        return 0.0, 1.0
    if name == "tanh":
        return -1.0, 1.0
    top = float(np.abs(values[np.isfinite(values)]).max(initial=0.0)) or 1.0
    return (0.0, top) if name == "relu" else (-top, top)


def scored_set(problem) -> tuple[np.ndarray, np.ndarray, str]:
    """(X, y, name) the confusion matrix and the mistakes are of: the test rows, else the
    training rows."""
    if problem.X_test is not None and len(problem.X_test):
        return problem.X_test, problem.y_test, "test"
    return problem.X, problem.y, "training"


def digits_view(s, sizes=None) -> DigitsView | None:
    """The digits panels' data for session ``s`` (None when its inputs are not images);
    ``sizes``: the network's layer sizes, when the frame has read them (else read here)."""
    state = digits_state(s)
    if state is None:
        return None
    problem, net = s.problem, s.net
    X_set, y_set, set_name = scored_set(problem)
    scores = net.predict(X_set)
    counts = confusion_matrix(scores, y_set, y_set.shape[1])
    wrong = mistakes(scores, y_set)
    n = len(X_set)
    if state.drawing is not None:
        image, label, source, title = state.drawing, None, "drawing", "your drawing"
    elif state.mistake is not None and len(wrong):
        k = state.mistake % len(wrong)
        row = int(wrong[k])
        image, label, source = X_set[row], int(y_set[row].argmax()), set_name
        title = f"{set_name} mistake {k + 1} of {len(wrong)} (row {row + 1})"
    else:
        i = s.sample
        image, label, source = problem.X[i], int(problem.y[i].argmax()), "train"
        title = getattr(s, "_digits_title", None) or \
            f"sample {i + 1} of {len(problem.X):,}".replace(",", " ")
    image = np.asarray(image, dtype=float)
    first = net.layers[0]
    hidden = first.activation(image[None, :] @ first.W + first.b)[0]
    probs = net.predict(image[None, :])[0]
    layer, j = s.selected
    selected = j if layer == 0 else None
    dw, note = None, "dw: select a first-layer neuron (↑ ↓)"
    if selected is not None:
        # as tui.view.frame.freshness: units before the cursor ran in this epoch, the others
        # hold the last epoch's values (none in epoch 0)
        st = s.stepper
        current = st.unit_index(Phase.BACKWARD, 0, j) < st.cursor
        if not current and st.epoch == 0:
            note = "dw: not computed yet (step into the backward pass)"
        else:
            dw = first.dW[:, j].copy()
            note = "dw " + ("now" if current else f"from epoch {st.epoch - 1}")
    return DigitsView(
        shape=state.shape, image=image.copy(), source=source, title=title, label=label,
        probs=probs.copy(), hidden=hidden.copy(),
        hidden_range=_range(first.activation.name, hidden),
        weights=first.W.T.copy(), selected=selected,
        selected_name=neuron_name(layer, j, net.sizes if sizes is None else sizes), dw=dw,
        dw_note=note,
        confusion=counts, confusion_of=f"{set_name} {n:,}".replace(",", " "),
        accuracy=float(np.trace(counts) / max(1, n)), mistakes=len(wrong),
        large=state.large, epoch=s.stepper.epoch)
