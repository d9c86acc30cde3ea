"""The phases of a step, each run for one group of neurons and described by its event.

Each function computes through the same :class:`~nn.layer.Layer` and network methods
that ``NeuralNetwork.train_step`` uses (on a column slice ``sl`` of the layer's
neurons), and returns the phase's :mod:`event <nn.events>` with copies of what it
computed.  A NaN/inf among the phase's results is located (layer, neuron) and
described in the event's ``problem``; nothing raises.  The stepper decides what to
run and keeps the state between phases (the pending ∂L/∂a, the last changes).

Shapes: N samples in the batch, k neurons in the group, n_in inputs of the layer.
"""
from __future__ import annotations

import numpy as np

from .events import FIELD_NAMES, PHASE_NAMES, BackwardEvent, ForwardEvent, SlotChange, \
    UpdateEvent
from .network import NeuralNetwork, where
from .schedule import Phase


def _problem(net: NeuralNetwork, phase: Phase, layer: int, start: int, epoch: int,
             checked: dict[str, np.ndarray]) -> dict:
    """``problem``, ``problem_layer``, ``problem_neuron`` for an event whose ``checked``
    arrays (name → (…, k)) hold a NaN/inf; empty when all are finite."""
    bad = [name for name, v in checked.items() if not np.isfinite(v).all()]
    if not bad:
        return {}
    arr = np.asarray(checked[bad[0]])
    column = np.flatnonzero((~np.isfinite(arr.reshape(-1, arr.shape[-1]))).any(axis=0))
    j = start + int(column[0])
    return dict(problem_layer=layer, problem_neuron=j,
                problem=f"NaN/inf in {', '.join(FIELD_NAMES[k] for k in bad)} of "
                        f"{where(layer, j, net.sizes)} during the {PHASE_NAMES[phase]} "
                        f"of epoch {epoch}")


def forward(net: NeuralNetwork, l: int, sl: slice, x: np.ndarray, x_kept: np.ndarray,
            epoch: int, batch: int) -> ForwardEvent:
    """z = x·w + b and a = f(z) for neurons ``sl`` of layer ``l`` on input ``x``
    (N, n_in); the event holds ``x_kept`` (x, or a copy when x may change)."""
    layer = net.layers[l]
    layer.forward(x, None if sl == slice(0, layer.n_out) else sl)
    z = layer.z[:, sl].copy()
    # softmax is not element-wise: a follows when the layer's last z is known
    a = layer.a[:, sl].copy() if layer.activation.elementwise or layer.completes(sl) else None
    checked = {"z": z} if a is None else {"z": z, "a": a}
    return ForwardEvent(epoch=epoch, layer=l, neurons=(sl.start, sl.stop), batch=batch,
                        x=x_kept, w=layer.W[:, sl].copy(), b=layer.b[sl].copy(), z=z, a=a,
                        **_problem(net, Phase.FORWARD, l, sl.start, epoch, checked))


def backward(net: NeuralNetwork, l: int, sl: slice, dA: np.ndarray, x_kept: np.ndarray,
             epoch: int, batch: int) -> BackwardEvent:
    """δ, dw, db for neurons ``sl`` of layer ``l`` from ∂L/∂a ``dA`` (N, n_out); the
    event holds ``x_kept`` as the layer's input."""
    layer = net.layers[l]
    fused = net.loss.fused and l == len(net.layers) - 1
    decay = net.weight_decay
    layer.backward(dA, None if sl == slice(0, layer.n_out) else sl, fused=fused, decay=decay)
    fprime = (np.ones_like(layer.z[:, sl]) if fused
              else layer.activation.derivative(layer.z[:, sl], layer.a[:, sl]))
    delta = layer.delta[:, sl].copy()
    dw, db = layer.dW[:, sl].copy(), layer.db[sl].copy()
    row_sum = None
    if not (fused or layer.activation.elementwise):  # softmax: δ = a·(dA − Σⱼ dAⱼaⱼ)
        row_sum = (dA * layer.a).sum(axis=1, keepdims=True)
    next_delta = next_w = dA_terms = dw_terms = None
    if l + 1 < len(net.layers):
        nxt = net.layers[l + 1]
        next_delta, next_w = nxt.delta.copy(), nxt.W[sl, :].copy()
    if sl.stop - sl.start == 1:  # one neuron: the per-sample terms of its sums
        dw_terms = layer.x * delta
        if next_delta is not None:
            dA_terms = next_delta * next_w
    return BackwardEvent(
        epoch=epoch, layer=l, neurons=(sl.start, sl.stop), batch=batch,
        dA=dA[:, sl].copy(), fprime=fprime, delta=delta, x=x_kept, dw=dw, db=db,
        fused=fused, weight_decay=decay, decay_w=decay * layer.W[:, sl] if decay else None,
        row_sum=row_sum, next_delta=next_delta, next_w=next_w, dw_terms=dw_terms,
        dA_terms=dA_terms,
        **_problem(net, Phase.BACKWARD, l, sl.start, epoch, {"delta": delta, "dw": dw, "db": db}))


def update(net: NeuralNetwork, l: int, sl: slice, lr: float, epoch: int,
           batch: int) -> UpdateEvent:
    """The optimizer's step on neurons ``sl`` of layer ``l`` (its state slots before and
    after included)."""
    layer, opt = net.layers[l], net.optimizer
    views = {k: net.layout.split(vec)[l] for k, vec in opt.state.items()}
    before = {k: (sw[:, sl].copy(), sb[sl].copy()) for k, (sw, sb) in views.items()}
    w_before, b_before, t = layer.W[:, sl].copy(), layer.b[sl].copy(), opt.t + 1
    net.update_neurons(l, sl, lr)
    w_after, b_after = layer.W[:, sl].copy(), layer.b[sl].copy()
    slots = {k: SlotChange(before[k][0], sw[:, sl].copy(), before[k][1], sb[sl].copy())
             for k, (sw, sb) in views.items()}
    return UpdateEvent(
        epoch=epoch, layer=l, neurons=(sl.start, sl.stop), batch=batch, lr=lr,
        optimizer=opt.name, hyper=opt.hyper, t=t, w_before=w_before, w_after=w_after,
        b_before=b_before, b_after=b_after, dw=layer.dW[:, sl].copy(), db=layer.db[sl].copy(),
        slots=slots,
        **_problem(net, Phase.UPDATE, l, sl.start, epoch, {"w_after": w_after, "b_after": b_after}))
