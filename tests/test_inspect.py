"""Looking inside: the engine's summaries, and the inspector, phase stepping, decision boundary,
classification report and gradient check in the app."""

import io

import numpy as np
import pytest
from rich.console import Console
from textual.widgets import TabbedContent

from engine.inspect import block_means, decision_grid, inspect, shared_histogram, tensor_stats
from engine.metrics import classification_report
from engine.names import LAYER_KINDS, LayerKind
from engine.toy import one_hot
from nntui.screens import GradCheckScreen
from nntui.widgets.boundary import DecisionBoundary
from nntui.widgets.diagram import LayerDiagram
from nntui.widgets.inspector import Heatmap, Inspector

from .app_helpers import diagram_text, make_app, settle, terminal_keys

KINDS = {str(kind): kind for kind in LAYER_KINDS}

SIZE = (120, 40)


# -- the engine's summaries -------------------------------------------------------------------


def test_block_means_average_exact_blocks_and_cover_every_row_and_column():
    A = np.arange(64 * 1797, dtype=np.float64).reshape(64, 1797)
    blocks, rows, cols = block_means(A, 16, 60)
    assert blocks.shape == (16, 60)
    assert rows[0] == 0 and rows[-1] == 64 and cols[0] == 0 and cols[-1] == 1797
    r0, r1, c0, c1 = rows[3], rows[4], cols[7], cols[8]
    assert blocks[3, 7] == pytest.approx(A[r0:r1, c0:c1].mean())
    small, _, _ = block_means(np.ones((4, 2)), 16, 60)
    assert small.shape == (4, 2)  # never upsampled


def test_dead_and_saturated_shares():
    Z = np.array([[-1.0, -2.0, -0.5], [1.0, -1.0, 2.0], [5.0, 6.0, -7.0]])
    assert tensor_stats(np.maximum(Z, 0), Z=Z, activation="relu").dead_units == pytest.approx(1 / 3)
    assert tensor_stats(np.tanh(Z), Z=Z, activation="tanh").saturated == pytest.approx(3 / 9)
    assert tensor_stats(Z).dead_units is None


def test_inspection_of_w_carries_the_change_since_the_epoch_began():
    W_now, W_before = np.array([[1.0, 2.0]]), np.array([[0.5, 2.5]])
    ins = inspect("W[1]", W_now, previous=W_before)
    np.testing.assert_array_equal(ins.delta.blocks, [[0.5, -0.5]])
    assert ins.delta.name == "ΔW[1]" and ins.hist_counts.sum() == 2


def test_decision_grid_evaluates_the_model_on_the_plane():
    X = np.array([[-1.0, 1.0], [-2.0, 2.0]])
    grid = decision_grid(lambda P: P[:1] > 0, X, nx=10, ny=6)  # class 1 right of x = 0
    assert grid.probs.shape == (1, 6, 10)
    assert not grid.probs[0, :, :5].any() and grid.probs[0, :, 5:].all()
    rows, cols = grid.cell_of(X)
    assert list(cols) == [0, 9] and list(rows) == [5, 0]  # the top row is the largest y


def test_classification_report_counts_every_example_once():
    labels = np.array([0, 1, 2, 2, 1, 0, 2])
    predicted = np.array([0, 2, 2, 2, 1, 1, 0])
    confusion, precision, recall = classification_report(
        one_hot(predicted, 3), one_hot(labels, 3), 3
    )
    assert confusion.sum() == 7 and confusion[2, 2] == 2 and confusion[1, 2] == 1
    assert recall[2] == pytest.approx(2 / 3) and precision[0] == pytest.approx(1 / 2)


# -- the inspector ----------------------------------------------------------------------------


async def open_inspector(pilot) -> Inspector:
    await pilot.press("2")
    await pilot.pause()
    return pilot.app.query_one(Inspector)


@pytest.mark.parametrize("kind", ["A[l-1]", "W[l]", "b[l]", "Z[l]", "A[l]", "dZ[l]", "dW[l]"])
async def test_inspector_shows_the_real_shape_and_stats(kind):
    app = make_app(dataset="digits", hidden=(16,), activation="relu", learning_rate=0.1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        await open_inspector(pilot)
        app.tensor_kind = KINDS[kind]
        await pilot.pause()
        array = app.session.tensor(KINDS[kind], 1).array
        ins = app.frame.views["inspector"].inspection
        assert ins.shape == array.shape and ins.dtype == "float32"
        assert ins.stats.min == pytest.approx(float(array.min()))
        assert ins.stats.max == pytest.approx(float(array.max()))
        assert ins.stats.mean == pytest.approx(float(array.mean()), rel=1e-4, abs=1e-7)
        assert ins.stats.std == pytest.approx(float(array.std()), rel=1e-4)
        stats = str(app.query_one("#inspect-stats").render())
        assert f"shape {array.shape}" in stats
        if kind in ("Z[l]", "A[l]"):
            Z = app.session.tensor(LayerKind("Z"), 1).array
            assert ins.stats.dead_units == pytest.approx(float((Z <= 0).all(axis=1).mean()))
            assert "dead ReLU units" in stats


async def test_a_large_array_is_shown_as_block_means_with_its_ranges():
    app = make_app(dataset="digits", hidden=(16,), activation="relu")
    async with app.run_test(size=SIZE) as pilot:
        await open_inspector(pilot)
        app.tensor_kind = KINDS["A[l-1]"]  # X = A[0], (64, 1438)
        await pilot.pause()
        ins = app.frame.views["inspector"].inspection
        assert ins.shape == (64, app.session.facts().m_train) and ins.downsampled
        heatmap = str(app.query_one(Heatmap).render())
        assert f"cols 0–{ins.shape[1] - 1}" in heatmap and "block means" in heatmap
        last_row, last_col = int(ins.row_edges[1]) - 1, int(ins.col_edges[1]) - 1
        rows = "row 0" if last_row == 0 else f"rows 0–{last_row}"  # "rows 0" read badly
        cursor = f"cursor: {rows}, cols 0–{last_col}: mean "
        assert cursor in str(app.query_one("#inspect-stats").render())


async def test_the_heatmap_cursor_reads_the_value_under_it():
    app = make_app(hidden=(4,))
    async with app.run_test(size=SIZE) as pilot:
        await open_inspector(pilot)
        app.query_one(Heatmap).focus()
        await pilot.press("down", "down", "right")
        await pilot.pause()
        W1 = app.session.params()["W1"]
        assert f"cursor: row 2, col 1: {W1[2, 1]:.6g}" in str(
            app.query_one("#inspect-stats").render()
        )


async def test_t_cycles_the_inspected_tensor_and_the_table_cell_follows():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await pilot.pause()
        assert str(app.tensor_kind) == "b[l]" and str(app.frame.views["inspector"].name) == "b[1]"
        assert app.query_one("#shapes").cursor_coordinate == (0, 4)  # l, g, A[l-1], W[l], b[l]
        await pilot.press(*terminal_keys("TT"))
        await pilot.pause()
        assert str(app.frame.views["inspector"].name) == "A[0]"


async def test_a_gradient_before_any_backward_pass_is_explained():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_inspector(pilot)
        app.tensor_kind = KINDS["dZ[l]"]
        await pilot.pause()
        assert "does not exist yet" in str(app.query_one("#inspect-stats").render())


async def test_inspector_freezes_when_paused():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_inspector(pilot)
        await pilot.press("space")
        await pilot.pause(0.3)
        await pilot.press("space")
        await settle(pilot)
        frozen = app.frame.views["inspector"].inspection
        await pilot.pause(0.3)
        assert app.frame.views["inspector"].inspection.stats == frozen.stats
        np.testing.assert_array_equal(frozen.blocks, app.session.params()["W1"])


async def test_d_shows_the_change_of_w_this_epoch():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        W1 = app.session.params()["W1"].copy()
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("d")
        await pilot.pause()
        delta = app.session.params()["W1"] - W1
        heatmap = app.query_one(Heatmap).inspection
        assert heatmap.name == "ΔW[1]"
        np.testing.assert_allclose(heatmap.blocks, delta, atol=1e-7)


async def test_d_on_an_array_other_than_w_says_so_and_changes_nothing():
    """Only W[l] has a change this epoch to show: d on A[1] tells the user, and W[1]
    inspected later is the weights, not their change."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*terminal_keys("TT"), "d")  # W[l] -> A[l-1] -> db[l], then d
        await pilot.pause()
        assert app.tensor_kind != LayerKind("W")
        assert any(n.title == "No change to show" for n in app._notifications)
        await pilot.press(*terminal_keys("tt"))
        await pilot.pause()
        assert app.tensor_kind == LayerKind("W")
        assert app.query_one(Heatmap).inspection.name == "W[1]"


# -- phase stepping ---------------------------------------------------------------------------


async def test_phase_stepping_through_an_epoch_equals_an_epoch_step():
    phased, plain = make_app(hidden=(5, 3), batch_size=100), make_app(hidden=(5, 3), batch_size=100)
    async with phased.run_test(size=SIZE) as pilot:
        per_epoch = 4 * (3 + 1 + 3 + 1)  # 4 batches of 100 in m = 320
        for _ in range(per_epoch):
            await pilot.press("full_stop")
        await settle(pilot)
        assert phased.session.epoch == 1 and not phased.session.in_epoch
        params = phased.session.params()
    async with plain.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        for key, value in plain.session.params().items():
            np.testing.assert_array_equal(params[key], value)


async def test_each_phase_shows_its_equation_with_real_shapes_and_lights_its_layer():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        expected = [
            ("Z[1] = W[1] · A[0] + b[1]    (4, 2) · (2, 320) + (4, 1) -> (4, 320)", "A[1]", 1),
            ("Z[2] = W[2] · A[1] + b[2]    (1, 4) · (4, 320) + (1, 1) -> (1, 320)", "A[2]", 2),
            ("A[2] (1, 320), Y (1, 320) -> J =", "A[2]", 2),
            ("dZ[2] = A[2] - Y    (1, 320) - (1, 320) -> (1, 320)", "dW[2]", 2),
            ("dW[1] = (1/m) dZ[1] · A[0]ᵀ    (4, 320) · (320, 2) -> (4, 2)", "dW[1]", 1),
            ("W[1] (4, 2) with dW[1] (4, 2)", "W[1]", 1),
        ]
        for equation, inspected, layer in expected:
            await pilot.press("full_stop")
            await pilot.pause()
            text = str(app.query_one("#phase-text").render())
            assert equation in text, text
            assert app.query_one(TabbedContent).active == "inspector"
            assert str(app.frame.views["inspector"].name) == inspected
            assert app.query_one(LayerDiagram).selected == layer
        assert app.session.epoch == 1


async def test_epoch_steps_asked_for_before_a_phase_step_are_not_lost():
    # epochs long enough (~20 ms) that both steps are still queued when the phase step comes
    app = make_app(dataset="digits", hidden=(512, 256), activation="relu", test_ratio=0.0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.action_step()  # n, n, . arriving faster than an epoch runs (Pilot would wait)
        app.action_step()
        app.action_phase_step()
        await settle(pilot)
        # Either both epochs ran and the phase began a third, or the phase began the first
        # and the two steps finished it and ran the second: two whole epochs either way.
        assert app.session.epoch == 2


async def test_the_diagram_marks_the_active_layer_and_direction():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("full_stop")
        await pilot.pause()
        assert "▶ layer 1" in diagram_text(app)
        for _ in range(3):
            await pilot.press("full_stop")
        await pilot.pause()
        assert "◀ layer 2" in diagram_text(app)


async def test_mixing_phase_steps_epoch_steps_and_play_is_safe():
    app, reference = make_app(batch_size=64), make_app(batch_size=64)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(3):
            await pilot.press("full_stop")
        await pilot.press("n")  # finishes the epoch the phases began
        await settle(pilot)
        assert app.session.epoch == 1 and not app.session.in_epoch
        await pilot.press("full_stop", "full_stop", "space")
        await pilot.pause(0.2)
        await pilot.press("full_stop")  # pauses, the running epoch ends, a new phase starts
        await settle(pilot)
        session = app.session
        assert session.in_epoch and session.phase.kind == "forward"
        while session.in_epoch:
            await pilot.press("full_stop")
        epochs, params = session.epoch, session.params()
    for _ in range(epochs):
        reference.session.step_epoch()
    for key, value in reference.session.params().items():
        np.testing.assert_array_equal(params[key], value)


# -- decision boundary, report, gradient check ----------------------------------------------


async def test_decision_boundary_is_drawn_for_2d_data():
    app = make_app(dataset="moons")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await pilot.pause()
        grid = app.frame.views["boundary"].grid
        assert grid is not None and grid.probs.shape[0] == 1
        text = str(app.query_one(DecisionBoundary).render())
        assert "● train" in text and "▀" in text and "●" in text and "○" in text


async def test_decision_boundary_explains_itself_for_other_data():
    app = make_app(dataset="iris")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await pilot.pause()
        text = str(app.query_one(DecisionBoundary).render())
        assert "needs 2 input features; iris has n_x = 4" in text


async def test_confusion_matrices_sum_to_m_and_name_the_classes():
    app = make_app(dataset="iris", hidden=(8,), learning_rate=0.2)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(5):
            await pilot.press("n")
        await settle(pilot)
        await pilot.press("4")
        await pilot.pause()
        report = app.frame.views["report"].report
        assert report.train[0].sum() == app.session.facts().m_train
        assert report.test[0].sum() == app.session.facts().m_test
        console = Console(width=120, record=True, file=io.StringIO())
        console.print(app.query_one("#report-text").content)
        text = console.export_text()
        assert "setosa" in text and "precision" in text and "recall" in text


async def test_gradient_check_from_the_ui_reports_per_layer_and_leaves_training_alone():
    app = make_app(hidden=(5, 3))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        params = app.session.params()
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, GradCheckScreen)
        assert set(screen.result.per_layer) == {1, 2, 3}
        assert screen.result.relative_error < 1e-7
        await pilot.press("escape")
        for key, value in app.session.params().items():
            np.testing.assert_array_equal(params[key], value)
        assert app.session.epoch == 1


def test_histogram_of_huge_values_on_the_way_to_diverging_does_not_raise():
    """float32 weights near 1e30 (a high rate before they overflow) leave numpy no distinct
    bin edges: one bin from the smallest to the largest, holding every value."""
    from engine.inspect import histogram

    counts, edges = histogram(np.full(7, 1e30, np.float32), 24)
    assert counts.tolist() == [7] and edges[0] == edges[-1] == np.float32(1e30)
    counts, edges = histogram(np.array([1e30, 1.0000001e30], np.float32), 24)
    assert counts.sum() == 2 and len(edges) == len(counts) + 1


def test_a_shared_histogram_spans_every_finite_value_and_counts_each_array_on_its_edges():
    train = np.array([-2.0, 0.0, 0.5, np.nan, 1.0])
    test = np.array([3.0, np.inf, 0.25])
    edges, (a, b) = shared_histogram([train, test], bins=5)
    assert edges[0] == -2.0 and edges[-1] == 3.0 and len(edges) == 6
    assert a.tolist() == [1, 0, 2, 1, 0] and b.tolist() == [0, 0, 1, 0, 1]  # edges -2, -1, .., 3
