"""Backprop agrees with centred finite differences (float64, relative error < 1e-7)."""

import numpy as np
import pytest

from engine import forward_prop, gradient_check, init_params, one_layer_backward
from engine.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from engine.toy import one_hot

# (cost, output activation): each cost with its natural output, and mse through the general
# path dZ = dA * g'(Z), including softmax's full Jacobian.
OUTPUTS = [
    ("bce", "sigmoid"),
    ("ce", "softmax"),
    ("mse", "linear"),
    ("mse", "sigmoid"),
    ("mse", "tanh"),
    ("mse", "softmax"),
]


def random_problem(seed: int, hidden: str, cost: str, output: str):
    rng = np.random.default_rng(seed)
    n_hidden = int(rng.integers(1, 5))  # 1 to 4 hidden layers
    n_x, m = int(rng.integers(2, 6)), 7
    n_out = 1 if cost == "bce" else 3
    layer_dims = [n_x, *(int(n) for n in rng.integers(2, 6, n_hidden)), n_out]
    X = rng.normal(size=(n_x, m))
    if cost == "bce":
        Y = rng.integers(0, 2, (1, m)).astype(float)
    elif cost == "ce":
        Y = one_hot(rng.integers(0, n_out, m), n_out)
    else:
        Y = rng.uniform(0.1, 0.9, (n_out, m))
    params = init_params(layer_dims, init="xavier", seed=seed, dtype=np.float64)
    for l in range(1, len(layer_dims)):  # non-zero biases, so db is really checked
        params[f"b{l}"] += rng.normal(scale=0.1, size=params[f"b{l}"].shape)
    activations = [hidden] * n_hidden + [output]
    return params, X, Y, activations


@pytest.mark.parametrize("lambd", [0.0, 0.7])
@pytest.mark.parametrize(("cost", "output"), OUTPUTS)
@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("seed", [0, 1])
def test_backprop_matches_finite_differences(seed, hidden, cost, output, lambd):
    params, X, Y, activations = random_problem(seed, hidden, cost, output)
    result = gradient_check(params, X, Y, activations, cost, lambd=lambd)
    assert result.relative_error < 1e-7, result
    # Per layer the bound is looser: in a deep sigmoid stack layer 1's gradients shrink to
    # ~1e-5, and the finite differences' roundoff is then a larger share of them.
    assert all(err < 1e-6 for err in result.per_layer.values()), result.per_layer
    assert result.checked == sum(p.size for p in params.values())


def test_gradient_check_catches_a_wrong_gradient(monkeypatch):
    """The check must be able to fail: break tanh's derivative and it reports 'wrong'."""
    from engine import activations as acts

    broken = acts.Activation("tanh", acts.tanh, lambda dA, Z, A, out=None: dA * (1 - A))  # not 1-A²
    monkeypatch.setitem(acts.ACTIVATIONS, "tanh", broken)
    params, X, Y, activations = random_problem(0, "tanh", "bce", "sigmoid")
    result = gradient_check(params, X, Y, activations, "bce")
    assert result.relative_error > 1e-3
    assert result.verdict.startswith("wrong")


def test_gradient_check_leaves_params_alone():
    params, X, Y, activations = random_problem(3, "relu", "ce", "softmax")
    before = {k: v.copy() for k, v in params.items()}
    gradient_check(params, X, Y, activations, "ce")
    for key in params:
        np.testing.assert_array_equal(params[key], before[key])


def test_sampled_gradient_check_counts_what_it_checked():
    params, X, Y, activations = random_problem(2, "tanh", "bce", "sigmoid")
    result = gradient_check(params, X, Y, activations, "bce", max_per_layer=3)
    L = len(params) // 2
    assert result.checked <= 2 * 3 * L
    assert result.relative_error < 1e-7


@pytest.mark.parametrize("name", [n for n in ACTIVATIONS if n != "softmax"])
def test_activation_derivative_matches_finite_differences(name):
    g = ACTIVATIONS[name]
    Z = np.linspace(-3, 3, 61).reshape(1, -1) + 0.013  # avoids the kink at exactly 0
    eps = 1e-6
    numeric = (g.forward(Z + eps) - g.forward(Z - eps)) / (2 * eps)
    analytic = g.backward(np.ones_like(Z), Z, g.forward(Z))
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("lambd", [0.0, 0.3])
def test_one_layer_backward_matches_finite_differences(activation, lambd):
    """The article's one-layer step, alone. With J = (1/m) Σ G * g(W · A_prev + b)
    + (λ/2m)‖W‖², one_layer_backward(G) gives dW = dJ/dW, db = dJ/db and
    dA_prev = m dJ/dA_prev (its dA_prev is not averaged); float64 centred differences."""
    rng = np.random.default_rng(3)
    n_prev, n, m = 3, 4, 5
    arrays = {"A_prev": rng.normal(size=(n_prev, m)), "W": rng.normal(size=(n, n_prev)),
              "b": rng.normal(size=(n, 1))}  # fmt: skip
    G = rng.normal(size=(n, m))
    g = ACTIVATIONS[activation]

    def J() -> float:
        A = g.forward(arrays["W"] @ arrays["A_prev"] + arrays["b"])
        return float((G * A).sum()) / m + lambd / (2 * m) * float((arrays["W"] ** 2).sum())

    params = {"W1": arrays["W"], "b1": arrays["b"]}
    _, caches = forward_prop(arrays["A_prev"], params, activation)
    dA_prev, dW, db = one_layer_backward(G, caches[0], activation, lambd)
    for name, grad in (("A_prev", dA_prev / m), ("W", dW), ("b", db)):
        array, numeric = arrays[name], np.zeros_like(arrays[name])
        for i in np.ndindex(array.shape):
            saved = array[i]
            array[i] = saved + 1e-6
            plus = J()
            array[i] = saved - 1e-6
            numeric[i] = (plus - J()) / 2e-6
            array[i] = saved
        rel = np.abs(grad - numeric).max() / max(1e-8, np.abs(grad).max() + np.abs(numeric).max())
        assert rel < 1e-7, name
