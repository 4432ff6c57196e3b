"""The engine learns real toy problems to the accuracy a learner expects."""

import numpy as np

from engine import Trainer, predict, train
from engine.toy import blobs, circles, one_hot, xor


def train_accuracy(trainer: Trainer) -> float:
    return trainer.evaluate(trainer.X, trainer.Y)[1]


def test_xor_reaches_97_percent():
    X, labels = xor(400, seed=0)
    trainer = Trainer(
        X, labels[None].astype(float), [2, 8, 1], activations=["tanh", "sigmoid"],
        learning_rate=0.5, seed=0,
    )  # fmt: skip
    for _ in range(1500):
        trainer.step_epoch()
    assert train_accuracy(trainer) >= 0.97


def test_circles_reach_97_percent_with_the_articles_2_4_1_network():
    X, labels = circles(400, seed=0)
    params, cost_history = train(
        X, labels[None].astype(float), [2, 4, 1], epochs=2000, lr=0.5,
        activations=["tanh", "sigmoid"], seed=1,
    )  # fmt: skip
    assert len(cost_history) == 2000  # the article's cost_history stayed empty
    assert cost_history[-1] < cost_history[0] / 5
    predicted = predict(X.astype(np.float32), params, ["tanh", "sigmoid"])
    assert (predicted == labels).mean() >= 0.97


def test_softmax_network_on_four_blobs_reaches_95_percent():
    X, labels = blobs(600, k=4, seed=2)
    trainer = Trainer(
        X, one_hot(labels, 4), [2, 8, 4], activations=["relu", "softmax"], cost="ce",
        learning_rate=0.01, optimizer="adam", batch_size=64, seed=0,
    )  # fmt: skip
    for _ in range(60):
        trainer.step_epoch()
    assert train_accuracy(trainer) >= 0.95


def test_sigmoid_everywhere_as_in_the_article_still_learns():
    X, labels = circles(400, seed=4)
    params, costs = train(X, labels[None].astype(float), [2, 6, 1], epochs=3000, lr=2.0, seed=0)
    assert costs[-1] < 0.2
    assert (predict(X.astype(np.float32), params) == labels).mean() >= 0.95


def test_regression_with_mse_fits_a_curve():
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, (1, 300))
    Y = np.sin(X)
    trainer = Trainer(
        X, Y, [1, 16, 1], activations=["tanh", "linear"], cost="mse",
        learning_rate=0.01, optimizer="adam", seed=0,
    )  # fmt: skip
    for _ in range(1500):
        trainer.step_epoch()
    assert trainer.history.train_cost[-1] < 0.002
    assert np.isnan(trainer.history.train_acc[-1])
