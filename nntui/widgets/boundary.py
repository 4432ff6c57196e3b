"""The decision boundary: the model's predicted class over the input plane, with the data.

Each terminal cell holds two grid pixels (▀: top in the foreground colour, bottom in the
background). A terminal cell is about twice as tall as it is wide, so a pixel is about
square, and the grid gets the same scale on both axes: a circle in the data looks round. The
plane fills the pane; the axes say the first two features' names and ranges. A pixel's hue
is its predicted class (the palette's class colours), its brightness the model's confidence.
Training points are drawn as ● and test points as ○, in their true class's colour.
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
from nntui.widgets.pane import Pane

Points = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # X_train, labels, X_test, labels


@dataclass(frozen=True)
class BoundaryView:
    """The model's output over the input plane (None unless n_x = 2) and the points on it."""

    grid: BoundaryGrid | None
    points: Points | None
    classes: tuple[str, ...]
    dataset: str
    n_x: int
    axes: tuple[str, str] = ("x1", "x2")


def boundary_view(session: Session, ui: UiState) -> BoundaryView:
    """The grid's forward pass runs on a copy of the model, outside the Session's lock."""
    facts, plane = session.facts(), session.plane()
    grid = None
    if plane is not None:  # over the data's own plane, whatever features the inputs are
        nx, ny = ui.boundary_size
        model = session.model_copy()
        grid = decision_grid(lambda P: model.output(plane.inputs(P)), plane.X_train, nx, ny,
                             pixel_aspect=PIXEL_ASPECT)  # fmt: skip
    names = facts.feature_names
    own_names = plane is not None and plane.features == DEFAULT_FEATURES and len(names) == 2
    axes = (names[0], names[1]) if own_names else ("x1", "x2")
    n_x = 2 if plane is not None else facts.layer_dims[0]
    return BoundaryView(grid, session.points(), facts.classes, facts.dataset, n_x, axes)


CELL_ASPECT = 2.0  # a terminal cell's height / width, about
PIXEL_ASPECT = CELL_ASPECT / 2  # two pixels a cell, one above the other
GUTTER = 8  # columns left of the plane for the x2 axis
AXIS_NAME = 6  # characters of an axis name, at most
CHROME_ROWS = 2  # the legend above the plane, the x1 axis below it


def field_colours(grid: BoundaryGrid, colours: Palette) -> np.ndarray:
    """(ny, nx, 3): each pixel's class hue, dimmed where the model is unsure."""
    probs = grid.probs
    if probs.shape[0] == 1:  # binary: p(class 1)
        p = probs[0]
        cls = (p >= 0.5).astype(int)
        confidence = np.abs(p - 0.5) * 2
    else:
        cls = probs.argmax(axis=0)
        k = probs.shape[0]
        confidence = (probs.max(axis=0) - 1 / k) / (1 - 1 / k)
    hues = np.array(colours.classes)
    hue = hues[cls % len(hues)]
    background = np.array(colours.background)
    strength = 0.15 + 0.45 * np.clip(confidence, 0, 1)[..., None]
    return (background + (hue - background) * strength).astype(int)


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


def boundary_text(view: BoundaryView, p: Palette) -> Text:
    """The plane with its x2 axis on the left and its x1 axis below."""
    grid = view.grid
    field = field_colours(grid, p)
    ny, nx = field.shape[:2]
    marks: dict[tuple[int, int], tuple[str, int]] = {}
    if view.points is not None:
        X_train, y_train, X_test, y_test = view.points
        for X, y, glyph in ((X_test, y_test, "○"), (X_train, y_train, "●")):
            rows, cols = grid.cell_of(X)
            for r, c, label in zip(rows // 2, cols, y, strict=True):
                marks[(int(r), int(c))] = (glyph, int(label))
    text = Text(no_wrap=True, overflow="crop")
    axis_style = style(p.foreground)
    for row in range(ny // 2):
        text.append(y_axis(view, row, ny // 2), axis_style)
        for col in range(nx):
            top, bottom = field[2 * row, col], field[2 * row + 1, col]
            bg = f"rgb({bottom[0]},{bottom[1]},{bottom[2]})"
            if (row, col) in marks:
                glyph, label = marks[(row, col)]
                text.append(glyph, f"bold {style(p.hue(label))} on {bg}")
            else:
                text.append("▀", f"rgb({top[0]},{top[1]},{top[2]}) on {bg}")
        text.append("\n")
    text.append(x_axis(view, nx), axis_style)
    return text


def legend(view: BoundaryView, p: Palette) -> Text:
    text = Text(no_wrap=True, overflow="crop")
    text.append("● train  ○ test   field: predicted class, brighter = surer   ", style="dim")
    for i, name in enumerate(view.classes):
        text.append(f"■ {name}  ", style=style(p.hue(i)))
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
    """Draws the view's grid; says why not when there is none."""

    view: reactive[BoundaryView | None] = reactive(None, always_update=True)

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
        return legend(s, colours) + Text("\n") + boundary_text(s, colours)
