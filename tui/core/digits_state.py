"""What the digits screen remembers besides the training: the digit drawn by hand, which
misclassified test sample is shown, and whether the weight panel shows one neuron large.

Pure data (no Textual, no Rich); it lives on the session (:func:`digits_state`), so the frame
builder reads it under the session's lock.  The app's keys and mouse change it
(:mod:`tui.app.digits_keys`)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tui.core.config import Problem

#: the ink a click leaves: the pixel itself, and its 4 neighbours at least this much (the
#: scanned digits are blurred by their 4×4 block counts: a stroke is 2–3 pixels wide)
INK, HALO = 1.0, 0.4


@dataclass
class DigitsState:
    shape: tuple[int, int]                  #: (height, width) of an image
    #: the drawing, (H·W,) in [0, 1]; None while the panels show the data's samples
    drawing: np.ndarray | None = None
    #: walking the test set's mistakes: the position in the current list of mistakes, or
    #: None while the panels show the training sample the session selected
    mistake: int | None = None
    large: bool = False                     #: the weight panel: the selected neuron large
    #: the class the drawing is meant to be (keys 0–9), for stepping backprop on it
    label: int | None = None
    strokes: int = field(default=0)         #: pixels painted (so a test can count)

    def paint(self, row: int, col: int, erase: bool = False) -> bool:
        """Ink (or, ``erase``, clear) pixel (row, col) of the drawing, starting a blank
        drawing if there is none; returns whether anything changed.  Out of range: no-op."""
        h, w = self.shape
        if not (0 <= row < h and 0 <= col < w):
            return False
        if self.drawing is None:
            self.drawing = np.zeros(h * w)
        img = self.drawing.reshape(h, w)
        before = img.copy()
        if erase:
            img[row, col] = 0.0
        else:
            img[row, col] = INK
            for r, c in ((row - 1, col), (row + 1, col), (row, col - 1), (row, col + 1)):
                if 0 <= r < h and 0 <= c < w:
                    img[r, c] = max(img[r, c], HALO)
        self.strokes += 1
        return not np.array_equal(before, img)

    def clear(self) -> bool:
        """Forget the drawing (the panels show the data again); whether there was one."""
        had = self.drawing is not None
        self.drawing, self.label = None, None
        return had


def digits_state(session) -> DigitsState | None:
    """The session's digits state (made on first use), or None when its inputs are not
    images.  A new task or data file (another image shape) starts a fresh one."""
    shape = session.config.image_shape
    if shape is None:
        return None
    state = getattr(session, "_digits_state", None)
    if state is None or state.shape != tuple(shape):
        state = DigitsState(tuple(shape))
        session._digits_state = state
    return state


def probe_problem(problem, drawing, label: int):
    """A :class:`~tui.core.config.Problem` of one sample — the drawing, with class ``label``
    — on a copy of ``problem``'s network (the same config, full batch, no test set): what
    ``n`` steps through forward, loss and backprop on a drawn digit, leaving the real
    training untouched."""
    from dataclasses import replace

    k = problem.y.shape[1]
    if not 0 <= label < k:
        raise ValueError(f"class {label}: this task has classes 0 to {k - 1}")
    config = replace(problem.config, batch=None, test_fraction=0.0)
    X = np.asarray(drawing, dtype=float)[None, :].copy()
    return Problem(config, problem.net.copy(), X, np.eye(k)[[label]], problem.kind)
