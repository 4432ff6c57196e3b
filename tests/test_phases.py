"""Phase stepping gives exactly what whole epochs give, and says what it computed."""

from itertools import pairwise

import numpy as np
import pytest

from engine import DivergedError, Trainer, init_params
from engine.names import ArrayName
from engine.propagation import (
    Work,
    backward_into,
    backward_layers,
    forward_layers,
    resolve_activations,
)
from engine.toy import blobs, circles, one_hot


def make_trainer(batch_size=None, optimizer="gd", dtype=np.float64, lambd=0.0) -> Trainer:
    X, labels = blobs(120, k=3, seed=1)
    return Trainer(
        X, one_hot(labels, 3), [2, 5, 4, 3], activations=["tanh", "relu", "softmax"],
        cost="ce", learning_rate=0.05, batch_size=batch_size, optimizer=optimizer,
        lambd=lambd, seed=7, dtype=dtype,
    )  # fmt: skip


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
@pytest.mark.parametrize("batch_size", [None, 32])
def test_phase_stepping_equals_step_epoch_bitwise(batch_size, optimizer):
    by_epoch, by_phase = make_trainer(batch_size, optimizer), make_trainer(batch_size, optimizer)
    for _ in range(3):
        by_epoch.step_epoch()
    phases = 0
    while by_phase.epoch < 3:
        by_phase.step_phase()
        phases += 1
    n_batches = 1 if batch_size is None else 4  # m = 120
    assert phases == 3 * n_batches * (3 + 1 + 3 + 1)  # forward L, cost, backward L, update
    for key in by_epoch.params:
        np.testing.assert_array_equal(by_phase.params[key], by_epoch.params[key])
    assert by_phase.history.train_cost == by_epoch.history.train_cost


def works_into(gradient: np.ndarray, dims: list[int], m: int) -> list[Work]:
    """Each layer's arrays for m examples, dW[l] then db[l] side by side in ``gradient``."""
    works, start = [], 0
    for n_prev, n in pairwise(dims):
        dW = gradient[start : start + n * n_prev].reshape(n, n_prev)
        db = gradient[start + n * n_prev : start + n * (n_prev + 1)].reshape(n, 1)
        start += n * (n_prev + 1)
        Z, A, dZ, dA_prev = (np.empty(shape, np.float32) for shape in [(n, m)] * 3 + [(n_prev, m)])
        works.append(Work(Z, A, dZ, dW, db, np.ones((m, 1), np.float32), dA_prev))
    return works


@pytest.mark.parametrize(
    "cost, output", [("bce", "sigmoid"), ("ce", "softmax"), ("mse", "linear"), ("mse", "tanh")]
)
def test_backward_into_gives_backward_layers_numbers_bit_for_bit(cost, output):
    """The whole epoch's backward pass (every layer's sums, one 1/m scaling of the flat
    gradient, then the L2 and L1 terms) gives exactly the dZ, dW, db and dA_prev that the
    phase steps' backward_layers gives layer by layer, float32, with both penalties."""
    dims, m, lambd, l1 = [3, 5, 4, 1 if cost == "bce" else 3], 11, 0.3, 0.05
    rng = np.random.default_rng(5)
    X = rng.normal(size=(3, m)).astype(np.float32)
    if cost == "bce":
        Y = rng.integers(0, 2, (1, m)).astype(np.float32)
    else:
        Y = one_hot(rng.integers(0, 3, m), 3).astype(np.float32)
    params = init_params(dims, seed=2)
    gs = resolve_activations(["relu", "sigmoid", output], 3)
    caches = list(forward_layers(X, params, gs))
    expected = list(backward_layers(caches[-1].A, Y, caches, gs, cost, lambd, l1))[::-1]
    gradient = np.full(sum(n * (n_prev + 1) for n_prev, n in pairwise(dims)), np.nan, np.float32)
    got = backward_into(Y, caches, gs, cost, works_into(gradient, dims, m), gradient, lambd, l1)
    for step, want in zip(got, expected, strict=True):
        assert step.l == want.l
        for name in ("dZ", "dW", "db", "dA_prev"):
            if step.l > 1 or name != "dA_prev":
                np.testing.assert_array_equal(getattr(step, name), getattr(want, name), name)
    assert got[0].dA_prev is None is expected[0].dA_prev


@pytest.mark.parametrize("batch_size", [None, 16])
def test_whole_epochs_leave_what_phase_steps_leave_float32_regression(batch_size):
    """step_epoch's straight-through path (float32, mse with a linear output, L2, mini-batches
    or not) ends with the same weights, history (cost and R²) and latest-pass arrays
    (A, Z, dZ, dW, db under their names) as stepping every phase."""

    def regression() -> Trainer:
        X, _ = circles(60, seed=2)
        Y = (X[:1] * X[1:]).astype(np.float32)
        return Trainer(X.astype(np.float32), Y, [2, 6, 1], activations=["sigmoid", "linear"],
                       cost="mse", learning_rate=0.1, lambd=0.01, batch_size=batch_size,
                       seed=4)  # fmt: skip

    by_epoch, by_phase = regression(), regression()
    for _ in range(2):
        by_epoch.step_epoch()
    while by_phase.epoch < 2:
        by_phase.step_phase()
    for column in ("train_cost", "train_r2"):
        assert getattr(by_phase.history, column) == getattr(by_epoch.history, column)
    epoch_tensors, phase_tensors = by_epoch.tensors, by_phase.tensors
    assert epoch_tensors.keys() == phase_tensors.keys()
    for name, array in epoch_tensors.items():
        np.testing.assert_array_equal(phase_tensors[name], array, err_msg=str(name))


def test_mixing_phase_steps_and_epoch_steps_finishes_the_epoch_cleanly():
    mixed, plain = make_trainer(32), make_trainer(32)
    for _ in range(5):  # stop in the middle of the first batch
        mixed.step_phase()
    assert mixed.in_epoch and mixed.epoch == 0
    mixed.step_epoch()  # finishes epoch 1, it does not start a new one
    assert not mixed.in_epoch and mixed.epoch == 1
    mixed.step_epoch()
    plain.step_epoch()
    plain.step_epoch()
    for key in plain.params:
        np.testing.assert_array_equal(mixed.params[key], plain.params[key])


def test_phase_order_and_layers():
    trainer = make_trainer()
    order = [(p.kind, p.layer) for p in (trainer.step_phase() for _ in range(8))]
    assert order == [
        ("forward", 1), ("forward", 2), ("forward", 3), ("cost", None),
        ("backward", 3), ("backward", 2), ("backward", 1), ("update", None),
    ]  # fmt: skip
    assert trainer.epoch == 1 and not trainer.in_epoch


def test_phase_equations_carry_the_real_shapes():
    X, labels = circles(400, seed=0)
    trainer = Trainer(X, labels[None].astype(float), [2, 4, 1], activations=["tanh", "sigmoid"])
    forward1, forward2, cost, back2, back1, update = (trainer.step_phase() for _ in range(6))
    assert (
        "Z[1] = W[1] · A[0] + b[1]    (4, 2) · (2, 400) + (4, 1) -> (4, 400)" in forward1.equations
    )
    assert (
        "Z[2] = W[2] · A[1] + b[2]    (1, 4) · (4, 400) + (1, 1) -> (1, 400)" in forward2.equations
    )
    assert any("broadcast" in line and "(4, 1)" in line for line in forward1.equations)
    assert cost.equations[1].endswith(f"J = {cost.cost_value:.6g}")
    assert "dZ[2] = A[2] - Y    (1, 400) - (1, 400) -> (1, 400)" in back2.equations
    assert "dW[1] = (1/m) dZ[1] · A[0]ᵀ    (4, 400) · (400, 2) -> (4, 2)" in back1.equations
    assert "dA[1] = W[2]ᵀ · dZ[2]    (4, 1) · (1, 400) -> (4, 400)" in back2.equations
    assert back1.equations[0].startswith("dZ[1] = dA[1] * tanh'(Z[1])    (4, 400) * (4, 400)")
    assert update.equations[0].startswith("θ := θ - α dθ")
    assert back2.direction == "backward" and forward2.direction == "forward"
    assert str(back2.computed) == "dW[2]" and str(forward1.computed) == "A[1]"


def test_phase_shapes_follow_the_batch_size():
    trainer = make_trainer(batch_size=32)
    first = trainer.step_phase()
    assert first.tensors[ArrayName("A", 0)].shape == (2, 32)
    assert first.tensors[ArrayName("Z", 1)].shape == (5, 32)
    assert first.n_batches == 4


def test_l2_shows_in_the_equations():
    trainer = make_trainer(lambd=0.1)
    phases = [trainer.step_phase() for _ in range(8)]
    assert "(λ/2m)" in phases[3].equations[0]
    assert "+ (λ/m) W[3]" in phases[4].equations[1]


def _state(trainer: Trainer) -> dict:
    """Everything the rollback restores: weights, optimiser state, epoch, history (but the
    seconds each epoch took) and the shuffling generator."""
    state = trainer.state()
    del state["history"]["seconds"]
    return state


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_phase_stepping_into_divergence_rolls_back_mid_epoch_like_step_epoch(optimizer):
    """At an absurd rate with mini-batches of 16, the weights go non-finite a few batches into
    the epoch. Phase stepping stops right there (no phase ever shows non-finite weights) and
    rolls back to exactly what step_epoch rolls back to; both then go on identically."""
    by_epoch, by_phase = (make_trainer(16, optimizer, dtype=np.float32) for _ in range(2))
    for trainer in (by_epoch, by_phase):
        trainer.step_epoch()  # some optimiser state and history to restore
        trainer.learning_rate = 1e30
    with pytest.raises(DivergedError) as whole:
        by_epoch.step_epoch()
    with pytest.raises(DivergedError) as stepped:
        while True:
            phase = by_phase.step_phase()
            assert all(np.isfinite(p).all() for p in by_phase.params.values())
    assert phase.batch < phase.n_batches - 1  # caught mid-epoch, not at its end
    assert stepped.value.epoch == whole.value.epoch == 2
    assert "the weights of epoch 1 were restored" in str(stepped.value)
    assert not by_phase.in_epoch and by_phase.last_phase is None
    np.testing.assert_equal(_state(by_phase), _state(by_epoch))
    for trainer in (by_epoch, by_phase):
        trainer.learning_rate = 0.05
        trainer.step_epoch()
    for key in by_epoch.params:
        np.testing.assert_array_equal(by_phase.params[key], by_epoch.params[key])
