"""Parameter updates: the article's gradient descent, momentum and Adam.

Each optimiser updates ``params`` in place from ``grads`` (the dict ``backprop`` returns:
'dW1' for 'W1', 'db1' for 'b1', ...). It names its running averages (``state_arrays``,
shaped like the parameters) and counters; ``state()`` / ``load_state()`` save and restore
them, and model files check them by those names. A new optimiser is one class here and
one entry in ``OPTIMIZERS``.
"""

import math
from abc import ABC, abstractmethod

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


class Optimizer(ABC):
    """An update rule. It names its own state: ``state_arrays`` are attributes holding one
    running average per parameter ('v' for {'W1': like W1, ...}), saved as 'v_W1', ...;
    ``counters`` are whole-number attributes saved under their own names ('t');
    ``nonnegative`` names the state arrays that can never hold a value below 0."""

    name = ""
    equation = ""
    state_arrays: tuple[str, ...] = ()
    counters: tuple[str, ...] = ()
    nonnegative: tuple[str, ...] = ()

    def __init__(self) -> None:
        for array_name in self.state_arrays:
            setattr(self, array_name, {})
        for counter in self.counters:
            setattr(self, counter, 0)

    @abstractmethod
    def update(self, params: Params, grads: Params, learning_rate: float) -> None:
        """Update ``params`` in place from ``grads`` ('dW1' for 'W1', ...)."""

    def state(self) -> Params:
        """The running averages as '<name>_<parameter>' arrays, and the counters (none for
        gradient descent: asked every epoch, it then answers at once)."""
        if not (self.state_arrays or self.counters):
            return {}
        arrays = {
            f"{array_name}_{key}": value
            for array_name in self.state_arrays
            for key, value in getattr(self, array_name).items()
        }
        return arrays | {counter: np.array(getattr(self, counter)) for counter in self.counters}

    def load_state(self, state: Params) -> None:
        """Take back what ``state()`` gave; what is missing starts from zero."""
        for array_name in self.state_arrays:
            prefix = f"{array_name}_"
            averages = {k.removeprefix(prefix): np.array(v) for k, v in state.items()
                        if k.startswith(prefix)}  # fmt: skip
            setattr(self, array_name, averages)
        for counter in self.counters:
            setattr(self, counter, int(state.get(counter, 0)))


class GradientDescent(Optimizer):
    """Plain (mini-batch) gradient descent: θ := θ - α dθ."""

    name = "gd"
    equation = "θ := θ - α dθ"

    def update(self, params: Params, grads: Params, learning_rate: float) -> None:
        descend(params, grads, learning_rate)

    @staticmethod
    def descend_into(
        theta: np.ndarray, dtheta: np.ndarray, learning_rate: float | np.ndarray, out: np.ndarray
    ) -> None:
        """out := θ - α dθ for all parameters at once, θ and dθ being flat buffers of them all:
        the numbers ``update`` gives, in one call (and θ is left as it was). α may be a 0-d
        array of θ's dtype (see ``engine.constants``). α dθ goes into ``out`` first: no new
        array, whose allocation costs as much as the arithmetic."""
        np.multiply(dtheta, learning_rate, out=out)
        np.subtract(theta, out, out=out)


class Momentum(Optimizer):
    """Gradient descent with momentum: v := β v + (1 - β) dθ, θ := θ - α v."""

    name = "momentum"
    equation = "v := β v + (1-β) dθ;  θ := θ - α v"
    state_arrays = ("v",)

    def __init__(self, beta: float = 0.9) -> None:
        super().__init__()
        self.beta = beta

    def update(self, params: Params, grads: Params, learning_rate: float) -> None:
        for key, theta in params.items():
            v = self.v.setdefault(key, np.zeros_like(theta))
            v *= self.beta
            v += (1 - self.beta) * grads[f"d{key}"]
            theta -= learning_rate * v


class Adam(Optimizer):
    """Adam: bias-corrected running means of dθ (v) and dθ² (s); θ := θ - α v̂ / (√ŝ + ε)."""

    name = "adam"
    equation = "v := β₁v + (1-β₁)dθ;  s := β₂s + (1-β₂)dθ²;  θ := θ - α v̂/(√ŝ + ε)"
    state_arrays = ("v", "s")
    counters = ("t",)
    nonnegative = ("s",)  # a running mean of squares

    def __init__(self, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8) -> None:
        super().__init__()
        self.beta1, self.beta2, self.epsilon = beta1, beta2, epsilon

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
