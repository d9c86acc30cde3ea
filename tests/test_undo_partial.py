"""Undo states hold only what their step changes (nn/timeline.py, partial states): going
back still gives the very state the stepper had there, bit for bit, in any mix of steps,
backs and jumps — and a step of one neuron of a 1 000-layer network copies two layers."""
from __future__ import annotations

import random

import numpy as np
import pytest

from nn import NeuralNetwork
from nn.stepper import Stepper
from nn.timeline import LAYER_FIELDS

GRAINS = ("neuron", "neuron", "neuron", "layer", "phase", "batch", "epoch")


def fingerprint(st: Stepper) -> tuple:
    """Every value a step or a rewind may change, as bytes (bit for bit)."""
    def b(a):
        a = np.asarray(a)
        return (a.shape, a.tobytes())
    layers = tuple(tuple(b(getattr(layer, f)) for f in LAYER_FIELDS) for layer in st.net.layers)
    changes = tuple((b(cw), b(cb)) for cw, cb in st.changes)
    pending = tuple(sorted((k, b(v)) for k, v in st._dA.items()))
    opt = st.net.optimizer.get_state()
    opt = tuple(sorted((k, b(v) if isinstance(v, np.ndarray) else v) for k, v in opt.items()))
    return (st.epoch, st.cursor, layers, changes, pending, opt, tuple(st.losses),
            tuple(st.batch_losses), st._loss_sum)


def data(n_in=2, n_out=1, n=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, n_in))
    if n_out == 1:
        return X, (X[:, :1] * X[:, 1:2] > 0).astype(float)
    return X, np.eye(n_out)[rng.integers(0, n_out, size=n)]


CASES = {
    "sigmoid mse": dict(sizes=[2, 3, 2, 1], kw={}),
    "bce fused, mini-batches": dict(sizes=[2, 3, 1], kw=dict(loss="bce"), batch=4),
    "softmax adam decay": dict(sizes=[2, 3, 3, 3], kw=dict(output="softmax", loss="softmax-ce",
                                                           optimizer="adam", weight_decay=0.01),
                               n_out=3, batch=4),
    "momentum, relu": dict(sizes=[2, 4, 3, 1], kw=dict(hidden="relu", output="identity",
                                                      optimizer="momentum")),
}


class WholeUndo(Stepper):
    """The stepper as it was: every undo state a copy of everything."""

    def _touches(self, start, end):
        return None, True


def make(cls, spec, case):
    kw = dict(spec["kw"])
    hidden, output = kw.pop("hidden", "sigmoid"), kw.pop("output", "sigmoid")
    net = NeuralNetwork.from_sizes(spec["sizes"], hidden, output, seed=1, **kw)
    X, y = data(n_out=spec.get("n_out", 1))
    return cls(net, X, y, lr=0.5, batch=spec.get("batch"))


@pytest.mark.parametrize("case", sorted(CASES))
def test_any_mix_of_steps_backs_and_jumps_equals_whole_undo_states(case):
    """The same 400 random steps, backs and jumps on a stepper with partial undo states
    and on one with whole copies: the same state, bit for bit, after each."""
    spec = CASES[case]
    st, ref = make(Stepper, spec, case), make(WholeUndo, spec, case)
    rng = random.Random(case)
    seen, partial = set(), 0
    for _ in range(400):
        op, grain = rng.random(), rng.choice(GRAINS)
        if op < 0.6:
            st.step(grain)
            ref.step(grain)
            partial += st.travel.undo[-1].partial if st.travel.undo else 0
        elif op < 0.9:
            st.back(grain)
            ref.back(grain)
        else:
            target = rng.choice(sorted(seen)) if seen else (0, 0)
            if target <= (st.epoch, st.cursor):
                st.go_to(*target)
                ref.go_to(*target)
        seen.add((st.epoch, st.cursor))
        assert fingerprint(st) == fingerprint(ref), (case, st.epoch, st.cursor)
    assert len(seen) > 30 and partial > 50 and max(seen)[0] >= 1


def test_a_neuron_step_of_a_deep_network_keeps_two_layers():
    net = NeuralNetwork.from_sizes([2] + [2] * 999 + [1], "tanh", "sigmoid", seed=0)
    st = Stepper(net, *data(n=4), lr=0.5)
    st.step("neuron")  # forward h¹₁: it and the layer reading its a
    assert sorted(st.travel.undo[-1].layers) == [0, 1]
    for _ in range(3):
        st.step("neuron")
    assert sorted(st.travel.undo[-1].layers) == [1, 2]
    st.step("phase")  # the rest of the forward pass: every layer it runs (h³ … ŷ)
    assert sorted(st.travel.undo[-1].layers) == list(range(2, 1000))
    st.step("neuron")  # the loss: no layer, the pending ∂L/∂a whole
    state = st.travel.undo[-1]
    assert not state.layers and state.dA_keys is None
    st.step("neuron")  # δ of the output neuron
    assert list(st.travel.undo[-1].layers) == [999] and st.travel.undo[-1].partial
    full = fingerprint(st)
    st.step("neuron")
    st.back("neuron")
    assert fingerprint(st) == full


class MixedUndo(Stepper):
    """Every third undo state whole, the others partial."""

    calls = 0

    def _touches(self, start, end):
        self.calls += 1
        return (None, True) if self.calls % 3 == 0 else super()._touches(start, end)


def test_whole_and_partial_states_mixed_go_back_exactly():
    spec = CASES["sigmoid mse"]
    st, ref = make(MixedUndo, spec, "mixed"), make(WholeUndo, spec, "mixed")
    rng = random.Random(7)
    for _ in range(300):
        grain = rng.choice(GRAINS)
        if rng.random() < 0.6:
            st.step(grain)
            ref.step(grain)
        else:
            st.back(grain)
            ref.back(grain)
        assert fingerprint(st) == fingerprint(ref), (st.epoch, st.cursor)
