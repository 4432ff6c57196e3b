"""Data sets in the article's layout: X (n_x, m), one column per example, and Y.

Y is (1, m) of 0/1 for two classes, (k, m) one-hot for k > 2 classes, and (1, m) of numbers
for regression. A ``Dataset`` keeps the class names for display.

Where data comes from:
- the shipped tables in ``datasets/`` (Iris, breast cancer, wine, digits, diabetes),
- the seeded toy 2-D generators of ``engine.toy``,
- anyone's CSV file, through ``read_csv``, which either returns a valid data set or raises
  ``DataError`` with one message naming the file, the row and column, and what is wrong.

Then ``prepare`` splits train/test (stratified for classes) and standardises with
statistics fitted on the training part only.
"""

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Literal

import numpy as np

from engine import toy

Task = Literal["binary", "multiclass", "regression"]

MIN_ROWS = 10
MAX_CLASSES_FOR_INTEGERS = 20
MISSING = {"", "na", "n/a", "nan", "null", "none", "?", "-"}
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}

#: For each task, the cost and output activation the network ends with.
TASK_OUTPUT = {
    "binary": ("bce", "sigmoid"),
    "multiclass": ("ce", "softmax"),
    "regression": ("mse", "linear"),
}


class DataError(ValueError):
    """A data file or data request that cannot be used; the message says why and where."""


@dataclass(frozen=True)
class Dataset:
    """A whole data set: X (n_x, m), Y (1 or k, m), names of features and classes."""

    name: str
    X: np.ndarray
    Y: np.ndarray
    task: Task
    feature_names: list[str]
    target_name: str
    classes: list[str] = field(default_factory=list)  # empty for regression
    description: str = ""
    dropped_rows: int = 0  # rows with missing values left out on request

    @property
    def n_x(self) -> int:
        return self.X.shape[0]

    @property
    def m(self) -> int:
        return self.X.shape[1]

    @property
    def k(self) -> int:
        """Number of classes (0 for regression)."""
        return len(self.classes)

    @property
    def cost(self) -> str:
        return TASK_OUTPUT[self.task][0]

    @property
    def output_activation(self) -> str:
        return TASK_OUTPUT[self.task][1]

    @property
    def labels(self) -> np.ndarray:
        """Class index per example (m,); for regression, the targets themselves."""
        if self.task == "multiclass":
            return self.Y.argmax(axis=0)
        if self.task == "binary":
            return self.Y[0].astype(np.int64)
        return self.Y[0]


def targets_from_labels(labels: np.ndarray, k: int) -> np.ndarray:
    """Y from class indices (m,): (1, m) of 0/1 when k = 2, (k, m) one-hot when k > 2."""
    if k == 2:
        return labels[None, :].astype(np.float64)
    return toy.one_hot(labels, k)


# -- reading anyone's CSV ------------------------------------------------------------------

Progress = Callable[[int, int], None]
PROGRESS_ROWS = 10_000  # rows converted between two progress calls


def _quiet(done: int, total: int) -> None:
    """No progress to report to."""


def read_csv(
    path: str | Path,
    target: str,
    *,
    drop_missing: bool = False,
    task: Literal["classification", "regression"] | None = None,
    name: str | None = None,
    description: str = "",
    progress: Progress | None = None,
) -> Dataset:
    """Load a CSV with a header row: numeric feature columns and the ``target`` column.

    The delimiter (comma, semicolon, tab) is found from the file. The target holds class
    labels (any text, or whole numbers with at most 20 distinct values) or numbers
    (regression); ``task`` overrides that guess. Raises DataError for any problem.
    ``progress(rows_done, rows)`` is called as the rows are converted.
    """
    path = Path(path)
    text = _read_text(path)
    header, rows = _parse(text, path)
    return _table_to_dataset(
        header, rows, path, target, drop_missing=drop_missing, task=task,
        name=name or path.stem, description=description, progress=progress or _quiet,
    )  # fmt: skip


def _read_text(path: Path) -> str:
    if not path.exists():
        raise DataError(f"{path}: no such file")
    if not path.is_file():
        raise DataError(f"{path}: not a file")
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise DataError(f"{path}: cannot be read ({err.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise DataError(
            f"{path}, line {line}: byte 0x{raw[err.start]:02x} is not UTF-8 text; "
            "save the file as UTF-8 (CSV UTF-8)"
        ) from None
    if "\x00" in text:
        raise DataError(f"{path}: holds NUL bytes; this is not a text CSV file")
    if not text.strip():
        raise DataError(f"{path}: the file is empty")
    return text


def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the first lines into the same number (> 1) of fields."""
    best, best_fields = ",", 1
    for delimiter in DELIMITERS:
        try:
            counts = {len(row) for row in csv.reader(lines, delimiter=delimiter) if row}
        except csv.Error:
            continue
        if len(counts) == 1 and (n := counts.pop()) > best_fields:
            best, best_fields = delimiter, n
    if best_fields == 1:  # no consistent split: take the delimiter the header uses most
        best = max(DELIMITERS, key=lines[0].count)
    return best


def _parse(text: str, path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(header, [(line number, fields), ...]), skipping blank lines; ragged rows raise."""
    lines = [line for line in text.splitlines() if line.strip()]
    delimiter = _sniff_delimiter(lines[:20])
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as err:
        raise DataError(f"{path}: not readable as CSV ({err})") from None
    numbered = [(i, row) for i, row in enumerate(records, start=1) if any(f.strip() for f in row)]
    if not numbered:
        raise DataError(f"{path}: holds no values, only delimiters and blank space")
    header = [h.strip() for h in numbered[0][1]]
    if len(header) < 2:
        raise DataError(
            f"{path}: the header has one column ({header[0]!r}); nntui needs at least one "
            "feature column and a target column, separated by commas, semicolons or tabs"
        )
    for col, name in enumerate(header, start=1):
        if not name:
            raise DataError(f"{path}, line {numbered[0][0]}: column {col} of the header is empty")
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        raise DataError(f"{path}: the header repeats the column name(s) {', '.join(duplicates)}")
    rows = numbered[1:]
    if not rows:
        raise DataError(f"{path}: has a header row but no data rows")
    for line, row in rows:
        if len(row) != len(header):
            raise DataError(
                f"{path}, line {line}: has {len(row)} fields but the header has {len(header)} "
                f"({DELIMITERS[delimiter]}-separated)"
            )
    return header, rows


def _number(cell: str) -> float | None:
    """The cell as a finite float, or None if it is not a finite number."""
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _table_to_dataset(
    header: list[str],
    rows: list[tuple[int, list[str]]],
    path: Path,
    target: str,
    *,
    drop_missing: bool,
    task: str | None,
    name: str,
    description: str,
    progress: Progress,
) -> Dataset:
    progress(0, len(rows))
    if target not in header:
        raise DataError(f"{path}: no column named {target!r}; the columns are: {', '.join(header)}")
    t = header.index(target)
    missing = [
        (line, header[col])
        for line, row in rows
        for col, cell in enumerate(row)
        if cell.strip().lower() in MISSING
    ]
    dropped = 0
    if missing:
        if not drop_missing:
            where = "; ".join(f"line {line} column {col!r}" for line, col in missing[:5])
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            raise DataError(
                f"{path}: {len(missing)} missing value(s): {where}{more}. "
                "Fill them in, or drop those rows with --drop-missing"
            )
        bad_lines = {line for line, _ in missing}
        dropped = len(bad_lines)
        rows = [(line, row) for line, row in rows if line not in bad_lines]
    if len(rows) < MIN_ROWS:
        after = f" after dropping {dropped} with missing values" if dropped else ""
        raise DataError(
            f"{path}: only {len(rows)} data rows{after}; nntui needs at least {MIN_ROWS}"
        )
    feature_cols = [c for c in range(len(header)) if c != t]
    X = np.empty((len(feature_cols), len(rows)))
    for j, (line, row) in enumerate(rows):
        if j and j % PROGRESS_ROWS == 0:
            progress(j, len(rows))
        for i, col in enumerate(feature_cols):
            value = _number(row[col].strip())
            if value is None:
                raise DataError(
                    f"{path}, line {line}, column {header[col]!r}: {row[col].strip()!r} "
                    "is not a finite number (feature columns must be numeric)"
                )
            X[i, j] = value
    raw_targets = [(line, row[t].strip()) for line, row in rows]
    found_task, Y, classes = _targets(raw_targets, task, path, target)
    progress(len(rows), len(rows))
    return Dataset(
        name=name, X=X, Y=Y, task=found_task,
        feature_names=[header[c] for c in feature_cols], target_name=target,
        classes=classes, description=description, dropped_rows=dropped,
    )  # fmt: skip


def _targets(
    column: list[tuple[int, str]], task: str | None, path: Path, target: str
) -> tuple[Task, np.ndarray, list[str]]:
    """(task, Y, class names) from the target column's (line, text) pairs."""
    raw = [text for _, text in column]
    numbers = [_number(v) for v in raw]
    all_numeric = all(v is not None for v in numbers)
    if task == "regression" or (task is None and all_numeric and not _looks_like_classes(numbers)):
        for (line, text), value in zip(column, numbers, strict=True):
            if value is None:
                raise DataError(
                    f"{path}, line {line}, column {target!r}: {text!r} is not a number, "
                    "but a regression target must be numeric"
                )
        return "regression", np.array(numbers, dtype=np.float64)[None, :], []
    if all_numeric:
        order = sorted(set(numbers))
        classes = [_number_text(v) for v in order]
        index = {v: i for i, v in enumerate(order)}
        labels = np.array([index[v] for v in numbers])
    else:
        classes = sorted(set(raw))
        index = {c: i for i, c in enumerate(classes)}
        labels = np.array([index[c] for c in raw])
    if len(classes) < 2:
        raise DataError(
            f"{path}: the target column {target!r} has only one class ({classes[0]!r}); "
            "a classifier needs at least two"
        )
    k = len(classes)
    return ("binary" if k == 2 else "multiclass"), targets_from_labels(labels, k), classes


def _looks_like_classes(numbers: list[float]) -> bool:
    """Whole numbers with few distinct values are class labels."""
    distinct = set(numbers)
    return all(v.is_integer() for v in distinct) and len(distinct) <= MAX_CLASSES_FOR_INTEGERS


def _number_text(v: float) -> str:
    return str(int(v)) if v.is_integer() else repr(v)


# -- shipped tables and toy sets: the registry ---------------------------------------------


def datasets_dir() -> Path:
    """Where the shipped CSV files are: inside the installed package, or the source tree."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "datasets", here.parent / "datasets"):
        if (candidate / "iris.csv").exists():
            return candidate
    raise DataError(f"the shipped data sets are missing (looked in {here / 'datasets'})")


@dataclass(frozen=True)
class DatasetInfo:
    """One entry of the registry, enough for a menu: name, task, sizes, one line of text."""

    name: str
    task: Task
    n_x: int
    k: int
    m: int
    description: str
    load: Callable[[], Dataset]

    @property
    def is_2d(self) -> bool:
        return self.n_x == 2


def _shipped(
    name: str, file: str, target: str, task: Task, shape: tuple[int, int, int], description: str
) -> DatasetInfo:
    """A registry entry for a CSV in datasets/; shape is (n_x, k, m) as documented there."""

    def load() -> Dataset:
        return read_csv(datasets_dir() / file, target, name=name, description=description)

    return DatasetInfo(name, task, *shape, description, load)


def _toy(
    name: str, make: Callable[..., tuple[np.ndarray, np.ndarray]], k: int, what: str
) -> DatasetInfo:
    """A registry entry for a toy 2-D generator of k classes (m = 400 by default)."""
    description = f"{what} (toy 2-D)"

    def load(m: int = 400, noise: float | None = None, seed: int = 0) -> Dataset:
        kwargs = {} if noise is None else {"noise": noise}
        X, labels = make(m, seed=seed, **kwargs)
        return Dataset(
            name=name, X=X, Y=targets_from_labels(labels, k),
            task="binary" if k == 2 else "multiclass", feature_names=["x1", "x2"],
            target_name="class", classes=[f"class {i}" for i in range(k)],
            description=description,
        )  # fmt: skip

    return DatasetInfo(name, "binary" if k == 2 else "multiclass", 2, k, 400, description, load)


_ENTRIES = [
    _toy("circles", toy.circles, 2, "two concentric rings"),
    _toy("xor", toy.xor, 2, "four quadrants, class by the sign of x1·x2"),
    _toy("moons", toy.moons, 2, "two interleaving half circles"),
    _toy("spirals", toy.spirals, 2, "two interleaved spirals"),
    _toy("blobs", partial(toy.blobs, k=2), 2, "two Gaussian clusters"),
    _toy("blobs-4", partial(toy.blobs, k=4), 4, "four Gaussian clusters"),
    _shipped("iris", "iris.csv", "species", "multiclass", (4, 3, 150),
             "Fisher's iris flowers: 3 species from 4 measurements"),
    _shipped("breast-cancer", "breast_cancer.csv", "diagnosis", "binary", (30, 2, 569),
             "Wisconsin breast cancer: malignant or benign from 30 cell-nucleus features"),
    _shipped("wine", "wine.csv", "cultivar", "multiclass", (13, 3, 178),
             "Wine: 3 cultivars from 13 chemical measurements"),
    _shipped("digits", "digits.csv", "digit", "multiclass", (64, 10, 1797),
             "Handwritten digits 0-9 as 8x8 pixel counts"),
    _shipped("diabetes", "diabetes.csv", "progression", "regression", (10, 0, 442),
             "Diabetes: disease progression after one year from 10 baseline values"),
]  # fmt: skip

REGISTRY: dict[str, DatasetInfo] = {info.name: info for info in _ENTRIES}


def load_dataset(name: str) -> Dataset:
    """A shipped table or toy set by its registry name; DataError lists the names."""
    try:
        info = REGISTRY[name]
    except KeyError:
        raise DataError(
            f"unknown data set {name!r}; choose one of: {', '.join(REGISTRY)}"
        ) from None
    return info.load()


# -- preparation: split and standardise ----------------------------------------------------


@dataclass(frozen=True)
class Standardizer:
    """x' = (x - mean) / std per feature, with mean and std (n_x, 1) from the training set."""

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, X: np.ndarray) -> "Standardizer":
        """Statistics of X (n_x, m); a constant feature gets std 1 so it maps to 0."""
        mean = X.mean(axis=1, keepdims=True)
        std = X.std(axis=1, keepdims=True)
        return cls(mean, np.where(std > 0, std, 1.0))

    def transform(self, X: np.ndarray) -> np.ndarray:
        return (X - self.mean) / self.std


@dataclass(frozen=True)
class Prepared:
    """Train and test parts, standardised with the training part's statistics."""

    dataset: Dataset
    X_train: np.ndarray
    Y_train: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    standardizer: Standardizer
    train_index: np.ndarray
    test_index: np.ndarray


def split_indices(
    dataset: Dataset, test_ratio: float = 0.2, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) column indices; stratified by class for classification."""
    if not 0 <= test_ratio < 1 or not math.isfinite(test_ratio):
        raise DataError(f"the test ratio must be at least 0 and below 1, got {test_ratio!r}")
    rng = np.random.default_rng(seed)
    if dataset.task == "regression":
        groups = [np.arange(dataset.m)]
    else:
        groups = [np.flatnonzero(dataset.labels == c) for c in range(dataset.k)]
    train, test = [], []
    for group in groups:
        shuffled = rng.permutation(group)
        n_test = round(len(group) * test_ratio)
        if test_ratio > 0 and len(group) > 1:
            n_test = min(max(n_test, 1), len(group) - 1)
        test.append(shuffled[:n_test])
        train.append(shuffled[n_test:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def prepare(
    dataset: Dataset,
    test_ratio: float = 0.2,
    seed: int | None = 0,
    *,
    scaler: Standardizer | None = None,
) -> Prepared:
    """Split, then standardise both parts with statistics fitted on the training part only
    (or with ``scaler``, the statistics a saved model was trained with)."""
    train, test = split_indices(dataset, test_ratio, seed)
    X_train = dataset.X[:, train]
    if scaler is None:
        scaler = Standardizer.fit(X_train)
    elif scaler.mean.shape != (dataset.n_x, 1) or scaler.std.shape != (dataset.n_x, 1):
        raise DataError(
            f"the standardisation has {scaler.mean.shape[0]} features but the data has "
            f"{dataset.n_x}"
        )
    return Prepared(
        dataset=dataset,
        X_train=scaler.transform(X_train),
        Y_train=dataset.Y[:, train],
        X_test=scaler.transform(dataset.X[:, test]),
        Y_test=dataset.Y[:, test],
        standardizer=scaler,
        train_index=train,
        test_index=test,
    )
