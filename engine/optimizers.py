"""Parameter updates: the article's gradient descent, momentum and Adam.

Each optimiser updates ``params`` in place from ``grads`` (the dict ``backprop`` returns:
'dW1' for 'W1', 'db1' for 'b1', ...). Its running averages have the parameters' shapes
and can be saved and restored with ``state()`` / ``load_state()``.
"""

import math

import numpy as np

from engine import checks

Params = dict[str, np.ndarray]


def update_parameters(params: Params, grads: Params, learning_rate: float) -> Params:
    """W[l] := W[l] - α dW[l], b[l] := b[l] - α db[l]; in place, and returned (the article).

    A key missing from params or grads, a gradient of the wrong shape, or a learning rate
    that is not a finite number > 0 is a ValueError or TypeError that names it."""
    checks.params(params)
    checks.grads(grads, params)
    descend(params, grads, checks.learning_rate(learning_rate, "learning_rate"))
    return params


def descend(params: Params, grads: Params, learning_rate: float) -> None:
    """θ := θ - α dθ for every θ in params, unchecked: the optimiser's per-batch step."""
    for key, theta in params.items():
        theta -= learning_rate * grads[f"d{key}"]


class GradientDescent:
    """Plain (mini-batch) gradient descent: θ := θ - α dθ."""

    name = "gd"
    equation = "θ := θ - α dθ"

    def update(self, params: Params, grads: Params, learning_rate: float) -> None:
        descend(params, grads, learning_rate)

    def state(self) -> Params:
        return {}

    def load_state(self, state: Params) -> None:
        """Gradient descent keeps no state."""


class Momentum:
    """Gradient descent with momentum: v := β v + (1 - β) dθ, θ := θ - α v."""

    name = "momentum"
    equation = "v := β v + (1-β) dθ;  θ := θ - α v"

    def __init__(self, beta: float = 0.9) -> None:
        self.beta = beta
        self.v: Params = {}

    def update(self, params: Params, grads: Params, learning_rate: float) -> None:
        for key, theta in params.items():
            v = self.v.setdefault(key, np.zeros_like(theta))
            v *= self.beta
            v += (1 - self.beta) * grads[f"d{key}"]
            theta -= learning_rate * v

    def state(self) -> Params:
        return {f"v_{key}": v for key, v in self.v.items()}

    def load_state(self, state: Params) -> None:
        self.v = {key[2:]: np.array(v) for key, v in state.items() if key.startswith("v_")}


class Adam:
    """Adam: bias-corrected running means of dθ (v) and dθ² (s); θ := θ - α v̂ / (√ŝ + ε)."""

    name = "adam"
    equation = "v := β₁v + (1-β₁)dθ;  s := β₂s + (1-β₂)dθ²;  θ := θ - α v̂/(√ŝ + ε)"

    def __init__(self, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8) -> None:
        self.beta1, self.beta2, self.epsilon = beta1, beta2, epsilon
        self.t = 0
        self.v: Params = {}
        self.s: Params = {}

    def update(self, params: Params, grads: Params, learning_rate: float) -> None:
        self.t += 1
        v_correction = 1 - self.beta1**self.t  # v̂ = v / v_correction
        s_correction_root = math.sqrt(1 - self.beta2**self.t)  # √ŝ = √s / s_correction_root
        for key, theta in params.items():
            d = grads[f"d{key}"]
            v = self.v.setdefault(key, np.zeros_like(theta))
            s = self.s.setdefault(key, np.zeros_like(theta))
            v *= self.beta1
            v += (1 - self.beta1) * d
            s *= self.beta2
            s += (1 - self.beta2) * (d * d)
            denominator = np.sqrt(s) / s_correction_root + self.epsilon
            theta -= (learning_rate / v_correction) * v / denominator

    def state(self) -> Params:
        arrays = {f"v_{key}": v for key, v in self.v.items()}
        arrays |= {f"s_{key}": s for key, s in self.s.items()}
        arrays["t"] = np.array(self.t)
        return arrays

    def load_state(self, state: Params) -> None:
        self.t = int(state.get("t", 0))
        self.v = {key[2:]: np.array(v) for key, v in state.items() if key.startswith("v_")}
        self.s = {key[2:]: np.array(s) for key, s in state.items() if key.startswith("s_")}


Optimizer = GradientDescent | Momentum | Adam
OPTIMIZERS: dict[str, type[Optimizer]] = {
    "gd": GradientDescent,
    "momentum": Momentum,
    "adam": Adam,
}


def make_optimizer(name: str) -> Optimizer:
    """A fresh optimiser by name (gd, momentum, adam); a ValueError lists the names."""
    try:
        return OPTIMIZERS[name]()
    except KeyError:
        known = ", ".join(OPTIMIZERS)
        raise ValueError(f"unknown optimiser {name!r}; choose one of: {known}") from None
