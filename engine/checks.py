"""The checks at the engine's public edges: a misuse raises a ValueError (a bad value) or a
TypeError (a bad kind of thing) that names the parameter, before NumPy fails somewhere
inside or, worse, returns a wrong result without a word.

Arrays: X and Y are 2-D NumPy arrays, one column per example. The engine computes in
float32 or float64; integer and bool arrays are converted to float explicitly (to the
network's dtype), float16 and every other dtype are refused: float16 overflows at 65,504
and its log(1 - ε) is too coarse for the cost.

Cost: every check here is O(1) or O(L), except the ones that read X or Y (``data``,
``labels``), which run once where a Trainer is built or a free function is entered, never
per epoch.
"""

import itertools
import math
import numbers
import os
from collections.abc import Sequence

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
FALLBACK_MEMORY = 2**40  # bytes, where the machine's memory cannot be read


def whole_number(value: object, name: str, minimum: int = 0) -> int:
    """``value`` as an int >= minimum; bools, floats and strings are refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def seed(value: object, name: str = "seed") -> int | None:
    """None (fresh randomness each time) or a whole number >= 0."""
    return None if value is None else whole_number(value, name)


def real(value: object, name: str) -> float:
    """``value`` as a float; bools and strings are refused."""
    if type(value) is float:  # the common case, without the slower ABC check below
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    return float(value)


def learning_rate(value: object, name: str = "the learning rate") -> float:
    rate = real(value, name)
    if not math.isfinite(rate) or rate <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return rate


def share(value: object, name: str) -> float | None:
    """None, or a number strictly between 0 and 1."""
    if value is None:
        return None
    part = real(value, name)
    if not 0 < part < 1:
        raise ValueError(f"{name} must be a share between 0 and 1 (or None), got {value!r}")
    return part


def lambd(value: object) -> float:
    strength = real(value, "the L2 strength λ (lambd)")
    if not math.isfinite(strength) or strength < 0:
        raise ValueError(f"the L2 strength λ must be a finite number >= 0, got {value!r}")
    return strength


def l1(value: object) -> float:
    strength = real(value, "the L1 strength λ₁ (l1)")
    if not math.isfinite(strength) or strength < 0:
        raise ValueError(f"the L1 strength λ₁ must be a finite number >= 0, got {value!r}")
    return strength


def batch_size(value: object) -> int | None:
    """None (the full batch) or a whole number >= 1."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"the batch size must be a whole number or None, got {value!r}")
    if value < 1:
        raise ValueError(f"the batch size must be at least 1, got {value}")
    return int(value)


def float_dtype(dtype: object, name: str = "dtype") -> np.dtype:
    """float32 or float64, the dtypes the engine computes in."""
    try:
        d = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{name} must be float32 or float64, got {dtype!r}") from None
    if d not in FLOAT_DTYPES:
        raise TypeError(f"{name} must be float32 or float64, got {d}")
    return d


def array(value: object, name: str, dtype: np.dtype | type = np.float64) -> np.ndarray:
    """A 2-D float32/float64 array (n, m) as given; integers and bools are converted to
    ``dtype``; anything else is refused. O(1) unless it converts."""
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name} must be a 2-D NumPy array, got {type(value).__name__}")
    if value.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array (one column per example), got shape {value.shape}"
        )
    if value.dtype in FLOAT_DTYPES:
        return value
    if value.dtype.kind in "biu":
        return value.astype(dtype)
    raise TypeError(
        f"{name} has dtype {value.dtype}; the engine computes in float32 or float64 "
        "(integer and bool arrays are converted)"
    )


def examples(A: np.ndarray, name: str) -> None:
    """At least one example (column) in A (n, m)."""
    if A.shape[1] == 0:
        raise ValueError(f"{name} has no examples (m = 0)")


def same_shape(A: np.ndarray, B: np.ndarray, a: str, b: str) -> None:
    if A.shape != B.shape:
        raise ValueError(f"{a} has shape {A.shape} but {b} has shape {B.shape}; they must match")


def data(
    X: object, Y: object, what: str = "", dtype: np.dtype | type = np.float64
) -> tuple[np.ndarray, np.ndarray]:
    """X (n_x, m) and Y (n_y, m) that can be trained on: same m > 0, all values finite.
    One pass over each, for a Trainer's construction."""
    x, y = f"X{what}", f"Y{what}"
    X, Y = array(X, x, dtype), array(Y, y, dtype)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(
            f"{x} has m = {X.shape[1]} examples (columns) but {y} has {Y.shape[1]}; "
            "they must have the same number of columns"
        )
    examples(X, x)
    for name, A in ((x, X), (y, Y)):
        bad = ~np.isfinite(A)
        if bad.any():
            row, col = np.argwhere(bad)[0]
            raise ValueError(
                f"{name} holds {int(bad.sum())} non-finite values (NaN or inf), "
                f"the first at row {row}, column {col}"
            )
    return X, Y


def labels(Y: np.ndarray, cost: str, name: str = "Y") -> None:
    """Binary cross-entropy needs Y of 0s and 1s; softmax cross-entropy one-hot columns
    (n_classes >= 2). One pass over Y."""
    if cost not in ("bce", "ce"):
        return
    binary = (Y == 0) | (Y == 1)
    if not binary.all():
        row, col = np.argwhere(~binary)[0]
        title = "binary" if cost == "bce" else "softmax"
        raise ValueError(
            f"{title} cross-entropy needs labels 0 or 1 in {name}, but {name}[{row}, {col}] "
            f"is {Y[row, col]:g}"
        )
    if cost == "ce" and Y.shape[0] < 2:
        raise ValueError(f"softmax cross-entropy needs 2 or more classes (rows of {name}), got 1")
    if cost == "ce" and not (Y.sum(axis=0) == 1).all():
        col = int(np.flatnonzero(Y.sum(axis=0) != 1)[0])
        raise ValueError(
            f"softmax cross-entropy needs one-hot columns in {name} (a single 1 each), "
            f"but column {col} holds {int(Y[:, col].sum())}"
        )


def output_units(output: str, n_L: int, name: str = "activations") -> None:
    """A softmax output needs 2 or more units: over one unit it is 1, whatever the input."""
    if output == "softmax" and n_L < 2:
        raise ValueError(
            f"{name}: a softmax output needs 2 or more units, the output layer has {n_L} "
            "(its output would always be 1); for two classes use one sigmoid unit"
        )


def layer_dims(dims: object) -> list[int]:
    """[n_x, n_1, ..., n_L]: two or more whole numbers >= 1."""
    if isinstance(dims, str | bytes) or not isinstance(dims, Sequence | np.ndarray):
        raise TypeError(f"layer_dims must be a list of whole numbers, got {dims!r}")
    dims = list(dims)
    if len(dims) < 2:
        raise ValueError(f"layer_dims needs at least an input and an output size, got {dims}")
    for l, n in enumerate(dims):
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"layer_dims[{l}] must be a positive whole number, got {n!r}")
    return [int(n) for n in dims]


def memory_bytes() -> int:
    """This machine's physical memory (FALLBACK_MEMORY where the system does not say)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return FALLBACK_MEMORY


def size(n_bytes: int) -> str:
    """1536 -> '1.5 KiB'."""
    units = ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB")
    power = min(int(math.log(max(n_bytes, 1), 1024)), len(units) - 1)
    return f"{n_bytes / 1024**power:,.1f} {units[power]}"


def allocation(dims: list[int], dtype: np.dtype) -> None:
    """Refuse, before allocating, weights that would not fit in this machine's memory."""
    count = sum(n * (n_prev + 1) for n_prev, n in itertools.pairwise(dims))
    needed, available = count * dtype.itemsize, memory_bytes()
    if needed > available:
        raise ValueError(
            f"layer_dims {dims} makes {count:,} weights and biases: {size(needed)} in {dtype}, "
            f"more than this machine's {size(available)} of memory"
        )


def params(params: object, name: str = "params") -> int:
    """L, once ``params`` holds exactly W1, b1, ..., WL, bL, float arrays whose shapes chain:
    W[l] (n_l, n_{l-1}), b[l] (n_l, 1). O(L)."""
    if not isinstance(params, dict):
        raise TypeError(f"{name} must be a dict of arrays (W1, b1, ...), not {type(params)}")
    if not params:
        raise ValueError(f"{name} is empty; it needs W1, b1, ..., WL, bL")
    L = (len(params) + 1) // 2  # a key missing or foreign shows below as a missing key
    for l in range(1, L + 1):
        _layer(params, l, name)
    return L


def _layer(params: dict, l: int, name: str) -> None:
    """W{l} (n_l, n_{l-1}) and b{l} (n_l, 1) are in params, float, and chain to W{l-1}."""
    for key in (f"W{l}", f"b{l}"):
        if key not in params:
            raise ValueError(f"{name} is missing {key!r} (it has {', '.join(params)})")
        value = params[key]
        if not isinstance(value, np.ndarray) or value.ndim != 2:
            shape = getattr(value, "shape", type(value).__name__)
            raise ValueError(f"{name}[{key!r}] must be a 2-D array, got {shape}")
        if value.dtype not in FLOAT_DTYPES:
            raise TypeError(f"{name}[{key!r}] must be float32 or float64, got {value.dtype}")
    W, b = params[f"W{l}"], params[f"b{l}"]
    if b.shape != (W.shape[0], 1):
        raise ValueError(f"{name}['b{l}'] has shape {b.shape}; it must be ({W.shape[0]}, 1)")
    if l > 1 and W.shape[1] != params[f"W{l - 1}"].shape[0]:
        below = params[f"W{l - 1}"].shape
        raise ValueError(
            f"{name}['W{l}'] has shape {W.shape}; after W{l - 1} {below} it must have "
            f"{below[0]} columns"
        )


def grads(grads: object, params: dict[str, np.ndarray], name: str = "grads") -> None:
    """A dW/db for every W/b in params, each with its parameter's shape. O(L)."""
    if not isinstance(grads, dict):
        raise TypeError(f"{name} must be a dict of arrays (dW1, db1, ...), not {type(grads)}")
    for key, value in params.items():
        d = grads.get(f"d{key}")
        if d is None:
            raise ValueError(f"{name} is missing 'd{key}', the gradient of {key}")
        if getattr(d, "shape", None) != value.shape:
            shape = getattr(d, "shape", type(d).__name__)
            raise ValueError(
                f"{name}['d{key}'] has shape {shape} but {key} has {value.shape}; they must match"
            )


def instance(value: object, kind: type, name: str, what: str) -> None:
    """``value`` is a ``kind``."""
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be {what}, got {type(value).__name__}")


def items(values: object, kind: type, name: str, what: str) -> None:
    """A non-empty list of ``kind``. O(its length)."""
    if not (isinstance(values, list) and values and all(isinstance(v, kind) for v in values)):
        raise TypeError(f"{name} must be {what} (a non-empty list of {kind.__name__})")
