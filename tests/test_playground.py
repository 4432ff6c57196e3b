"""Playground's features, data sets and controls, L1, per-layer activations and regression
as a first-class task: each trains, passes the float64 gradient check, round-trips through
model files, and the numbers shown are recomputed here independently."""

import itertools
import math

import numpy as np
import pytest

from engine import toy
from engine.costs import cost_function
from engine.data import REGISTRY, load_dataset
from engine.features import DEFAULT_FEATURES, FEATURES, expand
from engine.gradcheck import gradient_check
from engine.propagation import backprop, forward_prop
from engine.trainer import Trainer
from nntui.config import Config, ConfigError, config_from_mapping, config_to_mapping
from nntui.session import Session

FEATURE_CROSSES = [
    combo for r in range(1, len(FEATURES) + 1) for combo in itertools.combinations(FEATURES, r)
]  # all 127 non-empty subsets
ACTIVATION_LISTS = [("relu", "tanh"), ("tanh", "relu"), ("sigmoid", "leaky_relu"),
                    ("leaky_relu", "sigmoid"), ("relu", "relu")]  # fmt: skip
PLAYGROUND_SETS = ["pg-circle", "pg-xor", "pg-gauss", "pg-spiral", "reg-plane", "reg-gauss"]


def _check_session(session: Session) -> float:
    """Gradient check of the session's network in float64 (all parameters, 32 examples)."""
    X, Y, _, _ = session.examples()
    facts = session.facts()
    params = session.params()
    live = session.live_settings()
    return gradient_check(
        params, X[:, :32], Y[:, :32], facts.activations,
        "mse" if facts.regression else "bce" if Y.shape[0] == 1 else "ce",
        lambd=live["lambd"], l1=live["l1"],
    ).relative_error  # fmt: skip


@pytest.mark.parametrize("features", FEATURE_CROSSES, ids=",".join)
def test_every_feature_cross_trains_and_passes_the_gradient_check(features):
    session = Session(Config(dataset="pg-circle", features=features, hidden=(3,), points=60))
    assert session.facts().layer_dims[0] == len(features)
    for _ in range(3):
        session.step_epoch()
    assert all(math.isfinite(c) for c in session.history().train_cost)
    assert _check_session(session) < 1e-6


def test_features_are_computed_from_the_raw_points_before_standardisation():
    session = Session(Config(dataset="pg-xor", features=("x1^2", "x1x2", "sin(x2)")))
    data = session.dataset
    P = load_dataset("pg-xor").X
    assert np.array_equal(data.X, np.stack([P[0] ** 2, P[0] * P[1], np.sin(P[1])]))
    assert data.feature_names == ["x1²", "x1·x2", "sin(x2)"]
    X_train = session.examples().X
    assert np.allclose(X_train.mean(axis=1), 0, atol=1e-6)  # standardised after
    assert np.allclose(X_train.std(axis=1), 1, atol=1e-5)


def test_the_plane_maps_back_to_the_networks_inputs():
    """Plane coordinates turned into inputs give exactly the training X (the boundary and
    every picture over the plane read the network through this)."""
    session = Session(Config(dataset="pg-spiral", features=("x1", "sin(x1)", "x2^2")))
    plane = session.plane()
    assert np.allclose(plane.inputs(plane.X_train), session.examples().X, atol=1e-5)


def test_features_on_data_that_is_not_2d_are_refused():
    with pytest.raises(ValueError, match="n_x = 4"):
        Session(Config(dataset="iris", features=("x1", "x1^2")))


@pytest.mark.parametrize("activations", ACTIVATION_LISTS, ids="-".join)
def test_every_per_layer_activation_list_trains_and_passes_the_gradient_check(activations):
    session = Session(Config(dataset="pg-gauss", hidden=(5, 4), activation=activations))
    assert session.facts().activations == (*activations, "sigmoid")
    for _ in range(3):
        session.step_epoch()
    assert _check_session(session) < 1e-6


def test_an_activation_count_that_does_not_match_the_layers_is_refused():
    with pytest.raises(ConfigError, match=r"3 activations .* for 2 hidden layer"):
        Session(Config(hidden=(4, 4), activation=("relu", "tanh", "tanh")))
    session = Session(Config(hidden=(4, 4), activation=("relu", "tanh")))
    with pytest.raises(ConfigError):
        session.apply("hidden", (4, 4, 4))
    assert session.facts().layer_dims == (2, 4, 4, 1)  # unchanged


# -- L1 -----------------------------------------------------------------------------------


def _net(seed: int = 3) -> tuple[dict, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    params = {"W1": rng.normal(size=(4, 3)), "b1": rng.normal(size=(4, 1)),
              "W2": rng.normal(size=(1, 4)), "b2": rng.normal(size=(1, 1))}  # fmt: skip
    X = rng.normal(size=(3, 20))
    Y = (rng.random((1, 20)) > 0.5).astype(float)
    return params, X, Y


@pytest.mark.parametrize("lambd", [0.0, 0.7])
def test_l1_gradient_passes_the_gradient_check_away_from_zero(lambd):
    params, X, Y = _net()
    assert min(np.abs(W).min() for k, W in params.items() if k[0] == "W") > 1e-3
    check = gradient_check(params, X, Y, ["tanh", "sigmoid"], "bce", lambd=lambd, l1=0.9)
    assert check.relative_error < 1e-7


def test_l1_adds_its_term_to_the_cost_and_its_subgradient_with_sign_0_at_0():
    params, X, Y = _net()
    params["W1"][0, 0] = 0.0
    AL, caches = forward_prop(X, params, ["tanh", "sigmoid"])
    m, l1 = X.shape[1], 0.5
    plain = cost_function(AL, Y)
    total = sum(np.abs(params[k]).sum() for k in ("W1", "W2"))
    assert cost_function(AL, Y, params=params, l1=l1) == pytest.approx(plain + l1 / m * total)
    base = backprop(AL, Y, caches, ["tanh", "sigmoid"])
    with_l1 = backprop(AL, Y, caches, ["tanh", "sigmoid"], l1=l1)
    difference = with_l1["dW1"] - base["dW1"]
    assert difference[0, 0] == 0.0
    assert np.allclose(difference, l1 / m * np.sign(params["W1"]))


def test_l1_is_live_and_in_the_phase_equations():
    session = Session(Config())
    assert session.apply("l1", 0.25) == "live"
    equations = [" ".join(session.step_phase().equations) for _ in range(4)]
    assert "(λ₁/m) Σ|W[l]|" in equations[2] and "λ₁ = 0.25" in equations[2]
    assert "(λ₁/m) sign(W[2])" in equations[3]


# -- Playground's data ----------------------------------------------------------------------


@pytest.mark.parametrize("name", PLAYGROUND_SETS)
def test_playground_sets_are_deterministic_per_seed(name):
    a = load_dataset(name, seed=5, noise=0.2, points=120)
    b = load_dataset(name, seed=5, noise=0.2, points=120)
    c = load_dataset(name, seed=6, noise=0.2, points=120)
    assert a.X.shape == (2, 120) and np.array_equal(a.X, b.X) and np.array_equal(a.Y, b.Y)
    assert not np.array_equal(a.X, c.X)
    assert a.task == ("regression" if name.startswith("reg") else "binary")


def test_playground_generators_follow_playground():
    X, labels = toy.pg_circle(400, noise=0.0, seed=1)
    assert np.array_equal(labels, (np.hypot(*X) < 2.5).astype(int))
    X, labels = toy.pg_xor(400, noise=0.0, seed=1)
    assert (np.abs(X) >= 0.3).all() and np.array_equal(labels, (X[0] * X[1] >= 0).astype(int))
    X, y = toy.reg_plane(400, noise=0.0, seed=1)
    assert np.allclose(y, (X[0] + X[1]) / 10)
    X, y = toy.reg_gauss(400, noise=0.0, seed=1)
    assert np.abs(y).max() <= 1 and y[np.hypot(X[0] - 4, X[1] - 2.5) < 0.5].min() >= 0.75


def test_noise_and_points_reach_the_generator_and_regenerate_draws_anew():
    session = Session(Config(dataset="pg-circle", noise=30, points=200))
    expected = toy.pg_circle(200, noise=0.3, seed=0)[0]
    assert np.array_equal(session.dataset.X, expected)
    session.regenerate_data(7)
    assert session.config.data_seed == 7
    assert np.array_equal(session.dataset.X, toy.pg_circle(200, noise=0.3, seed=7)[0])
    with pytest.raises(ValueError, match="not generated"):
        Session(Config(dataset="iris")).regenerate_data(1)


def test_points_and_noise_are_refused_for_a_table():
    with pytest.raises(ValueError, match="real data"):
        Session(Config(dataset="wine", points=100))


# -- model files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "config",
    [
        Config(dataset="pg-spiral", features=("x1", "x2", "sin(x1)", "sin(x2)"), hidden=(6, 5),
               activation=("relu", "tanh"), noise=12.5, points=150, data_seed=4, l1=0.01),
        Config(dataset="reg-gauss", hidden=(5,), activation=("leaky_relu",), l1=0.002),
        Config(dataset="diabetes", lambd=0.1),
    ],
    ids=["features-activations-noise-points-l1", "reg-gauss", "diabetes"],
)  # fmt: skip
def test_model_files_round_trip_every_new_setting(tmp_path, config):
    session = Session(config)
    for _ in range(5):
        session.step_epoch()
    path = str(tmp_path / "m.npz")
    session.save(path)
    again = Session.from_file(path)
    assert again.config == session.config
    np.testing.assert_equal(vars(again.facts()), vars(session.facts()))  # NaN == NaN here
    np.testing.assert_equal(vars(again.history()), vars(session.history()))
    t, u = session.prepared.target_scaler, again.prepared.target_scaler
    assert (t is None) == (u is None)
    if t is not None:
        assert np.array_equal(t.mean, u.mean) and np.array_equal(t.std, u.std)
    assert np.array_equal(session.dataset.X, again.dataset.X)
    a, b = session.step_epoch(), again.step_epoch()
    assert (a.train_cost, a.test_r2) == (b.train_cost, b.test_r2) or math.isnan(a.test_r2)


def test_config_mapping_round_trips_the_new_keys():
    config = Config(features=("x1^2", "x2^2"), activation=("relu", "tanh"), hidden=(3, 3),
                    l1=0.5, noise=20.0, points=300, data_seed=9)  # fmt: skip
    mapping = config_to_mapping(config)
    assert mapping["activation"] == ["relu", "tanh"] and mapping["features"] == ["x1^2", "x2^2"]
    assert config_from_mapping(mapping, "test")[0] == config


# -- regression -----------------------------------------------------------------------------


def test_regression_r2_and_rmse_equal_ones_computed_independently():
    """From the model's predictions in the target's units: 1 - SS_res / SS_tot and RMSE."""
    session = Session(Config(dataset="diabetes", hidden=(8,)))
    before = session.model_copy()
    for _ in range(30):
        session.step_epoch()
    after, h = session.model_copy(), session.history()
    p = session.prepared
    y_train = session.dataset.Y[:, p.train_index]
    y_test = session.dataset.Y[:, p.test_index]
    X_train, _, X_test, _ = session.examples()

    def r2(y, predicted):
        return 1 - ((y - predicted) ** 2).sum() / ((y - y.mean()) ** 2).sum()

    assert h.test_r2[-1] == pytest.approx(r2(y_test, after.prediction(X_test)), abs=1e-5)
    rmse = np.sqrt(((y_test - after.prediction(X_test)) ** 2).mean())
    assert h.test_rmse[-1] == pytest.approx(rmse, rel=1e-4)
    # the training R² is measured as the epoch runs: epoch 1 saw the first weights
    assert h.train_r2[0] == pytest.approx(r2(y_train, before.prediction(X_train)), abs=1e-5)


def test_diabetes_at_the_defaults_trains_200_epochs_without_diverging_and_r2_rises():
    session = Session(Config(dataset="diabetes"))
    for _ in range(200):
        session.step_epoch()
    h = session.history()
    assert len(h.epochs) == 200 and all(map(math.isfinite, h.train_cost))
    assert h.test_r2[-1] > h.test_r2[0] + 0.25 and h.train_r2[-1] > h.train_r2[0] + 1


def test_regression_history_csv_has_r2_columns(tmp_path):
    session = Session(Config(dataset="reg-plane"))
    session.step_epoch()
    path = tmp_path / "h.csv"
    session.export_history(str(path))
    header, row = path.read_text().splitlines()
    assert header.startswith("epoch,train_cost,test_cost,train_r2,test_r2,seconds,grad_norm[1]")
    assert float(row.split(",")[4]) == pytest.approx(session.history().test_r2[-1])


def test_a_regression_trainer_keeps_r2_nan_for_classification():
    X = np.random.default_rng(0).normal(size=(2, 30))
    trainer = Trainer(X, (X[:1] > 0).astype(float), [2, 3, 1], activations=["tanh", "sigmoid"])
    stats = trainer.step_epoch()
    assert math.isnan(stats.train_r2) and math.isnan(stats.test_r2)


def test_registry_lists_the_new_sets_as_generated_and_2d():
    for name in PLAYGROUND_SETS:
        assert REGISTRY[name].generated and REGISTRY[name].is_2d
    assert not REGISTRY["iris"].generated
    assert expand(np.ones((2, 3)), DEFAULT_FEATURES).shape == (2, 3)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--noise", "70"], "the noise is 0 to 50"),
        (["--noise", "abc"], "is not a number"),
        (["--points", "5"], "from 10 to 10,000"),
        (["--points", "20000"], "from 10 to 10,000"),
        (["--features", "x3"], "'x3' is not a feature"),
        (["--features", ","], "choose at least one feature"),
        (["--activation", "relu,soft"], "'soft' is not one of"),
        (["--l1", "-1"], "λ₁ must be between 0 and 1e6"),
        (["--data-seed", "-3"], "the seed is a whole number"),
        (["--layers", "4,4", "--activation", "relu,tanh,relu"], "3 activations"),
        (["--dataset", "digits", "--features", "x1,x1x2"], "digits has n_x = 64"),
        (["--dataset", "iris", "--points", "100"], "points and noise apply to the generated"),
    ],
)
def test_cli_parsing_refuses_bad_values_with_a_message(argv, message, capsys):
    from nntui.headless import main

    try:
        code = main([*argv, "--epochs", "1"])
    except SystemExit as stop:
        code = stop.code
    assert code == 2
    assert message in capsys.readouterr().err
