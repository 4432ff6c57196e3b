"""A from-scratch NumPy neural network that follows the article, line by line, working.

Notation (everywhere in this package): X is (n_x, m), one column per example. Layer l
(l = 1 .. L; the input layer is not counted) has W[l] (n_l, n_{l-1}) and b[l] (n_l, 1), and
computes Z[l] = W[l] · A[l-1] + b[l] and A[l] = g(Z[l]), both (n_l, m), with A[0] = X.

This package is pure NumPy: readable first, and fast where that costs no readability.
"""

from engine.activations import (
    ACTIVATIONS,
    HIDDEN_ACTIVATIONS,
    get_activation,
    leaky_relu,
    linear,
    relu,
    sigmoid,
    softmax,
    tanh,
)
from engine.costs import COSTS, cost_function
from engine.gradcheck import GradCheck, gradient_check
from engine.initializers import init_params
from engine.metrics import accuracy, confusion_matrix, predict, to_labels
from engine.optimizers import OPTIMIZERS, Adam, GradientDescent, Momentum, update_parameters
from engine.phases import Phase
from engine.propagation import Cache, backprop, forward_prop, one_layer_backward
from engine.trainer import DivergedError, EpochStats, History, Trainer, train

__all__ = [
    "ACTIVATIONS",
    "COSTS",
    "HIDDEN_ACTIVATIONS",
    "OPTIMIZERS",
    "Adam",
    "Cache",
    "DivergedError",
    "EpochStats",
    "GradCheck",
    "GradientDescent",
    "History",
    "Momentum",
    "Phase",
    "Trainer",
    "accuracy",
    "backprop",
    "confusion_matrix",
    "cost_function",
    "forward_prop",
    "get_activation",
    "gradient_check",
    "init_params",
    "leaky_relu",
    "linear",
    "one_layer_backward",
    "predict",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
    "to_labels",
    "train",
    "update_parameters",
]
