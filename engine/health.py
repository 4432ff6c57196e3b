"""Training health: per-layer signals recorded each epoch, and what they say.

For epoch t and layer l = 1 .. L, from arrays the trainer already has:

    grad_norm[l]     ‖dW[l]‖_F, the Frobenius norm of the epoch's last batch's dW[l]
    update_ratio[l]  ‖W[l]_t - W[l]_{t-1}‖_F / ‖W[l]_t‖_F: ΔW over the whole epoch
                     (with full batch, the epoch's one update; with mini-batches, their sum)
    dead[l]          for an activation that dies (the ReLUs): the share of units i with
                     Z[l][i, j] <= 0 for every example j of the epoch's last batch
                     (for ReLU: A[l][i, j] = 0 on the whole batch)
    saturated[l]     for an activation that saturates (sigmoid, tanh): the share of the
                     values of Z[l] on the last batch with |Z| > 4 (values, not whole units,
                     as the inspector counts them)
    a_mean[l], a_std[l]  the mean and standard deviation of all values of A[l] (n_l, m)
                     on the last batch

and, for the distributions, the quantiles at k/16 (k = 0 .. 16) of W[l] and of A[l] (A[l]
from at most DISTRIBUTION_SAMPLE of its values, evenly strided).

Noting an epoch is one append: ``HealthRecord.note`` keeps references to the last batch's
A[l] and dW[l] (fresh arrays each epoch, never written again) and the weights' copy the
trainer makes anyway; the signals are computed for up to NOTES_PER_BATCH epochs at once, in
a few vectorised NumPy calls over the stacked arrays (in work arrays kept between batches),
when the notes fill a batch or someone reads the record. Only A[l] is kept: every
activation here rises, so Z <= 0 exactly when A <= g(0), and |Z| > 4 exactly when A lies
outside [g(-4), g(4)].

The record keeps entries like the cost history: every epoch up to HEALTH_LIMIT entries,
then every 2nd, 4th, ... epoch, always with the latest; an epoch that will not be kept is
never computed. With a ``budget`` (a share of the time, as the app and ``nntui train``
give it), the record also times its own computing: once it has taken more than that share
of the time since the last check (made after at least BUDGET_WINDOW seconds and
NOTES_PER_BATCH epochs), the stride doubles as often as it takes to fit, and the entries
already kept are thinned to it. A tiny network trained flat out is then recorded every 16th
epoch or so; one trained at a watching pace, or with long epochs, every epoch.
``findings`` reads the latest entries and says what looks wrong.
"""

import functools
import math
import operator
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.activations import Activation
from engine.inspect import SATURATION

HEALTH_LIMIT = 4096  # entries; each holds 5 + 2 * 17 numbers per layer: 1.3 MB per layer
QUANTILES = np.linspace(0.0, 1.0, 17)
DISTRIBUTION_SAMPLE = 256  # values of A[l] per epoch for its distribution
NOTES_PER_BATCH = 64  # epochs computed together
CHUNK = 1 << 18  # float64 values cast at a time for A's mean and std (2 MiB)
NOTE_BYTES = 8 << 20  # at most this much waits to be computed (see capacity)
BUDGET_WINDOW = 0.005  # seconds of training between the checks of a budget
GET_A, GET_DW = operator.attrgetter("A"), operator.attrgetter("dW")  # Cache, LayerGrads
SERIES = ("grad_norm", "update_ratio", "unhealthy", "a_mean", "a_std")

VANISHING_RATIO = 1e-5  # update ratio below this: the weights barely move
VANISHING_FALL = 100.0  # ‖dW[L]‖ / ‖dW[1]‖ at least this: gradients vanish going back
EXPLODING_GROWTH = 10.0  # grad norm grew this much ...
EXPLODING_WINDOW = 10  # ... over this many recorded epochs
UNHEALTHY_SHARE = 0.5  # dead or saturated: over half a layer


def failure_kind(g: Activation) -> str:
    """How a layer of activation g fails: 'dead', 'saturated', or '' (neither)."""
    return "dead" if g.dies else "saturated" if g.saturates else ""


def quantiles(values: np.ndarray) -> np.ndarray:
    """(k, 17) quantiles at 0, 1/16, ..., 1 of each row of values (k, n), interpolated
    linearly between the sorted values as ``np.quantile`` does (its default method)."""
    return np.sort(values, axis=1) @ _interpolation(values.shape[1], values.dtype)


@functools.cache
def _interpolation(n: int, dtype: np.dtype) -> np.ndarray:
    """(n, 17): column q weighs the two sorted values around quantile q by how near each
    is (1 - frac and frac), so sorted values (k, n) @ it are the quantiles (k, 17)."""
    position = QUANTILES * (n - 1)
    low = np.floor(position).astype(np.intp)
    frac = position - low
    weights = np.zeros((n, len(QUANTILES)), dtype)
    columns = np.arange(len(QUANTILES))
    weights[low, columns] += 1 - frac
    weights[np.minimum(low + 1, n - 1), columns] += frac
    return weights


class HealthRecord:
    """Per-epoch health of layers 1 .. L: ``epoch`` (n,), ``series`` (n, 5, L) in the order
    of SERIES ('unhealthy' is dead[l] or saturated[l] by the layer's activation, NaN for
    neither), ``w_quantiles`` and ``a_quantiles`` (n, L, 17)."""

    def __init__(
        self,
        gs: Sequence[Activation],
        W_slices: Sequence[slice],
        saved: dict[str, np.ndarray] | None = None,
        budget: float | None = None,
    ) -> None:
        self.gs, self.W_slices, self.L = tuple(gs), tuple(W_slices), len(gs)
        self.budget = budget  # the share of the time computing may take; None: any
        self.kinds = tuple(failure_kind(g) for g in gs)
        saved = saved or {}
        epoch = np.asarray(saved.get("epoch", np.zeros(0, np.int64)), np.int64)
        n, size = len(epoch), HEALTH_LIMIT + NOTES_PER_BATCH
        self._epoch = np.zeros(max(size, n + NOTES_PER_BATCH), np.int64)
        self._series = np.zeros((len(self._epoch), len(SERIES), self.L))
        self._w_q = np.zeros((len(self._epoch), self.L, len(QUANTILES)))
        self._a_q = np.zeros_like(self._w_q)
        self.n = n
        self._epoch[:n] = epoch
        if n:
            self._series[:n] = saved["series"]
            self._w_q[:n], self._a_q[:n] = saved["w_quantiles"], saved["a_quantiles"]
        self.stride = int(epoch[0]) if n > 1 else 1
        self._spent = 0.0  # seconds computing since the last check, which began at:
        self._since, self._since_epoch = time.perf_counter(), int(epoch[-1]) if n else 0
        self._notes: list[tuple] = []  # epochs on the stride, waiting to be computed
        self._latest: tuple | None = None  # the latest epoch, if it is off the stride
        self._capacity = 1  # the first epoch is computed at once, then NOTE_BYTES decide
        self._work = [np.empty(0, np.uint8) for _ in range(2)]  # see _scratch
        self._chunk = np.empty(CHUNK)  # mean_std's

    @property
    def epoch(self) -> np.ndarray:
        return self._epoch[: self.n]

    @property
    def series(self) -> np.ndarray:
        return self._series[: self.n]

    @property
    def w_quantiles(self) -> np.ndarray:
        return self._w_q[: self.n]

    @property
    def a_quantiles(self) -> np.ndarray:
        return self._a_q[: self.n]

    def note(
        self,
        epoch: int,
        W_before: np.ndarray,
        W_after: np.ndarray,
        caches,
        grads,
    ) -> None:
        """Epoch ``epoch`` ended: the flat weights before and after it (never written again),
        and its last batch's caches and LayerGrads (l = 1 .. L), whose arrays the trainer
        writes again next epoch. Computed later, in a batch: A[l] and dW[l] are copied unless
        this note completes the batch (at ~60 µs an epoch, every call counts). An epoch off
        the stride is only held as the latest, uncopied, until the next one comes (the
        trainer calls ``forget_latest`` when it writes those arrays without a note)."""
        if epoch % self.stride:
            self._latest = (epoch, W_before, W_after, tuple(caches), tuple(grads))
            return
        self._latest = None
        waits = len(self._notes) + 1 < self._capacity
        self._notes.append(_note(epoch, W_before, W_after, caches, grads, copies=waits))
        if len(self._notes) >= self._capacity:
            self.flush()

    def forget_latest(self) -> None:
        """The arrays the latest epoch's note holds were written again (an epoch undone or
        rolled back): unless it is on the stride, that epoch goes unrecorded."""
        self._latest = None

    def flush(self) -> None:
        """Compute the epochs noted so far that the record keeps (those on the stride, and
        the latest), in runs of one batch shape, and add them."""
        notes, self._notes = self._notes, []
        if self._latest is not None:
            notes.append(_note(*self._latest))
            self._latest = None
        if not notes:
            return
        started = time.perf_counter()
        notes = [note for note in notes[:-1] if note[0] % self.stride == 0] + notes[-1:]
        start = 0
        for end in range(1, len(notes) + 1):
            if end == len(notes) or notes[end][3][0].shape != notes[start][3][0].shape:
                self._add(notes[start:end])
                start = end
        self._capacity = capacity(notes[-1][3])
        if self.budget is not None:
            self._spend(time.perf_counter() - started)

    def _spend(self, seconds: float) -> None:
        """Count ``seconds`` of computing; past the budget, double the stride to fit it."""
        self._spent += seconds
        now, epoch = time.perf_counter(), int(self._epoch[self.n - 1])
        elapsed = now - self._since
        if elapsed < BUDGET_WINDOW or epoch - self._since_epoch < NOTES_PER_BATCH:
            return
        over = self._spent / (self.budget * elapsed)
        if over > 1:
            self.stride <<= math.ceil(math.log2(over))
            self._keep_stride(0)
        self._spent, self._since, self._since_epoch = 0.0, now, epoch

    def _add(self, notes: list[tuple]) -> None:
        """Compute ``notes`` (one batch shape) and add them, thinning past HEALTH_LIMIT."""
        n, k = self.n, len(notes)
        self._epoch[n : n + k] = [note[0] for note in notes]
        self._compute(notes, self._series[n : n + k], self._w_q[n : n + k], self._a_q[n : n + k])
        self.n += k
        self._keep_stride(max(n - 1, 0))  # the latest before may now be off the stride
        while self.n > HEALTH_LIMIT:
            self.stride *= 2
            self._keep_stride(0)

    def _keep_stride(self, start: int) -> None:
        """From entry ``start`` on, keep the entries on the stride, and the latest."""
        keep = self._epoch[start : self.n] % self.stride == 0
        keep[-1] = True
        if keep.all():
            return
        kept = start + int(keep.sum())
        for column in (self._epoch, self._series, self._w_q, self._a_q):
            column[start:kept] = column[start : self.n][keep]
        self.n = kept

    def _compute(
        self, notes: list[tuple], series: np.ndarray, w_q: np.ndarray, a_q: np.ndarray
    ) -> None:
        """Fill series (k, 5, L), W quantiles (k, L, 17) and A quantiles (k, L, 17) for k
        notes: per layer, a few NumPy calls over the k epochs' arrays stacked together."""
        k = len(notes)
        before = np.array([n[1] for n in notes], np.float64)  # np.array: no per-item Python
        after = np.array([n[2] for n in notes], np.float64)
        for l, (g, part) in enumerate(zip(self.gs, self.W_slices, strict=True)):
            W, dW_epoch = after[:, part], after[:, part] - before[:, part]
            dW = np.array([n[4][l] for n in notes], np.float64).reshape(k, -1)
            series[:, 0, l] = np.sqrt(np.vecdot(dW, dW))
            with np.errstate(divide="ignore", invalid="ignore"):  # W = 0: inf or NaN
                series[:, 1, l] = np.sqrt(np.vecdot(dW_epoch, dW_epoch) / np.vecdot(W, W))
            w_q[:, l] = quantiles(W)
            A = self._stack([n[3][l] for n in notes], 0)  # (k, n_l, m), A[l]'s dtype
            series[:, 2, l] = unhealthy_share(A, g, self._scratch(A))
            series[:, 3, l], series[:, 4, l] = mean_std(A, self._chunk)
            flat = A.reshape(k, -1)
            a_q[:, l] = quantiles(flat[:, :: -(-flat.shape[1] // DISTRIBUTION_SAMPLE)])

    def _stack(self, arrays: list[np.ndarray], slot: int) -> np.ndarray:
        """(k, n_l, m): the k arrays (n_l, m) side by side, in work array ``slot``."""
        if len(arrays) == 1:
            return arrays[0][None]
        out = self._scratch(arrays[0], arrays[0].dtype, slot, len(arrays))
        np.concatenate(arrays, out=out.reshape(-1, arrays[0].shape[-1]))
        return out

    def _scratch(
        self, like: np.ndarray, dtype: np.dtype | None = None, slot: int = 1, k: int = 0
    ) -> np.ndarray:
        """A work array shaped like ``like`` ((k, n_l, m) if k), kept between batches in
        ``slot`` (0, 1), so a batch allocates nothing."""
        shape = (k, *like.shape) if k else like.shape
        dtype = np.dtype(dtype or like.dtype)
        size = math.prod(shape) * dtype.itemsize
        if self._work[slot].size < size:
            self._work[slot] = np.empty(size, np.uint8)
        return self._work[slot][:size].view(dtype).reshape(shape)

    def columns(self) -> dict[str, np.ndarray]:
        """The record as arrays (copies), for a model file; what is noted is computed first."""
        self.flush()
        return {"epoch": self.epoch.copy(), "series": self.series.copy(),
                "w_quantiles": self.w_quantiles.copy(),
                "a_quantiles": self.a_quantiles.copy()}  # fmt: skip

    def until(self, epoch: int) -> "HealthRecord":
        """A new record of the entries of epochs <= ``epoch``; what is noted is computed
        first."""
        columns = self.columns()
        n = int(np.searchsorted(columns["epoch"], epoch, side="right"))
        saved = {k: v[:n] for k, v in columns.items()}
        return HealthRecord(self.gs, self.W_slices, saved, self.budget)

    def csv_columns(self) -> list[tuple[str, int, int]]:
        """(name, series index, layer index) of each CSV column, series by series:
        grad_norm[1..L], update_ratio[1..L], dead[l] or saturated[l] where the layer's
        activation can fail that way, a_mean[1..L], a_std[1..L]."""
        columns = []
        for s, name in enumerate(SERIES):
            for l in range(self.L):
                label = self.kinds[l] if name == "unhealthy" else name
                if label:
                    columns.append((f"{label}[{l + 1}]", s, l))
        return columns


def _note(
    epoch: int, W_before: np.ndarray, W_after: np.ndarray, caches, grads, copies: bool = False
) -> tuple:
    """What is kept of an epoch until it is computed: only A[l] and dW[l] of its arrays
    (copies of them, if the trainer will write them again before then)."""
    A, dW = tuple(map(GET_A, caches)), tuple(map(GET_DW, grads))
    if copies:
        A, dW = tuple(map(np.ndarray.copy, A)), tuple(map(np.ndarray.copy, dW))
    return epoch, W_before, W_after, A, dW


def capacity(A: Sequence[np.ndarray]) -> int:
    """How many epochs with arrays A[l] wait to be computed together: NOTES_PER_BATCH, fewer
    when what they hold would pass NOTE_BYTES: per layer A and its stack (large layers
    cost little per epoch next to the epoch itself)."""
    size = sum(2 * a.nbytes for a in A)
    return max(1, min(NOTES_PER_BATCH, NOTE_BYTES // max(size, 1)))


def mean_std(A: np.ndarray, work: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mean, std) of each A[i] of A (k, n_l, m), from float64 sums of its values and of their
    squares (float64 keeps float32 values and their squares exactly). A float32 A is cast
    a chunk of columns at a time into ``work`` (float64, CHUNK values), never whole."""
    A = A.reshape(A.shape[0], -1)
    k, n = A.shape
    total, squares = np.zeros(k), np.zeros(k)
    step = max(1, CHUNK // k)
    for start in range(0, n, step):
        part = A[:, start : start + step]
        if part.dtype != np.float64:
            part = work[: part.size].reshape(part.shape)
            np.copyto(part, A[:, start : start + step])
        total += np.add.reduce(part, axis=1)
        squares += np.vecdot(part, part)
    mean = total / n
    return mean, np.sqrt(np.maximum(squares / n - mean * mean, 0.0))


def unhealthy_share(A: np.ndarray, g: Activation, work: np.ndarray) -> np.ndarray:
    """(k,) for A (k, n_l, m): the dead share of units (A <= g(0) on every example) if g
    dies, the saturated share of values (A outside [g(-4), g(4)]) if g saturates, else NaN.
    ``work``, like A, is written over."""
    if g.dies:
        zero = g.forward(np.zeros(1, A.dtype))[0]
        return (A.max(axis=2) <= zero).mean(axis=1)
    if g.saturates:
        low, high = _bounds(g, A.dtype)
        np.clip(A, low, high, out=work)
        np.not_equal(work, A, out=work)  # 1 where A lies outside [low, high], else 0
        flat = work.reshape(len(work), -1)
        return flat @ _averaging(flat.shape[1], A.dtype)
    return np.full(A.shape[0], math.nan)


@functools.lru_cache(maxsize=16)
def _averaging(n: int, dtype: np.dtype) -> np.ndarray:
    """(n,) of 1/n in ``dtype``: values (k, n) @ it are the rows' means. Kept, because for
    a large layer a fresh one each epoch costs more than the product."""
    return np.full(n, 1.0 / n, dtype)


@functools.cache
def _bounds(g: Activation, dtype: np.dtype) -> np.ndarray:
    """g(-4) and g(4), computed in ``dtype``."""
    return g.forward(np.array([-SATURATION, SATURATION], dtype))


@dataclass(frozen=True)
class Finding:
    """Something wrong with layer ``layer``: its kind (vanishing, stalled, exploding, dead,
    saturated), what was seen, and what to try."""

    layer: int
    kind: str
    message: str
    hint: str


def findings(record: HealthRecord) -> list[Finding]:
    """What the latest recorded epochs say, layer by layer; empty if nothing looks wrong."""
    record.flush()
    if not len(record.epoch):
        return []
    latest = record.series[-1]
    found = _vanishing(latest) + _exploding(record.series[:, 0])
    for l, kind in enumerate(record.kinds, start=1):
        share = latest[2, l - 1]
        if kind and share > UNHEALTHY_SHARE:
            found.append(_failing(l, kind, share, output=l == len(record.kinds)))
    return found


def _vanishing(latest: np.ndarray) -> list[Finding]:
    """Update ratios below VANISHING_RATIO while another layer's moves more (when none
    moves, the whole network has stalled: converged, or too small a learning rate), or
    ‖dW‖ falling VANISHING_FALL-fold from layer L to layer 1."""
    grad_norm, ratio = latest[0], latest[1]
    top = np.nanmax(ratio) if np.isfinite(ratio).any() else math.nan
    if top < VANISHING_RATIO:
        found = [Finding(len(ratio), "stalled", f"every layer barely moves (the largest update "
                         f"ratio ‖ΔW‖/‖W‖ is {top:.1e}, below {VANISHING_RATIO:.0e})",
                         STALLED_HINT)]  # fmt: skip
    else:
        found = _lagging(ratio)
    L = len(grad_norm)
    if L > 1 and grad_norm[-1] >= VANISHING_FALL * grad_norm[0]:
        fall = grad_norm[-1] / grad_norm[0] if grad_norm[0] > 0 else math.inf
        found.append(Finding(1, "vanishing", f"gradients vanish going back: ‖dW[{L}]‖ is "
                     f"{fall:.0f}x ‖dW[1]‖", VANISHING_HINT))  # fmt: skip
    return found


def _lagging(ratio: np.ndarray) -> list[Finding]:
    """The layers whose update ratio is below VANISHING_RATIO (another layer's is not)."""
    found = []
    for l, r in enumerate(ratio, start=1):
        if r < VANISHING_RATIO:
            found.append(Finding(l, "vanishing", f"layer {l}: its weights barely move (update "
                         f"ratio ‖ΔW‖/‖W‖ = {r:.1e}, below {VANISHING_RATIO:.0e})",
                         VANISHING_HINT))  # fmt: skip
    return found


def _exploding(grad_norm: np.ndarray) -> list[Finding]:
    """Per layer: ‖dW‖ grew EXPLODING_GROWTH-fold over the last EXPLODING_WINDOW entries."""
    if len(grad_norm) < EXPLODING_WINDOW:
        return []
    first, last = grad_norm[-EXPLODING_WINDOW], grad_norm[-1]
    grew = [(l, b / a) for l, (a, b) in enumerate(zip(first, last, strict=True), start=1)
            if a > 0 and b >= EXPLODING_GROWTH * a]  # fmt: skip
    return [Finding(l, "exploding", f"layer {l}: its gradient norm grew {growth:.0f}x over the "
                    f"last {EXPLODING_WINDOW} recorded epochs", EXPLODING_HINT)
            for l, growth in grew]  # fmt: skip


def _failing(l: int, kind: str, share: float, output: bool = False) -> Finding:
    """Layer l's dead units or saturated values; saturation in the output layer L means
    confident outputs, so its hint is about the cost and the step, not init or activations."""
    what = "units are dead (Z <= 0 on every example)" if kind == "dead" else (
        "values are saturated (|Z| > 4)")  # fmt: skip
    hint = DEAD_HINT if kind == "dead" else OUTPUT_SATURATED_HINT if output else SATURATED_HINT
    return Finding(l, kind, f"layer {l}: {100 * share:.0f}% of its {what}", hint)


VANISHING_HINT = ("try relu in the hidden layers, He or Xavier init instead of small, fewer "
                  "layers, or a larger learning rate")  # fmt: skip
EXPLODING_HINT = "try a smaller learning rate, or Adam"
STALLED_HINT = ("if the cost is still high, try a larger learning rate or Adam; if it is low, "
                "the network has converged")  # fmt: skip
DEAD_HINT = "try a smaller learning rate, leaky_relu, or He init"
SATURATED_HINT = "try Xavier init, standardised inputs, or relu in the hidden layers"
OUTPUT_SATURATED_HINT = ("confident outputs: expected once the cost is low; if it is high, they "
                         "are confidently wrong: try a smaller learning rate or L2")  # fmt: skip
