"""The help screen: every key, and what the panels show."""
from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.app.keys import KEYS, Key, as_keys, display_key, display_keys

ABOUT = (
    "Each step runs part of one training epoch on the whole data set: forward pass (layer by "
    "layer, neuron by neuron) → loss → backward pass (output layer first) → gradient-descent "
    "update. The granularity (g) says how much one press of n runs: one neuron, one layer, one "
    "phase, one mini-batch (with --batch), or the rest of the epoch. b steps back in time (an exact undo) — it is not the "
    "backward pass. Space plays whole epochs until you pause, a breakpoint fires (k) or the "
    "numbers blow up. Every number on screen comes from the engine; the chain-rule panel shows "
    "the equation of the last step with those numbers.\n\n"
    "Diagram: each node shows its name and its activation a for the selected sample (δ during "
    "the backward pass). Solid blue edges are positive weights, dashed orange ones negative; "
    "brighter = larger |w|. The selected neuron is white, the neurons the last step computed "
    "are yellow, a red node is where NaN/inf appeared, and dim values are left over from an "
    "earlier pass (the neuron panel says from which epoch).\n\n"
    "Numbering, as in a textbook: layers, neurons, inputs, weights and samples count from 1 "
    "(x₁, h₁, w₂, sample 3; with several hidden layers h²₁ is layer 2's first neuron); epochs "
    "count from 0 (epoch k starts after k updates).\n\n"
    "Lessons: L lists them (or run tinynet-tui learn NAME). The lesson panel shows the "
    "chapter with the network's own numbers and what to do next; type a prediction in its "
    "field and press Enter (Esc shows the answer); PgDn or > goes to the next chapter, PgUp "
    "or < back; p plays when a chapter asks for it. Slow motion (o) runs one neuron every "
    "1.5 s with the narration and the highlighted neuron moving together; + and − change the "
    "pace, any other key pauses it.\n\n"
    "Neuron maps (tasks with 2 inputs): each node of the diagram shows what it computes over "
    "the input square (orange low, white middle, blue high) when the panel has room; m shows "
    "the selected neuron's map large, with its colour scale and, on the output map, the "
    "training points (● class 1, ○ class 0; ◆ ◇ test points).\n\n"
    "Branches: f forks the run at this very step (up to 4, A–D). Stepping, stepping back and "
    "playing move every branch together; every other key (l, w, j, r) acts on the branch the "
    "panels follow, which a switches. F compares them: loss curves, how far apart their "
    "weights are, diagrams. W trains a small sweep of seeds × learning rates for this task "
    "and opens any run.\n\n"
    "Settings (N): hidden layers and neurons, each layer's activation, input features (x₁², x₁x₂, sin x₁ …), "
    "noise, test split, learning rate, optimizer, loss, initialisation, mini-batch size and "
    "weight decay; Apply rebuilds the network with the current seed, and the change is "
    "recorded for --replay.\n\n"
    "Draw your own data: with the output map large (m, on the output neuron), a click adds a "
    "point of the pen's class (right button: the other class; regression: a target value), "
    "ctrl-click or X removes the nearest point, U clears, C switches the pen, D saves the data "
    "as CSV for --data. Training needs at least 2 points.\n\n"
    "Digits (--task digits, or --data FILE --image HxW): the weight panel draws every hidden "
    "neuron's incoming weights as a picture of the input (blue +, orange −; click one to "
    "select it), the network panel the sample and each class's probability (◀ the true "
    "class). m: the selected neuron's picture large with its dw; v: the confusion matrix; "
    "i, then [ ]: the misclassified test samples; click on the picture to draw a digit "
    "(right button erases, Backspace clears), then 0–9 (what it is) and n steps forward, loss "
    "and backprop on it with a copy of the network (Backspace: back to the real run)."
)

#: every symbol and column name on the screen, in the order a learner meets them
GLOSSARY = [
    ("x₁, x₂", "the inputs of one sample"),
    ("w, w₁ …", "weights: wᵢ multiplies input i of the neuron"),
    ("b", "bias, added to the weighted sum"),
    ("z", "pre-activation: z = Σ wᵢxᵢ + b"),
    ("a", "activation: a = f(z) (σ sigmoid, tanh, relu, id identity)"),
    ("h₁, h²₃", "hidden neurons (layer as superscript when there are several)"),
    ("ŷ", "the network's output (its prediction); y is the target"),
    ("L", "loss: mean squared error 1/N · Σₙ (ŷₙ − yₙ)² by default; cross-entropy with --loss "
          "(bce, softmax-ce); + λ/2·Σw² with weight decay"),
    ("∂L/∂ŷ", "how the loss changes with the output: 2/N · (ŷ − y) for MSE; with a "
              "cross-entropy the output's δ is (ŷ − y)/N directly"),
    ("∂L/∂a", "how the loss changes with a neuron's activation"),
    ("δ", "∂L/∂z = ∂L/∂a · f'(z): the neuron's error signal"),
    ("dw", "∂L/∂w = Σₙ δₙ·xₙ: the weight's gradient, summed over samples"),
    ("db", "∂L/∂b = Σₙ δₙ: the bias's gradient"),
    ("lr", "learning rate: the update is w ← w − lr·dw (gradient descent)"),
    ("v, m", "optimizer state per weight: momentum's velocity v; Adam's averages m (of dw) "
             "and v (of dw²), with m̂, v̂ their bias-corrected values at step t"),
    ("λ", "weight decay: adds λ/2·Σw² to L and λ·w to each dw (not to biases)"),
    ("batch", "with --batch B an epoch is ⌈N/B⌉ updates, each on B shuffled samples"),
    ("last Δ", "how much the parameter changed at its last update (−lr·dw)"),
    ("epoch", "one pass over all samples: forward, loss, backward, update"),
    ("unit", "one neuron of one phase, the smallest step; \"epoch 12 (8/10 units)\": 8 of "
             "epoch 12's 10 units have run"),
    ("predict the mean", "the loss chart's grey line: the loss of always answering the mean "
                         "target (ignoring the inputs); below it, the network has learned"),
    ("granularity", "how much one step runs: neuron, layer, phase, batch (with --batch) or epoch"),
    ("sample n", "one row of the data set; [ and ] choose which the panels show"),
]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "close")]

    def __init__(self, keys=KEYS, extra=()) -> None:
        """``keys``: rows of the key table (:mod:`tui.app.keys`); ``extra``: more keys as
        Textual ``BINDINGS`` (``Binding``s or plain tuples, as the share/follow apps add)."""
        super().__init__()
        self.keys: list[Key] = list(keys) + as_keys(extra)

    def compose(self) -> ComposeResult:
        table = Table(title="Keys", box=None, header_style="bold", title_style="bold cyan")
        table.add_column("key", style="bold yellow", justify="right")
        table.add_column("action")
        for key in self.keys:
            table.add_row(display_keys(key), key.help)
        glossary = Table(title="Glossary", box=None, header_style="bold", title_style="bold cyan")
        glossary.add_column("symbol", style="bold", justify="right")
        glossary.add_column("meaning")
        for symbol, meaning in GLOSSARY:
            glossary.add_row(symbol, meaning)
        with VerticalScroll(id="help-box"):
            yield Static(Text("tinynet-tui help", style="bold"), id="help-title")
            yield Static(Text(ABOUT.split("\n\n")[0] + "\n"))
            yield Static(table, id="help-keys")
            yield Static(Text("\n\n".join(ABOUT.split("\n\n")[1:])))
            yield Static(glossary, id="help-glossary")
            yield Static(Text("Press Esc or ? to close.", style="dim"))


__all__ = ["HelpScreen", "display_key", "GLOSSARY", "ABOUT"]
