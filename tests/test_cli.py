"""The installed command line answers --help and --version, as nntui and python -m nntui."""

import subprocess
import sys

import pytest

from nntui import __version__


@pytest.mark.parametrize("command", [["nntui"], [sys.executable, "-m", "nntui"]])
def test_version_and_help(command):
    if command == ["nntui"]:
        import shutil

        exe = shutil.which("nntui")
        assert exe, "the nntui console script is not installed"
        command = [exe]
    version = subprocess.run([*command, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.strip() == f"nntui {__version__}"
    assert __version__ != "0.0.0+unknown"
    helptext = subprocess.run([*command, "--help"], capture_output=True, text=True, check=True)
    assert "usage: nntui" in helptext.stdout


def run_nntui(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nntui", *args], capture_output=True, text=True, cwd=cwd, timeout=60
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dataset", "mnist"], "is not one of: circles"),
        (["--lr", "abc"], "α (lr): 'abc' is not a number"),
        (["--lr", "1e309"], "not a finite number"),
        (["--layers", "8,x"], "'x' is not a whole number"),
        (["--batch-size", "0"], "whole number of examples"),
        (["--data", "nowhere.csv", "--target", "y"], "nowhere.csv: no such file"),
        (["--data", "x.csv"], "--data needs --target"),
        (["--target", "y"], "--target goes with --data"),
        (["--dataset", "iris", "--data", "x.csv", "--target", "y"], "not both"),
        (["--drop-missing"], "--drop-missing goes with --data"),
    ],
)
def test_bad_arguments_exit_2_with_a_message_before_the_app_starts(args, message):
    result = run_nntui(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_csv_is_reported_with_its_line_and_exit_2(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(
        "age,height,label\n" + "\n".join(f"{i},{i * 2},a" for i in range(12)) + "\n7,tall,b\n"
    )
    result = run_nntui("--data", str(path), "--target", "label")
    assert result.returncode == 2
    assert f"nntui: error: {path}, line 14, column 'height': 'tall' is not a finite number" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr


def test_presets_become_the_config():
    from nntui.cli import build_parser
    from nntui.options import config_from_args

    parser = build_parser()
    args = parser.parse_args(
        ["--dataset", "iris", "--layers", "8,4", "--lr", "0.1", "--activation", "relu",
         "--batch-size", "16", "--optimizer", "adam", "--lambd", "0.01", "--seed", "3"]
    )  # fmt: skip
    c, extras = config_from_args(args, parser)
    assert extras == {}
    assert (c.dataset, c.hidden, c.learning_rate, c.activation) == ("iris", (8, 4), 0.1, ("relu",))
    assert (c.batch_size, c.optimizer, c.lambd, c.seed) == (16, "adam", 0.01, 3)


def test_a_users_csv_opens_as_a_session(tmp_path):
    from nntui.cli import build_parser
    from nntui.options import config_from_args
    from nntui.session import Session

    path = tmp_path / "mine.csv"
    path.write_text("a;b;kind\n" + "\n".join(f"{i};{i % 5};{'xyz'[i % 3]}" for i in range(30)))
    parser = build_parser()
    config, _ = config_from_args(
        parser.parse_args(["--data", str(path), "--target", "kind"]), parser
    )
    session = Session(config)
    assert session.dataset.classes == ["x", "y", "z"]
    assert session.facts().layer_dims == (2, 4, 3)


def test_a_dataset_given_over_a_csv_config_leaves_none_of_the_csvs_settings(tmp_path):
    from nntui.cli import build_parser
    from nntui.options import config_from_args

    path = tmp_path / "csv.toml"
    path.write_text('data = "x.csv"\ntarget = "y"\ndrop_missing = true\n')
    parser = build_parser()
    config, _ = config_from_args(parser.parse_args(["--config", str(path), "--dataset", "iris"]),
                                 parser)  # fmt: skip
    assert (config.dataset, config.data_path, config.target, config.drop_missing) == (
        "iris", None, None, False,
    )  # fmt: skip


def python_says(code: str, **env: str) -> str:
    """What ``code`` prints in a fresh interpreter (stdin not a terminal), with ``env`` set
    over this one's (OPENBLAS_NUM_THREADS taken out first)."""
    import os

    environ = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"} | env
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=environ, stdin=subprocess.DEVNULL, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_app_and_the_command_line_load_only_what_their_first_frame_needs():
    """nntui.cli loads neither NumPy nor the package metadata (it must set the app's BLAS
    threads before NumPy loads); the app loads no Markdown until a screen shows some, no
    plotting library, no model-file code, and no widget file of the views the opening screen
    does not show."""
    loaded = python_says(
        "import sys, nntui.cli; a = {'numpy', 'importlib.metadata'} & set(sys.modules); "
        "import nntui.app; from nntui.panes import VIEWS; "
        "later = {'markdown_it', 'importlib.metadata', 'plotext', 'engine.persist'} "
        "| {f'nntui.widgets.{pane.file}' for pane in VIEWS[1:]}; "
        "print(sorted(a), sorted(later & set(sys.modules)))"
    )
    assert loaded == "[] []"


APP_THREADS = (
    "import gc, os, sys; from nntui.cli import main; code = main([]); "
    "print(code, os.environ.get('OPENBLAS_NUM_THREADS'), 'numpy' in sys.modules, gc.isenabled())"
)


def test_the_app_gives_blas_one_thread_unless_told_otherwise():
    """`nntui` (the app) sets OPENBLAS_NUM_THREADS=1 before NumPy loads; a value the user
    set is kept. Here the app stops at 'not a terminal' (2), after building its session;
    the garbage collector, off while the app starts, is on again."""
    assert python_says(APP_THREADS) == "2 1 True True"
    assert python_says(APP_THREADS, OPENBLAS_NUM_THREADS="2") == "2 2 True True"


def test_nntui_train_keeps_blas_defaults():
    """Only the app sets the variable: `nntui train` leaves OpenBLAS its default."""
    said = python_says(
        "import os; from nntui.cli import main; "
        "code = main(['train', '--dataset', 'xor', '--epochs', '1']); "
        "print(code, os.environ.get('OPENBLAS_NUM_THREADS'))"
    )
    assert said.splitlines()[-1] == "0 None"
