"""Activation functions g and their backward passes.

Every function here acts element-wise (softmax acts per column) on Z of shape (n_l, m)
and returns an array of the same shape. All of them are stable for |Z| up to 1e4 and
beyond: nothing overflows, nothing warns.

The article uses one activation, sigmoid, and computes its derivative as
``sigmoid(Z) * (1 - sigmoid(Z))``. Here each activation has a ``backward(dA, Z, A)``
that returns dZ = dA * g'(Z); it is handed A = g(Z) too, so sigmoid and tanh reuse the
forward result instead of computing g again.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

LEAKY_SLOPE = 0.01


def sigmoid(Z: np.ndarray) -> np.ndarray:
    """A = 1 / (1 + e^-Z), computed as (1 + tanh(Z/2)) / 2, which cannot overflow."""
    A = Z * 0.5
    np.tanh(A, out=A)
    A += 1.0
    A *= 0.5
    return A


def tanh(Z: np.ndarray) -> np.ndarray:
    """A = tanh(Z)."""
    return np.tanh(Z)


def relu(Z: np.ndarray) -> np.ndarray:
    """A = max(0, Z)."""
    return np.maximum(Z, 0)


def leaky_relu(Z: np.ndarray) -> np.ndarray:
    """A = Z where Z > 0, else 0.01 Z."""
    return np.where(Z > 0, Z, Z * LEAKY_SLOPE)


def linear(Z: np.ndarray) -> np.ndarray:
    """A = Z (identity), the output of a regression network."""
    return Z


def softmax(Z: np.ndarray) -> np.ndarray:
    """A[:, i] = e^Z[:, i] / sum(e^Z[:, i]); each column sums to 1. Shifted by the column max."""
    A = Z - Z.max(axis=0, keepdims=True)
    np.exp(A, out=A)
    A /= A.sum(axis=0, keepdims=True)
    return A


def sigmoid_backward(dA: np.ndarray, Z: np.ndarray, A: np.ndarray) -> np.ndarray:
    """dZ = dA * A * (1 - A), in one new array: (1 - A), times A, times dA."""
    dZ = 1 - A
    dZ *= A
    dZ *= dA
    return dZ


def tanh_backward(dA: np.ndarray, Z: np.ndarray, A: np.ndarray) -> np.ndarray:
    """dZ = dA * (1 - A^2), in one new array: A^2, then 1 - A^2, times dA."""
    dZ = A * A
    np.subtract(1, dZ, out=dZ)
    dZ *= dA
    return dZ


def relu_backward(dA: np.ndarray, Z: np.ndarray, A: np.ndarray) -> np.ndarray:
    """dZ = dA where Z > 0, else 0."""
    return dA * (Z > 0)


def leaky_relu_backward(dA: np.ndarray, Z: np.ndarray, A: np.ndarray) -> np.ndarray:
    """dZ = dA where Z > 0, else 0.01 dA."""
    return np.where(Z > 0, dA, dA * LEAKY_SLOPE)


def linear_backward(dA: np.ndarray, Z: np.ndarray, A: np.ndarray) -> np.ndarray:
    """dZ = dA."""
    return dA


def softmax_backward(dA: np.ndarray, Z: np.ndarray, A: np.ndarray) -> np.ndarray:
    """dZ = A * (dA - sum(dA * A)) per column: the softmax Jacobian applied to dA."""
    return A * (dA - (dA * A).sum(axis=0, keepdims=True))


Array = np.ndarray


@dataclass(frozen=True)
class Activation:
    """An activation g: ``forward(Z) -> A``, ``backward(dA, Z, A) -> dZ``, and how its
    units fail: by saturating (flat for large |Z|) or by dying (no gradient for Z <= 0).
    ``hidden`` says whether it is offered for hidden layers."""

    name: str
    forward: Callable[[Array], Array]
    backward: Callable[[Array, Array, Array], Array]
    saturates: bool = False  # sigmoid and tanh: units with |Z| > 4 barely learn
    dies: bool = False  # the ReLUs: a unit with Z <= 0 on every example stops learning
    hidden: bool = False


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", sigmoid, sigmoid_backward, saturates=True, hidden=True),
        Activation("tanh", tanh, tanh_backward, saturates=True, hidden=True),
        Activation("relu", relu, relu_backward, dies=True, hidden=True),
        Activation("leaky_relu", leaky_relu, leaky_relu_backward, dies=True, hidden=True),
        Activation("linear", linear, linear_backward),
        Activation("softmax", softmax, softmax_backward),
    )
}

HIDDEN_ACTIVATIONS = tuple(name for name, g in ACTIVATIONS.items() if g.hidden)


def get_activation(name: str) -> Activation:
    """Look an activation up by name; a ValueError lists the names that exist."""
    known = ", ".join(ACTIVATIONS)
    if not isinstance(name, str):
        raise TypeError(f"an activation is a name, one of: {known}; got {name!r}")
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of: {known}")
    return ACTIVATIONS[name]
