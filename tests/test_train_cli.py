"""`nntui train` end to end in a subprocess: files, exit codes, Ctrl+C; `nntui` with no TTY."""

import csv
import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from engine.persist import load_model


def nntui(*args: str, cwd=None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nntui", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout, stdin=subprocess.DEVNULL)  # fmt: skip


def test_train_writes_the_model_and_history_and_exits_0(tmp_path):
    model, history = tmp_path / "m.npz", tmp_path / "h.csv"
    result = nntui("train", "--dataset", "iris", "--layers", "8", "--lr", "0.2", "--epochs", "40",
                   "--save", str(model), "--history", str(history))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "epoch 40/40" in result.stdout  # plain progress lines when not on a terminal
    assert "accuracy" in result.stdout and "train" in result.stdout  # the summary table
    saved = load_model(model)
    assert saved.meta["epoch"] == 40 and saved.meta["dataset"] == "iris"
    rows = list(csv.DictReader(history.open()))
    assert len(rows) == 40 and rows[-1]["epoch"] == "40" and float(rows[-1]["train_acc"]) > 0.5


def test_train_continues_a_saved_model(tmp_path):
    model = tmp_path / "m.npz"
    nntui("train", "--epochs", "10", "--save", str(model))
    result = nntui("train", "--load", str(model), "--epochs", "5", "--save", str(model))
    assert result.returncode == 0, result.stderr
    assert load_model(model).meta["epoch"] == 15


def test_rewind_to_goes_on_from_a_checkpoint_as_a_run_stopped_there(tmp_path):
    """30 epochs rewound to 12, then 18 more: the weights of 12 epochs saved, then 18 more
    (mini-batches with shuffling and Adam: the optimiser and the generator come back too)."""
    setup = ("--dataset", "iris", "--layers", "6", "--batch-size", "16", "--optimizer", "adam")
    long, short = tmp_path / "long.npz", tmp_path / "short.npz"
    nntui("train", *setup, "--epochs", "30", "--save", str(long))
    nntui("train", *setup, "--epochs", "12", "--save", str(short))
    rewound = nntui("train", "--load", str(long), "--rewind-to", "12", "--epochs", "18",
                    "--save", str(long))  # fmt: skip
    assert rewound.returncode == 0, rewound.stderr
    assert "rewound to the checkpoint of epoch 12; 18 epochs after it are dropped" in rewound.stdout
    nntui("train", "--load", str(short), "--epochs", "18", "--save", str(short))
    a, b = load_model(long), load_model(short)
    assert a.meta["epoch"] == b.meta["epoch"] == 30
    for key, W in a.state["params"].items():
        np.testing.assert_array_equal(W, b.state["params"][key])
    beyond = nntui("train", "--load", str(long), "--rewind-to", "99", "--epochs", "1")
    assert "epoch 30 (the latest at or before 99); it is the latest" in beyond.stdout


def test_train_reads_a_config_file(tmp_path):
    config = tmp_path / "run.toml"
    config.write_text('dataset = "xor"\nlayers = [8]\nlr = 0.5\nepochs = 7\n')
    result = nntui("train", "--config", str(config), "--save", str(tmp_path / "m.npz"))
    assert result.returncode == 0, result.stderr
    assert load_model(tmp_path / "m.npz").meta["layer_dims"] == [2, 8, 1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--epochs", "5", "--lr", "zero"], "'zero' is not a number"),
        (["--dataset", "iris"], "give the number of epochs"),
        (["--epochs", "5", "--save", "/no/such/folder/m.npz"], "its folder does not exist"),
        (["--epochs", "5", "--load", "missing.npz"], "missing.npz: no such file"),
        (["--epochs", "5", "--config", "missing.toml"], "missing.toml: no such file"),
        (["--epochs", "5", "--rewind-to", "3"], "--rewind-to K goes with --load MODEL.npz"),
        (
            ["--epochs", "5", "--load", "m.npz", "--rewind-to", "x"],
            "--rewind-to: must be a whole number >= 0, got 'x'",
        ),
        (["--epochs", "5", "--load", "m.npz", "--rewind-to", "-2"], "got '-2'"),
    ],
)
def test_bad_input_exits_2(args, message):
    result = nntui("train", *args)
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_divergence_exits_1_and_still_saves_the_last_finite_weights(tmp_path):
    model = tmp_path / "m.npz"
    result = nntui("train", "--dataset", "diabetes", "--layers", "16", "--activation", "relu",
                   "--lr", "1", "--epochs", "200", "--save", str(model))  # fmt: skip
    assert result.returncode == 1
    assert "diverged" in result.stderr
    saved = load_model(model)  # finite by the loader's own check
    assert saved.meta["epoch"] < 200


def test_ctrl_c_stops_after_the_epoch_and_writes_the_files(tmp_path):
    model, history = tmp_path / "m.npz", tmp_path / "h.csv"
    process = subprocess.Popen(
        [sys.executable, "-m", "nntui", "train", "--dataset", "digits", "--layers", "32",
         "--epochs", "1000000", "--save", str(model), "--history", str(history)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        line = process.stdout.readline()  # the first progress line: training has begun
        if line.startswith("epoch"):
            break
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "stopped by Ctrl+C" in err
    epochs = load_model(model).meta["epoch"]
    assert epochs > 0
    assert len(history.read_text().splitlines()) == epochs + 1


def test_nntui_without_a_terminal_says_to_use_train():
    result = nntui()
    assert result.returncode == 2
    assert "needs a terminal" in result.stderr and "nntui train" in result.stderr


def write_big_csv(path, rows: int, features: int = 10) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(rows, features))
    labels = np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*(f"x{i}" for i in range(features)), "label"])
        writer.writerows(
            [*(f"{v:.6g}" for v in x), label] for x, label in zip(X, labels, strict=True)
        )


def test_read_csv_reports_progress_as_the_rows_are_converted(tmp_path):
    from engine.data import read_csv

    path = tmp_path / "big.csv"
    write_big_csv(path, 25_000)
    heard = []
    data = read_csv(path, "label", progress=lambda done, rows: heard.append((done, rows)))
    assert data.m == 25_000 and heard[0] == (0, 25_000) and heard[-1] == (25_000, 25_000)
    assert [done for done, _ in heard] == sorted(done for done, _ in heard) and len(heard) >= 4


def test_train_loads_a_100_000_row_csv_and_says_how_loading_goes(tmp_path):
    path = tmp_path / "big.csv"
    write_big_csv(path, 100_000)
    result = nntui("train", "--data", str(path), "--target", "label", "--epochs", "2")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "loading the CSV: 0 of 100,000 rows"  # said before the slow part
    loaded = next(re.fullmatch(r"loaded 100,000 rows in ([\d.]+) s", line) for line in lines
                  if line.startswith("loaded"))  # fmt: skip
    assert loaded and float(loaded.group(1)) < 60  # about 1.5 s here; a hang would not end
    assert "epoch 2/2" in result.stdout and "10-4-1" in result.stdout


def write_scores(path, rows: int = 100) -> None:
    """A CSV whose target holds 25 distinct whole numbers; line 9 has one missing value."""
    lines = [f"{i},{'NA' if i == 7 else i % 5},{i % 25}" for i in range(rows)]
    path.write_text("x1,x2,score\n" + "\n".join(lines))


def test_train_says_what_loading_decided_and_task_decides(tmp_path):
    path, model = tmp_path / "scores.csv", tmp_path / "m.npz"
    write_scores(path)
    result = nntui("train", "--data", str(path), "--target", "score", "--drop-missing",
                   "--epochs", "1")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "nntui: dropped 1 of 100 rows with missing values" in result.stderr
    assert "taken as quantities (regression); --task classification" in result.stderr
    result = nntui("train", "--data", str(path), "--target", "score", "--drop-missing",
                   "--task", "classification", "--epochs", "1", "--save", str(model))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "--task" not in result.stderr
    saved = load_model(model)
    assert saved.meta["config"]["task"] == "classification" and len(saved.meta["classes"]) == 25


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dataset", "iris", "--task", "regression"], "--task goes with --data PATH.csv"),
        (["--dataset", "iris", "--missing", "NA"], "--missing goes with --data PATH.csv"),
        (["--task", "cluster"], "'cluster' is not one of: classification, regression"),
        (["--load", "m.npz", "--task", "regression"], "leave out --task"),
    ],
)
def test_csv_options_are_checked(args, message):
    result = nntui("train", "--epochs", "1", *args)
    assert result.returncode == 2 and message in result.stderr, result.stderr


def test_a_config_path_that_is_a_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "run.toml"
    os.mkfifo(fifo)
    result = nntui("--config", str(fifo), timeout=60)
    assert result.returncode == 2 and "is a pipe (FIFO), not a file" in result.stderr
