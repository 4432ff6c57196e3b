"""Panes that explain themselves: one palette from the theme, a named and folded diagram with
a legend, plot ticks and hints, and a decision boundary with one scale on both axes."""

import math
from itertools import pairwise

import numpy as np
import pytest
from rich.color import Color as RichColor
from textual.theme import BUILTIN_THEMES

from engine.inspect import decision_grid
from nntui.config import Config
from nntui.palette import contrast, palette, palette_of_theme
from nntui.session import Session
from nntui.views import UiState
from nntui.widgets.boundary import PIXEL_ASPECT, DecisionBoundary, boundary_view
from nntui.widgets.diagram import Column, LayerDiagram, group_means, unit_groups
from nntui.widgets.inspector import Heatmap
from nntui.widgets.plots import HistoryPlot, linear_ticks, log_ticks, nice_step

from .app_helpers import diagram_text, make_app, settle

THEMES = ("textual-dark", "textual-light")


# -- the palette ---------------------------------------------------------------------------


def test_dark_and_light_themes_give_different_readable_palettes():
    dark, light = (palette_of_theme(BUILTIN_THEMES[name]) for name in THEMES)
    assert dark.dark and not light.dark
    assert dark.background != light.background
    assert dark.positive != light.positive and dark.negative != light.negative
    for p in (dark, light):
        assert p.positive != p.negative
        for colour in (p.positive, p.negative, p.accent, p.forward, p.backward, *p.classes):
            assert contrast(colour, p.background) >= 3.0, (colour, p.background)


def colours_drawn(widget) -> set[tuple[int, int, int]]:
    """Every foreground and background RGB in the widget's rendered lines."""
    found = set()
    for y in range(widget.size.height):
        for segment in widget.render_line(y):
            style = segment.style
            for colour in (style and style.color, style and style.bgcolor):
                if isinstance(colour, RichColor) and colour.triplet is not None:
                    found.add(tuple(colour.triplet))
    return found


@pytest.mark.parametrize("theme", THEMES)
async def test_the_diagram_heatmap_and_boundary_draw_with_the_themes_palette(theme):
    """Each widget's pixels include the active palette's sign (or class) colours and none of
    the other theme's: they all read the one palette."""
    other = next(name for name in THEMES if name != theme)
    app = make_app(hidden=[4])
    async with app.run_test(size=(120, 40)) as pilot:
        app.theme = theme
        await pilot.press("n")
        await settle(pilot)
        p, q = palette(app), palette_of_theme(BUILTIN_THEMES[other])
        diagram = colours_drawn(app.query_one(LayerDiagram))
        assert {p.positive, p.negative} & diagram and not {q.positive, q.negative} & diagram
        await pilot.press("2")
        await settle(pilot)
        heatmap = colours_drawn(app.query_one(Heatmap))
        assert p.accent in heatmap and q.accent not in heatmap  # the cursor
        await pilot.press("3")
        await settle(pilot)
        boundary = colours_drawn(app.query_one(DecisionBoundary))
        assert {p.classes[0], p.classes[1]} <= boundary
        assert not {q.classes[0], q.classes[1]} & boundary


# -- the diagram ---------------------------------------------------------------------------


async def test_the_diagram_names_toy_inputs_and_the_binary_output():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = diagram_text(app)
    assert "x1 ●" in text and "x2 ●" in text
    assert "● p(class 1)" in text
    assert "w > 0" in text and "w < 0" in text and "larger |w|" in text  # the legend


async def test_the_diagram_shortens_long_csv_column_names_and_names_classes(tmp_path):
    path = tmp_path / "long.csv"
    rng = np.random.default_rng(0)
    rows = ["a_very_long_feature_name_one,another_rather_long_column,kind"]
    rows += [f"{a:.3f},{b:.3f},{'cat' if a > 0 else 'dog'}" for a, b in rng.normal(size=(40, 2))]
    path.write_text("\n".join(rows) + "\n")
    app = make_app(data_path=str(path), target="kind", hidden=[3])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = diagram_text(app)
    assert "a_very_lo… ●" in text and "another_r… ●" in text
    assert "a_very_long_feature_name_one" not in text
    assert "● p(dog)" in text  # the sigmoid output is p(class 1); classes sort cat, dog


async def test_the_diagram_names_each_class_of_a_softmax_output():
    app = make_app(dataset="iris", hidden=[4])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = diagram_text(app)
    for name in ("● setosa", "● versicolor", "● virginica", "sepal_len… ●"):
        assert name in text


async def test_a_wide_layer_folds_into_groups_with_mean_links():
    app = make_app(dataset="digits", hidden=[64])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = diagram_text(app)
    assert text.count("… 64") == 2  # the 64 inputs and the 64 hidden units
    assert "■" in text and "■ group: mean w" in text
    assert "● 0" in text and "● 9" in text  # the ten classes fit: each is named
    assert "1–16" in text  # a group of inputs is named by its unit numbers


def test_groups_cover_every_unit_and_links_are_block_means():
    groups = unit_groups(64, 20)
    assert len(groups) <= 6 and groups[0][0] == 0 and groups[-1][1] == 64
    assert all(a == b for (_, a), (b, _) in pairwise(groups))
    assert unit_groups(5, 20) == tuple((i, i + 1) for i in range(5))
    W = np.arange(24.0).reshape(4, 6)  # (n_l, n_{l-1})
    rows = Column(0, ((0, 1), (1, 4)), (0, 1))
    cols = Column(0, ((0, 2), (2, 6)), (0, 1))
    expected = [
        [W[0:1, 0:2].mean(), W[0:1, 2:6].mean()],
        [W[1:4, 0:2].mean(), W[1:4, 2:6].mean()],
    ]
    np.testing.assert_allclose(group_means(W, rows, cols), expected)


# -- the plots -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "low, high, most, integer",
    [(1, 37, 5, True), (1, 3, 6, True), (1, 2000, 6, True), (0.656, 0.72, 3, False),
     (0.0, 1.0, 3, False), (-0.3, 4.2, 4, False), (1e-5, 3e-5, 4, False)],
)  # fmt: skip
def test_ticks_are_evenly_spaced_round_values_in_range(low, high, most, integer):
    ticks = linear_ticks(low, high, most, integer)
    assert len(ticks) >= 2 and all(low <= t <= high for t in ticks)
    steps = np.diff(ticks)
    np.testing.assert_allclose(steps, steps[0], rtol=1e-9)
    mantissa = steps[0] / 10 ** math.floor(math.log10(steps[0]))
    assert round(mantissa, 6) in (1, 2, 5)
    for t in ticks:  # each tick a whole multiple of the step
        assert abs(t / steps[0] - round(t / steps[0])) < 1e-6
    if integer:
        assert all(t == int(t) for t in ticks)


def test_nice_step_and_log_ticks():
    assert nice_step(37, 4) == 10 and nice_step(0.064, 2) == 0.05 and nice_step(7, 7) == 1
    assert log_ticks(0.01, 3, 3) == [0.01, 0.1, 1.0]
    assert log_ticks(0.15, 0.9, 3) == [0.2, 0.5]
    ticks = log_ticks(0.656, 0.72, 3)  # narrower than 2..5: round linear values
    assert ticks == linear_ticks(0.656, 0.72, 3)


async def test_empty_plots_say_what_to_press_and_label_the_log_scale():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for plot in app.query(HistoryPlot):
            hint = str(plot.render())
            assert "Press space to train, n: one epoch, .: one phase." in hint
        await pilot.press("n", "n", "g")
        await settle(pilot)
        await pilot.pause(0.6)
        cost = app.query_one("#cost-plot", HistoryPlot)
        cost.show(app.frame.views["training"])
        assert cost.hint == ""
        text = "\n".join(cost.render_line(y).text for y in range(cost.size.height))
        assert "J (log scale)" in text and "train" in text and "test" in text


# -- the decision boundary -------------------------------------------------------------------


@pytest.mark.parametrize("size", [(200, 60), (60, 120)])
def test_a_circle_of_the_circles_set_spans_twice_as_many_columns_as_rows(size):
    """On a wide and on a tall plane, the outer ring covers about 2 columns per terminal
    row (two pixel rows), as a circle does on cells twice as tall as wide."""
    session = Session(Config(dataset="circles"))
    view = boundary_view(session, UiState(boundary_size=size))
    X_train, labels, _, _ = view.points
    rows, cols = view.grid.cell_of(X_train[:, labels == 0])  # the outer ring
    across, down = np.ptp(cols) + 1, np.ptp(rows // 2) + 1
    assert across == pytest.approx(2 * down, rel=0.1)


def test_the_grid_has_one_scale_on_both_axes():
    """A pixel is half a cell (about 1 wide, 1 tall): x per column equals y per pixel row,
    so y per terminal row (two pixels) is twice x per column."""
    X = np.array([[0.0, 10.0], [0.0, 1.0]])  # wide data in a tall area, and the reverse
    for nx, ny in ((20, 40), (100, 20)):
        grid = decision_grid(lambda P: P[:1], X, nx, ny, pixel_aspect=PIXEL_ASPECT)
        per_col = (grid.x_range[1] - grid.x_range[0]) / nx
        per_row = (grid.y_range[1] - grid.y_range[0]) / (ny / 2)
        assert per_row == pytest.approx(2 * per_col)
        assert grid.x_range[0] <= -0.9 and grid.x_range[1] >= 10.9  # the data still fits
        assert grid.y_range[0] <= -0.09 and grid.y_range[1] >= 1.09


async def test_the_circles_look_round_and_the_axes_show_their_ranges():
    app = make_app(dataset="circles")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        view = app.frame.views["boundary"]
        widget = app.query_one(DecisionBoundary)
        lines = [widget.render_line(y).text for y in range(widget.size.height)]
        width, height = widget.size
    grid = view.grid
    assert grid.probs.shape[1:] == (2 * (height - 2), width - 8)  # it fills the pane
    x0, x1 = grid.x_range
    assert f"{x0:.3g}" in lines[-1] and f"{x1:.3g}" in lines[-1] and "x1" in lines[-1]
    assert f"{grid.y_range[1]:.3g}" in lines[1] and any(" x2 " in line for line in lines)
