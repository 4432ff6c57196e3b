"""Activations and costs give the textbook values and stay finite at the extremes."""

import warnings

import numpy as np
import pytest

from engine import cost_function
from engine.activations import ACTIVATIONS, sigmoid, softmax
from engine.constants import HALF, ONE
from engine.costs import binary_cross_entropy, binary_cross_entropy_scored, binary_labels

EXTREME = np.array([[-1e4, -800.0, -50.0, -1.0, 0.0, 1.0, 50.0, 800.0, 1e4]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activations_stay_finite_without_warnings(name, dtype):
    g = ACTIVATIONS[name]
    Z = EXTREME.astype(dtype)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        A = g.forward(Z.copy())
        dZ = g.backward(np.ones_like(Z), Z, A)
    assert A.dtype == dtype and dZ.dtype == dtype
    if name not in ("linear", "relu", "leaky_relu"):
        assert np.isfinite(A).all()
    assert np.isfinite(dZ).all()


def test_sigmoid_matches_the_textbook_formula():
    Z = np.linspace(-20, 20, 81)
    np.testing.assert_allclose(sigmoid(Z), 1 / (1 + np.exp(-Z)), rtol=1e-8, atol=1e-15)
    assert sigmoid(np.array([-1e4]))[0] == 0.0 and sigmoid(np.array([1e4]))[0] == 1.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_typed_constants_give_the_python_numbers_bits(dtype):
    """sigmoid, sigmoid's and tanh's backward passes take 0.5 and 1 as 0-d arrays of Z's
    dtype (engine.constants): the same bits as with Python numbers, written out here."""
    rng = np.random.default_rng(5)
    Z, dA = (rng.normal(0, 4, (4, 400)).astype(dtype) for _ in range(2))
    A = (np.tanh(Z * 0.5) + 1.0) * 0.5
    assert A.dtype == dtype and np.array_equal(sigmoid(Z), A)
    backward = {"sigmoid": (1 - A) * A * dA, "tanh": (1 - A * A) * dA}
    for name, dZ in backward.items():
        assert np.array_equal(ACTIVATIONS[name].backward(dA, Z, A), dZ)
    assert HALF[np.dtype(dtype)].dtype == dtype and not HALF[np.dtype(dtype)].flags.writeable
    assert HALF[np.dtype(np.int64)] == 0.5 and type(ONE[np.dtype(np.float16)]) is float


def test_softmax_columns_sum_to_one_even_for_huge_inputs():
    Z = np.array([[1e4, 0.0, -5.0], [1e4 - 1, 3.0, -5.0], [-1e4, 1.0, -5.0]])
    A = softmax(Z.copy())
    np.testing.assert_allclose(A.sum(axis=0), 1.0)
    np.testing.assert_allclose(A[:, 2], 1 / 3)
    np.testing.assert_allclose(A[0, 0] / A[1, 0], np.e)


def test_binary_cross_entropy_value_and_saturation():
    AL = np.array([[0.9, 0.2, 0.6]])
    Y = np.array([[1.0, 0.0, 1.0]])
    expected = -np.mean(np.log([0.9, 0.8, 0.6]))
    assert cost_function(AL, Y, "bce") == pytest.approx(expected)
    with np.errstate(all="raise"):
        J = cost_function(np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]]), "bce")
    assert np.isfinite(J) and J > 30  # confidently wrong is expensive, but finite


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_one_pass_bce_sums_the_clipped_articles_terms_and_counts_the_right_labels(dtype):
    """binary_cross_entropy_scored's J sums exactly the terms log(clip(AL)) where Y = 1 and
    log(1 - clip(AL)) where Y = 0, and its count is that of (AL >= 0.5) == Y, at the edges
    too: AL of 0 and 1, 0.5 and its neighbours, within eps of 0 and 1, under both labels."""
    eps = float(np.finfo(dtype).eps)
    edges = [0.0, 1e-30, eps / 4, eps, 0.25, np.nextafter(dtype(0.5), dtype(0)), 0.5,
             np.nextafter(dtype(0.5), dtype(1)), 1 - eps, 1 - eps / 2, 1.0]  # fmt: skip
    values = np.concatenate([edges, edges, np.random.default_rng(3).random(60)])
    AL = values.astype(dtype)[None]
    Y = np.concatenate([np.zeros(11), np.ones(11), np.arange(60) % 2]).astype(dtype)[None]
    J, correct = binary_cross_entropy_scored(AL, binary_labels(Y))
    clipped = np.clip(AL, eps, 1 - eps)
    terms = np.log(np.where(Y == 1, clipped, 1 - clipped))
    assert -float(np.add.reduce(terms, axis=None)) / AL.shape[1] == J
    assert pytest.approx(binary_cross_entropy(AL, Y), rel=1e-5) == J
    assert correct == sum((a >= 0.5) == (y == 1) for a, y in zip(AL[0], Y[0], strict=True))
    right = np.array([[1.0, 1 - eps / 2, 0.0, eps / 4]], dtype)  # all clipped to 1 - eps
    J, correct = binary_cross_entropy_scored(right, binary_labels(np.array([[1, 1, 0, 0]], dtype)))
    assert (J, correct) == (-float(np.log(dtype(1 - eps))), 4)


def test_softmax_cross_entropy_and_mse_values():
    AL = np.array([[0.7, 0.1], [0.2, 0.1], [0.1, 0.8]])
    Y = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]])
    assert cost_function(AL, Y, "ce") == pytest.approx(-(np.log(0.7) + np.log(0.8)) / 2)
    assert cost_function(AL, Y, "mse") == pytest.approx(((AL - Y) ** 2).sum() / (2 * 2))
    with np.errstate(all="raise"):
        assert np.isfinite(cost_function(np.array([[0.0], [1.0]]), np.array([[1.0], [0.0]]), "ce"))


def test_l2_term_adds_lambda_over_2m_times_the_squared_weights():
    AL, Y = np.array([[0.5, 0.5]]), np.array([[1.0, 0.0]])
    params = {"W1": np.array([[1.0, 2.0]]), "b1": np.array([[5.0]]), "W2": np.array([[3.0]]),
              "b2": np.array([[7.0]])}  # fmt: skip
    plain = cost_function(AL, Y, "bce")
    with_l2 = cost_function(AL, Y, "bce", params=params, lambd=0.4)
    assert with_l2 - plain == pytest.approx(0.4 / (2 * 2) * (1 + 4 + 9))


def test_unknown_cost_is_named():
    with pytest.raises(ValueError, match="unknown cost 'hinge'"):
        cost_function(np.ones((1, 2)) / 2, np.ones((1, 2)), "hinge")
