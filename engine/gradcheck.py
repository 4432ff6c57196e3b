"""Gradient checking: backprop's gradients against centred finite differences, in float64.

For every parameter θ_i:  dθ_i ≈ (J(θ_i + ε) - J(θ_i - ε)) / 2ε, and the check reports

    relative error = ‖dθ_backprop - dθ_numeric‖ / max(1e-8, ‖dθ_backprop‖ + ‖dθ_numeric‖)

for each layer and overall. Below 1e-7 the gradients agree; above 1e-3 something is wrong.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine import checks
from engine.activations import Activation
from engine.costs import check_output, compute_cost, get_cost
from engine.propagation import Cache, backward_layers, forward_layers, resolve_activations

GOOD, DOUBTFUL = 1e-7, 1e-3


@dataclass(frozen=True)
class GradCheck:
    """Relative errors overall and per layer l; ``checked`` counts the parameters perturbed."""

    relative_error: float
    per_layer: dict[int, float]
    checked: int

    @property
    def verdict(self) -> str:
        if self.relative_error < GOOD:
            return "ok: backprop matches finite differences"
        if self.relative_error < DOUBTFUL:
            return "doubtful: close, but larger than expected"
        return "wrong: backprop disagrees with finite differences"


def _relative_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / max(1e-8, np.linalg.norm(a) + np.linalg.norm(b)))


def _check_settings(
    output: Activation, n_L: int, Y: np.ndarray, cost: str, epsilon: float, max_per: int | None
) -> None:
    """The cost, its output layer (n_L units) and labels Y (n_L, m), and the step sizes."""
    get_cost(cost)
    check_output(cost, output.name)
    checks.output_units(output.name, n_L)
    checks.labels(Y, cost)
    if not 0 < checks.real(epsilon, "epsilon") < math.inf:
        raise ValueError(f"epsilon must be a finite number > 0, got {epsilon!r}")
    if max_per is not None:
        checks.whole_number(max_per, "max_per_layer", minimum=1)


def gradient_check(
    params: dict[str, np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    activations: str | Sequence[str] | None = None,
    cost: str = "bce",
    *,
    lambd: float = 0.0,
    l1: float = 0.0,
    epsilon: float = 1e-5,
    max_per_layer: int | None = None,
    seed: int = 0,
) -> GradCheck:
    """Compare backprop with centred differences on X (n_x, m), Y (n_L, m), in float64.

    ``lambd`` and ``l1`` add the L2 and L1 terms; |W| has no derivative at W = 0, so check
    L1 on weights away from 0 (a difference step across 0 sees neither side's slope).
    ``params`` is not modified. With ``max_per_layer``, each layer checks at most that many
    of its W and b entries, picked at random (seeded), so that big networks stay quick.
    Every argument is checked once, here; a misuse is a ValueError or TypeError naming it.
    """
    L = checks.params(params)
    X64, Y64 = (A.astype(np.float64) for A in checks.data(X, Y))
    gs = resolve_activations(activations, L)
    _check_settings(gs[-1], params[f"W{L}"].shape[0], Y64, cost, epsilon, max_per_layer)
    lambd, l1, seed = checks.lambd(lambd), checks.l1(l1), checks.seed(seed)
    params64 = {key: value.astype(np.float64) for key, value in params.items()}

    def forward(p: dict[str, np.ndarray]) -> list[Cache]:
        return list(forward_layers(X64, p, gs))

    def J(p: dict[str, np.ndarray]) -> float:
        return compute_cost(forward(p)[-1].A, Y64, cost, params=p, lambd=lambd, l1=l1)

    caches = forward(params64)
    grads = {}
    for step in backward_layers(caches[-1].A, Y64, caches, gs, cost, lambd, l1):
        grads[f"dW{step.l}"], grads[f"db{step.l}"] = step.dW, step.db
    rng = np.random.default_rng(seed)
    per_layer, all_analytic, all_numeric = {}, [], []
    for l in range(1, L + 1):
        analytic, numeric = [], []
        for key in (f"W{l}", f"b{l}"):
            theta = params64[key].reshape(-1)  # a view: perturbing it perturbs params64
            indices = np.arange(theta.size)
            if max_per_layer is not None and theta.size > max_per_layer:
                indices = rng.choice(theta.size, size=max_per_layer, replace=False)
            for i in indices:
                saved = theta[i]
                theta[i] = saved + epsilon
                plus = J(params64)
                theta[i] = saved - epsilon
                minus = J(params64)
                theta[i] = saved
                numeric.append((plus - minus) / (2 * epsilon))
                analytic.append(grads[f"d{key}"].reshape(-1)[i])
        per_layer[l] = _relative_error(np.array(analytic), np.array(numeric))
        all_analytic += analytic
        all_numeric += numeric
    overall = _relative_error(np.array(all_analytic), np.array(all_numeric))
    return GradCheck(overall, per_layer, len(all_numeric))
