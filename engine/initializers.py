"""Parameter initialisation: W[l] (n_l, n_{l-1}) and b[l] (n_l, 1) for l = 1 .. L."""

import numpy as np

from engine import checks
from engine.names import A, ArrayName, W, Z, b, db, dW, dZ

#: The scale of W[l] for each scheme, as a function of n_{l-1} (the fan-in).
INIT_SCALES = {
    "he": lambda n_prev: np.sqrt(2.0 / n_prev),  # for relu layers (He et al., 2015)
    "xavier": lambda n_prev: np.sqrt(1.0 / n_prev),  # for tanh/sigmoid layers
    "small": lambda n_prev: 0.01,  # the article's randn * 0.01
}


def param_shapes(layer_dims: list[int]) -> dict[str, tuple[int, int]]:
    """{'W1': (n_1, n_0), 'b1': (n_1, 1), ..., 'bL': (n_L, 1)}: the shape of every parameter."""
    shapes = {}
    for l in range(1, len(layer_dims)):
        shapes[f"W{l}"] = (layer_dims[l], layer_dims[l - 1])
        shapes[f"b{l}"] = (layer_dims[l], 1)
    return shapes


def pass_shapes(
    layer_dims: list[int] | tuple[int, ...], m: int, *, gradients: bool = True
) -> dict[ArrayName, tuple[int, ...]]:
    """The shape of every array of one pass over m examples, by its name: A[0] (n_0, m);
    for l = 1 .. L, W[l] and b[l] as ``param_shapes`` gives them, Z[l] and A[l] (n_l, m)
    and, with ``gradients``, dZ[l], dW[l], db[l] like Z[l], W[l], b[l]."""
    shapes: dict[ArrayName, tuple[int, ...]] = {A(0): (layer_dims[0], m)}
    params = param_shapes(list(layer_dims))
    for l in range(1, len(layer_dims)):
        shapes |= {W(l): params[f"W{l}"], b(l): params[f"b{l}"]}
        shapes |= {Z(l): (layer_dims[l], m), A(l): (layer_dims[l], m)}
        if gradients:
            shapes |= {dZ(l): shapes[Z(l)], dW(l): shapes[W(l)], db(l): shapes[b(l)]}
    return shapes


def init_params(
    layer_dims: list[int] | tuple[int, ...],
    *,
    init: str = "he",
    seed: int | None = None,
    dtype: np.dtype | type = np.float32,
) -> dict[str, np.ndarray]:
    """{'W1': (n_1, n_0), 'b1': (n_1, 1), ..., 'WL': (n_L, n_{L-1}), 'bL': (n_L, 1)}.

    layer_dims = [n_x, n_1, ..., n_L]: the input size first, then each layer's units.
    W[l] is drawn from a normal distribution scaled by ``init`` (he, xavier, small);
    b[l] starts at zero. The same seed gives the same values in float32 and float64.
    A ValueError or TypeError names a bad argument, and weights that would not fit in
    memory are refused before anything is allocated.
    """
    dims = checks.layer_dims(layer_dims)
    if init not in INIT_SCALES:
        raise ValueError(f"unknown init {init!r}; choose one of: {', '.join(INIT_SCALES)}")
    seed, dtype = checks.seed(seed), checks.float_dtype(dtype)
    checks.allocation(dims, dtype)
    rng = np.random.default_rng(seed)
    params = {}
    for key, shape in param_shapes(dims).items():
        if key.startswith("W"):
            scale = INIT_SCALES[init](shape[1])  # shape[1] is n_{l-1}, the fan-in
            params[key] = (rng.standard_normal(shape) * scale).astype(dtype)
        else:
            params[key] = np.zeros(shape, dtype=dtype)
    return params
