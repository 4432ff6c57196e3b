"""Forward and backward propagation, in the article's notation.

For each layer l = 1 .. L:

    Z[l] = W[l] · A[l-1] + b[l]        (n_l, n_{l-1}) · (n_{l-1}, m) + (n_l, 1) -> (n_l, m)
    A[l] = g[l](Z[l])                  (n_l, m)

with A[0] = X (n_x, m). Going back from l = L to 1, with dZ[L] = AL - Y when the output
activation is the cost's natural one:

    dZ[l]     = dA[l] * g[l]'(Z[l])      (n_l, m)
    dW[l]     = (1/m) dZ[l] · A[l-1]ᵀ    (n_l, n_{l-1})   (+ (lambd/m) W[l] with L2,
                                                          + (l1/m) sign(W[l]) with L1)
    db[l]     = (1/m) Σ_columns dZ[l]    (n_l, 1)
    dA[l-1]   = W[l]ᵀ · dZ[l]            (n_{l-1}, m)     (not needed, so not computed, for l = 1)

``forward_layers`` and ``backward_layers`` are generators that hand back one layer at a
time; ``forward_prop`` and ``backprop`` simply collect them. The trainer's phase stepping
runs the very same generators; its whole epochs run ``layer_forward`` and ``backward_into``,
the same layer functions writing into kept arrays, which is why stepping phase by phase
gives exactly the same parameters as a whole epoch.
"""

from collections.abc import Iterator, Sequence
from typing import NamedTuple

import numpy as np

from engine import checks
from engine.activations import Activation, get_activation
from engine.costs import COSTS, check_output


class Cache(NamedTuple):
    """What layer l's forward pass keeps for its backward pass (the article's cache)."""

    A_prev: np.ndarray  # A[l-1] (n_{l-1}, m)
    W: np.ndarray  # W[l] (n_l, n_{l-1})
    b: np.ndarray  # b[l] (n_l, 1)
    Z: np.ndarray  # Z[l] (n_l, m)
    A: np.ndarray  # A[l] = g(Z[l]) (n_l, m)


class Work(NamedTuple):
    """Arrays that layer l's forward and backward passes write into, kept by a training
    loop from one batch to the next instead of new ones each pass."""

    Z: np.ndarray  # (n_l, m)
    A: np.ndarray  # (n_l, m)
    dZ: np.ndarray  # (n_l, m)
    dW: np.ndarray  # (n_l, n_{l-1})
    db: np.ndarray  # (n_l, 1)
    ones: np.ndarray  # (m, 1) of 1s: Σ_columns dZ = dZ · ones
    dA_prev: np.ndarray | None  # (n_{l-1}, m); None for l = 1


class LayerGrads(NamedTuple):
    """What layer l's backward pass computes."""

    l: int
    dZ: np.ndarray  # (n_l, m)
    dW: np.ndarray  # (n_l, n_{l-1})
    db: np.ndarray  # (n_l, 1)
    dA_prev: np.ndarray | None  # dA[l-1] (n_{l-1}, m); None for l = 1


def resolve_activations(activations: str | Sequence[str] | None, L: int) -> list[Activation]:
    """One Activation per layer 1 .. L.

    None means sigmoid everywhere (the article); a single name applies to every layer;
    otherwise give exactly L names.
    """
    if activations is None:
        activations = "sigmoid"
    if isinstance(activations, str):
        activations = [activations] * L
    if not isinstance(activations, Sequence):
        raise TypeError(f"activations must be a name or a list of names, got {activations!r}")
    if len(activations) != L:
        raise ValueError(
            f"activations has {len(activations)} name(s) for a network of L = {L} layers; "
            "give one per layer 1 .. L, or one name for all"
        )
    return [a if isinstance(a, Activation) else get_activation(a) for a in activations]


def layer_forward(
    A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, g: Activation, work: Work | None = None
) -> Cache:
    """Z = W · A_prev + b, A = g(Z). A_prev (n_{l-1}, m), W (n_l, n_{l-1}), b (n_l, 1);
    Z and A are written into ``work``'s arrays when it is given, else new ones."""
    Z = W.dot(A_prev, out=None if work is None else work.Z)  # less overhead than np.matmul
    Z += b
    return Cache(A_prev, W, b, Z, g.forward(Z, out=None if work is None else work.A))


def forward_layers(
    X: np.ndarray, params: dict[str, np.ndarray], gs: list[Activation]
) -> Iterator[Cache]:
    """Yield layer 1's cache, then layer 2's, ..., then layer L's; X is (n_x, m)."""
    A = X
    for l in range(1, len(gs) + 1):
        W = params[f"W{l}"]
        if W.shape[1] != A.shape[0]:
            what = "X" if l == 1 else f"A[{l - 1}]"
            raise ValueError(
                f"{what} has {A.shape[0]} rows but W[{l}] expects {W.shape[1]} "
                f"(W[{l}] is {W.shape}, {what} is {A.shape})"
            )
        cache = layer_forward(A, W, params[f"b{l}"], gs[l - 1])
        A = cache.A
        yield cache


def forward_prop(
    X: np.ndarray,
    params: dict[str, np.ndarray],
    activations: str | Sequence[str] | None = None,
) -> tuple[np.ndarray, list[Cache]]:
    """AL (n_L, m) and the list of caches, one per layer. X is (n_x, m).

    Integer or bool X is converted to the weights' dtype; a misuse (params missing a key,
    X of the wrong kind or rows, m = 0, a one-unit softmax) names what is wrong."""
    L = checks.params(params)
    X = checks.array(X, "X", params["W1"].dtype)
    checks.examples(X, "X")
    gs = resolve_activations(activations, L)
    checks.output_units(gs[-1].name, params[f"W{L}"].shape[0])
    caches = list(forward_layers(X, params, gs))
    return caches[-1].A, caches


def linear_part_backward(
    dZ: np.ndarray,
    cache: Cache,
    lambd: float = 0.0,
    *,
    need_dA_prev: bool = True,
    l1: float = 0.0,
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """dA_prev (n_{l-1}, m), dW (n_l, n_{l-1}), db (n_l, 1) from dZ (n_l, m). The L1
    term's subgradient is (l1/m) sign(W), taking 0 where a weight is exactly 0."""
    m = cache.A_prev.shape[1]
    dA_prev, dW, db = linear_part_sums(dZ, cache, need_dA_prev)
    dW *= 1 / m
    db *= 1 / m
    add_penalty_gradients(dW, cache.W, lambd, l1, m)
    return dA_prev, dW, db


def linear_part_sums(
    dZ: np.ndarray, cache: Cache, need_dA_prev: bool, work: Work | None = None
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """dA_prev = Wᵀ·dZ (n_{l-1}, m), and m·dW = dZ·A_prevᵀ (n_l, n_{l-1}) and m·db = Σ dZ
    (n_l, 1), the gradients before their 1/m; into ``work``'s arrays when it is given. The
    sum over the m columns is the product with a column of 1s (one BLAS call, faster than
    a reduction)."""
    ones = np.ones((dZ.shape[1], 1), dZ.dtype) if work is None else work.ones
    dW = dZ.dot(cache.A_prev.T, out=None if work is None else work.dW)
    db = dZ.dot(ones, out=None if work is None else work.db)
    dA_prev = None
    if need_dA_prev:
        dA_prev = cache.W.T.dot(dZ, out=None if work is None else work.dA_prev)
    return dA_prev, dW, db


def add_penalty_gradients(dW: np.ndarray, W: np.ndarray, lambd: float, l1: float, m: int) -> None:
    """dW (n_l, n_{l-1}) += (lambd/m) W with L2, += (l1/m) sign(W) with L1, in place."""
    if lambd:
        dW += (lambd / m) * W
    if l1:
        dW += (l1 / m) * np.sign(W)


def one_layer_backward(
    dA: np.ndarray,
    cache: Cache,
    activation: str = "sigmoid",
    lambd: float = 0.0,
    l1: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The article's one-layer step: dZ = dA * g'(Z), then dA_prev, dW, db.

    dA (n_l, m) -> dA_prev (n_{l-1}, m), dW (n_l, n_{l-1}), db (n_l, 1).
    """
    checks.instance(cache, Cache, "cache", "a Cache from forward_prop")
    dA = checks.array(dA, "dA", cache.Z.dtype)
    checks.same_shape(dA, cache.Z, "dA", "Z in the cache")
    checks.examples(dA, "dA")
    lambd, l1 = checks.lambd(lambd), checks.l1(l1)
    g = get_activation(activation)
    dZ = g.backward(dA, cache.Z, cache.A)
    return linear_part_backward(dZ, cache, lambd, l1=l1)


def output_dZ(
    AL: np.ndarray, Y: np.ndarray, cache: Cache, g: Activation, cost: str,
    out: np.ndarray | None = None,
) -> np.ndarray:  # fmt: skip
    """dZ[L] (n_L, m): AL - Y for the cost's own output activation, else dAL * g'(Z[L]);
    into ``out`` when it is given. The caller checked that g can feed the cost."""
    c = COSTS[cost]
    if g.name == c.output:
        return np.subtract(AL, Y, out=out)
    return g.backward(c.grad(AL, Y), cache.Z, cache.A, out=out)


def backward_layers(
    AL: np.ndarray,
    Y: np.ndarray,
    caches: list[Cache],
    gs: list[Activation],
    cost: str = "bce",
    lambd: float = 0.0,
    l1: float = 0.0,
) -> Iterator[LayerGrads]:
    """Yield layer L's gradients, then layer L-1's, ..., then layer 1's, in new arrays."""
    L = len(caches)
    if Y.shape != AL.shape:
        raise ValueError(f"Y has shape {Y.shape} but AL has shape {AL.shape}; they must match")
    check_output(cost, gs[-1].name)
    dZ = output_dZ(AL, Y, caches[-1], gs[-1], cost)
    for l in range(L, 0, -1):
        dA_prev, dW, db = linear_part_backward(dZ, caches[l - 1], lambd, need_dA_prev=l > 1, l1=l1)
        yield LayerGrads(l, dZ, dW, db, dA_prev)
        if l > 1:
            below = caches[l - 2]
            dZ = gs[l - 2].backward(dA_prev, below.Z, below.A)


def backward_into(
    Y: np.ndarray,
    caches: list[Cache],
    gs: list[Activation],
    cost: str,
    works: Sequence[Work],
    gradient: np.ndarray,
    lambd: float = 0.0,
    l1: float = 0.0,
) -> list[LayerGrads]:
    """``backward_layers``' numbers, bit for bit, for a training loop that checked its
    output and cost once: layer 1's .. layer L's gradients, written into ``works``. For
    l = L .. 1 the sums m·dW[l] = dZ[l]·A[l-1]ᵀ and m·db[l] = Σ dZ[l]; then ``gradient``
    (every layer's dW and db, flat) is scaled by 1/m at once; then the L2/L1 terms.
    Y (n_L, m); caches from layer 1 to L; ``works[l - 1]``' dW and db are views into
    ``gradient``."""
    L, m = len(caches), Y.shape[1]
    grads = []
    dZ = output_dZ(caches[-1].A, Y, caches[-1], gs[-1], cost, works[-1].dZ)
    for l in range(L, 0, -1):
        dA_prev, dW, db = linear_part_sums(dZ, caches[l - 1], l > 1, works[l - 1])
        grads.append(LayerGrads(l, dZ, dW, db, dA_prev))
        if l > 1:
            below = caches[l - 2]
            dZ = gs[l - 2].backward(dA_prev, below.Z, below.A, out=works[l - 2].dZ)
    gradient *= 1 / m
    if lambd or l1:
        for step, cache in zip(grads, reversed(caches), strict=True):
            add_penalty_gradients(step.dW, cache.W, lambd, l1, m)
    return grads[::-1]


def backprop(
    AL: np.ndarray,
    Y: np.ndarray,
    caches: list[Cache],
    activations: str | Sequence[str] | None = None,
    cost: str = "bce",
    lambd: float = 0.0,
    l1: float = 0.0,
) -> dict[str, np.ndarray]:
    """grads {'dW1': like W1, 'db1': like b1, ..., 'dZ1': like Z1, ...} for l = 1 .. L.

    AL and Y are (n_L, m); ``caches`` is what ``forward_prop`` returned. Integer or bool Y
    is converted to AL's dtype; a misuse (shapes, m = 0, labels the cost cannot take, an
    unknown cost) names what is wrong.
    """
    AL = checks.array(AL, "AL")
    Y = checks.array(Y, "Y", AL.dtype)
    checks.same_shape(Y, AL, "Y", "AL")
    checks.examples(AL, "AL")
    checks.items(caches, Cache, "caches", "the list of caches forward_prop returned")
    gs = resolve_activations(activations, len(caches))
    check_output(cost, gs[-1].name)
    checks.output_units(gs[-1].name, AL.shape[0])
    checks.labels(Y, cost)
    lambd, l1 = checks.lambd(lambd), checks.l1(l1)
    grads = {}
    for step in backward_layers(AL, Y, caches, gs, cost, lambd, l1):
        grads[f"dW{step.l}"] = step.dW
        grads[f"db{step.l}"] = step.db
        grads[f"dZ{step.l}"] = step.dZ
    return grads
