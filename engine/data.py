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
import math
import re
from collections import deque
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Literal, TextIO

import numpy as np

from engine import toy
from engine.files import check_input_file

Task = Literal["binary", "multiclass", "regression"]

MIN_ROWS = 10
DEFAULT_POINTS = 400  # points a generated 2-D set has unless told
MAX_CLASSES_FOR_INTEGERS = 20
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
    notes: tuple[str, ...] = ()  # what loading decided that the user should hear
    plane: np.ndarray | None = None  # the raw 2-D points (2, m) that features came from

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
PROGRESS_ROWS = 2_000  # rows converted at once, between two progress calls
#: Texts that mean "missing" in a feature column (which must hold numbers anyway). In the
#: target they may be class names: there only empty cells, and the user's ``missing``, are.
FEATURE_MISSING = {"", "na", "n/a", "nan", "null", "none", "?", "-"}
FLOAT32_MAX = float(np.finfo(np.float32).max)  # training computes in float32
MAX_CLASSES = 1000  # Y is one-hot (k, m): more classes than this would not fit in memory


def _quiet(done: int, total: int) -> None:
    """No progress to report to."""


def read_csv(
    path: str | Path,
    target: str,
    *,
    drop_missing: bool = False,
    task: Literal["classification", "regression"] | None = None,
    missing: Collection[str] = (),
    name: str | None = None,
    description: str = "",
    progress: Progress | None = None,
) -> Dataset:
    """Load a CSV with a header row: numeric feature columns and the ``target`` column.

    The delimiter (comma, semicolon, tab) is found from the file. The target holds class
    labels (any text, or whole numbers with at most 20 distinct values) or numbers
    (regression); ``task`` overrides that guess, and the Dataset's notes say what was chosen.
    Empty cells are missing, and so are the texts in ``missing``. Raises DataError for any
    problem. The file is read once, row block by row block, into preallocated arrays;
    ``progress(rows_done, rows)`` is called as the rows are converted.
    """
    path = check_input_file(path, DataError)
    capacity = max(_count_lines(path) - 1, 0)  # data rows are fewer than lines
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            table = _read_table(path, _Lines(f, path), target, capacity,
                                {m.strip() for m in missing}, progress or _quiet)  # fmt: skip
    except OSError as err:
        raise DataError(f"{path}: cannot be read ({err.strerror})") from None
    return table.dataset(
        target, drop_missing=drop_missing, task=task, name=name or path.stem,
        description=description,
    )  # fmt: skip


def _count_lines(path: Path) -> int:
    """Lines in the file, ended by \\n, \\r or \\r\\n (the last one may be unended),
    counted in binary blocks."""
    lines, last = 0, b""
    try:
        with path.open("rb") as f:
            while block := f.read(1 << 20):
                lines += block.count(b"\n") + block.count(b"\r") - block.count(b"\r\n")
                lines -= last == b"\r" and block[:1] == b"\n"
                last = block[-1:]
    except OSError as err:
        raise DataError(f"{path}: cannot be read ({err.strerror})") from None
    return lines + (last not in (b"", b"\n", b"\r"))


def _not_utf8(path: Path) -> DataError:
    """The error naming the line and byte where the file stops being UTF-8."""
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as err:
                return DataError(
                    f"{path}, line {number}: byte 0x{raw[err.start]:02x} is not UTF-8 text; "
                    "save the file as UTF-8 (CSV UTF-8)"
                )
    return DataError(f"{path}: is not UTF-8 text; save the file as UTF-8 (CSV UTF-8)")


class _Lines:
    """The file's lines (ends kept) for ``csv.reader``, with the first ones readable ahead
    for sniffing. Bad UTF-8 and NUL bytes raise DataError with the line; ``ended`` says that
    the reader asked beyond the last line."""

    def __init__(self, f: TextIO, path: Path) -> None:
        self._f, self._path = f, path
        self._ahead: deque[str] = deque()
        self._read = 0
        self.ended = False

    def _next_line(self) -> str:
        try:
            line = self._f.readline()
        except UnicodeDecodeError:
            raise _not_utf8(self._path) from None
        self._read += 1
        if "\x00" in line:
            raise DataError(
                f"{self._path}, line {self._read}: holds NUL bytes; this is not a text CSV file"
            )
        return line

    def head(self, n: int) -> list[str]:
        """Up to n first lines that are not blank; they are handed out again by iteration."""
        found = sum(1 for line in self._ahead if line.strip())
        while found < n and (line := self._next_line()):
            self._ahead.append(line)
            found += bool(line.strip())
        return [line for line in self._ahead if line.strip()][:n]

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        line = self._ahead.popleft() if self._ahead else self._next_line()
        if not line:
            self.ended = True
            raise StopIteration
        return line


def _quote_line(field: str, last_line: int) -> int:
    """The line where a quoted ``field`` that runs to the end of the file opened."""
    pieces = re.split(r"\r\n|\r|\n", field)
    return last_line - len(pieces) + 1 + (pieces[-1] == "")


def _records(lines: _Lines, delimiter: str, path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line where it starts, fields) for every record holding a value; a quote left open
    or a CSV error raises DataError with the line."""
    reader = csv.reader(lines, delimiter=delimiter)
    start = 1
    try:
        for row in reader:
            if lines.ended:  # the reader went past the last line inside a quoted field
                opened = _quote_line(row[-1], reader.line_num)
                raise DataError(f"{path}, line {opened}: a quote opens here and is never closed")
            if any(f.strip() for f in row):
                yield start, row
            start = reader.line_num + 1
    except csv.Error as err:
        hint = "; is a quote left open there?" if "field limit" in str(err) else ""
        raise DataError(f"{path}, line {start}: not readable as CSV ({err}){hint}") from None


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


def _check_header(header: list[str], line: int, path: Path) -> None:
    if len(header) < 2:
        raise DataError(
            f"{path}: the header has one column ({header[0]!r}); nntui needs at least one "
            "feature column and a target column, separated by commas, semicolons or tabs"
        )
    check_column_names(header, line, path)


def check_column_names(header: list[str], line: int, path: Path) -> None:
    """DataError for an empty or a repeated column name in the header (on ``line``)."""
    for col, name in enumerate(header, start=1):
        if not name:
            raise DataError(f"{path}, line {line}: column {col} of the header is empty")
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        raise DataError(f"{path}: the header repeats the column name(s) {', '.join(duplicates)}")


def _read_table(
    path: Path, lines: _Lines, target: str, capacity: int, missing: set[str], progress: Progress
) -> "_Table":
    """The header, then every data row, converted a block of rows at a time."""
    head = lines.head(20)
    if not head:
        raise DataError(f"{path}: the file is empty")
    delimiter = _sniff_delimiter(head)
    records = _records(lines, delimiter, path)
    first = next(records, None)
    if first is None:
        raise DataError(f"{path}: holds no values, only delimiters and blank space")
    header = [h.strip() for h in first[1]]
    _check_header(header, first[0], path)
    if target not in header:
        raise DataError(f"{path}: no column named {target!r}; the columns are: {', '.join(header)}")
    table = _Table(path, header, header.index(target), capacity, missing)
    progress(0, capacity)
    block: list[tuple[int, list[str]]] = []
    for line, row in records:
        if len(row) != len(header):
            raise DataError(
                f"{path}, line {line}: has {len(row)} fields but the header has {len(header)} "
                f"({DELIMITERS[delimiter]}-separated)"
            )
        block.append((line, row))
        if len(block) == PROGRESS_ROWS:
            table.add(block)
            block = []
            progress(table.m, capacity)
    table.add(block)
    progress(table.m, table.m)
    return table


def _number(cell: str) -> float | None:
    """The cell as a finite float, or None if it is not a finite number."""
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class _Table:
    """The rows of a CSV as they are read: features (capacity, n_x) one row per example,
    the target as codes into its distinct texts, with the line where each text first
    appears; rows with missing cells are counted and left out."""

    def __init__(
        self, path: Path, header: list[str], t: int, capacity: int, missing: set[str]
    ) -> None:
        self.path, self.header, self.t, self.missing = path, header, t, missing
        self.feature_cols = [c for c in range(len(header)) if c != t]
        self.features = np.empty((capacity, len(self.feature_cols)))
        self.codes = np.empty(capacity, dtype=np.int32)
        self.texts: dict[str, int] = {}  # each distinct target text: its code
        self.first_lines: list[int] = []  # by code
        self.m = 0
        self.rows_read = 0
        self.missing_cells: list[tuple[int, str]] = []  # the first few (line, column)
        self.n_missing = 0
        self.dropped_lines = 0
        self.dropped_texts: set[str] = set()  # targets of the rows left out

    def _missing_in(self, line: int, row: list[str]) -> bool:
        """Count the row's missing cells; True if it has any."""
        found = [
            self.header[c]
            for c, cell in enumerate(row)
            if (text := cell.strip()) in self.missing
            or (text.lower() in FEATURE_MISSING if c != self.t else not text)
        ]
        self.missing_cells += [(line, col) for col in found[: 5 - len(self.missing_cells)]]
        self.n_missing += len(found)
        return bool(found)

    def add(self, block: list[tuple[int, list[str]]]) -> None:
        """Convert a block of (line, fields) rows into the arrays."""
        self.rows_read += len(block)
        kept = []
        for line, row in block:
            if self._missing_in(line, row):
                self.dropped_lines += 1
                self.dropped_texts.add(row[self.t].strip())
            else:
                kept.append((line, row))
        j, n = self.m, len(kept)
        if j + n > len(self.codes):
            raise DataError(f"{self.path}: the file grew while it was being read")
        cells = [[row[c].strip() for c in self.feature_cols] for _, row in kept]
        try:
            values = np.array(cells, dtype=np.float64).reshape(n, len(self.feature_cols))
        except ValueError:
            values = np.full((n, len(self.feature_cols)), np.nan)
        if not np.isfinite(values).all():
            raise self._bad_cell(kept)
        self.features[j : j + n] = values
        self.codes[j : j + n] = [self._code(line, row[self.t].strip()) for line, row in kept]
        self.m += n

    def _code(self, line: int, text: str) -> int:
        """The code of a target text; a new text gets the next code and its line is kept."""
        code = self.texts.setdefault(text, len(self.texts))
        if code == len(self.first_lines):
            self.first_lines.append(line)
        return code

    def _bad_cell(self, rows: list[tuple[int, list[str]]]) -> DataError:
        """The error for the first feature cell in ``rows`` that is not a finite number."""
        line, row, col = next(
            (line, row, c)
            for line, row in rows
            for c in self.feature_cols
            if _number(row[c].strip()) is None
        )
        return DataError(
            f"{self.path}, line {line}, column {self.header[col]!r}: {row[col].strip()!r} "
            "is not a finite number (feature columns must be numeric)"
        )

    def _check_rows(self, drop_missing: bool) -> None:
        if self.rows_read == 0:
            raise DataError(f"{self.path}: has a header row but no data rows")
        if self.n_missing and not drop_missing:
            where = "; ".join(f"line {line} column {col!r}" for line, col in self.missing_cells)
            more = f" and {self.n_missing - 5} more" if self.n_missing > 5 else ""
            raise DataError(
                f"{self.path}: {self.n_missing} missing value(s): {where}{more}. "
                "Fill them in, or drop those rows with --drop-missing"
            )
        if self.m < MIN_ROWS:
            after = (
                f" after dropping {self.dropped_lines} with missing values"
                if self.dropped_lines
                else ""
            )
            raise DataError(
                f"{self.path}: only {self.m} data rows{after}; nntui needs at least {MIN_ROWS}"
            )

    def dataset(
        self, target: str, *, drop_missing: bool, task: str | None, name: str, description: str
    ) -> Dataset:
        """The Dataset of the rows kept: X (n_x, m), Y and the notes on what was decided."""
        self._check_rows(drop_missing)
        m = self.m
        self.features.resize((m, len(self.feature_cols)), refcheck=False)  # in place: no copy
        self.codes.resize(m, refcheck=False)
        column = _TargetColumn(self.path, target, list(self.texts), self.codes, self.first_lines)
        found_task, Y, classes, notes = column.decode(task)
        if self.dropped_lines:
            notes = [self._dropped_note(column, classes), *notes]
        return Dataset(
            name=name, X=self.features.T, Y=Y, task=found_task,
            feature_names=[self.header[c] for c in self.feature_cols], target_name=target,
            classes=classes, description=description, dropped_rows=self.dropped_lines,
            notes=tuple(notes),
        )  # fmt: skip

    def _dropped_note(self, column: "_TargetColumn", classes: list[str]) -> str:
        """How many rows --drop-missing left out, and the classes that went with them."""
        note = f"dropped {self.dropped_lines:,} of {self.rows_read:,} rows with missing values"
        gone = sorted(set(column.class_names(self.dropped_texts - {""})) - set(classes))
        if classes and gone:
            note += f"; class(es) gone with them: {', '.join(map(repr, gone))}"
        return note


def _numeric(text: str) -> int | float | None:
    """A target text as an exact int (whole numbers in digits), a finite float, or None."""
    if len(text) <= 4000 and re.fullmatch(r"[+-]?[0-9]+", text):
        return int(text)
    return _number(text)


def _class_key(value: int | float | None, text: str) -> int | float | str:
    """What identifies a class: its number (1 and 1.0 are one class), else its text."""
    if value is None:
        return text
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass(frozen=True)
class _TargetColumn:
    """The target: distinct texts, a code per row (m,) into them, each text's first line."""

    path: Path
    name: str
    texts: list[str]
    codes: np.ndarray
    first_lines: list[int]

    @property
    def values(self) -> list[int | float | None]:
        return [_numeric(text) for text in self.texts]

    def decode(self, task: str | None) -> tuple[Task, np.ndarray, list[str], list[str]]:
        """(task, Y, class names, notes): ``task`` if given, else text means classes,
        fractions mean regression, and whole numbers are classes if at most 20 distinct."""
        values = self.values
        if task is None and all(v is not None for v in values):
            keys = {_class_key(v, t) for v, t in zip(values, self.texts, strict=True)}
            if not all(isinstance(key, int) for key in keys):
                return self.regression(values)
            task = "regression" if len(keys) > MAX_CLASSES_FOR_INTEGERS else "classification"
            other = "classification" if task == "regression" else "regression"
            as_what = "quantities" if task == "regression" else "class labels"
            note = (
                f"the target {self.name!r} holds {len(keys):,} distinct whole numbers: taken as "
                f"{as_what} ({task}); --task {other} decides otherwise"
            )
            decode = self.regression if task == "regression" else self.classes
            found, Y, classes, notes = decode(values)
            return found, Y, classes, [note, *notes]
        if task == "regression":
            return self.regression(values)
        return self.classes(values)

    def regression(
        self, values: list[int | float | None]
    ) -> tuple[Task, np.ndarray, list[str], list[str]]:
        """Y (1, m) of the numbers; each must be within float32's range, which training uses."""
        for code, value in enumerate(values):
            if value is None or abs(value) > FLOAT32_MAX:
                raise self._bad_quantity(code, value)
        Y = np.array(values, dtype=np.float64)[self.codes][None, :]
        return "regression", Y, [], []

    def _bad_quantity(self, code: int, value: float | None) -> DataError:
        text = self.texts[code]
        if value is None:
            why = "is not a number, but a regression target must be numeric"
            if text.lower() in FEATURE_MISSING:
                why += f"; if it means missing, give --missing {text}"
        else:
            why = f"is beyond ±{FLOAT32_MAX:.4g}, the float32 range training computes in"
        return DataError(
            f"{self.path}, line {self.first_lines[code]}, column {self.name!r}: {text!r} {why}"
        )

    def class_names(self, texts: Collection[str]) -> list[str]:
        """The class names these texts would have (numbers by their value, if all are)."""
        values = [_numeric(t) for t in texts]
        if any(v is None for v in self.values + values):
            return list(texts)
        return [_class_name(_class_key(v, t)) for v, t in zip(values, texts, strict=True)]

    def classes(
        self, values: list[int | float | None]
    ) -> tuple[Task, np.ndarray, list[str], list[str]]:
        numeric = all(v is not None for v in values)
        keys = (
            [_class_key(v, t) for v, t in zip(values, self.texts, strict=True)]
            if numeric
            else self.texts
        )
        order = sorted(set(keys))
        k, m = len(order), len(self.codes)
        if k < 2:
            raise DataError(
                f"{self.path}: the target column {self.name!r} has only one class "
                f"({_class_name(order[0])!r}); a classifier needs at least two"
            )
        if k > m / 2 or k > MAX_CLASSES:
            raise DataError(self._too_many_classes(k, m, numeric))
        index = {key: i for i, key in enumerate(order)}
        labels = np.array([index[key] for key in keys])[self.codes]
        classes = [_class_name(key) for key in order]
        task: Task = "binary" if k == 2 else "multiclass"
        return task, targets_from_labels(labels, k), classes, self._marker_notes(classes)

    def _too_many_classes(self, k: int, m: int, numeric: bool) -> str:
        why = (
            "nearly one per row: it looks like an identifier, not a class label"
            if k > m / 2
            else f"nntui classifies into at most {MAX_CLASSES:,}"
        )
        instead = " (or --task regression if it holds quantities)" if numeric else ""
        return (
            f"{self.path}: the target column {self.name!r} has {k:,} classes in {m:,} rows, "
            f"{why}; choose another --target{instead}"
        )

    def _marker_notes(self, classes: list[str]) -> list[str]:
        """A note if some class names are texts that often mean 'missing'."""
        markers = [c for c in classes if c.lower() in FEATURE_MISSING]
        if not markers:
            return []
        names = ", ".join(map(repr, markers))
        return [
            f"the target {self.name!r} has the class(es) {names}; if they mean a missing "
            f"value, give --missing {','.join(markers)}"
        ]


def _class_name(key: int | float | str) -> str:
    return repr(key) if isinstance(key, float) else str(key)


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
    load: Callable[..., Dataset]
    generated: bool = False  # a seeded generator: load(m, noise, seed) takes its settings

    @property
    def is_2d(self) -> bool:
        return self.n_x == 2


def _shipped(
    name: str, file: str, target: str, task: Task, shape: tuple[int, int, int], description: str
) -> DatasetInfo:
    """A registry entry for a CSV in datasets/; shape is (n_x, k, m) as documented there."""

    def load() -> Dataset:
        kind = "regression" if task == "regression" else "classification"
        return read_csv(datasets_dir() / file, target, task=kind, name=name,
                        description=description)  # fmt: skip

    return DatasetInfo(name, task, *shape, description, load)


def _toy(
    name: str,
    make: Callable[..., tuple[np.ndarray, np.ndarray]],
    k: int,
    what: str,
    *,
    playground: bool = False,
) -> DatasetInfo:
    """A registry entry for a toy 2-D generator of k classes (k = 0: a regression target);
    m = 400 points by default."""
    description = f"{what} ({'TF Playground' if playground else 'toy'} 2-D)"
    task: Task = "regression" if k == 0 else "binary" if k == 2 else "multiclass"

    def load(m: int = DEFAULT_POINTS, noise: float | None = None, seed: int = 0) -> Dataset:
        kwargs = {} if noise is None else {"noise": noise}
        X, labels = make(m, seed=seed, **kwargs)
        if task == "regression":
            Y, classes, target = labels[None, :].astype(np.float64), [], "y"
        else:
            Y, classes = targets_from_labels(labels, k), [f"class {i}" for i in range(k)]
            target = "class"
        return Dataset(
            name=name, X=X, Y=Y, task=task, feature_names=["x1", "x2"], target_name=target,
            classes=classes, description=description,
        )  # fmt: skip

    return DatasetInfo(name, task, 2, k, DEFAULT_POINTS, description, load, generated=True)


_ENTRIES = [
    _toy("circles", toy.circles, 2, "two concentric rings"),
    _toy("xor", toy.xor, 2, "four quadrants, class by the sign of x1·x2"),
    _toy("moons", toy.moons, 2, "two interleaving half circles"),
    _toy("spirals", toy.spirals, 2, "two interleaved spirals"),
    _toy("blobs", partial(toy.blobs, k=2), 2, "two Gaussian clusters"),
    _toy("blobs-4", partial(toy.blobs, k=4), 4, "four Gaussian clusters"),
    _toy("pg-circle", toy.pg_circle, 2, "a disc inside a ring", playground=True),
    _toy("pg-xor", toy.pg_xor, 2, "four quadrants, class by the sign of x1·x2", playground=True),
    _toy("pg-gauss", toy.pg_gauss, 2, "two Gaussian clusters", playground=True),
    _toy("pg-spiral", toy.pg_spiral, 2, "two spirals of 1.75 turns", playground=True),
    _toy("reg-plane", toy.reg_plane, 0, "regression: y = (x1 + x2) / 10", playground=True),
    _toy("reg-gauss", toy.reg_gauss, 0, "regression: six bumps of height ±1", playground=True),
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


def load_dataset(
    name: str, *, points: int | None = None, noise: float | None = None, seed: int = 0
) -> Dataset:
    """A shipped table or toy set by its registry name; DataError lists the names.

    A generated (toy 2-D) set takes ``points`` (m, default 400), ``noise`` (0 .. 0.5; None:
    the generator's own) and the data ``seed``; a shipped table refuses points and noise."""
    try:
        info = REGISTRY[name]
    except KeyError:
        raise DataError(
            f"unknown data set {name!r}; choose one of: {', '.join(REGISTRY)}"
        ) from None
    if not info.generated:
        if points is not None or noise is not None:
            raise DataError(
                f"{name} is a table of real data: points and noise apply to the generated 2-D "
                f"sets ({', '.join(n for n, i in REGISTRY.items() if i.generated)})"
            )
        return info.load()
    return info.load(DEFAULT_POINTS if points is None else points, noise, seed)


# -- preparation: split and standardise ----------------------------------------------------


@dataclass(frozen=True)
class Standardizer:
    """x' = (x - mean) / std per feature, with mean and std (n_x, 1) from the training set."""

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, X: np.ndarray) -> "Standardizer":
        """Statistics of X (n_x, m); a constant feature gets std 1 so it maps to 0. Each
        feature is divided by a power of two near its largest magnitude first: exact, and
        values near the float64 limit cannot overflow in the sums and squares."""
        scale = _power_of_two_near(np.abs(X).max(axis=1, keepdims=True, initial=0.0))
        scaled = X / scale
        mean = scaled.mean(axis=1, keepdims=True) * scale
        std = scaled.std(axis=1, keepdims=True) * scale
        return cls(mean, np.where(std > 0, std, 1.0))

    def transform(self, X: np.ndarray) -> np.ndarray:
        """(X - mean) / std for X (n_x, m), on values scaled down by a power of two per
        feature, so that X - mean stays finite for values near the float64 limit."""
        scale = _power_of_two_near(np.maximum(np.abs(self.mean), self.std))
        return (X / scale - self.mean / scale) / (self.std / scale)


def _power_of_two_near(a: np.ndarray) -> np.ndarray:
    """A power of two p with p <= a < 2p for each element of ``a`` (>= 0; 0.5 for 0): a
    divisor that is exact and brings every value of a feature within (-2, 2)."""
    return np.ldexp(1.0, np.frexp(a)[1] - 1)


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
    target_scaler: Standardizer | None = None  # regression: y' = (y - mean) / std

    def targets(self, Y: np.ndarray) -> np.ndarray:
        """Y (n_L, m) in the target's own units: y = y' * std + mean for regression."""
        t = self.target_scaler
        return Y if t is None else Y * t.std + t.mean


def split_indices(
    dataset: Dataset, test_ratio: float = 0.2, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) column indices; stratified by class for classification."""
    if not 0 <= test_ratio < 1 or not math.isfinite(test_ratio):
        raise DataError(f"the test ratio must be at least 0 and below 1, got {test_ratio!r}")
    rng = np.random.default_rng(seed)
    train, test = [], []
    for group in _class_groups(dataset):
        shuffled = rng.permutation(group)
        n_test = round(len(group) * test_ratio)
        if test_ratio > 0 and len(group) > 1:
            n_test = min(max(n_test, 1), len(group) - 1)
        test.append(shuffled[:n_test])
        train.append(shuffled[n_test:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def _class_groups(dataset: Dataset) -> list[np.ndarray]:
    """The column indices of each class in order, ascending (one group for regression);
    one sort, so that a target with thousands of classes splits in a moment."""
    if dataset.task == "regression":
        return [np.arange(dataset.m)]
    labels = dataset.labels
    order = np.argsort(labels, kind="stable")
    return np.split(order, np.cumsum(np.bincount(labels, minlength=dataset.k))[:-1])


def prepare(
    dataset: Dataset,
    test_ratio: float = 0.2,
    seed: int | None = 0,
    *,
    scaler: Standardizer | None = None,
    target_scaler: Standardizer | None = None,
) -> Prepared:
    """Split, then standardise both parts with statistics fitted on the training part only
    (or with ``scaler``, the statistics a saved model was trained with). A regression
    target is standardised too (with ``target_scaler`` if given), so that one learning
    rate suits any target's units; a classification target is left as it is."""
    train, test = split_indices(dataset, test_ratio, seed)
    Y_train, Y_test = dataset.Y[:, train], dataset.Y[:, test]
    if dataset.task == "regression":
        if target_scaler is None:
            target_scaler = Standardizer.fit(Y_train)
        elif target_scaler.mean.shape != (dataset.Y.shape[0], 1):
            raise DataError(
                f"the target standardisation has {target_scaler.mean.shape[0]} rows but the "
                f"target has {dataset.Y.shape[0]}"
            )
        Y_train, Y_test = target_scaler.transform(Y_train), target_scaler.transform(Y_test)
    else:
        target_scaler = None
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
        Y_train=Y_train,
        X_test=scaler.transform(dataset.X[:, test]),
        Y_test=Y_test,
        standardizer=scaler,
        train_index=train,
        test_index=test,
        target_scaler=target_scaler,
    )
