"""Cost functions J(AL, Y), averaged over the m examples, and their gradients dJ/dAL.

AL and Y are (n_L, m): one column per example. For binary cross-entropy n_L = 1 and Y
holds 0/1; for softmax cross-entropy Y is one-hot (n_classes, m); for mean squared
error Y holds the targets.

Each cost has a natural output activation (sigmoid, softmax, linear). With it, the
output layer's gradient collapses to one line, dZ[L] = AL - Y, which is what
``backprop`` uses; with any other output it goes through dAL and g'(Z[L]).
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from engine import checks
from engine.activations import ACTIVATIONS
from engine.constants import HALF


def _clip(AL: np.ndarray) -> np.ndarray:
    """Keep AL inside (0, 1) so that log(AL) and log(1 - AL) stay finite."""
    low, high = _bounds(AL.dtype)
    return np.minimum(np.maximum(AL, low), high)  # np.clip, without its Python wrapper


@functools.cache
def _bounds(dtype: np.dtype) -> tuple[np.ndarray | float, np.ndarray | float]:
    """(eps, 1 - eps), the bounds ``_clip`` keeps AL of ``dtype`` within, eps its machine
    epsilon (1e-15 for other kinds): looked up once per dtype (np.finfo costs about a µs a
    call), as 0-d arrays of a float dtype (see ``engine.constants``)."""
    if dtype.kind != "f":
        return 1e-15, 1 - 1e-15
    eps = float(np.finfo(dtype).eps)
    return np.array(eps, dtype), np.array(1 - eps, dtype)


def binary_cross_entropy(AL: np.ndarray, Y: np.ndarray) -> float:
    """J = -(1/m) (log(AL)·Yᵀ + log(1 - AL)·(1 - Y)ᵀ), the article's dot products; AL, Y (1, m).

    ``np.vdot`` flattens its arguments, so the same line serves several sigmoid outputs.
    """
    m = Y.shape[1]
    AL = _clip(AL)
    return -float(np.vdot(np.log(AL), Y) + np.vdot(np.log(1 - AL), 1 - Y)) / m


class BinaryLabels(NamedTuple):
    """Y (1, m) of 0s and 1s, and the two forms of it the one-pass cost reads."""

    Y: np.ndarray  # (1, m)
    is_one: np.ndarray  # Y == 1, bools (1, m)
    complement: np.ndarray  # 1 - Y (1, m)


def binary_labels(Y: np.ndarray) -> BinaryLabels:
    """Y (1, m) of 0s and 1s with its bools and 1 - Y, for ``binary_cross_entropy_scored``."""
    return BinaryLabels(Y, Y == 1, 1 - Y)


def binary_cross_entropy_scored(AL: np.ndarray, labels: BinaryLabels) -> tuple[float, int]:
    """J as ``binary_cross_entropy`` gives it, and how many of the m labels (AL >= 0.5) are
    Y's, for AL (1, m) in [0, 1] and Y of 0s and 1s only (the trainer's, checked once). With
    such labels each column's term is the log of P = |(1 - Y) - AL|, which is AL where Y = 1
    and 1 - AL where Y = 0, clipped: the same numbers as clipping AL first."""
    m = AL.shape[1]
    P = np.subtract(labels.complement, AL)
    np.abs(P, out=P)
    P.clip(*_bounds(AL.dtype), out=P)
    J = -float(np.add.reduce(np.log(P, out=P), axis=None)) / m
    return J, np.count_nonzero(np.greater_equal(AL, HALF[AL.dtype]) == labels.is_one)


def binary_cross_entropy_grad(AL: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """dAL = -(Y / AL - (1 - Y) / (1 - AL)), the article's dAL; (1, m)."""
    AL = _clip(AL)
    return -(Y / AL - (1 - Y) / (1 - AL))


def softmax_cross_entropy(AL: np.ndarray, Y: np.ndarray) -> float:
    """J = -(1/m) sum(Y log AL) over classes and examples; AL, Y (n_classes, m)."""
    m = Y.shape[1]
    return -float(np.vdot(np.log(_clip(AL)), Y)) / m


def softmax_cross_entropy_grad(AL: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """dAL = -Y / AL; (n_classes, m)."""
    return -Y / _clip(AL)


def mean_squared_error(AL: np.ndarray, Y: np.ndarray) -> float:
    """J = (1/2m) sum((AL - Y)^2); the 1/2 makes dJ/dAL = AL - Y. AL, Y (n_L, m)."""
    m = Y.shape[1]
    diff = AL - Y
    return float(np.vdot(diff, diff)) / (2 * m)


def mean_squared_error_grad(AL: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """dAL = AL - Y; (n_L, m)."""
    return AL - Y


@dataclass(frozen=True)
class Cost:
    """A cost: its value ``fn(AL, Y)``, its gradient ``grad(AL, Y) = dAL``, its natural output."""

    name: str
    title: str
    fn: Callable[[np.ndarray, np.ndarray], float]
    grad: Callable[[np.ndarray, np.ndarray], np.ndarray]
    output: str
    allowed_outputs: tuple[str, ...]


COSTS: dict[str, Cost] = {
    c.name: c
    for c in (
        Cost(
            "bce",
            "binary cross-entropy",
            binary_cross_entropy,
            binary_cross_entropy_grad,
            output="sigmoid",
            allowed_outputs=("sigmoid",),
        ),
        Cost(
            "ce",
            "softmax cross-entropy",
            softmax_cross_entropy,
            softmax_cross_entropy_grad,
            output="softmax",
            allowed_outputs=("softmax",),
        ),
        Cost(
            "mse",
            "mean squared error",
            mean_squared_error,
            mean_squared_error_grad,
            output="linear",
            allowed_outputs=tuple(ACTIVATIONS),  # any output can be compared with a target
        ),
    )
}


def get_cost(name: str) -> Cost:
    """Look a cost up by name; a ValueError lists the names that exist."""
    try:
        return COSTS[name]
    except KeyError:
        known = ", ".join(COSTS)
        raise ValueError(f"unknown cost {name!r}; choose one of: {known}") from None


def check_output(cost: str, output: str) -> None:
    """Raise a ValueError unless the activation ``output`` can feed the cost ``cost``."""
    c = get_cost(cost)
    if output not in c.allowed_outputs:
        needed = " or ".join(c.allowed_outputs)
        raise ValueError(f"the {c.title} cost needs a {needed} output layer, not {output}")


def l2_penalty(params: dict[str, np.ndarray], lambd: float, m: int) -> float:
    """(lambd / 2m) * sum over layers of ||W[l]||^2 (biases are not penalised)."""
    if not lambd:
        return 0.0
    total = sum(float(np.vdot(W, W)) for key, W in params.items() if key.startswith("W"))
    return lambd / (2 * m) * total


def l1_penalty(params: dict[str, np.ndarray], l1: float, m: int) -> float:
    """(l1 / m) * sum over layers of Σ|W[l]| (biases are not penalised)."""
    if not l1:
        return 0.0
    total = sum(float(np.abs(W).sum()) for key, W in params.items() if key.startswith("W"))
    return l1 / m * total


def penalty(params: dict[str, np.ndarray], lambd: float, l1: float, m: int) -> float:
    """The regularisation terms added to J: L2's (λ/2m) Σ‖W[l]‖² plus L1's (λ₁/m) Σ|W[l]|."""
    return l2_penalty(params, lambd, m) + l1_penalty(params, l1, m)


def cost_function(
    AL: np.ndarray,
    Y: np.ndarray,
    kind: str = "bce",
    *,
    params: dict[str, np.ndarray] | None = None,
    lambd: float = 0.0,
    l1: float = 0.0,
) -> float:
    """J(AL, Y) for the cost ``kind`` (bce, ce, mse), plus the L2 term (λ/2m) Σ‖W[l]‖² when
    lambd > 0 and the L1 term (λ₁/m) Σ|W[l]| when l1 > 0.

    AL, Y: (n_L, m). The article's version only knows binary cross-entropy. A misuse (an
    unknown kind, shapes that differ, m = 0, labels the cost cannot take, a negative λ,
    params missing a key) is a ValueError or TypeError that names it.
    """
    get_cost(kind)
    AL = checks.array(AL, "AL")
    Y = checks.array(Y, "Y", AL.dtype)
    checks.same_shape(AL, Y, "AL", "Y")
    checks.examples(AL, "AL")
    checks.labels(Y, kind)
    lambd, l1 = checks.lambd(lambd), checks.l1(l1)
    if (lambd or l1) and params is not None:
        checks.params(params)
    return compute_cost(AL, Y, kind, params=params, lambd=lambd, l1=l1)


def compute_cost(
    AL: np.ndarray,
    Y: np.ndarray,
    kind: str,
    *,
    params: dict[str, np.ndarray] | None = None,
    lambd: float = 0.0,
    l1: float = 0.0,
) -> float:
    """``cost_function`` without its checks, for the trainer's batches and the gradient
    check's inner loop, whose arguments were checked once. AL, Y: (n_L, m)."""
    if AL.shape != Y.shape:
        raise ValueError(f"AL has shape {AL.shape} but Y has shape {Y.shape}; they must match")
    J = COSTS[kind].fn(AL, Y)
    if params is not None:
        J += penalty(params, lambd, l1, Y.shape[1])
    return J
