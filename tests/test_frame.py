"""The frame and the panels' renderers against the engine: for every phase and
granularity, every number a panel shows is the engine's own value for that neuron,
sample and epoch, and stale values are marked as such."""
import re

import numpy as np
import pytest

from nn import Granularity, Phase
from nn.naming import neuron_name, sample_name
from tui.core.config import RunConfig, build
from tui.core.format import num, short
from tui.view.frame import PanelSizes, build_frame
from tui.core.session import Session
from tui.app.widgets.inspector import render_inspector
from tui.app.widgets.loss_chart import log_ticks, nice_ticks
from tui.app.widgets.narration import narrate
from tui.app.widgets.status import render_status

from helpers import blown_up

SIZES = PanelSizes(loss_width=60, map_cols=16, map_rows=8)


def frame(session):
    with session.lock:
        return build_frame(session, SIZES)


def bold_numbers(text) -> list[str]:
    """The numbers a Text shows in bold: the results of each equation."""
    found = [text.plain[span.start:span.end] for span in text.spans if "bold" in str(span.style)]
    return [t for t in found if NUMBER.fullmatch(t)]


NUMBER = re.compile(r"-?(\d[\d.]*(e[-+]?\d+)?|nan|inf)")


def check_neuron_panel(session, f):
    layer, j = session.selected
    engine = session.net.layers[layer]
    v = f.neuron
    np.testing.assert_array_equal(v.w, engine.W[:, j])
    np.testing.assert_array_equal(v.dw, engine.dW[:, j])
    assert v.b == engine.b[j] and v.db == engine.db[j]
    cw, cb = session.stepper.changes[layer]
    np.testing.assert_array_equal(v.change_w, cw[:, j])
    assert v.change_b == cb[j]
    if len(engine.z):
        np.testing.assert_array_equal(v.z, engine.z[:, j])
        np.testing.assert_array_equal(v.a, engine.a[:, j])
    if len(engine.delta):
        np.testing.assert_array_equal(v.delta, engine.delta[:, j])
    text = render_inspector(v).plain
    lines = text.splitlines()
    grad = (lambda x: "–") if v.backward.never else num     # never computed: "–", not 0
    change = (lambda x: "–") if v.update.never else num
    for k in range(len(v.w)):
        row = next(line for line in lines if line.startswith(f"w{'₁₂₃₄₅₆₇₈₉'[k]} "))
        assert row.split()[2:] == [num(engine.W[k, j]), grad(engine.dW[k, j]),
                                   change(cw[k, j])], row
    brow = next(line for line in lines if line.startswith("b "))
    assert brow.split()[1:] == [num(engine.b[j]), grad(engine.db[j]), change(cb[j])]
    if len(engine.z):
        i = session.sample
        srow = next(line for line in lines if line.split() and line.split()[0] == str(i + 1))
        cells = srow.split()
        assert cells[1:3] == [num(engine.z[i, j]), num(engine.a[i, j])]


def expected_fresh_forward(session, layer, j) -> bool:
    """Oracle: forward values of (layer, j) are current iff its forward unit ran this epoch."""
    st = session.stepper
    done = st.units[:st.cursor]
    return any(u.phase is Phase.FORWARD and (u.layer, u.neuron) == (layer, j) for u in done)


def check_narration(session, f):
    ev = f.narration.event
    text = narrate(f.narration)
    if ev is None:
        return
    v, i = ev, session.sample
    results = bold_numbers(text)
    if ev.phase is Phase.LOSS:
        assert results[-1] == num(v.dL_dyhat[i, 0])
        assert num(session.stepper.losses[-1]) in results
        assert f"ŷ = {num(v.y_hat[i, 0])}" in text.plain
    elif ev.phase is Phase.FORWARD:
        c = f.narration.neuron - ev.neurons[0]
        layer = session.net.layers[ev.layer]
        assert results[-2:] == [num(layer.z[i, f.narration.neuron]),
                                num(layer.a[i, f.narration.neuron])]
        assert results[-1] == num(v.a[i, c])
    elif ev.phase is Phase.BACKWARD:
        c = f.narration.neuron - ev.neurons[0]
        layer = session.net.layers[ev.layer]
        jn = f.narration.neuron
        assert num(layer.delta[i, jn]) in results
        assert results[-1] == num(layer.db[jn])
        for k in range(min(3, layer.n_in)):
            assert num(layer.dW[k, jn]) in results
    else:
        c = f.narration.neuron - ev.neurons[0]
        layer = session.net.layers[ev.layer]
        jn = f.narration.neuron
        # the results are the weights after the update (now the engine's weights)
        assert results[-1] == num(layer.b[jn])
        for k in range(min(3, layer.n_in)):
            assert results[k] == num(layer.W[k, jn])
        # written with the digits its line needs to recompute (issue 22): 4 or more
        assert any(f"= {num(v.w_before[0, c], d)} −" in text.plain for d in range(4, 13))


def check_diagram(session, f):
    d = f.diagram
    i = session.sample
    np.testing.assert_array_equal(d.input_values, session.problem.X[i])
    for l, layer in enumerate(session.net.layers):
        held = layer.delta if d.quantity == "δ" else layer.a
        if len(held):
            np.testing.assert_array_equal(d.values[l], held[i])
        np.testing.assert_array_equal(d.weights[l], layer.W)
        if d.quantity == "a":
            for j in range(layer.n_out):
                assert d.fresh[l][j] == expected_fresh_forward(session, l, j)


@pytest.mark.parametrize("granularity", list(Granularity))
@pytest.mark.parametrize("task", ["xor", "regression"])
def test_every_panel_number_is_the_engines_through_two_epochs(task, granularity):
    session = Session(build(RunConfig(task=task, hidden=(3,) if task == "regression" else None)))
    session.granularity = granularity
    steps = {Granularity.NEURON: 2 * 25, Granularity.LAYER: 2 * 9, Granularity.PHASE: 9,
             Granularity.BATCH: 3, Granularity.EPOCH: 3}[granularity]
    for step in range(steps):
        session.step()
        # look at a different neuron and sample now and then
        if step % 3 == 2:
            session.move_selection(1)
        if step % 4 == 3:
            session.move_sample(1)
        f = frame(session)
        check_neuron_panel(session, f)
        check_narration(session, f)
        check_diagram(session, f)
        assert f.status.epoch == session.stepper.epoch
        assert f.status.loss == (session.stepper.losses[-1] if len(session.stepper.losses) else None)


def test_a_stale_value_is_dimmed_and_says_from_when():
    session = Session(build(RunConfig(task="xor")))
    session.granularity = Granularity.EPOCH
    session.step()                       # epoch 0 done: now epoch 1
    session.granularity = Granularity.NEURON
    session.step()                       # forward h₁ of epoch 1
    session.select(0, 1)                 # h₂: not yet recomputed in epoch 1
    f = frame(session)
    assert not f.neuron.forward.current and f.neuron.forward.note == "from epoch 0"
    assert not f.neuron.backward.current and f.neuron.backward.note == "from epoch 0"
    text = render_inspector(f.neuron)
    assert "z, a from epoch 0" in text.plain and "δ from epoch 0" in text.plain
    z_cell = num(f.neuron.z[session.sample])
    start = text.plain.index(z_cell, text.plain.index("sample"))
    styles = [str(s.style) for s in text.spans if s.start <= start < s.end]
    assert any("dim" in s for s in styles)
    session.select(0, 0)                 # h₁: computed this epoch
    f = frame(session)
    assert f.neuron.forward.current and f.neuron.forward.note == ""
    assert "z, a from" not in render_inspector(f.neuron).plain
    assert f.diagram.fresh[0].tolist() == [True, False]


def test_after_a_hand_edit_the_forward_pass_is_current_and_delta_is_not():
    session = Session(build(RunConfig(task="xor")))
    session.granularity = Granularity.EPOCH
    session.step()
    session.edit(0, 0, 0, 0.5)
    session.select(0, 0)
    f = frame(session)
    assert f.neuron.forward.current and not f.neuron.backward.current
    assert f.neuron.backward.note == "from epoch 0"


def test_at_the_epoch_boundary_predictions_and_neuron_panel_say_which_weights():
    session = Session(build(RunConfig(task="xor")))
    session.granularity = Granularity.EPOCH
    session.step()
    f = frame(session)
    assert "weights now (epoch 1 start)" in f.predictions.caption
    np.testing.assert_array_equal(f.predictions.table[2], session.net.predict(session.problem.X))
    assert f.neuron.forward.note == "from epoch 0"


def test_the_first_sample_shown_has_nonzero_inputs():
    session = Session(build(RunConfig(task="xor")))
    assert np.any(session.problem.X[session.sample] != 0)
    assert session.sample == 1


def test_narration_writes_out_short_sums_and_tags_the_sample_only_where_it_matters():
    session = Session(build(RunConfig(task="xor")))
    session.granularity = Granularity.PHASE
    session.step()  # forward
    session.step()  # loss
    session.granularity = Granularity.NEURON
    session.step()  # backward ŷ
    f = frame(session)
    text = narrate(f.narration).plain
    ev = f.narration.event
    delta, x = ev.delta[:, 0], ev.x
    def terms(digits: int) -> str:  # the operands get the digits the sum needs (issue 22)
        return " + ".join(f"({num(d, digits)})" if d < 0 else num(d, digits) for d in delta)
    assert any(f"db = Σₙ δₙ = {terms(k)} = {num(ev.db[0])}" in text.replace("\n", " ")
               for k in range(4, 13))
    assert sample_name(session.sample) in text
    session.granularity = Granularity.PHASE
    session.step()  # rest of backward
    session.step()  # update
    text = narrate(frame(session).narration).plain
    assert "sample" not in text  # the update is the same for every sample


def test_loss_narration_reads_the_selected_sample():
    session = Session(build(RunConfig(task="xor")))
    session.granularity = Granularity.PHASE
    session.step()
    session.step()  # loss
    for sample in range(4):
        session.sample = sample
        f = frame(session)
        text = narrate(f.narration)
        grad = f.narration.event.dL_dyhat[sample, 0]
        assert bold_numbers(text)[-1] == num(grad)
        assert f"{sample_name(sample)}: ŷ" in text.plain


def test_after_nan_the_narration_says_where_and_what_to_do():
    session = blown_up()
    assert session.is_halted
    session.step()  # n after the stop: nothing runs, the narration still explains
    text = narrate(frame(session).narration).plain
    assert "NaN" in text or "inf" in text
    assert "epoch" in text and "Press r" in text and "step back in time" in text
    assert "Press n to take a step" not in text
    f = frame(session)
    assert f.status.state == "halted"


@pytest.mark.parametrize("value,shown", [
    (0.734, "+0.73"), (-9.999, "  -10"), (1500, "+1500"), (-9999.4, "-9999"),
    (15_000, "+2e4"), (2e12, "+2e12"), (-3e7, " -3e7"), (1.656e154, "+huge"), (-1e200, "-huge"),
    (5.433e-05, "+5e-5"), (-0.003, "-3e-3"), (0.0, "+0.00")])
def test_short_numbers_never_drop_the_exponent(value, shown):
    assert short(value).strip() == shown.strip() and len(short(value)) <= 5


def test_short_numbers_are_within_their_precision():
    for x in np.concatenate([np.logspace(-9, 99, 400), -np.logspace(-9, 99, 400)]):
        s = short(x).strip()
        assert float(s) == pytest.approx(x, rel=0.34, abs=1e-3 * abs(x) + 0.0051 * (abs(x) > 0.005)), (x, s)


def test_loss_ticks_are_in_loss_units_and_epochs_are_whole():
    ticks, labels = log_ticks(-3.2, -0.1)
    assert labels == ["10⁻³", "10⁻²", "10⁻¹"] and ticks == [-3.0, -2.0, -1.0]
    ticks, labels = log_ticks(np.log10(0.2), np.log10(0.3))
    assert labels == ["0.2", "0.3"]            # 1, 2, 5 give one: 1 … 9 × 10ᵏ instead
    ticks, labels = log_ticks(np.log10(0.59), np.log10(1.16))   # spiral3's first epochs
    assert labels == ["0.6", "0.7", "0.8", "0.9", "1"]
    assert log_ticks(np.log10(0.59), np.log10(1.16), most=3)[1] == ["0.6", "0.8", "1"]
    ticks, labels = log_ticks(-0.7, 300.0, most=3)   # a blow-up: even, round steps
    assert labels == ["1", "10²⁰⁰"] and log_ticks(-0.7, 300.0)[1] == ["1", "10¹⁰⁰", "10²⁰⁰",
                                                                         "10³⁰⁰"]
    ticks, labels = log_ticks(np.log10(0.15), np.log10(0.6))
    assert labels == ["0.2", "0.5"]
    assert nice_ticks(0, 1000, 6, integer=True) == [0, 200, 400, 600, 800, 1000]
    assert all(float(t).is_integer() for t in nice_ticks(0, 3, 6, integer=True))
    assert nice_ticks(0, 500, 6, integer=True) == [0, 100, 200, 300, 400, 500]


def test_loss_envelope_keeps_every_spike():
    session = Session(build(RunConfig(task="regression")))
    session.play_chunk(3000, breakpoints=False)
    early_max = max(session.stepper.losses[k] for k in range(50))  # the early climb
    f = frame(session)
    assert float(np.max(f.loss.hi)) == pytest.approx(early_max)
    assert f.loss.epochs[0] == 0 and len(f.loss.epochs) <= 2 * SIZES.loss_width
    assert f.loss.baseline == pytest.approx(np.var(session.problem.y))


def test_status_line_keeps_help_at_80_columns():
    session = Session(build(RunConfig(task="regression")))
    session.quiz.on = True
    text = render_status(frame(session).status, 80).plain
    assert len(text) <= 80 and text.endswith("? help") and "epoch 0" in text
    full = render_status(frame(session).status, 200).plain
    assert "2–16–1" in full and "lr 0.3" in full


def test_names_on_the_diagram_follow_the_numbering():
    session = Session(build(RunConfig(task="spiral")))
    f = frame(session)
    assert f.diagram.input_names == ("x₁", "x₂")
    assert f.diagram.names[0][0] == "h¹₁" and f.diagram.names[1][15] == "h²₁₆"
    assert f.diagram.names[2] == ("ŷ",)
    assert neuron_name(0, 1, (2, 2, 1)) == "h₂"


@pytest.mark.parametrize("task", ["xor", "and", "circle", "spiral", "regression"])
def test_neuron_maps_in_the_frame_are_the_engines_activations(task):
    """Every 2-input task gets maps; each is the engine's forward pass on the grid."""
    from nn.maps import Bounds, neuron_maps

    session = Session(build(RunConfig(task=task)))
    session.play_chunk(3)
    last = len(session.net.layers) - 1
    session.select(last, 0)
    sizes = PanelSizes(loss_width=60, map_cols=29, map_rows=14, diagram_width=58,
                       diagram_height=35, large_map=True)
    f = frame_at(session, sizes)
    m = f.maps
    rows, cols = m.large.shape
    engine = neuron_maps(session.net, Bounds(*m.bounds), cols, rows)
    np.testing.assert_allclose(m.large, engine[last][0], atol=1e-14)
    _, n, r, c = (len(m.small),) + m.small[0].shape
    engine = neuron_maps(session.net, Bounds(*m.bounds), c, r)
    for mine, theirs in zip(m.small, engine):
        np.testing.assert_allclose(mine, theirs, atol=1e-14)
    assert f.diagram.maps is m and f.predictions.neuron_map is m
    np.testing.assert_array_equal(m.points[0].X, session.problem.X[:, :2])


def frame_at(session, sizes):
    with session.lock:
        return build_frame(session, sizes)


def test_input_nodes_are_named_by_the_features_the_network_sees():
    """With --features the diagram and the neuron panel name x₁², not x₃."""
    session = Session(build(RunConfig(task="circle", features=("x1^2", "x2^2"), hidden=(3,))))
    f = frame_at(session, PanelSizes(loss_width=60))
    assert f.diagram.input_names == ("x₁²", "x₂²")
    session.select(0, 0)
    assert frame_at(session, PanelSizes(loss_width=60)).neuron.input_names == ("x₁²", "x₂²")
    session.select(1, 0)
    assert frame_at(session, PanelSizes(loss_width=60)).neuron.input_names == ("h₁", "h₂", "h₃")


def node_texts(session) -> dict[str, str]:
    """What each hidden/output node of the diagram shows, by name: "+0.56", "–"."""
    from tui.app.widgets.diagram import render_diagram
    f = frame(session)
    lines, boxes = render_diagram(f.diagram, 60, 12, None)
    text = ["".join(seg.text for seg in line) for line in lines]
    shown = {}
    for box in boxes:
        if box.layer >= 0:
            name, value = text[box.y][box.x:box.x + box.width].split(None, 1)
            shown[name] = value.strip()
    return shown


def test_a_node_never_computed_shows_a_dash_not_zero():
    """xor, neuron steps: h₂ before its first forward step, and h₂'s δ before its first
    backward step, show "–" like ŷ; a value from an earlier epoch stays a number."""
    session = Session(build(RunConfig(task="xor")))
    session.step()                                   # forward h₁ only
    shown = node_texts(session)
    assert shown["h₁"] != "–" and shown["h₂"] == "–" and shown["ŷ"] == "–", shown
    while session.stepper.next_unit.phase is not Phase.BACKWARD:
        session.step()
    session.step()                                   # backward ŷ
    session.step()                                   # backward h₁
    shown = node_texts(session)
    assert frame(session).diagram.quantity == "δ"
    assert shown["ŷ"] != "–" and shown["h₁"] != "–" and shown["h₂"] == "–", shown
    session.granularity = Granularity.EPOCH
    session.step()                                   # the rest of epoch 0
    session.granularity = Granularity.NEURON
    session.step()                                   # epoch 1: forward h₁; h₂'s a is epoch 0's
    f = frame(session)
    shown = node_texts(session)
    assert shown["h₂"] == short(session.net.layers[0].a[session.sample, 1])
    assert not f.diagram.fresh[0][1]                 # dimmed: from epoch 0


def test_status_has_the_last_batch_loss_until_the_first_epoch_loss_exists():
    """--batch: through epoch 0 the status line has batch 1's loss (not "loss –")."""
    session = Session(build(RunConfig(task="xor", batch=2)))
    session.granularity = Granularity.PHASE
    assert frame(session).status.batch_loss is None
    while not len(session.stepper.batch_losses):
        session.step()
    v = frame(session).status
    assert v.loss is None and v.batch_loss == session.stepper.batch_losses.last is not None
    session.granularity = Granularity.EPOCH
    session.step()
    v = frame(session).status
    assert v.loss == session.stepper.losses.last and v.batch_loss is None
    full = Session(build(RunConfig(task="xor")))
    full.granularity = Granularity.EPOCH
    full.step()
    assert frame(full).status.batch_loss is None


def test_the_narration_knows_the_epoch_played_to():
    session = Session(build(RunConfig(task="xor")))
    assert frame(session).narration.epoch == 0
    session.play_chunk(37)
    view = frame(session).narration
    assert view.event is None and view.epoch == 37
