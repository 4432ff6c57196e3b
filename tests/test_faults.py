"""Faults: a save killed at any moment, divergence at any rate and activation, a terminal
resized while training. Nothing breaks and nothing already trained is lost."""

import asyncio
import math
import os
import random
import re
import signal
import time

import numpy as np
import pytest
from textual.widgets import Input

from engine.trainer import DivergedError
from nntui.config import Config
from nntui.session import Session
from nntui.widgets.status import StatusBar

from .app_helpers import diagram_text, make_app, settle

KILLS = 50


def test_a_save_killed_at_any_moment_leaves_the_old_model_or_the_new(tmp_path):
    """A child process saves two models over one path in turn, again and again, and is
    killed with SIGKILL inside a save, 50 times. Each time the path holds one of the two,
    whole. The child says when each save is done, so the kills land after saves of both
    kinds however fast or loaded the machine is."""
    path = tmp_path / "model.npz"
    models = [Session(Config(dataset="digits", hidden=(512, 512), seed=seed)) for seed in (1, 2)]
    models[0].save(str(path))
    W1s = [m.params()["W1"] for m in models]
    rng = random.Random(0)
    seen = set()
    for _ in range(KILLS):
        done_r, done_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: save forever, one byte down the pipe after each save
            try:
                os.close(done_r)
                while True:
                    for model in models:
                        model.save(str(path))
                        os.write(done_w, b"s")
            finally:
                os._exit(1)
        os.close(done_w)
        saves = rng.randint(1, 4)  # the last whole save was of model (saves - 1) % 2
        for _ in range(saves):
            assert os.read(done_r, 1) == b"s"
        time.sleep(rng.uniform(0, 0.005))  # somewhere inside the next save, or just after it
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(done_r)
        W1 = Session.from_file(str(path)).params()["W1"]
        matches = [i for i, W in enumerate(W1s) if np.array_equal(W, W1)]
        assert len(matches) == 1
        seen.add(matches[0])
    assert seen == {0, 1}  # the kills did land between saves of both kinds
    # What a kill can leave behind is a hidden temporary, never the model's own name.
    assert {p.name for p in tmp_path.iterdir() if not p.name.startswith(".model.npz.")} == {
        "model.npz"
    }


ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu"]


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("learning_rate", [3.0, 100.0, 1e4, 1e12])
def test_divergence_is_caught_at_any_rate_and_activation(activation, learning_rate):
    """Regression (an unbounded linear output) at rates from sane-looking to absurd: the
    cost or the weights go non-finite within a few epochs; the trainer says where, restores
    the last finite weights, and the history keeps only finite epochs."""
    session = Session(Config(dataset="diabetes", hidden=(64, 64), activation=activation))
    t = session._trainer  # white-box: a rate beyond the form's bound of 100, to the engine
    t.learning_rate = learning_rate
    good = {key: value.copy() for key, value in t.params.items()}
    with pytest.raises(DivergedError) as caught:
        for _ in range(300):
            session.step_epoch()
            good = {key: value.copy() for key, value in t.params.items()}
    err = caught.value
    assert err.layer is None or 1 <= err.layer <= t.L
    assert ("in the cost" if err.layer is None else f"in layer {err.layer} first") in str(err)
    assert err.epoch == t.epoch + 1 and len(t.history) == t.epoch
    for key, value in good.items():
        np.testing.assert_array_equal(t.params[key], value)
    assert np.isfinite(t.history.train_cost).all()


@pytest.mark.parametrize("activation", ACTIVATIONS)
async def test_the_app_pauses_on_divergence_and_says_where(activation):
    app = make_app(dataset="diabetes", hidden=(16,), activation=activation, learning_rate=100.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("space")
        for _ in range(100):
            await pilot.pause(0.05)
            if not app.running:
                break
        diverged_by_itself = not app.running
        app.pause()  # never leave a training thread behind, whatever happened
        await settle(pilot)
        assert diverged_by_itself
        assert re.search(r"non-finite (in layer \d first|in the cost)", app.error)
        assert "diverged" in str(app.query_one(StatusBar).render())
        assert all(np.isfinite(v).all() for v in app.session.params().values())
        await pilot.press("n")  # a divergent rate stays divergent, but the app answers
        await settle(pilot)
        assert app.session.epoch == len(app.session.history(10**9).epochs)


@pytest.mark.filterwarnings("error::RuntimeWarning")  # no NumPy warning reaches the user
async def test_phase_stepping_into_divergence_mid_epoch_keeps_the_session():
    """`.` pressed through the phases at an absurd rate with mini-batches of 16: the weights
    go non-finite inside the epoch. The app says so and keeps running, the diagram draws the
    restored weights, and training goes on once the rate is lowered."""
    app = make_app(dataset="diabetes", hidden=(16,), activation="relu", learning_rate=100.0,
                   batch_size=16)  # fmt: skip
    async with app.run_test(size=(120, 40)) as pilot:
        session, facts = app.session, app.session.facts()
        phases_per_epoch = math.ceil(facts.m_train / 16) * (2 * facts.L + 2)
        presses = 0
        while not app.error and presses < phases_per_epoch:
            await pilot.press("full_stop")
            presses += 1
        await settle(pilot)
        assert presses < phases_per_epoch  # mid-epoch
        assert app.is_running and app.return_code is None
        assert re.search(r"diverged at epoch 1: .*non-finite", app.error)
        assert "diverged" in str(app.query_one(StatusBar).render())
        assert not session.in_epoch and session.epoch == 0
        assert all(np.isfinite(v).all() for v in session.params().values())
        assert session.phase is None
        assert "●" in diagram_text(app)
        field = app.query_one("#field-learning_rate", Input)
        field.focus()
        field.value = "0.001"
        await pilot.press("enter")
        await settle(pilot)
        assert session.live_settings()["learning_rate"] == 0.001
        await pilot.press("escape", "full_stop", "n")
        await settle(pilot)
        assert app.is_running and not app.error and session.epoch == 1
        assert np.isfinite(session.history().train_cost).all()


SIZES = [(40, 12), (250, 80), (69, 19), (70, 20), (80, 24), (41, 60), (200, 13), (120, 40)]


async def test_resizing_while_training_never_breaks_and_small_sizes_say_so(monkeypatch):
    """Down to 40x12 and up to 250x80, over and over, in every view, while training runs."""

    async def a_frame(*args) -> None:
        await asyncio.sleep(1 / 60)

    # Pilot's pause waits (up to 1 s) for the CPU to go idle, which it never does while
    # training runs; a frame's wait keeps the 32 resizes below quick.
    monkeypatch.setattr("textual.pilot.wait_for_idle", a_frame)
    app = make_app(dataset="digits", hidden=(32,), activation="relu", learning_rate=0.1)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("space")
        for view in "1234":
            await pilot.press(view)
            for width, height in SIZES:
                await pilot.resize_terminal(width, height)
                small = width < 70 or height < 20
                assert app.has_class("-too-small") == small
                message = app.query_one("#too-small")
                assert message.display == small and app.query_one("#top").display != small
                if small:
                    assert f"{width}×{height}" in str(message.render())
        epoch = app.session.epoch
        await pilot.press("1")
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.6)  # a plot redraw tick
        assert "too small" not in str(app.query_one("#cost-plot").render())  # short: curves
        await pilot.resize_terminal(160, 50)
        await pilot.pause(0.6)
        assert "too small" not in str(app.query_one("#cost-plot").render())
        await pilot.press("space")
        await settle(pilot)
        assert app.running is False and app.session.epoch > epoch > 0
        assert len(app.session.history(10**9).epochs) == app.session.epoch
