"""The Trainer: history, hyperparameters, reset, optimisers, divergence and bad input."""

import math

import numpy as np
import pytest

from engine import DivergedError, Trainer, init_params, update_parameters
from engine.names import ArrayName
from engine.optimizers import Adam, Momentum
from engine.toy import circles, one_hot


@pytest.fixture
def data():
    X, labels = circles(200, seed=0)
    return X, labels[None].astype(float)


def make(data, **kwargs) -> Trainer:
    X, Y = data
    kwargs.setdefault("activations", ["tanh", "sigmoid"])
    return Trainer(X, Y, [2, 4, 1], **kwargs)


def test_history_has_one_row_per_epoch_with_test_metrics(data):
    Xt, lt = circles(50, seed=9)
    trainer = make(data, X_test=Xt, Y_test=lt[None].astype(float), learning_rate=0.5)
    for _ in range(5):
        stats = trainer.step_epoch()
    h = trainer.history
    assert len(h) == 5 == trainer.epoch == stats.epoch
    assert all(len(col) == 5 for col in (h.test_cost, h.train_acc, h.test_acc, h.seconds))
    assert all(0 <= a <= 1 for a in h.train_acc + h.test_acc)
    assert stats.test_cost == pytest.approx(trainer.evaluate(Xt, lt[None])[0], rel=1e-5)


def test_full_batch_cost_is_the_cost_before_that_epochs_update(data):
    trainer = make(data)
    before, _ = trainer.evaluate(trainer.X, trainer.Y)
    trainer.step_epoch()
    assert trainer.history.train_cost[0] == pytest.approx(before, rel=1e-6)


def test_reset_reinitialises_from_the_seed(data):
    trainer = make(data, seed=4)
    W1 = trainer.params["W1"].copy()
    trainer.step_epoch()
    assert not np.array_equal(trainer.params["W1"], W1)
    trainer.reset()
    np.testing.assert_array_equal(trainer.params["W1"], W1)
    assert trainer.epoch == 0 and len(trainer.history) == 0


def test_tensors_exist_before_training_and_gradients_after_a_backward_pass(data):
    trainer = make(data)
    assert trainer.tensors[ArrayName("Z", 2)].shape == (1, 200)
    assert ArrayName("dZ", 1) not in trainer.tensors
    trainer.step_epoch()
    assert trainer.tensors[ArrayName("dW", 1)].shape == (4, 2)
    assert trainer.tensors[ArrayName("dZ", 1)].shape == (4, 200)


def test_hyperparameters_change_on_the_running_model(data):
    trainer = make(data, learning_rate=0.1)
    trainer.step_epoch()
    trainer.learning_rate = 0.3
    trainer.optimizer_name = "adam"
    trainer.batch_size = 50
    trainer.lambd = 0.01
    trainer.step_epoch()
    assert trainer.epoch == 2 and trainer.batches_per_epoch == 4
    assert isinstance(trainer.optimizer, Adam)


@pytest.mark.parametrize(
    ("attr", "value", "message"),
    [
        ("learning_rate", 0, "learning rate must be a finite number > 0"),
        ("learning_rate", -1, "learning rate"),
        ("learning_rate", math.inf, "learning rate"),
        ("batch_size", 0, "batch size must be at least 1"),
        ("batch_size", 2.5, "batch size must be a whole number"),
        ("lambd", -0.1, "λ must be a finite number >= 0"),
        ("optimizer_name", "sgdx", "unknown optimiser 'sgdx'"),
    ],
)
def test_bad_hyperparameters_are_refused_and_the_model_kept(data, attr, value, message):
    trainer = make(data, learning_rate=0.1)
    trainer.step_epoch()
    params = {k: v.copy() for k, v in trainer.params.items()}
    old = getattr(trainer, attr)
    with pytest.raises(ValueError, match=message):
        setattr(trainer, attr, value)
    assert getattr(trainer, attr) == old
    for key in params:
        np.testing.assert_array_equal(trainer.params[key], params[key])


def test_divergence_restores_the_last_finite_epoch(data):
    X, Y = data
    trainer = Trainer(X * 1e3, Y, [2, 8, 1], activations=["relu", "sigmoid"], learning_rate=0.5)
    trainer.learning_rate = 1e-3
    trainer.step_epoch()
    good = {k: v.copy() for k, v in trainer.params.items()}
    trainer.learning_rate = 1e30
    with pytest.raises(DivergedError) as caught:
        for _ in range(20):
            trainer.step_epoch()
            good = {k: v.copy() for k, v in trainer.params.items()}
    assert caught.value.layer is not None
    assert "restored" in str(caught.value)
    assert len(trainer.history) == trainer.epoch
    for key in good:
        np.testing.assert_array_equal(trainer.params[key], good[key])
    assert all(np.isfinite(v).all() for v in trainer.params.values())


@pytest.mark.parametrize("value", [np.inf, -np.inf, np.nan])
def test_one_non_finite_weight_under_a_finite_cost_is_divergence(data, value):
    """The epoch's end catches a single weight gone inf or NaN even when the cost is still
    finite, names its layer, and puts back the weights of the last finite epoch."""
    X, Y = data
    trainer = Trainer(X, Y, [2, 8, 1], activations=["relu", "sigmoid"], learning_rate=0.5)
    trainer.step_epoch()
    good = {k: v.copy() for k, v in trainer.params.items()}
    trainer.params["W2"][0, 3] = value  # a view into the weights the check reads
    with pytest.raises(DivergedError) as caught, np.errstate(invalid="ignore"):  # as in an epoch
        trainer._check_finite(0.25)
    assert caught.value.layer == 2
    for key in good:
        np.testing.assert_array_equal(trainer.params[key], good[key])


def test_momentum_and_adam_lower_the_cost(data):
    for name, lr in (("momentum", 0.5), ("adam", 0.05)):
        trainer = make(data, optimizer=name, learning_rate=lr)
        for _ in range(300):
            trainer.step_epoch()
        assert trainer.history.train_cost[-1] < trainer.history.train_cost[0] * 0.5, name


def test_update_parameters_is_gradient_descent_on_dw_and_db():
    params = {"W1": np.array([[1.0, 2.0]]), "b1": np.array([[3.0]])}
    grads = {"dW1": np.array([[10.0, 20.0]]), "db1": np.array([[30.0]]), "dZ1": np.zeros((1, 4))}
    out = update_parameters(params, grads, 0.1)
    assert out is params
    np.testing.assert_allclose(params["W1"], [[0.0, 0.0]])
    np.testing.assert_allclose(params["b1"], [[0.0]])


def test_adam_first_step_moves_each_parameter_by_the_learning_rate():
    params = {"W1": np.array([[1.0, -1.0]]), "b1": np.array([[0.0]])}
    grads = {"dW1": np.array([[0.3, -7.0]]), "db1": np.array([[2.0]])}
    Adam().update(params, grads, 0.01)
    np.testing.assert_allclose(params["W1"], [[0.99, -0.99]], rtol=1e-6)
    np.testing.assert_allclose(params["b1"], [[-0.01]], rtol=1e-6)


def test_momentum_state_round_trips():
    params = init_params([2, 3, 1], seed=0, dtype=np.float64)
    grads = {f"d{k}": np.ones_like(v) for k, v in params.items()}
    first = Momentum()
    first.update(params, grads, 0.1)
    second = Momentum()
    second.load_state(first.state())
    for key in params:
        np.testing.assert_array_equal(second.v[key], first.v[key])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda X, Y, d: (X, Y[:, :-1], d), "X has m = 200 examples .* but Y has 199"),
        (lambda X, Y, d: (X, Y, [3, 4, 1]), r"layer_dims\[0\] is 3 but X has n_x = 2"),
        (lambda X, Y, d: (X, Y, [2, 4, 2]), "output layer has 2 units but Y has 1 rows"),
        (lambda X, Y, d: (np.where(X > 0.9, np.nan, X), Y, d), "X holds .* non-finite values"),
        (lambda X, Y, d: (X[0], Y, d), "X must be a 2-D array"),
        (lambda X, Y, d: (X, Y, [2, 0, 1]), r"layer_dims\[1\] must be a positive whole number"),
    ],
)
def test_bad_input_is_a_clear_value_error(data, change, message):
    X, Y, dims = change(*data, [2, 4, 1])
    with pytest.raises(ValueError, match=message):
        Trainer(X, Y, dims)


def test_unknown_names_are_clear_value_errors(data):
    X, Y = data
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        Trainer(X, Y, [2, 4, 1], activations=["swish", "sigmoid"])
    with pytest.raises(ValueError, match="unknown cost 'hinge'"):
        Trainer(X, Y, [2, 4, 1], cost="hinge")
    with pytest.raises(ValueError, match="unknown init 'zeros'"):
        Trainer(X, Y, [2, 4, 1], init="zeros")
    with pytest.raises(ValueError, match="learning rate"):
        Trainer(X, Y, [2, 4, 1], learning_rate=0)
    with pytest.raises(ValueError, match="softmax cross-entropy cost needs a softmax output"):
        Trainer(X, one_hot(np.zeros(200, int), 1), [2, 4, 1], cost="ce")


def test_forward_prop_names_a_shape_mismatch():
    from engine import forward_prop

    params = init_params([3, 4, 1], seed=0)
    with pytest.raises(ValueError, match=r"X has 2 rows but W\[1\] expects 3"):
        forward_prop(np.zeros((2, 5), np.float32), params)


def test_a_long_history_is_thinned_evenly_and_keeps_the_latest_epoch(data, monkeypatch):
    """Past HISTORY_LIMIT entries every other one goes, then every 2nd epoch is kept (4th,
    ...): memory stays bounded however long a run is, and the last entry is the latest."""
    from engine import trainer as trainer_module
    from engine.trainer import HISTORY_COLUMNS

    monkeypatch.setattr(trainer_module, "HISTORY_LIMIT", 100)
    trainer = make(data, learning_rate=0.5)
    for _ in range(1000):
        trainer.step_epoch()
        assert len(trainer.history) <= 101 and trainer.history.epoch[-1] == trainer.epoch
    h = trainer.history
    assert h.stride == 16 and len(h) >= 50
    assert list(h.epoch[:-1]) == list(range(16, 1000, 16))  # evenly spaced, then the latest
    assert all(len(getattr(h, name)) == len(h) for name in HISTORY_COLUMNS)
    assert h.train_cost[-1] == trainer.last_stats.train_cost
    again = make(data, learning_rate=0.5)
    again.restore(trainer.state())
    np.testing.assert_equal(again.history.columns(), h.columns())  # NaN test costs included
    assert again.history.stride == 16
    again.step_epoch()
    assert list(again.history.epoch[-2:]) == [992, 1001]  # 1000 was only the latest


def test_whole_epochs_keep_the_weights_before_each_update_for_the_explain_view(data):
    """Gradient descent's whole epochs write the new weights into the buffer of the old ones
    and swap: the weights before the last update, its dW and db and the weights after it
    still satisfy W_after = W_before - α dW bit for bit, and W_after is the model's."""
    trainer = make(data, learning_rate=0.5, dtype=np.float32)
    for _ in range(3):
        trainer.step_epoch()
    before = trainer.pass_params()
    assert before is not trainer.params
    for l in (1, 2):
        update = trainer.batch_record(l).update
        np.testing.assert_array_equal(update.W_before, before[f"W{l}"])
        np.testing.assert_array_equal(update.W_after, trainer.params[f"W{l}"])
        np.testing.assert_array_equal(update.W_after, update.W_before - np.float32(0.5) * update.dW)
        np.testing.assert_array_equal(update.b_after, update.b_before - np.float32(0.5) * update.db)
        np.testing.assert_array_equal(trainer.tensors[ArrayName("W", l)], trainer.params[f"W{l}"])


def test_health_noted_epochs_survive_the_arrays_the_next_epochs_overwrite(data):
    """Whole epochs write A[l] and dW[l] into the same arrays every epoch; the health record
    computes the epochs it noted later, together, from what they were at their end: the
    same series (to rounding) as a record computed after every epoch."""
    together, one_by_one = make(data, learning_rate=0.5), make(data, learning_rate=0.5)
    for _ in range(10):
        together.step_epoch()
        one_by_one.step_epoch()
        one_by_one.history.health.flush()
    together.history.health.flush()
    a, b = together.history.health, one_by_one.history.health
    assert a.epoch.tolist() == b.epoch.tolist() == list(range(1, 11))
    np.testing.assert_allclose(a.series, b.series, rtol=1e-6)  # batched sums round apart
    np.testing.assert_allclose(a.a_quantiles, b.a_quantiles, rtol=1e-6)
