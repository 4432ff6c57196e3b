"""`nntui export`: the scripts print what `nntui predict` prints, the NumPy one with nothing
but NumPy installed."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.data import load_dataset
from nntui.cli import main
from tests.predict_helpers import SETUPS, read_predictions, train_model, write_rows

TIMEOUT = 300  # seconds: only catches a hang; starting PyTorch takes a few


def only_numpy_python(folder: Path) -> Path:
    """A Python that sees the standard library and NumPy, nothing else: a venv without
    system site-packages whose one .pth names a folder holding (links to) NumPy."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder / "venv")],
                   check=True, timeout=TIMEOUT)  # fmt: skip
    numpy_dir = Path(np.__file__).parent
    only = folder / "only-numpy"
    only.mkdir()
    for name in ("numpy", "numpy.libs"):
        if (numpy_dir.parent / name).exists():
            (only / name).symlink_to(numpy_dir.parent / name)
    (site,) = (folder / "venv").glob("lib/python*/site-packages")
    (site / "only-numpy.pth").write_text(f"{only}\n")
    return folder / "venv" / "bin" / "python"


def predict_and_export(tmp_path: Path, capsys, name: str, to: str) -> tuple[str, Path, Path]:
    """(nntui predict's output on the whole data set, the exported script, the rows CSV)."""
    trained = train_model(tmp_path, name)
    data = load_dataset(name)
    rows = write_rows(tmp_path / "rows.csv", data.feature_names, data.X)
    assert main(["predict", "--load", str(trained.path), "--data", str(rows)]) == 0
    predicted = capsys.readouterr().out
    script = tmp_path / f"{name}_{to}.py"
    assert main(["export", "--load", str(trained.path), "--to", to, "-o", str(script)]) == 0
    return predicted, script, rows


def assert_same_predictions(expected: str, got: str, tolerance: float) -> float:
    """The same header, classes (or values) and probabilities to ``tolerance``; the largest
    difference."""
    assert got.splitlines()[0] == expected.splitlines()[0]
    first, numbers = read_predictions(expected)
    got_first, got_numbers = read_predictions(got)
    if numbers.shape[1] == 0:  # regression: the value is the first column
        numbers, got_numbers = np.array(first, float)[:, None], np.array(got_first, float)[:, None]
    else:
        assert got_first == first
    difference = float(np.abs(got_numbers - numbers).max())
    assert difference <= tolerance
    return difference


@pytest.mark.parametrize("name", list(SETUPS))
def test_numpy_export_needs_only_numpy_and_predicts_the_same(tmp_path, capsys, name):
    expected, script, rows = predict_and_export(tmp_path, capsys, name, "numpy")
    python = only_numpy_python(tmp_path / "env")
    isolated = subprocess.run([python, "-c", "import engine"], capture_output=True,
                              cwd=tmp_path, timeout=TIMEOUT)  # fmt: skip
    assert isolated.returncode != 0  # neither nntui nor anything but NumPy is there
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run([python, str(script), str(rows)], capture_output=True, text=True,
                            cwd=elsewhere, timeout=TIMEOUT, env={"PATH": os.defpath})  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert_same_predictions(expected, result.stdout, 1e-6)


@pytest.mark.parametrize("name", list(SETUPS))
def test_pytorch_export_predicts_the_same(tmp_path, capsys, name):
    pytest.importorskip("torch")
    expected, script, rows = predict_and_export(tmp_path, capsys, name, "pytorch")
    result = subprocess.run([sys.executable, str(script), str(rows)], capture_output=True,
                            text=True, timeout=TIMEOUT)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert_same_predictions(expected, result.stdout, 1e-5)


@pytest.mark.parametrize("to", ["numpy", "pytorch"])
def test_exported_scripts_pass_the_linter(tmp_path, capsys, to):
    _, script, _ = predict_and_export(tmp_path, capsys, "iris", to)
    ruff = shutil.which("ruff")
    assert ruff
    # E741: the article names the layer index l.
    result = subprocess.run([ruff, "check", "--no-cache", "--isolated", "--select",
                             "E,F,W,I,B,UP,SIM", "--ignore", "E741", str(script)],
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stdout


def test_export_never_writes_over_the_model(tmp_path, capsys):
    trained = train_model(tmp_path, "circles", epochs=1)
    for script, message in [
        (trained.path.with_suffix(".py"), "is the model file; choose another file"),
        (tmp_path / "script.txt", "the script's name must end in .py"),
        (tmp_path / "no" / "s.py", "its folder does not exist"),
    ]:
        code = main(["export", "--load", str(trained.path), "--to", "numpy", "-o", str(script)])
        assert code == 2
        assert message in capsys.readouterr().err
    assert sorted(path.name for path in tmp_path.iterdir()) == ["circles.npz"]
