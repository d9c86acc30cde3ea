"""tinynet engine: a multilayer perceptron from scratch in NumPy.

Pure NumPy; nothing here imports the terminal app.

The names below are loaded from their modules when first used (PEP 562 ``__getattr__``):
``import nn`` alone loads nothing else, and ``from nn import NeuralNetwork`` loads only the
network and what it needs — not the gradient check, the model files, the datasets or the
digits (start-up time: the app's first frame needs few of them).
"""
from __future__ import annotations

import importlib
import sys
import types

#: public name → the submodule that defines it
_WHERE = {
    **dict.fromkeys(["ACTIVATIONS", "Activation", "Identity", "ReLU", "Sigmoid", "Softmax",
                     "Tanh", "get_activation"], "activations"),
    "Stop": "breakpoints",
    **dict.fromkeys(["GradCheckResult", "ParamCheck", "gradcheck"], "gradcheck"),
    "LossHistory": "history",
    "ModelFileError": "io",
    "Layer": "layer",
    **dict.fromkeys(["INITS", "get_init"], "init"),
    **dict.fromkeys(["load", "save"], "model_file"),  # .npz, or a PyTorch state dict
    **dict.fromkeys(["BCE", "LOSSES", "MSE", "Loss", "SoftmaxCE", "cross_entropy_for",
                     "get_loss"], "losses"),
    **dict.fromkeys(["FitResult", "NeuralNetwork"], "network"),
    "Neuron": "neuron",
    **dict.fromkeys(["GD", "OPTIMIZERS", "Adam", "Momentum", "Optimizer", "get_optimizer"],
                    "optimizers"),
    **dict.fromkeys(["BackwardEvent", "ForwardEvent", "LossEvent", "SlotChange", "StepEvent",
                     "UpdateEvent"], "events"),
    "ThetaLayout": "layout",
    **dict.fromkeys(["Granularity", "Phase", "Stepper"], "stepper"),
}

__all__ = ["datasets", *_WHERE]


def __getattr__(name: str):
    """``nn.NAME``: import NAME's module on first use (and keep the value)."""
    if name == "datasets":
        return importlib.import_module(".datasets", __name__)
    try:
        module = _WHERE[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Engine(types.ModuleType):
    """The package: a submodule named like one of its names (``nn.gradcheck``, the module
    of :func:`gradcheck`) leaves the name, not the module, on the package when it is
    imported (the import system sets ``nn.gradcheck`` to the module it loaded)."""

    def __setattr__(self, name: str, value) -> None:
        if isinstance(value, types.ModuleType) and value.__name__ == f"{__name__}.{name}" \
                and _WHERE.get(name) == name:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Engine
