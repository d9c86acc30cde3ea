"""Save and load networks as ``.npz`` files that cannot run code on load.

The file holds ``W0, b0, W1, b1, …`` and a JSON string ``meta`` with the
format version, sizes, activations, seed and any extra fields the caller
adds (task, lr).  Loading uses ``allow_pickle=False``; any problem becomes a
:class:`ModelFileError` whose one-line message names the file.
"""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np

from .activations import ACTIVATIONS
from .layer import Layer
from .network import NeuralNetwork

FORMAT = "tinynet-1"


class ModelFileError(ValueError):
    """A model file is missing, unreadable, corrupt or does not fit."""


def save(net: NeuralNetwork, path: str | Path, **extra) -> Path:
    """Write ``net`` to ``path`` (``.npz`` is appended if missing); returns the path."""
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    meta = dict(format=FORMAT, sizes=net.sizes, activations=net.activations,
                seed=net.seed, dtype=str(net.dtype), **extra)
    arrays = {"meta": np.array(json.dumps(meta))}
    for i, layer in enumerate(net.layers):
        arrays[f"W{i}"] = layer.W
        arrays[f"b{i}"] = layer.b
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, **arrays)
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return path


def load(path: str | Path) -> tuple[NeuralNetwork, dict]:
    """Read a network saved by :func:`save`; returns ``(net, meta)``."""
    path = Path(path)

    def fail(why: str) -> ModelFileError:
        return ModelFileError(f"{path}: {why}")

    if path.is_dir():
        raise fail("is a directory, not a model file")
    try:
        with np.load(path, allow_pickle=False) as data:
            files = {k: data[k] for k in data.files}
    except FileNotFoundError:
        raise fail("no such file") from None
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise fail(f"not a readable model file ({type(exc).__name__})") from None
    try:
        meta = json.loads(str(files["meta"]))
        sizes, acts = meta["sizes"], meta["activations"]
    except (KeyError, ValueError, TypeError):
        raise fail("missing or corrupt metadata (not saved by tinynet-tui?)") from None
    if meta.get("format") != FORMAT:
        raise fail(f"unsupported format {meta.get('format')!r} (expected {FORMAT})")
    if len(acts) != len(sizes) - 1 or any(a not in ACTIVATIONS for a in acts):
        raise fail(f"bad activations {acts!r} for sizes {sizes!r}")
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        W, b = files.get(f"W{i}"), files.get(f"b{i}")
        if W is None or b is None:
            raise fail(f"layer {i} parameters are missing")
        if W.shape != (n_in, n_out) or b.shape != (n_out,):
            raise fail(f"layer {i} has shape {W.shape}/{b.shape}, expected ({n_in}, {n_out})")
        if not (np.isfinite(W).all() and np.isfinite(b).all()):
            raise fail(f"layer {i} holds NaN or inf")
        layers.append(Layer(W.copy(), b.copy(), acts[i]))
    return NeuralNetwork(layers, seed=meta.get("seed")), meta
