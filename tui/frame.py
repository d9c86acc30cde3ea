"""Build one immutable :class:`~tui.views.Frame` from the session, under its lock.

This is the only place that reads the engine for the screen, and the only place
that decides whether a value is current ("fresh") or left over from an earlier
pass.  Widgets render the frame's parts and compute nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nn import Granularity, Phase, datasets
from nn.naming import input_name, layer_name, neuron_name, sample_name

from .views import (DiagramView, Frame, Freshness, LossView, NarrationView, NeuronView,
                    PredictionsView, StatusView)


@dataclass(frozen=True)
class PanelSizes:
    """How much room the panels that resample have (character cells)."""

    loss_width: int = 60
    map_cols: int = 24
    map_rows: int = 16


def freshness(stepper, phase: Phase, layer: int, neuron: int) -> Freshness:
    """When the values ``phase`` computes for (layer, neuron) were last computed.

    Units before the cursor ran in the current epoch; the others hold what the
    previous epoch computed (or nothing yet, in epoch 0)."""
    k = stepper.unit_index(phase, layer, neuron)
    if k < stepper.cursor:
        return Freshness(stepper.epoch, True)
    return Freshness(None if stepper.epoch == 0 else stepper.epoch - 1, False)


def build_frame(session, sizes: PanelSizes) -> Frame:
    """Everything the screen shows now.  Call with ``session.lock`` held."""
    with np.errstate(all="ignore"):  # a blow-up about to be caught must not warn over the UI
        return Frame(version=session.version, status=_status(session),
                     diagram=_diagram(session), neuron=_neuron(session),
                     narration=_narration(session), loss=_loss(session, sizes.loss_width),
                     predictions=_predictions(session, sizes))


def _status(s) -> StatusView:
    st = s.stepper
    if st.halted is not None:
        state = "halted"
    elif s.playing:
        state = "playing"
    elif st.breakpoint:
        state = "breakpoint"
    else:
        state = "paused"
    last = st.losses.last
    return StatusView(label=s.config.label, architecture=s.net.describe(), lr=s.config.lr,
                      granularity=s.granularity.value, epoch=st.epoch, loss=last, state=state,
                      speed="max" if s.speed == 0 else f"{s.speed}/s",
                      breakpoints_on=s.breakpoints.any_enabled(),
                      quiz=(s.quiz.right, s.quiz.asked) if s.quiz.on else None)


def _last_phase(s) -> Phase | None:
    return s.events[-1].phase if s.events else None


def _diagram(s) -> DiagramView:
    st, net, i = s.stepper, s.net, s.sample
    sizes = tuple(net.sizes)
    n_layers = len(net.layers)
    show_delta = _last_phase(s) is Phase.BACKWARD
    phase = Phase.BACKWARD if show_delta else Phase.FORWARD
    values, fresh, known = [], [], []
    for l, layer in enumerate(net.layers):
        held = layer.delta if show_delta else layer.a
        known.append(len(held) > i)
        values.append(held[i].copy() if len(held) > i else np.zeros(layer.n_out))
        fresh.append(np.array([freshness(st, phase, l, j).current for j in range(layer.n_out)]))
    names = tuple(tuple(neuron_name(l, j, sizes) for j in range(layer.n_out))
                  for l, layer in enumerate(net.layers))
    halted = st.halted
    problem = (halted.problem_layer, halted.problem_neuron) \
        if halted is not None and halted.problem_layer is not None else None
    titles = tuple(("out " if l == n_layers - 1 else f"h{l + 1} " if n_layers > 2 else "h ")
                   + layer.activation.symbol for l, layer in enumerate(net.layers))
    return DiagramView(
        sizes=sizes, weights=tuple(layer.W.copy() for layer in net.layers),
        input_values=s.problem.X[i].copy(),
        input_names=tuple(input_name(0, k, sizes) for k in range(sizes[0])),
        names=names, quantity="δ" if show_delta else "a", values=tuple(values), known=tuple(known),
        fresh=tuple(fresh), activation_symbols=tuple(l.activation.symbol for l in net.layers),
        layer_titles=titles, selected=s.selected, highlighted=frozenset(s.current_unit_neurons()),
        problem=problem, caption=_caption(s, show_delta))


def _caption(s, show_delta: bool) -> str:
    st = s.stepper
    if st.halted is not None:
        nxt = "stopped (NaN/inf)"
    else:
        u = st.next_unit
        if u.layer is None:
            nxt = "loss"
        elif s.granularity is Granularity.NEURON:
            nxt = f"{u.phase.value} {neuron_name(u.layer, u.neuron, tuple(s.net.sizes))}"
        elif s.granularity is Granularity.LAYER:
            nxt = f"{u.phase.value} {layer_name(u.layer, len(s.net.layers))}"
        else:
            nxt = u.phase.value + (" pass" if u.phase in (Phase.FORWARD, Phase.BACKWARD) else "")
    shown = "δ" if show_delta else "a"
    return (f"epoch {st.epoch} · next: {nxt}", f"{sample_name(s.sample)} · nodes show {shown}")


def _neuron(s) -> NeuronView:
    st = s.stepper
    l, j = s.selected
    sizes = tuple(s.net.sizes)
    layer = s.net.layers[l]
    n = layer.neurons[j]
    cw, cb = st.changes[l]
    title = f"{layer_name(l, len(s.net.layers))} · {layer.activation.name}"
    return NeuronView(
        name=neuron_name(l, j, sizes), title=title,
        input_names=tuple(input_name(l, k, sizes) for k in range(layer.n_in)),
        w=n.w.copy(), b=float(n.b), dw=n.dw.copy(), db=float(n.db),
        change_w=cw[:, j].copy(), change_b=float(cb[j]),
        z=n.z.copy() if len(layer.z) else np.zeros(0),
        a=n.a.copy() if len(layer.a) else np.zeros(0),
        delta=n.delta.copy() if len(layer.delta) else np.zeros(0),
        sample=s.sample,
        forward=freshness(st, Phase.FORWARD, l, j),
        backward=freshness(st, Phase.BACKWARD, l, j),
        update=freshness(st, Phase.UPDATE, l, j))


def _narration(s) -> NarrationView:
    event = s.event_for_selected()
    neuron = s.selected[1]
    if event is not None and event.neurons and not event.neurons[0] <= neuron < event.neurons[1]:
        neuron = event.neurons[0]
    layer = event.layer if event is not None and event.layer is not None else len(s.net.layers) - 1
    halted = s.stepper.halted
    return NarrationView(
        event=event, neuron=neuron, sample=s.sample, sizes=tuple(s.net.sizes),
        activation_symbol=s.net.layers[layer].activation.symbol, n_samples=len(s.problem.X),
        halted=halted.problem if halted is not None else None,
        all_zero_inputs=not np.any(s.problem.X[s.sample]))


def _loss(s, width: int) -> LossView:
    st = s.stepper
    epochs, lo, hi = st.losses.envelope(max(20, 2 * width))
    return LossView(epochs=epochs, lo=lo, hi=hi, baseline=s.baseline_loss,
                    title=f"{s.config.label} · epoch {st.epoch}", epoch=st.epoch)


def rasterise(X: np.ndarray, y: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Mean target of the samples falling in each pixel of [-1, 1]² (NaN where none)."""
    total = np.zeros((rows, cols))
    count = np.zeros((rows, cols))
    c = np.clip(((X[:, 0] + 1) / 2 * cols).astype(int), 0, cols - 1)
    r = np.clip(((1 - X[:, 1]) / 2 * rows).astype(int), 0, rows - 1)
    np.add.at(total, (r, c), y[:, 0])
    np.add.at(count, (r, c), 1)
    return total / count


def _predictions(s, sizes: PanelSizes) -> PredictionsView:
    st = s.stepper
    when = f"epoch {st.epoch}" + (" start" if st.cursor == 0 else ", mid-epoch")
    caption = f"ŷ with the weights now ({when})"
    X, y = s.problem.X, s.problem.y
    if s.config.is_gate:
        return PredictionsView(caption=caption, table=(X.copy(), y.copy(), s.net.predict(X)))
    cols, rows = sizes.map_cols, sizes.map_rows
    pts = datasets.pixel_grid(cols, rows)
    pred = s.net.predict(pts).reshape(rows, cols)
    truth = s.config.target_function
    target = truth(pts).reshape(rows, cols) if truth else rasterise(X, y, rows, cols)
    return PredictionsView(caption=caption,
                           maps=(pred, target, float(np.nanmin(y)), float(np.nanmax(y))))
