"""The chain-rule narration's text and styles, whole: what each kind of step writes, which
parts are dim (asides) and bold (results), with every float written as ``#`` (the numbers
themselves are checked against the engine in tests/test_frame.py, test_equations.py and
test_narration_optimizers.py; their last digits may differ with the CPU's SIMD paths).
Found by mutation testing (CONTRIBUTING.md): a style dropped, an aside's wording, the
sample lists of a batch and the header's line break were not held by any test."""
from __future__ import annotations

import functools
import re

import pytest
from rich.cells import cell_len

from nn import Granularity, Phase
from tui.app.widgets.narration import narrate
from tui.core.config import RunConfig, build
from tui.core.session import Session
from tui.view.frame import PanelSizes, build_frame

from helpers import batch_session

SIZES = PanelSizes(loss_width=60, map_cols=16, map_rows=8)
#: a float as the narration writes it (num, paren): masked; integers (samples, batches,
#: counts, 0 and 1 targets, lr 5) stay
FLOAT = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?|-?\d+e[-+]?\d+|\bnan\b|\binf\b")


session = batch_session  # (tests/helpers.py)


def classes(k: int):
    """blobs' points with ``k`` one-hot classes (sample n in class n mod k) and a 2–3–k
    softmax network: a CSV of k classes."""
    from dataclasses import replace

    import numpy as np

    from nn import NeuralNetwork

    problem = build(RunConfig(task="blobs"))
    y = np.eye(k)[np.arange(len(problem.X)) % k]
    net = NeuralNetwork.from_sizes([2, 3, k], "tanh", "softmax", seed=0, loss="softmax-ce")
    return replace(problem, y=y, net=net)


def view(s):
    with s.lock:
        return build_frame(s, SIZES).narration


def shown(s, width=None) -> str:
    """The narration as Rich markup ([bold]…[/bold], [dim]…[/dim]), floats as #."""
    return FLOAT.sub("#", narrate(view(s), width).markup)


def until(s, phase, layer=None, g=Granularity.NEURON):
    """Step at granularity ``g`` until a step of ``phase`` (of ``layer``) is shown."""
    s.granularity = g
    for _ in range(500):
        s.step()
        ev = s.events[-1]
        if ev.phase is phase and (layer is None or ev.layer == layer):
            return s
    raise AssertionError("not reached")


def outside(s):
    """Select the first sample not in the batch the narration's event holds."""
    rows = view(s).rows
    k = next(k for k in range(len(s.problem.X)) if k not in rows)
    s.sample = k  # ([ and ] stay within the batch on screen)
    return s


def scenarios():
    s = session(task="xor", hidden=(4, 3))
    yield "no step yet", shown(s)
    s.play_chunk(3)
    yield "played to epoch 3", shown(s)
    until(s, Phase.FORWARD, 1)
    yield "forward, 4 inputs: 3 written", shown(s)
    until(s, Phase.BACKWARD, 1)
    yield "backward of a hidden neuron, xor's 4 samples in full", shown(s)
    until(s, Phase.UPDATE, 1)
    yield "update", shown(s)
    s0 = session(task="xor", hidden=(2,))
    s0.move_sample(-1)
    until(s0, Phase.BACKWARD, 0, Granularity.NEURON)
    yield "backward at the first layer, a sample whose inputs are all 0", shown(s0)
    s2 = session(task="xor", hidden=(4, 3))
    until(s2, Phase.FORWARD, 0, Granularity.LAYER)
    yield "a layer step of 4 neurons", shown(s2)
    s3 = session(task="xor", hidden=(2,))
    until(s3, Phase.FORWARD, 0, Granularity.LAYER)
    yield "a layer step of 2 neurons", shown(s3)
    until(s3, Phase.LOSS, None, Granularity.PHASE)
    yield "MSE loss", shown(s3)
    s4 = session(task="circle", hidden=(3,), loss="bce", weight_decay=0.01)
    until(s4, Phase.LOSS, None, Granularity.PHASE)
    yield "BCE loss with weight decay, 200 samples", shown(s4)
    until(s4, Phase.BACKWARD, 1, Granularity.NEURON)
    yield "fused backward at the output, weight decay, 200 samples", shown(s4)
    until(s4, Phase.BACKWARD, 0, Granularity.NEURON)
    yield "backward of a hidden neuron, weight decay, 200 samples", shown(s4)
    s5 = session(task="blobs", hidden=(3,), batch=64)
    until(s5, Phase.LOSS, None, Granularity.PHASE)
    yield "softmax loss of a batch", shown(s5)
    s5.granularity = Granularity.BATCH
    for _ in range(4):  # to the last batch of the epoch
        s5.step()
    until(s5, Phase.LOSS, None, Granularity.PHASE)
    yield "the last batch's loss, and the epoch's", shown(s5)
    outside(s5)
    yield "loss, the sample not in the batch", shown(s5)
    until(s5, Phase.FORWARD, 0, Granularity.NEURON)
    outside(s5)
    yield "forward, the sample not in the batch", shown(s5)
    until(s5, Phase.BACKWARD, 0, Granularity.NEURON)
    outside(s5)
    yield "backward, the sample not in the batch", shown(s5)
    s7 = session(task="blobs", hidden=(3,), loss="mse")
    until(s7, Phase.FORWARD, 1)
    yield "softmax output, its first neuron's forward: a waits for the last", shown(s7)
    until(s7, Phase.FORWARD, 1)
    until(s7, Phase.FORWARD, 1)
    yield "softmax output, its last neuron's forward", shown(s7)
    until(s7, Phase.BACKWARD, 1)
    yield "softmax output under MSE: δ through the softmax's Jacobian", shown(s7)
    s8 = session(task="digits", hidden=(8,))
    until(s8, Phase.LOSS, None, Granularity.PHASE)
    yield "10 outputs: the first 4 narrated", shown(s8)
    for k in (2, 4):  # one-hot classes: ŷ and y as vectors; all 4 outputs narrated
        s9 = Session(classes(k))
        until(s9, Phase.LOSS, None, Granularity.PHASE)
        yield f"{k} classes", shown(s9)
    for batch in (1, 2, 4, 5):  # "1 sample"; the batch's first 4 samples named, then "…"
        s6 = session(task="circle", hidden=(2,), batch=batch)
        until(s6, Phase.LOSS, None, Granularity.PHASE)
        outside(s6)
        yield f"loss of a batch of {batch}, the sample not in it", shown(s6)


@functools.lru_cache(maxsize=1)
def narrations() -> dict[str, str]:
    return dict(scenarios())


EXPECTED = {
    'no step yet': (
        "[dim]Press [bold][/dim]n[dim][/bold] to take a step. Each step's equation appears here, with its real numbers.[/dim]"
    ),
    'played to epoch 3': (
        "[dim]Played to epoch 3. Press [bold][/dim]n[dim][/bold] to step from here; each step's equation appears here with its real numbers.[/dim]"
    ),
    'forward, 4 inputs: 3 written': (
        '[bold]Forward · h²₁ (hidden layer 2, neuron 1)[dim][/bold] · sample 2\n'
        '[/dim]z = w₁h¹₁ + w₂h¹₂ + w₃h¹₃ + … + b\n'
        '  = (#)·# + #·# + (#)·# + … 1 more + #\n'
        '  = [bold]#[/bold]\n'
        'a = σ(z) = σ(#) = [bold]#[/bold]'
    ),
    "backward of a hidden neuron, xor's 4 samples in full": (
        '[bold]Backward · h²₁ (hidden layer 2, neuron 1)[dim][/bold] · sample 2 for δ\n'
        '[/dim]∂L/∂a = Σₖ δₖ·wₖ (from layer 3) = (#)·(#) = [bold]#[/bold]\n'
        "δ = ∂L/∂z = ∂L/∂a · σ'(z) = # · # = [bold]#[dim][/bold]\n"
        "dw and db add up every sample's term (n = 1…4):[/dim]\n"
        'dw₁ = Σₙ δₙ·h¹₁ₙ = (#)·# + #·# + #·# + (#)·# = [bold]#[/bold]\n'
        'dw₂ = Σₙ δₙ·h¹₂ₙ = (#)·# + #·# + #·# + (#)·# = [bold]#[/bold]\n'
        'dw₃ = Σₙ δₙ·h¹₃ₙ = (#)·# + #·# + #·# + (#)·# = [bold]#[dim][/bold]\n'
        '… and 1 more weights (see the neuron panel)[/dim]\n'
        'db = Σₙ δₙ = (#) + # + # + (#) = [bold]#[/bold]'
    ),
    'update': (
        '[bold]Update · h²₁ (hidden layer 2, neuron 1)[/bold]\n'
        'gradient descent, lr = 5\n'
        'w₁ ← w₁ − lr·dw₁ = # − 5·# = [bold]#[/bold]\n'
        'w₂ ← w₂ − lr·dw₂ = # − 5·# = [bold]#[/bold]\n'
        'w₃ ← w₃ − lr·dw₃ = # − 5·# = [bold]#[dim][/bold]\n'
        '… and 1 more weights (see the neuron panel)[/dim]\n'
        'b ← b − lr·db = # − 5·# = [bold]#[/bold]'
    ),
    'backward at the first layer, a sample whose inputs are all 0': (
        '[bold]Backward · h₁ (hidden layer 1, neuron 1)[dim][/bold] · sample 1 for δ\n'
        '[/dim]∂L/∂a = Σₖ δₖ·wₖ (from layer 2) = #·(#) = [bold]#[/bold]\n'
        "δ = ∂L/∂z = ∂L/∂a · σ'(z) = (#) · # = [bold]#[dim][/bold]\n"
        "dw and db add up every sample's term (n = 1…4):[/dim]\n"
        'dw₁ = Σₙ δₙ·x₁ₙ = (#)·0 + #·0 + #·1 + (#)·1 = [bold]#[/bold]\n'
        'dw₂ = Σₙ δₙ·x₂ₙ = (#)·0 + #·1 + #·0 + (#)·1 = [bold]#[/bold]\n'
        'db = Σₙ δₙ = (#) + # + # + (#) = [bold]#[dim][/bold]\n'
        "sample 1's inputs are all 0, so its δ·x terms are 0: only db gets its δ.[/dim]"
    ),
    'a layer step of 4 neurons': (
        '[dim]this step computed h¹₁ … h¹₄; ↑↓ picks the one explained here\n'
        '[bold][/dim]Forward · h¹₁ (hidden layer 1, neuron 1)[dim][/bold] · sample 2\n'
        '[/dim]z = w₁x₁ + w₂x₂ + b\n'
        '  = #·0 + (#)·1 + 0\n'
        '  = [bold]#[/bold]\n'
        'a = σ(z) = σ(#) = [bold]#[/bold]'
    ),
    'a layer step of 2 neurons': (
        '[dim]this step computed h₁, h₂; ↑↓ picks the one explained here\n'
        '[bold][/dim]Forward · h₁ (hidden layer 1, neuron 1)[dim][/bold] · sample 2\n'
        '[/dim]z = w₁x₁ + w₂x₂ + b\n'
        '  = #·0 + #·1 + 0\n'
        '  = [bold]#[/bold]\n'
        'a = σ(z) = σ(#) = [bold]#[/bold]'
    ),
    'MSE loss': (
        '[bold]Loss · mean squared error over 4 samples[/bold]\n'
        'L = 1/4 · Σₙ (ŷₙ − yₙ)² = [bold]#[/bold]\n'
        'sample 2: ŷ = #, y = 1\n'
        '∂L/∂ŷ = 2/4 · (ŷ − y) = # · (# − 1) = [bold]#[/bold]'
    ),
    'BCE loss with weight decay, 200 samples': (
        '[bold]Loss · binary cross-entropy over 200 samples[/bold]\n'
        'L = −1/200 · Σ \\[y·log ŷ + (1−y)·log(1−ŷ)] = [bold]#[/bold]\n'
        'L = data + λ/2·Σw² = # + #/2·# = [bold]#[/bold]\n'
        'sample 1: ŷ = #, y = 1\n'
        'ℓ = −\\[y·log ŷ + (1−y)·log(1−ŷ)] = −[1·log # + 0·log #] = [bold]#[/bold]\n'
        'δ = ∂L/∂z = (ŷ − y)/(N·K) = (# − 1)/200 = [bold]#[dim][/bold]\n'
        "∂L/∂ŷ = (ŷ − y)/(ŷ(1−ŷ)) / (N·K) and σ'(z) = ŷ(1−ŷ): f'(z) cancels, δ = (ŷ − y)/(N·K)[/dim]"
    ),
    'fused backward at the output, weight decay, 200 samples': (
        '[bold]Backward · ŷ (output layer 2, neuron 1)[dim][/bold] · sample 1 for δ\n'
        "[/dim]δ = ∂L/∂z from the loss step, (ŷ − y)·scale: f'(z) cancelled = [bold]#[/bold]\n"
        'dw₁ = Σₙ δₙ·h₁ₙ + λ·w₁ = [dim](sample 1: (#)·# = #) + … all 200 + (λ·w: #) → [bold][/dim]#[/bold]\n'
        'dw₂ = Σₙ δₙ·h₂ₙ + λ·w₂ = [dim](sample 1: (#)·(#) = #) + … all 200 + (λ·w: #) → [bold][/dim]#[/bold]\n'
        'dw₃ = Σₙ δₙ·h₃ₙ + λ·w₃ = [dim](sample 1: (#)·(#) = #) + … all 200 + (λ·w: #) → [bold][/dim]#[/bold]\n'
        'db = Σₙ δₙ = [bold]#[dim][/bold]\n'
        'weight decay λ = # adds λ·w to each dw, pulling the weights toward 0 (biases are not decayed)[/dim]'
    ),
    'backward of a hidden neuron, weight decay, 200 samples': (
        '[bold]Backward · h₁ (hidden layer 1, neuron 1)[dim][/bold] · sample 1 for δ\n'
        '[/dim]∂L/∂a = Σₖ δₖ·wₖ (from layer 2) = (#)·# = [bold]#[/bold]\n'
        "δ = ∂L/∂z = ∂L/∂a · tanh'(z) = (#) · # = [bold]#[/bold]\n"
        'dw₁ = Σₙ δₙ·x₁ₙ + λ·w₁ = [dim](sample 1: (#)·# = #) + … all 200 + (λ·w: #) → [bold][/dim]#[/bold]\n'
        'dw₂ = Σₙ δₙ·x₂ₙ + λ·w₂ = [dim](sample 1: (#)·(#) = #) + … all 200 + (λ·w: #) → [bold][/dim]#[/bold]\n'
        'db = Σₙ δₙ = [bold]#[dim][/bold]\n'
        'weight decay λ = # adds λ·w to each dw, pulling the weights toward 0 (biases are not decayed)[/dim]'
    ),
    'softmax loss of a batch': (
        '[bold]Loss · softmax cross-entropy over 64 samples[dim][/bold] · batch 1 of 5[/dim]\n'
        'L = −1/64 · Σₙ Σₖ yₙₖ·log ŷₙₖ = [bold]#[/bold]\n'
        'sample 1: ŷ = (#, #, #), y = (1, 0, 0)\n'
        'ℓ = −Σₖ yₖ·log ŷₖ = −[1·log # + 0·log # + 0·log #] = [bold]#[/bold]\n'
        'δ₁ = ∂L/∂z₁ = (ŷ₁ − y₁)/N = (# − 1)/64 = [bold]#[/bold]\n'
        'δ₂ = ∂L/∂z₂ = (ŷ₂ − y₂)/N = (# − 0)/64 = [bold]#[/bold]\n'
        'δ₃ = ∂L/∂z₃ = (ŷ₃ − y₃)/N = (# − 0)/64 = [bold]#[dim][/bold]\n'
        "∂L/∂ŷₖ = −yₖ/(N·ŷₖ) and softmax's ∂ŷₖ/∂zⱼ = ŷₖ·(\\[j = k] − ŷⱼ): f'(z) cancels, δ = (ŷ − y)/N[/dim]"
    ),
    "the last batch's loss, and the epoch's": (
        '[bold]Loss · softmax cross-entropy over 44 samples[dim][/bold] · batch 5 of 5[/dim]\n'
        'L = −1/44 · Σₙ Σₖ yₙₖ·log ŷₙₖ = [bold]#[/bold]\n'
        "epoch loss (the 5 batches' losses, weighted by size) = [bold]#[/bold]\n"
        'sample 67: ŷ = (#, #, #), y = (1, 0, 0)\n'
        'ℓ = −Σₖ yₖ·log ŷₖ = −[1·log # + 0·log # + 0·log #] = [bold]#[/bold]\n'
        'δ₁ = ∂L/∂z₁ = (ŷ₁ − y₁)/N = (# − 1)/44 = [bold]#[/bold]\n'
        'δ₂ = ∂L/∂z₂ = (ŷ₂ − y₂)/N = (# − 0)/44 = [bold]#[/bold]\n'
        'δ₃ = ∂L/∂z₃ = (ŷ₃ − y₃)/N = (# − 0)/44 = [bold]#[dim][/bold]\n'
        "∂L/∂ŷₖ = −yₖ/(N·ŷₖ) and softmax's ∂ŷₖ/∂zⱼ = ŷₖ·(\\[j = k] − ŷⱼ): f'(z) cancels, δ = (ŷ − y)/N[/dim]"
    ),
    'loss, the sample not in the batch': (
        '[bold]Loss · softmax cross-entropy over 44 samples[dim][/bold] · batch 5 of 5[/dim]\n'
        'L = −1/44 · Σₙ Σₖ yₙₖ·log ŷₙₖ = [bold]#[/bold]\n'
        "epoch loss (the 5 batches' losses, weighted by size) = [bold]#[/bold]\n"
        'sample 1 is not in batch 5 (samples 67, 164, 77, 238, …); [ and ] choose a sample of this batch'
    ),
    'forward, the sample not in the batch': (
        '[bold]Forward · h₁ (hidden layer 1, neuron 1)[dim][/bold] · sample 4\n'
        '[/dim]sample 4 is not in batch 1 (samples 133, 175, 103, 3, …); [ and ] choose a sample of this batch'
    ),
    'backward, the sample not in the batch': (
        '[bold]Backward · h₁ (hidden layer 1, neuron 1)[dim][/bold] · sample 4 for δ\n'
        '[/dim]sample 4 is not in batch 1 (samples 133, 175, 103, 3, …); [ and ] choose a sample of this batch\n'
        'dw₁ = Σₙ δₙ·x₁ₙ = [dim]… all 64 → [bold][/dim]#[/bold]\n'
        'dw₂ = Σₙ δₙ·x₂ₙ = [dim]… all 64 → [bold][/dim]#[/bold]\n'
        'db = Σₙ δₙ = [bold]#[/bold]'
    ),
    'loss of a batch of 4, the sample not in it': (
        '[bold]Loss · mean squared error over 4 samples[dim][/bold] · batch 1 of 50[/dim]\n'
        'L = 1/4 · Σₙ (ŷₙ − yₙ)² = [bold]#[/bold]\n'
        'sample 1 is not in batch 1 (samples 106, 7, 169, 91); [ and ] choose a sample of this batch'
    ),
    'loss of a batch of 5, the sample not in it': (
        '[bold]Loss · mean squared error over 5 samples[dim][/bold] · batch 1 of 40[/dim]\n'
        'L = 1/5 · Σₙ (ŷₙ − yₙ)² = [bold]#[/bold]\n'
        'sample 1 is not in batch 1 (samples 106, 7, 169, 91, …); [ and ] choose a sample of this batch'
    ),
    "softmax output, its first neuron's forward: a waits for the last": (
        '[bold]Forward · ŷ₁ (output layer 2, neuron 1)[dim][/bold] · sample 1\n'
        '[/dim]z = w₁h₁ + w₂h₂ + w₃h₃ + b\n'
        '  = #·(#) + #·# + #·# + 0\n'
        '  = [bold]#[dim][/bold]\n'
        "a = softmax(z) needs every z of the layer: computed with the layer's last neuron[/dim]"
    ),
    "softmax output, its last neuron's forward": (
        '[bold]Forward · ŷ₃ (output layer 2, neuron 3)[dim][/bold] · sample 1\n'
        '[/dim]z = w₁h₁ + w₂h₂ + w₃h₃ + b\n'
        '  = #·(#) + (#)·# + #·# + 0\n'
        '  = [bold]#[/bold]\n'
        "a = e^zⱼ/Σₖ e^zₖ over the layer's z = [bold]#[/bold]"
    ),
    "softmax output under MSE: δ through the softmax's Jacobian": (
        '[bold]Backward · ŷ₁ (output layer 2, neuron 1)[dim][/bold] · sample 1 for δ\n'
        '[/dim]∂L/∂a = ∂L/∂ŷ = [bold]#[/bold]\n'
        'δ = ∂L/∂z = a·(∂L/∂a − Σⱼ ∂L/∂aⱼ·aⱼ) = a·(# − (#)) = [bold]#[/bold]\n'
        'dw₁ = Σₙ δₙ·h₁ₙ = [dim](sample 1: (#)·(#) = #) + … all 300 → [bold][/dim]#[/bold]\n'
        'dw₂ = Σₙ δₙ·h₂ₙ = [dim](sample 1: (#)·# = #) + … all 300 → [bold][/dim]#[/bold]\n'
        'dw₃ = Σₙ δₙ·h₃ₙ = [dim](sample 1: (#)·# = #) + … all 300 → [bold][/dim]#[/bold]\n'
        'db = Σₙ δₙ = [bold]#[/bold]'
    ),
    '10 outputs: the first 4 narrated': (
        '[bold]Loss · softmax cross-entropy over 1797 samples[/bold]\n'
        'L = −1/1797 · Σₙ Σₖ yₙₖ·log ŷₙₖ = [bold]#[/bold]\n'
        'sample 1: ŷ = (#, #, #, #, #, #, #, #, #, #), y = (1, 0, 0, 0, 0, 0, 0, 0, 0, 0)\n'
        'ℓ = −Σₖ yₖ·log ŷₖ = −[1·log # + 0·log # + 0·log # + 0·log # + 0·log # + 0·log # + 0·log # + 0·log # + 0·log # + 0·log #] = [bold]#[/bold]\n'
        'δ₁ = ∂L/∂z₁ = (ŷ₁ − y₁)/N = (# − 1)/1797 = [bold]#[/bold]\n'
        'δ₂ = ∂L/∂z₂ = (ŷ₂ − y₂)/N = (# − 0)/1797 = [bold]#[/bold]\n'
        'δ₃ = ∂L/∂z₃ = (ŷ₃ − y₃)/N = (# − 0)/1797 = [bold]#[/bold]\n'
        'δ₄ = ∂L/∂z₄ = (ŷ₄ − y₄)/N = (# − 0)/1797 = [bold]#[dim][/bold]\n'
        '… and 6 more outputs[dim][/dim]\n'
        "∂L/∂ŷₖ = −yₖ/(N·ŷₖ) and softmax's ∂ŷₖ/∂zⱼ = ŷₖ·(\\[j = k] − ŷⱼ): f'(z) cancels, δ = (ŷ − y)/N[/dim]"
    ),
    'loss of a batch of 1, the sample not in it': (
        '[bold]Loss · mean squared error over 1 sample[dim][/bold] · batch 1 of 200[/dim]\n'
        'L = 1/1 · Σₙ (ŷₙ − yₙ)² = [bold]#[/bold]\n'
        'sample 1 is not in batch 1 (samples 106); [ and ] choose a sample of this batch'
    ),
    'loss of a batch of 2, the sample not in it': (
        '[bold]Loss · mean squared error over 2 samples[dim][/bold] · batch 1 of 100[/dim]\n'
        'L = 1/2 · Σₙ (ŷₙ − yₙ)² = [bold]#[/bold]\n'
        'sample 1 is not in batch 1 (samples 106, 7); [ and ] choose a sample of this batch'
    ),
    '2 classes': (
        '[bold]Loss · softmax cross-entropy over 300 samples[/bold]\n'
        'L = −1/300 · Σₙ Σₖ yₙₖ·log ŷₙₖ = [bold]#[/bold]\n'
        'sample 1: ŷ = (#, #), y = (1, 0)\n'
        'ℓ = −Σₖ yₖ·log ŷₖ = −[1·log # + 0·log #] = [bold]#[/bold]\n'
        'δ₁ = ∂L/∂z₁ = (ŷ₁ − y₁)/N = (# − 1)/300 = [bold]#[/bold]\n'
        'δ₂ = ∂L/∂z₂ = (ŷ₂ − y₂)/N = (# − 0)/300 = [bold]#[dim][/bold]\n'
        "∂L/∂ŷₖ = −yₖ/(N·ŷₖ) and softmax's ∂ŷₖ/∂zⱼ = ŷₖ·(\\[j = k] − ŷⱼ): f'(z) cancels, δ = (ŷ − y)/N[/dim]"
    ),
    '4 classes': (
        '[bold]Loss · softmax cross-entropy over 300 samples[/bold]\n'
        'L = −1/300 · Σₙ Σₖ yₙₖ·log ŷₙₖ = [bold]#[/bold]\n'
        'sample 1: ŷ = (#, #, #, #), y = (1, 0, 0, 0)\n'
        'ℓ = −Σₖ yₖ·log ŷₖ = −[1·log # + 0·log # + 0·log # + 0·log #] = [bold]#[/bold]\n'
        'δ₁ = ∂L/∂z₁ = (ŷ₁ − y₁)/N = (# − 1)/300 = [bold]#[/bold]\n'
        'δ₂ = ∂L/∂z₂ = (ŷ₂ − y₂)/N = (# − 0)/300 = [bold]#[/bold]\n'
        'δ₃ = ∂L/∂z₃ = (ŷ₃ − y₃)/N = (# − 0)/300 = [bold]#[/bold]\n'
        'δ₄ = ∂L/∂z₄ = (ŷ₄ − y₄)/N = (# − 0)/300 = [bold]#[dim][/bold]\n'
        "∂L/∂ŷₖ = −yₖ/(N·ŷₖ) and softmax's ∂ŷₖ/∂zⱼ = ŷₖ·(\\[j = k] − ŷⱼ): f'(z) cancels, δ = (ŷ − y)/N[/dim]"
    ),
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_kind_of_step_is_narrated_as_written(name):
    assert narrations()[name] == EXPECTED[name]


def test_the_sample_goes_on_its_own_line_only_where_the_header_fits_and_it_does_not():
    """"Forward · h₁ (hidden layer 1, neuron 1) · sample 2" on one line where it fits; on a
    narrower panel where the header alone fits, "sample 2" on the next line (narrower still,
    the header itself is shortened)."""
    s = session(task="xor", hidden=(2,))
    until(s, Phase.FORWARD, 0)
    tail = "sample 2"
    head = "Forward · h₁ (hidden layer 1, neuron 1)"
    one_line = cell_len(head) + 3 + cell_len(tail)
    for width, sep in ((None, " · "), (one_line + 5, " · "), (one_line, " · "),
                       (one_line - 1, "\n"), (cell_len(head), "\n")):
        text = narrate(view(s), width).plain
        assert text.startswith(head + sep + tail + "\n"), (width, text[:60])


def test_fill_writes_a_number_that_starts_an_expression_plain_and_others_in_parentheses():
    """4 significant digits unless told; plain at the start, after "= ", "(" and "["."""
    from tui.app.widgets.narration import fill

    assert fill("{} + [{} − {}] = {}·({})", [-0.123456, -2.5, -3.0, -1.0, -4.0]) == \
        "-0.1235 + [-2.5 − (-3)] = -1·(-4)"
    assert fill("L = {}·{}", [0.123456, -7.0]) == "L = 0.1235·(-7)"
    assert fill("L = {}·{}", [0.123456, -7.0], 6) == "L = 0.123456·(-7)"


def test_a_sum_cut_short_is_written_with_4_digits():
    """A sum with terms left out ("+ … 1 more") cannot recompute to its result, so it is not
    fitted (more digits would not help): every operand with 4 significant digits."""
    from tui.view.equation import shown_digits

    number = re.compile(r"\(?-?\d+\.\d+(?:e[-+]?\d+)?\)?")
    s = session(task="xor", hidden=(4, 3))
    until(s, Phase.FORWARD, 1)  # z of a neuron with 4 inputs: 3 written
    line = next(l for l in narrate(view(s)).plain.splitlines() if "1 more" in l)
    digits = [shown_digits(n) for n in number.findall(line)]
    assert len(digits) >= 6 and set(digits) == {4}, line  # (b may be 0: not a float)
    s = session(task="xor", hidden=(3, 5))
    until(s, Phase.BACKWARD, 0)  # ∂L/∂a from a next layer of 5 neurons: 3 written
    line = next(l for l in narrate(view(s)).plain.splitlines() if "2 more" in l)
    assert line.startswith("∂L/∂a = Σₖ δₖ·wₖ (from layer 2) = ")
    digits = [shown_digits(n) for n in number.findall(line)]
    assert len(digits) == 7 and set(digits) == {4}, line


# Mutants of the narration's text (tui/app/widgets/narration.py's functions; mutmut 3.8.1) that
# no test kills, 11 of 945, and why each changes nothing shown:
# - _sum_over_samples 1 (its default digits: every caller passes them).
# - _loss 8, _backward 4 (full batch: len(y) and len(x) are n_samples); _loss 38 (a sample not
#   in the batch: only the batch's loss line is used, whatever row explain reads); _loss 55
#   (without weight decay the data loss is the loss).
# - narrate 112 (neurons[1] + start == 2: every multi-neuron step starts at neuron 0).
# - _loss 78 82, _backward_sums 67 71 (one operand at 4 digits where the line is fitted: differs
#   only where that line needs more than 4 digits and that operand has them: λ, Σw² or the
#   selected sample's δ·x term; not held by a test).
# The Narration widget's show/show_text (22 of 51 left) are reached only by Pilot tests.
