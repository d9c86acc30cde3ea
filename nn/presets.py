"""Default settings per task: the architecture and learning rate that train it.

These are what ``tinynet-tui`` uses when an option is not given; the values
were chosen by measurement (see docs/cli.md, "Defaults that train").
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    hidden: tuple[int, ...]  #: hidden layer sizes; () for no hidden layer
    activation: str          #: hidden activation
    output: str              #: output activation
    lr: float
    epochs: int
    kind: str                #: "binary" (accuracy), "multiclass" (accuracy) or "regression" (R²)
    loss: str = "mse"        #: a name in nn.losses.LOSSES
    #: what training defaults to when the command line leaves it out (see
    #: ``tui.config.task_defaults``): the optimizer, the mini-batch size, the test share
    optimizer: str = "gd"
    batch: int | None = None
    test_fraction: float = 0.0
    weight_decay: float = 0.0


PRESETS: dict[str, Preset] = {
    "and": Preset((), "sigmoid", "sigmoid", lr=5.0, epochs=2000, kind="binary"),
    "xor": Preset((2,), "sigmoid", "sigmoid", lr=5.0, epochs=5000, kind="binary"),
    "regression": Preset((16,), "sigmoid", "identity", lr=0.3, epochs=10000, kind="regression"),
    "circle": Preset((8,), "tanh", "sigmoid", lr=1.0, epochs=5000, kind="binary"),
    "spiral": Preset((16, 16), "tanh", "sigmoid", lr=0.5, epochs=20000, kind="binary"),
}
#: The 3-class tasks (one-hot targets (N, 3)): softmax output and cross-entropy.
#: Measured on seeds 0–19 (nn/stacked.py): every seed reaches ≥ 99 % accuracy on
#: spiral3 by epoch 500 at lr 1.0 (1 250 at lr 0.3; lr 3.0 misses on 2 of 20), and
#: ≥ 98 % on blobs by epoch 50; the epochs below leave a wide margin.
CLASS_PRESETS: dict[str, Preset] = {
    "spiral3": Preset((16, 16), "tanh", "softmax", lr=1.0, epochs=2000, kind="multiclass",
                      loss="softmax-ce"),
    "blobs": Preset((4,), "tanh", "softmax", lr=1.0, epochs=500, kind="multiclass",
                    loss="softmax-ce"),
}
#: For a user's CSV file, by what its targets look like (all 0/1 → binary).
CSV_PRESETS: dict[str, Preset] = {
    "binary": Preset((8,), "tanh", "sigmoid", lr=1.0, epochs=5000, kind="binary"),
    "regression": Preset((8,), "tanh", "identity", lr=0.1, epochs=5000, kind="regression"),
}
#: Real data: the 8×8 handwritten digits (nn/digits.py), 64 inputs, 10 classes; a
#: ``--data --image`` file trains the same way.  Measured in bench/bench_digits.py
#: (seeds 0–9, see bench/README.md): tanh teaches better than ReLU here (median test
#: accuracy 98.3 % against 96.9–97.5 %, worst seed 96.7 % for both), Adam lr 0.005, 50 epochs.
#: Weight decay λ 0.001 costs 0.7 points of median accuracy (97.6 %, worst 96.4 %) but fades
#: the weights of the always-blank border pixels, which no gradient ever reaches, so the
#: weight pictures show strokes instead of their initial noise.
IMAGE_PRESETS: dict[str, Preset] = {
    "digits": Preset((32,), "tanh", "softmax", lr=0.005, epochs=50, kind="multiclass",
                     loss="softmax-ce", optimizer="adam", batch=32, test_fraction=0.2,
                     weight_decay=0.001),
}
