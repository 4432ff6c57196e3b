"""A trained model file and its data as CSV, for the predict and export tests."""

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.data import Prepared, load_dataset, prepare
from engine.persist import save_model
from engine.trainer import Trainer

#: Data set -> (hidden layers, their activations): softmax, sigmoid and linear outputs,
#: every hidden activation among them.
SETUPS = {
    "iris": ([8, 5], ["relu", "tanh"]),
    "breast-cancer": ([6], ["leaky_relu"]),
    "diabetes": ([8], ["sigmoid"]),
    "circles": ([4], ["tanh"]),
}


@dataclass(frozen=True)
class Trained:
    """A model file, the trainer that wrote it, and its data split."""

    path: Path
    trainer: Trainer
    prepared: Prepared


def train_model(folder: Path, name: str, epochs: int = 30) -> Trained:
    """Train ``name`` for a few epochs with the engine and save it as nntui's app does."""
    data = load_dataset(name)
    prepared = prepare(data, 0.2, seed=0)
    hidden, activations = SETUPS[name]
    trainer = Trainer(
        prepared.X_train, prepared.Y_train, [data.n_x, *hidden, prepared.Y_train.shape[0]],
        activations=[*activations, data.output_activation], cost=data.cost,
        learning_rate=0.05, optimizer="adam", seed=1,
    )  # fmt: skip
    for _ in range(epochs):
        trainer.step_epoch()
    path = folder / f"{name}.npz"
    meta = {"dataset": name, "classes": data.classes, "features": data.feature_names}
    scaler = prepared.standardizer
    save_model(path, trainer, meta, scaler.mean, scaler.std)
    return Trained(path, trainer, prepared)


def write_rows(path: Path, names: list[str], X: np.ndarray, extra: dict | None = None) -> Path:
    """A CSV of X (n_x, m) with columns ``names``, in reverse order (predict matches them by
    name), and ``extra`` columns (name: list of m texts) after them."""
    extra = extra or {}
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*reversed(names), *extra])
        for j in range(X.shape[1]):
            row = [repr(float(v)) for v in X[::-1, j]]
            writer.writerow([*row, *(texts[j] for texts in extra.values())])
    return path


def read_predictions(text: str) -> tuple[list[str], np.ndarray]:
    """(the predicted column, the numbers after it (m, k)) from predict's CSV output."""
    rows = list(csv.reader(text.splitlines()))[1:]
    first = [row[0] for row in rows]
    numbers = np.array([[float(v) for v in row[1:]] for row in rows]).reshape(len(rows), -1)
    return first, numbers
