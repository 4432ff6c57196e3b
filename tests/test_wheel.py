"""The built wheel carries the shipped data and loads it from any working directory."""

import subprocess
import sys
import zipfile

from engine.data import REGISTRY


def test_wheel_contains_and_loads_every_shipped_dataset(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation",
         "-w", str(tmp_path / "dist"), "-q"],
        cwd=__file__.rsplit("/tests/", 1)[0], check=True, capture_output=True,
    )  # fmt: skip
    (wheel,) = (tmp_path / "dist").glob("nntui-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for file in ("iris.csv", "breast_cancer.csv", "wine.csv", "digits.csv", "diabetes.csv"):
        assert f"engine/datasets/{file}" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = (
        "import engine, engine.data as d\n"
        f"assert engine.__file__.startswith({str(site)!r}), engine.__file__\n"
        "for name in d.REGISTRY: print(name, d.load_dataset(name).X.shape)\n"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r})\n" + script],
        cwd=elsewhere, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == len(REGISTRY)
