"""The panes, declared once: the app builds its tabs, keys, command palette entries and
dispatch from this list.

Each pane names its id, its widget file in ``nntui/widgets``, its widget class (which has
``show(view)``) and the function in that file that builds its view model from the Session.
The fixed panes are always on screen; a view has a key and a title and sits in a tab of the
lower half. A widget file is imported when its pane is first made or built: the opening
screen does not wait for the views it does not show. Adding a view is one widget file (its
widget, its view model and the function that builds it), one entry in ``VIEWS`` and its
styles in ``app.tcss``.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from textual.widget import Widget

from nntui.session import Session
from nntui.views import Frame, UiState


@dataclass(frozen=True)
class Pane:
    """One pane: its id, its widget file, and the names of its widget class and of the
    function that builds its view model (found in the file when first used). A view (a tab)
    also has a key, a title, and a description for help and the palette."""

    id: str
    file: str  # in nntui/widgets: "inspector" for nntui/widgets/inspector.py
    widget_name: str
    build_name: str  # (Session, UiState) -> the pane's view model
    key: str = ""
    title: str = ""
    description: str = ""
    heavy: bool = True  # redrawn at most every pace.heavy_pane_seconds while training
    regression_title: str = ""  # the title for a regression model, if it shows another thing

    @property
    def widget(self) -> type[Widget]:
        """The widget class (its file is imported the first time)."""
        return getattr(import_module(f"nntui.widgets.{self.file}"), self.widget_name)

    def build(self, session: Session, ui: UiState) -> Any:
        """The pane's view model of the Session now."""
        build = getattr(import_module(f"nntui.widgets.{self.file}"), self.build_name)
        return build(session, ui)

    def title_for(self, task: str) -> str:
        """The tab's label for a model of this task: '3 Decision boundary', '3 Fit'."""
        regression = task == "regression" and self.regression_title
        return f"{self.key} {self.regression_title if regression else self.title}"

    @property
    def widget_id(self) -> str:
        """The widget's DOM id: the pane's id for a fixed pane, '<id>-pane' for a view."""
        return f"{self.id}-pane" if self.key else self.id


FIXED: tuple[Pane, ...] = (
    Pane("status", "status", "StatusBar", "status_view", heavy=False),
    Pane("diagram", "diagram", "LayerDiagram", "diagram_view"),
    Pane("form", "form", "HyperForm", "form_view"),
    Pane("shapes", "shapes", "ShapesTable", "shapes_view"),
)

VIEWS: tuple[Pane, ...] = (
    Pane("training", "plots", "TrainingPlots", "history_view", "1", "Training",
         "training plots"),
    Pane("inspector", "inspector", "Inspector", "inspector_view", "2", "Inspector",
         "tensor inspector"),
    Pane("boundary", "boundary", "OutputPlane", "boundary_view", "3", "Decision boundary",
         "decision boundary (regression: predicted vs actual, or the learned surface)",
         regression_title="Fit"),
    Pane("report", "report", "ErrorsPane", "report_view", "4", "Classes",
         "classification report (regression: residuals)", regression_title="Residuals"),
    Pane("explain", "explain", "Explainer", "explain_view", "5", "Explain",
         "explain one example and unit"),
    Pane("health", "health", "HealthPane", "health_view", "6", "Health",
         "training health over the epochs"),
)  # fmt: skip


def on_screen(view: str) -> Iterable[Pane]:
    """The fixed panes and the one view shown in the tabs."""
    yield from FIXED
    yield from (pane for pane in VIEWS if pane.id == view)


def build_frame(session: Session, ui: UiState) -> Frame:
    """The shared part and the view models of the panes on screen (and only those)."""
    views = {pane.id: pane.build(session, ui) for pane in on_screen(ui.view)}
    return Frame(session.training_state(), session.facts(), views)
