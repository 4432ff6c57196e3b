"""Seeded toy 2-D data sets, the kind a decision boundary can be drawn for.

Each generator returns X (2, m) and labels (m,) with classes 0 .. k-1. ``noise`` is the
standard deviation of the Gaussian jitter added to every point; the same seed always
gives the same points.
"""

import numpy as np


def _jitter(X: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    return X + rng.normal(0.0, noise, X.shape) if noise else X


def _check(m: int, noise: float, min_m: int = 2) -> None:
    if isinstance(m, bool) or not isinstance(m, int | np.integer) or m < min_m:
        raise ValueError(f"m must be a whole number >= {min_m}, got {m!r}")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")


def circles(
    m: int = 400, *, noise: float = 0.08, factor: float = 0.5, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric rings: the outer (radius 1) is class 0, the inner (radius factor) class 1."""
    _check(m, noise)
    rng = np.random.default_rng(seed)
    labels = np.arange(m) % 2
    radius = np.where(labels == 1, factor, 1.0)
    angle = rng.uniform(0, 2 * np.pi, m)
    X = np.stack([radius * np.cos(angle), radius * np.sin(angle)])
    return _jitter(X, noise, rng), labels


def xor(
    m: int = 400, *, noise: float = 0.05, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Points in [-1, 1]², kept 0.1 away from the axes; class 1 where x₁·x₂ > 0."""
    _check(m, noise)
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.1, 1.0, (2, m)) * rng.choice([-1.0, 1.0], (2, m))
    labels = (X[0] * X[1] > 0).astype(np.int64)
    return _jitter(X, noise, rng), labels


def blobs(
    m: int = 400, *, k: int = 3, noise: float = 0.35, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """k Gaussian clusters with centres evenly spaced on a circle of radius 1.5."""
    _check(m, noise)
    if k < 2:
        raise ValueError(f"blobs needs k >= 2 classes, got {k}")
    rng = np.random.default_rng(seed)
    labels = np.arange(m) % k
    angle = 2 * np.pi * labels / k
    X = 1.5 * np.stack([np.cos(angle), np.sin(angle)])
    return _jitter(X, noise, rng), labels


def spirals(
    m: int = 400, *, noise: float = 0.05, turns: float = 1.5, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals, one per class, each making ``turns`` turns."""
    _check(m, noise)
    rng = np.random.default_rng(seed)
    labels = np.arange(m) % 2
    t = rng.uniform(0.05, 1.0, m)
    angle = 2 * np.pi * turns * t + np.pi * labels
    X = np.stack([t * np.cos(angle), t * np.sin(angle)])
    return _jitter(X, noise, rng), labels


def moons(
    m: int = 400, *, noise: float = 0.1, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles."""
    _check(m, noise)
    rng = np.random.default_rng(seed)
    labels = np.arange(m) % 2
    angle = rng.uniform(0, np.pi, m)
    upper = np.stack([np.cos(angle), np.sin(angle)])
    lower = np.stack([1 - np.cos(angle), 0.5 - np.sin(angle)])
    X = np.where(labels == 0, upper, lower)
    return _jitter(X, noise, rng), labels


def one_hot(labels: np.ndarray, k: int) -> np.ndarray:
    """(k, m) with a 1 in row labels[i] of column i."""
    Y = np.zeros((k, labels.size))
    Y[labels, np.arange(labels.size)] = 1.0
    return Y
