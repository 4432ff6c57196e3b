"""View 3: the decision boundary, the learned surface, or predicted against actual.

For 2-D data it draws the plane. Each terminal cell holds two grid pixels (▀: top in the
foreground colour, bottom in the background). For classification a pixel's hue is its
predicted class and its brightness the model's confidence (``b``: classes only, at one
brightness); for regression its colour is the predicted value on a scale from the lowest
to the highest target (``b``: in bands). Training points are ● and test points ○ (``v``
hides them), in their true class's or target's colour. A regression model on other data
shows predicted against actual instead (``nntui.widgets.fit``).
"""

from dataclasses import dataclass

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from engine.data import REGISTRY
from engine.inspect import BoundaryGrid, decision_grid
from nntui.session import Session
from nntui.views import UiState
from nntui.widgets.fit import FitView, PredictedPlot, fit_view
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
    regression: bool = False

    def target_range(self) -> tuple[float, float]:
        """The lowest and highest training target: the ends of a regression's colour scale."""
        y = self.points[1]
        return float(y.min()), float(y.max())


def boundary_view(session: Session, ui: UiState) -> BoundaryView | FitView:
    """The grid's forward pass runs on a copy of the model, outside the Session's lock."""
    facts = session.facts()
    n_x, regression = facts.layer_dims[0], facts.task == "regression"
    if regression and n_x != 2:
        return fit_view(session, ui)
    grid = None
    if n_x == 2:
        nx, ny = ui.boundary_size
        grid = decision_grid(session.model_copy().output, session.examples().X, nx, ny)
    points = session.points()
    return BoundaryView(grid, points, facts.classes, facts.dataset, n_x, regression)


PALETTE = np.array(
    [[255, 140, 66], [74, 168, 255], [120, 220, 120], [230, 100, 200], [240, 220, 90],
     [150, 120, 255], [90, 220, 220], [255, 90, 90], [200, 200, 200], [180, 140, 90]]
)  # fmt: skip
BACKGROUND = np.array([24, 24, 30])
LOW, MIDDLE, HIGH = np.array([255, 140, 66]), np.array([70, 70, 80]), np.array([74, 168, 255])
BANDS = 6  # a discretised regression surface shows this many bands of the value
FIELD_STRENGTH = 0.55  # the field is dimmer than the points drawn on it


def class_field(grid: BoundaryGrid, discrete: bool) -> np.ndarray:
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
    hue = PALETTE[cls % len(PALETTE)]
    strength = 0.15 + 0.45 * np.clip(confidence, 0, 1)[..., None]
    return (BACKGROUND + (hue - BACKGROUND) * strength).astype(int)


def value_colours(values: np.ndarray, low: float, high: float, bands: int = 0) -> np.ndarray:
    """(..., 3): orange at ``low``, grey midway, blue at ``high`` (clipped beyond); with
    ``bands``, the scale cut into that many steps, each drawn at its middle."""
    t = np.clip((values - low) / (high - low), 0, 1) if high > low else np.full(values.shape, 0.5)
    if bands:
        t = (np.minimum(np.floor(t * bands), bands - 1) + 0.5) / bands
    t = t[..., None]
    below = LOW + (MIDDLE - LOW) * (2 * t)
    above = MIDDLE + (HIGH - MIDDLE) * (2 * t - 1)
    return np.where(t < 0.5, below, above).astype(int)


def surface_field(view: BoundaryView, discrete: bool) -> np.ndarray:
    """(ny, nx, 3): the predicted value of each pixel on the targets' colour scale."""
    colours = value_colours(view.grid.probs[0], *view.target_range(), BANDS if discrete else 0)
    return (BACKGROUND + (colours - BACKGROUND) * FIELD_STRENGTH).astype(int)


def mark_colour(view: BoundaryView, y: float) -> np.ndarray:
    """A point's colour: its class's, or its target's on the surface's scale."""
    if view.regression:
        return value_colours(np.array(y), *view.target_range())
    return PALETTE[int(y) % len(PALETTE)]


def boundary_text(view: BoundaryView, show_test: bool = True, discrete: bool = False) -> Text:
    """The plane, two grid pixels a cell, with the training points (and the test points
    when ``show_test``) drawn over it."""
    grid = view.grid
    field = surface_field(view, discrete) if view.regression else class_field(grid, discrete)
    ny, nx = field.shape[:2]
    marks: dict[tuple[int, int], tuple[str, np.ndarray]] = {}
    if view.points is not None:
        X_train, y_train, X_test, y_test = view.points
        sets = ((X_test, y_test, "○"),) if show_test else ()
        for X, y, glyph in (*sets, (X_train, y_train, "●")):
            rows, cols = grid.cell_of(X)
            for r, c, target in zip(rows // 2, cols, y, strict=True):
                marks[(int(r), int(c))] = (glyph, mark_colour(view, target))
    text = Text(no_wrap=True, overflow="crop")
    for row in range(ny // 2):
        for col in range(nx):
            top, bottom = field[2 * row, col], field[2 * row + 1, col]
            bg = f"rgb({bottom[0]},{bottom[1]},{bottom[2]})"
            if (row, col) in marks:
                glyph, (r, g, b) = marks[(row, col)]
                text.append(glyph, f"bold rgb({r},{g},{b}) on {bg}")
            else:
                text.append("▀", f"rgb({top[0]},{top[1]},{top[2]}) on {bg}")
        text.append("\n")
    return text


def swatch(colour: np.ndarray) -> str:
    r, g, b = colour
    return f"rgb({r},{g},{b})"


def legend(view: BoundaryView, show_test: bool = True, discrete: bool = False) -> Text:
    """One line: what the marks and the field mean, and the keys that change them (v, b)."""
    points = "● train ○ test (v)" if show_test else "● train (v: ○ test hidden)"
    text = Text(no_wrap=True, overflow="crop")
    if view.regression:
        low, high = view.target_range()
        field = "value in bands" if discrete else "predicted value"
        text.append(f"{points} · surface: {field} (b) ", style="dim")
        text.append(f"■ {low:.3g} ", style=swatch(value_colours(np.array(low), low, high)))
        text.append(f"■ {high:.3g}", style=swatch(value_colours(np.array(high), low, high)))
        return text
    field = "class only" if discrete else "class, brighter = surer"
    text.append(f"{points} · field: {field} (b) ", style="dim")
    for i, name in enumerate(view.classes):
        text.append(f"■ {name} ", style=swatch(PALETTE[i % len(PALETTE)]))
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
        rows = max(1, self.size.height - 1)  # one row for the legend
        self.post_message(self.Resized(max(2, self.size.width), 2 * rows))

    def render(self) -> Text:
        s = self.view
        if s is None:
            return Text("")
        if s.grid is None:
            return Text(explanation(s), style="italic")
        legend_text = legend(s, self.show_test, self.discrete)
        return legend_text + Text("\n") + boundary_text(s, self.show_test, self.discrete)


class OutputPlane(Pane, Vertical):
    """View 3: the plane for 2-D data (and a note for other classification data), or
    predicted against actual for a regression model on other data."""

    def compose(self) -> ComposeResult:
        yield DecisionBoundary(id="boundary-plane")
        yield PredictedPlot(id="predicted-plot")

    def show(self, view: BoundaryView | FitView) -> None:
        fit = isinstance(view, FitView)
        plane, plot = self.query_one(DecisionBoundary), self.query_one(PredictedPlot)
        plane.display, plot.display = not fit, fit
        (plot if fit else plane).show(view)
