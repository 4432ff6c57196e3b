"""`nntui train` when the world misbehaves: stdout closed, full or ASCII-only; SIGTERM,
SIGHUP and a second Ctrl+C; Ctrl+C while a CSV loads. Each run is a real subprocess."""

import csv
import os
import re
import signal
import subprocess
import sys

import numpy as np
import pytest

from engine.persist import load_model
from engine.trainer import EpochStoppedError, Trainer

from .test_train_cli import write_big_csv

TRAIN = [sys.executable, "-m", "nntui", "train"]
NOISE = ("Traceback", "Exception ignored", "Broken pipe", "BrokenPipeError")


def start(*args: str, **popen) -> subprocess.Popen:
    return subprocess.Popen([*TRAIN, *args], stdout=popen.pop("stdout", subprocess.PIPE),
                            stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
                            **popen)  # fmt: skip


def wait_for(stream, prefix: str) -> str:
    """The first line of ``stream`` that starts with ``prefix`` (the run is limited by the
    test's timeout on communicate; a run that ends first gives '')."""
    for line in stream:
        if line.startswith(prefix):
            return line
    return ""


def check_files(model, history) -> int:
    """Both files are whole and agree; the model's epoch."""
    epochs = load_model(model).meta["epoch"]  # the loader checks history against epoch
    rows = list(csv.DictReader(history.open()))
    assert len(rows) == epochs and (epochs == 0 or rows[-1]["epoch"] == str(epochs))
    return epochs


# -- output streams ---------------------------------------------------------------------------


def closed_pipe() -> dict:
    """A pipe whose reader has gone before anything is written (`| head -0`, in effect)."""
    read, write = os.pipe()
    os.close(read)
    return {"stdout": write, "pass_fds": (write,)}


C_LOCALE = {"LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""}
STREAMS = {
    "closed pipe": lambda: closed_pipe(),
    "/dev/full": lambda: {"stdout": open("/dev/full", "w")},  # noqa: SIM115
    "PYTHONIOENCODING=ascii": lambda: {"env": {**os.environ, "PYTHONIOENCODING": "ascii"}},
    "LC_ALL=C": lambda: {"env": {**os.environ, **C_LOCALE}},
}


@pytest.mark.parametrize("stream", STREAMS)
def test_whatever_happens_to_stdout_training_ends_writes_the_files_and_exits_0(tmp_path, stream):
    model, history = tmp_path / "m.npz", tmp_path / "h.csv"
    popen = STREAMS[stream]()
    process = start("--dataset", "iris", "--layers", "8", "--epochs", "30", "--test-ratio", "0",
                    "--save", str(model), "--history", str(history), **popen)  # fmt: skip
    given = popen.get("stdout")
    if isinstance(given, int):
        os.close(given)
    elif given is not None:
        given.close()
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert not any(noise in err for noise in NOISE), err
    assert check_files(model, history) == 30
    if stream.startswith(("PYTHON", "LC_")):  # "·" and "—" come out as "?"
        assert "nntui train ? iris" in out and "accuracy" in out
    if stream == "/dev/full":
        assert "standard output lost (No space left on device)" in err


def test_a_reader_that_leaves_after_one_line_loses_nothing(tmp_path):
    model, history = tmp_path / "m.npz", tmp_path / "h.csv"
    command = " ".join([*TRAIN, "--dataset", "iris", "--epochs", "30", "--save", str(model),
                        "--history", str(history)])  # fmt: skip
    result = subprocess.run(["bash", "-c", f"{command} | head -1; exit ${{PIPESTATUS[0]}}"],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 1, result.stderr
    assert not any(noise in result.stderr for noise in NOISE), result.stderr
    assert check_files(model, history) == 30


# -- signals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_sigterm_and_sighup_stop_like_ctrl_c(tmp_path, signum, code):
    model, history = tmp_path / "m.npz", tmp_path / "h.csv"
    process = start("--dataset", "digits", "--layers", "32", "--epochs", "1000000",
                    "--save", str(model), "--history", str(history))  # fmt: skip
    assert wait_for(process.stdout, "epoch")  # training has begun
    process.send_signal(signum)
    _, err = process.communicate(timeout=120)
    assert process.returncode == code, err
    assert f"stopped by {signum.name} after epoch" in err and "Traceback" not in err
    assert check_files(model, history) > 0


def ctrl_c_twice(model, history) -> tuple[int, str]:
    """Run ``nntui train`` on epochs of a few seconds (180 mini-batches), press Ctrl+C once
    an epoch has ended, and again once it says it stops after the epoch in progress; the
    last epoch printed before and what it wrote to stderr. Exits with 130 either way, with
    whole files."""
    process = start("--dataset", "digits", "--layers", "1024,1024", "--batch-size", "8", "--epochs",
                    "1000", "--save", str(model), "--history", str(history))  # fmt: skip
    line = wait_for(process.stdout, "epoch")  # printed once an epoch has ended
    process.send_signal(signal.SIGINT)
    assert "stopping after the epoch in progress" in wait_for(process.stderr, "nntui: Ctrl+C")
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    check_files(model, history)
    return int(line.split()[1].split("/")[0]), err


def test_a_second_ctrl_c_stops_inside_a_slow_epoch_and_saves_the_last_whole_one(tmp_path):
    """On a loaded machine the first Ctrl+C can land between two epochs (just after the
    line is printed, before the next begins): the run then stops after the last one, as it
    should, and the second press has no epoch to stop; so the run is tried up to 3 times
    for the second press to land inside one."""
    model, history = tmp_path / "m.npz", tmp_path / "h.csv"
    for _ in range(3):
        printed, err = ctrl_c_twice(model, history)
        undone = re.search(r"epoch (\d+) was stopped and undone; the model is at epoch (\d+)", err)
        if undone:
            break
        assert re.search(r"stopped by Ctrl\+C after epoch \d+", err), err  # between two epochs
    assert undone, err
    stopped, done = int(undone[1]), int(undone[2])
    assert stopped == done + 1 and done >= printed  # on a loaded machine more may end after it
    assert check_files(model, history) == done


def test_ctrl_c_while_a_csv_loads_stops_at_once_without_a_traceback(tmp_path):
    path = tmp_path / "big.csv"
    write_big_csv(path, 200_000)
    process = start("--data", str(path), "--target", "label", "--epochs", "5",
                    "--save", str(tmp_path / "m.npz"))  # fmt: skip
    assert wait_for(process.stdout, "loading the CSV: 0 of 200,000 rows")
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert err.strip() == "nntui: stopped by Ctrl+C while loading the data"
    assert not (tmp_path / "m.npz").exists()


def small_trainer() -> Trainer:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3, 40)).astype(np.float32)
    Y = (X[:1] > 0).astype(np.float32)
    return Trainer(X, Y, [3, 5, 1], activations=["tanh", "sigmoid"], batch_size=8,
                   optimizer="adam", learning_rate=0.05, seed=3)  # fmt: skip


@pytest.mark.parametrize("batches", [1, 3, 5])  # stop() is asked after each of the 5 batches
def test_an_epoch_stopped_inside_is_undone_whole(batches):
    trainer, twin = small_trainer(), small_trainer()
    trainer.step_epoch()
    twin.step_epoch()
    before = trainer.state()
    asked = iter(range(1, 1000))
    with pytest.raises(EpochStoppedError, match="epoch 2 was stopped and undone"):
        trainer.step_epoch(stop=lambda: next(asked) >= batches)
    after = trainer.state()
    assert not trainer.in_epoch and after["epoch"] == 1 and after["rng"] == before["rng"]
    assert after["history"]["train_cost"] == before["history"]["train_cost"]
    for group in ("params", "optimizer_state"):
        for key, value in before[group].items():
            np.testing.assert_array_equal(after[group][key], value, err_msg=key)
    trainer.step_epoch()  # and the next epoch is the one an unstopped run makes
    twin.step_epoch()
    for key, value in twin.params.items():
        np.testing.assert_array_equal(trainer.params[key], value, err_msg=key)
