"""View 4: for classification, confusion matrices with precision and recall, train and
test; for regression, the residuals (``nntui.widgets.fit``)."""

import math
from dataclasses import dataclass

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from engine.metrics import classification_report
from nntui.session import Session
from nntui.views import UiState
from nntui.widgets.fit import FitSwitch, FitView, ResidualsPlot, fit_view
from nntui.widgets.pane import Pane

Part = tuple[np.ndarray, np.ndarray, np.ndarray]  # confusion (k, k), precision (k,), recall (k,)


@dataclass(frozen=True)
class Report:
    """Confusion matrices (k, k) and per-class precision and recall, train and test."""

    classes: tuple[str, ...]
    train: Part
    test: Part | None


@dataclass(frozen=True)
class ReportView:
    """The classification report of a model that has classes."""

    report: Report
    dataset: str


def report_view(session: Session, ui: UiState) -> ReportView | FitView:
    """Two forward passes over the examples, on a copy of the model, outside the lock; for
    regression, the predictions whose residuals view 4 draws."""
    facts = session.facts()
    if facts.task == "regression":
        return fit_view(session, ui)
    model, ex = session.model_copy(), session.examples()
    k = max(len(facts.classes), 2)
    train = classification_report(model.output(ex.X), ex.Y, k)
    test = None
    if ex.X_test is not None:
        test = classification_report(model.output(ex.X_test), ex.Y_test, k)
    return ReportView(Report(facts.classes, train, test), facts.dataset)


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%" if math.isfinite(value) else "—"


def confusion_table(title: str, classes: tuple[str, ...], part: Part) -> Table:
    """Rows: true class; columns: predicted class; plus recall per row and precision per column."""
    confusion, precision, recall = part
    m = int(confusion.sum())
    accuracy = np.trace(confusion) / m if m else math.nan
    table = Table(title=f"{title}: m = {m}, accuracy {_pct(accuracy)}", title_style="bold",
                  show_edge=False, pad_edge=False, padding=(0, 1))  # fmt: skip
    table.add_column("true ↓ predicted →", style="bold", no_wrap=True)
    for name in classes:
        table.add_column(name[:8], justify="right")
    table.add_column("recall", justify="right", style="cyan")
    for i, name in enumerate(classes):
        cells = [
            Text(str(n), style="bold green" if i == j else ("red" if n else "dim"))
            for j, n in enumerate(confusion[i])
        ]
        table.add_row(Text(name[:18]), *cells, _pct(recall[i]))
    table.add_row("precision", *(Text(_pct(p), style="cyan") for p in precision), "")
    return table


class ClassificationReport(Pane, VerticalScroll):
    """The report's tables, scrolled when they are taller than the pane."""

    def compose(self) -> ComposeResult:
        yield Static(id="report-text", markup=False)

    def show(self, view: ReportView) -> None:
        report = view.report
        classes = report.classes or tuple(str(i) for i in range(report.train[0].shape[0]))
        parts = [confusion_table("train", classes, report.train)]
        if report.test is not None:
            parts.append(confusion_table("test", classes, report.test))
        self.query_one("#report-text", Static).update(Group(*parts))


class ErrorsPane(FitSwitch):
    """View 4: the classification report, or a regression model's residuals."""

    PLAIN = (ClassificationReport, "classes-report")
    FIT = (ResidualsPlot, "residuals-plot")
