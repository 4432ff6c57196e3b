"""One way to name the network's arrays: ``ArrayName('W', 1)`` shows as 'W[1]' (the
article's notation, for people) and keys as 'W1' (the params and grads dicts).

``LayerKind`` is an array relative to a layer l, as the shapes table's columns are:
``LayerKind('A', -1)`` shows as 'A[l-1]' and ``.at(2)`` is ``ArrayName('A', 1)``.
"""

from dataclasses import dataclass
from functools import partial


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


#: Shorthands as the equations write them: W(2) is ArrayName('W', 2).
A, W, b, Z, dA, dZ, dW, db = (  # noqa: N816 (the article's notation)
    partial(ArrayName, kind) for kind in ("A", "W", "b", "Z", "dA", "dZ", "dW", "db")
)
