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


# -- TensorFlow Playground's sets -----------------------------------------------------------
#
# As Playground's dataset.ts generates them: points in about [-6, 6]², classes 0/1 (its
# -1/+1), and ``noise`` in 0 .. 0.5 as its slider (0 .. 50 %) sets it. For the classification
# sets noise moves the point a label is decided at, so it flips labels near the boundary; for
# gauss it widens the clusters.

PG_RADIUS = 5.0  # the classification sets' radius
REG_RADIUS = 6.0  # the regression sets' radius
REG_GAUSSIANS = np.array(
    [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]]
)  # centre x, centre y, sign


def _pg_check(m: int, noise: float) -> None:
    _check(m, noise)
    if noise > 0.5:
        raise ValueError(f"Playground's noise is 0 .. 0.5 (0 .. 50 %), got {noise!r}")


def pg_circle(
    m: int = 400, *, noise: float = 0.0, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Class 1 inside radius 2.5, class 0 in the ring 3.5 .. 5; half the points each."""
    _pg_check(m, noise)
    rng = np.random.default_rng(seed)
    inner = m // 2
    r = np.concatenate([rng.uniform(0, 2.5, inner), rng.uniform(3.5, 5.0, m - inner)])
    angle = rng.uniform(0, 2 * np.pi, m)
    X = np.stack([r * np.sin(angle), r * np.cos(angle)])
    shifted = X + rng.uniform(-PG_RADIUS, PG_RADIUS, X.shape) * noise
    labels = (np.hypot(*shifted) < PG_RADIUS / 2).astype(np.int64)
    return X, labels


def pg_xor(
    m: int = 400, *, noise: float = 0.0, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Points in [-5.3, 5.3]², 0.3 away from the axes; class 1 where x₁·x₂ >= 0."""
    _pg_check(m, noise)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-5, 5, (2, m))
    X += np.where(X > 0, 0.3, -0.3)
    shifted = X + rng.uniform(-5, 5, X.shape) * noise
    return X, (shifted[0] * shifted[1] >= 0).astype(np.int64)


def pg_gauss(
    m: int = 400, *, noise: float = 0.0, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian clusters, class 1 at (2, 2) and class 0 at (-2, -2); their variance grows
    from 0.5 to 4 as noise goes from 0 to 0.5."""
    _pg_check(m, noise)
    rng = np.random.default_rng(seed)
    labels = (np.arange(m) < m // 2).astype(np.int64)
    centre = np.where(labels == 1, 2.0, -2.0)
    std = np.sqrt(0.5 + 7 * noise)
    return centre + rng.normal(0.0, std, (2, m)), labels


def pg_spiral(
    m: int = 400, *, noise: float = 0.0, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two spirals of 1.75 turns out to radius 5, class 1 and class 0 half a turn apart."""
    _pg_check(m, noise)
    rng = np.random.default_rng(seed)
    parts = []
    for label, n, delta in ((1, m // 2, 0.0), (0, m - m // 2, np.pi)):
        i = np.arange(n)
        r, t = i / n * 5, 1.75 * i / n * 2 * np.pi + delta
        points = np.stack([r * np.sin(t), r * np.cos(t)])
        parts.append((points + rng.uniform(-1, 1, points.shape) * noise, np.full(n, label)))
    return np.concatenate([p[0] for p in parts], axis=1), np.concatenate([p[1] for p in parts])


def reg_plane(
    m: int = 400, *, noise: float = 0.0, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Points in [-6, 6]²; the target (x₁ + x₂) / 10, in about [-1.2, 1.2], taken at the
    noise-shifted point. Returns X (2, m) and targets (m,)."""
    _pg_check(m, noise)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-REG_RADIUS, REG_RADIUS, (2, m))
    shifted = X + rng.uniform(-REG_RADIUS, REG_RADIUS, X.shape) * noise
    return X, shifted.sum(axis=0) / 10


def reg_gauss(
    m: int = 400, *, noise: float = 0.0, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Points in [-6, 6]²; six bumps of height ±1 falling to 0 at distance 2, the target
    being the bump largest in size at the noise-shifted point. X (2, m), targets (m,)."""
    _pg_check(m, noise)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-REG_RADIUS, REG_RADIUS, (2, m))
    shifted = X + rng.uniform(-REG_RADIUS, REG_RADIUS, X.shape) * noise
    centres, signs = REG_GAUSSIANS[:, :2, None], REG_GAUSSIANS[:, 2:]
    distance = np.hypot(*(shifted[None] - centres).transpose(1, 0, 2))  # (6, m)
    bumps = signs * np.clip(1 - distance / 2, 0, 1)
    return X, bumps[np.abs(bumps).argmax(axis=0), np.arange(m)]
