"""Model files, config files and history files: round trips, and every way a file can be bad."""

import io
import json
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import strategies as st

from engine.files import atomic_write
from engine.persist import ModelFileError, load_model
from nntui.config import Config, ConfigError, read_config, write_config
from nntui.session import Session

from .fuzzing import budgets, fuzz_bytes
from .not_files import NOT_REGULAR_FILES


def trained(epochs: int = 5, **config) -> Session:
    config.setdefault("learning_rate", 0.05)
    session = Session(Config(**config))
    for _ in range(epochs):
        session.step_epoch()
    return session


def same_params(a: Session, b: Session) -> None:
    a_params, b_params = a.params(), b.params()
    assert a_params.keys() == b_params.keys()
    for key in a_params:
        np.testing.assert_array_equal(a_params[key], b_params[key])


@pytest.mark.parametrize(
    "config",
    [
        {},  # the article's network, full batch, gd
        {"dataset": "iris", "hidden": (6,), "batch_size": 16, "optimizer": "adam"},
        {"dataset": "blobs-4", "hidden": (5, 4), "activation": "relu", "optimizer": "momentum",
         "batch_size": 50, "lambd": 0.01},
    ],
)  # fmt: skip
def test_save_load_gives_the_same_predictions_and_the_same_next_epochs(tmp_path, config):
    original = trained(**config)
    path = tmp_path / "model.npz"
    original.save(str(path))
    loaded = Session.from_file(str(path))
    assert loaded.epoch == original.epoch == 5
    assert loaded.history().train_cost == original.history().train_cost
    same_params(loaded, original)
    X = original.prepared.X_test
    np.testing.assert_array_equal(loaded.model_copy().output(X), original.model_copy().output(X))
    for _ in range(3):  # the next epochs, shuffling included, are those of an unbroken run
        loaded.step_epoch()
        original.step_epoch()
    same_params(loaded, original)
    assert loaded.config == original.config


def test_the_checkpoints_round_trip_and_rewind_as_the_original(tmp_path):
    original = trained(12, optimizer="adam", batch_size=16)
    original.apply("optimizer", "momentum")  # checkpoints of two optimisers in one file
    for _ in range(3):
        original.step_epoch()
    path = tmp_path / "model.npz"
    original.save(str(path))
    loaded = Session.from_file(str(path))
    kept, back = list(original._trainer.checkpoints), list(loaded._trainer.checkpoints)
    assert [c.epoch for c in back] == [c.epoch for c in kept] == list(range(16))
    for a, b in zip(kept, back, strict=True):
        np.testing.assert_array_equal(a.flat, b.flat)
        assert (a.optimizer, a.rng) == (b.optimizer, b.rng)
        for key, value in a.state.items():
            np.testing.assert_array_equal(value, b.state[key])
    for session in (original, loaded):
        session._trainer.rewind(5)
        for _ in range(4):
            session.step_epoch()
    same_params(loaded, original)


def test_a_file_without_checkpoints_loads_with_its_own_epoch_as_the_only_one(tmp_path):
    path = tmp_path / "old.npz"
    trained(4).save(str(path))
    members = {k: v for k, v in members_of(path).items() if not k.startswith("checkpoints/")}
    rewrite(path, members)
    with_meta(path, lambda meta: meta.pop("checkpoints"))
    loaded = Session.from_file(str(path))
    assert loaded._trainer.checkpoints.epochs == (4,)
    with pytest.raises(ValueError, match=r"no checkpoint at or before epoch 2 \(the earliest"):
        loaded._trainer.rewind(2)


def test_a_users_csv_model_reopens_with_its_data(tmp_path):
    csv_path = tmp_path / "mine.csv"
    csv_path.write_text("a,b,kind\n" + "\n".join(f"{i},{i % 7},{'xyz'[i % 3]}" for i in range(40)))
    original = Session(Config(data_path=str(csv_path), target="kind"))
    original.step_epoch()
    original.save(str(tmp_path / "m.npz"))
    loaded = Session.from_file(str(tmp_path / "m.npz"))
    assert loaded.dataset.classes == ["x", "y", "z"]
    same_params(loaded, original)


def test_saving_mid_epoch_is_refused_with_a_reason(tmp_path):
    session = Session(Config())
    session.step_phase()
    with pytest.raises(ValueError, match="epoch is in progress"):
        session.save(str(tmp_path / "m.npz"))
    assert not (tmp_path / "m.npz").exists()


# -- bad model files --------------------------------------------------------------------------


def _good_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "good.npz"
        trained(2, optimizer="adam").save(str(path))
        return path.read_bytes()


GOOD_BYTES = _good_bytes()


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "good.npz"
    trained(2).save(str(path))
    return path


def rewrite(path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def members_of(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def with_meta(path, change) -> None:
    members = members_of(path)
    meta = json.loads(str(np.load(io.BytesIO(members["meta.npy"]))))
    change(meta)
    members["meta.npy"] = npy(np.array(json.dumps(meta)))
    rewrite(path, members)


def without(path, name: str) -> None:
    members = members_of(path)
    del members[name]
    rewrite(path, members)


BAD = {
    "missing": (lambda p: p.unlink(), "no such file"),
    "text file": (lambda p: p.write_text("hello"), "not an nntui model file"),
    "empty": (lambda p: p.write_bytes(b""), "not an nntui model file"),
    "other npz": (lambda p: np.savez(p, x=np.ones(3)), "no meta record"),
    "foreign meta": (lambda p: with_meta(p, lambda m: m.update(format="keras")),
                     "not an nntui model file"),
    "newer version": (lambda p: with_meta(p, lambda m: m.update(version=99)),
                      "written by a newer nntui .model format 99"),
    "shapes do not chain": (lambda p: with_meta(p, lambda m: m.update(layer_dims=[2, 5, 1])),
                            "W1 has shape .4, 2. but layer_dims .2, 5, 1. needs .5, 2."),
    "history too short": (lambda p: with_meta(p, lambda m: m.update(epoch=7)),
                          "history's epochs do not rise to its 7 epochs"),
    "bad activation": (lambda p: with_meta(p, lambda m: m.update(activations=["tanh", "x"])),
                       r"meta field 'activations' holds \['tanh', 'x'\]: it must be a list"),
    "checkpoints falling": (lambda p: with_meta(p, lambda m: m["checkpoints"][0].update(epoch=2)),
                            "checkpoints' epochs do not rise within its 2 epochs"),
    "checkpoint after the model": (
        lambda p: with_meta(p, lambda m: m["checkpoints"][-1].update(epoch=3)),
        "checkpoints' epochs do not rise within its 2 epochs"),
    "checkpoint shuffling state": (
        lambda p: with_meta(p, lambda m: m["checkpoints"][1].update(rng="x")),
        "meta field 'checkpoints' holds .*: it must be a list of at most 1000 records"),
    "checkpoint records gone": (lambda p: with_meta(p, lambda m: m.pop("checkpoints")),
                                "its checkpoints are incomplete"),
    "checkpoint weights gone": (lambda p: without(p, "checkpoints/flat.npy"),
                                "its checkpoints are incomplete"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD))
def test_bad_model_files_give_one_clear_error(good_file, case):
    damage, message = BAD[case]
    damage(good_file)
    with pytest.raises(ModelFileError, match=message):
        load_model(good_file)


def test_a_pickle_is_never_loaded(good_file, monkeypatch):
    import pickle

    members = members_of(good_file)
    members["params/W1.npy"] = npy(np.array([{"evil": 1}], dtype=object))
    rewrite(good_file, members)
    monkeypatch.setattr(pickle, "loads", lambda *a, **k: pytest.fail("a pickle was loaded"))
    monkeypatch.setattr(pickle, "load", lambda *a, **k: pytest.fail("a pickle was loaded"))
    with pytest.raises(ModelFileError, match="holds Python objects"):
        load_model(good_file)


@pytest.mark.parametrize("tenths", range(10))
def test_a_file_truncated_at_every_tenth_of_its_length_is_refused(good_file, tenths):
    data = good_file.read_bytes()
    good_file.write_bytes(data[: len(data) * tenths // 10])
    with pytest.raises(ModelFileError, match=r"not an nntui model file|truncated|damaged"):
        load_model(good_file)


def replaced(path, name: str, array) -> None:
    members = members_of(path)
    members[name] = npy(array)
    rewrite(path, members)


def adam_file(tmp_path):
    """A model trained with Adam, so the file holds optimiser state (v, s and t)."""
    path = tmp_path / "adam.npz"
    trained(2, optimizer="adam").save(str(path))
    return path


WRONG_ARRAYS = {
    "W1 of ints": ("params/W1.npy", np.ones((4, 2), np.int32), "finite floating-point"),
    "W1 of complex numbers": ("params/W1.npy", np.ones((4, 2), complex), "finite floating"),
    "W1 of text": ("params/W1.npy", np.full((4, 2), "w"), "finite floating-point"),
    "W1 transposed": ("params/W1.npy", np.ones((2, 4), np.float32), r"W1 has shape \(2, 4\)"),
    "b1 flat": ("params/b1.npy", np.ones(4, np.float32), r"b1 has shape \(4,\)"),
    "history of text": ("history/train_cost.npy", np.array(["a", "b"]), "history"),
    "history as a table": ("history/train_cost.npy", np.ones((2, 2)), "history"),
    "epochs as text": ("history/epoch.npy", np.array(["1", "2"]), "history epoch"),
    "epochs falling": ("history/epoch.npy", np.array([2, 1]), "epochs do not rise"),
    "v of the wrong shape": ("optimizer/v_W1.npy", np.ones((3, 3), np.float32), "v_W1"),
    "s not finite": ("optimizer/s_b2.npy", np.full((1, 1), np.inf, np.float32), "s_b2"),
    "t negative": ("optimizer/t.npy", np.array(-4), "optimiser step count"),
    "t a float": ("optimizer/t.npy", np.array(2.5), "optimiser step count"),
    "an unknown array": ("extra/x.npy", np.ones(3), "extra/x"),
    "mean of the wrong shape": ("data/mean.npy", np.ones((5, 1)), "data/mean"),
    "std of zeros": ("data/std.npy", np.zeros((2, 1)), "data/std"),
    "checkpoint weights not finite": (
        "checkpoints/flat.npy", np.full((3, 17), np.nan, np.float32), "checkpoints/flat must"),
    "checkpoint weights of another network": (
        "checkpoints/flat.npy", np.ones((3, 5), np.float32), r"checkpoints/flat has shape \(3, 5"),
    "checkpoint v of too few rows": (
        "checkpoints/v.npy", np.ones((2, 17), np.float32), r"checkpoints/v has shape \(2, 17\)"),
    "checkpoint s negative": (
        "checkpoints/s.npy", -np.ones((3, 17), np.float32), "running means of squares"),
    "checkpoint t floats": ("checkpoints/t.npy", np.ones(3), "step counts t are not 3 whole"),
    "checkpoint t negative": ("checkpoints/t.npy", -np.ones(3, np.int64), "whole numbers >= 0"),
    "an unknown checkpoint array": ("checkpoints/x.npy", np.ones(3), "checkpoints are damaged"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(WRONG_ARRAYS))
def test_arrays_of_the_wrong_shape_or_dtype_are_refused(tmp_path, case):
    path = adam_file(tmp_path)
    name, array, message = WRONG_ARRAYS[case]
    replaced(path, name, array)
    with pytest.raises(ModelFileError, match=message):
        Session.from_file(str(path))


@st.composite
def flipped(draw) -> bytes:
    """The good file with one to four bytes XOR-ed anywhere: headers, directory, arrays."""
    raw = bytearray(GOOD_BYTES)
    for _ in range(draw(st.integers(1, 4))):
        raw[draw(st.integers(0, len(raw) - 1))] ^= draw(st.integers(1, 255))
    return bytes(raw)


def loads_or_is_refused(path) -> None:
    try:
        session = Session.from_file(str(path))
    except ModelFileError as err:
        assert str(err)
        return
    session.step_epoch()  # whatever loaded is whole enough to train on


@budgets(600)
def test_flipped_bytes_give_a_model_error_or_a_model_that_works(tmp_path, budget):
    fuzz_bytes(flipped(), loads_or_is_refused, tmp_path / "flipped.npz", budget)


def test_non_finite_weights_are_refused(good_file):
    members = members_of(good_file)
    W = np.load(io.BytesIO(members["params/W1.npy"]))
    W[0, 0] = np.nan
    members["params/W1.npy"] = npy(W)
    rewrite(good_file, members)
    with pytest.raises(ModelFileError, match="finite"):
        load_model(good_file)


def test_too_many_members_is_refused_before_reading(good_file):
    members = members_of(good_file)
    members |= {f"junk/{i}.npy": b"" for i in range(2000)}
    rewrite(good_file, members)
    with pytest.raises(ModelFileError, match=r"holds 20\d\d arrays"):
        load_model(good_file)


# -- atomic writes ----------------------------------------------------------------------------


def test_a_failed_save_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "model.npz"
    first = trained(1)
    first.save(str(path))
    before = path.read_bytes()

    def crash(f):
        f.write(b"half a file")
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        atomic_write(path, crash)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]
    load_model(path)


# -- config files -----------------------------------------------------------------------------


def test_config_round_trip(tmp_path):
    config = Config(dataset="wine", hidden=(16, 8), activation="leaky_relu", learning_rate=3e-4,
                    batch_size=32, optimizer="adam", lambd=0.001, init="he", seed=9,
                    test_ratio=0.3)  # fmt: skip
    path = tmp_path / "run.toml"
    write_config(path, config, {"epochs": 50})
    assert read_config(path) == (config, {"epochs": 50})
    csv_config = Config(data_path="data/my file.csv", target="y", drop_missing=True)
    write_config(path, csv_config)
    assert read_config(path)[0] == csv_config


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour = 'red'\n", "unknown key.s. colour; known: dataset"),
        ("lr = -1\n", "lr: .* above 0"),
        ("lr = 'fast'\n", "lr: 'fast' is not a number"),
        ("layers = [8, 'x']\n", "layers: .* whole numbers"),
        ("batch_size = true\n", "batch_size: True is true/false"),
        ("dataset = 'mnist'\n", "dataset: .* not one of"),
        ("seed = 1.5\n", "seed: .* whole number"),
        ("epochs = 0\n", "epochs: 0 must be a whole number >= 1"),
        ("data = 'x.csv'\n", "data needs a target"),
        ("drop_missing = true\n", "drop_missing goes with data"),
        ("lr = [\n", "not valid TOML"),
    ],
)
def test_bad_config_values_are_reported_by_name(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        read_config(path)


def test_the_csv_reading_choices_round_trip_and_go_with_data(tmp_path):
    config = Config(data_path="x.csv", target="y", task="classification", missing=("NA", "-"))
    path = tmp_path / "run.toml"
    write_config(path, config)
    assert read_config(path) == (config, {})
    path.write_text('data = "x.csv"\ntarget = "y"\ntask = "Regression"\nmissing = [" NA ", "?"]\n')
    assert read_config(path)[0] == Config(data_path="x.csv", target="y", task="regression",
                                          missing=("NA", "?"))  # fmt: skip
    for text, message in [
        ('data = "x.csv"\ntarget = "y"\ntask = "cluster"\n', "task: 'cluster' is not one of"),
        ('data = "x.csv"\ntarget = "y"\nmissing = "NA"\n', "missing: 'NA': list the texts"),
        ('task = "regression"\n', "task goes with data"),
        ('missing = ["NA"]\n', "missing goes with data"),
    ]:
        path.write_text(text)
        with pytest.raises(ConfigError, match=message):
            read_config(path)


def test_a_model_keeps_the_task_and_missing_texts_it_was_trained_with(tmp_path):
    rows = [f"{i},{i % 5},{'NA' if i == 7 else i % 25}" for i in range(100)]
    (tmp_path / "d.csv").write_text("x1,x2,score\n" + "\n".join(rows))
    config = Config(data_path=str(tmp_path / "d.csv"), target="score", task="classification",
                    missing=("NA",), drop_missing=True)  # fmt: skip
    Session(config).save(str(tmp_path / "m.npz"))
    loaded = Session.from_file(str(tmp_path / "m.npz"))
    assert loaded.config == config
    assert loaded.dataset.task == "multiclass" and loaded.dataset.m == 99


def test_a_config_with_a_utf8_bom_is_read(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes("\ufefflr = 0.1\n".encode())
    assert read_config(path)[0].learning_rate == 0.1


@NOT_REGULAR_FILES
def test_a_config_path_that_is_not_a_regular_file_is_refused_unread(tmp_path, make, message):
    with pytest.raises(ConfigError, match=message):
        read_config(make(tmp_path / "run.toml"))


def test_a_missing_config_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"nowhere\.toml: no such file"):
        read_config(tmp_path / "nowhere.toml")


@pytest.mark.parametrize(
    "path",
    ['C:\\data\\"quoted" é.csv', "smile 🙂.csv", "tab\tnewline\nbell\x07del\x7f.csv",
     "𝔡𝔞𝔱𝔞/\U0010ffff.csv"],
)  # fmt: skip
def test_a_written_config_reads_back_for_awkward_paths(tmp_path, path):
    """Characters outside the BMP, control characters and quotes survive the round trip
    (they once became surrogate escapes that TOML refuses)."""
    config = Config(data_path=path, target=path[::-1], drop_missing=True)
    write_config(tmp_path / "run.toml", config)
    assert read_config(tmp_path / "run.toml") == (config, {})


def test_a_path_that_is_not_utf8_is_refused_when_writing_a_config(tmp_path):
    config = Config(data_path="caf\udce9.csv", target="y")  # undecodable bytes, as argv has them
    with pytest.raises(ConfigError, match="not UTF-8"):
        write_config(tmp_path / "run.toml", config)
    assert not (tmp_path / "run.toml").exists()


# -- history ------------------------------------------------------------------------------


def test_history_csv_has_one_row_per_epoch(tmp_path):
    session = trained(4, dataset="iris")
    path = tmp_path / "history.csv"
    session.export_history(str(path))
    rows = path.read_text().splitlines()
    assert rows[0].startswith("epoch,train_cost,test_cost,train_acc,test_acc,seconds,")
    assert len(rows) == 5 and rows[4].startswith("4,")
    assert float(rows[1].split(",")[1]) == session.history().train_cost[0]
