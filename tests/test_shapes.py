"""Every cache and gradient has the shape the article states, for its 2-layer example."""

import numpy as np

from engine import backprop, forward_prop, init_params


def test_article_two_layer_network_shapes(article_data):
    X, Y = article_data  # X (2, 400), Y (1, 400)
    params = init_params([2, 4, 1], seed=0)
    assert params["W1"].shape == (4, 2) and params["b1"].shape == (4, 1)
    assert params["W2"].shape == (1, 4) and params["b2"].shape == (1, 1)
    AL, caches = forward_prop(X.astype(np.float32), params)
    assert AL.shape == (1, 400)
    assert len(caches) == 2  # the article's forward_prop never appended: here it does
    expected = {
        1: {"A_prev": (2, 400), "W": (4, 2), "b": (4, 1), "Z": (4, 400), "A": (4, 400)},
        2: {"A_prev": (4, 400), "W": (1, 4), "b": (1, 1), "Z": (1, 400), "A": (1, 400)},
    }
    for l, cache in enumerate(caches, start=1):
        assert {k: getattr(cache, k).shape for k in expected[l]} == expected[l]
    grads = backprop(AL, Y.astype(np.float32), caches)
    for l in (1, 2):
        assert grads[f"dW{l}"].shape == params[f"W{l}"].shape
        assert grads[f"db{l}"].shape == params[f"b{l}"].shape
        assert grads[f"dZ{l}"].shape == caches[l - 1].Z.shape


def test_float32_stays_float32_through_a_training_step(article_data):
    X, Y = article_data
    params = init_params([2, 4, 1], seed=0)
    AL, caches = forward_prop(X.astype(np.float32), params, ["relu", "sigmoid"])
    grads = backprop(AL, Y.astype(np.float32), caches, ["relu", "sigmoid"])
    assert AL.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())


def test_init_schemes_scale_as_documented():
    dims = [400, 300, 1]
    for init, scale in (("he", np.sqrt(2 / 400)), ("xavier", np.sqrt(1 / 400)), ("small", 0.01)):
        W1 = init_params(dims, init=init, seed=0, dtype=np.float64)["W1"]
        assert abs(W1.std() / scale - 1) < 0.02, init
    p32 = init_params([3, 2], seed=5, dtype=np.float32)
    p64 = init_params([3, 2], seed=5, dtype=np.float64)
    np.testing.assert_allclose(p32["W1"], p64["W1"], rtol=1e-6)
    assert not p64["b1"].any()
