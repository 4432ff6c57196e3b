"""What one phase of an epoch computed, told in the article's notation with real shapes.

An epoch is, for each batch: forward layer 1 .. L, the cost, backward layer L .. 1, and the
update. The trainer yields one ``Phase`` for each; ``phase.equations`` gives the lines a
reader would find in the article, filled in with the ``.shape`` of the live arrays, e.g.

    Z[2] = W[2] · A[1] + b[2]    (1, 4) · (4, 400) + (1, 1) -> (1, 400)
"""

from dataclasses import dataclass
from typing import Literal

import numpy as np

from engine.names import A, ArrayName, W, Z, b, dA, db, dW, dZ

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

    ``tensors`` maps array names (``ArrayName('W', 1)``, shown as 'W[1]') to the live
    arrays, ``Y`` is the batch's targets; ``computed`` names the array this phase produced
    (None for the cost phase, which computes J).
    """

    kind: PhaseKind
    layer: int | None
    L: int
    batch: int
    n_batches: int
    tensors: dict[ArrayName, np.ndarray]
    Y: np.ndarray
    computed: ArrayName | None
    activation: str = ""
    cost: str = ""
    cost_value: float = float("nan")
    lambd: float = 0.0
    l1: float = 0.0
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

    def shape(self, name: ArrayName) -> tuple[int, ...]:
        return self.tensors[name].shape


def _forward_lines(p: Phase) -> list[str]:
    l = p.layer
    W_, A_prev, b_, Z_ = (p.shape(n) for n in (W(l), A(l - 1), b(l), Z(l)))
    return [
        f"{Z(l)} = {W(l)} · {A(l - 1)} + {b(l)}    "
        f"{fmt(W_)} · {fmt(A_prev)} + {fmt(b_)} -> {fmt(Z_)}",
        f"        {b(l)} {fmt(b_)} is broadcast across the m = {Z_[1]} columns",
        f"{A(l)} = {p.activation}({Z(l)})    {fmt(Z_)} -> {fmt(p.shape(A(l)))}",
    ]


def _cost_lines(p: Phase) -> list[str]:
    equation = COST_EQUATIONS[p.cost].format(L=p.L)
    if p.lambd:
        equation += f" + (λ/2m) Σ‖W[l]‖²   (λ = {p.lambd:g})"
    if p.l1:
        equation += f" + (λ₁/m) Σ|W[l]|   (λ₁ = {p.l1:g})"
    AL, Y = p.shape(A(p.L)), p.Y.shape
    return [equation, f"        {A(p.L)} {fmt(AL)}, Y {fmt(Y)} -> J = {p.cost_value:.6g}"]


def _backward_lines(p: Phase) -> list[str]:
    l = p.layer
    dZ_, A_prev_T = p.shape(dZ(l)), p.tensors[A(l - 1)].T.shape
    dW_, db_ = p.shape(dW(l)), p.shape(db(l))
    if p.shortcut:
        first = f"{dZ(l)} = {A(l)} - Y    {fmt(p.shape(A(l)))} - {fmt(p.Y.shape)}"
    else:
        first = f"{dZ(l)} = {dA(l)} * {p.activation}'({Z(l)})    "
        first += f"{fmt(p.shape(dA(l)))} * {fmt(p.shape(Z(l)))}"
    l2 = f" + (λ/m) {W(l)}" if p.lambd else ""
    l2 += f" + (λ₁/m) sign({W(l)})" if p.l1 else ""
    lines = [
        f"{first} -> {fmt(dZ_)}",
        f"{dW(l)} = (1/m) {dZ(l)} · {A(l - 1)}ᵀ{l2}    {fmt(dZ_)} · {fmt(A_prev_T)} -> {fmt(dW_)}",
        f"{db(l)} = (1/m) Σ {dZ(l)} over the m columns    {fmt(dZ_)} -> {fmt(db_)}",
    ]
    if l > 1:
        W_T = p.tensors[W(l)].T.shape
        dA_prev = p.shape(dA(l - 1))
        shapes = f"{fmt(W_T)} · {fmt(dZ_)} -> {fmt(dA_prev)}"
        lines.append(f"{dA(l - 1)} = {W(l)}ᵀ · {dZ(l)}    {shapes}")
    return lines


def _update_lines(p: Phase) -> list[str]:
    lines = [f"{p.update_rule}    (α = {p.learning_rate:g}; θ is each W[l] and b[l])"]
    for l in range(1, p.L + 1):
        weights = f"{W(l)} {fmt(p.shape(W(l)))} with {dW(l)} {fmt(p.shape(dW(l)))}"
        biases = f"{b(l)} {fmt(p.shape(b(l)))} with {db(l)} {fmt(p.shape(db(l)))}"
        lines.append(f"        {weights};  {biases}")
    return lines


_EQUATIONS = {
    "forward": _forward_lines,
    "cost": _cost_lines,
    "backward": _backward_lines,
    "update": _update_lines,
}
