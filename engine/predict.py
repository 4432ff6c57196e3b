"""Predictions for new rows from a saved model: the columns matched by name, the saved
standardisation, then the article's forward_prop.

A new CSV's rows become X (n_x, m), one column per example, its rows in the order of the
model's feature names (the file's own column order does not matter). Then

    X' = (X - mean) / std        mean, std (n_x, 1): the training part's, from the model file
    AL = forward_prop(X')        (n_L, m)

and AL is read as class probabilities (sigmoid: P(second class) in one row; softmax: one
row per class) or as the predicted values (regression, a linear output).
"""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.data import (
    DataError,
    Standardizer,
    _class_key,
    _class_name,
    _Lines,
    _number,
    _numeric,
    _records,
    _sniff_delimiter,
    check_column_names,
)
from engine.files import check_input_file
from engine.metrics import to_labels
from engine.persist import ModelFileError, SavedModel
from engine.propagation import forward_prop


@dataclass(frozen=True)
class Predictor:
    """What predicting needs from a model file: W[l] (n_l, n_{l-1}) and b[l] (n_l, 1), one
    activation per layer, the standardisation mean and std (n_x, 1), the feature names in
    X's row order, and the class names (none for regression)."""

    params: dict[str, np.ndarray]
    activations: list[str]
    standardizer: Standardizer
    features: list[str]
    classes: list[str]

    @classmethod
    def from_saved(cls, saved: SavedModel, path: str | Path) -> "Predictor":
        """The predictor of a loaded model file; ModelFileError if the file lacks what
        predicting needs (files from before nntui saved them)."""
        meta = saved.meta
        if saved.mean is None or saved.std is None:
            raise ModelFileError(f"{path}: holds no standardisation; open it and save it again")
        if len(meta.get("features", [])) != meta["layer_dims"][0]:
            raise ModelFileError(f"{path}: does not name its {meta['layer_dims'][0]} features")
        classes = meta.get("classes", [])
        if meta["activations"][-1] != "linear" and len(classes) < 2:
            raise ModelFileError(f"{path}: does not name its classes")
        return cls(
            params=saved.state["params"],
            activations=meta["activations"],
            standardizer=Standardizer(saved.mean, saved.std),
            features=meta["features"],
            classes=classes if meta["activations"][-1] != "linear" else [],
        )

    @property
    def is_regression(self) -> bool:
        return not self.classes

    def output(self, X: np.ndarray) -> np.ndarray:
        """AL (n_L, m) for raw, unstandardised X (n_x, m), computed in the weights' dtype
        as the trainer computes it."""
        X = self.standardizer.transform(X).astype(self.params["W1"].dtype)
        AL, _ = forward_prop(X, self.params, self.activations)
        return AL

    def probabilities(self, AL: np.ndarray) -> np.ndarray:
        """(k, m) class probabilities: a sigmoid's one row a = P(second class) becomes the
        two rows 1 - a and a; a softmax's k rows already are."""
        if AL.shape[0] == 1:
            return np.concatenate([1 - AL, AL])
        return AL

    def predicted_classes(self, AL: np.ndarray) -> list[str]:
        """The class name of each of the m columns of AL."""
        return [self.classes[i] for i in to_labels(AL)]


@dataclass(frozen=True)
class NewRows:
    """The rows of a CSV to predict: X (n_x, m) in the model's feature order, the columns
    the model does not use, and the target column's texts if the file has it."""

    X: np.ndarray
    extra: list[str]
    targets: list[str] | None


def read_rows(path: str | Path, features: list[str], target: str | None = None) -> NewRows:
    """Read ``path``'s columns named ``features`` (in any order, among others) as numbers,
    and the ``target`` column as text if there is one. DataError names what is missing, or
    the line and column of a cell that is not a finite number."""
    path = check_input_file(path, DataError)
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            lines = _Lines(f, path)
            head = lines.head(20)
            if not head:
                raise DataError(f"{path}: the file is empty")
            records = _records(lines, _sniff_delimiter(head), path)
            header = _header(next(records, None), path)
            columns = _feature_columns(header, features, path)
            rows = list(records)
    except OSError as err:
        raise DataError(f"{path}: cannot be read ({err.strerror})") from None
    if not rows:
        raise DataError(f"{path}: has a header row but no data rows")
    X = np.empty((len(features), len(rows)))
    for j, (line, row) in enumerate(rows):
        X[:, j] = _row_values(row, columns, header, line, path)
    t = header.index(target) if target in header else None
    extra = [name for name in header if name not in features and name != target]
    targets = None if t is None else [row[t].strip() for _, row in rows]
    return NewRows(X, extra, targets)


def _header(first: tuple[int, list[str]] | None, path: Path) -> list[str]:
    """The header's column names; DataError for none, an empty or a repeated name."""
    if first is None:
        raise DataError(f"{path}: holds no values, only delimiters and blank space")
    line, header = first[0], [name.strip() for name in first[1]]
    check_column_names(header, line, path)
    return header


def _feature_columns(header: list[str], features: list[str], path: Path) -> list[int]:
    """The position in ``header`` of each feature; DataError names the ones it lacks."""
    missing = [name for name in features if name not in header]
    if missing:
        raise DataError(
            f"{path}: no column(s) {', '.join(map(repr, missing))}; the model was trained on "
            f"{', '.join(features)}, and the file has {', '.join(header)}"
        )
    return [header.index(name) for name in features]


def _row_values(
    row: list[str], columns: list[int], header: list[str], line: int, path: Path
) -> list[float]:
    """One example's feature values; DataError for a short row or a cell that is not a
    finite number (a missing one included)."""
    if len(row) != len(header):
        raise DataError(
            f"{path}, line {line}: has {len(row)} fields but the header has {len(header)}"
        )
    values = [_number(row[c].strip()) for c in columns]
    for c, value in zip(columns, values, strict=True):
        if value is None:
            raise DataError(
                f"{path}, line {line}, column {header[c]!r}: {row[c].strip()!r} is not a "
                "finite number (every feature needs one to predict)"
            )
    return values


def class_name(text: str) -> str:
    """A target text as the class name nntui gives it: '1.0' and '1' are class '1'."""
    return _class_name(_class_key(_numeric(text), text))


def prediction_table(predictor: Predictor, AL: np.ndarray) -> list[list[str]]:
    """The predictions as CSV rows, header first: ``predicted`` (the value, or the class
    name and then one ``p_<class>`` column per class). Numbers are written as the shortest
    text that reads back as the same value in AL's dtype."""
    if predictor.is_regression:
        return [["predicted"], *([str(value)] for value in AL[0])]
    P = predictor.probabilities(AL)
    header = ["predicted", *(f"p_{name}" for name in predictor.classes)]
    names = predictor.predicted_classes(AL)
    return [header, *([name, *map(str, column)] for name, column in zip(names, P.T, strict=True))]


def table_csv(table: list[list[str]]) -> str:
    """CSV text of ``table``'s rows."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(table)
    return out.getvalue()
