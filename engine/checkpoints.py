"""Checkpoints of a run: everything that decides the next epoch, in bounded memory.

A checkpoint of epoch k holds the flat weights (every W[l] (n_l, n_{l-1}) and b[l] (n_l, 1)
of the network, one after the other, as the Trainer lays them out), the optimiser's name
and state (its running averages by '<name>_<parameter>' and its counters) and the shuffling
generator's state. Restoring it and training on gives, bit for bit, the run that went on
from epoch k. Its arrays are the copies the Trainer makes anyway at each epoch's end, held
by reference and never written.

Which are kept: every epoch of the latest ``recent`` (RECENT), and before that about
``per_octave`` (PER_OCTAVE) per doubling of age: a checkpoint of epoch k and age
a = e - k (e the latest epoch) stays while k is a multiple of 2^floor(log2(a / per_octave)).
That spacing only grows, by powers of two, as the run goes on, so a checkpoint let go
would never be wanted again, and epoch 0 (a multiple of every spacing) always stays. At
most MAX_COUNT checkpoints and MAX_BYTES bytes are held: when a network's checkpoints are
big the window of every epoch shrinks, then the spacing grows, so big models keep fewer.
Between thinnings more are kept than the rule says, never more than those limits.
"""

import bisect
import operator
from typing import Any, NamedTuple

import numpy as np

RECENT = 100  # every epoch of the latest this many
PER_OCTAVE = 8  # checkpoints per doubling of age, before those
MAX_COUNT = 300
MAX_BYTES = 256 << 20
_NBYTES = operator.attrgetter("nbytes")


class Checkpoint(NamedTuple):
    """The state at the end of epoch ``epoch``: ``flat`` (P,) holds the weights, ``state``
    the optimiser ``optimizer``'s arrays and counters, ``rng`` the shuffling generator's
    state (a bit generator state dict)."""

    epoch: int
    flat: np.ndarray
    optimizer: str
    state: dict[str, np.ndarray]
    rng: dict[str, Any]

    @property
    def nbytes(self) -> int:
        """Bytes of its arrays (asked every epoch: a map, no generator)."""
        return self.flat.nbytes + sum(map(_NBYTES, self.state.values()))


class Checkpoints:
    """The checkpoints of one run, oldest first, at most one per epoch."""

    def __init__(self, kept: list[Checkpoint] | None = None) -> None:
        self._kept: dict[int, Checkpoint] = {c.epoch: c for c in kept or ()}
        self._sizes = {epoch: c.nbytes for epoch, c in self._kept.items()}  # each one's bytes
        self.nbytes = sum(self._sizes.values())
        self.per_octave = PER_OCTAVE

    def __len__(self) -> int:
        return len(self._kept)

    @property
    def epochs(self) -> tuple[int, ...]:
        return tuple(self._kept)

    def __iter__(self):
        return iter(self._kept.values())

    def add(self, checkpoint: Checkpoint) -> None:
        """Keep ``checkpoint`` (it replaces one of the same epoch, the latest); thin the
        older ones once the limits are passed."""
        epoch, size = checkpoint.epoch, checkpoint.nbytes
        self._kept.pop(epoch, None)  # the one it replaces, so that the latest comes last
        self._kept[epoch] = checkpoint
        self.nbytes += size - self._sizes.pop(epoch, 0)
        self._sizes[epoch] = size
        if len(self._kept) > MAX_COUNT or self.nbytes > MAX_BYTES:
            self._thin(size)

    def at_or_before(self, epoch: int) -> Checkpoint:
        """The latest checkpoint of an epoch <= ``epoch``; a ValueError if there is none."""
        epochs = self.epochs
        i = bisect.bisect_right(epochs, epoch)
        if i == 0:
            earliest = f" (the earliest is of epoch {epochs[0]})" if epochs else ""
            raise ValueError(f"there is no checkpoint at or before epoch {epoch}{earliest}")
        return self._kept[epochs[i - 1]]

    def until(self, epoch: int) -> "Checkpoints":
        """The checkpoints of epochs <= ``epoch``, as a new record (the same arrays)."""
        kept = Checkpoints([c for c in self._kept.values() if c.epoch <= epoch])
        kept.per_octave = self.per_octave
        return kept

    def room(self, nbytes: int) -> int:
        """How many checkpoints of ``nbytes`` each the limits allow (2 at least: epoch 0
        and the latest)."""
        return max(2, min(MAX_COUNT, MAX_BYTES // max(nbytes, 1)))

    def _thin(self, nbytes: int) -> None:
        """Keep those the rule keeps, so that at most 3/4 of the room is used: the spacing
        grows (``per_octave`` halves) until they fit, then the oldest go (epoch 0 stays)."""
        epochs = np.fromiter(self._kept, np.int64, len(self._kept))
        room = self.room(nbytes)
        target = max(2, room * 3 // 4)
        recent = max(1, min(RECENT, room // 2))
        keep = kept_by_rule(epochs, recent, self.per_octave)
        while keep.sum() > target and self.per_octave > 1:
            self.per_octave //= 2
            keep = kept_by_rule(epochs, recent, self.per_octave)
        excess = int(keep.sum()) - target
        if excess > 0:
            keep[np.flatnonzero(keep)[1 : 1 + excess]] = False
        for epoch in epochs[~keep].tolist():
            del self._kept[epoch]
            self.nbytes -= self._sizes.pop(epoch)


def kept_by_rule(epochs: np.ndarray, recent: int, per_octave: int) -> np.ndarray:
    """Which of ``epochs`` (rising, the latest last) the rule keeps: those of age below
    ``recent``, and those on their age's spacing 2^floor(log2(age / per_octave))."""
    age = epochs[-1] - epochs
    doublings = np.floor(np.log2(np.maximum(age // per_octave, 1))).astype(np.int64)
    spacing = np.left_shift(np.int64(1), doublings)
    return (age < recent) | (epochs % spacing == 0)
