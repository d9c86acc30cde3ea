"""tinynet engine: a multilayer perceptron from scratch in NumPy.

Pure NumPy; nothing here imports the terminal app.
"""
from . import datasets
from .activations import ACTIVATIONS, Activation, Identity, ReLU, Sigmoid, Tanh, get_activation
from .breakpoints import Stop
from .gradcheck import GradCheckResult, ParamCheck, gradcheck
from .history import LossHistory
from .io import ModelFileError, load, save
from .layer import Layer
from .losses import MSE
from .network import FitResult, NeuralNetwork
from .neuron import Neuron
from .stepper import Granularity, Phase, StepEvent, Stepper

__all__ = [
    "ACTIVATIONS", "Activation", "Identity", "ReLU", "Sigmoid", "Tanh", "get_activation",
    "GradCheckResult", "ParamCheck", "gradcheck", "ModelFileError", "load", "save",
    "Layer", "MSE", "FitResult", "NeuralNetwork", "Neuron",
    "Granularity", "Phase", "StepEvent", "Stepper", "datasets", "LossHistory", "Stop",
]
