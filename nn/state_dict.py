"""A network as a PyTorch ``nn.Sequential`` state dict in a ``.safetensors`` file.

PyTorch names the parameters of ``nn.Sequential(Linear, act, Linear, act, …)`` by the
module's position: ``0.weight``, ``0.bias``, ``2.weight``, ``2.bias``, …  A
``torch.nn.Linear`` stores its weight as (out, in) and computes z = a·weightᵀ + b; this
engine stores W as (n_in, n_out) and computes z = a·W + b, so weight = Wᵀ.

:func:`save_state_dict` writes layer ℓ as ``{2ℓ}.weight`` (n_out, n_in) and ``{2ℓ}.bias``
(n_out,), with metadata naming the activations and loss (``activations``, ``loss``,
plain text) and everything :mod:`nn.io`'s ``.npz`` records (``tinynet``: JSON) but the
optimizer's running state (momentum's v, Adam's m and v: use ``.npz`` to continue
such a run exactly).  :func:`load_state_dict` reads that back, or the state dict of
any PyTorch MLP (any increasing module positions), taking what the file does not
record (activations, loss, optimizer, …) from ``defaults``.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from . import safetensors
from .activations import ACTIVATIONS
from .io import FORMAT, ModelFileError, _check_meta, _optimizer
from .layer import Layer
from .network import NeuralNetwork

_KEY = re.compile(r"(\d{1,6})\.(weight|bias)")


def state_dict(net: NeuralNetwork) -> dict[str, np.ndarray]:
    """``{"0.weight": W₀ᵀ (n_out, n_in), "0.bias": b₀ (n_out,), "2.weight": …}``."""
    out = {}
    for i, layer in enumerate(net.layers):
        out[f"{2 * i}.weight"] = layer.W.T.copy()  # never a view: W.T may be contiguous
        out[f"{2 * i}.bias"] = layer.b.copy()
    return out


def optimizer_state(net: NeuralNetwork) -> dict[str, dict[str, np.ndarray]] | None:
    """The optimizer's running state in torch.optim's names and layout, per parameter
    (``{"0.weight": {"exp_avg": (out, in), …}, …}``), or None before any step."""
    opt = net.optimizer
    if not opt.t or not opt.state:
        return None
    return optimizer_state_arrays(net)


def optimizer_state_arrays(net: NeuralNetwork) -> dict[str, dict[str, np.ndarray]]:
    """:func:`optimizer_state` at any step ({} per parameter for plain descent)."""
    opt = net.optimizer
    names = opt.torch_state  # the engine's slot → torch.optim's name (the class declares it)
    out: dict[str, dict[str, np.ndarray]] = {f"{2 * i}.{k}": {}
                                             for i in range(len(net.layers))
                                             for k in ("weight", "bias")}
    for slot, vec in opt.state.items():
        for i, (w, b) in enumerate(net.split(vec)):
            out.setdefault(f"{2 * i}.weight", {})[names[slot]] = w.T.copy()
            out.setdefault(f"{2 * i}.bias", {})[names[slot]] = b.copy()
    return out


def save_state_dict(net: NeuralNetwork, path: str | Path, **extra) -> Path:
    """Write ``net`` to ``path`` (a ``.safetensors`` file) atomically; ``extra`` fields go
    into the ``tinynet`` metadata (task, lr, …) as in :func:`nn.io.save` does for ``.npz``."""
    path = Path(path)
    opt = net.optimizer
    meta = dict(format=FORMAT, sizes=net.sizes, activations=net.activations, seed=net.seed,
                dtype=str(net.dtype), loss=net.loss.name,
                optimizer=dict(name=opt.name, hyper=opt.hyper, t=0),
                weight_decay=net.weight_decay, init=net.init, **extra)
    metadata = {"format": "pt", "activations": ",".join(net.activations),
                "loss": net.loss.name, "tinynet": json.dumps(meta)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        safetensors.write(path, state_dict(net), metadata)
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return path


def _linear_shapes(shapes: dict[str, tuple], fail) -> list[tuple[int, int]]:
    """(n_in, n_out) per Linear in module order from the tensors' names and shapes alone
    (a header: nothing read yet), checked: each a weight (out, in) and a bias (out,),
    each taking what the one before gives."""
    found: dict[int, dict[str, tuple]] = {}
    for name, shape in shapes.items():
        m = _KEY.fullmatch(name)
        if m is None:
            raise fail(f"unexpected tensor {ascii(name[:40])} (expected the state dict of a "
                       "torch.nn.Sequential of Linear layers: 0.weight, 0.bias, 2.weight, …)")
        found.setdefault(int(m[1]), {})[m[2]] = tuple(shape)
    if not found:
        raise fail("holds no tensors (expected 0.weight, 0.bias, …)")
    out, n_prev = [], None
    for index in sorted(found):
        part = found[index]
        if "weight" not in part or "bias" not in part:
            missing = "weight" if "weight" not in part else "bias"
            raise fail(f"{index}.{missing} is missing (each Linear needs a weight and a bias)")
        weight, bias = part["weight"], part["bias"]
        if len(weight) != 2 or bias != weight[:1] or 0 in weight:
            raise fail(f"{index}.weight has shape {weight} and {index}.bias "
                       f"{bias}: expected (out, in) and (out,)")
        if n_prev is not None and weight[1] != n_prev:
            raise fail(f"{index}.weight takes {weight[1]} inputs, but the layer before "
                       f"gives {n_prev}")
        out.append((weight[1], weight[0]))
        n_prev = weight[0]
    return out


def header_sizes(shapes: dict[str, tuple], fail) -> list[int]:
    """The layer widths, inputs first, that a state dict's header declares (for a
    memory budget checked before any value is read)."""
    linears = _linear_shapes(shapes, fail)
    return [linears[0][0]] + [n_out for _, n_out in linears]


def _layers_of(tensors: dict[str, np.ndarray], fail) -> list[tuple[np.ndarray, np.ndarray]]:
    """(W (n_in, n_out), b (n_out,)) per Linear, in module order, checked."""
    _linear_shapes({name: array.shape for name, array in tensors.items()}, fail)
    layers = []
    for index in sorted({int(_KEY.fullmatch(name)[1]) for name in tensors}):
        weight, bias = tensors[f"{index}.weight"], tensors[f"{index}.bias"]
        if weight.dtype != bias.dtype or (layers and weight.dtype != layers[0][0].dtype):
            raise fail("all tensors must have the same dtype")
        if not (np.isfinite(weight).all() and np.isfinite(bias).all()):
            raise fail(f"{index}.weight or {index}.bias holds NaN or inf")
        layers.append((np.ascontiguousarray(weight.T), bias.copy()))
    return layers


def _activations(metadata: dict, defaults: dict, n_layers: int, fail) -> list[str]:
    """One activation name per layer: the file's ``activations`` metadata, else
    ``defaults["hidden"]`` (one name, or one per hidden layer) and ``defaults["output"]``."""
    text = metadata.get("activations")
    if text is not None:
        names = text.split(",")
        if len(names) != n_layers or not all(n in ACTIVATIONS for n in names):
            raise fail(f"bad activations {ascii(text[:60])} for {n_layers} layers")
        return names
    hidden, output = defaults.get("hidden"), defaults.get("output")
    if output is None or (hidden is None and n_layers > 1):
        raise fail("records no activations (a PyTorch state dict?): give --activation, "
                   "e.g. --activation relu")
    hidden = [hidden] * (n_layers - 1) if isinstance(hidden, str) else list(hidden or ())
    if len(hidden) != n_layers - 1:
        raise fail(f"has {n_layers - 1} hidden layers, --activation names {len(hidden)}: "
                   "give one for all, or one per hidden layer")
    return [*hidden, output]


def load_state_dict(path: str | Path, defaults: dict | None = None, budget=None
                    ) -> tuple[NeuralNetwork, dict]:
    """Read a network from a ``.safetensors`` state dict; returns ``(net, meta)`` as
    :func:`nn.io.load`.  A file this app wrote carries its settings (``tinynet``
    metadata); for any other, ``defaults`` gives them: ``hidden`` (activation name, or
    one per hidden layer), ``output`` (the output activation), and optionally ``loss``,
    ``optimizer`` (an Optimizer), ``weight_decay``, ``seed``.  ``meta`` is the recorded
    metadata, or {} for a foreign file.  ``budget(sizes)`` (layer widths, inputs first,
    from the header) may refuse the network with a ``ValueError`` before any value is
    read, as for ``.npz`` (:func:`nn.io.load`).  Problems raise ModelFileError (one line)."""
    path = Path(path)

    def fail(why: str) -> ModelFileError:
        return ModelFileError(f"{path}: {why}")

    def check_budget(shapes: dict, _metadata) -> None:
        sizes = header_sizes({name: shape for name, (_, shape) in shapes.items()}, fail)
        if budget is not None:
            try:
                budget(sizes)
            except ValueError as exc:
                raise fail(str(exc)) from None

    tensors, metadata = safetensors.read(path, check=check_budget)
    metadata = metadata or {}
    params = _layers_of(tensors, fail)
    sizes = [params[0][0].shape[0]] + [W.shape[1] for W, _ in params]
    if "tinynet" in metadata:
        try:
            meta = json.loads(metadata["tinynet"])
        except (ValueError, RecursionError):
            raise fail("corrupt tinynet metadata") from None
        saved_sizes, acts = _check_meta(meta, fail)
        if saved_sizes != sizes:
            raise fail(f"the metadata says sizes {saved_sizes}, the tensors are {sizes}")
        n_params = sum(W.size + b.size for W, b in params)
        optimizer = _optimizer(meta, {}, n_params, params[0][0].dtype, fail)
        settings = dict(seed=meta.get("seed"), loss=meta.get("loss", "mse"),
                        optimizer=optimizer, weight_decay=meta.get("weight_decay", 0.0),
                        init=meta.get("init", "default"))
    else:
        defaults = defaults or {}
        meta = {}
        acts = _activations(metadata, defaults, len(params), fail)
        settings = dict(seed=defaults.get("seed"), loss=defaults.get("loss"),
                        optimizer=defaults.get("optimizer"),
                        weight_decay=defaults.get("weight_decay", 0.0), init="loaded")
    layers = [Layer(W, b, act) for (W, b), act in zip(params, acts)]
    try:
        return NeuralNetwork(layers, **settings), meta
    except ValueError as exc:
        raise fail(str(exc)) from None


def recorded_meta(path: str | Path) -> dict:
    """The ``tinynet`` metadata of a ``.safetensors`` file ({} for a foreign state dict),
    from the header alone (checked as :func:`load_state_dict` checks it; no value is read)."""
    path = Path(path)
    _, metadata = safetensors.read_metadata(path)  # the header only: no value is read
    try:
        meta = json.loads((metadata or {}).get("tinynet", "{}"))
    except (ValueError, RecursionError):
        raise ModelFileError(f"{path}: corrupt tinynet metadata") from None
    return meta if isinstance(meta, dict) else {}
