"""What each panel shows, as immutable data: the parts of one :class:`Frame`.

The session builds a whole frame under its lock (:func:`tui.view.frame.build_frame`);
each widget renders only its part and never reaches into the network.  Arrays
here are copies (or the engine's own event copies), never views on live state.
Nothing in this module imports Textual.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nn import StepEvent


@dataclass(frozen=True)
class Freshness:
    """When a group of values (z and a, or δ, dw and db, or last Δ) was computed.

    ``epoch`` is None before it was ever computed; ``current`` is True when it
    was computed in the epoch now in progress (or, for a whole finished epoch,
    by its last pass)."""

    epoch: int | None
    current: bool

    @property
    def never(self) -> bool:
        """Never computed yet: the values are placeholders, shown as "–"."""
        return self.epoch is None and not self.current

    @property
    def note(self) -> str:
        """Empty when current; else what a learner must know about the value."""
        if self.current:
            return ""
        return "not computed yet" if self.never else f"from epoch {self.epoch}"


FRESH = Freshness(None, True)


@dataclass(frozen=True)
class StatusView:
    label: str                  #: task or CSV name
    architecture: str           #: "2–2–1 sigmoid/sigmoid"
    lr: float
    granularity: str
    epoch: int
    loss: float | None          #: the latest loss, None before any
    state: str                  #: "playing", "paused", "breakpoint", "halted" (the app: "slow")
    speed: str                  #: "30/s" or "max"
    breakpoints_on: bool
    quiz: tuple[int, int] | None  #: (right, asked) while quiz mode is on
    training: str = ""          #: how it trains beyond plain GD on the task's loss: "adam · batch 16"
    link: str | None = None     #: share/follow: "following teacher at 127.0.0.1:8765"
    test_loss: float | None = None  #: the test rows' loss in the latest epoch (with a split)
    #: with mini-batches, before the first epoch's loss exists: the last batch's loss
    batch_loss: float | None = None
    branch: str | None = None   #: with branches: "branch B of 2" (the one the panels follow)
    loss_epoch: int | None = None  #: the epoch ``loss`` was computed in (epoch − 1 between epochs)


@dataclass(frozen=True)
class DiagramView:
    sizes: tuple[int, ...]
    weights: tuple[np.ndarray, ...]       #: per layer (n_in, n_out)
    input_values: np.ndarray              #: (n_in,) the selected sample
    input_names: tuple[str, ...]          #: x₁, x₂
    names: tuple[tuple[str, ...], ...]    #: per layer, per neuron: h₁, ŷ
    quantity: str                         #: "a" or "δ": what the node values are
    values: tuple[np.ndarray, ...]        #: per layer (n_out,) a or δ for the selected sample
    known: tuple[bool, ...]               #: per layer: the value was ever computed
    fresh: tuple[np.ndarray, ...]         #: per layer (n_out,) bool: computed this epoch
    activation_symbols: tuple[str, ...]   #: σ, tanh, relu, id per layer
    layer_titles: tuple[str, ...]         #: "h σ", "out σ" per layer
    selected: tuple[int, int]
    highlighted: frozenset                #: (layer, neuron) computed by the last step
    problem: tuple[int, int] | None       #: where NaN/inf appeared
    caption: tuple[str, str]              #: (epoch and next step, sample and what nodes show)
    maps: "NeuronMapsView | None" = None  #: small maps beside the nodes, when there is room
    #: per layer (n_out,) bool: the node's value was ever computed (False: shown as –,
    #: not as the 0 a cache starts with); None: every node of a known layer was
    computed: tuple[np.ndarray, ...] | None = None
    #: the input values as the diagram writes them (tui.view.input_labels: the digits
    #: their arithmetic needs); () : short() labels
    input_labels: tuple[str, ...] = ()
    #: the layers whose data (weights, names, values, fresh, computed, titles) the view
    #: holds, None for all: a network too deep to show whole holds only the layers the
    #: diagram's width may show (:func:`tui.view.layout.diagram_layers`); the others' are None
    layers: tuple[int, ...] | None = None


@dataclass(frozen=True)
class NeuronView:
    """One neuron's numbers (copies), with the names and freshness to show them by."""

    name: str                   #: h₁, ŷ
    title: str                  #: "hidden layer 1 · neuron 2 · sigmoid"
    input_names: tuple[str, ...]
    w: np.ndarray               #: (n_in,)
    b: float
    dw: np.ndarray              #: (n_in,)
    db: float
    change_w: np.ndarray        #: (n_in,) what the last update did
    change_b: float
    z: np.ndarray               #: (N,) empty before the first forward pass
    a: np.ndarray
    delta: np.ndarray           #: (N,) empty before the first backward pass
    sample: int                 #: 0-based index of the selected sample
    forward: Freshness          #: of z and a
    backward: Freshness         #: of δ, dw, db
    update: Freshness           #: of last Δ
    #: with mini-batches: the sample (0-based) of each entry of z, a and δ (δ is
    #: NaN where its batch did not hold that sample); None when full batch
    rows: tuple[int, ...] | None = None
    rows_note: str = ""         #: which batch the rows are, e.g. "batch 2 of 4"
    #: the optimizer's state per weight: (slot name, (n_in,) values, bias value)
    state: tuple = ()


@dataclass(frozen=True)
class NarrationView:
    event: StepEvent | None     #: the step's event that computed the selected neuron
    neuron: int                 #: 0-based neuron index the narration is about
    sample: int                 #: 0-based
    sizes: tuple[int, ...]
    activation_symbol: str
    n_samples: int
    halted: str | None          #: why training stopped (NaN/inf), if it did
    all_zero_inputs: bool       #: the selected sample's inputs are all 0 (every x·δ term is 0)
    #: with mini-batches: the sample (0-based) of each row of the event's arrays, i.e.
    #: the event's batch; None when full batch (row = sample)
    rows: tuple[int, ...] | None = None
    n_batches: int = 1
    epoch: int = 0              #: the epoch the run is at (played to, with no step shown)


@dataclass(frozen=True)
class LossView:
    epochs: np.ndarray          #: (M,) first epoch of each point (0-based)
    lo: np.ndarray              #: (M,) smallest loss in the point's epochs
    hi: np.ndarray              #: (M,) largest
    baseline: float | None      #: the loss of predicting the mean target (no signal)
    title: str
    epoch: int                  #: the epoch in progress
    test_epochs: np.ndarray | None = None  #: (M,) the test rows' loss, like epochs/lo/hi
    test_lo: np.ndarray | None = None
    test_hi: np.ndarray | None = None


@dataclass(frozen=True)
class PredictionsView:
    caption: str
    table: tuple | None = None          #: gates: (X (N, 2), y (N, 1), ŷ (N, 1))
    maps: tuple | None = None           #: (prediction (rows, cols), target (rows, cols), lo, hi)
    neuron_map: "NeuronMapsView | None" = None  #: shown instead: the selected neuron's map, large
    classes: int | None = None          #: K for a K-class task (maps hold class indices 0 … K−1)
    #: the maps' area (x₁ lo, x₁ hi, x₂ lo, x₂ hi); None: [-1, 1]²
    bounds: tuple | None = None


@dataclass(frozen=True)
class MapPoints:
    """Data points to draw on the output map (copies): the 2 raw inputs and targets."""

    X: np.ndarray               #: (N, 2) x₁, x₂
    y: np.ndarray               #: (N,) class 0/1 or a regression target
    test: bool = False          #: held-out test points (drawn with another glyph)


@dataclass(frozen=True)
class NeuronMapsView:
    """Every hidden and output neuron's activation over the input square
    (:mod:`nn.maps`), for 2-input tasks, with the weights now.

    ``small`` holds the maps drawn beside the diagram's nodes (None when the
    diagram has no room for them); ``large`` the selected neuron's map for the
    predictions area (None unless asked for)."""

    bounds: tuple[float, float, float, float]  #: x₁ lo, x₁ hi, x₂ lo, x₂ hi
    small: tuple[np.ndarray, ...] | None       #: per layer (n_out, rows, cols), rows = 2·lines
    scales: tuple[tuple[float, float], ...]    #: per layer (lo, hi) the colour scale spans
    kind: str                                  #: "binary" or "regression"
    points: tuple[MapPoints, ...]              #: training (and test) points, for the output map
    selected: tuple[int, int]                  #: (layer, neuron), 0-based
    name: str                                  #: of the selected neuron: h¹₃, ŷ
    large: np.ndarray | None = None            #: (rows, cols) the selected neuron's map
    caption: str = ""
    classes: int = 2                           #: K of a K-class task (points: own class vs rest)


@dataclass(frozen=True)
class Frame:
    """Everything any panel shows, built at once under the session lock."""

    version: int
    status: StatusView
    diagram: DiagramView | None  #: None on image tasks (the digits panels show the network)
    #: None when the neuron panel does not show this frame's (while playing it shows one
    #: every ``PLAYING_EVERY_S``: :func:`tui.view.frame.build_frame`'s ``neuron``)
    neuron: NeuronView | None
    narration: NarrationView
    loss: LossView
    predictions: PredictionsView
    maps: NeuronMapsView | None = None  #: neuron maps (2-input tasks only)
    #: image tasks (digits, --image): the digits panels' data (tui/view/digits_views.py)
    digits: "DigitsView | None" = None
