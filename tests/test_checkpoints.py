"""Checkpoints and rewinding: which epochs are kept, in what memory, and that a rewound run
trains on bit for bit as the run that stopped there."""

import itertools

import numpy as np
import pytest

from engine import Trainer
from engine import checkpoints as cp
from engine.checkpoints import Checkpoint, Checkpoints, kept_by_rule
from engine.toy import circles

SETTINGS = [
    pytest.param(optimizer, batch_size, id=f"{optimizer}-{batch_size or 'full'}")
    for optimizer in ("gd", "momentum", "adam")
    for batch_size in (None, 32)
]


def make(**kwargs) -> Trainer:
    X, labels = circles(200, seed=0)
    kwargs.setdefault("learning_rate", 0.1)
    return Trainer(X, labels[None].astype(float), [2, 4, 1], activations=["tanh", "sigmoid"],
                   **kwargs)  # fmt: skip


def trained(epochs: int, **kwargs) -> Trainer:
    trainer = make(**kwargs)
    for _ in range(epochs):
        trainer.step_epoch()
    return trainer


def assert_same_run(a: Trainer, b: Trainer) -> None:
    """The same weights, optimiser state, shuffling state and costs, bit for bit; the same
    health (computed in batches of epochs that may differ: to the last few bits)."""
    assert a.epoch == b.epoch
    for key in a.params:
        np.testing.assert_array_equal(a.params[key], b.params[key])
    a_state, b_state = a.optimizer.state(), b.optimizer.state()
    assert a_state.keys() == b_state.keys()
    for key in a_state:
        np.testing.assert_array_equal(a_state[key], b_state[key])
    assert a._rng.bit_generator.state == b._rng.bit_generator.state
    assert list(a.history.train_cost) == list(b.history.train_cost)
    a_health, b_health = a.history.health.columns(), b.history.health.columns()
    np.testing.assert_array_equal(a_health["epoch"], b_health["epoch"])
    np.testing.assert_allclose(a_health["series"], b_health["series"], rtol=1e-12)


@pytest.mark.parametrize(("optimizer", "batch_size"), SETTINGS)
def test_rewinding_and_training_on_is_exact(optimizer, batch_size):
    """N epochs, rewind to k, N - k more: the same as a run stopped at k (saved and restored
    into a new Trainer) and continued, and as a fresh run of N epochs."""
    n, k = 30, 12
    kwargs = {"optimizer": optimizer, "batch_size": batch_size}
    rewound = trained(n, **kwargs)
    assert rewound.rewind(k) == k
    for _ in range(n - k):
        rewound.step_epoch()
    stopped = trained(k, **kwargs)
    continued = make(**kwargs)
    continued.restore(stopped.state())
    for _ in range(n - k):
        continued.step_epoch()
    assert_same_run(rewound, continued)
    assert_same_run(rewound, trained(n, **kwargs))


def test_rewind_drops_the_history_health_and_checkpoints_after_it():
    trainer = trained(20)
    assert trainer.rewind(7) == 7
    assert trainer.epoch == 7
    assert list(trainer.history.epoch) == list(range(1, 8))
    assert trainer.history.health.columns()["epoch"].tolist() == list(range(1, 8))
    assert trainer.checkpoints.epochs == tuple(range(8))


def test_rewind_uses_the_latest_checkpoint_at_or_before_the_epoch(monkeypatch):
    monkeypatch.setattr(cp, "MAX_COUNT", 40)  # thinned early: gaps between old checkpoints
    trainer = trained(300)
    epochs = trainer.checkpoints.epochs
    gap = next(e for e, f in itertools.pairwise(epochs) if f - e > 1)
    assert trainer.rewind(gap + 1) == gap
    assert trainer.epoch == gap


def test_rewind_refuses_mid_epoch_and_before_epoch_zero():
    trainer = trained(3)
    with pytest.raises(ValueError, match="no checkpoint at or before epoch -1"):
        trainer.rewind(-1)
    trainer.step_phase()
    with pytest.raises(ValueError, match="epoch is in progress"):
        trainer.rewind(1)


def test_rewound_is_a_copy_and_leaves_the_trainer_alone():
    trainer = trained(10, optimizer="adam", batch_size=32)
    before = trainer.state()
    copy = trainer.rewound(4)
    for _ in range(3):
        copy.step_epoch()
    after = trainer.state()
    assert copy.epoch == 7 and trainer.epoch == 10
    for key in before["params"]:
        np.testing.assert_array_equal(before["params"][key], after["params"][key])
    for key in before["optimizer_state"]:
        np.testing.assert_array_equal(before["optimizer_state"][key], after["optimizer_state"][key])
    assert before["rng"] == after["rng"]
    assert before["history"]["train_cost"] == after["history"]["train_cost"]
    assert trainer.checkpoints.epochs == tuple(range(11))
    assert_same_run(copy, trained(7, optimizer="adam", batch_size=32))


def test_a_checkpoint_holds_the_copies_the_epoch_end_makes_anyway():
    """No second copy: the checkpoint of the latest epoch is the trainer's own last good
    weights and optimiser state."""
    trainer = trained(5, optimizer="adam")
    latest = trainer.checkpoints.at_or_before(5)
    assert latest.flat is trainer._good_flat
    assert latest.state is trainer._good_optimizer


def test_epoch_zero_is_a_checkpoint_and_an_edited_weight_replaces_the_latest():
    trainer = make()
    assert trainer.checkpoints.epochs == (0,)
    trainer.step_epoch()
    trainer.set_weight(1, 0, 0, 0.5)
    assert trainer.checkpoints.epochs == (0, 1)
    trainer.step_epoch()
    trainer.rewind(1)
    assert trainer.params["W1"][0, 0] == np.float32(0.5)


def fake(epoch: int, size: int = 4) -> Checkpoint:
    return Checkpoint(epoch, np.zeros(size, np.float32), "gd", {}, {})


def test_every_recent_epoch_and_log_spaced_older_ones_are_kept():
    kept = Checkpoints()
    for epoch in range(100_001):
        kept.add(fake(epoch))
    epochs = np.array(kept.epochs)
    assert len(epochs) <= cp.MAX_COUNT
    assert epochs[0] == 0 and epochs[-1] == 100_000
    assert set(range(100_001 - cp.RECENT, 100_001)) <= set(epochs.tolist())
    assert kept_by_rule(epochs, cp.RECENT, kept.per_octave)[: -cp.MAX_COUNT // 2].all()
    ages = 100_000 - epochs[epochs < 100_000 - cp.RECENT]
    per_octave = np.bincount(np.log2(ages).astype(int))
    assert per_octave[7:].max() <= 2 * cp.PER_OCTAVE  # about PER_OCTAVE per doubling
    assert per_octave[7:].min() >= cp.PER_OCTAVE // 2


def test_the_byte_budget_keeps_fewer_big_checkpoints(monkeypatch):
    """Checkpoints of 12 KB under a 1 MB budget (a 3 MB network under 256 MB): at most 85,
    epoch 0 and the latest among them."""
    monkeypatch.setattr(cp, "MAX_BYTES", 1 << 20)
    kept = Checkpoints()
    big = 3 * 1024  # float32 values: 12 KB
    for epoch in range(5_000):
        kept.add(fake(epoch, big))
        assert kept.nbytes <= cp.MAX_BYTES
    assert len(kept) <= (1 << 20) // (4 * big)
    assert kept.epochs[0] == 0 and kept.epochs[-1] == 4_999
    assert kept.nbytes == sum(c.nbytes for c in kept)


def test_the_rule_never_wants_back_a_checkpoint_it_let_go():
    epochs = np.arange(0, 3_000)
    wanted = kept_by_rule(epochs[:1_000], 100, 8)
    for latest in range(1_000, 3_000, 7):
        now = kept_by_rule(epochs[: latest + 1], 100, 8)[:1_000]
        assert not (now & ~wanted).any()
        wanted = now
