"""Training health: the recorded series against values recomputed from the arrays, the
verdicts on networks made to fail, and the record in model files and history CSVs."""

import csv
import time

import numpy as np
import pytest

from engine.health import SATURATION, _vanishing, findings
from engine.persist import load_model, save_model
from engine.toy import circles
from engine.trainer import EpochStoppedError, Trainer


def circle_data(m: int = 200) -> tuple[np.ndarray, np.ndarray]:
    X, labels = circles(m, seed=0)
    return X.astype(np.float64), labels[None].astype(np.float64)


@pytest.mark.parametrize("hidden", ["relu", "tanh"])
def test_one_epochs_series_equal_values_recomputed_from_the_arrays(hidden):
    """Full batch: the epoch's one update is ΔW; grad norms, shares, mean and std come
    from the last batch's dW, Z and A, recomputed here in plain NumPy."""
    X, Y = circle_data()
    t = Trainer(X, Y, [2, 5, 3, 1], activations=[hidden, hidden, "sigmoid"],
                learning_rate=0.5, dtype=np.float64)  # fmt: skip
    before = {k: v.copy() for k, v in t.params.items()}
    t.step_epoch()
    record = t.history.health
    record.flush()
    assert record.epoch.tolist() == [1]
    for l in range(1, 4):
        W, dW = t.params[f"W{l}"], t._grads[l - 1].dW
        Z, A = t._caches[l - 1].Z, t._caches[l - 1].A
        grad_norm, ratio, share, a_mean, a_std = record.series[0, :, l - 1]
        assert grad_norm == pytest.approx(np.sqrt((dW**2).sum()), rel=1e-9)
        delta = np.sqrt(((W - before[f"W{l}"]) ** 2).sum()) / np.sqrt((W**2).sum())
        assert ratio == pytest.approx(delta, rel=1e-9)
        g = t.activations[l - 1]
        expected = (Z <= 0).all(axis=1).mean() if g == "relu" else (np.abs(Z) > SATURATION).mean()
        assert share == pytest.approx(expected)
        assert (a_mean, a_std) == pytest.approx((A.mean(), A.std()), rel=1e-9)
        assert record.w_quantiles[0, l - 1] == pytest.approx(
            np.quantile(W, np.linspace(0, 1, 17)), rel=1e-9
        )


def test_a_deep_sigmoid_network_with_small_weights_is_flagged_as_vanishing():
    X, Y = circle_data()
    t = Trainer(X, Y, [2, 8, 8, 8, 8, 1], activations="sigmoid", init="small", learning_rate=0.1)
    for _ in range(5):
        t.step_epoch()
    kinds = {f.kind for f in findings(t.history.health)}
    assert "vanishing" in kinds


def test_a_healthy_network_has_no_findings():
    X, Y = circle_data()
    t = Trainer(X, Y, [2, 8, 1], activations=["tanh", "sigmoid"], init="xavier",
                learning_rate=0.5)  # fmt: skip
    for _ in range(20):
        t.step_epoch()
    assert findings(t.history.health) == []


def test_a_relu_network_with_a_large_negative_bias_is_flagged_as_dead():
    X, Y = circle_data()
    t = Trainer(X, Y, [2, 8, 1], activations=["relu", "sigmoid"], learning_rate=0.1)
    t.params["b1"][:] = -100.0  # every Z[1] <= 0: no unit can come back
    t.step_epoch()
    found = [f for f in findings(t.history.health) if f.kind == "dead"]
    assert [f.layer for f in found] == [1] and "100%" in found[0].message and found[0].hint


def test_saturation_in_the_output_layer_is_read_as_confidence_not_as_a_bad_init():
    """Hidden sigmoid units saturated: the hint is about init and activations; the output
    layer saturated: its outputs are confident, so the hint is about the cost and the step."""
    from engine.health import OUTPUT_SATURATED_HINT, SATURATED_HINT

    X, Y = circle_data()
    t = Trainer(X, Y, [2, 8, 1], activations="sigmoid", learning_rate=0.1)
    t.params["W1"][:] = 100.0  # |Z[1]| > 4 on nearly every example
    t.params["b2"][:] = 50.0  # Z[2] > 4 on every example
    t.step_epoch()
    hints = {f.layer: f.hint for f in findings(t.history.health) if f.kind == "saturated"}
    assert hints == {1: SATURATED_HINT, 2: OUTPUT_SATURATED_HINT}


def test_model_files_round_trip_the_health_record(tmp_path):
    X, Y = circle_data()
    t = Trainer(X, Y, [2, 4, 1], activations=["relu", "sigmoid"], learning_rate=0.5)
    for _ in range(7):
        t.step_epoch()
    path = tmp_path / "m.npz"
    save_model(path, t, {})
    saved = load_model(path)
    again = Trainer(X, Y, [2, 4, 1], activations=["relu", "sigmoid"], learning_rate=0.5)
    again.restore(saved.state)
    for name, values in t.history.health.columns().items():
        assert np.array_equal(again.history.health.columns()[name], values)


def test_the_history_csv_has_the_health_columns(tmp_path):
    from nntui.config import Config
    from nntui.session import Session

    session = Session(Config(hidden=(4,), activation="relu"))
    for _ in range(3):
        session.step_epoch()
    path = tmp_path / "h.csv"
    session.export_history(str(path))
    rows = list(csv.DictReader(path.open()))
    expected = [f"{s}[{l}]" for s in ("grad_norm", "update_ratio") for l in (1, 2)]
    expected += ["dead[1]", "saturated[2]"]
    expected += [f"{s}[{l}]" for s in ("a_mean", "a_std") for l in (1, 2)]
    assert list(rows[0])[6:] == expected
    assert len(rows) == 3 and all(float(row["grad_norm[1]"]) > 0 for row in rows)


def test_health_can_be_switched_off():
    X, Y = circle_data()
    t = Trainer(X, Y, [2, 4, 1], health=False)
    t.step_epoch()
    assert len(t.history.health.columns()["epoch"]) == 0


def test_nntui_train_ends_with_the_health_warnings():
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-m", "nntui", "train", "--epochs", "3", "--layers", "8,8,8,8",
         "--activation", "sigmoid", "--init", "small"],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "warning: gradients vanish going back" in run.stdout


def budgeted_trainer(epochs: int) -> Trainer:
    X, Y = circle_data()
    t = Trainer(X, Y, [2, 4, 1], activations="sigmoid", learning_rate=0.5, health_budget=0.02,
                dtype=np.float64)  # fmt: skip
    for _ in range(epochs):
        t.step_epoch()
    return t


def a_second_since_the_check(record) -> None:
    """As if the record's last budget check was a second and 64 epochs ago, with nothing
    computed since: the next ``_spend(s)`` weighs s against that second."""
    record._spent, record._since, record._since_epoch = 0.0, time.perf_counter() - 1.0, -64


def test_over_its_budget_the_record_keeps_every_kth_epoch_and_always_the_latest():
    """Computing took 10 % of the time against a 2 % budget: 5x over, so the
    stride becomes 8 (the next power of two) and the kept entries are thinned to it."""
    t = budgeted_trainer(20)
    record = t.history.health
    record.flush()
    assert record.epoch.tolist() == list(range(1, 21)) and record.stride == 1
    a_second_since_the_check(record)
    record._spend(0.1)
    assert record.stride == 8 and record.epoch.tolist() == [8, 16, 20]
    for _ in range(11):  # epochs 21 .. 31: 24 is on the stride, 31 is the latest
        t.step_epoch()
    record.flush()
    assert record.epoch.tolist() == [8, 16, 24, 31]


def test_an_epoch_kept_off_the_stride_is_computed_from_its_own_arrays():
    """The latest epoch, off the stride, is held until read; its values are its own."""
    t = budgeted_trainer(3)
    record = t.history.health
    record.flush()
    a_second_since_the_check(record)
    record._spend(0.05)  # 2.5x over: stride 4
    t.step_epoch()  # epoch 4, on the stride
    t.step_epoch()  # epoch 5, held as the latest
    record.flush()
    assert record.epoch.tolist() == [4, 5]
    dW = t._grads[0].dW
    assert record.series[-1, 0, 0] == pytest.approx(np.sqrt((dW**2).sum()), rel=1e-9)
    assert record.series[-1, 3, 0] == pytest.approx(t._caches[0].A.mean(), rel=1e-9)


def test_within_its_budget_every_epoch_is_recorded():
    t = budgeted_trainer(10)
    record = t.history.health
    record.flush()
    a_second_since_the_check(record)
    record._spend(0.01)  # half the budget
    assert record.stride == 1 and len(record.epoch) == 10


def test_the_app_and_nntui_train_record_health_within_a_budget():
    from nntui.config import Config
    from nntui.session import HEALTH_BUDGET, Session

    session = Session(Config())
    assert session._trainer.history.health.budget == HEALTH_BUDGET == 0.01


@pytest.mark.parametrize("bad", [0, 1, -0.5, 2.0])
def test_a_health_budget_is_a_share_between_0_and_1(bad):
    X, Y = circle_data()
    with pytest.raises(ValueError, match="health_budget must be a share between 0 and 1"):
        Trainer(X, Y, [2, 4, 1], health_budget=bad)


def latest_with(grad_norm: list[float], ratio: list[float]) -> np.ndarray:
    """An entry (5, L) of the series with these gradient norms and update ratios."""
    L = len(ratio)
    return np.array([grad_norm, ratio, [0.0] * L, [0.0] * L, [1.0] * L])


def test_a_network_where_no_layer_moves_has_stalled_rather_than_vanishing():
    """A converged network (every update ratio ~1e-6, gradients alike in every layer) is
    not told to change its activations: it is told it stalled, and what that can mean."""
    found = _vanishing(latest_with([1e-4, 2e-4], [4.5e-6, 4.7e-6]))
    assert [(f.kind, f.layer) for f in found] == [("stalled", 2)]
    assert "converged" in found[0].hint


def test_a_layer_that_barely_moves_while_another_moves_is_vanishing():
    found = _vanishing(latest_with([1e-3, 2e-3, 3e-3], [1e-7, 1e-3, 1e-2]))
    assert [(f.kind, f.layer) for f in found] == [("vanishing", 1)]


def test_an_undone_epoch_never_lends_its_arrays_to_the_latest_entry():
    """The latest epoch off the stride is held without copies; an epoch stopped half way
    writes the same buffers, so that epoch is let go rather than computed from them."""
    t = budgeted_trainer(3)
    record = t.history.health
    record.flush()
    a_second_since_the_check(record)
    record._spend(0.05)  # stride 4
    t.step_epoch()  # epoch 4, on the stride
    t.step_epoch()  # epoch 5, held as the latest
    with pytest.raises(EpochStoppedError):
        t.step_epoch(stop=lambda: True)
    record.flush()
    assert record.epoch.tolist() == [4]
