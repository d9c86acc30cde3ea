"""tinynet engine: a multilayer perceptron from scratch in NumPy.

Pure NumPy; nothing here imports the terminal app.
"""
from . import datasets
from .activations import (ACTIVATIONS, Activation, Identity, ReLU, Sigmoid, Softmax, Tanh,
                          get_activation)
from .breakpoints import Stop
from .gradcheck import GradCheckResult, ParamCheck, gradcheck
from .history import LossHistory
from .io import ModelFileError
from .layer import Layer
from .init import INITS, get_init
from .model_file import load, save  # .npz, or a PyTorch state dict in .safetensors
from .losses import BCE, LOSSES, MSE, Loss, SoftmaxCE, cross_entropy_for, get_loss
from .network import FitResult, NeuralNetwork
from .neuron import Neuron
from .optimizers import GD, OPTIMIZERS, Adam, Momentum, Optimizer, get_optimizer
from .events import BackwardEvent, ForwardEvent, LossEvent, SlotChange, StepEvent, UpdateEvent
from .layout import ThetaLayout
from .stepper import Granularity, Phase, Stepper

__all__ = [
    "ACTIVATIONS", "Activation", "Identity", "ReLU", "Sigmoid", "Tanh", "get_activation",
    "GradCheckResult", "ParamCheck", "gradcheck", "ModelFileError", "load", "save",
    "Layer", "MSE", "FitResult", "NeuralNetwork", "Neuron",
    "Granularity", "Phase", "StepEvent", "ForwardEvent", "LossEvent", "BackwardEvent",
    "UpdateEvent", "SlotChange", "ThetaLayout", "Stepper", "datasets", "LossHistory", "Stop",
    "Softmax", "INITS", "get_init", "BCE", "LOSSES", "Loss", "SoftmaxCE", "cross_entropy_for",
    "get_loss", "GD", "OPTIMIZERS", "Adam", "Momentum", "Optimizer", "get_optimizer",
]
