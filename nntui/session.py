"""The one object the front ends talk to: a data set and a Trainer behind one lock.

The app and ``nntui train`` never do the math and never reach into the Trainer. They ask
the Session to step, reset or change a hyperparameter, and they ask it questions whose
answers are plain numbers, shape tuples, immutable records and copies of arrays, safe to
hand from the training thread to the UI thread. A lock makes every call atomic, so the UI
can change the learning rate while a thread trains. Costly summaries (a decision grid, a
report) are computed by the caller on copies, outside the lock: see ``nntui.panes``.
"""

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from engine.costs import COSTS
from engine.data import (
    REGISTRY,
    Dataset,
    Prepared,
    Progress,
    Standardizer,
    load_dataset,
    prepare,
    read_csv,
)
from engine.features import DEFAULT_FEATURES, expand, with_features
from engine.files import check_output_file
from engine.gradcheck import GradCheck, gradient_check
from engine.health import Finding, findings
from engine.initializers import pass_shapes
from engine.lrfind import LRFind, LRModel, find_learning_rate
from engine.names import ArrayName, LayerKind
from engine.phases import Phase
from engine.propagation import forward_prop
from engine.trace import BatchRecord, ExampleTrace, batch_share
from engine.trainer import EpochStats, Trainer
from nntui.config import (
    FIELDS,
    LIVE_FIELDS,
    Config,
    ConfigError,
    config_from_mapping,
    config_to_mapping,
    format_field,
    parse_seed,
    write_config,
)
from nntui.reopen import data_difference, data_record, locate_data, network_difference

if TYPE_CHECKING:  # model files load on first use: the first frame does not wait for them
    from engine.persist import SavedModel

RATE_WINDOW_SECONDS = 1.0
#: Rebuild fields that change the data itself, so that it is read or drawn again.
DATA_SETTINGS = frozenset({"dataset", "features", "noise", "points", "data_seed"})
HEALTH_BUDGET = 0.01  # health may compute for this share of the time; noting each epoch
# costs ~2-3 % more (engine.health; bench/run.py measures the whole against its 5 % goal)
HISTORY_POINTS = 1000  # a view carries at most this many epochs of each history column
GRADCHECK_EXAMPLES = 32
GRADCHECK_PER_LAYER = 40
UNDO_STEPS = 5  # at most this many rebuilds, resets and opens can be undone ...
UNDO_BYTES = 256 * 2**20  # ... and older ones are dropped once their data take more than this


@dataclass(frozen=True)
class PhaseView:
    """What the last phase step did, as text and a place in the network."""

    kind: str
    layer: int | None
    direction: str
    title: str
    equations: tuple[str, ...]

    @classmethod
    def of(cls, phase: Phase) -> "PhaseView":
        return cls(phase.kind, phase.layer, phase.direction, phase.title, tuple(phase.equations))


@dataclass(frozen=True)
class TrainingState:
    """Where training is: the epoch, whether a phase step stopped inside one, the speed."""

    epoch: int
    in_epoch: bool
    epochs_per_second: float
    phase: PhaseView | None
    viewing: int | None = None  # the checkpoint's epoch the panes show; None: the present


@dataclass(frozen=True)
class ModelFacts:
    """What the network is and what it learns from; fixed until the next rebuild."""

    dataset: str
    task: str
    classes: tuple[str, ...]
    layer_dims: tuple[int, ...]
    activations: tuple[str, ...]
    cost_title: str
    m_train: int
    m_test: int
    feature_names: tuple[str, ...] = ()  # the inputs' names, x1 .. or a table's columns
    target_name: str = ""
    target_std: float | None = None  # regression: the training targets' std, own units
    generated: bool = False  # a seeded 2-D generator: regenerate_data() draws it anew

    @property
    def L(self) -> int:
        return len(self.layer_dims) - 1

    @property
    def output_names(self) -> tuple[str, ...]:
        """What each output unit stands for: its class, p(class 1) for a single sigmoid
        output of two classes, or the target for regression."""
        n_L = self.layer_dims[-1]
        if len(self.classes) == n_L:
            return self.classes
        if len(self.classes) == 2 and n_L == 1:
            return (f"p({self.classes[1]})",)
        return (self.target_name,) * n_L

    @property
    def regression(self) -> bool:
        return self.task == "regression"

    @property
    def score_name(self) -> str:
        """What the second number after the cost is: 'accuracy', or 'R²' for regression."""
        return "R²" if self.regression else "accuracy"


@dataclass(frozen=True)
class HealthColumns:
    """The recorded health (engine.health), copied: entry i holds epoch ``epochs[i]``;
    ``series`` (n, 5, L) in the order of engine.health.SERIES, ``w_quantiles`` and
    ``a_quantiles`` (n, L, 17); each layer's failure kind ('dead', 'saturated' or ''); what
    the latest epochs say."""

    epochs: np.ndarray
    series: np.ndarray
    w_quantiles: np.ndarray
    a_quantiles: np.ndarray
    kinds: tuple[str, ...]
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class HistoryColumns:
    """Per-epoch columns, sampled: entry i holds epoch ``epochs[i]``."""

    epochs: tuple[int, ...]
    train_cost: tuple[float, ...]
    test_cost: tuple[float, ...]
    train_acc: tuple[float, ...]
    test_acc: tuple[float, ...]
    train_r2: tuple[float, ...] = ()  # regression: 1 - SS_res / SS_tot; NaN for classes
    test_r2: tuple[float, ...] = ()
    train_rmse: tuple[float, ...] = ()  # regression: root mean squared error, target's units
    test_rmse: tuple[float, ...] = ()

    @staticmethod
    def last(column: tuple[float, ...]) -> float:
        return column[-1] if column else float("nan")


@dataclass(frozen=True)
class TensorCopy:
    """A copy of one array, with the layer's Z and activation and, for W, its epoch start."""

    name: ArrayName
    array: np.ndarray
    Z: np.ndarray | None
    activation: str | None
    previous: np.ndarray | None


@dataclass(frozen=True)
class ModelCopy:
    """Copies of the weights and the activations: AL for any X, without the Session's lock."""

    params: dict[str, np.ndarray]
    activations: tuple[str, ...]
    dtype: np.dtype
    target_mean: float = 0.0  # regression: a prediction is AL · target_std + target_mean
    target_std: float = 1.0

    def output(self, X: np.ndarray) -> np.ndarray:
        """AL (n_L, m) for X (n_x, m), computed as the Trainer computes it."""
        AL, _ = forward_prop(np.asarray(X, dtype=self.dtype), self.params, self.activations)
        return AL

    def prediction(self, X: np.ndarray) -> np.ndarray:
        """AL (n_L, m) for X (n_x, m) in the target's own units (for regression; for
        classification the same as ``output``)."""
        return self.output(X) * self.target_std + self.target_mean


@dataclass(frozen=True)
class Plane:
    """A 2-D data set's own plane, for pictures over it: the training and test points in
    plane coordinates (x1, x2 centred on the training part's means and divided by one scale,
    the larger of their standard deviations, so that a circle stays round) and their
    labels (class index) or targets (regression, target's units); ``inputs`` turns plane
    points into the network's input X (n_x, m), features and all."""

    X_train: np.ndarray  # (2, m_train)
    y_train: np.ndarray  # (m_train,)
    X_test: np.ndarray  # (2, m_test)
    y_test: np.ndarray  # (m_test,)
    mean: np.ndarray  # (2, 1) of the raw x1, x2
    std: np.ndarray  # (2, 1)
    features: tuple[str, ...]
    scaler: Standardizer

    def inputs(self, P: np.ndarray) -> np.ndarray:
        """X (n_x, m) for plane points P (2, m): raw x1, x2, the features, standardised."""
        raw = P * self.std + self.mean
        X = raw if self.features == DEFAULT_FEATURES else expand(raw, self.features)
        return self.scaler.transform(X)


class Examples(NamedTuple):
    """The Trainer's X (n_x, m), Y (n_L, m) and, if there is a test part, X_test, Y_test."""

    X: np.ndarray
    Y: np.ndarray
    X_test: np.ndarray | None
    Y_test: np.ndarray | None


@dataclass(frozen=True)
class UndoStep:
    """What undo would bring back: which change it undoes and the model before it."""

    what: str  # e.g. "rebuild (hidden layers)", "reset", "open m.npz"
    model: str  # e.g. "epoch 3,214 of circles 2-4-1"


@dataclass(frozen=True)
class _Kept:
    """A model as the Session held it before a rebuild, a reset or an open: the Trainer
    object itself (nothing copied, so an epoch in progress and the shuffling generator
    come back exactly), with its data, setup and saved-or-not flag."""

    step: UndoStep
    config: Config
    dataset: Dataset
    prepared: Prepared
    trainer: Trainer
    epoch_start: dict[str, np.ndarray]
    phase_view: "PhaseView | None"
    read_from: dict[str, str] = field(default_factory=dict)
    notice: str = ""
    unsaved: bool = False

    @property
    def nbytes(self) -> int:
        """The memory it keeps alive, at most: the data set, its split, the Trainer's own
        (transposed) copy of the training part, and its checkpoints."""
        p, data = self.prepared, self.dataset
        split = p.X_train.nbytes + p.Y_train.nbytes + p.X_test.nbytes + p.Y_test.nbytes
        return data.X.nbytes + data.Y.nbytes + 2 * split + self.trainer.checkpoints.nbytes


@dataclass(frozen=True)
class Explanation:
    """Example ``index`` of the ``split`` part (train or test, 0-based, of ``m`` examples):
    its input raw (n_x,) and standardised (the Trainer's column), its label, its trace
    through the latest pass's weights, and, for layer l, what the latest batch computed."""

    split: str
    index: int
    m: int
    row: int  # the example's row in the data as loaded
    features: tuple[str, ...]
    x_raw: np.ndarray
    label: str
    trace: ExampleTrace
    batch: BatchRecord
    share: tuple[np.ndarray, np.ndarray] | None  # its part of the batch's dW[l], db[l]
    after_update: bool  # the trace's weights are the ones before the last update
    epoch: int
    in_epoch: bool


def _rmse(r2: float, sigma: float) -> float:
    """RMSE = sqrt(1 - R²) · σ (NaN where R² is)."""
    return math.sqrt(max(0.0, 1 - r2)) * sigma if math.isfinite(r2) else math.nan


def _target_scaler(saved: "SavedModel", dataset: Dataset) -> Standardizer | None:
    """The target standardisation a model file holds; a regression model saved before
    targets were standardised was trained on the targets as they are: mean 0, std 1."""
    if saved.target_mean is not None:
        return Standardizer(saved.target_mean, saved.target_std)
    if dataset.task == "regression":
        n_L = dataset.Y.shape[0]
        return Standardizer(np.zeros((n_L, 1)), np.ones((n_L, 1)))
    return None


@dataclass(frozen=True)
class Predictions:
    """Targets Y and the model's outputs Ŷ = A[L] (n_L, m), train and test (None without a
    test part), computed on a copy of the model."""

    Y_train: np.ndarray
    Yhat_train: np.ndarray
    Y_test: np.ndarray | None
    Yhat_test: np.ndarray | None


def history_sample(n: int, most: int = HISTORY_POINTS) -> list[int]:
    """Indices of at most ``most`` (>= 2) of n epochs, evenly spread, always with the last:
    copying a long history whole into every view would slow training the longer it runs."""
    if n <= most:
        return list(range(n))
    return sorted({round(i * (n - 1) / (most - 1)) for i in range(most)})


class Session:
    """A training session: config, data, and the engine's Trainer behind one lock."""

    def __init__(
        self,
        config: Config,
        dataset: Dataset | None = None,
        scaler: Standardizer | None = None,
        target_scaler: Standardizer | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self.config = config.check()
        self.dataset = dataset if dataset is not None else self.load_data(config)
        #: The files this session was read from, by what they are (besides its data CSV).
        self.read_from: dict[str, str] = {}
        self._epoch_times: deque[float] = deque()
        self.notice = ""  # what the user should know about how the session was opened
        self._undo: deque[_Kept] = deque()
        self._build(scaler, target_scaler)

    @classmethod
    def from_file(cls, path: str) -> "Session":
        """A session that continues a saved model where it stopped. ModelFileError, or the
        data's own DataError, if it cannot; nothing else is touched. ``notice`` says where
        the data was found if that is not the path the model gives."""
        from engine.persist import ModelFileError, load_model  # model files: on first use

        saved = load_model(path)
        try:
            config, _ = config_from_mapping(saved.meta.get("config", {}), f"{path} (its setup)")
        except ConfigError as err:
            raise ModelFileError(str(err)) from None
        config, notice = locate_data(config, saved.meta, path)
        dataset = cls.load_data(config)
        difference = data_difference(saved.meta, dataset)
        if difference:
            raise ModelFileError(f"{path}: its data {config.data_label} differs: {difference}")
        scaler = None if saved.mean is None else Standardizer(saved.mean, saved.std)
        target_scaler = _target_scaler(saved, dataset)
        try:  # the file's standardisation may overflow the data: the trainer refuses that
            with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
                session = cls(config, dataset, scaler, target_scaler)
        except ValueError as err:
            raise ModelFileError(f"{path}: does not fit its data ({err})") from None
        difference = network_difference(session._trainer, saved.meta)
        if difference:
            raise ModelFileError(f"{path}: {difference}")
        try:
            session._trainer.restore(saved.state)
        except (ValueError, KeyError, TypeError) as err:
            raise ModelFileError(f"{path}: cannot be restored ({err})") from None
        session._epoch_start = session._weights()
        session.read_from["the model file being continued"] = path
        session.notice = notice
        return session

    def inputs(self) -> dict[str, str]:
        """The files this session reads, by what they are: none is ever written over."""
        data = {"the data CSV": self.config.data_path} if self.config.data_path else {}
        return {**self.read_from, **data}

    def check_output(self, path: str, kind: str, also: dict[str, str] | None = None) -> None:
        """A ValueError unless ``path`` can take a file of ``kind`` (model, config or history):
        no input is written over, except that a model is saved over the one it continues.
        ``also`` names more files to keep."""
        keep = self.inputs() | (also or {})
        if kind == "model":
            keep.pop("the model file being continued", None)
        check_output_file(path, ValueError, keep)

    def save(self, path: str) -> None:
        """Save the model, its setup and its history (atomically). A ValueError mid-epoch or
        for a path that cannot take it."""
        from engine.persist import save_model  # model files: on first use

        self.check_output(path, "model")
        with self._lock:
            meta = {
                "dataset": self.dataset.name,
                "config": config_to_mapping(self.config),
                "classes": self.dataset.classes,
                "features": self.dataset.feature_names,
                **data_record(self.config),
            }
            scaler, target = self.prepared.standardizer, self.prepared.target_scaler
            save_model(path, self._trainer, meta, scaler.mean, scaler.std,
                       None if target is None else (target.mean, target.std))  # fmt: skip
            self._unsaved = False

    def write_config(self, path: str) -> None:
        """Write the setup as TOML; a ValueError for a path that cannot take it."""
        self.check_output(path, "config")
        write_config(path, self.config)

    def export_history(self, path: str) -> None:
        """Write the history as CSV; a ValueError for a path that cannot take it."""
        from engine.persist import write_history_csv  # model files: on first use

        self.check_output(path, "history")
        with self._lock:
            write_history_csv(path, self._trainer.history, self.dataset.task == "regression")

    @staticmethod
    def load_data(config: Config, progress: Progress | None = None) -> Dataset:
        """The data set a config names, with its input features; DataError if it cannot be
        read or the features need 2-D data. ``progress(rows done, rows)`` hears how a
        user's CSV is coming along."""
        if config.data_path:
            data = read_csv(config.data_path, config.target or "",
                            drop_missing=config.drop_missing, task=config.task,
                            missing=config.missing, progress=progress)  # fmt: skip
        else:
            noise = None if config.noise is None else config.noise / 100
            data = load_dataset(config.dataset, points=config.points, noise=noise,
                                seed=config.data_seed)  # fmt: skip
        return with_features(data, config.features)

    def _build(
        self, scaler: Standardizer | None = None, target_scaler: Standardizer | None = None
    ) -> None:
        """A fresh network for the current config and data (weights from the seed)."""
        c = self.config
        self.prepared: Prepared = prepare(self.dataset, c.test_ratio, seed=c.seed, scaler=scaler,
                                          target_scaler=target_scaler)  # fmt: skip
        self._start(self._new_trainer())

    def _new_trainer(self) -> Trainer:
        """A network for the current config on the current split, weights from the seed."""
        c, data, p = self.config, self.dataset, self.prepared
        has_test = p.X_test.shape[1] > 0
        return Trainer(
            p.X_train, p.Y_train, [data.n_x, *c.hidden, p.Y_train.shape[0]],
            activations=[*c.hidden_activations(), data.output_activation],
            cost=data.cost,
            X_test=p.X_test if has_test else None, Y_test=p.Y_test if has_test else None,
            learning_rate=c.learning_rate, batch_size=c.batch_size, optimizer=c.optimizer,
            lambd=c.lambd, init=c.init, seed=c.seed, l1=c.l1, health_budget=HEALTH_BUDGET,
        )  # fmt: skip

    def _start(self, trainer: Trainer) -> None:
        """Train ``trainer`` from here on: nothing of it is unsaved yet."""
        self._trainer = trainer
        self._viewed: Trainer | None = None
        self._epoch_times.clear()
        self._epoch_start: dict[str, np.ndarray] = self._weights()
        self.phase_view: PhaseView | None = None
        self._unsaved = False

    def _weights(self) -> dict[str, np.ndarray]:
        return {k: v.copy() for k, v in self._trainer.params.items() if k.startswith("W")}

    def _before_step(self) -> None:
        """At an epoch boundary, remember W, so that ΔW shows one epoch's change."""
        if not self._trainer.in_epoch:
            self._epoch_start = self._weights()

    # -- what the UI asks ---------------------------------------------------------------------

    def step_epoch(self, stop: Callable[[], bool] | None = None) -> EpochStats:
        """One epoch (or the rest of one). Raises the engine's DivergedError after rolling back,
        or its EpochStoppedError after undoing the epoch once ``stop()`` says so."""
        with self._lock:
            self._before_step()
            self.phase_view = None
            self._unsaved = True
            stats = self._trainer.step_epoch(stop)
            self._tick()
            return stats

    def step_phase(self) -> PhaseView:
        """One phase: forward layer l, the cost, backward layer l, or the update. Raises the
        engine's DivergedError after rolling back, mid-epoch; then no phase is lit."""
        with self._lock:
            self._before_step()
            self.phase_view = None
            self._unsaved = True
            phase = self._trainer.step_phase()
            self.phase_view = PhaseView.of(phase)
            return self.phase_view

    def gradient_check(self) -> GradCheck:
        """The engine's gradient check of the current weights on a few training examples, in
        float64, on copies: training state is not touched."""
        with self._lock:
            params = {k: v.copy() for k, v in self._shown().params.items()}
            t = self._shown()
            X, Y = t.X[:, :GRADCHECK_EXAMPLES], t.Y[:, :GRADCHECK_EXAMPLES]
            activations, cost, lambd, l1 = t.activations, t.cost, t.lambd, t.l1
        return gradient_check(
            params, X, Y, activations, cost, lambd=lambd, l1=l1, max_per_layer=GRADCHECK_PER_LAYER
        )

    def find_learning_rate(self) -> LRFind:
        """The engine's learning-rate finder on a copy of the model (weights, optimiser state,
        data, batch size) taken under the lock, run outside it: the live model is not touched.
        A ValueError mid-epoch."""
        with self._lock:
            model = LRModel.of(self._trainer)
        return find_learning_rate(model)

    def reset(self) -> None:
        """Re-initialise the weights from the seed; the history starts again. ``undo()``
        brings the model before it back."""
        with self._lock:
            kept = self._kept("reset")
            self._start(self._new_trainer())
            self._push(kept)

    def apply(self, name: str, value: Any) -> str:
        """Set one hyperparameter; return 'live' if the running model kept its weights, else
        'rebuild' (which ``undo()`` takes back). On any error (for example data that cannot
        be read) nothing changes."""
        with self._lock:
            if name == "dataset":
                new = self.config.with_dataset(value)
            else:
                new = self.config.with_value(name, value)
            if name in LIVE_FIELDS:
                self._apply_live(name, value)
                self.config = new
                return "live"
            what = f"rebuild ({FIELDS[name].label} = {format_field(new, name)})"
            return self._rebuild(new, name in DATA_SETTINGS, what)

    def regenerate_data(self, seed: int) -> None:
        """Draw a generated 2-D set anew with the data seed ``seed`` and rebuild the network
        on it (weights from the weight seed); a ValueError for data that is not generated.
        Undo brings the old data and network back."""
        with self._lock:
            if not self.config.generated:
                raise ValueError(
                    f"{self.config.data_label} is not generated: only the toy 2-D sets can be "
                    "drawn again with a new seed"
                )
            new = self.config.with_value("data_seed", parse_seed(str(seed)))
            self._rebuild(new, True, f"new data (data seed {seed})")

    def _rebuild(self, new: Config, reload: bool, what: str) -> str:
        """Rebuild on ``new`` (reading its data again if ``reload``), keeping the model before
        it for undo as ``what``; or change nothing and raise. The caller holds the lock."""
        kept = self._kept(what)
        try:
            new.check()
            if reload:
                self.dataset = self.load_data(new)
            self.config = new
            self._build()
        except Exception:
            self._take(kept)
            raise
        self._push(kept)
        return "rebuild"

    def set_weight(self, l: int, j: int, k: int, value: float) -> None:
        """W[l][j, k] = value in the running model; every pane follows on the next frame.
        A ValueError mid-epoch, for an element W[l] does not have or a non-finite value."""
        with self._lock:
            self._trainer.set_weight(l, j, k, value)
            self.phase_view = None
            self._viewed = None

    def _apply_live(self, name: str, value: Any) -> None:
        """Give the Trainer a live hyperparameter (speed is the app's pace: the config holds it)."""
        if name == "learning_rate":
            self._trainer.learning_rate = value
        elif name == "batch_size":
            self._trainer.batch_size = value
        elif name == "lambd":
            self._trainer.lambd = value
        elif name == "l1":
            self._trainer.l1 = value
        elif name == "optimizer":
            self._trainer.optimizer_name = value

    # -- replacing the model, and undoing that ------------------------------------------------

    def take_over(self, other: "Session", what: str) -> None:
        """Hold ``other``'s model from now on (a model file opened with ``from_file``); the
        one held until now is what ``undo()`` brings back."""
        with self._lock:
            kept = self._kept(what)
            self.config, self.dataset, self.prepared = other.config, other.dataset, other.prepared
            self.read_from, self.notice = dict(other.read_from), other.notice
            self._start(other._trainer)
            self._push(kept)

    def undo(self) -> UndoStep | None:
        """Bring back the model as it was before the last rebuild, reset or open: weights,
        optimiser state, history, epoch (an epoch in progress too), shuffling state, setup and
        data, and whether it was saved. None if there is nothing to undo."""
        with self._lock:
            if not self._undo:
                return None
            kept = self._undo.pop()
            self._take(kept)
            return kept.step

    def undo_step(self) -> UndoStep | None:
        """What ``undo()`` would do now; None if nothing."""
        with self._lock:
            return self._undo[-1].step if self._undo else None

    @property
    def unsaved(self) -> bool:
        """True once the model trained (an epoch or a phase) since it was built, reset,
        opened or saved."""
        with self._lock:
            return self._unsaved

    def unsaved_work(self) -> str:
        """'epoch 3,214 of circles 2-4-1, not saved' if a rebuild, reset or open would replace
        trained work that is not in a file; '' if not."""
        with self._lock:
            return f"{self._describe()}, not saved" if self._unsaved else ""

    # -- time travel ----------------------------------------------------------------------

    def _shown(self) -> Trainer:
        """The trainer the drawing queries answer from: the checkpoint viewed, or the live
        one. The caller holds the lock."""
        return self._trainer if self._viewed is None else self._viewed

    def checkpoint_epochs(self) -> tuple[int, ...]:
        """The epochs of the run's checkpoints, oldest first (the latest is the present)."""
        with self._lock:
            return self._trainer.checkpoints.epochs

    @property
    def viewing(self) -> int | None:
        """The epoch of the checkpoint the drawing queries show; None for the present."""
        viewed = self._viewed
        return None if viewed is None else viewed.epoch

    def view(self, epoch: int | None) -> int | None:
        """Show the latest checkpoint at or before ``epoch`` in every drawing query (None, or
        the latest epoch: the present again); training goes on from the present. Returns the
        epoch shown. The checkpoint's trainer is built outside the lock from copies. A
        ValueError mid-epoch."""
        with self._lock:
            t = self._trainer
            if epoch is None or epoch >= t.epoch:
                self._viewed = None
                return None
            viewed = t.until(epoch)
        viewed.rewind(epoch)
        with self._lock:
            if self._trainer is t:  # not replaced meanwhile
                self._viewed = viewed
        return self.viewing

    def rewind(self, epoch: int) -> int:
        """Go on from the latest checkpoint at or before ``epoch``: the history after it is
        dropped; ``undo()`` brings the whole run back. Returns the checkpoint's epoch. A
        ValueError mid-epoch or if there is no such checkpoint."""
        with self._lock:
            rewound = self._trainer.rewound(epoch)
            kept = self._kept(f"rewind to epoch {rewound.epoch:,}")
            self._trainer, self._viewed = rewound, None
            self._epoch_start = self._weights()
            self.phase_view, self._unsaved = None, True
            self._epoch_times.clear()
            self._push(kept)
            return rewound.epoch

    def _describe(self) -> str:
        t = self._trainer
        where = f"epoch {t.epoch:,}" + (" (and part of the next)" if t.in_epoch else "")
        return f"{where} of {self.dataset.name} {'-'.join(map(str, t.layer_dims))}"

    def _kept(self, what: str) -> _Kept:
        return _Kept(
            UndoStep(what, self._describe()), self.config, self.dataset, self.prepared,
            self._trainer, self._epoch_start, self.phase_view, dict(self.read_from),
            self.notice, self._unsaved,
        )  # fmt: skip

    def _push(self, kept: _Kept) -> None:
        """Keep ``kept`` for undo: the last UNDO_STEPS, fewer once they hold over UNDO_BYTES
        (the newest is always kept)."""
        self._undo.append(kept)
        while len(self._undo) > UNDO_STEPS or (
            len(self._undo) > 1 and sum(k.nbytes for k in self._undo) > UNDO_BYTES
        ):
            self._undo.popleft()

    def _take(self, kept: _Kept) -> None:
        self.config, self.dataset, self.prepared = kept.config, kept.dataset, kept.prepared
        self.read_from, self.notice = dict(kept.read_from), kept.notice
        self._trainer, self._epoch_start = kept.trainer, kept.epoch_start
        self.phase_view, self._unsaved = kept.phase_view, kept.unsaved
        self._viewed = None
        self._epoch_times.clear()

    # -- what the front ends ask --------------------------------------------------------------

    @property
    def epoch(self) -> int:
        """Epochs trained so far."""
        with self._lock:
            return self._trainer.epoch

    @property
    def in_epoch(self) -> bool:
        """True between a phase step and the end of its epoch."""
        with self._lock:
            return self._trainer.in_epoch

    @property
    def phase(self) -> PhaseView | None:
        """What the last phase step did; None after an epoch step, a reset or a rebuild, and
        while a checkpoint is viewed."""
        return self.phase_view if self._viewed is None else None

    def training_state(self) -> TrainingState:
        """Epoch, in-epoch flag, speed, the last phase and the checkpoint viewed, at one
        moment."""
        with self._lock:
            t, viewed = self._trainer, self._viewed
            if viewed is None:
                return TrainingState(t.epoch, t.in_epoch, self._rate(), self.phase_view)
            return TrainingState(t.epoch, False, 0.0, None, viewed.epoch)

    def facts(self) -> ModelFacts:
        """What the network is and what it learns from. For regression the cost J is that of
        the standardised target (what the network is trained on), and ``cost_title`` says so;
        RMSE in the target's own units is in ``history()``."""
        with self._lock:
            t, data, target = self._trainer, self.dataset, self.prepared.target_scaler
            title = COSTS[t.cost].title + (" of the standardised target" if target else "")
            return ModelFacts(
                dataset=data.name, task=data.task, classes=tuple(data.classes),
                layer_dims=tuple(t.layer_dims), activations=tuple(t.activations),
                cost_title=title, m_train=t.m,
                m_test=0 if t.X_test is None else t.X_test.shape[1],
                feature_names=tuple(data.feature_names), target_name=data.target_name,
                target_std=float(target.std[0, 0]) if target else None,
                generated=REGISTRY[data.name].generated if data.name in REGISTRY else False,
            )  # fmt: skip

    def live_settings(self) -> dict[str, Any]:
        """The hyperparameters the running model uses: learning_rate, batch_size, lambd,
        optimizer."""
        with self._lock:
            t = self._trainer
            return {"learning_rate": t.learning_rate, "batch_size": t.batch_size,
                    "lambd": t.lambd, "l1": t.l1, "optimizer": t.optimizer_name}  # fmt: skip

    def history(self, most: int = HISTORY_POINTS, viewed: bool = False) -> HistoryColumns:
        """At most ``most`` epochs of the history, evenly spread, always with the last: of
        the whole run, or (``viewed``) up to the checkpoint viewed.

        For regression, RMSE in the target's own units comes from R² exactly: SS_res / m =
        (1 - R²) SS_tot / m, so RMSE = sqrt(1 - R²) · σ, σ the population standard deviation
        of that part's targets in their own units."""
        with self._lock:
            h = (self._shown() if viewed else self._trainer).history
            kept = history_sample(len(h), most)
            columns = [tuple(column[i] for i in kept) for column in (
                h.epoch, h.train_cost, h.test_cost, h.train_acc, h.test_acc, h.train_r2,
                h.test_r2)]  # fmt: skip
            sigmas = self._target_sigmas()
        rmse = [tuple(_rmse(r2, sigma) for r2 in column)
                for column, sigma in zip(columns[5:], sigmas, strict=True)]  # fmt: skip
        return HistoryColumns(*columns, *rmse)

    def _target_sigmas(self) -> tuple[float, float]:
        """The population std of the training and test targets in their own units (NaN for
        classification or an empty part)."""
        p = self.prepared
        if p.target_scaler is None:
            return float("nan"), float("nan")
        return tuple(  # type: ignore[return-value]
            float(p.targets(Y).std()) if Y.shape[1] else float("nan") for Y in (p.Y_train, p.Y_test)
        )

    def targets(self) -> Examples:
        """The training and test targets (n_L, m) in the target's own units, with the inputs
        as the Trainer holds them (copies of the targets, shared inputs). For regression views:
        ``ModelCopy.output`` times ``target_std`` plus ``target_mean`` is the prediction."""
        with self._lock:
            t, p = self._trainer, self.prepared
            has_test = t.X_test is not None
            return Examples(t.X, p.targets(p.Y_train), t.X_test,
                            p.targets(p.Y_test) if has_test else None)  # fmt: skip

    def health(self) -> HealthColumns:
        """A copy of the recorded health of every layer, and its findings."""
        with self._lock:
            record = self._shown().history.health
            found = tuple(findings(record))  # computes what was noted, first
            return HealthColumns(record.epoch.copy(), record.series.copy(),
                                 record.w_quantiles.copy(), record.a_quantiles.copy(),
                                 record.kinds, found)  # fmt: skip

    def health_findings(self) -> list[Finding]:
        """What the latest recorded epochs' health says is wrong, layer by layer."""
        with self._lock:
            return findings(self._shown().history.health)

    def params(self) -> dict[str, np.ndarray]:
        """A copy of the current weights and biases."""
        with self._lock:
            return {key: value.copy() for key, value in self._shown().params.items()}

    def weights(self) -> tuple[np.ndarray, ...]:
        """Copies of W[1] .. W[L]."""
        with self._lock:
            t = self._shown()
            return tuple(t.params[f"W{l}"].copy() for l in range(1, t.L + 1))

    def shapes(self) -> dict[ArrayName, tuple[int, ...]]:
        """The live .shape of every array of the latest pass, by its name."""
        with self._lock:
            return {name: array.shape for name, array in self._shown().tensors.items()}

    def tensor(self, kind: LayerKind, l: int) -> TensorCopy | None:
        """A copy of layer l's array ``kind`` (e.g. W[l]), with what its summary needs: the
        Z and activation of the layer that made it, and for W the weights at the epoch's
        start. None if it does not exist yet (dZ before the first backward pass)."""
        with self._lock:
            t = self._shown()
            l = min(l, t.L)
            name = kind.at(l)
            tensors = t.tensors
            array = tensors.get(name)
            if array is None:
                return None
            owner = name.layer  # the layer whose activation made A and Z
            Z = tensors.get(ArrayName("Z", owner)) if kind.kind in ("A", "Z") else None
            at_start = self._epoch_start if self._viewed is None else {}
            previous = at_start.get(name.key) if kind.kind == "W" else None
            return TensorCopy(
                name, array.copy(), None if Z is None else Z.copy(),
                t.activations[owner - 1] if owner >= 1 else None,
                None if previous is None else previous.copy(),
            )  # fmt: skip

    def planned_network(
        self, hidden: tuple[int, ...]
    ) -> tuple[tuple[str, ...], dict[ArrayName, tuple[int, ...]]]:
        """(activations, shapes): the network hidden layers ``hidden`` would give on this
        data and batch, every array's shape as the engine lays it out (gradients only once
        the live model has them), for a preview before a rebuild. A ConfigError when the
        activations given do not fit that many hidden layers."""
        with self._lock:
            t = self._shown()
            tensors = t.tensors
            m = tensors[ArrayName("A", 0)].shape[1]
            dims = (t.layer_dims[0], *hidden, t.layer_dims[-1])
            hidden_g = self.config.with_value("hidden", hidden).hidden_activations()
            activations = (*hidden_g, t.activations[-1])
            return activations, pass_shapes(dims, m, gradients=ArrayName("dZ", t.L) in tensors)

    def predictions(self) -> Predictions:
        """Y and Ŷ in the target's own units for the training and test examples: the
        engine's forward pass run on a copy of the model, outside the lock."""
        model, ex = self.model_copy(), self.targets()
        Yhat_test = None if ex.X_test is None else model.prediction(ex.X_test)
        return Predictions(ex.Y, model.prediction(ex.X), ex.Y_test, Yhat_test)

    def model_copy(self) -> ModelCopy:
        """The network as it is now, detached: its output can be computed without the lock."""
        with self._lock:
            t = self._shown()
            params = {key: value.copy() for key, value in t.params.items()}
            target = self.prepared.target_scaler
            if target is None:
                return ModelCopy(params, tuple(t.activations), t.dtype)
            mean, std = float(target.mean[0, 0]), float(target.std[0, 0])
            return ModelCopy(params, tuple(t.activations), t.dtype, mean, std)

    def examples(self) -> Examples:
        """The training and test examples as the Trainer holds them. They are never written
        after a build, so they are shared, not copied."""
        with self._lock:
            t = self._trainer
            return Examples(t.X, t.Y, t.X_test, t.Y_test)

    def points(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """Training and test points in plane coordinates with their labels, or for regression
        their targets (target's units), for 2-D data (whatever features the network takes)."""
        plane = self.plane()
        if plane is None:
            return None
        return plane.X_train, plane.y_train, plane.X_test, plane.y_test

    def plane(self) -> Plane | None:
        """The data's own 2-D plane and the way from it to the network's inputs; None unless
        the data set is 2-D (before its features)."""
        with self._lock:
            p, data = self.prepared, self.dataset
            if data.plane is None:
                return None
            raw_train, raw_test = data.plane[:, p.train_index], data.plane[:, p.test_index]
            fitted = Standardizer.fit(raw_train)  # one scale on both axes: circles stay round
            on_plane = Standardizer(fitted.mean, np.full_like(fitted.std, fitted.std.max()))
            labels = data.labels
            return Plane(
                on_plane.transform(raw_train), labels[p.train_index],
                on_plane.transform(raw_test), labels[p.test_index], on_plane.mean,
                on_plane.std, self.config.features, p.standardizer,
            )  # fmt: skip

    def explain(self, split: str, index: int, l: int) -> Explanation:
        """Example ``index`` (0-based) of the train or test part through the network, and
        what the latest batch computed for layer l. A ValueError for an example or layer
        that does not exist."""
        with self._lock:
            t, p, data = self._shown(), self.prepared, self.dataset
            X, Y, rows = (t.X, t.Y, p.train_index) if split == "train" else (
                t.X_test, t.Y_test, p.test_index)  # fmt: skip
            m = 0 if X is None else X.shape[1]
            if not 0 <= index < m:
                raise ValueError(f"there is no {split} example {index}: the {split} part has "
                                 f"{m} examples (0 .. {m - 1})")  # fmt: skip
            if not 1 <= l <= t.L:
                raise ValueError(f"there is no layer {l}: the layers are 1 .. {t.L}")
            row = int(rows[index])
            label = data.classes[int(data.labels[row])] if data.classes else f"{data.Y[0, row]:g}"
            trace = t.trace(X[:, index : index + 1], Y[:, index : index + 1])
            batch = t.batch_record(l)
            in_batch = split == "train" and batch.column_of(index) is not None
            return Explanation(
                split, index, m, row, tuple(data.feature_names), data.X[:, row].copy(), label,
                trace, batch, batch_share(trace.layers[l - 1], batch.m) if in_batch else None,
                t.pass_params() is not t.params, t.epoch, t.in_epoch,
            )  # fmt: skip

    def locate(self, row: int) -> tuple[str, int]:
        """(train or test, index in that part) of row ``row`` (0-based) of the data as
        loaded; a ValueError if there is no such row."""
        with self._lock:
            p = self.prepared
            m = p.dataset.m
            if not 0 <= row < m:
                raise ValueError(f"there is no example {row}: the data has {m} rows (0 .. {m - 1})")
            found = np.flatnonzero(p.train_index == row)
            if found.size:
                return "train", int(found[0])
            return "test", int(np.flatnonzero(p.test_index == row)[0])

    # -- epochs per second ----------------------------------------------------------------

    def _tick(self) -> None:
        now = time.perf_counter()
        self._epoch_times.append(now)
        while now - self._epoch_times[0] > RATE_WINDOW_SECONDS:
            self._epoch_times.popleft()

    def _rate(self) -> float:
        """Epochs per second over the last second (0 when fewer than two epochs ran there)."""
        times = self._epoch_times
        if len(times) < 2 or time.perf_counter() - times[-1] > RATE_WINDOW_SECONDS:
            return 0.0
        return (len(times) - 1) / (times[-1] - times[0])
