"""What one phase of an epoch computed, told in the article's notation with real shapes.

An epoch is, for each batch: forward layer 1 .. L, the cost, backward layer L .. 1, and the
update. The trainer yields one ``Phase`` for each; ``phase.equations`` gives the lines a
reader would find in the article, filled in with the ``.shape`` of the live arrays, e.g.

    Z[2] = W[2] · A[1] + b[2]    (1, 4) · (4, 400) + (1, 1) -> (1, 400)
"""

from dataclasses import dataclass
from typing import Literal

import numpy as np

PhaseKind = Literal["forward", "cost", "backward", "update"]

COST_EQUATIONS = {
    "bce": "J = -(1/m) Σ [Y·log A[{L}] + (1-Y)·log(1-A[{L}])]",
    "ce": "J = -(1/m) Σ Y·log A[{L}]",
    "mse": "J = (1/2m) Σ (A[{L}] - Y)²",
}


def fmt(shape: tuple[int, ...]) -> str:
    """(4, 400) -> '(4, 400)'; the same for every rank."""
    return "(" + ", ".join(str(n) for n in shape) + ")"


@dataclass(slots=True)
class Phase:
    """One phase: its kind, its layer (None for cost and update) and the arrays involved.

    ``tensors`` maps names in the article's notation ('A[0]', 'W[1]', 'dZ[2]', 'Y', ...) to
    the live arrays; ``computed`` names the one this phase produced.
    """

    kind: PhaseKind
    layer: int | None
    L: int
    batch: int
    n_batches: int
    tensors: dict[str, np.ndarray]
    computed: str
    activation: str = ""
    cost: str = ""
    cost_value: float = float("nan")
    lambd: float = 0.0
    update_rule: str = ""
    learning_rate: float = 0.0
    shortcut: bool = False  # backward at L with dZ[L] = A[L] - Y

    @property
    def direction(self) -> str:
        """'forward' for forward and cost phases, 'backward' for backward and update."""
        return "forward" if self.kind in ("forward", "cost") else "backward"

    @property
    def title(self) -> str:
        """A short heading, e.g. 'forward · layer 2 of 2 · batch 1/1'."""
        where = f"layer {self.layer} of {self.L}" if self.layer else ""
        parts = [self.kind, where, f"batch {self.batch + 1}/{self.n_batches}"]
        return " · ".join(p for p in parts if p)

    @property
    def equations(self) -> list[str]:
        """The equations this phase evaluated, each followed by the real shapes."""
        return _EQUATIONS[self.kind](self)

    def shape(self, name: str) -> tuple[int, ...]:
        return self.tensors[name].shape


def _forward_lines(p: Phase) -> list[str]:
    l = p.layer
    W, A_prev, b, Z = (p.shape(n) for n in (f"W[{l}]", f"A[{l - 1}]", f"b[{l}]", f"Z[{l}]"))
    return [
        f"Z[{l}] = W[{l}] · A[{l - 1}] + b[{l}]    {fmt(W)} · {fmt(A_prev)} + {fmt(b)} -> {fmt(Z)}",
        f"        b[{l}] {fmt(b)} is broadcast across the m = {Z[1]} columns",
        f"A[{l}] = {p.activation}(Z[{l}])    {fmt(Z)} -> {fmt(p.shape(f'A[{l}]'))}",
    ]


def _cost_lines(p: Phase) -> list[str]:
    equation = COST_EQUATIONS[p.cost].format(L=p.L)
    if p.lambd:
        equation += f" + (λ/2m) Σ‖W[l]‖²   (λ = {p.lambd:g})"
    AL, Y = p.shape(f"A[{p.L}]"), p.shape("Y")
    return [equation, f"        A[{p.L}] {fmt(AL)}, Y {fmt(Y)} -> J = {p.cost_value:.6g}"]


def _backward_lines(p: Phase) -> list[str]:
    l = p.layer
    dZ, A_prev_T = p.shape(f"dZ[{l}]"), p.tensors[f"A[{l - 1}]"].T.shape
    dW, db = p.shape(f"dW[{l}]"), p.shape(f"db[{l}]")
    if p.shortcut:
        first = f"dZ[{l}] = A[{l}] - Y    {fmt(p.shape(f'A[{l}]'))} - {fmt(p.shape('Y'))}"
    else:
        first = f"dZ[{l}] = dA[{l}] * {p.activation}'(Z[{l}])    "
        first += f"{fmt(p.shape(f'dA[{l}]'))} * {fmt(p.shape(f'Z[{l}]'))}"
    l2 = f" + (λ/m) W[{l}]" if p.lambd else ""
    lines = [
        f"{first} -> {fmt(dZ)}",
        f"dW[{l}] = (1/m) dZ[{l}] · A[{l - 1}]ᵀ{l2}    {fmt(dZ)} · {fmt(A_prev_T)} -> {fmt(dW)}",
        f"db[{l}] = (1/m) Σ dZ[{l}] over the m columns    {fmt(dZ)} -> {fmt(db)}",
    ]
    if l > 1:
        W_T = p.tensors[f"W[{l}]"].T.shape
        dA_prev = p.shape(f"dA[{l - 1}]")
        lines.append(f"dA[{l - 1}] = W[{l}]ᵀ · dZ[{l}]    {fmt(W_T)} · {fmt(dZ)} -> {fmt(dA_prev)}")
    return lines


def _update_lines(p: Phase) -> list[str]:
    lines = [f"{p.update_rule}    (α = {p.learning_rate:g}; θ is each W[l] and b[l])"]
    for l in range(1, p.L + 1):
        W, dW = p.shape(f"W[{l}]"), p.shape(f"dW[{l}]")
        b, db = p.shape(f"b[{l}]"), p.shape(f"db[{l}]")
        weights = f"W[{l}] {fmt(W)} with dW[{l}] {fmt(dW)}"
        lines.append(f"        {weights};  b[{l}] {fmt(b)} with db[{l}] {fmt(db)}")
    return lines


_EQUATIONS = {
    "forward": _forward_lines,
    "cost": _cost_lines,
    "backward": _backward_lines,
    "update": _update_lines,
}
