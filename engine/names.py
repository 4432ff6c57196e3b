"""One way to name the network's arrays: ``ArrayName('W', 1)`` shows as 'W[1]' (the
article's notation, for people) and keys as 'W1' (the params and grads dicts).

``LayerKind`` is an array relative to a layer l, as the shapes table's columns are:
``LayerKind('A', -1)`` shows as 'A[l-1]' and ``.at(2)`` is ``ArrayName('A', 1)``.
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ArrayName:
    """An array of the network: kind 'A', 'W', 'b', 'Z', 'dA', 'dZ', 'dW' or 'db', and its
    layer (0 for the input A[0] = X)."""

    kind: str
    layer: int

    def __str__(self) -> str:
        return f"{self.kind}[{self.layer}]"

    @property
    def key(self) -> str:
        """The name in the params and grads dicts: 'W1', 'db2'."""
        return f"{self.kind}{self.layer}"


@dataclass(frozen=True, slots=True)
class LayerKind:
    """An array kind at layer l or l-1 (offset 0 or -1)."""

    kind: str
    offset: int = 0

    def __str__(self) -> str:
        return f"{self.kind}[l{'-1' if self.offset else ''}]"

    def at(self, l: int) -> ArrayName:
        return ArrayName(self.kind, l + self.offset)


#: The arrays of layer l, in the order of the shapes table's columns.
LAYER_KINDS = tuple(
    LayerKind(kind, offset)
    for kind, offset in (("A", -1), ("W", 0), ("b", 0), ("Z", 0), ("A", 0), ("dZ", 0),
                         ("dW", 0), ("db", 0))
)  # fmt: skip


def A(l: int) -> ArrayName:
    return ArrayName("A", l)


def W(l: int) -> ArrayName:
    return ArrayName("W", l)


def b(l: int) -> ArrayName:
    return ArrayName("b", l)


def Z(l: int) -> ArrayName:
    return ArrayName("Z", l)


def dA(l: int) -> ArrayName:
    return ArrayName("dA", l)


def dZ(l: int) -> ArrayName:
    return ArrayName("dZ", l)


def dW(l: int) -> ArrayName:
    return ArrayName("dW", l)


def db(l: int) -> ArrayName:
    return ArrayName("db", l)
