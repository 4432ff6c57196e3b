"""Predictions and accuracy from a network's output AL (n_L, m)."""

from collections.abc import Sequence

import numpy as np

from engine.propagation import forward_prop


def to_labels(A: np.ndarray) -> np.ndarray:
    """Class labels (m,) from outputs or targets: (1, m) thresholded at 0.5, (k, m) by argmax."""
    if A.shape[0] == 1:
        return (A[0] >= 0.5).astype(np.int64)
    return A.argmax(axis=0)


def accuracy(AL: np.ndarray, Y: np.ndarray) -> float:
    """The fraction of the m columns where AL's label equals Y's; AL, Y (n_L, m).

    For one output it compares the thresholds themselves (to_labels' rule, without making
    integer labels): this runs every epoch, and on small networks that copy shows.
    """
    if AL.shape[0] == 1:
        return np.count_nonzero((AL >= 0.5) == (Y >= 0.5)) / Y.shape[1]
    return np.count_nonzero(to_labels(AL) == to_labels(Y)) / Y.shape[1]


def predict(
    X: np.ndarray,
    params: dict[str, np.ndarray],
    activations: str | Sequence[str] | None = None,
) -> np.ndarray:
    """Class labels (m,) for X (n_x, m) when the output is sigmoid or softmax; else AL (n_L, m)."""
    AL, _ = forward_prop(X, params, activations)
    output = activations if isinstance(activations, str) or activations is None else activations[-1]
    if output in (None, "sigmoid", "softmax"):
        return to_labels(AL)
    return AL


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, k: int) -> np.ndarray:
    """(k, k) counts: row = true class, column = predicted class; sums to m."""
    counts = np.zeros((k, k), dtype=np.int64)
    np.add.at(counts, (labels, predicted), 1)
    return counts


def classification_report(
    AL: np.ndarray, Y: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(confusion (k, k), precision (k,), recall (k,)) of outputs AL against targets Y.

    precision[c] = correct c / predicted c; recall[c] = correct c / true c (NaN where the
    denominator is 0).
    """
    confusion = confusion_matrix(to_labels(Y), to_labels(AL), k)
    correct = np.diag(confusion).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = correct / confusion.sum(axis=0)
        recall = correct / confusion.sum(axis=1)
    return confusion, precision, recall
