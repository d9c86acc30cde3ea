"""Build one immutable :class:`~tui.view.views.Frame` from the session, under its lock.

This is the only place that reads the engine for the screen, and the only place
that decides whether a value is current ("fresh") or left over from an earlier
pass.  Widgets render the frame's parts and compute nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from nn import Granularity, Phase, datasets, maps as nn_maps
from nn.naming import input_name, layer_name, neuron_name, sample_name, sup
from nn.network import batch_order

from tui.core import forward_cache
from tui.view.digits_frame import digits_view
from tui.view.views import (DiagramView, Frame, Freshness, LossView, MapPoints, NarrationView,
                    NeuronMapsView, NeuronView, PredictionsView, StatusView)
from tui.view.input_labels import input_labels
from tui.view.layout import diagram_layers, label_widths, node_map_shape


@dataclass(frozen=True)
class PanelSizes:
    """How much room the panels that resample have (character cells)."""

    loss_width: int = 60
    map_cols: int = 24
    map_rows: int = 16
    diagram_width: int = 0      #: the diagram's content size; 0: no small neuron maps
    diagram_height: int = 0
    neuron_maps: bool = True    #: small maps beside the diagram's nodes (where there is room)
    large_map: bool = False     #: the predictions area shows the selected neuron's map
    batch_losses: bool = False  #: the loss chart shows every mini-batch's loss (noisy)


def freshness(stepper, phase: Phase, layer: int, neuron: int) -> Freshness:
    """When the values ``phase`` computes for (layer, neuron) were last computed.

    Units before the cursor ran in the current epoch; the others hold what the
    previous epoch computed (or nothing yet, in epoch 0)."""
    k = stepper.unit_index(phase, layer, neuron)
    if k < stepper.cursor:
        return Freshness(stepper.epoch, True)
    return Freshness(None if stepper.epoch == 0 else stepper.epoch - 1, False)


# ------------------------------------------------------------------ mini-batches
_ORDER_CACHE: dict = {}


def batch_rows(stepper, epoch: int, k: int) -> tuple[int, ...] | None:
    """The samples (0-based) of mini-batch ``k`` of ``epoch``: the rows of what the
    layers and events hold for it; None when full batch (row = sample)."""
    if stepper.batch is None:
        return None
    key = (len(stepper.X), stepper.batch, epoch, stepper.net.seed)
    order = _ORDER_CACHE.get(key)
    if order is None:
        if len(_ORDER_CACHE) > 64:
            _ORDER_CACHE.clear()
        order = tuple(tuple(int(r) for r in part) for part in batch_order(*key))
        _ORDER_CACHE[key] = order
    return order[k]


def held_batch(stepper, phase: Phase, layer: int, neuron: int) -> tuple[int, int] | None:
    """(epoch, batch) whose rows the layer's cached values of ``phase`` hold for
    ``neuron`` (z and a, or δ): the latest batch whose unit for it ran; None
    before any ran."""
    for k in reversed(range(stepper.n_batches)):
        if stepper.unit_index(phase, layer, neuron, k) < stepper.cursor:
            return stepper.epoch, k
    return (stepper.epoch - 1, stepper.n_batches - 1) if stepper.epoch > 0 else None


def held_rows(stepper, phase: Phase, layer: int, neuron: int, n_rows: int):
    """The samples of the rows cached for (layer, neuron) at ``phase``: None when
    full batch; () when unknown (nothing computed, or the cache's row count is
    not that batch's, so no row can be trusted)."""
    if stepper.batch is None:
        return None
    held = held_batch(stepper, phase, layer, neuron)
    rows = batch_rows(stepper, *held) if held is not None else ()
    return rows if len(rows) == n_rows else ()


def row_of(sample: int, rows) -> int | None:
    """The row holding ``sample`` (rows None: full batch, the sample itself)."""
    if rows is None:
        return sample
    try:
        return rows.index(sample)
    except ValueError:
        return None


def build_frame(session, sizes: PanelSizes, neuron: bool = True) -> Frame:
    """Everything the screen shows now.  Call with ``session.lock`` held.  ``neuron``
    False: no neuron view (``Frame.neuron`` None), for a frame the neuron panel will not
    show (while playing: ≈ 0.8 ms of a digits frame, bench/README.md)."""
    with np.errstate(all="ignore"):  # a blow-up about to be caught must not warn over the UI
        images = session.config.image_shape is not None
        # image tasks: the digits panels show the network and the predictions instead (the
        # network diagram and the predictions panel are hidden), so neither view is built
        diagram = None if images else diagram_view(session, sizes.diagram_width)
        maps = None if images else neuron_maps_view(session, sizes, diagram)
        if maps is not None and maps.small is not None:
            diagram = replace(diagram, maps=maps)
        if maps is not None and maps.large is not None:  # shown instead of ŷ and the target
            predictions = PredictionsView(caption=maps.caption, neuron_map=maps)
        elif images:
            empty = np.zeros((0, 1))  # (hidden there: an empty table keeps the widget idle)
            predictions = PredictionsView(caption="", table=(np.zeros((0, 2)), empty, empty))
        else:
            predictions = _predictions(session, sizes)
        return Frame(version=session.version, status=_status(session),
                     diagram=diagram, neuron=_neuron(session) if neuron else None,
                     narration=_narration(session),
                     loss=_loss(session, sizes.loss_width, sizes.batch_losses),
                     predictions=predictions, maps=maps,
                     digits=_digits_view(session))


def _digits_view(session):
    """The digits panels' data (image tasks only; :mod:`tui.view.digits_frame`)."""
    if session.config.image_shape is None:
        return None
    return digits_view(session)


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
    branches = getattr(s, "branches", ())
    branch = f"branch {'ABCD'[s.branch]} of {len(branches)}" if len(branches) > 1 else None
    return StatusView(label=s.config.label, architecture=s.net.describe(), lr=s.config.lr,
                      branch=branch,
                      granularity=s.granularity.value, epoch=st.epoch, loss=last, state=state,
                      speed="max" if s.speed == 0 else f"{s.speed}/s",
                      breakpoints_on=s.breakpoints.any_enabled(),
                      quiz=(s.quiz.right, s.quiz.asked) if s.quiz.on else None,
                      training=" · ".join(s.config.training_parts()),
                      link=getattr(s, "link_status", None),
                      test_loss=_last_test_loss(st), batch_loss=_first_batch_loss(st, last),
                      loss_epoch=None if last is None else len(st.losses) - 1)


def _first_batch_loss(st, epoch_loss: float | None) -> float | None:
    """The last mini-batch's loss while no epoch has a loss yet (else None)."""
    if epoch_loss is not None or st.batch is None or not len(st.batch_losses):
        return None
    return st.batch_losses.last


def _last_test_loss(st) -> float | None:
    test = st.test_history()
    return test.last if test is not None and len(test) else None


def _last_phase(s) -> Phase | None:
    return s.events[-1].phase if s.events else None


def diagram_view(s, width: int = 0) -> DiagramView:
    """The diagram part of the frame for session ``s`` (lock held); branches call it
    for each branch in turn.  ``width``: the diagram's (0: unknown) — a network with more
    layers than it can show has only the layers it may show read (O(width), not O(layers))."""
    st, net, i = s.stepper, s.net, s.sample
    sizes = tuple(net.sizes)
    n_layers = len(net.layers)
    show_delta = _last_phase(s) is Phase.BACKWARD
    phase = Phase.BACKWARD if show_delta else Phase.FORWARD
    shown = diagram_layers(n_layers, s.selected[0], width)
    values, fresh, computed, names, weights, titles = ([None] * n_layers for _ in range(6))
    known = [False] * n_layers
    missing = False
    for l in range(n_layers) if shown is None else shown:
        layer = net.layers[l]
        held = layer.delta if show_delta else layer.a
        if st.batch is None:
            known[l] = len(held) > i
            values[l] = held[i].copy() if len(held) > i else np.zeros(layer.n_out)
        else:  # each neuron's cache holds the rows of the batch it last ran on
            rows = [row_of(i, held_rows(st, phase, l, j, len(held))) for j in range(layer.n_out)]
            ok = all(r is not None for r in rows) and len(held) > 0
            missing |= len(held) > 0 and not ok
            known[l] = ok
            values[l] = (np.array([held[r, j] for j, r in enumerate(rows)]) if ok
                         else np.zeros(layer.n_out))
        when = [freshness(st, phase, l, j) for j in range(layer.n_out)]
        fresh[l] = np.array([w.current for w in when])
        computed[l] = np.array([w.current or w.epoch is not None for w in when])
        names[l] = tuple(neuron_name(l, j, sizes) for j in range(layer.n_out))
        weights[l] = layer.W.copy()
        # h¹, h² as the nodes' names write the layer (h¹₁ …), not h1, h2
        titles[l] = (("out " if l == n_layers - 1 else f"h{sup(l + 1)} " if n_layers > 2 else "h ")
                     + layer.activation.symbol)
    halted = st.halted
    problem = (halted.problem_layer, halted.problem_neuron) \
        if halted is not None and halted.problem_layer is not None else None
    return DiagramView(
        sizes=sizes, weights=tuple(weights),
        input_values=s.problem.X[i].copy(),
        input_names=input_names(s.problem, 0, sizes),
        input_labels=input_labels(s.problem.X[i], getattr(getattr(s.problem, "features", None),
                                                          "keys", None)),
        names=tuple(names), quantity="δ" if show_delta else "a", values=tuple(values),
        known=tuple(known), fresh=tuple(fresh), computed=tuple(computed),
        activation_symbols=tuple(l.activation.symbol for l in net.layers),
        layer_titles=tuple(titles), selected=s.selected,
        highlighted=frozenset(s.current_unit_neurons()),
        problem=problem, caption=_caption(s, show_delta, missing), layers=shown)


def input_names(problem, layer: int, sizes) -> tuple[str, ...]:
    """Names of the inputs of ``layer``: the previous layer's neurons, or for the first
    layer x₁, x₂ … — or the chosen features (x₁², sin x₁ …) when the problem has them."""
    features = getattr(problem, "features", None)
    if layer == 0 and features is not None and len(getattr(features, "names", ())) == sizes[0]:
        return tuple(features.names)
    return tuple(input_name(layer, k, sizes) for k in range(sizes[layer]))


def _caption(s, show_delta: bool, missing: bool = False) -> tuple[str, str]:
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
        elif s.granularity is Granularity.BATCH:  # the whole batch: forward … update
            nxt = f"batch {st.batch_index + 1} of {st.n_batches}"
        else:
            nxt = u.phase.value + (" pass" if u.phase in (Phase.FORWARD, Phase.BACKWARD) else "")
    shown = "δ" if show_delta else "a"
    if st.batch is not None and s.granularity is not Granularity.BATCH:
        nxt += f" · batch {st.batch_index + 1} of {st.n_batches}"
    note = " (not in the batch: –)" if missing else ""
    return (f"epoch {st.epoch} · next: {nxt}", f"{sample_name(s.sample)}{note} · nodes show {shown}")


def _neuron(s) -> NeuronView:
    st = s.stepper
    l, j = s.selected
    sizes = tuple(s.net.sizes)
    layer = s.net.layers[l]
    n = layer.neurons[j]
    cw, cb = st.changes[l]
    title = f"{layer_name(l, len(s.net.layers))} · {layer.activation.name}"
    z = n.z.copy() if len(layer.z) else np.zeros(0)
    a = n.a.copy() if len(layer.a) else np.zeros(0)
    delta = n.delta.copy() if len(layer.delta) else np.zeros(0)
    rows, note = None, ""
    if st.batch is not None:  # the caches hold a batch's rows: say whose
        rows = held_rows(st, Phase.FORWARD, l, j, len(z))
        if not rows:
            rows, z, a = (), np.zeros(0), np.zeros(0)
        else:
            note = f"batch {held_batch(st, Phase.FORWARD, l, j)[1] + 1} of {st.n_batches}"
        d_rows = held_rows(st, Phase.BACKWARD, l, j, len(delta))
        delta = (np.array([delta[d_rows.index(r)] if r in d_rows else np.nan for r in rows])
                 if d_rows and len(z) else np.zeros(0))
    state = tuple((slot, ws[:, j].copy(), float(bs[j])) for slot, (ws, bs) in
                  ((slot, s.net.split(vec)[l]) for slot, vec in s.net.optimizer.state.items()))
    return NeuronView(
        name=neuron_name(l, j, sizes), title=title,
        input_names=input_names(s.problem, l, sizes),
        w=n.w.copy(), b=float(n.b), dw=n.dw.copy(), db=float(n.db),
        change_w=cw[:, j].copy(), change_b=float(cb[j]),
        z=z, a=a, delta=delta, rows=rows, rows_note=note, state=state,
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
    st = s.stepper
    halted = st.halted
    rows = batch_rows(st, event.epoch, event.batch) if event is not None else None
    return NarrationView(
        event=event, neuron=neuron, sample=s.sample, sizes=tuple(s.net.sizes),
        activation_symbol=s.net.layers[layer].activation.symbol, n_samples=len(s.problem.X),
        halted=halted.problem if halted is not None else None,
        all_zero_inputs=not np.any(s.problem.X[s.sample]), rows=rows, n_batches=st.n_batches,
        epoch=st.epoch)


def _loss(s, width: int, per_batch: bool = False) -> LossView:
    """Each epoch's loss (the size-weighted mean of its batches), or with mini-batches and
    ``per_batch`` every batch's own loss, at x = epoch + k/⌈N/B⌉ for batch k."""
    st = s.stepper
    title = f"{s.config.label} · epoch {st.epoch}"
    if per_batch and st.batch is not None:
        index, lo, hi = st.batch_losses.envelope(max(20, 2 * width))
        return LossView(epochs=index / st.n_batches, lo=lo, hi=hi, baseline=s.baseline_loss,
                        title=f"{title} · loss of each batch", epoch=st.epoch)
    epochs, lo, hi = st.losses.envelope(max(20, 2 * width))
    test = st.test_history()
    if test is None or not len(test):
        return LossView(epochs=epochs, lo=lo, hi=hi, baseline=s.baseline_loss, title=title,
                        epoch=st.epoch)
    t_epochs, t_lo, t_hi = test.envelope(max(20, 2 * width))
    return LossView(epochs=epochs, lo=lo, hi=hi, baseline=s.baseline_loss, title=title,
                    epoch=st.epoch, test_epochs=t_epochs, test_lo=t_lo, test_hi=t_hi)


def rasterise(X: np.ndarray, y: np.ndarray, rows: int, cols: int,
              bounds=datasets.UNIT_SQUARE) -> np.ndarray:
    """Mean target of the samples falling in each pixel of ``bounds`` (default
    [-1, 1]²; NaN where none)."""
    x1_lo, x1_hi, x2_lo, x2_hi = bounds
    total = np.zeros((rows, cols))
    count = np.zeros((rows, cols))
    c = np.clip(((X[:, 0] - x1_lo) / (x1_hi - x1_lo) * cols).astype(int), 0, cols - 1)
    r = np.clip(((x2_hi - X[:, 1]) / (x2_hi - x2_lo) * rows).astype(int), 0, rows - 1)
    np.add.at(total, (r, c), y[:, 0])
    np.add.at(count, (r, c), 1)
    return total / count


def _predictions(s, sizes: PanelSizes) -> PredictionsView:
    st = s.stepper
    when = f"epoch {st.epoch}" + (" start" if st.cursor == 0 else ", mid-epoch")
    caption = f"ŷ with the weights now ({when})"
    X, y = s.problem.X, s.problem.y
    X2 = map_inputs(s.problem)[0]
    X2 = X if X2 is None else X2      # the raw x₁, x₂ (X itself without extra features)
    inputs = getattr(s.problem, "inputs", None) or (lambda points: points)
    if s.config.is_gate:
        # from the cache while the weights and X stay (a selection or a redraw: no pass)
        pred = forward_cache.predict(s.net, X, "table")
        return PredictionsView(caption=caption, table=(X2.copy(), y.copy(), pred))
    cols, rows = sizes.map_cols, sizes.map_rows
    # [-1, 1]² where the data lives there (every built-in task but blobs); else the
    # square around the data the neuron maps use (a CSV's x₁ in 0 … 10)
    finite = X2[np.all(np.isfinite(X2), axis=1)]
    inside = not len(finite) or float(np.abs(finite).max()) <= 1.0
    box = None if inside else nn_maps.data_bounds(X2)
    bounds = None if box is None else (box.x1_lo, box.x1_hi, box.x2_lo, box.x2_hi)
    area = bounds or datasets.UNIT_SQUARE
    pts = datasets.pixel_grid(cols, rows, area)
    if y.shape[1] > 1:  # K classes: the predicted class (argmax ŷ) beside the true one
        pred = forward_cache.predict(s.net, inputs(pts), "map")
        pred = pred.argmax(axis=1).astype(float).reshape(rows, cols)
        target = rasterise(X2, y.argmax(axis=1)[:, None].astype(float), rows, cols, area)
        return PredictionsView(caption=f"class = argmax ŷ with the weights now ({when})",
                               maps=(pred, np.round(target), 0.0, float(y.shape[1] - 1)),
                               classes=y.shape[1], bounds=bounds)
    pred = forward_cache.predict(s.net, inputs(pts), "map")[:, 0].reshape(rows, cols)
    truth = s.config.target_function
    target = truth(pts).reshape(rows, cols) if truth else \
        rasterise(X2, y[:, :1], rows, cols, area)
    return PredictionsView(caption=caption, bounds=bounds,
                           maps=(pred, target, float(np.nanmin(y)), float(np.nanmax(y))))


# ------------------------------------------------------------------ neuron maps
#: per network: (key, small, large, scales) of the last maps computed, so that
#: maps are recomputed only when the parameters (or the sizes asked for) change
_MAPS_CACHE = forward_cache.per_network()  # a fork starts from its original's maps
LEGEND_W = 12  #: the large map's colour scale and its labels, right of the map
NOTES_W = 20   #: the notes right of the scale ("x₂ ↑ -0.1…1.1", "class 1: ●  others: ○")


def map_inputs(problem) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The 2 raw inputs (x₁, x₂) of the training and the test points, or None:
    ``problem.X2`` (``X2_test``) when the network's input has extra feature
    columns, else ``X`` (``X_test``) when it has exactly two."""
    def raw(name2: str, name: str):
        X2 = getattr(problem, name2, None)
        X2 = getattr(problem, name, None) if X2 is None else X2
        return X2 if X2 is not None and X2.ndim == 2 and X2.shape[1] == 2 else None
    return raw("X2", "X"), raw("X2_test", "X_test")


#: what to say when maps are asked for a task without 2 raw inputs
MAPS_NEED_TWO_INPUTS = ("Neuron maps need a task with 2 inputs x₁, x₂ (xor, and, circle, spiral, "
                        "regression, or a CSV with 2 input columns).")


def maps_available(problem) -> bool:
    """Whether neuron maps can be drawn for ``problem``: it has 2 raw inputs
    (the network may take features of them)."""
    X2 = map_inputs(problem)[0]
    return X2 is not None and (problem.net.layers[0].n_in == 2
                               or callable(getattr(problem, "features", None)))


def _large_shape(sizes: PanelSizes) -> tuple[int, int]:
    """(rows, cols) pixels of the large map: as many lines as the predictions area has
    below its caption (a pixel is half a line: square on screen), and as wide as the
    area leaves beside the colour scale and its notes — from square up to twice as wide
    as tall (a 120×40 area is wide and short: a square map used a quarter of it)."""
    side = min(2 * (sizes.map_rows // 2 + 1), 2 * sizes.map_cols + 2 - LEGEND_W)
    side = max(2, side // 2 * 2)
    room = 2 * sizes.map_cols + 2 - LEGEND_W - NOTES_W
    return side, max(side, min(2 * side, room))


def _scale(layer, maps: list[np.ndarray], last: bool, kind: str, y: np.ndarray
           ) -> tuple[float, float]:
    """The colour scale of a layer's maps: its activation's range where it is
    bounded, else the values' (a regression output: the targets')."""
    name = layer.activation.name
    if name in ("sigmoid", "softmax"):
        return 0.0, 1.0
    if name == "tanh":
        return -1.0, 1.0
    values = np.concatenate([m.ravel() for m in maps]) if maps else np.zeros(0)
    values = values[np.isfinite(values)]
    top = float(np.abs(values).max(initial=0.0)) or 1.0
    if last and kind == "regression" and len(y):
        lo, hi = float(np.nanmin(y)), float(np.nanmax(y))
        return (lo, hi) if hi > lo else (lo - 1.0, lo + 1.0)
    return (0.0, top) if name == "relu" else (-top, top)


def neuron_maps_view(s, sizes: PanelSizes, diagram: DiagramView) -> NeuronMapsView | None:
    """Every hidden and output neuron's map, at the resolutions the diagram's
    nodes and the predictions area give them; None for tasks without exactly
    two raw inputs, or when neither is shown.  Call with ``session.lock`` held."""
    problem, net = s.problem, s.net
    X2, X2_test = map_inputs(problem)
    features = getattr(problem, "features", None)
    features = features if callable(features) else None
    if not maps_available(problem):
        return None
    small_shape = None
    if sizes.neuron_maps and sizes.diagram_width > 0:
        small_shape = node_map_shape(
            net.sizes, label_widths(diagram.input_names, diagram.names, diagram.input_labels),
            sizes.diagram_width, sizes.diagram_height)
    large_shape = _large_shape(sizes) if sizes.large_map else None
    if small_shape is None and large_shape is None:
        return None
    bounds = nn_maps.data_bounds(X2 if X2_test is None else np.vstack([X2, X2_test]))
    small_px = (2 * small_shape[0], small_shape[1]) if small_shape else None
    key = (forward_cache.weights_key(net),
           tuple(net.activations), small_px, large_shape, bounds, id(features))
    cached = _MAPS_CACHE.get(net)
    if cached is not None and cached[0] == key:
        small, large, scales = cached[1:]
    else:
        small, large, scales = _compute_maps(s, bounds, small_px, large_shape, features)
        _MAPS_CACHE[net] = (key, small, large, scales)
    l, j = s.selected
    st = s.stepper
    name = neuron_name(l, j, tuple(net.sizes))
    # the targets of the selected output neuron (of neuron 1 while a hidden one is selected):
    # with one-hot classes, its own class is "1" and every other "0"
    column = j if l == len(net.layers) - 1 else 0
    points = (MapPoints(X2.copy(), _target_column(problem.y, len(X2), column)),)
    y_test = getattr(problem, "y_test", None)
    if X2_test is not None and y_test is not None and len(X2_test):
        points += (MapPoints(X2_test.copy(), _target_column(y_test, len(X2_test), column),
                             test=True),)
    if l == len(net.layers) - 1 and getattr(s, "drawn", None) is not None:

        points = shown_points(points, s.drawn)
    when = f"epoch {st.epoch}" + (" start" if st.cursor == 0 else ", mid-epoch")
    return NeuronMapsView(
        bounds=(bounds.x1_lo, bounds.x1_hi, bounds.x2_lo, bounds.x2_hi), small=small,
        scales=scales, kind="binary" if problem.kind == "multiclass" else problem.kind,
        points=points, selected=(l, j), name=name,
        large=None if large is None else large[l][j],
        caption=f"{name} over x₁, x₂ · weights now, {when}",
        classes=problem.y.shape[1] if problem.kind == "multiclass" else 2)


def _target_column(y, n: int, column: int) -> np.ndarray:
    y = np.asarray(y, dtype=float).reshape(n, -1)
    return y[:, min(column, y.shape[1] - 1)].copy()


def _compute_maps(s, bounds, small_px, large_px, features):
    """One batched forward pass over the small and the large grid together."""
    net = s.net
    grids = [nn_maps.grid_points(bounds, shape[1], shape[0])
             for shape in (small_px, large_px) if shape is not None]
    acts = nn_maps.layer_activations(net, np.vstack(grids), features)
    out, start = [], 0
    for shape in (small_px, large_px):
        if shape is None:
            out.append(None)
            continue
        rows, cols = shape
        n = rows * cols
        out.append(tuple(a[start:start + n].T.reshape(a.shape[1], rows, cols).copy()
                         for a in acts))
        start += n
    small, large = out
    n_layers = len(net.layers)
    scales = tuple(_scale(layer, [m[l] for m in (small, large) if m is not None],
                          l == n_layers - 1, s.problem.kind, s.problem.y)
                   for l, layer in enumerate(net.layers))
    return small, large, scales

def shown_points(points, drawn) -> tuple:
    """The points the output map shows: the drawn set's while one exists (the network
    stays on the last data until enough are drawn, but the map shows what is drawn
    now), else ``points`` (the task's :class:`~tui.view.views.MapPoints`)."""
    if drawn is None:
        return points
    return (MapPoints(drawn.points.copy(), drawn.y[:, 0].copy()),)
