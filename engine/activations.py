"""Activation functions g and their backward passes.

Every function here acts element-wise (softmax acts per column) on Z of shape (n_l, m)
and returns an array of the same shape. All of them are stable for |Z| up to 1e4 and
beyond: nothing overflows, nothing warns.

The article uses one activation, sigmoid, and computes its derivative as
``sigmoid(Z) * (1 - sigmoid(Z))``. Here each activation has a ``backward(dA, Z, A)``
that returns dZ = dA * g'(Z); it is handed A = g(Z) too, so sigmoid and tanh reuse the
forward result instead of computing g again. Both take an optional ``out``, an array of
the result's shape to write it into (a training loop reuses its buffers that way); linear
hands back its input itself.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.constants import HALF, ONE

LEAKY_SLOPE = 0.01


def sigmoid(Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """A = 1 / (1 + e^-Z), computed as (1 + tanh(Z/2)) / 2, which cannot overflow."""
    half = HALF[Z.dtype]
    A = np.multiply(Z, half, out=out)
    np.tanh(A, out=A)
    A += ONE[Z.dtype]
    A *= half
    return A


def tanh(Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """A = tanh(Z)."""
    return np.tanh(Z, out=out)


def relu(Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """A = max(0, Z)."""
    return np.maximum(Z, 0, out=out)


def leaky_relu(Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """A = Z where Z > 0, else 0.01 Z."""
    return _into(np.where(Z > 0, Z, Z * LEAKY_SLOPE), out)


def linear(Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """A = Z (identity), the output of a regression network: Z itself, whatever ``out``."""
    return Z


def softmax(Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """A[:, i] = e^Z[:, i] / sum(e^Z[:, i]); each column sums to 1. Shifted by the column max."""
    A = np.subtract(Z, Z.max(axis=0, keepdims=True), out=out)
    np.exp(A, out=A)
    A /= A.sum(axis=0, keepdims=True)
    return A


def sigmoid_backward(
    dA: np.ndarray, Z: np.ndarray, A: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """dZ = dA * A * (1 - A), in one array: (1 - A), times A, times dA."""
    dZ = np.subtract(ONE[A.dtype], A, out=out)
    dZ *= A
    dZ *= dA
    return dZ


def tanh_backward(
    dA: np.ndarray, Z: np.ndarray, A: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """dZ = dA * (1 - A^2), in one array: A^2, then 1 - A^2, times dA."""
    dZ = np.multiply(A, A, out=out)
    np.subtract(ONE[A.dtype], dZ, out=dZ)
    dZ *= dA
    return dZ


def relu_backward(
    dA: np.ndarray, Z: np.ndarray, A: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """dZ = dA where Z > 0, else 0."""
    return np.multiply(dA, Z > 0, out=out)


def leaky_relu_backward(
    dA: np.ndarray, Z: np.ndarray, A: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """dZ = dA where Z > 0, else 0.01 dA."""
    return _into(np.where(Z > 0, dA, dA * LEAKY_SLOPE), out)


def linear_backward(
    dA: np.ndarray, Z: np.ndarray, A: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """dZ = dA itself, whatever ``out``."""
    return dA


def softmax_backward(
    dA: np.ndarray, Z: np.ndarray, A: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """dZ = A * (dA - sum(dA * A)) per column: the softmax Jacobian applied to dA."""
    return np.multiply(A, dA - (dA * A).sum(axis=0, keepdims=True), out=out)


def _into(result: np.ndarray, out: np.ndarray | None) -> np.ndarray:
    """``result`` written into ``out`` when one is given (same shape), else itself."""
    if out is None:
        return result
    np.copyto(out, result)
    return out


Array = np.ndarray


@dataclass(frozen=True)
class Activation:
    """An activation g: ``forward(Z) -> A``, ``backward(dA, Z, A) -> dZ``, and how its
    units fail: by saturating (flat for large |Z|) or by dying (no gradient for Z <= 0).
    ``hidden`` says whether it is offered for hidden layers."""

    name: str
    forward: Callable[..., Array]  # (Z, out=None) -> A, into ``out`` if given
    backward: Callable[..., Array]  # (dA, Z, A, out=None) -> dZ, into ``out`` if given
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
