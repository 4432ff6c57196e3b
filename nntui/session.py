"""The one object the app talks to: a data set, a Trainer, and snapshots of their state.

The app never does the math. It asks the Session to step, reset or change a
hyperparameter, and it draws ``Snapshot``s: plain numbers, shape tuples and copies of
arrays, safe to hand from the training thread to the UI thread. A lock makes every
Session call atomic, so the UI can change the learning rate while a thread trains.
"""

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.costs import COSTS
from engine.data import (
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
from engine.inspect import BoundaryGrid, Inspection, decision_grid, inspect
from engine.metrics import classification_report
from engine.persist import ModelFileError, load_model, save_model, write_history_csv
from engine.phases import Phase
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
HISTORY_POINTS = 1000  # a snapshot carries at most this many epochs of each history column
GRADCHECK_EXAMPLES = 32
GRADCHECK_PER_LAYER = 40

#: The arrays of layer l, in the order of the shapes table's columns.
TENSOR_KINDS = ("A[l-1]", "W[l]", "b[l]", "Z[l]", "A[l]", "dZ[l]", "dW[l]", "db[l]")


def tensor_name(kind: str, l: int) -> str:
    """'W[l]', 2 -> 'W[2]'; 'A[l-1]', 2 -> 'A[1]'."""
    return kind.replace("[l-1]", f"[{l - 1}]").replace("[l]", f"[{l}]")


@dataclass(frozen=True)
class PhaseView:
    """What the last phase step did, as text and a place in the network."""

    kind: str
    layer: int | None
    direction: str
    title: str
    equations: tuple[str, ...]
    computed: str

    @classmethod
    def of(cls, phase: Phase) -> "PhaseView":
        return cls(phase.kind, phase.layer, phase.direction, phase.title,
                   tuple(phase.equations), phase.computed)  # fmt: skip


@dataclass(frozen=True)
class Report:
    """Confusion matrices (k, k) and per-class precision and recall, train and test."""

    classes: tuple[str, ...]
    train: tuple[np.ndarray, np.ndarray, np.ndarray]
    test: tuple[np.ndarray, np.ndarray, np.ndarray] | None


@dataclass(frozen=True)
class Snapshot:
    """What the panes draw, copied out of the live model at one moment."""

    epoch: int
    config: Config
    dataset: str
    task: str
    classes: tuple[str, ...]
    m_train: int
    m_test: int
    cost_title: str
    layer_dims: tuple[int, ...]
    activations: tuple[str, ...]
    shapes: dict[str, tuple[int, ...]]  # the live .shape of every array, by its notation name
    weights: tuple[np.ndarray, ...]  # copies of W[1] .. W[L]
    history_epochs: tuple[int, ...]  # the epochs (1, 2, ...) the four columns below hold
    train_cost: tuple[float, ...]
    test_cost: tuple[float, ...]
    train_acc: tuple[float, ...]
    test_acc: tuple[float, ...]
    epochs_per_second: float
    batch_m: int  # m of the current batch, the m in every (n_l, m)
    in_epoch: bool = False  # a phase step stopped inside an epoch
    phase: PhaseView | None = None
    inspected: str = ""  # the inspected array's name, e.g. 'W[1]'
    inspection: Inspection | None = None
    boundary: BoundaryGrid | None = None
    points: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None  # X, labels x2
    report: Report | None = None

    @property
    def L(self) -> int:
        return len(self.layer_dims) - 1

    def last(self, column: tuple[float, ...]) -> float:
        return column[-1] if column else float("nan")


def history_sample(n: int, most: int = HISTORY_POINTS) -> list[int]:
    """Indices of at most ``most`` of n epochs, evenly spread, always with the last: copying
    a long history whole into every snapshot would slow training the longer it runs."""
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
        # What the snapshots compute besides the basics; the app says what is on screen.
        self.views: set[str] = set()
        self.inspect_target: tuple[int, str] = (1, "W[l]")
        self.heatmap_size = (32, 96)
        self.boundary_size = (80, 40)
        self.notice = ""  # what the user should know about how the session was opened
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
        difference = network_difference(session.trainer, saved.meta)
        if difference:
            raise ModelFileError(f"{path}: {difference}")
        try:
            session.trainer.restore(saved.state)
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
            save_model(path, self.trainer, meta, scaler.mean, scaler.std)

    def write_config(self, path: str) -> None:
        """Write the setup as TOML; a ValueError for a path that cannot take it."""
        self.check_output(path, "config")
        write_config(path, self.config)

    def export_history(self, path: str) -> None:
        """Write the history as CSV; a ValueError for a path that cannot take it."""
        self.check_output(path, "history")
        with self._lock:
            write_history_csv(path, self.trainer.history)

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
        self.trainer = Trainer(
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

    def _weights(self) -> dict[str, np.ndarray]:
        return {k: v.copy() for k, v in self.trainer.params.items() if k.startswith("W")}

    def _before_step(self) -> None:
        """At an epoch boundary, remember W, so that ΔW shows one epoch's change."""
        if not self.trainer.in_epoch:
            self._epoch_start = self._weights()

    # -- what the UI asks ---------------------------------------------------------------------

    def step_epoch(self, stop: Callable[[], bool] | None = None) -> EpochStats:
        """One epoch (or the rest of one). Raises the engine's DivergedError after rolling back,
        or its EpochStoppedError after undoing the epoch once ``stop()`` says so."""
        with self._lock:
            self._before_step()
            self.phase_view = None
            stats = self.trainer.step_epoch(stop)
            self._tick()
            return stats

    def step_phase(self) -> PhaseView:
        """One phase: forward layer l, the cost, backward layer l, or the update. Raises the
        engine's DivergedError after rolling back, mid-epoch; then no phase is lit."""
        with self._lock:
            self._before_step()
            self.phase_view = None
            phase = self.trainer.step_phase()
            self.phase_view = PhaseView.of(phase)
            return self.phase_view

    def gradient_check(self) -> GradCheck:
        """The engine's gradient check of the current weights on a few training examples, in
        float64, on copies: training state is not touched."""
        with self._lock:
            params = {k: v.copy() for k, v in self.trainer.params.items()}
            t = self.trainer
            X, Y = t.X[:, :GRADCHECK_EXAMPLES], t.Y[:, :GRADCHECK_EXAMPLES]
            activations, cost, lambd = t.activations, t.cost, t.lambd
        return gradient_check(
            params, X, Y, activations, cost, lambd=lambd, max_per_layer=GRADCHECK_PER_LAYER
        )

    def reset(self) -> None:
        """Re-initialise the weights from the seed; the history starts again."""
        with self._lock:
            self.trainer.reset()
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
            old_config, old_data = self.config, self.dataset
            try:
                if name == "dataset":
                    self.dataset = self.load_data(new)
                self.config = new
                self._build()
            except Exception:
                self.config, self.dataset = old_config, old_data
                raise
            return "rebuild"

    def _apply_live(self, name: str, value: Any) -> None:
        if name == "learning_rate":
            self.trainer.learning_rate = value
        elif name == "batch_size":
            self.trainer.batch_size = value
        elif name == "lambd":
            self.trainer.lambd = value
        elif name == "optimizer":
            self.trainer.optimizer_name = value

    def select_tensor(self, layer: int, kind: str) -> None:
        """Which tensor the next snapshot summarises. One attribute store, atomic on its own:
        taking the lock here would make a key press wait out the training thread's hold."""
        self.inspect_target = (layer, kind)

    def params(self) -> dict[str, np.ndarray]:
        """A copy of the current weights and biases."""
        with self._lock:
            return {key: value.copy() for key, value in self.trainer.params.items()}

    def snapshot(self) -> Snapshot:
        """Copies of everything the panes draw."""
        with self._lock:
            t, h, data = self.trainer, self.trainer.history, self.dataset
            shapes = {name: array.shape for name, array in t.tensors.items()}
            kept = history_sample(len(h))
            return Snapshot(
                epoch=t.epoch,
                config=self.config,
                dataset=data.name,
                task=data.task,
                classes=tuple(data.classes),
                m_train=t.m,
                m_test=0 if t.X_test is None else t.X_test.shape[1],
                cost_title=COSTS[t.cost].title,
                layer_dims=tuple(t.layer_dims),
                activations=tuple(t.activations),
                shapes=shapes,
                weights=tuple(t.params[f"W{l}"].copy() for l in range(1, t.L + 1)),
                history_epochs=tuple(h.epoch[i] for i in kept),
                train_cost=tuple(h.train_cost[i] for i in kept),
                test_cost=tuple(h.test_cost[i] for i in kept),
                train_acc=tuple(h.train_acc[i] for i in kept),
                test_acc=tuple(h.test_acc[i] for i in kept),
                epochs_per_second=self._rate(),
                batch_m=shapes["A[0]"][1],
                in_epoch=t.in_epoch,
                phase=self.phase_view,
                inspected=tensor_name(self.inspect_target[1], self.inspect_target[0]),
                inspection=self._inspection() if "inspector" in self.views else None,
                boundary=self._boundary() if "boundary" in self.views else None,
                points=self._points(),
                report=self._report() if "report" in self.views else None,
            )

    def _inspection(self) -> Inspection | None:
        """The inspected array, summarised; None if it does not exist yet (dZ before backward)."""
        l, kind = self.inspect_target
        t = self.trainer
        l = min(l, t.L)
        array = t.tensors.get(tensor_name(kind, l))
        if array is None:
            return None
        owner = l - 1 if kind == "A[l-1]" else l  # the layer whose activation made the array
        Z = t.tensors.get(f"Z[{owner}]") if kind in ("A[l-1]", "Z[l]", "A[l]") else None
        activation = t.activations[owner - 1] if owner >= 1 else None
        previous = self._epoch_start.get(f"W{l}") if kind == "W[l]" else None
        rows, cols = self.heatmap_size
        return inspect(
            tensor_name(kind, l), array, max_rows=rows, max_cols=cols, Z=Z,
            activation=activation, previous=previous,
        )  # fmt: skip

    def _boundary(self) -> BoundaryGrid | None:
        if self.dataset.n_x != 2:
            return None
        nx, ny = self.boundary_size
        return decision_grid(self.trainer.output, self.prepared.X_train, nx, ny)

    def _points(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """Training and test points with their labels, for 2-D classification data."""
        p = self.prepared
        if self.dataset.n_x != 2 or self.dataset.task == "regression":
            return None
        labels = self.dataset.labels
        return p.X_train, labels[p.train_index], p.X_test, labels[p.test_index]

    def _report(self) -> Report | None:
        t, data = self.trainer, self.dataset
        if not t.is_classification:
            return None
        k = max(data.k, 2)
        train = classification_report(t.output(t.X), t.Y, k)
        test = None if t.X_test is None else classification_report(t.output(t.X_test), t.Y_test, k)
        return Report(tuple(data.classes), train, test)

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
