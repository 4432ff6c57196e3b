"""Key F in the app: the learning-rate finder's screen, Apply and Cancel, and its refusals."""

import numpy as np
from textual.widgets import Input

from nntui.widgets.lrfind import LRFindScreen

from .app_helpers import make_app, settle

SIZE = (120, 40)


def _model(app) -> dict:
    """Everything a find must leave alone: weights, optimiser state, epoch, history, rng."""
    return app.session._trainer.state()


def _same(before: dict, after: dict) -> None:
    for part in ("params", "optimizer_state", "health"):
        assert before[part].keys() == after[part].keys()
        for key, value in before[part].items():
            assert np.array_equal(after[part][key], value, equal_nan=True), key
    for key, column in before["history"].items():
        assert np.array_equal(after["history"][key], column, equal_nan=True), key
    assert {k: before[k] for k in ("optimizer", "epoch", "rng")} == {
        k: after[k] for k in ("optimizer", "epoch", "rng")
    }


async def _open_finder(pilot) -> LRFindScreen:
    await pilot.press("n", "n")
    await settle(pilot)
    await pilot.press("F")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, LRFindScreen), screen
    return screen


async def test_f_shows_the_suggested_rate_of_an_independent_find():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")
        await settle(pilot)
        expected = app.session.find_learning_rate()
        await pilot.press("F")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LRFindScreen)
        text = str(screen.query_one("#lr-text").render())
        assert f"suggested α = {expected.suggested:g}" in text
        assert "a tenth of the rate at the lowest smoothed cost" in text
        assert np.array_equal(screen.found.costs, expected.costs)


async def test_apply_sets_the_live_learning_rate_and_nothing_else():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_finder(pilot)
        before, config = _model(app), app.session.config
        await pilot.press("a")
        await settle(pilot)
        rate = screen.found.suggested
        assert app.session.live_settings()["learning_rate"] == rate != config.learning_rate
        assert app.session.config == config.with_value("learning_rate", rate)
        assert app.query_one("#field-learning_rate", Input).value == f"{rate:g}"
        _same(before, _model(app))


async def test_cancel_changes_nothing():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_finder(pilot)
        before, config = _model(app), app.session.config
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, LRFindScreen)
        assert app.session.config == config
        assert app.query_one("#field-learning_rate", Input).value == "0.5"
        _same(before, _model(app))


async def test_f_is_refused_mid_epoch_and_while_training_runs():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("full_stop")
        await pilot.press("F")
        await settle(pilot)
        assert not isinstance(app.screen, LRFindScreen)
        assert any("finish it with n, then find a learning rate" in n.message
                   for n in app._notifications)  # fmt: skip
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("space", "F")
        await pilot.pause()
        assert app.running and not isinstance(app.screen, LRFindScreen)
        await pilot.press("space")
        await settle(pilot)
        assert any("Training is running: pause it with space" in n.message
                   for n in app._notifications)  # fmt: skip
