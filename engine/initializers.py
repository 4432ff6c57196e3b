"""Parameter initialisation: W[l] (n_l, n_{l-1}) and b[l] (n_l, 1) for l = 1 .. L."""

import numpy as np

#: The scale of W[l] for each scheme, as a function of n_{l-1} (the fan-in).
INIT_SCALES = {
    "he": lambda n_prev: np.sqrt(2.0 / n_prev),  # for relu layers (He et al., 2015)
    "xavier": lambda n_prev: np.sqrt(1.0 / n_prev),  # for tanh/sigmoid layers
    "small": lambda n_prev: 0.01,  # the article's randn * 0.01
}


def check_layer_dims(layer_dims: list[int] | tuple[int, ...]) -> list[int]:
    """Return layer_dims as a list of ints, or raise a ValueError saying what is wrong."""
    dims = list(layer_dims)
    if len(dims) < 2:
        raise ValueError(f"layer_dims needs at least an input and an output size, got {dims}")
    for l, n in enumerate(dims):
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
            raise ValueError(f"layer_dims[{l}] must be a positive whole number, got {n!r}")
    return [int(n) for n in dims]


def param_shapes(layer_dims: list[int]) -> dict[str, tuple[int, int]]:
    """{'W1': (n_1, n_0), 'b1': (n_1, 1), ..., 'bL': (n_L, 1)}: the shape of every parameter."""
    shapes = {}
    for l in range(1, len(layer_dims)):
        shapes[f"W{l}"] = (layer_dims[l], layer_dims[l - 1])
        shapes[f"b{l}"] = (layer_dims[l], 1)
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
    """
    dims = check_layer_dims(layer_dims)
    if init not in INIT_SCALES:
        raise ValueError(f"unknown init {init!r}; choose one of: {', '.join(INIT_SCALES)}")
    rng = np.random.default_rng(seed)
    params = {}
    for key, shape in param_shapes(dims).items():
        if key.startswith("W"):
            scale = INIT_SCALES[init](shape[1])  # shape[1] is n_{l-1}, the fan-in
            params[key] = (rng.standard_normal(shape) * scale).astype(dtype)
        else:
            params[key] = np.zeros(shape, dtype=dtype)
    return params


def layer_count(params: dict[str, np.ndarray]) -> int:
    """L, the number of layers with parameters (the input layer is not counted)."""
    return len(params) // 2
