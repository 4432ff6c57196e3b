"""Damaged model files: every meta field and every array corrupted in each plausible wrong
way is refused with one line naming the file, by the engine, the Session and the CLI."""

import io
import json
import os
import subprocess
import sys
import warnings
import zipfile

import numpy as np
import pytest
from numpy.lib import format as npy_format

from engine.persist import META_FIELDS, ModelFileError, load_model
from nntui.cli import main
from nntui.session import Session

from .test_persist import adam_file, members_of, npy, rewrite, with_meta

BIG = 10**100
GOOD_RNG = {
    "bit_generator": "PCG64",
    "state": {"state": "1", "inc": "3"},
    "has_uint32": "0",
    "uinteger": "0",
}


def rng(**change) -> dict:
    return GOOD_RNG | change


#: Wrong values for each meta field save_model writes: wrong types, out of range, absent.
WRONG_META = {
    "layer_dims": [{"a": 2}, [], [2], [2, 0, 1], [2, -4, 1], [2, 4.0, 1], [2, True, 1],
                   [2, BIG, 1], [2, 2**40, 1], "2-4-1", None],
    "activations": [{"tanh": 1}, "tanh", [1, 2], ["tanh", "softmax2"], [["tanh"], "sigmoid"],
                    None],
    "cost": [["bce"], {"bce": 1}, 3, "hinge", None],
    "optimizer": [["gd"], {"adam": 1}, "sgd", 0, None],
    "dtype": ["float16", ["float32"], 32, "object", "", None],
    "epoch": [-1, BIG, 2**63, 2.0, "2", True, None, [2]],
    "rng": [[1, 2], {}, "PCG64", None, rng(bit_generator="MT19937"), rng(bit_generator=None),
            rng(state=[1, 2]), rng(state={"state": "-1", "inc": "3"}),
            rng(state={"state": str(BIG), "inc": "3"}), rng(state={"state": str(2**128),
            "inc": "3"}), rng(state={"state": "1e5", "inc": "3"}),
            rng(state={"state": 5, "inc": "3"}), rng(state={"state": "1"}),
            rng(state={"state": "١", "inc": "3"}), rng(has_uint32="2"), rng(has_uint32=True),
            rng(uinteger=str(2**32)), rng(uinteger=-1), rng(extra="1")],
    "dataset": [5, ["circles"], {"a": 1}, None],
    "config": [["lr", 0.5], "lr = 0.5", 5, None],
    "classes": [{"class 0": 1}, [0, 1], "class 0", [["class 0"]], None],
    "features": [{"x1": 1}, [1, 2], "x1", None],
    "data_absolute": [5, ["/data.csv"], None],
    "checkpoints": [{"epoch": 0}, "0", None, [None], [{"epoch": 0, "optimizer": "adam"}],
                    [{"epoch": -1, "optimizer": "adam", "rng": rng()}],
                    [{"epoch": 0, "optimizer": "sgd", "rng": rng()}],
                    [{"epoch": 0, "optimizer": "adam", "rng": rng(uinteger=-1)}],
                    [{"epoch": 0, "optimizer": "adam", "rng": rng(), "x": 1}],
                    [{"epoch": 0, "optimizer": "adam", "rng": rng()}] * 1001],
}  # fmt: skip

META_CASES = [(field, value) for field, values in WRONG_META.items() for value in values]


def one_line_refusal(path, message: str) -> str:
    """Session.from_file (and so load_model) refuses ``path`` in one line naming it."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a NumPy warning is a failure here
        with pytest.raises(ModelFileError, match=message) as caught:
            Session.from_file(str(path))
    text = str(caught.value)
    assert text.startswith(str(path)) and "\n" not in text
    return text


def cli_refuses(path, capsys) -> None:
    """Both commands that load a model exit 2 with the one-line message, no traceback."""
    capsys.readouterr()
    for argv in (["--load", str(path)], ["train", "--load", str(path), "--epochs", "1"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"nntui: error: {path}") and err.count("\n") == 1, err


def test_every_meta_field_save_model_writes_is_in_the_table():
    assert set(WRONG_META) == set(META_FIELDS)


@pytest.mark.parametrize(("field", "value"), META_CASES, ids=lambda v: repr(v)[:40])
def test_a_meta_field_of_the_wrong_type_or_range_is_refused(tmp_path, capsys, field, value):
    path = adam_file(tmp_path)
    with_meta(path, lambda meta: meta.update({field: value}))
    one_line_refusal(path, f"meta field '{field}' holds ")
    cli_refuses(path, capsys)


@pytest.mark.parametrize("field", [f for f, spec in META_FIELDS.items() if spec.required])
def test_a_missing_meta_field_is_refused(tmp_path, capsys, field):
    path = adam_file(tmp_path)
    with_meta(path, lambda meta: meta.pop(field))
    one_line_refusal(path, f"its meta record has no {field}")
    cli_refuses(path, capsys)


OTHER_META = {
    "version true": (lambda m: m.update(version=True), "bad format version True"),
    "version text": (lambda m: m.update(version="1"), "bad format version '1'"),
    "version huge": (lambda m: m.update(version=BIG), "written by a newer nntui"),
    "one activation too few": (lambda m: m.update(activations=["tanh"]),
                               "do not name one activation per layer"),
    "hidden softmax": (lambda m: m.update(activations=["softmax", "sigmoid"]),
                       r"its activations \(softmax, sigmoid\) differ from those its setup "
                       r"and data give \(tanh, sigmoid\)$"),
    "float64 network": (lambda m: m.update(dtype="float64"), "its number type .float64."),
    "config lr infinite": (lambda m: m["config"].update(lr=float("inf")), "its setup.*lr"),
    "config layers huge": (lambda m: m["config"].update(layers=[BIG]), "its setup.*layers"),
    "config seed a list": (lambda m: m["config"].update(seed=[1]), "its setup.*seed"),
    "config hidden softmax": (lambda m: m["config"].update(activation="softmax"),
                              "its setup.*activation"),
    "config another data set": (lambda m: m["config"].update(dataset="iris"),
                                "its data iris differs: column"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(OTHER_META))
def test_meta_fields_that_do_not_fit_each_other_are_refused(tmp_path, capsys, case):
    change, message = OTHER_META[case]
    path = adam_file(tmp_path)
    with_meta(path, change)
    one_line_refusal(path, message)
    cli_refuses(path, capsys)


def raw_meta(path, text: str) -> None:
    members = members_of(path)
    members["meta.npy"] = npy(np.array(text))
    rewrite(path, members)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "not an nntui model file$"),
        ('"nntui-model"', "not an nntui model file$"),
        ("[" * 100_000 + "]" * 100_000, "unreadable meta record"),
        ('{"format": "nntui-model", "version": ' + "9" * 5000 + "}", "unreadable meta record"),
        ("NaN", "not an nntui model file$"),
    ],
    ids=["a list", "a text", "nested 100,000 deep", "a 5000-digit number", "NaN"],
)
def test_a_meta_record_that_is_not_a_table_is_refused(tmp_path, capsys, text, message):
    path = adam_file(tmp_path)
    raw_meta(path, text)
    one_line_refusal(path, message)
    cli_refuses(path, capsys)


# -- arrays ---------------------------------------------------------------------------------


def npy_claiming(shape: tuple[int, ...], dtype: str, payload: bytes) -> bytes:
    """A .npy member whose header claims ``shape`` but which holds only ``payload``."""
    buffer = io.BytesIO()
    header = {"descr": dtype, "fortran_order": False, "shape": shape}
    npy_format.write_array_header_1_0(buffer, header)
    return buffer.getvalue() + payload


F32_MAX = float(np.finfo(np.float32).max)
#: Arrays finite in float64 but not in the model's float32, negative where they cannot be,
#: and headers that claim far more values than their member holds.
WRONG_ARRAYS = {
    "W1 finite only in float64": ("params/W1.npy", np.full((4, 2), 1e300), "W1 holds values too "
                                  "large for float32"),
    "b2 just past float32": ("params/b2.npy", np.full((1, 1), -F32_MAX * 2), "b2 holds values"),
    "v_W1 finite only in float64": ("optimizer/v_W1.npy", np.full((4, 2), 1e39), "v_W1 holds"),
    "s_b1 negative": ("optimizer/s_b1.npy", np.full((4, 1), -1.0, np.float32), "s_b1 must be "
                      ">= 0"),
    "t the largest int64": ("optimizer/t.npy", np.array(2**63 - 1), "step count t"),
    "t a huge uint64": ("optimizer/t.npy", np.array(2**64 - 1, np.uint64), "step count t"),
    "t a list": ("optimizer/t.npy", np.array([1, 2]), "step count t"),
    "mean finite only in float64": ("data/mean.npy", np.full((2, 1), 1e300), "data/mean holds"),
    "std subnormal": ("data/std.npy", np.full((2, 1), 1e-320), "does not fit its data"),
    "std negative": ("data/std.npy", np.full((2, 1), -1.0), "data/std must be above 0"),
    "W2 of float128": ("params/W2.npy", np.ones((1, 4), np.longdouble), "W2 must hold finite"),
    "history as ints": ("history/train_cost.npy", np.array([1, 2]), "history train_cost"),
    "epochs as floats": ("history/epoch.npy", np.array([1.0, 2.0]), "history epoch"),
}  # fmt: skip

HEADER_CLAIMS = {
    "history claims 2^40 values": ("history/train_cost.npy", (2**40,), "<f8", 16),
    "W1 claims 2^20 x 2^20": ("params/W1.npy", (2**20, 2**20), "<f4", 32),
    "meta claims 2^28 characters": ("meta.npy", (), "<U268435456", 64),
    "W1 claims fewer values than it holds": ("params/W1.npy", (4, 2), "<f4", 64),
    "t claims an empty shape of int8": ("optimizer/t.npy", (0,), "|i1", 8),
}


@pytest.mark.parametrize("case", list(WRONG_ARRAYS))
def test_arrays_out_of_range_for_the_model_are_refused(tmp_path, capsys, case):
    name, array, message = WRONG_ARRAYS[case]
    path = adam_file(tmp_path)
    members = members_of(path)
    members[name] = npy(array)
    rewrite(path, members)
    one_line_refusal(path, message)
    cli_refuses(path, capsys)


@pytest.mark.parametrize("case", list(HEADER_CLAIMS))
def test_a_header_claiming_more_than_its_member_holds_is_refused_unread(
    tmp_path, capsys, monkeypatch, case
):
    name, shape, dtype, n_bytes = HEADER_CLAIMS[case]
    path = adam_file(tmp_path)
    members = members_of(path)
    members[name] = npy_claiming(shape, dtype, b"\0" * n_bytes)
    rewrite(path, members)
    assert path.stat().st_size < 64 * 1024
    monkeypatch.setattr(np.lib.format, "read_array",
                        lambda *a, **k: pytest.fail("an array was read"))  # fmt: skip
    one_line_refusal(path, f"its array {name.removesuffix('.npy')} is damaged")
    cli_refuses(path, capsys)


# -- paths that are not files ---------------------------------------------------------------


def test_a_folder_or_a_fifo_given_as_a_model_says_what_it_is(tmp_path, capsys):
    os.mkfifo(tmp_path / "pipe.npz")
    (tmp_path / "folder.npz").mkdir()
    for name, what in (("pipe.npz", "is a pipe"), ("folder.npz", "is a folder")):
        with pytest.raises(ModelFileError, match=f"{name}: {what}"):
            load_model(tmp_path / name)
        cli_refuses(tmp_path / name, capsys)


def test_a_damaged_model_in_a_real_process_exits_2_without_a_traceback(tmp_path):
    path = adam_file(tmp_path)
    with_meta(path, lambda meta: meta.update(rng=rng(state={"state": str(BIG), "inc": "3"})))
    for command in (["--load", str(path)], ["train", "--load", str(path)]):
        result = subprocess.run([sys.executable, "-m", "nntui", *command], capture_output=True,
                                text=True, timeout=60)  # fmt: skip
        assert result.returncode == 2
        assert result.stderr.startswith(f"nntui: error: {path}: its meta field 'rng' holds")
        assert "Traceback" not in result.stderr and "Warning" not in result.stderr


def test_a_good_file_still_loads_and_trains(tmp_path):
    path = adam_file(tmp_path)
    with zipfile.ZipFile(path) as archive:
        assert json.loads(str(np.load(archive.open("meta.npy"))))["rng"].keys() == GOOD_RNG.keys()
    session = Session.from_file(str(path))
    session.step_epoch()
    assert session.epoch == 3


# -- a model and the CSV it was trained on ---------------------------------------------------


def write_csv(path, columns=("x1", "x2", "x3"), classes="abc", rows: int = 45) -> None:
    lines = [",".join([*columns, "kind"])]
    lines += [",".join([*(str((i * (j + 3)) % 11) for j in range(len(columns))),
                        classes[i % len(classes)]]) for i in range(rows)]  # fmt: skip
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture
def csv_model(tmp_path, monkeypatch):
    """project/m.npz trained on project/mine.csv, given as 'mine.csv' from inside project/;
    the working folder is then another one."""
    from nntui.config import Config

    project = tmp_path / "project"
    project.mkdir()
    write_csv(project / "mine.csv")
    monkeypatch.chdir(project)
    session = Session(Config(data_path="mine.csv", target="kind", hidden=(3,)))
    session.step_epoch()
    session.save("m.npz")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    return project / "m.npz"


def test_a_csv_model_reopens_from_another_folder_and_says_where_its_data_was(csv_model):
    session = Session.from_file(str(csv_model))
    assert session.dataset.classes == ["a", "b", "c"] and session.epoch == 1
    assert session.notice.endswith(f"its data mine.csv is not in this folder; using "
                                   f"{csv_model.parent / 'mine.csv'}")  # fmt: skip
    assert session.config.data_path == str(csv_model.parent / "mine.csv")
    session.step_epoch()


def test_a_moved_project_finds_its_csv_next_to_the_model(csv_model):
    moved = csv_model.parent.rename(csv_model.parent.with_name("moved"))
    session = Session.from_file(str(moved / "m.npz"))
    assert session.notice.endswith(f"using {moved / 'mine.csv'}")


def test_an_older_file_without_the_absolute_path_finds_its_csv_next_to_the_model(csv_model):
    with_meta(csv_model, lambda meta: meta.pop("data_absolute"))
    assert Session.from_file(str(csv_model)).notice.endswith(f"using {csv_model.parent}/mine.csv")


def test_in_its_own_folder_a_csv_model_says_nothing_more(csv_model, monkeypatch):
    monkeypatch.chdir(csv_model.parent)
    session = Session.from_file("m.npz")
    assert session.notice == "" and session.config.data_path == "mine.csv"


def test_a_csv_found_nowhere_names_every_place_tried(csv_model):
    from engine.data import DataError

    (csv_model.parent / "mine.csv").unlink()
    with pytest.raises(DataError, match=r"mine.csv: no such file \(the data of the model .*"
                       r"m.npz; tried .*project/mine.csv, mine.csv\)"):  # fmt: skip
        Session.from_file(str(csv_model))


CHANGED_CSV = {
    "a column missing": ({"columns": ("x1", "x2")},
                         "column 'x3' is missing; the model was trained on x1, x2, x3$"),
    "a column renamed": ({"columns": ("x1", "x2", "y3")}, "column 'x3' is missing"),
    "a column added": ({"columns": ("x1", "x2", "x3", "x4")},
                       "column 'x4' is new; the model was trained on x1, x2, x3$"),
    "columns reordered": ({"columns": ("x2", "x1", "x3")},
                          r"its columns are in another order \(x2, x1, x3\)"),
    "a class added": ({"classes": "abcd"},
                      "classes differ: the model has a, b, c; the data has a, b, c, d$"),
    "a class gone": ({"classes": "ab"},
                     "classes differ: the model has a, b, c; the data has a, b$"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CHANGED_CSV))
def test_a_csv_that_differs_from_the_models_is_refused_naming_the_difference(
    csv_model, capsys, case
):
    change, message = CHANGED_CSV[case]
    write_csv(csv_model.parent / "mine.csv", **change)
    text = one_line_refusal(csv_model, message)
    assert f"its data {csv_model.parent / 'mine.csv'} differs: " in text
    cli_refuses(csv_model, capsys)


def test_train_load_works_from_another_folder_in_a_real_process(csv_model):
    result = subprocess.run(
        [sys.executable, "-m", "nntui", "train", "--load", str(csv_model), "--epochs", "1"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"nntui: {csv_model}: its data mine.csv is not in this folder; using" in result.stderr
