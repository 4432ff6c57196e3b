"""The training loop: the article's ``train``, and the stateful ``Trainer`` behind the app.

An epoch is one pass over the training set in batches (one batch of all m examples by
default, as in the article). For each batch: forward layer 1 .. L, cost, backward layer
L .. 1, update. ``Trainer.step_phase`` runs one of those phases and reports it;
``Trainer.step_epoch`` runs the rest of the epoch. Both drive the same generator, so any
mix of the two leaves the parameters exactly where whole epochs would.
"""

import bisect
import copy
import math
import time
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from engine import checks
from engine.activations import Activation
from engine.checkpoints import Checkpoint, Checkpoints
from engine.costs import (
    BinaryLabels,
    binary_cross_entropy_scored,
    binary_labels,
    check_output,
    compute_cost,
    get_cost,
    penalty,
)
from engine.health import HealthRecord
from engine.initializers import init_params, param_shapes
from engine.metrics import accuracy
from engine.names import A, ArrayName, W, Z, b, dA, db, dW, dZ
from engine.optimizers import GradientDescent, Optimizer, make_optimizer
from engine.phases import Phase
from engine.propagation import (
    Cache,
    LayerGrads,
    Work,
    backward_into,
    backward_layers,
    forward_layers,
    layer_forward,
    resolve_activations,
)
from engine.trace import BatchRecord, ExampleTrace, UpdateRecord, trace_example

Params = dict[str, np.ndarray]


class Record(NamedTuple):
    """What one phase did, as cheaply as it can be said: its kind, layer, batch, and the
    batch's Y (and its J, from the cost on). The arrays themselves are in the trainer's slots."""

    kind: str
    layer: int | None
    batch: int
    n_batches: int
    Y: np.ndarray
    J: float = math.nan


class DivergedError(ArithmeticError):
    """The cost or the weights stopped being finite; the trainer has rolled back."""

    def __init__(self, epoch: int, layer: int | None, cost: float) -> None:
        self.epoch, self.layer, self.cost = epoch, layer, cost
        where = f"in layer {layer} first" if layer else "in the cost"
        super().__init__(
            f"training diverged at epoch {epoch}: values became non-finite {where}; "
            f"the weights of epoch {epoch - 1} were restored (try a smaller learning rate)"
        )


def _divergence_is_checked() -> np.errstate:
    """Overflow is not an error inside an epoch: its end checks for non-finite values."""
    return np.errstate(over="ignore", invalid="ignore")


def _rows(AT: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """The rows ``idx`` of AT (m, n), in a new (len(idx), n) array. ``idx`` is a permutation
    of range(m), so ``take`` may skip its bounds check (mode="clip"), which also spares it a
    buffer: about a third faster than AT[idx] inside an epoch, 5x on its own."""
    return AT.take(idx, axis=0, mode="clip")


class EpochStoppedError(Exception):
    """``step_epoch`` was asked to stop inside an epoch, and undid it."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch
        super().__init__(f"epoch {epoch + 1} was stopped and undone; the model is at epoch {epoch}")


@dataclass
class EpochStats:
    """What one epoch measured; NaN where it does not apply (accuracy for regression, R² for
    classification, anything of the test set when there is none).

    R² = 1 - SS_res / SS_tot of the outputs against the targets, the same in the trainer's
    units (a standardised target) as in the target's own."""

    epoch: int
    train_cost: float
    test_cost: float
    train_acc: float
    test_acc: float
    seconds: float
    train_r2: float = math.nan
    test_r2: float = math.nan


HISTORY_LIMIT = 1_000_000  # entries (64 MB); a tiny network can run ~10,000 epochs a second
HISTORY_COLUMNS = (
    "epoch", "train_cost", "test_cost", "train_acc", "test_acc", "seconds", "train_r2", "test_r2"
)  # fmt: skip


class History:
    """Per-epoch columns: entry i holds epoch ``epoch[i]``'s costs, accuracies and seconds.

    Every epoch is kept until there are HISTORY_LIMIT entries. Then every other entry is
    let go and from there on every 2nd epoch is kept (then every 4th, ...), so a run of
    any length holds evenly spaced entries in bounded memory. The latest epoch is always
    the last entry. ``health``, if recorded, is thinned by the same rule from HEALTH_LIMIT
    entries, so its epochs are among these.
    """

    def __init__(
        self, columns: dict[str, Sequence[float]] | None = None, health: HealthRecord | None = None
    ) -> None:
        """From ``columns()``; a column left out (R² in files older than it) is all NaN."""
        columns = columns or {}
        self.health = health  # per-layer health, thinned the same way (engine.health)
        n = len(columns.get("train_cost", ()))
        self.epoch = array("q", columns.get("epoch", range(1, n + 1)))
        for name in HISTORY_COLUMNS[1:]:
            setattr(self, name, array("d", columns.get(name, [math.nan] * n)))
        self.stride = self.epoch[0] if len(self.epoch) > 1 else 1

    def __len__(self) -> int:
        return len(self.epoch)

    def columns(self) -> dict[str, list[float]]:
        return {name: getattr(self, name).tolist() for name in HISTORY_COLUMNS}

    def append(self, stats: EpochStats) -> None:
        if self.stride > 1 and self.epoch[-1] % self.stride:  # the latest, off the stride
            for name in HISTORY_COLUMNS:
                getattr(self, name).pop()
        self.epoch.append(stats.epoch)  # spelled out: this runs once an epoch
        self.train_cost.append(stats.train_cost)
        self.test_cost.append(stats.test_cost)
        self.train_acc.append(stats.train_acc)
        self.test_acc.append(stats.test_acc)
        self.seconds.append(stats.seconds)
        self.train_r2.append(stats.train_r2)
        self.test_r2.append(stats.test_r2)
        if len(self.epoch) > HISTORY_LIMIT:
            self._thin()

    def until(self, epoch: int) -> "History":
        """A new History of the entries of epochs <= ``epoch`` (and their health)."""
        n = bisect.bisect_right(self.epoch, epoch)
        columns = {name: getattr(self, name)[:n] for name in HISTORY_COLUMNS}
        return History(columns, None if self.health is None else self.health.until(epoch))

    def _thin(self) -> None:
        """Keep the entries of every (2 * stride)-th epoch, and the latest."""
        self.stride *= 2
        epochs = np.frombuffer(self.epoch, dtype=np.int64)
        keep = epochs % self.stride == 0
        keep[-1] = True
        for name in HISTORY_COLUMNS:
            column = getattr(self, name)
            values = np.frombuffer(column, dtype=np.int64 if name == "epoch" else np.float64)
            setattr(self, name, array(column.typecode, values[keep].tobytes()))


class Trainer:
    """A network, its data and its training state: the one object the app talks to.

    X (n_x, m) and Y (n_y, m) are the training set; X_test and Y_test, if given, are
    evaluated after every epoch (``lambd`` and ``l1``: the L2 and L1 strengths).
    ``layer_dims`` = [n_x, n_1, ..., n_L] with n_L = n_y.
    ``activations`` is one name per layer 1 .. L (or one name for all; default sigmoid,
    as in the article). ``cost`` is bce, ce or mse. Every argument is checked here, once
    (``engine.checks``), so the epochs run unchecked: a misuse is a ValueError or TypeError
    naming the parameter. X and Y are float32 or float64; integers and bools are converted.
    ``health`` records each epoch's per-layer health in ``history.health`` (engine.health);
    ``health_budget`` (e.g. 0.02) caps its computing at that share of the time by recording
    every 2nd, 4th, ... epoch when it would take more (timed, so not repeatable).
    """

    def __init__(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        layer_dims: Sequence[int],
        *,
        activations: str | Sequence[str] | None = None,
        cost: str = "bce",
        X_test: np.ndarray | None = None,
        Y_test: np.ndarray | None = None,
        learning_rate: float = 0.01,
        batch_size: int | None = None,
        optimizer: str = "gd",
        lambd: float = 0.0,
        init: str = "he",
        seed: int | None = 0,
        dtype: type | np.dtype = np.float32,
        l1: float = 0.0,
        health: bool = True,
        health_budget: float | None = None,
    ) -> None:
        self.dtype = checks.float_dtype(dtype)
        self.record_health = health
        self.health_budget = checks.share(health_budget, "health_budget")
        X, Y = checks.data(X, Y, dtype=self.dtype)
        if (X_test is None) != (Y_test is None):
            raise ValueError("give both X_test and Y_test, or neither")
        if X_test is not None:
            X_test, Y_test = checks.data(X_test, Y_test, "_test", self.dtype)
        self.layer_dims = checks.layer_dims(layer_dims)
        self._check_sizes(X, Y, X_test)
        self.L = len(self.layer_dims) - 1
        self.gs: list[Activation] = resolve_activations(activations, self.L)
        self.cost = get_cost(cost).name
        check_output(self.cost, self.gs[-1].name)
        checks.output_units(self.gs[-1].name, self.layer_dims[-1])
        checks.labels(Y, self.cost)
        if Y_test is not None:
            checks.labels(Y_test, self.cost, "Y_test")
        self.X = np.asarray(X, dtype=self.dtype)
        self.Y = np.asarray(Y, dtype=self.dtype)
        self._XT = np.ascontiguousarray(self.X.T)  # (m, n_x): a batch is a cheap row gather
        self._YT = np.ascontiguousarray(self.Y.T)
        self.X_test = None if X_test is None else np.asarray(X_test, dtype=self.dtype)
        self.Y_test = None if Y_test is None else np.asarray(Y_test, dtype=self.dtype)
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.lambd = lambd
        self.l1 = l1
        self._ss_tot = _total_squares(self.Y)  # for the training R²
        self._labels: BinaryLabels | None = None  # the latest batch's (_binary_labels)
        self.init = init
        self.seed = checks.seed(seed)
        self.optimizer_name = optimizer
        self.reset()

    def _check_sizes(self, X: np.ndarray, Y: np.ndarray, X_test: np.ndarray | None) -> None:
        """layer_dims[0] is n_x of X (and X_test), layer_dims[-1] the rows of Y."""
        for name, inputs in (("X", X), ("X_test", X_test)):
            if inputs is not None and self.layer_dims[0] != inputs.shape[0]:
                raise ValueError(
                    f"layer_dims[0] is {self.layer_dims[0]} but {name} has n_x = {inputs.shape[0]} "
                    "features (rows); they must match"
                )
        if self.layer_dims[-1] != Y.shape[0]:
            raise ValueError(
                f"the output layer has {self.layer_dims[-1]} units but Y has "
                f"{Y.shape[0]} rows; they must match"
            )

    # -- hyperparameters that apply to the running model ---------------------------------

    @property
    def learning_rate(self) -> float:
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._learning_rate = checks.learning_rate(value)
        self._alpha = np.array(self._learning_rate, self.dtype)  # see engine.constants

    @property
    def batch_size(self) -> int | None:
        """Examples per batch; None for the full batch. A change starts with the next epoch."""
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value: int | None) -> None:
        self._batch_size = checks.batch_size(value)

    @property
    def lambd(self) -> float:
        return self._lambd

    @lambd.setter
    def lambd(self, value: float) -> None:
        self._lambd = checks.lambd(value)

    @property
    def l1(self) -> float:
        return self._l1

    @l1.setter
    def l1(self, value: float) -> None:
        self._l1 = checks.l1(value)

    @property
    def optimizer_name(self) -> str:
        return self.optimizer.name

    @optimizer_name.setter
    def optimizer_name(self, name: str) -> None:
        """Switch optimiser; the new one starts with empty running averages."""
        self.optimizer = make_optimizer(name)

    # -- what the model is ----------------------------------------------------------------

    @property
    def activations(self) -> list[str]:
        return [g.name for g in self.gs]

    @property
    def m(self) -> int:
        """Training examples."""
        return self.X.shape[1]

    @property
    def is_classification(self) -> bool:
        return self.cost in ("bce", "ce")

    @property
    def in_epoch(self) -> bool:
        """True between a phase step and the end of that epoch."""
        return self._run is not None

    # -- running --------------------------------------------------------------------------

    def reset(self) -> None:
        """Re-initialise the weights from the seed and forget all training."""
        self._adopt(init_params(self.layer_dims, init=self.init, seed=self.seed, dtype=self.dtype))
        self.optimizer = make_optimizer(self.optimizer_name)
        self._rng = np.random.default_rng(None if self.seed is None else self.seed + 1)
        self._rng_state: dict | None = None  # its state, read once after each draw
        self.epoch = 0
        self.history = History(health=self._health_record())
        self.last_stats: EpochStats | None = None
        self._run: Iterator[Record] | None = None
        self.last_phase: Phase | None = None
        self.checkpoints = Checkpoints()
        self._keep_good()
        self.peek()

    def peek(self) -> None:
        """A forward pass with no update, so every A[l] and Z[l] exists before training."""
        X, _ = self._first_batch()
        self._caches: list[Cache] = list(forward_layers(X, self.params, self.gs))
        self._grads: list[LayerGrads | None] = [None] * self.L
        bs = self.batch_size
        self._batch_columns = None if bs is None or bs >= self.m else np.arange(bs)
        self._batch_cost = math.nan
        self._updated: tuple[Params, float, Optimizer] | None = None  # the last update's
        self._after_update = False  # the weights changed since the latest forward pass

    def set_weight(self, l: int, j: int, k: int, value: float) -> None:
        """W[l][j, k] = value, between epochs: the forward pass is run again so every A[l]
        and Z[l] follows, and the edited weights count as the last finite ones. A ValueError
        mid-epoch, for an index outside W[l] (n_l, n_{l-1}) or a value that is not finite."""
        if self.in_epoch:
            raise ValueError("an epoch is in progress (phase stepping); finish it first")
        if not 1 <= l <= self.L:
            raise ValueError(f"there is no layer {l}; the layers are 1 .. {self.L}")
        W_l = self.params[f"W{l}"]
        if not (0 <= j < W_l.shape[0] and 0 <= k < W_l.shape[1]):
            raise ValueError(f"W[{l}] has shape {W_l.shape}; there is no element ({j}, {k})")
        if not math.isfinite(value) or abs(value) > float(np.finfo(W_l.dtype).max):
            raise ValueError(f"a weight must be a finite {W_l.dtype} number, got {value!r}")
        W_l[j, k] = value  # a view into the flat buffer: the optimiser sees it too
        self._keep_good()
        self.peek()

    @property
    def tensors(self) -> dict[ArrayName, np.ndarray]:
        """Every array of the latest pass by its name: A[0] .. A[L], Z[l], W[l] and b[l] as
        they are now (after the pass's update, if one followed), and once a backward pass
        ran, dZ[l], dW[l], db[l]."""
        tensors: dict[ArrayName, np.ndarray] = {}
        for l, cache in enumerate(self._caches, start=1):
            tensors |= _forward_tensors(l, cache)
            tensors[W(l)], tensors[b(l)] = self.params[W(l).key], self.params[b(l).key]
        for step in self._grads:
            if step is not None:
                tensors |= _gradient_tensors(step)
        return tensors

    @property
    def batches_per_epoch(self) -> int:
        bs = self.batch_size
        return 1 if bs is None or bs >= self.m else math.ceil(self.m / bs)

    def step_phase(self) -> Phase:
        """Run the next phase of the current epoch (starting one if needed) and return it."""
        if self._run is None:
            self._run = self._epoch()
        try:
            with _divergence_is_checked():
                record = next(self._run)
                if record.kind in ("cost", "update"):  # mid-epoch: what the epoch's end checks
                    self._check_finite(record.J)
        except BaseException:
            self._run = None
            raise
        self.last_phase = phase = self._describe(record)
        if phase.kind == "update" and phase.batch == phase.n_batches - 1:
            self._finish_epoch()  # its end: record it, check divergence
        return phase

    def step_epoch(self, stop: Callable[[], bool] | None = None) -> EpochStats:
        """Run one whole epoch, or the rest of the one a phase step started; return its stats.

        ``stop()`` is asked after every batch (every phase of an epoch a phase step began);
        once it says True the epoch is undone (the weights, optimiser state and shuffling
        state of the last recorded epoch come back) and EpochStoppedError is raised."""
        if self._run is None:
            self._whole_epoch(stop)
        else:
            self._finish_epoch(stop)
        self.last_phase = None
        return self.last_stats

    def output(self, X: np.ndarray) -> np.ndarray:
        """AL (n_L, m) for any X (n_x, m), with the current weights."""
        A = np.asarray(X, dtype=self.dtype)
        for cache in forward_layers(A, self.params, self.gs):
            A = cache.A
        return A

    def evaluate(self, X: np.ndarray, Y: np.ndarray) -> tuple[float, float]:
        """(cost, accuracy) on X, Y; accuracy is NaN for regression."""
        J, score, _ = self._measure(X, Y)
        return J, score if self.is_classification else math.nan

    def r2(self, X: np.ndarray, Y: np.ndarray) -> float:
        """R² = 1 - SS_res / SS_tot of the outputs for X (n_x, m) against Y (n_L, m); NaN for
        classification, or when Y does not vary."""
        return self._measure(X, Y)[2]

    def _measure(self, X: np.ndarray, Y: np.ndarray) -> tuple[float, float, float]:
        """(cost, accuracy, R²) on X, Y, each NaN where it does not apply."""
        AL = self.output(X)
        Y = np.asarray(Y, dtype=self.dtype)
        J = compute_cost(AL, Y, self.cost, params=self.params, lambd=self.lambd, l1=self.l1)
        if self.is_classification:
            return J, accuracy(AL, Y), math.nan
        return J, math.nan, _r2(_residual_squares(AL, Y), _total_squares(Y))

    # -- one example, and the latest batch -------------------------------------------------

    def pass_params(self) -> Params:
        """The weights the latest forward pass used: before the update if one followed it."""
        return self._before if self._after_update else self.params

    def trace(self, x: np.ndarray, y: np.ndarray) -> ExampleTrace:
        """Example x (n_x, 1), y (n_L, 1) through the latest pass's weights (copies), by the
        engine's own forward and backward passes on that column."""
        params = {key: value.copy() for key, value in self.pass_params().items()}
        x, y = np.asarray(x, dtype=self.dtype), np.asarray(y, dtype=self.dtype)
        return trace_example(params, self.gs, self.cost, x, y)

    def batch_record(self, l: int) -> BatchRecord:
        """What the latest batch computed for layer l (copies): m, columns, J, dW[l], db[l]
        and the last update of W[l] and b[l] with the optimiser's state after it."""
        step = self._grads[l - 1]
        update = None
        if self._updated is not None:
            grads, rate, opt = self._updated
            W_, b_ = f"W{l}", f"b{l}"
            state = {f"{name}_{key}": np.copy(getattr(opt, name)[key])
                     for name in opt.state_arrays for key in (W_, b_)
                     if key in getattr(opt, name)}  # fmt: skip
            update = UpdateRecord(
                opt.name, opt.equation, rate, self._before[W_].copy(), self._before[b_].copy(),
                self.params[W_].copy(), self.params[b_].copy(), grads[f"d{W_}"].copy(),
                grads[f"d{b_}"].copy(), state, {c: int(getattr(opt, c)) for c in opt.counters},
            )  # fmt: skip
        columns = None if self._batch_columns is None else self._batch_columns.copy()
        return BatchRecord(
            self._caches[0].A_prev.shape[1], columns, self._batch_cost,
            None if step is None else step.dW.copy(), None if step is None else step.db.copy(),
            update,
        )  # fmt: skip

    # -- saving and restoring -------------------------------------------------------------

    def state(self) -> dict:
        """Everything that decides the next epoch: weights, optimiser state, epoch, history and
        the shuffling generator, and the checkpoints. Arrays are copies (the checkpoints'
        are shared: they are never written); the rest is plain JSON-able data."""
        if self.in_epoch:
            raise ValueError("an epoch is in progress (phase stepping); finish it first")
        return {
            "params": {key: value.copy() for key, value in self.params.items()},
            "optimizer": self.optimizer_name,
            "optimizer_state": {k: np.copy(v) for k, v in self.optimizer.state().items()},
            "epoch": self.epoch,
            "history": self.history.columns(),
            "health": self.history.health.columns(),
            "rng": _jsonable(self._rng.bit_generator.state),
            "checkpoints": [c._replace(rng=_jsonable(c.rng)) for c in self.checkpoints],
        }

    def restore(self, state: dict) -> None:
        """Continue from ``state()``; a ValueError if its weights do not fit this network."""
        params = state["params"]
        expected = param_shapes(self.layer_dims)
        if set(params) != set(expected):
            raise ValueError(f"expected weights {sorted(expected)}, got {sorted(params)}")
        for key, shape in expected.items():
            if params[key].shape != shape:
                raise ValueError(f"{key} has shape {params[key].shape}, expected {shape}")
        self._run = None
        self._adopt(params)
        self.optimizer_name = state["optimizer"]
        self.optimizer.load_state(state["optimizer_state"])
        self.epoch = int(state["epoch"])
        self.history = History(state["history"], self._health_record(state.get("health")))
        self._rng.bit_generator.state = _from_jsonable(state["rng"])
        self._rng_state = None
        self.last_phase = None
        saved = state.get("checkpoints") or ()  # none in files written before them
        self.checkpoints = Checkpoints([c._replace(rng=_from_jsonable(c.rng)) for c in saved])
        self._keep_good()
        self.peek()

    def rewind(self, epoch: int) -> int:
        """Back to the latest checkpoint at or before ``epoch``: its weights, optimiser state
        and shuffling state; the history and the checkpoints after it are dropped. Returns
        the checkpoint's epoch. Training on from there gives exactly the weights a run
        stopped at that epoch would have. A ValueError mid-epoch or before epoch 0."""
        if self.in_epoch:
            raise ValueError("an epoch is in progress (phase stepping); finish it first")
        checkpoint = self.checkpoints.at_or_before(epoch)
        self._go_to(checkpoint)
        return checkpoint.epoch

    def rewound(self, epoch: int) -> "Trainer":
        """A new Trainer rewound to the latest checkpoint at or before ``epoch``; this one is
        not touched. It shares the data and the checkpoints' arrays (neither is ever
        written) and has its own weights, optimiser, generator, history and checkpoints."""
        other = self.until(epoch)
        other.rewind(epoch)
        return other

    def until(self, epoch: int) -> "Trainer":
        """The cheap half of ``rewound``, for a caller that holds a lock against training: a
        copy with its own history and checkpoints of epochs <= ``epoch``. Call its
        ``rewind(epoch)`` (the costly half: new weight buffers and a forward pass) before
        anything else: until then it shares its weights and optimiser with this one."""
        if self.in_epoch:
            raise ValueError("an epoch is in progress (phase stepping); finish it first")
        other = copy.copy(self)
        other.history = self.history.until(epoch)
        other.checkpoints = self.checkpoints.until(epoch)
        return other

    def _go_to(self, checkpoint: Checkpoint) -> None:
        """Take checkpoint's state in new objects (nothing shared is written)."""
        params, start = {}, 0
        for key, value in self.params.items():
            params[key] = checkpoint.flat[start : start + value.size].reshape(value.shape)
            start += value.size
        self._run = None
        self._adopt(params)
        self.optimizer = make_optimizer(checkpoint.optimizer)
        self.optimizer.load_state(checkpoint.state)
        self._rng = np.random.Generator(type(self._rng.bit_generator)())
        self._rng.bit_generator.state = checkpoint.rng
        self._rng_state = None
        self.epoch = checkpoint.epoch
        self.history = self.history.until(checkpoint.epoch)
        self.checkpoints = self.checkpoints.until(checkpoint.epoch)
        self.last_stats = None
        self.last_phase = None
        self._keep_good()
        self.peek()

    # -- internals ------------------------------------------------------------------------

    def _finish_epoch(self, stop: Callable[[], bool] | None = None) -> None:
        """Run the epoch in progress to its end (which records it or raises DivergedError),
        or undo it and raise EpochStoppedError as soon as ``stop()`` says so."""
        try:
            with _divergence_is_checked():
                for _ in self._run:
                    if stop is not None and stop():
                        self._undo_epoch()
                        raise EpochStoppedError(self.epoch)
        finally:
            self._run = None

    def _undo_epoch(self) -> None:
        """Back to the end of the last recorded epoch, shuffling state included."""
        self._restore_good()
        if self._epoch_rng is not None:
            self._rng.bit_generator.state = self._epoch_rng
            self._rng_state = None

    def _first_batch(self) -> tuple[np.ndarray, np.ndarray]:
        if self.batch_size is None or self.batch_size >= self.m:
            return self.X, self.Y
        return self._XT[: self.batch_size].T, self._YT[: self.batch_size].T

    def _batches(self) -> list[tuple[np.ndarray | None, np.ndarray, np.ndarray]]:
        """Full batch as in the article, or mini-batches of a fresh permutation each epoch:
        (the training columns it holds, None for all; X (n_x, bs); Y (n_L, bs))."""
        bs = self._batch_size
        if bs is None or bs >= self.X.shape[1]:
            self._epoch_rng = None
            return [(None, self.X, self.Y)]
        self._epoch_rng = self._shuffling_state()  # for _undo_epoch
        order = self._rng.permutation(self.m)
        self._rng_state = None
        XT, YT = _rows(self._XT, order), _rows(self._YT, order)
        return [
            (order[start : start + bs], XT[start : start + bs].T, YT[start : start + bs].T)
            for start in range(0, self.m, bs)
        ]

    def _epoch(self) -> Iterator["Record"]:
        """One epoch as a generator: after each phase it yields a Record of what it computed
        (``step_phase`` turns that into a Phase); at its end the epoch is recorded."""
        started = time.perf_counter()
        batches = self._batches()
        n = len(batches)
        total_cost = total_score = 0.0
        for i, (columns, Xb, Yb) in enumerate(batches):
            self._batch_columns, self._after_update = columns, False
            for l, cache in enumerate(forward_layers(Xb, self.params, self.gs), start=1):
                self._caches[l - 1] = cache
                yield Record("forward", l, i, n, Yb)
            J, score = self._score(self._caches[-1].A, Yb)
            total_cost, total_score = total_cost + J * Yb.shape[1], total_score + score
            yield Record("cost", None, i, n, Yb, J)
            grads: Params = {}
            for step in self._backward(Yb):
                grads[f"dW{step.l}"], grads[f"db{step.l}"] = step.dW, step.db
                yield Record("backward", step.l, i, n, Yb)
            self._update(grads)
            yield Record("update", None, i, n, Yb, J)
        self._end_epoch(total_cost, total_score, started)

    @_divergence_is_checked()  # as a decorator: cheaper than a with block
    def _whole_epoch(self, stop: Callable[[], bool] | None) -> None:
        """One whole epoch straight through: per batch the same layer functions as
        ``_epoch`` in the same order (so the same parameters, bit for bit), without its
        generator and per-phase records, writing into arrays kept from batch to batch
        (``_works``; dW[l] and db[l] are views into one flat gradient, which
        ``backward_into`` scales by 1/m at once and gradient descent reads in one pass).
        ``stop()`` is asked after every batch."""
        started = time.perf_counter()
        total_cost = total_score = 0.0
        for columns, Xb, Yb in self._batches():
            self._batch_columns, self._after_update = columns, False
            works = self._works_for(Yb.shape[1])
            A = Xb
            for l, (W_l, b_l, g) in enumerate(self._layers):
                self._caches[l] = cache = layer_forward(A, W_l, b_l, g, works[l])
                A = cache.A
            J, score = self._score(A, Yb)
            total_cost, total_score = total_cost + J * Yb.shape[1], total_score + score
            self._grads = backward_into(
                Yb, self._caches, self.gs, self.cost, works, self._dflat, self._lambd, self._l1
            )
            self._update(self._flat_grads, flat=True)
            if stop is not None and stop():
                self._undo_epoch()
                raise EpochStoppedError(self.epoch)
        self._end_epoch(total_cost, total_score, started)

    def _score(self, AL: np.ndarray, Y: np.ndarray) -> tuple[float, float]:
        """The batch's J, and its count of correct labels (classification) or its SS_res.
        One sigmoid output's cost and count come from one pass (Y holds 0s and 1s)."""
        if self.cost == "bce" and AL.shape[0] == 1:
            J, score = binary_cross_entropy_scored(AL, self._binary_labels(Y))
            if self._lambd or self._l1:
                J += penalty(self.params, self._lambd, self._l1, Y.shape[1])
        else:
            J = compute_cost(AL, Y, self.cost, params=self.params, lambd=self.lambd, l1=self.l1)
            score = accuracy(AL, Y) * Y.shape[1] if self.is_classification else None
        self._batch_cost = J
        return J, _residual_squares(AL, Y) if score is None else score

    def _binary_labels(self, Y: np.ndarray) -> BinaryLabels:
        """Y (1, m) with the forms of it the one-pass cost reads: the full batch's made once,
        a mini-batch's anew."""
        labels = self._labels
        if labels is None or labels.Y is not Y:
            labels = self._labels = binary_labels(Y)
        return labels

    def _backward(self, Y: np.ndarray) -> Iterator[LayerGrads]:
        """Layer L's gradients, then L-1's, ..., then 1's, each kept in ``_grads``."""
        AL = self._caches[-1].A
        steps = backward_layers(AL, Y, self._caches, self.gs, self.cost, self.lambd, self.l1)
        for step in steps:
            self._grads[step.l - 1] = step
            yield step

    def _works_for(self, m: int) -> list[Work]:
        """Layer 1 .. L's arrays for batches of m examples, made once per batch size; dW[l]
        and db[l] are the views into ``_dflat``, the flat gradient, where they sit side by
        side."""
        works = self._works.get(m)
        if works is None:
            dims, dtype, ones = self.layer_dims, self.dtype, np.ones((m, 1), self.dtype)
            works = [
                Work(np.empty((n, m), dtype), np.empty((n, m), dtype), np.empty((n, m), dtype),
                     self._flat_grads[f"dW{l}"], self._flat_grads[f"db{l}"], ones,
                     np.empty((dims[l - 1], m), dtype) if l > 1 else None)
                for l, n in enumerate(dims[1:], start=1)
            ]  # fmt: skip
            self._works[m] = works
        return works

    def _update(self, grads: Params, flat: bool = False) -> None:
        """The optimiser's step, keeping the weights before it for ``pass_params``; ``flat``:
        ``grads`` are the views into ``_dflat`` (``_flat_grads``). Gradient descent then
        writes the new weights into the buffer of the weights before the last update, and
        the two buffers swap roles, instead of copying the weights before it first."""
        if flat and isinstance(self.optimizer, GradientDescent):
            self.optimizer.descend_into(self._flat, self._dflat, self._alpha, out=self._before_flat)
            self._swap_weights()
        else:
            np.copyto(self._before_flat, self._flat)
            self.optimizer.update(self.params, grads, self._learning_rate)
        self._updated = (grads, self._learning_rate, self.optimizer)
        self._after_update = True

    def _describe(self, record: "Record") -> Phase:
        """The Phase a record stands for, with the arrays it involved under their names."""
        kind, l, L = record.kind, record.layer, self.L
        tensors: dict[ArrayName, np.ndarray] = {}
        computed: ArrayName | None = None  # the cost phase computes J, not an array
        if kind == "forward":
            tensors |= _forward_tensors(l, self._caches[l - 1])
            computed = A(l)
        elif kind == "cost":
            tensors[A(L)] = self._caches[-1].A
        elif kind == "backward":
            step = self._grads[l - 1]
            tensors |= _forward_tensors(l, self._caches[l - 1]) | _gradient_tensors(step)
            if l < L:
                tensors[dA(l)] = self._grads[l].dA_prev
            if step.dA_prev is not None:
                tensors[dA(l - 1)] = step.dA_prev
            computed = dW(l)
        else:
            for k, step in enumerate(self._grads, start=1):
                tensors |= {W(k): self.params[W(k).key], b(k): self.params[b(k).key]}
                tensors |= {dW(k): step.dW, db(k): step.db}
            computed = W(1)
        g = self.gs[l - 1].name if l else ""
        natural_output = self.gs[-1].name == get_cost(self.cost).output
        return Phase(
            kind, l, L, record.batch, record.n_batches, tensors, record.Y, computed, activation=g,
            cost=self.cost, cost_value=record.J, lambd=self.lambd, l1=self.l1,
            update_rule=self.optimizer.equation, learning_rate=self.learning_rate,
            shortcut=kind == "backward" and l == L and natural_output,
        )  # fmt: skip

    def _end_epoch(self, total_cost: float, total_score: float, started: float) -> None:
        """Check for divergence, then record the epoch (or roll back and raise DivergedError).
        The training cost, accuracy and R² are those of the epoch's batches as they went:
        from the sums over them of J * m_batch and of the score (``_score``)."""
        m = self.X.shape[1]
        train_cost = total_cost / m
        if self.is_classification:
            train_acc, train_r2 = total_score / m, math.nan
        else:
            train_acc, train_r2 = math.nan, _r2(total_score, self._ss_tot)
        self._check_finite(train_cost)
        self.epoch += 1
        test_cost = test_acc = test_r2 = math.nan
        if self.X_test is not None:
            test_cost, test_acc, test_r2 = self._measure(self.X_test, self.Y_test)
        seconds = time.perf_counter() - started
        self.last_stats = EpochStats(
            self.epoch, train_cost, test_cost, train_acc, test_acc, seconds, train_r2, test_r2
        )
        self.history.append(self.last_stats)
        before = self._good_flat
        self._keep_good()
        if self.record_health:
            self.history.health.note(self.epoch, before, self._good_flat, self._caches, self._grads)

    def _swap_weights(self) -> None:
        """The buffer holding the weights before the last update becomes the weights, and the
        weights so far become the weights before it (their views and layers with them)."""
        self._flat, self._before_flat = self._before_flat, self._flat
        self.params, self._before = self._before, self.params
        self._layers, self._layers_before = self._layers_before, self._layers

    def _health_record(self, saved: dict[str, np.ndarray] | None = None) -> HealthRecord:
        """An empty health record for this network, or the one ``state()`` saved."""
        return HealthRecord(self.gs, self._W_slices, saved, self.health_budget)

    def _check_finite(self, cost: float) -> None:
        """Unless the cost and every weight are finite, roll back to the last finite epoch's
        weights and optimiser state and raise DivergedError. O(number of weights)."""
        # Σ θ·0 over all the weights θ is 0 when every one is finite, NaN when one is not
        # (0·±inf and 0·NaN are NaN): one dot product, without a float64 copy.
        if math.isfinite(cost) and math.isfinite(self._flat.dot(self._zeros)):
            return
        bad_layer = self._first_non_finite_layer()
        self._restore_good()
        raise DivergedError(self.epoch + 1, bad_layer, cost)

    def _first_non_finite_layer(self) -> int | None:
        for l in range(1, self.L + 1):
            arrays = (self.params[f"W{l}"], self.params[f"b{l}"], self._caches[l - 1].Z)
            if not all(np.isfinite(a).all() for a in arrays):
                return l
        return None

    def _adopt(self, params: Params) -> None:
        """Hold all of W[l] and b[l] in one contiguous buffer, ``params`` being views into it
        (so update them in place, as the optimisers do). The checks at each epoch's end are
        then single passes: are all weights finite, and keep a copy of the last good ones."""
        params = {key: params[key] for key in param_shapes(self.layer_dims)}  # W1, b1, W2, ...
        self._flat = np.concatenate([np.asarray(p, self.dtype).ravel() for p in params.values()])
        self._before_flat = self._flat.copy()  # the weights before the last update
        self.params, self._before = {}, {}
        places = {}
        start = 0
        for key, value in params.items():
            where = slice(start, start + value.size)
            self.params[key] = self._flat[where].reshape(value.shape)
            self._before[key] = self._before_flat[where].reshape(value.shape)
            places[key] = where
            start += value.size
        self._W_slices = [places[f"W{l}"] for l in range(1, self.L + 1)]  # W[l] in the buffer
        self._layers, self._layers_before = (
            [(weights[f"W{l}"], weights[f"b{l}"], g) for l, g in enumerate(self.gs, start=1)]
            for weights in (self.params, self._before)
        )  # the whole epoch's (W[l], b[l], g[l]), l = 1 .. L, of each buffer
        self._dflat = np.empty_like(self._flat)  # dW[l] and db[l] of the whole-epoch path
        self._zeros = np.zeros_like(self._flat)  # for _check_finite
        self._flat_grads = {f"d{key}": self._dflat[where].reshape(params[key].shape)
                            for key, where in places.items()}  # fmt: skip
        self._works: dict[int, list[Work]] = {}  # by batch size (_works_for)
        self._good_flat = self._flat.copy()

    def _keep_good(self) -> None:
        """Remember the weights and optimiser state of the last finite epoch, in a new copy:
        the old one stays as it is, the health record's weights before the epoch. The copies
        are the epoch's checkpoint too (with the shuffling state): never write into them."""
        self._good_flat = self._flat.copy()
        self._good_optimizer = {key: np.copy(v) for key, v in self.optimizer.state().items()}
        self.checkpoints.add(
            Checkpoint(
                self.epoch,
                self._good_flat,
                self.optimizer.name,
                self._good_optimizer,
                self._shuffling_state(),
            )
        )

    def _shuffling_state(self) -> dict:
        """The shuffling generator's state, read anew only after it drew or was set: a read
        builds a new dict (~3 µs, a tenth of a tiny network's epoch), and a full-batch
        epoch never draws. The dict is shared by checkpoints and never written."""
        if self._rng_state is None:
            self._rng_state = self._rng.bit_generator.state
        return self._rng_state

    def _restore_good(self) -> None:
        """Back to the last finite epoch's weights and optimiser state, after an epoch that
        wrote the arrays the health record may hold for its latest entry."""
        self.history.health.forget_latest()
        np.copyto(self._flat, self._good_flat)  # the views in self.params see it at once
        self.optimizer = make_optimizer(self.optimizer.name)
        self.optimizer.load_state(self._good_optimizer)
        self.last_phase = None
        self.peek()


def _residual_squares(AL: np.ndarray, Y: np.ndarray) -> float:
    """SS_res = Σ (A[L] - Y)² over the (n_L, m) entries, in float64."""
    diff = (AL - Y).astype(np.float64, copy=False)
    return float(np.vdot(diff, diff))


def _total_squares(Y: np.ndarray) -> float:
    """SS_tot = Σ (Y - mean of its row)² over Y (n_L, m), in float64."""
    centred = Y.astype(np.float64) - Y.astype(np.float64).mean(axis=1, keepdims=True)
    return float(np.vdot(centred, centred))


def _r2(residual_squares: float, total_squares: float) -> float:
    """1 - SS_res / SS_tot; NaN when the targets do not vary (or SS_res is not a number)."""
    if total_squares <= 0 or math.isnan(residual_squares):
        return math.nan
    return 1 - residual_squares / total_squares


def _jsonable(state: dict) -> dict:
    """A bit generator's state with its big integers as strings (JSON has no 128-bit ints)."""
    return {k: _jsonable(v) if isinstance(v, dict) else str(v) if isinstance(v, int) else v
            for k, v in state.items()}  # fmt: skip


def _from_jsonable(state: dict) -> dict:
    return {k: _from_jsonable(v) if isinstance(v, dict) else int(v) if k != "bit_generator" else v
            for k, v in state.items()}  # fmt: skip


def _forward_tensors(l: int, cache: Cache) -> dict[ArrayName, np.ndarray]:
    """Layer l's forward arrays under their names."""
    return {A(l - 1): cache.A_prev, W(l): cache.W, b(l): cache.b, Z(l): cache.Z, A(l): cache.A}


def _gradient_tensors(step: LayerGrads) -> dict[ArrayName, np.ndarray]:
    """Layer l's gradients under their names."""
    return {dZ(step.l): step.dZ, dW(step.l): step.dW, db(step.l): step.db}


def train(
    X: np.ndarray,
    Y: np.ndarray,
    layer_dims: Sequence[int],
    epochs: int,
    lr: float,
    *,
    batch_size: int | None = None,
    optimizer: str = "gd",
    lambd: float = 0.0,
    l1: float = 0.0,
    activations: str | Sequence[str] | None = None,
    cost: str = "bce",
    init: str = "he",
    seed: int | None = None,
    dtype: type | np.dtype = np.float32,
) -> tuple[Params, list[float]]:
    """Train a fresh network for ``epochs`` epochs; return (params, cost_history).

    The article's ``train``, working: cost_history holds one training cost per epoch.
    X is (n_x, m), Y is (n_L, m), layer_dims = [n_x, n_1, ..., n_L]. X and Y are float32 or
    float64 (integers and bools are converted to ``dtype``); a misuse is a ValueError or
    TypeError that names the parameter.
    """
    epochs = checks.whole_number(epochs, "epochs")
    lr = checks.learning_rate(lr, "lr, the learning rate,")
    trainer = Trainer(
        X, Y, layer_dims, activations=activations, cost=cost, learning_rate=lr,
        batch_size=batch_size, optimizer=optimizer, lambd=lambd, init=init, seed=seed,
        dtype=dtype, l1=l1,
    )  # fmt: skip
    for _ in range(epochs):
        trainer.step_epoch()
    return trainer.params, trainer.history.train_cost.tolist()
