"""Property tests: any network nntui can build (1-5 layers of 1-64 units, every activation
and cost, batches of 1 to m, float32 and float64) keeps the article's shapes, agrees with
finite differences, and never makes NaN out of finite data in one sane step."""

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from engine import gradient_check, init_params
from engine.activations import HIDDEN_ACTIVATIONS
from engine.propagation import forward_prop
from engine.toy import one_hot
from engine.trainer import Trainer

from .fuzzing import examples

# (cost, output activation) pairs the engine accepts: each cost's own output, and mse
# through the general dZ = dA * g'(Z), softmax's Jacobian included.
OUTPUTS = [("bce", "sigmoid"), ("ce", "softmax"), ("mse", "linear"), ("mse", "sigmoid"),
           ("mse", "tanh"), ("mse", "softmax")]  # fmt: skip


@st.composite
def problems(draw, max_m: int = 24, dtypes=(np.float32, np.float64)):
    """A network and data for it: layer_dims, activations, cost, X (n_x, m), Y (n_L, m)."""
    L = draw(st.integers(1, 5))
    cost, output = draw(st.sampled_from(OUTPUTS))
    n_out = 1 if cost == "bce" else draw(st.integers(2 if output == "softmax" else 1, 6))
    dims = [draw(st.integers(1, 64)) for _ in range(L)] + [n_out]
    activations = [draw(st.sampled_from(HIDDEN_ACTIVATIONS)) for _ in range(L - 1)] + [output]
    m = draw(st.integers(1, max_m))
    dtype = draw(st.sampled_from(dtypes))
    X = draw(arrays(dtype, (dims[0], m), elements=st.floats(-1e3, 1e3, width=32)))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    if cost == "bce":
        Y = rng.integers(0, 2, (1, m))
    elif cost == "ce":
        Y = one_hot(rng.integers(0, n_out, m), n_out)
    else:
        Y = rng.uniform(-1, 1, (n_out, m))
    return dims, activations, cost, X, Y.astype(dtype)


@settings(max_examples=examples(300), deadline=None)
@given(problem=problems(), batch=st.one_of(st.just(1), st.none(), st.integers(1, 30)))
def test_every_cache_and_gradient_has_the_shape_of_what_it_belongs_to(problem, batch):
    dims, activations, cost, X, Y = problem
    X = X / max(1.0, float(np.abs(X).max()))  # the scale the app's standardised data has
    t = Trainer(X, Y, dims, activations=activations, cost=cost, batch_size=batch,
                learning_rate=1e-3, dtype=X.dtype)  # fmt: skip
    t.step_epoch()
    tensors = {str(name): array for name, array in t.tensors.items()}
    m_batch = tensors["A[0]"].shape[1]
    assert m_batch == (X.shape[1] if batch is None else (X.shape[1] - 1) % batch + 1)
    for l in range(1, len(dims)):
        assert tensors[f"W[{l}]"].shape == tensors[f"dW[{l}]"].shape == (dims[l], dims[l - 1])
        assert tensors[f"b[{l}]"].shape == tensors[f"db[{l}]"].shape == (dims[l], 1)
        for name in (f"Z[{l}]", f"A[{l}]", f"dZ[{l}]"):
            assert tensors[name].shape == (dims[l], m_batch), name
        assert all(tensors[name].dtype == X.dtype for name in tensors)


@settings(max_examples=examples(250), deadline=None)
@given(problem=problems(max_m=8, dtypes=(np.float64,)), lambd=st.sampled_from([0.0, 0.5]))
def test_backprop_agrees_with_finite_differences_in_float64(problem, lambd):
    dims, activations, cost, X, Y = problem
    X = X / max(1.0, float(np.abs(X).max()))  # unit scale: the differences stay meaningful
    params = init_params(dims, init="xavier", seed=0, dtype=np.float64)
    for l in range(1, len(dims)):
        params[f"b{l}"] += 0.1  # non-zero biases, so db is really checked
    _, caches = forward_prop(X, params, activations)
    # ReLU's kink: a finite difference across Z = 0 measures neither side's slope.
    kinked = [c.Z for c, g in zip(caches, activations, strict=True) if "relu" in g]
    assume(all(np.abs(Z).min() > 1e-4 for Z in kinked))
    result = gradient_check(params, X, Y, activations, cost, lambd=lambd, max_per_layer=12)
    assert result.relative_error < 1e-6, result


@settings(max_examples=examples(300), deadline=None)
@given(problem=problems(), lr=st.floats(1e-4, 0.1))
def test_one_step_on_finite_data_at_a_sane_rate_stays_finite(problem, lr):
    """Raw data up to ±1000, not standardised: one full-batch update stays finite."""
    dims, activations, cost, X, Y = problem
    t = Trainer(X, Y, dims, activations=activations, cost=cost, learning_rate=lr,
                dtype=X.dtype)  # fmt: skip
    stats = t.step_epoch()  # raises DivergedError if anything became non-finite
    assert np.isfinite(stats.train_cost)
    assert all(np.isfinite(p).all() for p in t.params.values())
    assert all(np.isfinite(a).all() for a in t.tensors.values())
