"""The run settings: every field of a run's configuration, its bounds and how it is read from
a session file, a ``configure`` action, a lesson or the settings screen — checked one way.

``config_from_json`` reads a configuration object (session files, the share protocol);
``read_changes`` validates the changes of a ``configure`` action (the settings screen, lessons,
followers) by the same rules, so every place accepts and refuses the same values.
"""
from __future__ import annotations

import math
from dataclasses import asdict
from pathlib import Path

from nn.activations import ACTIVATIONS
from nn.features import FEATURES
from nn.init import INITS

from nn.images import MAX_SIDE
from tui.core.config import IMAGE_TASKS, LOSS_CHOICES, OPTIMIZER_CHOICES, TASKS, RunConfig

MAX_HIDDEN = 4096               #: neurons per hidden layer in a session's configuration


MAX_LAYERS = 16


#: the fields of a session file's ``config`` object (RunConfig's, less ``data_kind``)
CONFIG_FIELDS = ("task", "data", "hidden", "activation", "lr", "seed", "epochs", "load",
                 "features", "target", "test_fraction", "noise", "loss", "optimizer",
                 "momentum", "init", "sigma", "batch", "weight_decay", "image")


#: fields the app changes with their own actions (task, seed) or never (files, epochs)
NOT_CONFIGURABLE = ("task", "data", "load", "seed", "epochs", "image")


#: fields a ``configure`` action may change: every other configuration field, so a new
#: RunConfig field that :func:`config_from_json` reads becomes configurable by itself
CONFIGURABLE = tuple(k for k in CONFIG_FIELDS if k not in NOT_CONFIGURABLE)


def config_to_json(config: RunConfig) -> dict:
    data = asdict(config)
    for key in ("data", "load"):
        data[key] = None if data[key] is None else str(data[key])
    data["hidden"] = None if config.hidden is None else list(config.hidden)
    if isinstance(config.activation, tuple):
        data["activation"] = list(config.activation)
    if "features" in data:
        data["features"] = None if config.features is None else list(config.features)
    data.pop("data_kind", None)
    if data.get("image") is not None:
        data["image"] = list(data["image"])
    return data


def _whole(value, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{what} must be a whole number from {low} to {high}, got {value!r}")
    return value


def config_from_json(data) -> RunConfig:
    """A RunConfig from a file's ``config`` object; ValueError says which field is wrong."""
    if not isinstance(data, dict):
        raise ValueError("the configuration must be an object")
    unknown = set(data) - set(CONFIG_FIELDS)
    if unknown:
        raise ValueError(f"unknown configuration field {sorted(unknown)[0]!r}")
    task = data.get("task", "xor")
    if task not in TASKS and task not in IMAGE_TASKS:
        raise ValueError(f"task must be one of {', '.join([*TASKS, *IMAGE_TASKS])}, "
                         f"got {task!r}")
    hidden = data.get("hidden")
    if hidden is not None:
        if not isinstance(hidden, list) or len(hidden) > MAX_LAYERS:
            raise ValueError(f"hidden must be a list of at most {MAX_LAYERS} layer sizes")
        hidden = tuple(_whole(h, 1, MAX_HIDDEN, "a hidden layer size") for h in hidden)
    activation = _activation(data.get("activation"))
    lr = data.get("lr")
    if lr is not None and (isinstance(lr, bool) or not isinstance(lr, (int, float))
                           or not math.isfinite(lr) or lr <= 0):
        raise ValueError(f"lr must be a positive finite number, got {lr!r}")
    epochs = data.get("epochs")
    if epochs is not None:
        epochs = _whole(epochs, 1, 10**9, "epochs")
    extra = {}
    features = data.get("features")
    if features is not None:
        if not isinstance(features, list) or not features or len(features) > MAX_HIDDEN \
                or not all(isinstance(f, str) and f for f in features):
            raise ValueError("features must be a list of feature names")
        unknown = [f for f in features if f not in FEATURES]
        if unknown or len(set(features)) < len(features):
            raise ValueError(f"unknown feature {unknown[0]!r} (choose from {', '.join(FEATURES)})"
                             if unknown else "features must not repeat a feature")
        extra["features"] = tuple(features)
    target = data.get("target")
    if target is not None:
        if not isinstance(target, str) or not target or len(target) > 1000:
            raise ValueError(f"target must be a formula (text), got {target!r}")
        extra["target"] = target
    image = data.get("image")
    if image is not None:  # --data FILE --image HxW: [height, width]
        if not isinstance(image, list) or len(image) != 2 or not all(
                isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= MAX_SIDE
                for v in image):
            raise ValueError(f"image must be [height, width], each 1 to {MAX_SIDE}, "
                             f"got {image!r}")
        extra["image"] = tuple(image)
    for key, low, high in (("test_fraction", 0.0, 0.9), ("noise", 0.0, 1e6)):
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value) or not low <= value <= high:
            raise ValueError(f"{key} must be a number from {low:g} to {high:g}, got {value!r}")
        extra[key] = float(value)
    extra.update(_training(data))
    paths = {}
    for key in ("data", "load"):
        value = data.get(key)
        if value is not None and (not isinstance(value, str) or not value):
            raise ValueError(f"{key} must be a file name, got {value!r}")
        paths[key] = Path(value) if value else None
    return RunConfig(task=task, data=paths["data"], hidden=hidden, activation=activation,
                     lr=None if lr is None else float(lr),
                     seed=_whole(data.get("seed", 0), 0, 2**32 - 1, "seed"),
                     epochs=epochs, load=paths["load"], **extra)


def _activation(value) -> str | tuple[str, ...] | None:
    """A hidden activation: one name (every hidden layer; what older files hold) or a
    list of names, one per hidden layer (read as a tuple)."""
    if value is None or (isinstance(value, str) and value in ACTIVATIONS):
        return value
    if isinstance(value, list) and 0 < len(value) <= MAX_LAYERS \
            and all(isinstance(v, str) and v in ACTIVATIONS for v in value):
        return tuple(value)
    raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, or a list of them "
                     f"(one per hidden layer), got {value!r}")


def _training(data: dict) -> dict:
    """How the network trains (loss, optimizer, init, batch, weight decay), where given."""


    out = {}
    for key, names, optional in (("loss", LOSS_CHOICES, True),
                                 ("optimizer", OPTIMIZER_CHOICES, False),
                                 ("init", tuple(INITS), False)):
        value = data.get(key)
        if value is None:
            continue
        if value not in names:
            raise ValueError(f"{key} must be one of {', '.join(names)}, got {value!r}")
        out[key] = value
    for key, low, high, below in (("momentum", 0.0, 1.0, True), ("sigma", 0.0, 1e6, False),
                                  ("weight_decay", 0.0, 1e6, False)):
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value) or not low <= value <= high \
                or (below and value == high):
            raise ValueError(f"{key} must be a number from {low:g} to {high:g}"
                             f"{' (not included)' if below else ''}, got {value!r}")
        out[key] = float(value)
    if data.get("batch") is not None:
        out["batch"] = _whole(data["batch"], 1, 10**9, "batch")
    return out


def read_changes(data) -> dict:
    """The changes of a ``configure`` action, validated by :func:`config_from_json` and
    normalised to their JSON form (``{"hidden": [4, 4], "noise": 0.1}``); ValueError."""
    if not isinstance(data, dict) or not data:
        raise ValueError('must be an object of configuration fields, like {"hidden": [4]}')
    for key, value in data.items():
        if key not in CONFIGURABLE:
            raise ValueError(f"{key!r} cannot be changed here (changeable: "
                             f"{', '.join(CONFIGURABLE)})")
        if value is None:
            raise ValueError(f"{key} must not be null")
    as_json = config_to_json(config_from_json(dict(data)))
    return {key: as_json[key] for key in data}


def typed_changes(changes: dict) -> dict:
    """``read_changes``'s JSON form as RunConfig values (tuples, floats), for ``replace``."""
    config = config_from_json(dict(changes))
    return {key: getattr(config, key) for key in changes}
