"""Looking inside: statistics, heatmap blocks and histograms of any array, and the model's
output over a grid of the input plane (the decision boundary of a 2-D problem).

Everything here reads arrays and returns small summaries; nothing changes the model.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from engine.activations import get_activation

SATURATION = 4.0  # |Z| beyond which sigmoid and tanh are flat (their slope < 0.07)


@dataclass(frozen=True)
class TensorStats:
    """min / max / mean / std of an array, and, where they apply, dead and saturated shares."""

    min: float
    max: float
    mean: float
    std: float
    dead_units: float | None = None  # dying layers: share of units with Z <= 0 on every example
    saturated: float | None = None  # saturating layers: share of values with |Z| > 4


@dataclass(frozen=True)
class Inspection:
    """One array seen whole: its stats, a heatmap of block means, and a histogram."""

    name: str
    shape: tuple[int, ...]
    dtype: str
    stats: TensorStats
    blocks: np.ndarray  # (r, c) means of the blocks cut by row_edges x col_edges
    row_edges: np.ndarray  # (r + 1,): block i covers rows row_edges[i] .. row_edges[i+1]-1
    col_edges: np.ndarray  # (c + 1,)
    hist_counts: np.ndarray
    hist_edges: np.ndarray
    delta: "Inspection | None" = None  # for W: the change since the last epoch

    @property
    def downsampled(self) -> bool:
        return self.blocks.shape != self.shape


def tensor_stats(
    A: np.ndarray, *, Z: np.ndarray | None = None, activation: str | None = None
) -> TensorStats:
    """Stats of A; with the layer's Z (n_l, m) and activation, its dead share (if the
    activation's units die) or its saturated share (if they saturate)."""
    values = np.asarray(A, dtype=np.float64)
    dead = saturated = None
    g = get_activation(activation) if Z is not None and activation is not None else None
    if g is not None and g.dies:
        dead = float((Z <= 0).all(axis=1).mean())
    elif g is not None and g.saturates:
        saturated = float((np.abs(Z) > SATURATION).mean())
    with np.errstate(invalid="ignore", over="ignore"):  # inf in a diverging array: NaN std
        mean, std = float(values.mean()), float(values.std())
    return TensorStats(float(values.min()), float(values.max()), mean, std, dead, saturated)


def _edges(n: int, parts: int) -> np.ndarray:
    """Edges cutting n items into min(n, parts) nearly equal blocks."""
    return np.linspace(0, n, min(n, max(1, parts)) + 1).round().astype(np.int64)


def block_means(
    A: np.ndarray, max_rows: int, max_cols: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(blocks, row_edges, col_edges): A averaged over blocks so it fits max_rows x max_cols."""
    M = np.atleast_2d(np.asarray(A, dtype=np.float64))
    rows, cols = _edges(M.shape[0], max_rows), _edges(M.shape[1], max_cols)
    sums = np.add.reduceat(np.add.reduceat(M, rows[:-1], axis=0), cols[:-1], axis=1)
    sizes = np.outer(np.diff(rows), np.diff(cols))
    return sums / sizes, rows, cols


def histogram(values: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """(counts (bins,), edges (bins + 1,)) of finite values, in float64. Values so large that
    their range holds no ``bins`` distinct edges (weights near 1e30 on the way to diverging)
    make one bin from the smallest to the largest."""
    values = values.astype(np.float64, copy=False)
    try:
        return np.histogram(values, bins=bins)
    except ValueError:  # numpy: "Too many bins for data range"
        return np.array([values.size]), np.array([values.min(), values.max()])


def shared_histogram(
    arrays: Sequence[np.ndarray], bins: int
) -> tuple[np.ndarray, list[np.ndarray]]:
    """(edges (bins + 1,), each array's counts (bins,)) over one set of edges spanning the
    finite values of them all, so that their bars line up (train and test residuals)."""
    finite = [a[np.isfinite(a)].astype(np.float64, copy=False) for a in arrays]
    every = np.concatenate(finite) if finite else np.zeros(0)
    _, edges = histogram(every if every.size else np.zeros(1), bins)
    return edges, [np.histogram(a, bins=edges)[0] for a in finite]


def inspect(
    name: str,
    A: np.ndarray,
    *,
    max_rows: int = 32,
    max_cols: int = 96,
    bins: int = 24,
    Z: np.ndarray | None = None,
    activation: str | None = None,
    previous: np.ndarray | None = None,
) -> Inspection:
    """Everything the inspector shows about A; ``previous`` (A one epoch ago) adds the change."""
    blocks, rows, cols = block_means(A, max_rows, max_cols)
    finite = A[np.isfinite(A)]
    counts, edges = histogram(finite if finite.size else np.zeros(1), bins)
    delta = None
    if previous is not None and previous.shape == A.shape:
        delta = inspect(f"Δ{name}", A - previous, max_rows=max_rows, max_cols=max_cols, bins=bins)
    return Inspection(
        name, A.shape, str(A.dtype), tensor_stats(A, Z=Z, activation=activation),
        blocks, rows, cols, counts, edges, delta,
    )  # fmt: skip


@dataclass(frozen=True)
class BoundaryGrid:
    """The model's output over a grid of the plane: probs (n_L, ny, nx), row 0 at the top."""

    probs: np.ndarray
    x_range: tuple[float, float]
    y_range: tuple[float, float]

    def cell_of(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row, col) grid cells of the points X (2, m); points outside are clipped in."""
        _, ny, nx = self.probs.shape
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        col = np.clip(((X[0] - x0) / (x1 - x0) * nx).astype(int), 0, nx - 1)
        row = np.clip(((y1 - X[1]) / (y1 - y0) * ny).astype(int), 0, ny - 1)
        return row, col


def equal_scale(
    x_range: tuple[float, float], y_range: tuple[float, float], width: float, height: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The ranges, the shorter widened about its centre, so that a ``width`` x ``height``
    area shows as many units per length across as down."""
    (x0, x1), (y0, y1) = x_range, y_range
    per = max((x1 - x0) / width, (y1 - y0) / height)  # units per length of the area
    half_x, half_y = per * width / 2, per * height / 2
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return (cx - half_x, cx + half_x), (cy - half_y, cy + half_y)


def decision_grid(
    output: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    nx: int,
    ny: int,
    margin: float = 0.1,
    pixel_aspect: float | None = None,
) -> BoundaryGrid:
    """The output AL at the centre of each of ny x nx cells covering the points X (2, m).
    With ``pixel_aspect`` (a cell's height / width where it is drawn) both axes get the same
    scale on screen: the shorter range is widened about its centre, so a circle stays round."""
    low, high = X.min(axis=1), X.max(axis=1)
    pad = (high - low) * margin + 1e-9
    (x0, y0), (x1, y1) = low - pad, high + pad
    if pixel_aspect is not None:
        (x0, x1), (y0, y1) = equal_scale((x0, x1), (y0, y1), nx, ny * pixel_aspect)
    xs = x0 + (np.arange(nx) + 0.5) * (x1 - x0) / nx
    ys = y1 - (np.arange(ny) + 0.5) * (y1 - y0) / ny  # top row first
    gx, gy = np.meshgrid(xs, ys)
    AL = output(np.stack([gx.ravel(), gy.ravel()]))
    return BoundaryGrid(
        AL.reshape(AL.shape[0], ny, nx), (float(x0), float(x1)), (float(y0), float(y1))
    )
