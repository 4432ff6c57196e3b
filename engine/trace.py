"""One example followed through the network: what each unit computed for it, forward and back.

For one example column x (n_x, 1) with its label y (n_L, 1), the engine's own
``forward_layers`` and ``backward_layers`` run on that column alone (m = 1), so every
number is the engine's. For each layer l:

    z[l]_j = Σ_k W[l]_jk · a[l-1]_k + b[l]_j      the terms W[l]_jk · a[l-1]_k: ``terms``
    a[l]_j = g(z[l]_j)
    dz[l]  = da[l] * g'(z[l])                     (dz[L] = a[L] - y for the cost's own output)
    dW     = dz · a[l-1]ᵀ,  db = dz               this example's gradient (m = 1)

In a batch of m examples, dW[l] is the mean of the examples' dW: each adds 1/m of its own.
``BatchRecord`` holds what the trainer's latest batch computed for one layer, and the last
update of its weights, read from the trainer's own arrays.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.activations import Activation
from engine.costs import get_cost
from engine.propagation import backward_layers, forward_layers, resolve_activations


@dataclass(frozen=True)
class LayerTrace:
    """Layer l for one example. W (n_l, n_{l-1}), b (n_l, 1); A_prev (n_{l-1}, 1); Z, A, dA,
    dZ, g_prime, db (n_l, 1); terms and dW (n_l, n_{l-1}). g_prime is None for softmax,
    whose derivative is not one number per unit."""

    l: int
    activation: str
    W: np.ndarray
    b: np.ndarray
    A_prev: np.ndarray
    Z: np.ndarray
    A: np.ndarray
    terms: np.ndarray  # W[l]_jk · a[l-1]_k
    dA: np.ndarray
    g_prime: np.ndarray | None
    dZ: np.ndarray
    dW: np.ndarray  # this example's own gradient, dz · a[l-1]ᵀ (m = 1)
    db: np.ndarray

    def largest_terms(self, j: int, most: int) -> tuple[list[int], float]:
        """The k of unit j's ``most`` largest terms by |W_jk · a_k|, largest first, and the
        sum of the other terms (0.0 if there are none)."""
        row = self.terms[j].astype(np.float64)
        order = np.argsort(-np.abs(row), kind="stable")
        shown, rest = order[:most], order[most:]
        return [int(k) for k in shown], float(row[rest].sum())


@dataclass(frozen=True)
class ExampleTrace:
    """One example through the network: x (n_x, 1), y (n_L, 1), one LayerTrace per layer,
    yhat = a[L] (n_L, 1), and its own loss term (the cost on this column, m = 1, no L2)."""

    x: np.ndarray
    y: np.ndarray
    layers: tuple[LayerTrace, ...]
    yhat: np.ndarray
    loss: float
    cost: str
    shortcut: bool  # dz[L] = a[L] - y: the output is the cost's own


@dataclass(frozen=True)
class UpdateRecord:
    """The last update of layer l's weights: W and b before and after it (n_l, n_{l-1}) and
    (n_l, 1), the gradients it used, the optimiser's state after it by name ('v', 's', ...:
    arrays shaped like W, under '<name>_W' and '<name>_b'), its counters ('t') and its rule."""

    optimizer: str
    equation: str
    learning_rate: float
    W_before: np.ndarray
    b_before: np.ndarray
    W_after: np.ndarray
    b_after: np.ndarray
    dW: np.ndarray
    db: np.ndarray
    state: dict[str, np.ndarray]
    counters: dict[str, int]


@dataclass(frozen=True)
class BatchRecord:
    """What the trainer's latest batch computed for layer l: its size m, the training columns
    it held (None: all of them), its cost J (NaN before a cost phase), dW[l] and db[l] of its
    backward pass (None before one) and the last update (None before one)."""

    m: int
    columns: np.ndarray | None
    J: float
    dW: np.ndarray | None
    db: np.ndarray | None
    update: UpdateRecord | None

    def column_of(self, index: int) -> int | None:
        """Where training example ``index`` sits in the batch; None if it is not in it."""
        if self.columns is None:
            return index
        found = np.flatnonzero(self.columns == index)
        return int(found[0]) if found.size else None


def batch_share(layer: LayerTrace, m: int) -> tuple[np.ndarray, np.ndarray]:
    """This example's part of a batch of m's dW[l] (n_l, n_{l-1}) and db[l] (n_l, 1): 1/m
    of its own (the batch's gradient is the mean of its examples')."""
    return layer.dW / m, layer.db / m


def g_prime(g: Activation, Z: np.ndarray, A: np.ndarray) -> np.ndarray | None:
    """g'(Z) (n_l, 1) from the activation's own backward pass with dA = 1; None for softmax."""
    if g.name == "softmax":
        return None
    return g.backward(np.ones_like(Z), Z, A)


def trace_example(
    params: dict[str, np.ndarray],
    activations: str | Sequence[str] | Sequence[Activation],
    cost: str,
    x: np.ndarray,
    y: np.ndarray,
) -> ExampleTrace:
    """The trace of one example x (n_x, 1), y (n_L, 1) through ``params``, by the engine's
    forward and backward passes on that column alone."""
    gs = resolve_activations(activations, len([k for k in params if k.startswith("W")]))
    caches = list(forward_layers(x, params, gs))
    AL = caches[-1].A
    c = get_cost(cost)
    steps = {step.l: step for step in backward_layers(AL, y, caches, gs, cost)}
    L = len(caches)
    layers = []
    for l, cache in enumerate(caches, start=1):
        dA = c.grad(AL, y) if l == L else steps[l + 1].dA_prev
        step = steps[l]
        layer = LayerTrace(
            l, gs[l - 1].name, cache.W, cache.b, cache.A_prev, cache.Z, cache.A,
            cache.W * cache.A_prev.T, dA, g_prime(gs[l - 1], cache.Z, cache.A),
            step.dZ, step.dW, step.db,
        )  # fmt: skip
        layers.append(layer)
    return ExampleTrace(
        x, y, tuple(layers), AL, c.fn(AL, y), cost, shortcut=gs[-1].name == c.output
    )
