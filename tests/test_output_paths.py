"""Where nntui writes: never over an input or another output, never a folder, device or
FIFO, refused before the work; through symlinks, keeping a file's mode or the umask's."""

import os
import stat
import subprocess
import sys

import pytest
from textual.widgets import Input

from engine.files import atomic_write, check_output_file
from engine.persist import load_model
from nntui.app import NNTuiApp
from nntui.session import Session

from .app_helpers import settle


def nntui_train(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nntui", "train", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120, stdin=subprocess.DEVNULL)  # fmt: skip


# -- the check itself -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "keep", "message"),
    [
        ("", {}, "an empty path"),
        (".", {}, "is a folder, not a file"),
        ("fifo", {}, r"is a pipe \(FIFO\), not a file"),
        ("/dev/null", {}, "is a device, not a file"),
        ("no/such/folder/m.npz", {}, "its folder does not exist"),
        ("/proc/m.npz", {}, "its folder is not writable"),
        ("./in.csv", {"the data CSV": "in.csv"}, "is the data CSV"),
        ("link.csv", {"the data CSV": "in.csv"}, "is the data CSV"),
        ("sub/../in.csv", {"the data CSV": "in.csv"}, "is the data CSV"),
        ("new.csv", {"the --save file": "./new.csv"}, "is the --save file"),
    ],
)
def test_a_path_that_cannot_take_the_output_is_refused(tmp_path, monkeypatch, target, keep,
                                                       message):  # fmt: skip
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.csv").write_text("x,y\n1,2\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.csv").symlink_to("in.csv")
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(LookupError, match=message):
        check_output_file(target, LookupError, keep)


def test_a_path_that_can_take_it_gives_the_real_file(tmp_path):
    (tmp_path / "old.npz").write_bytes(b"old")
    (tmp_path / "link.npz").symlink_to("old.npz")
    assert check_output_file(tmp_path / "new.npz", LookupError) == tmp_path / "new.npz"
    assert check_output_file(tmp_path / "link.npz", LookupError) == tmp_path / "old.npz"
    assert check_output_file(tmp_path / "m.npz", LookupError, {"the data CSV": None})


def test_writing_through_a_symlink_keeps_the_link_and_the_files_mode(tmp_path):
    real, link = tmp_path / "real.csv", tmp_path / "link.csv"
    real.write_text("old")
    real.chmod(0o640)
    link.symlink_to(real.name)
    atomic_write(link, lambda f: f.write(b"new"))
    assert link.is_symlink() and real.read_text() == "new"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_follows_the_umask(tmp_path, umask, mode):
    previous = os.umask(umask)
    try:
        atomic_write(tmp_path / "new.csv", lambda f: f.write(b"new"))
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == mode


# -- nntui train ------------------------------------------------------------------------------


@pytest.fixture
def inputs(tmp_path):
    """A folder with a saved model, a CSV the model was trained on, and a config file."""
    lines = ["x1,x2,label"] + [f"{i % 7},{i % 5},{'ab'[i % 2]}" for i in range(60)]
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "run.toml").write_text('dataset = "xor"\nepochs = 3\n')
    result = nntui_train("--data", "d.csv", "--target", "label", "--epochs", "2", "--save",
                         "m.npz", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    os.mkfifo(tmp_path / "fifo")
    return tmp_path


REFUSED = {
    "history over the model loaded": (["--load", "m.npz", "--history", "m.npz"],
                                      "m.npz: is the model file being continued"),
    "the same, as ./": (["--load", "m.npz", "--history", "./m.npz"], "is the model file being"),
    "history over the loaded model's CSV": (["--load", "m.npz", "--history", "d.csv"],
                                            "d.csv: is the data CSV"),
    "model over the CSV": (["--data", "d.csv", "--target", "label", "--save", "d.csv"],
                           "d.csv: is the data CSV"),
    "history over the config": (["--config", "run.toml", "--history", "run.toml"],
                                "run.toml: is the config file read"),
    "model and history together": (["--save", "x.npz", "--history", "./x.npz"],
                                   "./x.npz: is the --save file"),
    "a folder": (["--save", "."], "cannot write .: it is a folder, not a file"),
    "a FIFO": (["--history", "fifo"], "cannot write fifo: it is a pipe (FIFO), not a file"),
    "a folder nothing is created in": (["--save", "/proc/m.npz"], "its folder is not writable"),
    "--save ''": (["--save", ""], "an empty path; give a file name"),
    "--history ''": (["--history", ""], "an empty path; give a file name"),
    "--config ''": (["--config", ""], "--config is empty; give a file name"),
}  # fmt: skip


@pytest.mark.parametrize("case", REFUSED)
def test_train_refuses_an_output_path_before_training_and_damages_nothing(inputs, case):
    args, message = REFUSED[case]
    before = {p.name: p.read_bytes() for p in inputs.iterdir() if p.is_file()}
    result = nntui_train(*args, "--epochs", "3", cwd=inputs)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert "epoch" not in result.stdout  # refused before training
    after = {p.name: p.read_bytes() for p in inputs.iterdir() if p.is_file()}
    assert after == before


def test_train_keeps_going_over_the_model_it_loaded_through_a_symlink(inputs):
    (inputs / "m.npz").chmod(0o640)
    (inputs / "link.npz").symlink_to("m.npz")
    result = nntui_train("--load", "m.npz", "--epochs", "3", "--save", "./link.npz", cwd=inputs)
    assert result.returncode == 0, result.stderr
    assert (inputs / "link.npz").is_symlink() and load_model(inputs / "m.npz").meta["epoch"] == 5
    assert stat.S_IMODE((inputs / "m.npz").stat().st_mode) == 0o640


# -- the app's s, w and e ---------------------------------------------------------------------


async def write_from_app(app: NNTuiApp, key: str, path, said: list[str]) -> str:
    """Press ``key``, answer its prompt with ``path``; what the app said."""
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        await settle(pilot)
        session, epoch = app.session, app.session.epoch
        await pilot.press(key)
        await pilot.pause()
        app.screen.query_one(Input).value = str(path)
        await pilot.press("enter")
        await pilot.pause()
        assert app.session is session and session.epoch == epoch  # the model stays
    return said[-1]


@pytest.mark.parametrize(
    ("key", "target", "message"),
    [
        ("s", "d.csv", "is the data CSV"),
        ("w", "d.csv", "is the data CSV"),
        ("e", "m.npz", "is the model file being continued"),
        ("w", "m.npz", "is the model file being continued"),
        ("s", ".", "is a folder, not a file"),
        ("e", "/proc/h.csv", "its folder is not writable"),
    ],
)
async def test_the_app_refuses_a_path_with_a_message_and_keeps_the_model(
    inputs, monkeypatch, key, target, message
):
    monkeypatch.chdir(inputs)
    app = NNTuiApp(Session.from_file("m.npz"))
    said: list[str] = []
    monkeypatch.setattr(app, "notify", lambda text, **kw: said.append(text))
    before = {p.name: p.read_bytes() for p in inputs.iterdir() if p.is_file()}
    assert message in await write_from_app(app, key, target, said)
    assert {p.name: p.read_bytes() for p in inputs.iterdir() if p.is_file()} == before


async def test_the_app_saves_over_the_model_it_opened(inputs, monkeypatch):
    monkeypatch.chdir(inputs)
    app = NNTuiApp(Session.from_file("m.npz"))
    said: list[str] = []
    monkeypatch.setattr(app, "notify", lambda text, **kw: said.append(text))
    assert "Saved the model to" in await write_from_app(app, "s", "./m.npz", said)
    assert load_model(inputs / "m.npz").meta["epoch"] == 3


async def test_the_app_never_writes_a_config_over_the_one_it_was_started_with(
    tmp_path, monkeypatch
):
    from nntui.cli import build_parser
    from nntui.options import session_from_args

    monkeypatch.chdir(tmp_path)
    (tmp_path / "run.toml").write_text('dataset = "xor"\n')
    parser = build_parser()
    session, _ = session_from_args(parser.parse_args(["--config", "run.toml"]), parser)
    app = NNTuiApp(session)
    said: list[str] = []
    monkeypatch.setattr(app, "notify", lambda text, **kw: said.append(text))
    assert "is the config file read" in await write_from_app(app, "w", "run.toml", said)
    assert (tmp_path / "run.toml").read_text() == 'dataset = "xor"\n'
