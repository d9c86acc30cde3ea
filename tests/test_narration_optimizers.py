"""Issue 11 on screen: every loss and optimizer narrated with the engine's numbers,
the optimizer's state in the inspector, and mini-batches mapped to the right rows.

Oracles are independent of the frame: the optimizers' ``explain`` results against
the update events' after-values, and the values shown for a sample against a
forward pass of that sample alone (so a wrong row in a batch fails)."""
import numpy as np
import pytest

from nn import Granularity, Phase, Stepper
from nn.losses import get_loss
from nn.naming import sample_name
from nn.optimizers import get_optimizer
from tui.core.config import RunConfig, build
from tui.core.format import num
from tui.view.frame import PanelSizes, build_frame
from tui.view.views import FRESH, NeuronView
from tui.app.widgets.inspector import render_inspector
from tui.app.widgets.narration import fill, narrate

from helpers import batch_session

SIZES = PanelSizes(loss_width=60, map_cols=16, map_rows=8)
OPTIMIZERS = ["gd", "momentum", "nesterov", "adam", "rmsprop"]


session = batch_session  # (tests/helpers.py)


def frame(s):
    with s.lock:
        return build_frame(s, SIZES)


def bold(text) -> list[str]:
    return [text.plain[sp.start:sp.end] for sp in text.spans if "bold" in str(sp.style)]


def shows(shown: str, value) -> bool:
    """Is ``shown`` ``value`` written with at least 4 significant digits (the narration
    writes more where an equation needs them to recompute)?"""
    mantissa = shown.strip("()").lstrip("-").split("e")[0]
    digits = max(4, len(mantissa.replace(".", "").lstrip("0")))
    return shown.strip("()") == num(value, digits)


def all_show(shown: list[str], values) -> bool:
    return len(shown) == len(values) and all(shows(a, b) for a, b in zip(shown, values))


def forward_alone(net, x):
    """z and a of every layer for one sample, computed here (not the engine's caches)."""
    zs, acts, a = [], [], x[None, :]
    for layer in net.layers:
        z = a @ layer.W + layer.b
        a = layer.activation(z)
        zs.append(z[0])
        acts.append(a[0])
    return zs, acts


# ── optimizers: explain is the update, with its numbers ─────────────────────────

@pytest.mark.parametrize("decay", [0.0, 0.01])
@pytest.mark.parametrize("batch", [None, 3])
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_explain_gives_the_events_after_values_exactly(optimizer, batch, decay):
    p = build(RunConfig(task="xor", optimizer=optimizer, weight_decay=decay, lr=0.5))
    st = Stepper(p.net, p.X, p.y, 0.5, batch=batch)
    checked = 0
    for _ in range(2 * len(st.units)):
        for ev in st.step(Granularity.NEURON):
            if ev.phase is not Phase.UPDATE:
                continue
            v = ev
            opt = get_optimizer(v.optimizer, **v.hyper)
            for part, name in (("w", "dw"), ("b", "db")):
                before, grad = getattr(v, f"{part}_before"), getattr(v, name)
                for idx in np.ndindex(before.shape):
                    state = {s: float(getattr(v.slots[s], f"{part}_before")[idx]) for s in opt.slots}
                    lines = opt.explain(float(before[idx]), float(grad[idx]), v.lr, v.t, state)
                    assert lines[-1][2] == getattr(v, f"{part}_after")[idx]
                    for s in opt.slots:
                        result = next(r for tpl, _, r in lines if tpl.startswith(f"{s} ←"))
                        assert result == getattr(v.slots[s], f"{part}_after")[idx]
                    for template, numbers, _ in lines:
                        assert template.count("{}") == len(numbers)
                    checked += 1
    assert checked == 2 * st.n_batches * 9  # 6 weights and 3 biases per update


def test_fill_writes_a_number_that_starts_an_expression_plain():
    assert fill("w ← w − lr·dw = {} − {}·{}", [-0.5, 0.1, -2]) == "w ← w − lr·dw = -0.5 − 0.1·(-2)"
    assert fill("({} − {})/{}", [-0.25, -1, 4]) == "(-0.25 − (-1))/4"


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_update_narration_shows_each_explain_result_for_the_selected_neuron(optimizer):
    s = session(task="circle", optimizer=optimizer, batch=64)
    s.granularity = Granularity.LAYER
    s.select(1, 0)
    for _ in range(2 * 4 * 6):  # two epochs of 4 batches, 6 layer steps each
        s.step()
        f = frame(s)
        ev = f.narration.event
        if ev.phase is not Phase.UPDATE:
            continue
        v, c = ev, f.narration.neuron - ev.neurons[0]
        opt = s.net.optimizer
        text = narrate(f.narration)
        expected = []
        for k in range(min(3, len(v.w_before))):
            state = {sl: float(v.slots[sl].w_before[k, c]) for sl in opt.slots}
            lines = opt.explain(float(v.w_before[k, c]), float(v.dw[k, c]), v.lr, v.t, state)
            expected += [r for *_, r in lines]
            assert num(v.w_after[k, c]) == num(lines[-1][2])
        state = {sl: float(v.slots[sl].b_before[c]) for sl in opt.slots}
        lines = opt.explain(float(v.b_before[c]), float(v.db[c]), v.lr, v.t, state)
        expected += [r for *_, r in lines]
        assert all_show(bold(text)[1:], expected)
        assert shows(bold(text)[-1], s.net.layers[ev.layer].b[f.narration.neuron])
        if opt.slots:
            assert f"t = {v.t}" in text.plain


def test_update_narration_names_the_optimizer_and_its_hyperparameters():
    s = session(task="xor", optimizer="nesterov", momentum=0.8)
    s.granularity = Granularity.PHASE
    for _ in range(4):
        s.step()
    text = narrate(frame(s).narration).plain
    assert "Nesterov momentum, β = 0.8, lr = " in text
    assert "v ← β·v + dw₁ = 0.8·0 + " in text and "w₁ ← w₁ − lr·(dw₁ + β·v) = " in text


# ── losses ──────────────────────────────────────────────────────────────────────

CASES = [dict(task="xor"), dict(task="circle", loss="cross-entropy"), dict(task="blobs")]


@pytest.mark.parametrize("decay", [0.0, 0.001])
@pytest.mark.parametrize("batch", [None, 64])
@pytest.mark.parametrize("case", CASES, ids=["mse", "bce", "softmax-ce"])
def test_loss_narration_shows_the_engines_numbers(case, batch, decay):
    s = session(**case, weight_decay=decay, batch=batch if case["task"] != "xor" else batch and 3)
    st = s.stepper
    s.granularity = Granularity.PHASE
    seen = 0
    for _ in range(8 * st.n_batches):  # two epochs
        s.step()
        f = frame(s)
        ev = f.narration.event
        if ev.phase is not Phase.LOSS:
            continue
        v, text = ev, narrate(f.narration)
        rows = st.batch_samples(ev.batch) if st.batch else np.arange(len(s.problem.X))
        # the selected sample: one in this batch, not at its own index as a row
        sample = int(rows[-1])
        s.sample = sample
        f = frame(s)
        text = narrate(f.narration)
        results = bold(text)
        loss = get_loss(v.loss_name)
        assert loss.title in text.plain
        assert shows(results[1], v.data_loss if decay else v.loss)
        if decay:
            assert shows(results[2], v.loss)
            sum_w2 = sum(float((l.W ** 2).sum()) for l in s.net.layers)
            line = next(x for x in text.plain.splitlines() if "λ/2·Σw² = " in x)
            shown = line.split(" = ")[-2].replace("/2·", " ").split(" + ")
            assert shows(shown[0], v.data_loss)
            assert [float(x) for x in shown[1].split()] == pytest.approx([decay, sum_w2], rel=1e-3)
            assert v.loss == pytest.approx(v.data_loss + decay / 2 * sum_w2, rel=1e-12)
        if st.batch:
            assert f"batch {ev.batch + 1} of {st.n_batches}" in text.plain
        # the sample's ŷ and y, from a forward pass of that sample alone
        y_hat = forward_alone(s.net, s.problem.X[sample])[1][-1]
        assert f"{sample_name(sample)}: ŷ = " in text.plain
        assert (f"ŷ = {num(y_hat[0])}" in text.plain or f"ŷ = ({num(y_hat[0])}, " in text.plain)
        assert f"y = {num(s.problem.y[sample, 0])}" in text.plain or \
            f"y = ({num(s.problem.y[sample, 0])}, " in text.plain
        # what backprop starts from, each output shown: the event's own numbers
        row = int(np.flatnonzero(rows == sample)[0])
        K = 1 if loss.name == "mse" else v.y.shape[1]
        assert all_show(results[-K:], [v.dL_dyhat[row, k] for k in range(K)])
        if loss.fused:  # the sample's term; all terms together give the data loss
            terms = [sum(r for *_, r in loss.explain(v.y_hat, v.y, n)["terms"])
                     for n in range(len(v.y))]
            assert np.sum(terms) / v.y.size * (v.y.shape[1] if loss.name == "softmax-ce"
                                                  else 1) == pytest.approx(v.data_loss, rel=1e-9)
            assert any(shows(r, terms[row]) for r in results)
            assert "f'(z) cancels" in text.plain
        seen += 1
    assert seen == 2 * st.n_batches


def test_mse_narration_on_full_batch_is_unchanged():
    s = session(task="xor")
    s.granularity = Granularity.PHASE
    s.step()
    s.step()
    text = narrate(frame(s).narration).plain
    assert text.startswith("Loss · mean squared error over 4 samples\nL = 1/4 · Σₙ (ŷₙ − yₙ)² = ")
    assert "batch" not in text and "λ" not in text


def test_backward_with_weight_decay_adds_lambda_w_to_each_dw():
    s = session(task="xor", weight_decay=0.01)
    s.granularity = Granularity.PHASE
    for _ in range(3):
        s.step()
    s.select(0, 1)  # h₂: the second column of the layer's event
    f = frame(s)
    assert f.narration.event.layer == 0 and f.narration.neuron == 1
    v, text = f.narration.event, narrate(f.narration)
    c = f.narration.neuron - f.narration.event.neurons[0]
    assert "dw₁ = Σₙ δₙ·x₁ₙ + λ·w₁ = " in text.plain
    line = next(x for x in text.plain.splitlines() if x.startswith("dw₁ = "))
    *_, decay_term, dw = line.rsplit(" = ", 1)[0].split(" + ") + [line.rsplit(" = ", 1)[1]]
    assert shows(decay_term, v.decay_w[0, c]) and shows(dw, v.dw[0, c])
    np.testing.assert_allclose(v.dw[:, c], v.dw_terms.sum(0) + v.decay_w[:, c]
                               if v.dw_terms is not None else
                               v.x.T @ v.delta[:, c] + v.decay_w[:, c], rtol=1e-12)


def test_softmax_forward_says_a_waits_for_the_layers_last_z():
    s = session(task="blobs")
    s.granularity = Granularity.NEURON
    for _ in range(4 + 1):  # the hidden layer, then the first output neuron
        s.step()
    s.select(1, 0)
    text = narrate(frame(s).narration).plain
    assert "a = softmax(z) needs every z of the layer: computed with the layer's last neuron" in text
    s.step()
    s.step()
    s.select(1, 2)
    f = frame(s)
    text = narrate(f.narration)
    a = forward_alone(s.net, s.problem.X[s.sample])[1][-1]
    assert "a = e^zⱼ/Σₖ e^zₖ" in text.plain and shows(bold(text)[-1], a[2])


# ── mini-batches: the selected sample's row, or a clear "not in this batch" ─────

def check_rows(s, f):
    """Every per-sample value shown equals a forward pass of that sample alone,
    where the engine has run the forward pass of this batch for every layer."""
    st = s.stepper
    i = s.sample
    zs, acts = forward_alone(s.net, s.problem.X[i])
    in_batch = i in set(st.batch_samples(f.narration.event.batch).tolist()) \
        if f.narration.event is not None else False
    if f.diagram.quantity == "a":
        for l in range(len(s.net.layers)):
            if f.diagram.known[l]:
                np.testing.assert_allclose(f.diagram.values[l], acts[l], rtol=1e-12)
    if not in_batch:
        assert not any(f.diagram.known)
        assert f"{sample_name(i)} is not in batch {f.narration.event.batch + 1}" in \
            narrate(f.narration).plain
        return
    layer, j = s.selected
    v = f.neuron
    row = v.rows.index(i)
    assert v.z[row] == pytest.approx(zs[layer][j], rel=1e-12)
    text = render_inspector(v).plain
    line = next(x for x in text.splitlines() if x.split() and x.split()[0] == str(i + 1))
    assert line.split()[1:3] == [num(v.z[row]), num(v.a[row])]
    ev = f.narration.event
    if ev.phase is Phase.FORWARD and f.narration.neuron == j and ev.layer == layer:
        assert shows(bold(narrate(f.narration))[-2], zs[layer][j])


@pytest.mark.parametrize("task,batch", [("xor", 3), ("circle", 64)])
def test_a_batch_shows_the_selected_samples_row_or_says_it_is_not_in_it(task, batch):
    s = session(task=task, batch=batch)
    st = s.stepper
    s.granularity = Granularity.PHASE
    checked = not_in = 0
    for _ in range(2 * 4 * st.n_batches):
        s.step()
        ev = s.events[-1]
        if ev.phase is not Phase.LOSS:
            continue
        rows = st.batch_samples(ev.batch)  # after the loss: every layer holds this batch
        others = np.setdiff1d(np.arange(len(s.problem.X)), rows)
        for sample in (int(rows[-1]), int(others[0]) if len(others) else int(rows[0])):
            s.sample = sample
            for layer, j in s.neuron_list():
                s.select(layer, j)
                check_rows(s, frame(s))
            checked += 1
            not_in += sample not in rows
    assert checked and not_in


def test_the_neuron_panel_maps_delta_into_the_rows_of_z():
    s = session(task="circle", batch=64)
    s.granularity = Granularity.PHASE
    for _ in range(3):  # forward, loss, backward of batch 1
        s.step()
    s.select(1, 0)
    f = frame(s)
    rows = list(f.neuron.rows)
    assert rows == s.stepper.batch_samples(0).tolist()
    np.testing.assert_array_equal(f.neuron.delta, s.net.layers[1].delta[:, 0])
    s.step()  # update
    s.step()  # forward of batch 2: δ still holds batch 1's rows
    f = frame(s)
    assert list(f.neuron.rows) == s.stepper.batch_samples(1).tolist()
    old = dict(zip(rows, s.net.layers[1].delta[:, 0]))
    for r, d in zip(f.neuron.rows, f.neuron.delta):
        assert (d == old[r]) if r in old else np.isnan(d)


# ── the inspector: the optimizer's state per weight ─────────────────────────────

def state_view(width=None, **state):
    v = NeuronView(name="h₁", title="hidden layer 1 · sigmoid", input_names=("x₁", "x₂"),
                   w=np.array([0.5, -0.25]), b=0.125, dw=np.array([0.1, 0.2]), db=0.3,
                   change_w=np.array([-0.01, -0.02]), change_b=-0.03, z=np.zeros(0),
                   a=np.zeros(0), delta=np.zeros(0), sample=0, forward=FRESH, backward=FRESH,
                   update=FRESH, state=tuple((k, np.array(w), b) for k, (w, b) in state.items()))
    return render_inspector(v, width)


def test_inspector_shows_the_optimizers_state_as_columns_or_below_when_narrow():
    text = state_view(m=([0.001, -0.002], 0.003), v=([1e-6, 4e-6], 9e-6)).plain
    lines = text.splitlines()
    assert lines[1].split() == ["value", "dw", "/", "db", "last", "Δ", "m", "v"]
    assert lines[2].split()[2:] == ["0.5", "0.1", "-0.01", "0.001", "1e-06"]
    assert lines[4].split() == ["b", "0.125", "0.3", "-0.03", "0.003", "9e-06"]
    narrow = state_view(36, m=([0.001, -0.002], 0.003), v=([1e-6, 4e-6], 9e-6)).plain
    assert all(len(line) <= 36 for line in narrow.splitlines())
    rows = narrow.splitlines()
    assert rows[1].split()[-1] == "Δ" and rows[5].split() == ["m", "v"]
    assert rows[6].split() == ["w₁", "(x₁)", "0.001", "1e-06"]
    assert state_view().plain.splitlines()[1].split()[-1] == "Δ"  # gd: no state, no column


@pytest.mark.parametrize("optimizer,slots", [("momentum", ["v"]), ("adam", ["m", "v"]),
                                            ("rmsprop", ["s"])])
def test_inspector_state_is_the_optimizers(optimizer, slots):
    s = session(task="xor", optimizer=optimizer)
    s.granularity = Granularity.EPOCH
    s.step()
    s.step()
    s.select(0, 1)
    f = frame(s)
    layer, j = s.selected
    assert [k for k, *_ in f.neuron.state] == slots
    for slot, w, b in f.neuron.state:
        sw, sb = s.net.split(s.net.optimizer.state[slot])[layer]
        np.testing.assert_array_equal(w, sw[:, j])
        assert b == sb[j]
    line = render_inspector(f.neuron).plain.splitlines()[2]
    assert line.split()[-len(slots):] == [num(w[0]) for _, w, _ in f.neuron.state]


@pytest.mark.parametrize("task,batch", [("xor", 3), ("blobs", 128)])
def test_neuron_steps_across_uneven_batches_show_each_neurons_own_rows(task, batch):
    """Step by neuron through batches of different sizes (the last is smaller):
    each node shows the row of the batch its neuron last ran on (worked out here
    from the events and the seeded shuffle), or – when that batch lacks the sample."""
    s = session(task=task, batch=batch)
    st, n = s.stepper, len(s.problem.X)
    s.sample = n - 1
    last = {}  # (layer, neuron) → (epoch, batch) of its last forward unit
    for step in range(2 * len(st.units)):
        for ev in s.step():
            if ev.phase is Phase.FORWARD:
                for j in range(*ev.neurons):
                    last[ev.layer, j] = (ev.epoch, ev.batch)
        if step % 5 == 4:
            s.move_sample(-1)
        f = frame(s)
        narrate(f.narration)  # never raises
        render_inspector(f.neuron)
        if f.diagram.quantity != "a":
            continue
        for l, layer in enumerate(s.net.layers):
            expected = []
            for j in range(layer.n_out):
                if (l, j) not in last:
                    break
                epoch, k = last[l, j]
                order = np.random.default_rng([s.net.seed, epoch]).permutation(n)
                rows = order[k * batch:(k + 1) * batch].tolist()
                if s.sample not in rows or len(layer.a) != len(rows):
                    break
                expected.append(layer.a[rows.index(s.sample), j])
            if len(expected) == layer.n_out:
                assert f.diagram.known[l]
                np.testing.assert_array_equal(f.diagram.values[l], expected)
            else:
                assert not f.diagram.known[l]


def test_stepping_back_through_batches_never_shows_a_wrong_row():
    s = session(task="xor", batch=3, optimizer="adam")
    s.granularity = Granularity.NEURON
    for _ in range(30):
        s.step()
    for _ in range(12):
        s.back()
        for sample in range(4):
            s.sample = sample
            f = frame(s)
            text = narrate(f.narration).plain
            ev = f.narration.event
            if ev is not None and ev.phase is Phase.LOSS:
                rows = s.stepper.batch_samples(ev.batch).tolist()
                if sample in rows:
                    assert f"y = {num(s.problem.y[sample, 0])}" in text
                else:
                    assert "is not in batch" in text


def test_inspector_state_is_dimmed_with_last_delta_when_stale():
    from tui.view.views import Freshness
    v = NeuronView(name="h₁", title="t", input_names=("x₁",), w=np.array([0.5]), b=0.1,
                   dw=np.array([0.2]), db=0.3, change_w=np.array([-0.01]), change_b=-0.03,
                   z=np.zeros(0), a=np.zeros(0), delta=np.zeros(0), sample=0, forward=FRESH,
                   backward=FRESH, update=Freshness(3, False),
                   state=(("v", np.array([0.0625]), 0.125),))
    text = render_inspector(v)
    assert "last Δ, v: from epoch 3" in text.plain
    start = text.plain.index("0.0625")
    assert any("dim" in str(sp.style) for sp in text.spans if sp.start <= start < sp.end)
