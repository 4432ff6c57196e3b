"""`nntui predict`: the trainer's own predictions for its own rows, and clear refusals."""

import numpy as np
import pytest

from engine.data import load_dataset
from engine.metrics import to_labels
from nntui.cli import main
from tests.predict_helpers import read_predictions, train_model, write_rows


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["predict", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", ["iris", "breast-cancer", "diabetes"])
@pytest.mark.parametrize("part", ["train", "test"])
def test_predict_equals_the_trainers_own_predictions(tmp_path, capsys, name, part):
    trained = train_model(tmp_path, name)
    data = load_dataset(name)
    index = getattr(trained.prepared, f"{part}_index")
    rows = write_rows(tmp_path / "rows.csv", data.feature_names, data.X[:, index])
    code, out, err = run(capsys, "--load", trained.path, "--data", rows)
    assert code == 0, err
    AL = trained.trainer.output(getattr(trained.prepared, f"X_{part}"))
    first, numbers = read_predictions(out)
    if data.task == "regression":
        assert np.array_equal(np.array(first, dtype=np.float32), AL[0])
        return
    assert first == [data.classes[i] for i in to_labels(AL)]
    P = np.concatenate([1 - AL, AL]) if AL.shape[0] == 1 else AL
    assert np.array_equal(numbers.astype(np.float32), P.T)


def test_extra_columns_and_the_target_are_named(tmp_path, capsys):
    trained = train_model(tmp_path, "iris")
    data = load_dataset("iris")
    species = [data.classes[i] for i in data.labels]
    rows = write_rows(tmp_path / "rows.csv", data.feature_names, data.X,
                      {"id": [str(j) for j in range(data.m)], "species": species})  # fmt: skip
    code, out, err = run(capsys, "--load", trained.path, "--data", rows)
    assert code == 0
    assert "not used by the model, left out: id\n" in err
    assert "accuracy on the 150 row(s) of known class:" in err
    assert len(out.splitlines()) == 151


def test_unseen_classes_are_named(tmp_path, capsys):
    trained = train_model(tmp_path, "iris")
    data = load_dataset("iris")
    species = ["daisy" if j < 3 else data.classes[i] for j, i in enumerate(data.labels)]
    rows = write_rows(tmp_path / "rows.csv", data.feature_names, data.X, {"species": species})
    code, _, err = run(capsys, "--load", trained.path, "--data", rows)
    assert code == 0
    assert "the column 'species' holds class(es) the model never saw: 'daisy' (3 row(s))" in err
    assert "accuracy on the 147 row(s) of known class" in err


def test_missing_columns_are_refused(tmp_path, capsys):
    trained = train_model(tmp_path, "iris")
    data = load_dataset("iris")
    rows = write_rows(tmp_path / "rows.csv", data.feature_names[1:], data.X[1:])
    code, out, err = run(capsys, "--load", trained.path, "--data", rows)
    assert (code, out) == (2, "")
    assert "no column(s) 'sepal_length_cm'; the model was trained on" in err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x1,x2\n", "has a header row but no data rows"),
        ("x1,x2\n1,\n", "line 2, column 'x2': '' is not a finite number"),
        ("x1,x2\n1,2\nabc,2\n", "line 3, column 'x1': 'abc' is not a finite number"),
        ("x1,x2\n1,2,3\n", "line 2: has 3 fields but the header has 2"),
        ("x1,x1,x2\n1,2,3\n", "the header repeats the column name(s) x1"),
        ("", "the file is empty"),
    ],
)
def test_bad_rows_are_refused_with_the_place(tmp_path, capsys, text, message):
    trained = train_model(tmp_path, "circles", epochs=1)
    rows = tmp_path / "rows.csv"
    rows.write_text(text)
    code, out, err = run(capsys, "--load", trained.path, "--data", rows)
    assert (code, out) == (2, "")
    assert message in err


def test_output_file_is_written_and_never_an_input(tmp_path, capsys):
    trained = train_model(tmp_path, "iris", epochs=1)
    data = load_dataset("iris")
    rows = write_rows(tmp_path / "rows.csv", data.feature_names, data.X)
    code, out, _ = run(capsys, "--load", trained.path, "--data", rows, "-o", tmp_path / "p.csv")
    assert (code, out) == (0, "")
    assert (tmp_path / "p.csv").read_text().startswith("predicted,p_setosa,")
    for path in (rows, trained.path):
        code, _, err = run(capsys, "--load", trained.path, "--data", rows, "-o", path)
        assert code == 2
        assert "choose another file" in err


def test_a_model_saved_by_nntui_train_predicts_its_csv(tmp_path, capsys):
    model = tmp_path / "m.npz"
    assert main(["train", "--dataset", "wine", "--epochs", "5", "--save", str(model)]) == 0
    capsys.readouterr()
    data = load_dataset("wine")
    species = [data.classes[i] for i in data.labels]
    rows = write_rows(tmp_path / "rows.csv", data.feature_names, data.X, {"cultivar": species})
    code, out, err = run(capsys, "--load", model, "--data", rows)
    assert code == 0, err
    assert out.startswith("predicted,p_cultivar_1,p_cultivar_2,p_cultivar_3\n")
    assert "accuracy on the 178 row(s) of known class" in err
