"""Time travel in the app: [ and ] scrub through the checkpoints, every pane shows the epoch
viewed, B goes back to it after a confirmation, u brings the run back, escape and the
training keys return to the present."""

import numpy as np

from engine.names import LayerKind
from engine.propagation import forward_prop
from nntui.app import NNTuiApp
from nntui.config import Config
from nntui.screens import ConfirmScreen
from nntui.session import Session
from nntui.widgets.status import StatusBar

from .app_helpers import answer_confirm, make_app, settle

SIZE = (120, 40)
TRAINED = 10


def status(app: NNTuiApp) -> str:
    return str(app.query_one(StatusBar).render())


def weights_after(epochs: int) -> dict[str, np.ndarray]:
    """The weights of the default setup after ``epochs`` epochs, from a session of its own."""
    session = Session(Config())
    for _ in range(epochs):
        session.step_epoch()
    return session.params()


def trained_app() -> NNTuiApp:
    app = make_app()
    for _ in range(TRAINED):
        app.session.step_epoch()
    return app


async def press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
    await settle(pilot)


async def test_brackets_scrub_and_every_pane_shows_the_epoch_viewed():
    app = trained_app()
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "[", "[", "[")
        assert app.session.viewing == 7
        assert "viewing epoch 7 of 10" in status(app)
        assert app.query_one(StatusBar).has_class("-viewing")
        assert app.frame.views["training"].viewing == 7  # the plots' line
        expected = weights_after(7)
        diagram = app.frame.views["diagram"]  # the diagram's own copies of W[1] .. W[L]
        for l, W in enumerate(diagram.weights, start=1):
            np.testing.assert_array_equal(W, expected[f"W{l}"])
        await press(pilot, "2")  # the inspector, on W[1]
        inspection = app.frame.views["inspector"].inspection
        assert inspection.stats.mean == np.float64(expected["W1"].astype(np.float64).mean())
        await press(pilot, "5")  # Explain: the example through the weights of epoch 7
        assert app.frame.views["explain"].explanation.epoch == 7
        assert app.session.epoch == TRAINED  # the live model is untouched
        await press(pilot, "]", "]")
        assert app.session.viewing == 9
        await press(pilot, "]")
        assert app.session.viewing is None and not app.query_one(StatusBar).has_class("-viewing")
        assert "viewing" not in status(app)


async def test_B_asks_how_much_is_dropped_then_goes_back_and_u_brings_the_run_back():
    app = trained_app()
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "[", "[", "[", "[", "B")
        assert await answer_confirm(pilot, "n") == "epochs 7 .. 10 of the history (4)"
        assert app.session.epoch == TRAINED and app.session.viewing == 6
        await press(pilot, "B")
        await answer_confirm(pilot, "y")
        assert app.session.epoch == 6 and app.session.viewing is None
        assert app.session.history().epochs == tuple(range(1, 7))
        for key, value in weights_after(6).items():
            np.testing.assert_array_equal(app.session.params()[key], value)
        assert "epoch 6" in status(app) and "undo rewind to epoch 6" in status(app)
        await press(pilot, "u")
        await answer_confirm(pilot, "y")
        assert app.session.epoch == TRAINED
        for key, value in weights_after(TRAINED).items():
            np.testing.assert_array_equal(app.session.params()[key], value)


async def test_escape_and_the_training_keys_return_to_the_present():
    app = trained_app()
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "[", "escape")
        assert app.session.viewing is None
        await press(pilot, "[", "[", "n")
        assert app.session.viewing is None and app.session.epoch == TRAINED + 1
        for key, value in weights_after(TRAINED + 1).items():
            np.testing.assert_array_equal(app.session.params()[key], value)


async def test_the_ends_of_the_run_and_B_without_a_checkpoint_viewed_are_said():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "[")
        assert app.session.viewing is None
        await press(pilot, "B")
        assert not isinstance(app.screen, ConfirmScreen)
        said = [n.message for n in app._notifications]
        assert any("Already at the earliest checkpoint (epoch 0)" in m for m in said)
        assert any("Nothing to go back to" in m for m in said)


def test_every_drawing_query_answers_from_the_checkpoint_viewed():
    """What the panes ask (weights, tensors, model copy, health, history, explain) is that
    of epoch 4 while it is viewed; the live model stays at epoch 10 and trains on from it."""
    session = Session(Config(batch_size=64, optimizer="adam"))
    for _ in range(TRAINED):
        session.step_epoch()
    at_4 = Session(Config(batch_size=64, optimizer="adam"))
    for _ in range(4):
        at_4.step_epoch()
    assert session.view(4) == 4
    for query in ("params", "model_copy"):
        got, expected = getattr(session, query)(), getattr(at_4, query)()
        got, expected = getattr(got, "params", got), getattr(expected, "params", expected)
        for key, value in expected.items():
            np.testing.assert_array_equal(got[key], value)
    np.testing.assert_array_equal(session.tensor(LayerKind("W"), 2).array, at_4.params()["W2"])
    X = session.examples().X[:, :64]  # A and Z: a forward pass of the first batch, no update
    AL, caches = forward_prop(X, at_4.params(), session.facts().activations)
    np.testing.assert_array_equal(session.tensor(LayerKind("A"), 2).array, AL)
    np.testing.assert_array_equal(session.tensor(LayerKind("Z"), 1).array, caches[0].Z)
    forward = {name: shape for name, shape in at_4.shapes().items() if name.kind in "AWbZ"}
    assert session.shapes() == forward  # no gradients at a checkpoint: those show "—"
    assert session.health().epochs.tolist() == at_4.health().epochs.tolist() == [1, 2, 3, 4]
    assert session.history(viewed=True).train_cost == at_4.history().train_cost
    assert session.history().epochs[-1] == TRAINED
    assert session.explain("train", 3, 1).epoch == 4
    assert session.training_state().viewing == 4 and session.epoch == TRAINED
    session.view(None)
    session.step_epoch()
    assert session.epoch == TRAINED + 1


async def test_while_a_checkpoint_is_viewed_edit_save_and_gradients_say_what_they_act_on():
    """= refuses to edit (the weights edited are the present's, not the epoch viewed), the
    save prompt names the present epoch it writes, and a gradient, which checkpoints do not
    keep, says so instead of asking for a backward pass."""
    from engine.names import LAYER_KINDS
    from nntui.screens import PathPrompt, ValuePrompt

    app = trained_app()
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "2", "[")
        assert app.session.viewing is not None
        viewed = app.session.viewing
        await press(pilot, "equals_sign")
        assert not isinstance(app.screen, ValuePrompt)
        said = [n.message for n in app._notifications]
        assert any(f"Epoch {viewed:,} is a checkpoint" in m for m in said)
        assert app.session.viewing == viewed  # still shown

        app.tensor_kind = next(k for k in LAYER_KINDS if str(k) == "dZ[l]")
        await settle(pilot)
        stats = str(app.query_one("#inspect-stats").render())
        assert "not kept with checkpoints" in stats and "press n" not in stats

        await press(pilot, "s")
        assert isinstance(app.screen, PathPrompt)
        assert app.screen.title_text == f"Save the present model (epoch {TRAINED:,}) to"
        await press(pilot, "escape", "escape")
        assert app.session.viewing is None
        for key, value in weights_after(TRAINED).items():  # nothing was edited
            np.testing.assert_array_equal(app.session.params()[key], value)


def test_the_status_line_fits_80_columns_while_a_checkpoint_is_viewed():
    """At 80 columns the line keeps the epoch viewed, the costs, the accuracies and undo,
    and drops the speed (the form's speed field shows it) rather than cutting them off."""
    from nntui.widgets.status import StatusView, status_text

    view = StatusView(5000, 0.2553, 0.3133, 0.954, 0.922, False, 0.0, 20,
                      "rewind to epoch 1,234", viewing=1234)  # fmt: skip
    line = status_text(view, running=False, width=80).plain
    assert len(line) <= 80, line
    assert "viewing 1234 of 5000" in line and "0.2553" in line and "92.2%" in line
    assert "u: undo" in line
    wide = status_text(view, running=False, width=200).plain
    assert "speed 20/s" in wide and "B: go back to it" in wide
