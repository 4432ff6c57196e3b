"""Shipped data, toy generators, preparation, and the CSV loader's errors."""

import numpy as np
import pytest

from engine import toy
from engine.data import (
    REGISTRY,
    DataError,
    Standardizer,
    load_dataset,
    prepare,
    read_csv,
    split_indices,
)

DOCUMENTED = {  # name: (n_x, m, Y rows, task)
    "iris": (4, 150, 3, "multiclass"),
    "breast-cancer": (30, 569, 1, "binary"),
    "wine": (13, 178, 3, "multiclass"),
    "digits": (64, 1797, 10, "multiclass"),
    "diabetes": (10, 442, 1, "regression"),
}


@pytest.mark.parametrize("name", list(DOCUMENTED))
def test_shipped_tables_load_with_the_documented_shape(name):
    n_x, m, rows, task = DOCUMENTED[name]
    data = load_dataset(name)
    assert data.X.shape == (n_x, m) and data.Y.shape == (rows, m)
    assert data.task == task
    info = REGISTRY[name]
    assert (info.n_x, info.m, info.task) == (n_x, m, task)
    if task == "multiclass":
        np.testing.assert_array_equal(data.Y.sum(axis=0), 1)  # one-hot columns


def test_class_names_are_kept():
    assert load_dataset("iris").classes == ["setosa", "versicolor", "virginica"]
    assert load_dataset("breast-cancer").classes == ["benign", "malignant"]
    assert load_dataset("digits").classes == [str(d) for d in range(10)]


@pytest.mark.parametrize("name", [n for n, info in REGISTRY.items() if info.is_2d])
def test_toy_sets_are_2d_and_match_the_registry(name):
    data = load_dataset(name)
    assert data.X.shape == (2, REGISTRY[name].m)
    assert data.k == REGISTRY[name].k


@pytest.mark.parametrize("make", [toy.circles, toy.xor, toy.blobs, toy.spirals, toy.moons])
def test_generators_are_deterministic_per_seed(make):
    X1, y1 = make(100, seed=5)
    X2, y2 = make(100, seed=5)
    X3, _ = make(100, seed=6)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    assert X1.shape == (2, 100) and y1.shape == (100,)
    quiet, _ = make(100, seed=5, noise=0.0)
    noisy, _ = make(100, seed=5, noise=0.5)
    assert np.abs(noisy - quiet).mean() > 0.1


def test_blobs_make_k_classes():
    _, labels = toy.blobs(90, k=5, seed=0)
    assert sorted(set(labels)) == [0, 1, 2, 3, 4]


def test_split_is_stratified_and_seeded():
    data = load_dataset("iris")
    train, test = split_indices(data, 0.2, seed=1)
    assert len(test) == 30 and len(train) == 120
    assert not set(train) & set(test)
    for c in range(3):
        assert (data.labels[test] == c).sum() == 10
    again, _ = split_indices(data, 0.2, seed=1)
    np.testing.assert_array_equal(train, again)


def test_standardiser_is_fitted_on_the_training_part_only():
    data = load_dataset("wine")
    prepared = prepare(data, 0.25, seed=0)
    X_train_raw = data.X[:, prepared.train_index]
    np.testing.assert_allclose(prepared.standardizer.mean[:, 0], X_train_raw.mean(axis=1))
    np.testing.assert_allclose(prepared.X_train.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(prepared.X_train.std(axis=1), 1, atol=1e-12)
    # the test part is transformed with the training statistics, so it is not exactly 0/1
    assert np.abs(prepared.X_test.mean(axis=1)).max() > 1e-3


def test_standardiser_never_sees_test_rows():
    data = load_dataset("iris")
    poisoned = data.X.copy()
    _, test = split_indices(data, 0.2, seed=0)
    poisoned[:, test] = 1e6  # if the test rows were used, the mean would explode
    prepared = prepare(type(data)(**{**data.__dict__, "X": poisoned}), 0.2, seed=0)
    assert np.abs(prepared.standardizer.mean).max() < 10


def test_constant_feature_standardises_to_zero():
    scaler = Standardizer.fit(np.array([[3.0, 3.0, 3.0], [1.0, 2.0, 3.0]]))
    np.testing.assert_array_equal(scaler.transform(np.array([[3.0], [2.0]])), [[0.0], [0.0]])


# -- anyone's CSV ----------------------------------------------------------------------------

GOOD_ROWS = "\n".join(f"{i},{i % 3 + 0.5},{'ab'[i % 2]}" for i in range(12))


def write(tmp_path, text: str | bytes, name="data.csv"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiter_is_sniffed(tmp_path, delimiter):
    text = "x1,x2,label\n" + GOOD_ROWS
    path = write(tmp_path, text.replace(",", delimiter))
    data = read_csv(path, "label")
    assert data.X.shape == (2, 12) and data.task == "binary" and data.classes == ["a", "b"]


def test_integer_labels_are_classes_and_floats_are_regression(tmp_path):
    ints = write(tmp_path, "x,y\n" + "\n".join(f"{i},{i % 4}" for i in range(20)), "i.csv")
    data = read_csv(ints, "y")
    assert data.task == "multiclass" and data.Y.shape == (4, 20)
    assert data.classes == ["0", "1", "2", "3"]
    floats = write(tmp_path, "x,y\n" + "\n".join(f"{i},{i * 0.37}" for i in range(20)), "f.csv")
    data = read_csv(floats, "y")
    assert data.task == "regression" and data.Y.shape == (1, 20)
    assert read_csv(ints, "y", task="regression").task == "regression"


def test_dropping_missing_rows_is_counted_not_silent(tmp_path):
    text = "x1,x2,label\n" + GOOD_ROWS + "\n5,,a\n6,NA,b"
    data = read_csv(write(tmp_path, text), "label", drop_missing=True)
    assert data.m == 12 and data.dropped_rows == 2


BAD_CASES = [
    ("missing", None, r"missing\.csv: no such file"),
    ("empty", "", r"the file is empty"),
    ("blank lines", "\n\n  \n", r"the file is empty"),
    ("header only", "x1,x2,label\n", r"has a header row but no data rows"),
    ("unknown target", "x1,x2,label\n" + GOOD_ROWS,
     r"no column named 'target'; the columns are: x1, x2, label"),
    ("non-numeric", "x1,x2,label\n" + GOOD_ROWS + "\n7,abc,a",
     r"line 14, column 'x2': 'abc' is not a finite number"),
    ("infinite", "x1,x2,label\n" + GOOD_ROWS + "\n7,1e309,a", r"'1e309' is not a finite number"),
    ("missing values", "x1,x2,label\n" + GOOD_ROWS + "\n5,,a\n6,NA,b",
     r"2 missing value\(s\): line 14 column 'x2'; line 15 column 'x2'.*--drop-missing"),
    ("single class", "x1,x2,label\n" + "\n".join(f"{i},{i},a" for i in range(12)),
     r"has only one class \('a'\)"),
    ("few rows", "x1,x2,label\n1,2,a\n3,4,b\n5,6,a", r"only 3 data rows; nntui needs at least 10"),
    ("ragged", "x1,x2,label\n" + GOOD_ROWS + "\n1,2",
     r"line 14: has 2 fields but the header has 3"),
    ("only delimiters", ";;\n;;\n", r"holds no values, only delimiters"),
    ("one column", "label\na\nb\n" * 5, r"the header has one column"),
    ("duplicate header", "x,x,label\n" + GOOD_ROWS, r"repeats the column name\(s\) x"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "text", "message"), BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_csv_gives_one_clear_message(tmp_path, case, text, message):
    path = tmp_path / "missing.csv" if text is None else write(tmp_path, text)
    target = "target" if case == "unknown target" else "label"
    with pytest.raises(DataError, match=message) as caught:
        read_csv(path, target)
    assert str(path) in str(caught.value)


def test_non_utf8_bytes_name_the_line(tmp_path):
    path = write(tmp_path, b"x1,x2,label\n1,2,a\n3,\xe94,b\n")
    with pytest.raises(DataError, match=r"line 3: byte 0xe9 is not UTF-8"):
        read_csv(path, "label")


def test_a_bom_is_not_part_of_the_first_column_name(tmp_path):
    path = write(tmp_path, ("\ufeffx1,x2,label\n" + GOOD_ROWS).encode("utf-8"))
    assert read_csv(path, "label").feature_names == ["x1", "x2"]


def test_unknown_registry_name_lists_the_names():
    with pytest.raises(DataError, match="unknown data set 'mnist'; choose one of: circles"):
        load_dataset("mnist")
