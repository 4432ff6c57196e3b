"""View 3: the decision boundary, the learned surface, or predicted against actual.

For 2-D data it draws the data's own plane. Each terminal cell holds two grid pixels (▀:
top in the foreground colour, bottom in the background). A terminal cell is about twice as
tall as it is wide, so a pixel is about square, and the grid gets the same scale on both
axes: a circle in the data looks round. The plane fills the pane; the axes say the first two
features' names and ranges. For classification a pixel's hue is its predicted class (the
palette's class colours) and its brightness the model's confidence (``b``: classes only, at
one brightness); for regression its colour is the predicted value, in the target's units,
on a scale from the lowest to the highest target (``b``: in bands). Training points are ●
and test points ○ (``v`` hides them), in their true class's or target's colour. A
regression model on other data shows predicted against actual instead
(``nntui.widgets.fit``).
"""

from dataclasses import dataclass

import numpy as np
from rich.text import Text
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from engine.data import REGISTRY
from engine.features import DEFAULT_FEATURES
from engine.inspect import BoundaryGrid, decision_grid
from nntui.palette import Palette, palette, style
from nntui.session import Session
from nntui.views import UiState
from nntui.widgets.diagram import shorten
from nntui.widgets.fit import FitSwitch, FitView, PredictedPlot, fit_view
from nntui.widgets.pane import Pane

Points = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # X_train, y, X_test, y


@dataclass(frozen=True)
class BoundaryView:
    """The model's output over the input plane (None unless n_x = 2) and the points on it,
    with their class labels or, for regression, their targets."""

    grid: BoundaryGrid | None
    points: Points | None
    classes: tuple[str, ...]
    dataset: str
    n_x: int
    axes: tuple[str, str] = ("x1", "x2")
    regression: bool = False

    def target_range(self) -> tuple[float, float]:
        """The lowest and highest training target: the ends of a regression's colour scale."""
        y = self.points[1]
        return float(y.min()), float(y.max())


def boundary_view(session: Session, ui: UiState) -> BoundaryView | FitView:
    """The grid's forward pass runs on a copy of the model, outside the Session's lock."""
    facts, plane = session.facts(), session.plane()
    regression = facts.task == "regression"
    if regression and plane is None:
        return fit_view(session, ui)
    grid = None
    if plane is not None:  # over the data's own plane, whatever features the inputs are
        nx, ny = ui.boundary_size
        model = session.model_copy()  # regression: the prediction in the target's units
        grid = decision_grid(lambda P: model.prediction(plane.inputs(P)), plane.X_train, nx, ny,
                             pixel_aspect=PIXEL_ASPECT)  # fmt: skip
    names = facts.feature_names
    own_names = plane is not None and plane.features == DEFAULT_FEATURES and len(names) == 2
    axes = (names[0], names[1]) if own_names else ("x1", "x2")
    n_x = 2 if plane is not None else facts.layer_dims[0]
    points = session.points()
    return BoundaryView(grid, points, facts.classes, facts.dataset, n_x, axes, regression)


CELL_ASPECT = 2.0  # a terminal cell's height / width, about
PIXEL_ASPECT = CELL_ASPECT / 2  # two pixels a cell, one above the other
GUTTER = 8  # columns left of the plane for the x2 axis
AXIS_NAME = 6  # characters of an axis name, at most
CHROME_ROWS = 2  # the legend above the plane, the x1 axis below it
BANDS = 6  # a discretised regression surface shows this many bands of the value
FIELD_STRENGTH = 0.55  # the surface is dimmer than the points drawn on it


def class_field(grid: BoundaryGrid, colours: Palette, discrete: bool) -> np.ndarray:
    """(ny, nx, 3): each pixel's class hue, dimmed where the model is unsure (or, when
    ``discrete``, every pixel at one brightness: classes only)."""
    probs = grid.probs
    if probs.shape[0] == 1:  # binary: p(class 1)
        p = probs[0]
        cls = (p >= 0.5).astype(int)
        confidence = np.abs(p - 0.5) * 2
    else:
        cls = probs.argmax(axis=0)
        k = probs.shape[0]
        confidence = (probs.max(axis=0) - 1 / k) / (1 - 1 / k)
    if discrete:
        confidence = np.full(cls.shape, 0.6)
    hues = np.array(colours.classes)
    hue = hues[cls % len(hues)]
    background = np.array(colours.background)
    strength = 0.15 + 0.45 * np.clip(confidence, 0, 1)[..., None]
    return (background + (hue - background) * strength).astype(int)


def value_colours(
    values: np.ndarray, low: float, high: float, p: Palette, bands: int = 0
) -> np.ndarray:
    """(..., 3): the palette's negative hue at ``low``, its muted grey midway, its positive
    hue at ``high`` (clipped beyond); with ``bands``, the scale cut into that many steps,
    each drawn at its middle."""
    t = np.clip((values - low) / (high - low), 0, 1) if high > low else np.full(values.shape, 0.5)
    if bands:
        t = (np.minimum(np.floor(t * bands), bands - 1) + 0.5) / bands
    t = t[..., None]
    low_c, middle, high_c = (np.array(c) for c in (p.negative, p.muted, p.positive))
    below = low_c + (middle - low_c) * (2 * t)
    above = middle + (high_c - middle) * (2 * t - 1)
    return np.where(t < 0.5, below, above).astype(int)


def surface_field(view: BoundaryView, p: Palette, discrete: bool) -> np.ndarray:
    """(ny, nx, 3): the predicted value of each pixel on the targets' colour scale."""
    bands = BANDS if discrete else 0
    colours = value_colours(view.grid.probs[0], *view.target_range(), p, bands)
    background = np.array(p.background)
    return (background + (colours - background) * FIELD_STRENGTH).astype(int)


def mark_colour(view: BoundaryView, y: float, p: Palette) -> str:
    """A point's colour: its class's, or its target's on the surface's scale."""
    if view.regression:
        return style(tuple(value_colours(np.array(y), *view.target_range(), p)))
    return style(p.hue(int(y)))


def number(value: float) -> str:
    return f"{value:.3g}"[: GUTTER - 1]


def y_axis(view: BoundaryView, row: int, rows: int) -> str:
    """The gutter left of plane row ``row``: the top of the x2 range, its name, its bottom."""
    y0, y1 = view.grid.y_range
    label = {0: number(y1), rows // 2: shorten(view.axes[1], AXIS_NAME), rows - 1: number(y0)}
    return label.get(row, "").rjust(GUTTER - 1) + " "


def x_axis(view: BoundaryView, width: int) -> str:
    """The row under the plane: the x1 range's ends and, between them, its name."""
    x0, x1 = view.grid.x_range
    left, right = number(x0), number(x1)
    name = shorten(view.axes[0], AXIS_NAME)
    gap = max(0, width - len(left) - len(right))
    middle = name.center(gap) if gap >= len(name) + 2 else " " * gap
    return " " * GUTTER + left + middle + right


def boundary_text(
    view: BoundaryView, p: Palette, show_test: bool = True, discrete: bool = False
) -> Text:
    """The plane with its x2 axis on the left and its x1 axis below, and the training
    points (and the test points when ``show_test``) drawn over it."""
    grid = view.grid
    field = surface_field(view, p, discrete) if view.regression else class_field(grid, p, discrete)
    ny, nx = field.shape[:2]
    marks: dict[tuple[int, int], tuple[str, str]] = {}
    if view.points is not None:
        X_train, y_train, X_test, y_test = view.points
        sets = ((X_test, y_test, "○"),) if show_test else ()
        for X, y, glyph in (*sets, (X_train, y_train, "●")):
            rows, cols = grid.cell_of(X)
            for r, c, target in zip(rows // 2, cols, y, strict=True):
                marks[(int(r), int(c))] = (glyph, mark_colour(view, target, p))
    text = Text(no_wrap=True, overflow="crop")
    axis_style = style(p.foreground)
    for row in range(ny // 2):
        text.append(y_axis(view, row, ny // 2), axis_style)
        for col in range(nx):
            top, bottom = field[2 * row, col], field[2 * row + 1, col]
            bg = f"rgb({bottom[0]},{bottom[1]},{bottom[2]})"
            if (row, col) in marks:
                glyph, colour = marks[(row, col)]
                text.append(glyph, f"bold {colour} on {bg}")
            else:
                text.append("▀", f"rgb({top[0]},{top[1]},{top[2]}) on {bg}")
        text.append("\n")
    text.append(x_axis(view, nx), axis_style)
    return text


def legend(view: BoundaryView, p: Palette, show_test: bool = True, discrete: bool = False) -> Text:
    """One line: what the marks and the field mean, and the keys that change them (v, b)."""
    points = "● train ○ test (v)" if show_test else "● train (v: ○ test hidden)"
    text = Text(no_wrap=True, overflow="crop")
    if view.regression:
        low, high = view.target_range()
        field = "value in bands" if discrete else "predicted value"
        text.append(f"{points} · surface: {field} (b) ", style="dim")
        text.append(f"■ {low:.3g} ", style=mark_colour(view, low, p))
        text.append(f"■ {high:.3g}", style=mark_colour(view, high, p))
        return text
    field = "class only" if discrete else "class, brighter = surer"
    text.append(f"{points} · field: {field} (b) ", style="dim")
    for i, name in enumerate(view.classes):
        text.append(f"■ {name} ", style=style(p.hue(i)))
    return text


def explanation(view: BoundaryView) -> str:
    if view.n_x != 2:
        return (
            f"A decision boundary is drawn over the input plane, so it needs 2 input features; "
            f"{view.dataset} has n_x = {view.n_x}. Choose a toy 2-D set "
            f"({', '.join(name for name, info in REGISTRY.items() if info.is_2d)}) to see one."
        )
    return "The decision boundary appears here once the pane is on screen."


class DecisionBoundary(Pane, Widget):
    """Draws the view's grid; says why not when there is none. ``show_test`` (v) and
    ``discrete`` (b) change what it draws."""

    view: reactive[BoundaryView | None] = reactive(None, always_update=True)
    show_test: reactive[bool] = reactive(True)
    discrete: reactive[bool] = reactive(False)

    def show(self, view: BoundaryView) -> None:
        self.view = view

    class Resized(Message):
        """The plane can now show nx x ny grid pixels (two pixel rows per terminal row)."""

        def __init__(self, nx: int, ny: int) -> None:
            super().__init__()
            self.nx, self.ny = nx, ny

    def on_resize(self) -> None:
        rows = max(1, self.size.height - CHROME_ROWS)
        self.post_message(self.Resized(max(2, self.size.width - GUTTER), 2 * rows))

    def render(self) -> Text:
        s = self.view
        if s is None:
            return Text("")
        if s.grid is None:
            return Text(explanation(s), style="italic")
        colours = palette(self.app)
        legend_text = legend(s, colours, self.show_test, self.discrete)
        return legend_text + Text("\n") + boundary_text(s, colours, self.show_test, self.discrete)


class OutputPlane(FitSwitch):
    """View 3: the plane for 2-D data (and a note for other classification data), or
    predicted against actual for a regression model on other data."""

    PLAIN = (DecisionBoundary, "boundary-plane")
    FIT = (PredictedPlot, "predicted-plot")
