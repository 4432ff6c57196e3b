"""No work lost to a keystroke: a rebuild, a reset or an open of a model with unsaved epochs
asks first, `u` undoes it exactly, and `o` offers the folder's model files."""

from pathlib import Path

import numpy as np
import pytest
from textual.widgets import Input, OptionList

from engine.data import DataError
from engine.persist import load_model
from engine.trainer import EpochStats
from nntui import session as session_module
from nntui.app import NNTuiApp
from nntui.config import Config
from nntui.screens import ConfirmScreen, OpenPrompt
from nntui.session import Session
from nntui.widgets.status import StatusBar

from .app_helpers import answer_confirm, settle

SIZE = (120, 40)
# Mini-batches and Adam: the shuffling generator and the optimiser state decide the next epoch.
SETUP = {"batch_size": 64, "optimizer": "adam", "learning_rate": 0.05, "seed": 4}


def trained(epochs: int, **config) -> Session:
    session = Session(Config(**{**SETUP, **config}))
    for _ in range(epochs):
        session.step_epoch()
    return session


def measured(stats: EpochStats) -> tuple:
    """What an epoch measured, without its wall-clock time."""
    return stats.epoch, stats.train_cost, stats.test_cost, stats.train_acc, stats.test_acc


def saved_state(session: Session, path: Path) -> dict:
    """Everything that decides the next epoch, as a model file records it: weights, optimiser
    state, epoch, history and shuffling generator (saving marks the session saved)."""
    session.save(str(path))
    return load_model(path).state


def assert_same_state(a: dict, b: dict) -> None:
    assert a["epoch"] == b["epoch"] and a["optimizer"] == b["optimizer"] and a["rng"] == b["rng"]
    timeless = [column for column in a["history"] if column != "seconds"]
    assert timeless
    for column in timeless:  # NaN where a column does not apply (R² of a classifier)
        np.testing.assert_array_equal(a["history"][column], b["history"][column])
    for part in ("params", "optimizer_state"):
        assert a[part] and a[part].keys() == b[part].keys()
        for key in a[part]:
            np.testing.assert_array_equal(a[part][key], b[part][key])


def replace_by(kind: str, session: Session, tmp_path: Path) -> None:
    """One of the ways the model can be replaced."""
    if kind == "rebuild":
        session.apply("hidden", (8, 3))
    elif kind == "data set":
        session.apply("dataset", "iris")
    elif kind == "reset":
        session.reset()
    else:
        trained(2, dataset="moons", hidden=(5,)).save(str(tmp_path / "other.npz"))
        session.take_over(Session.from_file(str(tmp_path / "other.npz")), "open other.npz")


# -- the Session ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["rebuild", "data set", "reset", "open"])
def test_undo_brings_back_the_exact_model_and_training_goes_on_as_if_untouched(kind, tmp_path):
    """After a replacement, an epoch of the new model, and undo, the session holds what a
    twin that was never touched holds, and its next epochs are the twin's, number for number."""
    session, twin = trained(6), trained(6)
    config = session.config
    replace_by(kind, session, tmp_path)
    assert session.epoch != 6 or session.config != config
    session.step_epoch()
    step = session.undo()
    assert step is not None and step.model == "epoch 6 of circles 2-4-1"
    assert session.config == config and session.facts() == twin.facts()
    assert session.unsaved and session.undo_step() is None
    assert session.inputs() == twin.inputs()  # an open's model file is no longer an input
    for _ in range(3):
        assert measured(session.step_epoch()) == measured(twin.step_epoch())
    assert_same_state(
        saved_state(session, tmp_path / "a.npz"), saved_state(twin, tmp_path / "b.npz")
    )


def test_undo_brings_back_an_epoch_stopped_midway_by_phase_steps(tmp_path):
    """A reset in the middle of an epoch (after phase steps) is undone with the epoch still
    in progress: finishing it ends where the twin's does."""
    session, twin = trained(3), trained(3)
    for _ in range(4):
        session.step_phase(), twin.step_phase()
    assert session.unsaved_work() == "epoch 3 (and part of the next) of circles 2-4-1, not saved"
    session.reset()
    session.undo()
    assert session.in_epoch and session.phase == twin.phase
    assert measured(session.step_epoch()) == measured(twin.step_epoch())
    assert_same_state(
        saved_state(session, tmp_path / "a.npz"), saved_state(twin, tmp_path / "b.npz")
    )


def test_training_marks_the_model_unsaved_and_saving_clears_it(tmp_path):
    session = Session(Config())
    assert not session.unsaved and session.unsaved_work() == ""
    session.step_epoch()
    assert session.unsaved and session.unsaved_work() == "epoch 1 of circles 2-4-1, not saved"
    session.save(str(tmp_path / "m.npz"))
    assert not session.unsaved
    session.step_phase()
    assert session.unsaved
    session.reset()  # a fresh network has nothing to lose
    assert not session.unsaved
    session.undo()  # ... and the model brought back is unsaved again
    assert session.unsaved and session.in_epoch
    opened = Session.from_file(str(tmp_path / "m.npz"))
    assert not opened.unsaved and opened.epoch == 1


def test_undo_goes_back_several_steps_and_keeps_the_last_ones_only():
    session = trained(1)
    for seed in range(1, 8):
        session.step_epoch()
        session.apply("seed", seed)
    assert session.undo_step().what == "rebuild (seed = 7)"
    seeds = []
    while session.undo() is not None:
        seeds.append(session.config.seed)
    assert len(seeds) == session_module.UNDO_STEPS == 5
    assert seeds == [6, 5, 4, 3, 2] and session.epoch == 1


def test_undo_steps_over_the_memory_budget_are_dropped_but_the_last_is_kept(monkeypatch):
    """Each step keeps its data split alive: past UNDO_BYTES only the newest one stays."""
    session = trained(1)
    one_step = 2 * session.prepared.X_train.nbytes
    monkeypatch.setattr(session_module, "UNDO_BYTES", one_step)
    session.reset()
    session.reset()
    assert session.undo() is not None and session.undo() is None


def test_a_rebuild_that_fails_changes_nothing_and_adds_no_undo_step(monkeypatch):
    session = trained(2)
    params, config = session.params(), session.config

    def unreadable(config):
        raise DataError("no such data")

    monkeypatch.setattr(Session, "load_data", staticmethod(unreadable))
    with pytest.raises(DataError):
        session.apply("dataset", "iris")
    assert session.config == config and session.epoch == 2 and session.undo_step() is None
    for key, value in params.items():
        np.testing.assert_array_equal(session.params()[key], value)


# -- the app ----------------------------------------------------------------------------------


def status(app: NNTuiApp) -> str:
    return str(app.query_one(StatusBar).render())


async def train(pilot, epochs: int) -> None:
    """``epochs`` presses of n, out of the form (where n would be typed)."""
    pilot.app.set_focus(None)
    for _ in range(epochs):
        await pilot.press("n")
    await settle(pilot)


async def edit_hidden(pilot, text: str) -> None:
    field = pilot.app.query_one("#field-hidden", Input)
    field.focus()
    field.value = text
    await pilot.press("enter")
    await settle(pilot)


async def test_a_rebuild_of_unsaved_epochs_asks_first_and_cancel_keeps_the_model():
    app = NNTuiApp(Session(Config(**SETUP)))
    async with app.run_test(size=SIZE) as pilot:
        await train(pilot, 3)
        params, config = app.session.params(), app.session.config
        await edit_hidden(pilot, "8,3")
        assert "Rebuild" in str(app.screen.query_one("#question").render())
        assert await answer_confirm(pilot, "n") == "epoch 3 of circles 2-4-1, not saved"
        assert app.session.config == config and app.session.epoch == 3
        for key, value in params.items():
            np.testing.assert_array_equal(app.session.params()[key], value)
        assert app.query_one("#field-hidden", Input).value == "4"  # the form shows the model's
        assert app.session.undo_step() is None


async def test_confirmed_rebuild_then_u_restores_the_exact_state_of_an_untouched_twin(tmp_path):
    app, twin = NNTuiApp(Session(Config(**SETUP))), trained(3)
    async with app.run_test(size=SIZE) as pilot:
        await train(pilot, 3)
        await edit_hidden(pilot, "8,3")
        await answer_confirm(pilot, "y")
        assert app.session.facts().layer_dims == (2, 8, 3, 1) and app.session.epoch == 0
        assert "u: undo rebuild (hidden = 8,3)" in status(app)
        await train(pilot, 1)  # the rebuilt network trained: undo asks before dropping it
        await pilot.press("u")
        assert await answer_confirm(pilot, "y") == "epoch 1 of circles 2-8-3-1, not saved"
        assert app.session.config == twin.config and "epoch 3" in status(app)
        assert app.query_one("#field-hidden", Input).value == "4"
        await train(pilot, 1)
        twin.step_epoch()
        assert app.session.history().train_cost == twin.history().train_cost
        assert_same_state(saved_state(app.session, tmp_path / "a.npz"),
                          saved_state(twin, tmp_path / "b.npz"))  # fmt: skip


async def test_a_saved_model_is_replaced_without_asking(tmp_path):
    app = NNTuiApp(Session(Config()))
    async with app.run_test(size=SIZE) as pilot:
        await train(pilot, 2)
        app.session.save(str(tmp_path / "m.npz"))
        await edit_hidden(pilot, "6")
        assert not isinstance(app.screen, ConfirmScreen)
        assert app.session.facts().layer_dims == (2, 6, 1)
        app.set_focus(None)  # out of the form, where u would be typed
        await pilot.press("u")  # an untrained rebuild is undone without asking too
        await settle(pilot)
        assert app.session.epoch == 2 and not app.session.unsaved


@pytest.mark.parametrize("key", ["n", "escape"])
async def test_reset_asks_first_and_cancel_keeps_the_model(key):
    app = NNTuiApp(Session(Config()))
    async with app.run_test(size=SIZE) as pilot:
        await train(pilot, 2)
        params = app.session.params()
        await pilot.press("r")
        await answer_confirm(pilot, key)
        assert app.session.epoch == 2 and app.session.undo_step() is None
        np.testing.assert_array_equal(app.session.params()["W1"], params["W1"])


async def test_u_with_nothing_to_undo_says_so_and_changes_nothing(monkeypatch):
    app = NNTuiApp(Session(Config()))
    said: list[str] = []
    monkeypatch.setattr(app, "notify", lambda message, **kw: said.append(message))
    async with app.run_test(size=SIZE) as pilot:
        await train(pilot, 1)
        await pilot.press("u")
        await settle(pilot)
        assert said[-1].startswith("Nothing to undo") and app.session.epoch == 1


# -- o: the folder's model files ----------------------------------------------------------------


def model_folder(folder: Path) -> dict[str, int]:
    """Two model files (trained 2 and 5 epochs) and things that are not model files."""
    epochs = {"a.npz": 2, "b.npz": 5}
    for name, n in epochs.items():
        trained(n).save(str(folder / name))
    (folder / "notes.txt").write_text("not a model")
    (folder / "runs.npz").mkdir()  # a folder, though named like one
    (folder / "runs.npz" / "c.npz").write_bytes((folder / "a.npz").read_bytes())
    return epochs


def listed(app: NNTuiApp) -> list[str]:
    files = app.screen.query_one("#files", OptionList)
    return [str(files.get_option_at_index(i).prompt).split()[0] for i in range(files.option_count)]


async def test_o_lists_only_the_folders_model_files_and_opens_one_picked_with_keys(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    epochs = model_folder(tmp_path)
    app = NNTuiApp(Session(Config()))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, OpenPrompt) and listed(app) == ["a.npz", "b.npz"]
        await pilot.press("down", "down", "enter")  # into the list, to b.npz, open it
        await settle(pilot)
        assert app.session.epoch == epochs["b.npz"]
        assert app.session.undo_step().what == "open b.npz"


async def test_typing_a_path_narrows_the_list_follows_folders_and_still_opens(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    epochs = model_folder(tmp_path)
    app = NNTuiApp(Session(Config()))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await pilot.press("b")
        assert listed(app) == ["b.npz"]
        await pilot.press("backspace", *"runs.npz/")
        assert listed(app) == ["c.npz"]
        await pilot.press("down", "x")  # a character typed in the list goes to the path
        assert app.screen.query_one("#path", Input).value == "runs.npz/x"
        assert "no model files" in str(app.screen.query_one("#files-title").render())
        await pilot.press("backspace", *"c.npz", "enter")
        await settle(pilot)
        assert app.session.epoch == epochs["a.npz"]  # runs.npz/c.npz is a copy of a.npz
        assert app.session.undo_step().what == "open runs.npz/c.npz"


async def test_escape_in_the_open_prompt_leaves_everything_as_it_was(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model_folder(tmp_path)
    app = NNTuiApp(Session(Config()))
    async with app.run_test(size=SIZE) as pilot:
        await train(pilot, 1)
        params = app.session.params()
        await pilot.press("o", "down", "escape")
        await settle(pilot)
        assert not isinstance(app.screen, OpenPrompt | ConfirmScreen)
        assert app.session.epoch == 1 and app.session.undo_step() is None
        np.testing.assert_array_equal(app.session.params()["W1"], params["W1"])


async def test_opening_over_unsaved_epochs_asks_first(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model_folder(tmp_path)
    app = NNTuiApp(Session(Config()))
    async with app.run_test(size=SIZE) as pilot:
        await train(pilot, 1)
        await pilot.press("o", "down", "enter")
        await answer_confirm(pilot, "escape")
        assert app.session.epoch == 1
        await pilot.press("o", "down", "enter")
        await answer_confirm(pilot, "enter")  # the focused button: go on
        assert app.session.epoch == 2
        await pilot.press("u")
        await settle(pilot)
        assert app.session.epoch == 1 and app.session.unsaved
