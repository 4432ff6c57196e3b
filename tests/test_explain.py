"""The Explain view (5), clicks in the diagram and `nntui trace`: every number they show is
recomputed here in plain float64 NumPy, one column at a time, from the model's arrays."""

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from engine.toy import blobs, one_hot
from engine.trace import trace_example
from engine.trainer import Trainer
from nntui.config import Config
from nntui.screens import HelpScreen, keys_table
from nntui.session import Session
from nntui.widgets.diagram import LayerDiagram, canvas

from .app_helpers import make_app, settle

SIZE = (120, 40)
NUMBER = r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?"
ACT = {
    "tanh": np.tanh,
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "relu": lambda z: np.maximum(z, 0),
}
DERIV = {"tanh": lambda z: 1 - np.tanh(z) ** 2,
         "sigmoid": lambda z: ACT["sigmoid"](z) * (1 - ACT["sigmoid"](z)),
         "relu": lambda z: (z > 0).astype(float)}  # fmt: skip


def close(shown: float, true: float) -> bool:
    """A number shown with 4 significant digits is the true one."""
    return abs(shown - true) <= 1e-3 * abs(true) + 1e-6


def after(line: str, sep: str = "=") -> float:
    """The number after the last ``sep`` of a line."""
    return float(re.findall(NUMBER, line.rsplit(sep, 1)[1])[0])


def bracket(line: str) -> np.ndarray:
    """The numbers inside the first " [...]" of a line (a vector, not an index like a[0])."""
    inside = re.search(r" \[([^\]]*)\]", line).group(1)
    return np.array([float(v) for v in re.findall(NUMBER, inside)])


def find(lines: list[str], start: str) -> str:
    found = [line for line in lines if line.strip().startswith(start)]
    assert len(found) == 1, (start, lines)
    return found[0]


def numpy_forward(params: dict, activations: list[str], x: np.ndarray) -> list[tuple]:
    """(A_prev, Z, A) per layer for one column x (n_x,), in float64."""
    a, layers = x.astype(np.float64), []
    for l, g in enumerate(activations, start=1):
        W, b = params[f"W{l}"].astype(np.float64), params[f"b{l}"][:, 0].astype(np.float64)
        z = np.array([sum(W[j, k] * a[k] for k in range(len(a))) + b[j] for j in range(len(b))])
        layers.append((a, z, ACT[g](z)))
        a = layers[-1][2]
    return layers


def numpy_batch(params: dict, X: np.ndarray, Y: np.ndarray) -> tuple[float, dict]:
    """J and dW1, db1 of the 2-4-1 tanh/sigmoid network over all columns, one by one."""
    m, J, dW1, db1 = X.shape[1], 0.0, 0.0, 0.0
    for i in range(m):
        (a0, z1, _), (_, _, a2) = numpy_forward(params, ["tanh", "sigmoid"], X[:, i])
        y = float(Y[0, i])
        J += -(y * np.log(a2[0]) + (1 - y) * np.log(1 - a2[0])) / m
        dz2 = a2[0] - y
        dz1 = params["W2"][0].astype(np.float64) * dz2 * (1 - np.tanh(z1) ** 2)
        dW1, db1 = dW1 + np.outer(dz1, a0) / m, db1 + dz1 / m
    return J, {"dW1": dW1, "db1": db1}


def body(app) -> list[str]:
    return str(app.query_one("#explain-body").render()).splitlines()


def test_trace_example_is_the_column_worked_out_by_hand():
    X, labels = blobs(60, k=3, seed=1)
    trainer = Trainer(X, one_hot(labels, 3), [2, 5, 3], activations=["tanh", "softmax"],
                      cost="ce", seed=4, dtype=np.float64)  # fmt: skip
    params, i = trainer.params, 7
    t = trace_example(
        params, ["tanh", "softmax"], "ce", X[:, i : i + 1], one_hot(labels, 3)[:, i : i + 1]
    )
    a0, z1 = X[:, i], params["W1"] @ X[:, i] + params["b1"][:, 0]
    a1 = np.tanh(z1)
    z2 = params["W2"] @ a1 + params["b2"][:, 0]
    a2 = np.exp(z2) / np.exp(z2).sum()
    y = one_hot(labels, 3)[:, i]
    np.testing.assert_allclose(t.layers[0].terms, params["W1"] * a0[None, :])
    np.testing.assert_allclose(t.layers[0].Z[:, 0], z1)
    np.testing.assert_allclose(t.yhat[:, 0], a2)
    assert t.loss == pytest.approx(-np.log(a2[y == 1][0]))
    dz2 = a2 - y
    da1 = params["W2"].T @ dz2
    np.testing.assert_allclose(t.layers[1].dZ[:, 0], dz2)
    np.testing.assert_allclose(t.layers[0].dA[:, 0], da1)
    np.testing.assert_allclose(t.layers[0].g_prime[:, 0], 1 - a1**2)
    np.testing.assert_allclose(t.layers[0].dW, np.outer(da1 * (1 - a1**2), a0))
    assert t.layers[1].g_prime is None  # softmax: no one number per unit
    ks, rest = t.layers[0].largest_terms(2, 1)
    terms = params["W1"][2] * a0
    assert ks == [int(np.abs(terms).argmax())] and rest == pytest.approx(terms.sum() - terms[ks[0]])


async def test_the_view_shows_the_example_and_unit_with_numbers_recomputed_by_hand():
    app = make_app()  # circles, 2-4-1, tanh then sigmoid, one batch of all 320
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5", "greater_than_sign", "greater_than_sign", "greater_than_sign", "j")
        await settle(pilot)
        session = app.session
        P0 = {k: v.astype(np.float64) for k, v in session.params().items()}
        ex = session.examples()
        x, y = ex.X[:, 3].astype(np.float64), float(ex.Y[0, 3])
        (a0, z1, a1), (_, _, a2) = numpy_forward(P0, ["tanh", "sigmoid"], x)
        lines = body(app)
        assert "example 3 of 320 (train)" in lines[0]
        assert np.allclose(bracket(find(lines, "x standardised")), x, rtol=1e-3, atol=1e-6)
        row = session.prepared.train_index[3]
        assert np.allclose(bracket(find(lines, "x raw")), session.dataset.X[:, row], rtol=1e-3)
        for k in range(2):
            w, a, term = (float(v) for v in find(lines, f"W[1]_1,{k} ·").split("=", 1)[1]
                          .replace("×", " ").replace("=", " ").split())  # fmt: skip
            assert (
                close(w, P0["W1"][1, k]) and close(a, x[k]) and close(term, P0["W1"][1, k] * x[k])
            )
        assert close(after(find(lines, "+ b[1]_1")), P0["b1"][1, 0])
        assert close(after(find(lines, "z[1]_1 =")), z1[1])
        assert close(after(find(lines, "a[1]_1 = tanh")), a1[1])
        assert np.allclose(bracket(find(lines, "a[1] = [")), a1, rtol=1e-3)
        assert close(bracket(find(lines, "Output"))[0], a2[0])
        loss = -(y * np.log(a2[0]) + (1 - y) * np.log(1 - a2[0]))
        assert close(after(find(lines, "loss of this example")), loss)
        dz2 = a2[0] - y
        da1 = P0["W2"][0, 1] * dz2
        assert close(after(find(lines, "Backward  da[1]_1")), da1)
        assert close(after(find(lines, "g'(z[1]_1)")), 1 - np.tanh(z1[1]) ** 2)
        dz1 = da1 * (1 - np.tanh(z1[1]) ** 2)
        assert close(after(find(lines, "dz[1]_1")), dz1)
        assert np.allclose(bracket(find(lines, "this example: dW")), dz1 * a0, rtol=1e-3)
        share = find(lines, "its share")
        assert np.allclose(bracket(share), dz1 * a0 / 320, rtol=1e-3)
        assert close(after(share, "db"), dz1 / 320)

        await pilot.press("n")
        await settle(pilot)
        P1 = session.params()
        J, grads = numpy_batch(P0, ex.X, ex.Y)
        lines = body(app)
        assert "before the last update" in lines[3]
        assert close(after(find(lines, "z[1]_1 =")), z1[1])  # the pass's own weights
        assert close(after(find(lines, "J = mean over the latest batch (m = 320)")), J)
        assert np.allclose(bracket(find(lines, "batch (m = 320): dW")), grads["dW1"][1], rtol=1e-3)
        assert close(after(find(lines, "batch (m = 320): db")), grads["db1"][1])
        assert np.allclose(bracket(find(lines, "W[1]_1,: before")), P0["W1"][1], rtol=1e-3)
        assert np.allclose(bracket(find(lines, "dW[1]_1,:")), grads["dW1"][1], rtol=1e-3)
        after_row = bracket(find(lines, "W[1]_1,: after"))
        assert np.allclose(after_row, P1["W1"][1], rtol=1e-3)
        assert np.allclose(after_row, P0["W1"][1] - 0.5 * grads["dW1"][1], rtol=1e-3)


async def test_adam_shows_its_own_state_arrays_by_name():
    app = make_app(optimizer="adam")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5", "n")
        await settle(pilot)
        lines, state = body(app), app.session._trainer.optimizer
        assert np.allclose(bracket(find(lines, "v of W[1]_0,:")), state.v["W1"][0], rtol=1e-3)
        assert np.allclose(bracket(find(lines, "s of W[1]_0,:")), state.s["W1"][0], rtol=1e-3)
        assert find(lines, "t =").strip() == "t = 1"


async def test_phase_steps_with_the_view_open_end_where_n_does_and_show_each_phase():
    stepped, plain = make_app(batch_size=64), make_app(batch_size=64)
    async with stepped.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        shown = []
        for _ in range(2 * 5 * 6):  # 2 epochs of 5 batches: forward 2, cost, backward 2, update
            await pilot.press("full_stop")
            await pilot.pause()
            shown.append(body(stepped)[4])
        await settle(pilot)
        assert stepped.query_one("#views").active == "explain"
        assert stepped.session.epoch == 2 and not stepped.session.in_epoch
        assert shown[:6] == [
            "after the phase: forward · layer 1 of 2 · batch 1/5",
            "after the phase: forward · layer 2 of 2 · batch 1/5",
            "after the phase: cost · batch 1/5",
            "after the phase: backward · layer 2 of 2 · batch 1/5",
            "after the phase: backward · layer 1 of 2 · batch 1/5",
            "after the phase: update · batch 1/5",
        ]
        assert body(stepped)[5].startswith("Update")
        stepped_params = stepped.session.params()
    async with plain.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")
        await settle(pilot)
        for key, value in plain.session.params().items():
            np.testing.assert_array_equal(stepped_params[key], value)


async def test_clicking_a_node_selects_its_unit_and_a_link_shows_its_weight():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        diagram = app.query_one(LayerDiagram)
        width, height = diagram.size
        columns, _, _ = canvas(diagram.view, width, height)
        border = diagram.content_region.offset - diagram.region.offset  # border and padding
        node = (columns[1].x + border.x, columns[1].ys[2] + 1 + border.y)
        await pilot.click(LayerDiagram, offset=node)
        await settle(pilot)
        assert app.selected == 1 and app.ui.explain.unit == 2
        assert app.query_one("#views").active == "explain"
        assert "unit j = 2 of layer 1" in body(app)[3]
        left, right = columns[1], columns[2]  # the link from unit 1 of layer 1 to the output
        cx, cy = (left.x + right.x) // 2, (left.ys[1] + right.ys[0]) // 2
        await pilot.click(LayerDiagram, offset=(cx + border.x, cy + 1 + border.y))
        await settle(pilot)
        l, j, k = app.ui.explain.weight
        assert (l, j) == (2, 0) and app.selected == 2
        x0, y0, x1, y1 = left.x, left.ys[k], right.x, right.ys[j]  # the clicked cell is on it
        t = (cx - x0) / (x1 - x0)
        assert abs(y0 + t * (y1 - y0) - cy) <= 1.5
        line = find(body(app), f"Weight    W[2]_0,{k}")
        assert close(after(line), app.session.params()["W2"][0, k])


async def test_an_index_typed_in_the_view_chooses_that_example_and_a_bad_one_is_named():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5", "i", "4", "2", "enter")
        await settle(pilot)
        assert body(app)[0].startswith("example 42 of 320 (train)")
        await pilot.press("comma")
        await settle(pilot)
        assert body(app)[0].startswith("example 42 of 80 (test)")
        await pilot.press("i", "9", "9", "9", "enter")
        await settle(pilot)
        assert body(app) == [
            "there is no test example 999: the test part has 80 examples (0 .. 79)"
        ]


async def test_the_views_own_keys_are_in_help_and_in_the_palette():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Explain: next unit", "Explain: next example", "Explain: train / test example",
                "Explain: type an example's index"} <= set(titles)  # fmt: skip
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "`j` in the Explain view" in keys_table(app.screen.bindings, app.screen.local)


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("trace") / "m.npz")
    session = Session(Config(dataset="iris", hidden=(8,), activation="relu", seed=2))
    for _ in range(3):
        session.step_epoch()
    session.save(path)
    return path


def run_trace(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nntui", "trace", *args],
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_trace_json_is_the_example_worked_out_by_hand(model):
    out = run_trace("--load", model, "--example", "17", "--json")
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    session = Session.from_file(model)
    p, params = session.prepared, session.params()
    split = "train" if 17 in p.train_index else "test"
    assert (got["index"], got["split"]) == (17, split)
    raw = session.dataset.X[:, 17]
    np.testing.assert_allclose(got["x_raw"], raw)
    x = (raw - p.standardizer.mean[:, 0]) / p.standardizer.std[:, 0]
    np.testing.assert_allclose(got["x"], x, rtol=1e-5, atol=1e-6)
    assert got["label"] == session.dataset.classes[session.dataset.labels[17]]
    layers = numpy_forward(params, ["relu"], np.array(got["x"]))
    a1 = layers[0][2]
    for (a_prev, z, a), layer in zip(layers, got["layers"][:1], strict=True):
        assert layer["activation"] == "relu"
        np.testing.assert_allclose(layer["W"], params["W1"])
        np.testing.assert_allclose(layer["A_prev"], a_prev, rtol=1e-5)
        np.testing.assert_allclose(layer["Z"], z, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(layer["A"], a, rtol=1e-4, atol=1e-6)
    z2 = params["W2"].astype(np.float64) @ a1 + params["b2"][:, 0]
    yhat = np.exp(z2 - z2.max()) / np.exp(z2 - z2.max()).sum()
    assert got["layers"][1]["activation"] == "softmax"
    np.testing.assert_allclose(got["layers"][1]["Z"], z2, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(got["yhat"], yhat, rtol=1e-4, atol=1e-6)
    label = session.dataset.labels[17]
    assert got["loss"] == pytest.approx(-np.log(yhat[label]), rel=1e-4)


def test_trace_text_says_the_split_and_writes_the_sum_out(model):
    out = run_trace("--load", model, "--example", "17", "--layer", "2", "--unit", "1")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    session = Session.from_file(model)
    split = "train" if 17 in session.prepared.train_index else "test"
    assert f"({split}) · data row 17" in lines[0]
    params, p = session.params(), session.prepared
    x = (session.dataset.X[:, 17] - p.standardizer.mean[:, 0]) / p.standardizer.std[:, 0]
    a1 = numpy_forward(params, ["relu"], x)[0][2]
    z = float(params["W2"][1].astype(np.float64) @ a1 + params["b2"][1, 0])
    assert close(after(find(lines, "z[2]_1 =")), z)
    terms = params["W2"][1].astype(np.float64) * a1
    shown = [int(re.search(r"W\[2\]_1,(\d+)", line).group(1)) for line in lines
             if line.strip().startswith("W[2]_1,")]  # fmt: skip
    assert len(shown) == 6 and list(np.abs(terms[shown])) == sorted(np.abs(terms[shown]))[::-1]
    rest = find(lines, "+ 2 more terms")  # 8 hidden units: the 6 largest |w·a|, then the rest
    assert close(after(rest), np.delete(terms, shown).sum())
    assert min(np.abs(terms[shown])) >= max(np.abs(np.delete(terms, shown)))


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--example", "150"], "there is no example 150"),
        (["--example", "-1"], "there is no example -1"),
        (["--example", "3", "--layer", "3"], "there is no layer 3"),
        (["--example", "3", "--layer", "0"], "there is no layer 0"),
        (["--example", "3", "--unit", "8"], "there is no unit 8 in layer 1"),
    ],
)
def test_trace_bad_arguments_are_one_line_and_exit_2(model, args, says):
    out = run_trace("--load", model, *args)
    assert out.returncode == 2 and out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1 and says in out.stderr
