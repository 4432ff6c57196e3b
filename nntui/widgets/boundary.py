"""The decision boundary: the model's predicted class over the input plane, with the data.

Each terminal cell holds two grid pixels (▀: top in the foreground colour, bottom in the
background). A pixel's hue is its predicted class, its brightness the model's confidence.
Training points are drawn as ● and test points as ○, in their true class's bright colour.
"""

from dataclasses import dataclass

import numpy as np
from rich.text import Text
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from engine.data import REGISTRY
from engine.inspect import BoundaryGrid, decision_grid
from nntui.session import Session
from nntui.views import UiState
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


def boundary_view(session: Session, ui: UiState) -> BoundaryView:
    """The grid's forward pass runs on a copy of the model, outside the Session's lock."""
    facts, plane = session.facts(), session.plane()
    grid = None
    if plane is not None:  # over the data's own plane, whatever features the inputs are
        nx, ny = ui.boundary_size
        model = session.model_copy()
        grid = decision_grid(lambda P: model.output(plane.inputs(P)), plane.X_train, nx, ny)
    n_x = 2 if plane is not None else facts.layer_dims[0]
    return BoundaryView(grid, session.points(), facts.classes, facts.dataset, n_x)


PALETTE = np.array(
    [[255, 140, 66], [74, 168, 255], [120, 220, 120], [230, 100, 200], [240, 220, 90],
     [150, 120, 255], [90, 220, 220], [255, 90, 90], [200, 200, 200], [180, 140, 90]]
)  # fmt: skip
BACKGROUND = np.array([24, 24, 30])


def field_colours(grid: BoundaryGrid) -> np.ndarray:
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
    hue = PALETTE[cls % len(PALETTE)]
    strength = 0.15 + 0.45 * np.clip(confidence, 0, 1)[..., None]
    return (BACKGROUND + (hue - BACKGROUND) * strength).astype(int)


def boundary_text(view: BoundaryView) -> Text:
    grid = view.grid
    field = field_colours(grid)
    ny, nx = field.shape[:2]
    marks: dict[tuple[int, int], tuple[str, int]] = {}
    if view.points is not None:
        X_train, y_train, X_test, y_test = view.points
        for X, y, glyph in ((X_test, y_test, "○"), (X_train, y_train, "●")):
            rows, cols = grid.cell_of(X)
            for r, c, label in zip(rows // 2, cols, y, strict=True):
                marks[(int(r), int(c))] = (glyph, int(label))
    text = Text(no_wrap=True, overflow="crop")
    for row in range(ny // 2):
        for col in range(nx):
            top, bottom = field[2 * row, col], field[2 * row + 1, col]
            bg = f"rgb({bottom[0]},{bottom[1]},{bottom[2]})"
            if (row, col) in marks:
                glyph, label = marks[(row, col)]
                r, g, b = PALETTE[label % len(PALETTE)]
                text.append(glyph, f"bold rgb({r},{g},{b}) on {bg}")
            else:
                text.append("▀", f"rgb({top[0]},{top[1]},{top[2]}) on {bg}")
        text.append("\n")
    return text


def legend(view: BoundaryView) -> Text:
    text = Text("● train  ○ test   field: predicted class, brighter = surer   ", style="dim")
    for i, name in enumerate(view.classes):
        r, g, b = PALETTE[i % len(PALETTE)]
        text.append(f"■ {name}  ", style=f"rgb({r},{g},{b})")
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
        rows = max(1, self.size.height - 1)  # one row for the legend
        self.post_message(self.Resized(max(2, self.size.width), 2 * rows))

    def render(self) -> Text:
        s = self.view
        if s is None:
            return Text("")
        if s.grid is None:
            return Text(explanation(s), style="italic")
        return legend(s) + Text("\n") + boundary_text(s)
