"""Shipped data, toy generators, preparation, and the CSV loader's errors."""

import tracemalloc
import warnings

import numpy as np
import pytest

from engine import toy
from engine.data import (
    REGISTRY,
    DataError,
    Dataset,
    Standardizer,
    load_dataset,
    prepare,
    read_csv,
    split_indices,
    targets_from_labels,
)

from .not_files import NOT_REGULAR_FILES

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


# -- extremes: values, targets, classes, missing markers -------------------------------------


def test_features_near_the_float_limit_standardise_to_finite_values():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.uniform(-1, 1, 200) * 1.7e308, rng.normal(size=200)])
    data = Dataset("huge", X, targets_from_labels(np.arange(200) % 2, 2), "binary",
                   ["big", "small"], "y", ["a", "b"])  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warning fails the test
        prepared = prepare(data, 0.2, seed=0)
    assert np.isfinite(prepared.X_train).all() and np.isfinite(prepared.X_test).all()
    np.testing.assert_allclose(prepared.X_train.std(axis=1), 1)  # no feature zeroed


def test_standardising_ordinary_data_is_unchanged_bit_for_bit():
    X = load_dataset("wine").X
    mean, std = X.mean(axis=1, keepdims=True), X.std(axis=1, keepdims=True)
    scaler = Standardizer.fit(X)
    np.testing.assert_array_equal(scaler.mean, mean)
    np.testing.assert_array_equal(scaler.transform(X), (X - mean) / std)


def test_a_regression_target_beyond_float32_is_refused_with_its_line_and_column(tmp_path):
    rows = [f"{i},{i * 1.5}" for i in range(12)] + ["12,-3.5e38"]
    path = write(tmp_path, "x,y\n" + "\n".join(rows))
    with pytest.raises(DataError, match=r"line 14, column 'y': '-3.5e38' is beyond ±3.403e\+38"):
        read_csv(path, "y")


def test_split_sorts_the_labels_once_not_once_per_class():
    """An ID column picked as target has as many classes as rows: a split that scans the
    labels once per class took 192 s for 3,000 rows."""

    class LabelsOnce(Dataset):
        computed = 0

        @property
        def labels(self) -> np.ndarray:
            type(self).computed += 1
            assert type(self).computed == 1, "the labels were computed again"
            return super().labels

    m = 3000
    data = LabelsOnce("ids", np.zeros((1, m)), targets_from_labels(np.arange(m) % 1500, 1500),
                      "multiclass", ["x"], "id", [str(i) for i in range(1500)])  # fmt: skip
    train, test = split_indices(data, 0.2, seed=0)
    assert len(test) == 1500 and len(train) == 1500  # one row of each class held out


def test_a_target_with_about_one_class_per_row_is_refused(tmp_path):
    rows = [f"{i},{i % 7},user{i:05d}" for i in range(3000)]
    path = write(tmp_path, "x1,x2,id\n" + "\n".join(rows))
    with pytest.raises(DataError, match=r"3,000 classes in 3,000 rows.*looks like an identifier"):
        read_csv(path, "id")


MARKERS = ["none", "NA", "-", "a"]


def test_missing_markers_in_the_target_are_class_names_unless_given(tmp_path):
    rows = [f"{i},{i % 3},{MARKERS[i % 4]}" for i in range(40)] + ["40,1,"]
    path = write(tmp_path, "x1,x2,label\n" + "\n".join(rows))
    data = read_csv(path, "label", drop_missing=True)
    assert data.classes == ["-", "NA", "a", "none"] and data.m == 40
    assert any("--missing" in note for note in data.notes)
    data = read_csv(path, "label", drop_missing=True, missing=["NA", "none"])
    assert data.classes == ["-", "a"] and data.m == 20 and data.dropped_rows == 21


def test_a_number_listed_as_missing_is_missing_in_features(tmp_path):
    rows = [f"{i},{-999 if i == 3 else i},{'ab'[i % 2]}" for i in range(12)]
    path = write(tmp_path, "x1,x2,label\n" + "\n".join(rows))
    assert read_csv(path, "label").m == 12
    with pytest.raises(DataError, match=r"1 missing value\(s\): line 5 column 'x2'"):
        read_csv(path, "label", missing=["-999"])


def test_drop_missing_reports_the_rows_and_the_classes_that_vanished(tmp_path):
    rows = [f"{i},{i % 3},{'ab'[i % 2]}" for i in range(12)] + ["1,,c", "2,NA,c", "3,4,"]
    data = read_csv(write(tmp_path, "x1,x2,label\n" + "\n".join(rows)), "label",
                    drop_missing=True)  # fmt: skip
    assert data.dropped_rows == 3 and data.classes == ["a", "b"]
    assert data.notes[0] == (
        "dropped 3 of 15 rows with missing values; class(es) gone with them: 'c'"
    )


def test_whole_number_labels_keep_their_exact_text(tmp_path):
    big = 2**53
    rows = [f"{i},{i % 5},{big + i % 2}" for i in range(20)] + ["20,1,9007199254740992.0"]
    data = read_csv(write(tmp_path, "x1,x2,id\n" + "\n".join(rows)), "id")
    assert data.classes == ["9007199254740992", "9007199254740993"]
    assert (data.labels == [i % 2 for i in range(20)] + [0]).all()


def test_many_distinct_whole_numbers_say_which_task_and_task_decides(tmp_path):
    rows = [f"{i},{i % 5},{i % 25}" for i in range(100)]
    path = write(tmp_path, "x1,x2,score\n" + "\n".join(rows))
    data = read_csv(path, "score")
    assert data.task == "regression"
    assert data.notes == (
        "the target 'score' holds 25 distinct whole numbers: taken as "
        "quantities (regression); --task classification decides otherwise",
    )
    data = read_csv(path, "score", task="classification")
    assert data.task == "multiclass" and data.k == 25 and data.notes == ()
    few = read_csv(write(tmp_path, "x,y\n" + "\n".join(f"{i},{i % 4}" for i in range(20))), "y")
    assert few.task == "multiclass" and "taken as class labels" in few.notes[0]


def test_an_unterminated_quote_names_the_line_where_it_opens(tmp_path):
    rows = GOOD_ROWS.splitlines()
    rows[4] = '4,1.5,"b'
    with pytest.raises(DataError, match=r"line 6: a quote opens here and is never closed"):
        read_csv(write(tmp_path, "x1,x2,label\n" + "\n".join(rows)), "label")


def test_a_quote_open_over_a_long_stretch_is_named_too(tmp_path):
    rows = [f"{i},{i},a" for i in range(20_000)]
    rows[3] = '3,"3,a'
    with pytest.raises(DataError, match=r"line 5: .*field limit.*is a quote left open there"):
        read_csv(write(tmp_path, "x1,x2,label\n" + "\n".join(rows)), "label")


@NOT_REGULAR_FILES
def test_a_data_path_that_is_not_a_regular_file_is_refused_unread(tmp_path, make, message):
    with pytest.raises(DataError, match=message):
        read_csv(make(tmp_path / "data.csv"), "label")


# -- memory ----------------------------------------------------------------------------------


def test_loading_a_csv_peaks_below_four_times_its_size(tmp_path):
    """Numbers with six decimals and a text label, about 4 MB: the loader holds arrays,
    not every row's strings (it once peaked at 14.6 times the file)."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-100, 100, (40_000, 10))
    lines = [",".join(f"{v:.6f}" for v in row) + f",{'abc'[i % 3]}" for i, row in enumerate(X)]
    path = write(tmp_path, ",".join(f"x{i}" for i in range(10)) + ",label\n" + "\n".join(lines))
    del X, lines
    tracemalloc.start()
    try:
        data = read_csv(path, "label")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert data.X.shape == (10, 40_000) and data.k == 3
    assert peak <= 4 * path.stat().st_size, f"peak {peak / path.stat().st_size:.1f}x"
