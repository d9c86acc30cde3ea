"""What the digits panels show, as immutable data (built by :mod:`tui.view.digits_frame`).

Arrays are copies.  Shapes: H×W the image size (8×8 for digits), K the classes, n the first
hidden layer's neurons."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DigitsView:
    shape: tuple[int, int]          #: (H, W)
    image: np.ndarray               #: (H·W,) the input shown, in [0, 1]
    source: str                     #: "train", "test" (a mistake) or "drawing"
    title: str                      #: "sample 12 of 1 438", "test mistake 3 of 9", "your drawing"
    label: int | None               #: the true class (None for a drawing)
    probs: np.ndarray               #: (K,) ŷ for the image, with the weights now
    hidden: np.ndarray              #: (n,) the first hidden layer's activations for the image
    hidden_range: tuple[float, float]  #: the activation's range for shading (tanh: −1, 1)
    weights: np.ndarray             #: (n, H·W) each first-layer neuron's incoming weights
    selected: int | None            #: the selected first-layer neuron (None: another layer's)
    selected_name: str              #: "h₃" (or the selected neuron of another layer)
    dw: np.ndarray | None           #: (H·W,) the selected neuron's dw, when backprop computed it
    dw_note: str                    #: "dw from epoch 4 · batch 2 of 45", or why there is none
    confusion: np.ndarray           #: (K, K) counts: rows true class, columns predicted
    confusion_of: str               #: "test 359" or "training 1 438"
    accuracy: float                 #: the confusion matrix's diagonal share
    mistakes: int                   #: how many of those samples are misclassified
    large: bool = False             #: the weight panel shows the selected neuron large
    epoch: int = 0
