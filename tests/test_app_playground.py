"""Playground's controls in the app: the boundary toggles (v, b), a regression model's fit
and residual views, the shapes of a typed hidden value before Enter, editing one weight (=)
and drawing the data again (R). Numbers on screen are recomputed here from the arrays."""

import numpy as np
import pytest
from rich.text import Text
from textual.theme import BUILTIN_THEMES
from textual.widgets import Input

from engine.initializers import pass_shapes
from engine.inspect import decision_grid
from engine.names import LayerKind
from engine.trainer import Trainer
from nntui.config import Config
from nntui.palette import palette, palette_of_theme
from nntui.screens import ValuePrompt
from nntui.session import Session
from nntui.widgets.boundary import BoundaryView, DecisionBoundary, class_field, legend
from nntui.widgets.diagram import LayerDiagram, hit
from nntui.widgets.fit import FitView, PredictedPlot, ResidualsPlot, residuals
from nntui.widgets.inspector import Heatmap
from nntui.widgets.shapes import CHANGED_STYLE, ShapesTable

from .app_helpers import make_app, settle

SIZE = (120, 40)


def plane_glyphs(app) -> str:
    """The plane as drawn, without its legend line."""
    return str(app.query_one(DecisionBoundary).render()).split("\n", 1)[1]


def field_colours(text: Text) -> set[str]:
    """The colours the plane's pixels (▀, not the points) are drawn in."""
    found = set()
    for span in text.spans:
        if text.plain[span.start : span.end] == "▀":
            found |= set(str(span.style).replace(" on ", " ").split())
    return found


def forward(params: dict[str, np.ndarray], X: np.ndarray, g: list[str]) -> np.ndarray:
    """A[L] for X (n_x, m), written out here in float64, independent of the engine."""
    act = {"tanh": np.tanh, "linear": lambda z: z, "relu": lambda z: np.maximum(z, 0)}
    A = X.astype(np.float64)
    for l, name in enumerate(g, start=1):
        A = act[name](params[f"W{l}"].astype(np.float64) @ A + params[f"b{l}"])
    return A


# -- v and b --------------------------------------------------------------------------------


async def test_v_hides_the_test_points_and_b_draws_classes_only_and_both_are_in_the_palette():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(5):
            await pilot.press("n")
            await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        boundary = app.query_one(DecisionBoundary)
        assert "○" in plane_glyphs(app) and "●" in plane_glyphs(app)
        graded = field_colours(boundary.render())
        await pilot.press("v")
        await settle(pilot)
        assert "○" not in plane_glyphs(app) and "●" in plane_glyphs(app)
        assert "○ test hidden" in str(boundary.render()).split("\n")[0]
        await pilot.press("b")
        await settle(pilot)
        discrete = field_colours(boundary.render())
        assert len(discrete) == 2 < len(graded)  # one colour per class instead of a gradient
        assert "class only" in str(boundary.render()).split("\n")[0]
        await pilot.press("v", "b")
        await settle(pilot)
        assert "○" in plane_glyphs(app) and field_colours(boundary.render()) == graded
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Boundary: show/hide test points", "Boundary: discretise the output"} <= titles


def test_discrete_field_is_the_predicted_class_everywhere():
    session = Session(Config())
    grid = decision_grid(session.model_copy().output, session.examples().X, 30, 20)
    colours = class_field(grid, palette_of_theme(BUILTIN_THEMES["textual-dark"]), discrete=True)
    predicted = (grid.probs[0] >= 0.5).astype(int)
    for cls in (0, 1):
        assert len({tuple(c) for c in colours[predicted == cls]}) == 1
    assert tuple(colours[predicted == 0][0]) != tuple(colours[predicted == 1][0])


# -- regression views -----------------------------------------------------------------------


async def test_a_regression_models_views_3_and_4_are_its_predictions_and_residuals():
    app = make_app(dataset="diabetes", learning_rate=0.01)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(3):
            await pilot.press("n")
            await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        view = app.frame.views["boundary"]
        assert isinstance(view, FitView)
        assert app.query_one(PredictedPlot).display
        assert not app.query_one(DecisionBoundary).display
        s = app.session
        params, g = s.params(), list(s.facts().activations)
        p = s.prepared
        mean, std = p.target_scaler.mean, p.target_scaler.std  # shown in the target's units
        Yhat_train = forward(params, p.X_train, g) * std + mean
        Yhat_test = forward(params, p.X_test, g) * std + mean
        Y_train, Y_test = p.Y_train * std + mean, p.Y_test * std + mean
        pr = view.predictions
        np.testing.assert_allclose(pr.Yhat_train, Yhat_train, rtol=1e-4, atol=1e-3)
        np.testing.assert_allclose(pr.Yhat_test, Yhat_test, rtol=1e-4, atol=1e-3)
        np.testing.assert_allclose(pr.Y_train, Y_train, rtol=1e-6)
        assert pr.Y_test.shape == (1, s.facts().m_test)
        assert str(app.query_one("#views").get_tab("boundary").label) == "3 Fit"

        await pilot.press("4")
        await settle(pilot)
        view = app.frame.views["report"]
        assert app.query_one(ResidualsPlot).display
        train, test = residuals(view.predictions)
        np.testing.assert_allclose(train, (Y_train - Yhat_train).ravel(), rtol=1e-4, atol=1e-2)
        np.testing.assert_allclose(test, (Y_test - Yhat_test).ravel(), rtol=1e-4, atol=1e-2)
        edges = view.residual_edges  # one set of edges over both, binned by the engine
        both = np.concatenate([train, test])
        assert edges[0] == both.min() and edges[-1] == both.max()
        for counts, part in zip(view.residual_counts, (train, test), strict=True):
            np.testing.assert_array_equal(counts, np.histogram(part, bins=edges)[0])
        drawn = app.query_one(ResidualsPlot).render().plain
        assert "■ train" in drawn and "■ test" in drawn
        assert str(app.query_one("#views").get_tab("report").label) == "4 Residuals"


async def test_a_2d_regression_set_shows_its_learned_surface_with_the_targets(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (200, 2))
    y = 3 * X[:, 0] - 2 * X[:, 1]
    path = tmp_path / "plane.csv"
    rows = "\n".join(f"{a:.5f},{b:.5f},{t:.5f}" for (a, b), t in zip(X, y, strict=True))
    path.write_text("x1,x2,y\n" + rows + "\n")
    app = make_app(data_path=str(path), target="y", task="regression")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        view = app.frame.views["boundary"]
        assert isinstance(view, BoundaryView) and view.regression and view.grid is not None
        low, high = view.target_range()
        train = app.session.prepared.train_index
        assert (low, high) == pytest.approx((y[train].min(), y[train].max()), abs=1e-5)
        assert "surface: predicted value" in legend(view, palette(app)).plain
        assert "●" in plane_glyphs(app)


# -- the shapes of a typed hidden value -------------------------------------------------------


def cells(app) -> list[list[Text]]:
    table = app.query_one(ShapesTable)
    return [list(table.get_row_at(r)) for r in range(table.row_count)]


async def test_typing_hidden_shows_the_new_shapes_marked_before_enter_and_escape_restores():
    app = make_app()  # 2-4-1 on circles
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # the form's text fields are built just after the first frame
        field = app.query_one("#field-hidden", Input)
        field.focus()
        await pilot.press("backspace", "8", "comma", "4")
        await settle(pilot)
        n_x, table = 2, app.query_one(ShapesTable)
        rows = cells(app)
        assert len(rows) == 3
        W_column = 3  # l, g, A[l-1], W[l]
        expected = [(8, n_x), (4, 8), (1, 4)]
        for l, shape in enumerate(expected):
            cell = rows[l][W_column]
            assert cell.plain == f"({shape[0]}, {shape[1]})"
            assert str(cell.style) == CHANGED_STYLE
        assert rows[0][2].plain == "X (2, 320)" and str(rows[0][2].style) != CHANGED_STYLE
        assert "→ new" in str(table.border_title)
        assert app.session.facts().layer_dims == (2, 4, 1)  # nothing rebuilt yet

        await pilot.press("escape")
        await settle(pilot)
        rows = cells(app)
        assert [r[W_column].plain for r in rows] == ["(4, 2)", "(1, 4)"]
        assert all(str(c.style) != CHANGED_STYLE for r in rows for c in r)
        assert "→ new" not in str(table.border_title)
        assert field.value == "4"


def test_pass_shapes_are_the_shapes_a_trained_network_has():
    rng = np.random.default_rng(1)
    X, Y = rng.standard_normal((3, 50)), (rng.random((1, 50)) > 0.5).astype(float)
    trainer = Trainer(X, Y, [3, 8, 4, 1], activations=["relu", "relu", "sigmoid"])
    trainer.step_epoch()
    live = {name: a.shape for name, a in trainer.tensors.items() if name.kind != "dA"}
    assert pass_shapes([3, 8, 4, 1], 50) == live


# -- editing one weight -----------------------------------------------------------------------


async def open_prompt(pilot, cursor_moves: tuple[str, ...]) -> None:
    await pilot.press("2")
    await settle(pilot)
    pilot.app.query_one(Heatmap).focus()
    await pilot.press(*cursor_moves)
    await pilot.press("equals_sign")
    await settle(pilot)


async def test_equals_sets_exactly_the_weight_under_the_cursor():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        before = app.session.params()
        await open_prompt(pilot, ("down", "down", "right"))  # W[1][2, 1]
        assert isinstance(app.screen, ValuePrompt)
        app.screen.query_one(Input).value = "1.25"
        await pilot.press("enter")
        await settle(pilot)
        after = app.session.params()
        expected = before["W1"].copy()
        expected[2, 1] = 1.25
        np.testing.assert_array_equal(after["W1"], expected)
        for key in before.keys() - {"W1"}:
            np.testing.assert_array_equal(after[key], before[key])
        X = app.session.examples().X
        Z1 = app.session.tensor(LayerKind("Z"), 1).array
        np.testing.assert_allclose(Z1, expected @ X + before["b1"], rtol=1e-5, atol=1e-6)
        inspected = app.frame.views["inspector"].inspection
        assert inspected.blocks[2, 1] == pytest.approx(1.25)


async def test_equals_refuses_nan_and_mid_epoch_with_a_message(monkeypatch):
    app = make_app()
    said = []
    async with app.run_test(size=SIZE) as pilot:
        monkeypatch.setattr(app, "notify", lambda message, **kw: said.append(message))
        before = app.session.params()
        await open_prompt(pilot, ("right",))
        app.screen.query_one(Input).value = "nan"
        await pilot.press("enter")
        await settle(pilot)
        assert "finite" in said[-1] and "unchanged" in said[-1]
        await pilot.press("full_stop")  # forward layer 1: mid-epoch
        await settle(pilot)
        await open_prompt(pilot, ())
        assert not isinstance(app.screen, ValuePrompt)
        assert "epoch is in progress" in said[-1]
        np.testing.assert_array_equal(app.session.params()["W1"], before["W1"])


def test_set_weight_refuses_what_it_cannot_set():
    session = Session(Config())
    W1 = session.params()["W1"]
    for l, j, k, value, why in [
        (1, 0, 0, float("inf"), "finite"),
        (1, 0, 0, 1e39, "finite"),  # beyond float32
        (1, 4, 0, 1.0, "no element"),
        (3, 0, 0, 1.0, "no layer"),
    ]:
        with pytest.raises(ValueError, match=why):
            session.set_weight(l, j, k, value)
    session.step_phase()
    with pytest.raises(ValueError, match="epoch is in progress"):
        session.set_weight(1, 0, 0, 0.5)
    np.testing.assert_array_equal(session.params()["W1"], W1)


# -- drawing the data again -------------------------------------------------------------------


async def test_R_draws_new_points_of_the_same_size_and_rebuilds_the_network():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(3):
            await pilot.press("n")
            await settle(pilot)
        X_before, trainer_before = app.session.dataset.X.copy(), app.session._trainer
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("y")  # three epochs trained and not saved: confirm
        await settle(pilot)
        X_after = app.session.dataset.X
        assert X_after.shape == X_before.shape and not np.allclose(X_after, X_before)
        assert app.session.config.data_seed == 1
        assert app.session._trainer is not trainer_before and app.session.epoch == 0
        assert app.frame.state.epoch == 0


@pytest.mark.parametrize("kind", ["table", "csv"])
def test_regenerating_a_fixed_table_is_refused_and_changes_nothing(kind, tmp_path):
    """A shipped table or a user's CSV cannot be drawn again: a clear refusal (a CSV gave a
    KeyError, which stopped the app after R and y)."""
    config = Config(dataset="iris")
    if kind == "csv":
        path = tmp_path / "t.csv"
        path.write_text("a,b,y\n" + "".join(f"{i % 7},{i % 5},{i % 2}\n" for i in range(60)))
        config = Config(data_path=str(path), target="y")
    session = Session(config)
    X = session.dataset.X
    with pytest.raises(ValueError, match="not generated"):
        session.regenerate_data(1)
    assert session.dataset.X is X and session.config.data_seed == 0


async def test_clicking_a_link_in_the_diagram_selects_its_weight_for_equals():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        diagram = app.query_one(LayerDiagram)
        width, height = diagram.size
        view = app.frame.views["diagram"]
        cells = {
            (x, y): (found.layer, found.unit, found.source)
            for x in range(width)
            for y in range(height)
            if (found := hit(view, width, height, x, y)) is not None and found.source is not None
        }
        l, j, k = target = (2, 0, 3)  # W[2][0, 3]: from unit 3 of layer 1 to the output
        x, y = next(cell for cell, found in cells.items() if found == target)
        drawn = [(ch, seg.style) for seg in diagram.render_line(y) for ch in seg.text][x]
        assert 0x2800 < ord(drawn[0]) <= 0x28FF  # a braille dot of a link
        r, _, b = drawn[1].color.triplet
        assert (b > r) == (view.weights[l - 1][j, k] > 0)  # blue positive, orange negative
        region, content = diagram.region, diagram.content_region
        await pilot.click(LayerDiagram, offset=(content.x - region.x + x, content.y - region.y + y))
        await settle(pilot)
        assert (app.selected, app.tensor_kind) == (l, LayerKind("W"))
        assert app.query_one(Heatmap).cursor == (j, k)
        assert app.ui.explain.weight == target  # shown in the Explain view too
        await pilot.press("equals_sign")
        await settle(pilot)
        app.screen.query_one(Input).value = "-0.75"
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.params()["W2"][j, k] == np.float32(-0.75)
        assert sum(found == target for found in cells.values()) >= 3  # a line, not a point
