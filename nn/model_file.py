"""Model files by their name: ``.safetensors`` is a PyTorch ``nn.Sequential`` state dict
(:mod:`nn.state_dict`, read and written with NumPy alone by :mod:`nn.safetensors`); any
other name is this engine's ``.npz`` (:mod:`nn.io`, ``.npz`` appended when missing).
These are the ``nn.load`` and ``nn.save`` the app and the command line use."""
from __future__ import annotations

from pathlib import Path

from . import io
from .network import NeuralNetwork
from .state_dict import load_state_dict, save_state_dict

SAFETENSORS = ".safetensors"


def model_path(path: str | Path) -> Path:
    """Where :func:`save` writes: ``path`` itself for ``.safetensors`` and ``.npz``,
    else ``path`` with ``.npz`` appended."""
    path = Path(path)
    return path if path.suffix == SAFETENSORS else io.npz_path(path)


def save(net: NeuralNetwork, path: str | Path, **extra) -> Path:
    """Write ``net`` to :func:`model_path` of ``path`` atomically; ``extra`` fields (task,
    lr, …) go into the metadata.  Returns the path; ModelFileError (one line) on failure."""
    path = model_path(path)
    if path.suffix == SAFETENSORS:
        return save_state_dict(net, path, **extra)
    return io.save(net, path, **extra)


def load(path: str | Path, defaults: dict | None = None,
         budget=None) -> tuple[NeuralNetwork, dict]:
    """``(net, meta)`` from a model file, checked before any value is read;
    ``defaults``: the settings a state dict saved by PyTorch does not record (see
    :func:`nn.state_dict.load_state_dict`); ``budget(sizes)`` (layer widths, inputs
    first) may refuse the network from the file's header, before any value is read (both
    formats).  ModelFileError (one line) for a bad file."""
    if Path(path).suffix == SAFETENSORS:
        return load_state_dict(path, defaults, budget=budget)
    return io.load(path, budget=budget)
