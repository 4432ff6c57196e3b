"""The one object the front ends talk to: a data set and a Trainer behind one lock.

The app and ``nntui train`` never do the math and never reach into the Trainer. They ask
the Session to step, reset or change a hyperparameter, and they ask it questions whose
answers are plain numbers, shape tuples, immutable records and copies of arrays, safe to
hand from the training thread to the UI thread. A lock makes every call atomic, so the UI
can change the learning rate while a thread trains. Costly summaries (a decision grid, a
report) are computed by the caller on copies, outside the lock: see ``nntui.panes``.
"""

import inspect
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from engine.costs import COSTS
from engine.data import (
    REGISTRY,
    DataError,
    Dataset,
    Prepared,
    Progress,
    Standardizer,
    load_dataset,
    prepare,
    read_csv,
)
from engine.files import check_output_file
from engine.gradcheck import GradCheck, gradient_check
from engine.initializers import pass_shapes
from engine.names import ArrayName, LayerKind
from engine.persist import ModelFileError, load_model, save_model, write_history_csv
from engine.phases import Phase
from engine.propagation import forward_prop
from engine.trainer import EpochStats, Trainer
from nntui.config import (
    LIVE_FIELDS,
    Config,
    ConfigError,
    config_from_mapping,
    config_to_mapping,
    write_config,
)
from nntui.reopen import data_difference, data_record, locate_data, network_difference

RATE_WINDOW_SECONDS = 1.0
HISTORY_POINTS = 1000  # a view carries at most this many epochs of each history column
GRADCHECK_EXAMPLES = 32
GRADCHECK_PER_LAYER = 40


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

    @property
    def L(self) -> int:
        return len(self.layer_dims) - 1


@dataclass(frozen=True)
class HistoryColumns:
    """Per-epoch columns, sampled: entry i holds epoch ``epochs[i]``."""

    epochs: tuple[int, ...]
    train_cost: tuple[float, ...]
    test_cost: tuple[float, ...]
    train_acc: tuple[float, ...]
    test_acc: tuple[float, ...]

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

    def output(self, X: np.ndarray) -> np.ndarray:
        """AL (n_L, m) for X (n_x, m), computed as the Trainer computes it."""
        AL, _ = forward_prop(np.asarray(X, dtype=self.dtype), self.params, self.activations)
        return AL


class Examples(NamedTuple):
    """The Trainer's X (n_x, m), Y (n_L, m) and, if there is a test part, X_test, Y_test."""

    X: np.ndarray
    Y: np.ndarray
    X_test: np.ndarray | None
    Y_test: np.ndarray | None


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
        self, config: Config, dataset: Dataset | None = None, scaler: Standardizer | None = None
    ) -> None:
        self._lock = threading.Lock()
        self.config = config
        self.dataset = dataset if dataset is not None else self.load_data(config)
        #: The files this session was read from, by what they are (besides its data CSV).
        self.read_from: dict[str, str] = {}
        self._epoch_times: deque[float] = deque()
        self.notice = ""  # what the user should know about how the session was opened
        self.data_seed = 0  # the seed a generated data set was drawn with
        self._build(scaler)

    @classmethod
    def from_file(cls, path: str) -> "Session":
        """A session that continues a saved model where it stopped. ModelFileError, or the
        data's own DataError, if it cannot; nothing else is touched. ``notice`` says where
        the data was found if that is not the path the model gives."""
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
        try:  # the file's standardisation may overflow the data: the trainer refuses that
            with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
                session = cls(config, dataset, scaler)
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
        self.check_output(path, "model")
        with self._lock:
            meta = {
                "dataset": self.dataset.name,
                "config": config_to_mapping(self.config),
                "classes": self.dataset.classes,
                "features": self.dataset.feature_names,
                **data_record(self.config),
            }
            scaler = self.prepared.standardizer
            save_model(path, self._trainer, meta, scaler.mean, scaler.std)

    def write_config(self, path: str) -> None:
        """Write the setup as TOML; a ValueError for a path that cannot take it."""
        self.check_output(path, "config")
        write_config(path, self.config)

    def export_history(self, path: str) -> None:
        """Write the history as CSV; a ValueError for a path that cannot take it."""
        self.check_output(path, "history")
        with self._lock:
            write_history_csv(path, self._trainer.history)

    @staticmethod
    def load_data(config: Config, progress: Progress | None = None) -> Dataset:
        """The data set a config names; DataError if it cannot be read. ``progress(rows
        done, rows)`` hears how a user's CSV is coming along."""
        if config.data_path:
            return read_csv(config.data_path, config.target or "",
                            drop_missing=config.drop_missing, task=config.task,
                            missing=config.missing, progress=progress)  # fmt: skip
        return load_dataset(config.dataset)

    def _build(self, scaler: Standardizer | None = None) -> None:
        """A fresh network for the current config and data (weights from the seed)."""
        c, data = self.config, self.dataset
        self.prepared: Prepared = prepare(data, c.test_ratio, seed=c.seed, scaler=scaler)
        p = self.prepared
        has_test = p.X_test.shape[1] > 0
        self._trainer = Trainer(
            p.X_train, p.Y_train, [data.n_x, *c.hidden, p.Y_train.shape[0]],
            activations=[c.activation] * len(c.hidden) + [data.output_activation],
            cost=data.cost,
            X_test=p.X_test if has_test else None, Y_test=p.Y_test if has_test else None,
            learning_rate=c.learning_rate, batch_size=c.batch_size, optimizer=c.optimizer,
            lambd=c.lambd, init=c.init, seed=c.seed,
        )  # fmt: skip
        self._epoch_times.clear()
        self._epoch_start: dict[str, np.ndarray] = self._weights()
        self.phase_view: PhaseView | None = None

    def regenerate_data(self, seed: int) -> None:
        """Draw the data set again from its registry generator with data seed ``seed`` (same
        size), and rebuild the network as a data set change does. A DataError for data that
        is not generated (a CSV or a shipped table); then nothing changes."""
        with self._lock:
            info = REGISTRY.get(self.dataset.name)
            if self.config.data_path or info is None or not _takes_seed(info.load):
                drawn = ", ".join(n for n, i in REGISTRY.items() if _takes_seed(i.load))
                raise DataError(
                    f"{self.dataset.name} is a fixed table, not drawn from a generator; only "
                    f"the generated sets ({drawn}) can be drawn again"
                )
            old_data = self.dataset
            try:
                self.dataset = info.load(m=old_data.m, seed=seed)
                self._build()
            except Exception:
                self.dataset = old_data
                raise
            self.data_seed = seed

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
            stats = self._trainer.step_epoch(stop)
            self._tick()
            return stats

    def step_phase(self) -> PhaseView:
        """One phase: forward layer l, the cost, backward layer l, or the update. Raises the
        engine's DivergedError after rolling back, mid-epoch; then no phase is lit."""
        with self._lock:
            self._before_step()
            self.phase_view = None
            phase = self._trainer.step_phase()
            self.phase_view = PhaseView.of(phase)
            return self.phase_view

    def gradient_check(self) -> GradCheck:
        """The engine's gradient check of the current weights on a few training examples, in
        float64, on copies: training state is not touched."""
        with self._lock:
            params = {k: v.copy() for k, v in self._trainer.params.items()}
            t = self._trainer
            X, Y = t.X[:, :GRADCHECK_EXAMPLES], t.Y[:, :GRADCHECK_EXAMPLES]
            activations, cost, lambd = t.activations, t.cost, t.lambd
        return gradient_check(
            params, X, Y, activations, cost, lambd=lambd, max_per_layer=GRADCHECK_PER_LAYER
        )

    def reset(self) -> None:
        """Re-initialise the weights from the seed; the history starts again."""
        with self._lock:
            self._trainer.reset()
            self._epoch_times.clear()
            self._epoch_start = self._weights()
            self.phase_view = None

    def apply(self, name: str, value: Any) -> str:
        """Set one hyperparameter; return 'live' if the running model kept its weights, else
        'rebuild'. On any error (for example data that cannot be read) nothing changes."""
        with self._lock:
            if name == "dataset":
                new = self.config.with_dataset(value)
            else:
                new = self.config.with_value(name, value)
            if name in LIVE_FIELDS:
                self._apply_live(name, value)
                self.config = new
                return "live"
            old_config, old_data, old_seed = self.config, self.dataset, self.data_seed
            try:
                if name == "dataset":
                    self.dataset = self.load_data(new)
                    self.data_seed = 0
                self.config = new
                self._build()
            except Exception:
                self.config, self.dataset, self.data_seed = old_config, old_data, old_seed
                raise
            return "rebuild"

    def set_weight(self, l: int, j: int, k: int, value: float) -> None:
        """W[l][j, k] = value in the running model; every pane follows on the next frame.
        A ValueError mid-epoch, for an element W[l] does not have or a non-finite value."""
        with self._lock:
            self._trainer.set_weight(l, j, k, value)
            self.phase_view = None

    def _apply_live(self, name: str, value: Any) -> None:
        if name == "learning_rate":
            self._trainer.learning_rate = value
        elif name == "batch_size":
            self._trainer.batch_size = value
        elif name == "lambd":
            self._trainer.lambd = value
        elif name == "optimizer":
            self._trainer.optimizer_name = value

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
        """What the last phase step did; None after an epoch step, a reset or a rebuild."""
        return self.phase_view

    def training_state(self) -> TrainingState:
        """Epoch, in-epoch flag, speed and the last phase, at one moment."""
        with self._lock:
            t = self._trainer
            return TrainingState(t.epoch, t.in_epoch, self._rate(), self.phase_view)

    def facts(self) -> ModelFacts:
        """What the network is and what it learns from."""
        with self._lock:
            t, data = self._trainer, self.dataset
            return ModelFacts(
                dataset=data.name, task=data.task, classes=tuple(data.classes),
                layer_dims=tuple(t.layer_dims), activations=tuple(t.activations),
                cost_title=COSTS[t.cost].title, m_train=t.m,
                m_test=0 if t.X_test is None else t.X_test.shape[1],
            )  # fmt: skip

    def live_settings(self) -> dict[str, Any]:
        """The hyperparameters the running model uses: learning_rate, batch_size, lambd,
        optimizer."""
        with self._lock:
            t = self._trainer
            return {"learning_rate": t.learning_rate, "batch_size": t.batch_size,
                    "lambd": t.lambd, "optimizer": t.optimizer_name}  # fmt: skip

    def history(self, most: int = HISTORY_POINTS) -> HistoryColumns:
        """At most ``most`` epochs of the history, evenly spread, always with the last."""
        with self._lock:
            h = self._trainer.history
            kept = history_sample(len(h), most)
            return HistoryColumns(*(tuple(column[i] for i in kept) for column in (
                h.epoch, h.train_cost, h.test_cost, h.train_acc, h.test_acc)))  # fmt: skip

    def params(self) -> dict[str, np.ndarray]:
        """A copy of the current weights and biases."""
        with self._lock:
            return {key: value.copy() for key, value in self._trainer.params.items()}

    def weights(self) -> tuple[np.ndarray, ...]:
        """Copies of W[1] .. W[L]."""
        with self._lock:
            t = self._trainer
            return tuple(t.params[f"W{l}"].copy() for l in range(1, t.L + 1))

    def shapes(self) -> dict[ArrayName, tuple[int, ...]]:
        """The live .shape of every array of the latest pass, by its name."""
        with self._lock:
            return {name: array.shape for name, array in self._trainer.tensors.items()}

    def tensor(self, kind: LayerKind, l: int) -> TensorCopy | None:
        """A copy of layer l's array ``kind`` (e.g. W[l]), with what its summary needs: the
        Z and activation of the layer that made it, and for W the weights at the epoch's
        start. None if it does not exist yet (dZ before the first backward pass)."""
        with self._lock:
            t = self._trainer
            l = min(l, t.L)
            name = kind.at(l)
            tensors = t.tensors
            array = tensors.get(name)
            if array is None:
                return None
            owner = name.layer  # the layer whose activation made A and Z
            Z = tensors.get(ArrayName("Z", owner)) if kind.kind in ("A", "Z") else None
            previous = self._epoch_start.get(name.key) if kind.kind == "W" else None
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
        the live model has them), for a preview before a rebuild."""
        with self._lock:
            t = self._trainer
            tensors = t.tensors
            m = tensors[ArrayName("A", 0)].shape[1]
            dims = (t.layer_dims[0], *hidden, t.layer_dims[-1])
            activations = (self.config.activation,) * len(hidden) + (t.activations[-1],)
            return activations, pass_shapes(dims, m, gradients=ArrayName("dZ", t.L) in tensors)

    def predictions(self) -> Predictions:
        """Y and Ŷ for the training and test examples: the engine's forward pass run on a
        copy of the model, outside the lock."""
        model, ex = self.model_copy(), self.examples()
        Yhat_test = None if ex.X_test is None else model.output(ex.X_test)
        Y_test = None if ex.Y_test is None else ex.Y_test.copy()
        return Predictions(ex.Y.copy(), model.output(ex.X), Y_test, Yhat_test)

    def model_copy(self) -> ModelCopy:
        """The network as it is now, detached: its output can be computed without the lock."""
        with self._lock:
            t = self._trainer
            params = {key: value.copy() for key, value in t.params.items()}
            return ModelCopy(params, tuple(t.activations), t.dtype)

    def examples(self) -> Examples:
        """The training and test examples as the Trainer holds them. They are never written
        after a build, so they are shared, not copied."""
        with self._lock:
            t = self._trainer
            return Examples(t.X, t.Y, t.X_test, t.Y_test)

    def points(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """Training and test points (2, m) with their labels, or for regression their
        targets (m,), for 2-D data."""
        with self._lock:
            p, data = self.prepared, self.dataset
            if data.n_x != 2:
                return None
            y = data.Y[0] if data.task == "regression" else data.labels
            return p.X_train, y[p.train_index], p.X_test, y[p.test_index]

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


def _takes_seed(load: Callable[..., Dataset]) -> bool:
    """Whether a registry loader draws its data from a seed (a generator, not a table)."""
    return "seed" in inspect.signature(load).parameters
