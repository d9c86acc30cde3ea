"""``Stepper.copy`` (a fork), owner by owner: a copy stepped, played and sent back in time
gives bit for bit the numbers the original gives — and a run never copied — with every
optimizer of the registry, full batch and mini-batch, weight decay, test rows and the digits
task; no array of the copy is one of the original's (the data aside), arrays two owners share
stay shared; an optimizer class added later is copied safely by default."""
import dataclasses

import numpy as np
import pytest

from nn import Granularity, NeuralNetwork, Stepper, datasets
from nn.layer import Layer
from nn.network import NeuralNetwork as Net
from nn.optimizers import GD, Optimizer, from_word, optimizer_words
from nn.timetravel import TimeTravel
from tui.core.config import RunConfig, build, task_defaults

G = Granularity


# ------------------------------------------------------------------ helpers
def same(a, b, where="") -> None:
    """``a`` and ``b`` equal bit for bit (arrays, events, dicts, lists; NaN equals NaN)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert isinstance(a, np.ndarray) and isinstance(b, np.ndarray), where
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"), where
    elif dataclasses.is_dataclass(a) and not isinstance(a, type):
        assert type(a) is type(b), where
        for f in dataclasses.fields(a):
            same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), where
        for k in a:
            same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and isinstance(b, float) and a != a:
        assert b != b, where
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def live(st: Stepper) -> dict[str, np.ndarray]:
    """Every array the stepper owns, by name (the arrays themselves, not copies)."""
    out = {"theta": st.net.theta, "grad": st.net.grad, "changes": st._change_flat,
           "history": st.travel.history.rows}
    for l, layer in enumerate(st.net.layers):
        for f in ("W", "b", "dW", "db", "x", "z", "a", "delta", "dA"):
            out[f"layer {l} {f}"] = getattr(layer, f)
    for l, a in st._dA.items():
        out[f"pending dA {l}"] = a
    for k, v in st.net.optimizer.state.items():
        out[f"optimizer {k}"] = v
    if st.travel.opt_history is not None:
        out["opt history"] = st.travel.opt_history.rows
    for l, (W, b) in enumerate(st.initial_params):
        out[f"initial W {l}"], out[f"initial b {l}"] = W, b
    for k, v in st.initial_optimizer.items():
        if isinstance(v, np.ndarray):
            out[f"initial optimizer {k}"] = v
    for name in ("losses", "batch_losses", "test_losses"):
        out[name] = getattr(st, name)._ring
    return out


def rings(snapshots) -> list:
    if snapshots is None:
        return []
    return [snapshots.get(e) for e in range(snapshots.oldest or 0, (snapshots.newest or -1) + 1)]


def state(st: Stepper) -> dict:
    """What a stepper is, for comparing two of them: every number it holds and shows."""
    opt = st.net.optimizer
    test = st.test_history()
    return {
        "where": (st.epoch, st.cursor, st._loss_sum, st.halted is None),
        "theta": st.net.theta, "grad": st.net.grad, "changes": st._change_flat,
        "layers": [{f: getattr(layer, f) for f in ("x", "z", "a", "delta", "dA")}
                   for layer in st.net.layers],
        "pending": dict(sorted(st._dA.items())), "optimizer": (opt.t, opt.state),
        "losses": st.losses.exact_values(), "batch losses": st.batch_losses.exact_values(),
        "test losses": None if test is None else test.exact_values(),
        "rings": rings(st.travel.history), "opt rings": rings(st.travel.opt_history),
        "undo": [s.position for s in st.travel.undo], "events": st.last_events,
        "initial": (st.initial_params, st.initial_optimizer),
    }


def snapshot(st: Stepper) -> dict:
    """``state`` with every array copied (to hold against the stepper later)."""
    def deep(v):
        if isinstance(v, np.ndarray):
            return v.copy()
        if isinstance(v, dict):
            return {k: deep(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return type(v)(deep(x) for x in v)
        return v
    return deep(state(st))


def regression(word="adam", batch=None, decay=0.0) -> Stepper:
    X, y = datasets.regression(12)
    X_test, y_test = datasets.regression(5, seed=1)
    net = NeuralNetwork.from_sizes([2, 3, 2, 1], "tanh", "identity", seed=0,
                                   optimizer=from_word(word), weight_decay=decay)
    return Stepper(net, X, y, 0.05, batch=batch, X_test=X_test, y_test=y_test)


def digits() -> Stepper:
    p = build(RunConfig(task="digits", hidden=(8,), **task_defaults("digits")))
    return Stepper(p.net, p.X, p.y, p.config.lr, batch=p.config.batch, X_test=p.X_test,
                   y_test=p.y_test)


def before_copy(st: Stepper) -> None:
    """Into the middle of an epoch (a mini-batch's), with rings and undo states to copy."""
    st.run_epochs(2)
    for _ in range(7):
        st.step(G.NEURON)


#: what the copy and the original then do: each move's result is compared too
AFTER = [("step", G.NEURON)] * 3 + [("step", G.PHASE), ("step", G.LAYER), ("step", G.BATCH),
                                    ("play", 3), ("back", G.NEURON), ("back", G.PHASE),
                                    ("go_to", (1, 5)),  # before the copy: rings and undo
                                    ("step", G.LAYER), ("step", G.NEURON), ("play", 2)]


def move(st: Stepper, what, arg):
    if what == "step":
        return st.step(arg)
    if what == "play":
        return st.run_epochs(arg)
    if what == "back":
        return st.back(arg)
    return st.go_to(*arg)


def run(st: Stepper, moves=AFTER) -> list:
    return [(move(st, *m), state(st)) for m in moves]


def assert_forks_exactly(make, before=before_copy, moves=AFTER) -> None:
    """The copy, the original (moved first: any array they share is moved twice) and a
    run never copied make the very same moves and give the very same numbers."""
    original, never_copied = make(), make()
    before(original)
    before(never_copied)
    copy = original.copy()
    same(state(copy), state(original), "at the fork")
    kept = snapshot(original)
    first = run(copy, moves[:4])  # the copy moves alone first: the original must not move
    same(state(original), kept, "the original after the copy moved")
    rest_copy = run(copy, moves[4:])
    ours = run(original, moves)
    reference = run(never_copied, moves)
    same(first + rest_copy, reference, "copy vs never copied")
    same(ours, reference, "original vs never copied")


# -------------------------------------------------------------- exactness
WORDS = list(optimizer_words())


def test_every_optimizer_word_is_tried():
    assert {"gd", "momentum", "nesterov", "adam", "rmsprop"} <= set(WORDS)


@pytest.mark.parametrize("word", WORDS)
@pytest.mark.parametrize("batch, decay", [(None, 0.0), (5, 0.01)])
def test_a_copy_goes_on_bit_for_bit_as_the_original_and_an_uncopied_run(word, batch, decay):
    assert_forks_exactly(lambda: regression(word, batch, decay))


def test_a_copy_of_a_digits_run_goes_on_bit_for_bit():
    """Softmax, a fused loss (the output's δ is the pending ∂L/∂a itself), Adam, batches of 32,
    test rows."""
    def before(st):
        st.run_epochs(1)
        for g in (G.NEURON,) * 5 + (G.LAYER,) * 3:
            st.step(g)
    moves = [("step", G.LAYER)] * 2 + [("step", G.NEURON), ("step", G.BATCH), ("play", 1),
                                       ("back", G.NEURON), ("back", G.LAYER), ("step", G.PHASE)]
    assert_forks_exactly(digits, before, moves)


def test_a_copy_of_a_halted_stepper_stays_halted_and_goes_back_alike():
    def before(st):
        st.run_epochs(3)
        assert st.halted is not None

    def make():
        st = regression("gd")
        st.lr = 1e200  # blows up at once
        return st
    moves = [("step", G.NEURON), ("back", G.NEURON), ("step", G.EPOCH), ("play", 2)]
    assert_forks_exactly(make, before, moves)


# ----------------------------------------------------------- independence
def test_no_array_of_the_copy_is_or_overlaps_one_of_the_original():
    st = regression("adam", batch=5, decay=0.01)
    before_copy(st)
    c = st.copy()
    mine, theirs = live(st), live(c)
    assert mine.keys() == theirs.keys()
    data = {id(a) for a in (st.X, st.y, st.X_test, st.y_test, *st._batch_cache[1:])}
    assert {n for n, a in theirs.items() if id(a) in data} == {"layer 0 x"}  # batch data
    for name, a in theirs.items():
        for other, b in mine.items():
            if id(a) not in data:
                assert not np.shares_memory(a, b), f"the copy's {name} overlaps the original's {other}"
    assert c.X is st.X and c.y is st.y and c.X_test is st.X_test


def test_arrays_that_two_owners_share_stay_shared_and_only_those():
    """Layer l's a is layer l+1's x; a pending ∂L/∂a is the dA of its layer; the first
    layer's x is the batch data: the copy keeps exactly the same pattern."""
    for make in (lambda: regression("momentum", batch=5), digits):
        st = make()
        st.run_epochs(1)
        for g in (G.NEURON,) * 4 + (G.PHASE,) * 2 + (G.NEURON,) * 2:  # into the backward
            st.step(g)
        assert any(layer.dA is a for layer in st.net.layers for a in st._dA.values())
        assert any(st.net.layers[l].x is st.net.layers[l - 1].a for l in (1,))
        c = st.copy()
        mine, theirs = list(live(st).values()), list(live(c).values())
        pairs = [(i, j) for i in range(len(mine)) for j in range(i + 1, len(mine))]
        assert any(mine[i] is mine[j] for i, j in pairs)  # there is sharing to keep
        for i, j in pairs:
            assert (mine[i] is mine[j]) == (theirs[i] is theirs[j]), (i, j)
        assert c.net.layers[0].x is st.net.layers[0].x  # the batch data: never written
        for layer in c.net.layers:
            assert layer.W.base is c.net.theta and layer.dW.base is c.net.grad
        assert all(cw.base is c._change_flat for cw, _ in c.changes)


def test_writing_every_array_of_the_copy_leaves_the_original_alone():
    st = regression("rmsprop", batch=5, decay=0.01)
    before_copy(st)
    kept = snapshot(st)
    c = st.copy()
    data = {id(a) for a in (st.X, st.y, *st._batch_cache[1:])}
    for a in live(c).values():
        if id(a) not in data:
            a[...] = 7.0
    c.net.optimizer.t += 5
    c.losses.append(1.0)
    c._dA.clear()
    c.travel.undo.clear()
    same(state(st), kept, "the original after writing into the copy")
    st.go_to(1, 3)  # its undo states and rings still work


# --------------------------------------------------- a new optimizer, later
class Peaked(Optimizer):
    """A fixture optimizer keeping more than its ``state`` vectors: a running count of
    its calls (an array attribute, in the formula) and a list of the step sizes used."""

    name = "peaked-fixture"
    title = "peaked"
    slots = ("v",)

    def __init__(self):
        super().__init__()
        self.calls = np.zeros(1)
        self.log: list = []

    def _update(self, theta, grad, lr, t, state):
        self.calls += 1.0
        rate = lr / (1.0 + 0.01 * self.calls[0])
        self.log.append(rate)
        state["v"] *= 0.5
        state["v"] += grad
        theta -= rate * state["v"]


def test_an_optimizer_class_added_later_is_copied_whole_by_default():
    opt = Peaked().bind(4, np.float64)
    opt.step(np.zeros(4), np.ones(4), 0.1)
    c = opt.copy()
    assert type(c) is Peaked and c.t == opt.t and c.log == opt.log
    for a, b in ((c.calls, opt.calls), (c.state["v"], opt.state["v"])):
        np.testing.assert_array_equal(a, b)
        assert not np.shares_memory(a, b)
    assert c.log is not opt.log
    c32 = opt.copy(np.float32)
    assert c32.calls.dtype == c32.state["v"].dtype == np.float32

    def make():
        X, y = datasets.regression(12)
        net = NeuralNetwork.from_sizes([2, 3, 1], "tanh", "identity", seed=0, optimizer=Peaked())
        return Stepper(net, X, y, 0.05, batch=5)
    moves = [("step", G.NEURON)] * 3 + [("step", G.LAYER), ("play", 2), ("step", G.PHASE)]
    assert_forks_exactly(make, lambda st: (st.run_epochs(2), st.step(G.NEURON)), moves)


def test_a_plain_optimizers_copy_shares_nothing_that_changes():
    opt = GD()
    c = opt.copy()
    assert c.state is not opt.state and vars(c).keys() == vars(opt).keys()


# ------------------------------------------------ what each copy knows of
#: every attribute each owner has, and so handles in its copy: a new one fails here, to be
#: copied (or said to be shared) in Stepper.copy, NeuralNetwork.clone, Layer.clone or
#: TimeTravel.copy
KNOWN = {
    Stepper: {"net", "X_test", "y_test", "_test_pending", "X", "y", "lr", "batch", "n_batches",
              "schedule", "units", "units_per_batch", "_order", "_batch_cache",
              "initial_params", "initial_optimizer", "travel", "_finite_guard", "losses",
              "batch_losses", "test_losses", "epoch", "cursor", "_loss_sum", "last_events",
              "halted", "_dA", "_change_flat", "changes", "breakpoint"},
    Net: {"layers", "loss", "weight_decay", "init", "seed", "optimizer", "layout",
          "_index_cache", "theta", "grad"},
    Layer: {"W", "b", "activation", "dW", "db", "_ones_cache", "x", "z", "a", "delta", "dA"},
    TimeTravel: {"stepper", "depth", "history", "opt_history", "undo_bytes", "undo", "nbytes"},
}


def test_each_copy_knows_every_attribute_of_its_owner():
    st = regression("adam", batch=5)
    before_copy(st)
    st._guard()
    c = st.copy()
    for obj in (st, c):
        for owner, names in ((obj, KNOWN[Stepper]), (obj.net, KNOWN[Net]),
                             (obj.travel, KNOWN[TimeTravel])):
            assert set(vars(owner)) == names, type(owner).__name__
        for layer in obj.net.layers:
            assert set(vars(layer)) == KNOWN[Layer]
    assert c._finite_guard is None and c.travel.stepper is c
    assert c.run_epochs(1) == st.run_epochs(1) == 1  # the guard is made again for the copy
    np.testing.assert_array_equal(c.net.theta, st.net.theta)


def test_a_deep_steppers_copy_walks_no_object_graph(monkeypatch):
    """Issue 21's first fork: ``copy.deepcopy`` of the whole stepper made ~39 000 calls for a
    1 000-layer network (106–157 ms).  Each owner now copies its arrays itself: no deepcopy
    at all for a built-in optimizer, so the cost is a few array copies per layer."""
    import copy as copy_module

    calls = []
    real = copy_module.deepcopy
    monkeypatch.setattr(copy_module, "deepcopy", lambda *a, **k: calls.append(a) or real(*a, **k))
    for word in optimizer_words():
        net = NeuralNetwork.from_sizes([2] + [2] * 200 + [1], "tanh", "sigmoid", seed=0,
                                       optimizer=from_word(word))
        X, y = datasets.xor()
        st = Stepper(net, X, y, 0.5)
        st.step()
        c = st.copy()
        assert calls == [], (word, len(calls))
        assert len(c.net.layers) == 201
