"""Misusing the engine's public API is a ValueError or TypeError that names the parameter:
never a NumPy internal error, a KeyError, a MemoryError, or a silently wrong result."""

import numpy as np
import pytest

from engine import (
    Trainer,
    backprop,
    cost_function,
    forward_prop,
    gradient_check,
    init_params,
    one_layer_backward,
    train,
    update_parameters,
)
from engine.toy import circles, one_hot

X, _labels = circles(40, seed=0)
X = X.astype(np.float32)  # (2, 40)
Y = _labels[None].astype(np.float32)  # (1, 40), 0s and 1s
Y3 = one_hot(_labels, 3)  # (3, 40), one-hot (class 2 is never used)
P = init_params([2, 4, 1], seed=0)
ACTS = ["tanh", "sigmoid"]
AL, CACHES = forward_prop(X, P, ACTS)
GRADS = backprop(AL, Y, CACHES, ACTS)


def without(d: dict, key: str) -> dict:
    return {k: v for k, v in d.items() if k != key}


def copy(params: dict) -> dict:
    return {k: v.copy() for k, v in params.items()}


def make(**kwargs) -> Trainer:
    kwargs = {"X": X, "Y": Y, "layer_dims": [2, 4, 1], "activations": ACTS} | kwargs
    return Trainer(**kwargs)


def fit(**kwargs) -> tuple:
    kwargs = {"X": X, "Y": Y, "layer_dims": [2, 4, 1], "epochs": 2, "lr": 0.1} | kwargs
    return train(**kwargs)


HUGE = [2, 10**6, 10**6, 1]  # 10^12 weights: terabytes

#: (call, the exception, a pattern the message must match: the parameter's name)
# fmt: off
MISUSE = {
    # X and Y: what they hold
    "Trainer float16 X": (lambda: make(X=X.astype(np.float16)), TypeError, r"X has dtype float16"),
    "Trainer complex Y": (lambda: make(Y=Y.astype(complex)), TypeError, r"Y has dtype complex"),
    "Trainer 1-D X": (lambda: make(X=X[0]), ValueError, r"X must be a 2-D array"),
    "Trainer list X": (lambda: make(X=X.tolist()), TypeError, r"X must be a 2-D NumPy array"),
    "forward_prop float16 X": (
        lambda: forward_prop(X.astype(np.float16), P), TypeError, r"X has dtype float16"),
    "gradient_check float16 X": (
        lambda: gradient_check(P, X.astype(np.float16), Y, ACTS), TypeError, r"X has dtype"),
    "backprop string Y": (
        lambda: backprop(AL, Y.astype(str), CACHES, ACTS), TypeError, r"Y has dtype"),
    # whole numbers: seed, epochs
    "init_params seed 1.5": (lambda: init_params([2, 1], seed=1.5), TypeError, r"seed"),
    "init_params seed True": (lambda: init_params([2, 1], seed=True), TypeError, r"seed"),
    "init_params seed -1": (lambda: init_params([2, 1], seed=-1), ValueError, r"seed"),
    "Trainer seed 1.0": (lambda: make(seed=1.0), TypeError, r"seed"),
    "Trainer seed '3'": (lambda: make(seed="3"), TypeError, r"seed"),
    "train epochs 2.5": (lambda: fit(epochs=2.5), TypeError, r"epochs"),
    "train epochs True": (lambda: fit(epochs=True), TypeError, r"epochs"),
    "train epochs -1": (lambda: fit(epochs=-1), ValueError, r"epochs"),
    "train epochs '3'": (lambda: fit(epochs="3"), TypeError, r"epochs"),
    "train seed 0.5": (lambda: fit(seed=0.5), TypeError, r"seed"),
    "gradient_check seed 0.5": (
        lambda: gradient_check(P, X, Y, ACTS, seed=0.5), TypeError, r"seed"),
    # numbers
    "train lr 0": (lambda: fit(lr=0), ValueError, r"lr, the learning rate"),
    "train lr '0.1'": (lambda: fit(lr="0.1"), TypeError, r"lr, the learning rate"),
    "Trainer learning_rate True": (lambda: make(learning_rate=True), TypeError, r"learning rate"),
    "update_parameters learning_rate nan": (
        lambda: update_parameters(copy(P), GRADS, float("nan")), ValueError, r"learning_rate"),
    "update_parameters learning_rate '0.1'": (
        lambda: update_parameters(copy(P), GRADS, "0.1"), TypeError, r"learning_rate"),
    "cost_function lambd -1": (
        lambda: cost_function(AL, Y, params=P, lambd=-1), ValueError, r"λ"),
    "backprop lambd nan": (
        lambda: backprop(AL, Y, CACHES, ACTS, lambd=float("nan")), ValueError, r"λ"),
    "gradient_check epsilon 0": (
        lambda: gradient_check(P, X, Y, ACTS, epsilon=0), ValueError, r"epsilon"),
    "gradient_check max_per_layer 0": (
        lambda: gradient_check(P, X, Y, ACTS, max_per_layer=0), ValueError, r"max_per_layer"),
    # dtype
    "init_params dtype int": (lambda: init_params([2, 1], dtype=int), TypeError, r"dtype"),
    "init_params dtype float16": (
        lambda: init_params([2, 1], dtype=np.float16), TypeError, r"dtype"),
    "Trainer dtype int32": (lambda: make(dtype=np.int32), TypeError, r"dtype"),
    "Trainer dtype 'fast'": (lambda: make(dtype="fast"), TypeError, r"dtype"),
    # labels
    "Trainer bce labels 2": (lambda: make(Y=Y * 2), ValueError, r"binary cross-entropy.* Y\["),
    "Trainer bce labels -1": (lambda: make(Y=Y - 1), ValueError, r"labels 0 or 1 in Y"),
    "Trainer bce Y_test 0.5": (
        lambda: make(X_test=X, Y_test=Y / 2), ValueError, r"labels 0 or 1 in Y_test"),
    "cost_function bce labels 0.5": (
        lambda: cost_function(AL, Y / 2 + 0.25), ValueError, r"labels 0 or 1 in Y"),
    "backprop bce labels 3": (
        lambda: backprop(AL, Y * 3, CACHES, ACTS), ValueError, r"labels 0 or 1 in Y"),
    "gradient_check bce labels 2": (
        lambda: gradient_check(P, X, Y * 2, ACTS), ValueError, r"labels 0 or 1 in Y"),
    "Trainer ce not one-hot": (
        lambda: make(Y=np.vstack([Y, Y, Y]), layer_dims=[2, 4, 3], activations=["tanh", "softmax"],
                     cost="ce"), ValueError, r"one-hot columns in Y"),
    "cost_function ce one class": (
        lambda: cost_function(AL, np.ones_like(Y), "ce"), ValueError, r"2 or more classes .*Y"),
    # softmax over one unit
    "Trainer softmax 1 unit (ce)": (
        lambda: make(Y=np.ones_like(Y), activations=["tanh", "softmax"], cost="ce"),
        ValueError, r"activations: a softmax output needs 2 or more units"),
    "Trainer softmax 1 unit (mse)": (
        lambda: make(activations=["tanh", "softmax"], cost="mse"), ValueError, r"activations"),
    "forward_prop softmax 1 unit": (
        lambda: forward_prop(X, P, ["tanh", "softmax"]), ValueError, r"activations"),
    "backprop softmax 1 unit": (
        lambda: backprop(AL, Y, CACHES, ["tanh", "softmax"], "mse"), ValueError, r"activations"),
    "gradient_check softmax 1 unit": (
        lambda: gradient_check(P, X, Y, ["tanh", "softmax"], "mse"), ValueError, r"activations"),
    # too large to allocate
    "init_params huge layer_dims": (
        lambda: init_params(HUGE), ValueError, r"layer_dims .* TiB in float32, more than"),
    "Trainer huge layer_dims": (
        lambda: make(layer_dims=HUGE, activations="sigmoid"), ValueError, r"layer_dims"),
    "train huge layer_dims": (lambda: fit(layer_dims=HUGE), ValueError, r"layer_dims"),
    # empty batch
    "Trainer m = 0": (lambda: make(X=X[:, :0], Y=Y[:, :0]), ValueError, r"X has no examples"),
    "Trainer batch_size 0": (lambda: make(batch_size=0), ValueError, r"batch size"),
    "train batch_size 0": (lambda: fit(batch_size=0), ValueError, r"batch size"),
    "forward_prop m = 0": (lambda: forward_prop(X[:, :0], P), ValueError, r"X has no examples"),
    "cost_function m = 0": (
        lambda: cost_function(AL[:, :0], Y[:, :0]), ValueError, r"AL has no examples"),
    "backprop m = 0": (
        lambda: backprop(AL[:, :0], Y[:, :0], CACHES, ACTS), ValueError, r"AL has no examples"),
    "one_layer_backward m = 0": (
        lambda: one_layer_backward(AL[:, :0], CACHES[1]._replace(Z=AL[:, :0])), ValueError,
        r"dA has no examples"),
    "gradient_check m = 0": (
        lambda: gradient_check(P, X[:, :0], Y[:, :0], ACTS), ValueError, r"X has no examples"),
    # params and grads dicts
    "forward_prop params without b2": (
        lambda: forward_prop(X, without(P, "b2")), ValueError, r"params is missing 'b2'"),
    "forward_prop params without W1": (
        lambda: forward_prop(X, without(P, "W1")), ValueError, r"params is missing 'W1'"),
    "forward_prop params with a foreign key": (
        lambda: forward_prop(X, without(P, "b2") | {"W": P["b2"]}), ValueError, r"params"),
    "forward_prop params not a dict": (
        lambda: forward_prop(X, list(P.values())), TypeError, r"params must be a dict"),
    "forward_prop integer params": (
        lambda: forward_prop(X, P | {"W1": P["W1"].astype(int)}), TypeError, r"params\['W1'\]"),
    "forward_prop params that do not chain": (
        lambda: forward_prop(X, P | {"W2": np.ones((1, 3), np.float32)}), ValueError,
        r"params\['W2'\]"),
    "update_parameters params without W2": (
        lambda: update_parameters(without(P, "W2"), GRADS, 0.1), ValueError, r"'W2'"),
    "update_parameters grads without db1": (
        lambda: update_parameters(copy(P), without(GRADS, "db1"), 0.1), ValueError,
        r"grads is missing 'db1'"),
    "update_parameters grads of the wrong shape": (
        lambda: update_parameters(copy(P), GRADS | {"dW1": GRADS["dW1"].T}, 0.1), ValueError,
        r"grads\['dW1'\]"),
    "cost_function L2 params without b1": (
        lambda: cost_function(AL, Y, params=without(P, "b1"), lambd=0.1), ValueError, r"'b1'"),
    "gradient_check params without b1": (
        lambda: gradient_check(without(P, "b1"), X, Y, ACTS), ValueError, r"'b1'"),
    # X / Y columns and rows
    "Trainer X/Y columns": (lambda: make(Y=Y[:, :10]), ValueError, r"X has m = 40 .* Y has 10"),
    "Trainer X_test/Y_test columns": (
        lambda: make(X_test=X, Y_test=Y[:, :5]), ValueError, r"X_test .* Y_test"),
    "cost_function AL/Y columns": (
        lambda: cost_function(AL, Y[:, :10]), ValueError, r"AL has shape .* Y has shape"),
    "backprop AL/Y columns": (
        lambda: backprop(AL, Y[:, :10], CACHES, ACTS), ValueError, r"Y has shape .* AL"),
    "gradient_check X/Y columns": (
        lambda: gradient_check(P, X, Y[:, :10], ACTS), ValueError, r"X has m = 40 .* Y has 10"),
    "one_layer_backward dA of the wrong shape": (
        lambda: one_layer_backward(AL[:, :3], CACHES[1]), ValueError, r"dA has shape"),
    "one_layer_backward not a cache": (
        lambda: one_layer_backward(AL, tuple(CACHES[1])[:4]), TypeError, r"cache must be"),
    "backprop caches not a list": (
        lambda: backprop(AL, Y, CACHES[1], ACTS), TypeError, r"caches must be"),
    # layer_dims
    "Trainer layer_dims vs X rows": (
        lambda: make(layer_dims=[3, 4, 1]), ValueError, r"layer_dims\[0\] is 3 but X"),
    "Trainer layer_dims vs X_test rows": (
        lambda: make(X_test=X[:1], Y_test=Y), ValueError, r"layer_dims\[0\] is 2 but X_test"),
    "Trainer layer_dims vs Y rows": (
        lambda: make(layer_dims=[2, 4, 2]), ValueError, r"output layer has 2 units but Y"),
    "forward_prop X rows vs W1": (lambda: forward_prop(X[:1], P), ValueError, r"X has 1 rows"),
    "gradient_check X rows vs W1": (
        lambda: gradient_check(P, X[:1], Y, ACTS), ValueError, r"X has 1 rows"),
    "init_params layer_dims 5": (lambda: init_params(5), TypeError, r"layer_dims"),
    "init_params layer_dims '241'": (lambda: init_params("241"), TypeError, r"layer_dims"),
    "init_params layer_dims [2]": (lambda: init_params([2]), ValueError, r"layer_dims"),
    "init_params layer_dims 1.5": (lambda: init_params([2, 1.5]), ValueError, r"layer_dims\[1\]"),
    # activations: how many, which
    "Trainer one activation for two layers": (
        lambda: make(activations=["tanh"]), ValueError, r"activations has 1 name"),
    "forward_prop three activations": (
        lambda: forward_prop(X, P, ["tanh", "tanh", "sigmoid"]), ValueError, r"activations"),
    "backprop one activation": (
        lambda: backprop(AL, Y, CACHES, ["tanh"]), ValueError, r"activations"),
    "gradient_check one activation": (
        lambda: gradient_check(P, X, Y, ["tanh"]), ValueError, r"activations"),
    "Trainer activations 5": (lambda: make(activations=5), TypeError, r"activations"),
    "forward_prop activation 5": (
        lambda: forward_prop(X, P, ["tanh", 5]), TypeError, r"activation.*sigmoid, tanh"),
    # unknown names, with the known ones listed
    "Trainer activation gelu": (
        lambda: make(activations="gelu"), ValueError, r"unknown activation 'gelu'.*sigmoid, tanh"),
    "one_layer_backward activation gelu": (
        lambda: one_layer_backward(AL, CACHES[1], "gelu"), ValueError, r"activation 'gelu'"),
    "Trainer cost hinge": (lambda: make(cost="hinge"), ValueError, r"cost 'hinge'.*bce, ce, mse"),
    "cost_function kind hinge": (
        lambda: cost_function(AL, Y, "hinge"), ValueError, r"unknown cost 'hinge'"),
    "backprop cost hinge": (
        lambda: backprop(AL, Y, CACHES, ACTS, "hinge"), ValueError, r"unknown cost 'hinge'"),
    "gradient_check cost hinge": (
        lambda: gradient_check(P, X, Y, ACTS, "hinge"), ValueError, r"unknown cost 'hinge'"),
    "Trainer optimizer sgd": (
        lambda: make(optimizer="sgd"), ValueError, r"optimiser 'sgd'.*gd, momentum, adam"),
    "train optimizer sgd": (lambda: fit(optimizer="sgd"), ValueError, r"optimiser 'sgd'"),
    "init_params init glorot": (
        lambda: init_params([2, 1], init="glorot"), ValueError, r"init 'glorot'.*he, xavier"),
    "Trainer init glorot": (lambda: make(init="glorot"), ValueError, r"init 'glorot'"),
}
# fmt: on


@pytest.mark.parametrize("case", MISUSE)
def test_misuse_is_refused_by_name(case):
    call, error, message = MISUSE[case]
    with pytest.raises(error, match=message):
        call()


def test_integers_and_bools_are_converted_to_float():
    """Integer X and Y are taken as floats: the same weights come out as for float input."""
    Xi = np.round(X * 10).astype(np.int64)
    by_int = train(Xi, Y.astype(bool), [2, 4, 1], 3, 0.1, activations=ACTS, seed=1)
    by_float = train(Xi.astype(np.float32), Y, [2, 4, 1], 3, 0.1, activations=ACTS, seed=1)
    for key in by_float[0]:
        np.testing.assert_array_equal(by_int[0][key], by_float[0][key])
    AL_int, _ = forward_prop(Xi, P, ACTS)
    assert AL_int.dtype == np.float32
    np.testing.assert_array_equal(AL_int, forward_prop(Xi.astype(np.float32), P, ACTS)[0])


def test_a_refused_update_leaves_the_parameters_alone():
    params = copy(P)
    with pytest.raises(ValueError, match="db2"):
        update_parameters(params, without(GRADS, "db2"), 0.1)
    for key in P:
        np.testing.assert_array_equal(params[key], P[key])
