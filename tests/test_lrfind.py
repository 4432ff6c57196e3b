"""The learning-rate finder: its schedule, its stopping rule, its suggestion, and that the
model it is run on is left exactly as it was."""

import math

import numpy as np
import pytest

from engine import Trainer
from engine.lrfind import EXPLODE, SMOOTHING, LRModel, find_learning_rate, rate_schedule
from engine.toy import circles
from nntui.config import Config
from nntui.session import Session

DIGITS_RELU = Config().with_dataset("digits").with_value("hidden", (32,))
DIGITS_RELU = DIGITS_RELU.with_value("activation", ("relu",)).with_value("init", "he")


def test_the_rates_rise_exponentially_from_1e_6_to_10():
    rates = rate_schedule()
    assert 100 <= len(rates) <= 300
    assert rates[0] == pytest.approx(1e-6, rel=1e-12) and rates[-1] == pytest.approx(10, rel=1e-12)
    ratios = rates[1:] / rates[:-1]
    assert np.allclose(ratios, (10 / 1e-6) ** (1 / (len(rates) - 1)), rtol=1e-9)


def test_costs_are_each_steps_cost_before_its_update_and_smoothed_with_bias_correction():
    session = Session(Config())
    trainer = session._trainer
    found = find_learning_rate(LRModel.of(trainer))
    assert found.costs[0] == pytest.approx(trainer.evaluate(trainer.X, trainer.Y)[0], rel=1e-5)
    average, expected = 0.0, []
    for i, J in enumerate(found.costs):
        average = SMOOTHING * average + (1 - SMOOTHING) * J
        expected.append(average / (1 - SMOOTHING ** (i + 1)))
    assert np.allclose(found.smoothed, expected, rtol=1e-12)
    assert found.suggested == pytest.approx(found.rates[np.argmin(found.smoothed)] / 10, rel=1e-3)
    assert found.rule == "a tenth of the rate at the lowest smoothed cost"


@pytest.mark.parametrize(
    ("config", "cost_below", "test_accuracy"),
    [(Config(), 0.35, 0.9), (DIGITS_RELU, 0.1, 0.9)],
    ids=["default-2-4-1-circles", "digits-relu-32"],
)
def test_the_suggested_rate_trains_the_default_networks(config, cost_below, test_accuracy):
    """100 epochs at the suggested rate: the default 2-4-1 on circles goes from J = 0.70 to
    below 0.35 and at least 90 % test accuracy (at its default 0.5: J 0.50, 84 %); digits
    with 32 ReLU units from J = 2.8 to below 0.1 and at least 90 %."""
    session = Session(config)
    rate = find_learning_rate(LRModel.of(session._trainer)).suggested
    session.apply("learning_rate", rate)
    first = session.step_epoch()
    for _ in range(99):
        last = session.step_epoch()
    assert first.train_cost > 2 * cost_below
    assert last.train_cost < cost_below and last.test_acc >= test_accuracy


def _trainer() -> Trainer:
    X, labels = circles(200, seed=0)
    return Trainer(X, labels[None].astype(float), [2, 8, 1], activations=["relu", "sigmoid"],
                   learning_rate=0.05, batch_size=32, optimizer="adam", seed=3)  # fmt: skip


def test_the_model_it_is_run_on_is_bit_identical_afterwards():
    trainer = _trainer()
    for _ in range(3):
        trainer.step_epoch()
    before = trainer.state()
    find_learning_rate(LRModel.of(trainer), end=1e4)
    after = trainer.state()
    for key, value in before["params"].items():
        assert np.array_equal(after["params"][key], value)
    assert before["optimizer_state"].keys() == after["optimizer_state"].keys()
    for key, value in before["optimizer_state"].items():
        assert np.array_equal(after["optimizer_state"][key], value)
    for key, value in before["health"].items():
        assert np.array_equal(after["health"][key], value, equal_nan=True)
    for key, column in before["history"].items():
        assert np.array_equal(after["history"][key], column, equal_nan=True)
    same = ("optimizer", "epoch", "rng")
    assert {k: before[k] for k in same} == {k: after[k] for k in same}
    assert trainer.learning_rate == 0.05


def test_it_stops_when_the_smoothed_cost_passes_4x_its_lowest():
    found = find_learning_rate(LRModel.of(_trainer()), end=1e4)
    assert len(found.costs) < 200
    assert "passed 4x its lowest" in found.stopped
    assert found.smoothed[-1] > EXPLODE * found.smoothed.min()
    assert np.all(found.smoothed[:-1] <= EXPLODE * np.minimum.accumulate(found.smoothed)[:-1])


def test_it_stops_when_the_cost_becomes_non_finite():
    X = np.linspace(-1, 1, 50)[None]
    trainer = Trainer(X, 3 * X, [1, 1], activations="linear", cost="mse", seed=0)
    found = find_learning_rate(LRModel.of(trainer), steps=3, end=1e60)  # 1e-6, 1e27, 1e60
    assert found.stopped == "the cost became non-finite at step 3"
    assert len(found.costs) == 2 and np.all(np.isfinite(found.costs))
    assert math.isfinite(found.suggested)


def test_it_refuses_mid_epoch():
    trainer = _trainer()
    trainer.step_phase()
    with pytest.raises(ValueError, match="finish it first"):
        LRModel.of(trainer)
