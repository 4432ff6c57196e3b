"""The classification report: confusion matrices with precision and recall, train and test."""

import math

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from nntui.session import Snapshot
from nntui.widgets.pane import Pane


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%" if math.isfinite(value) else "—"


def confusion_table(title: str, classes: tuple[str, ...], part) -> Table:
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
        table.add_row(name[:18], *cells, _pct(recall[i]))
    table.add_row("precision", *(Text(_pct(p), style="cyan") for p in precision), "")
    return table


class ClassificationReport(Pane, Static):
    def show(self, snapshot: Snapshot) -> None:
        report = snapshot.report
        if report is None:
            if snapshot.task == "regression":
                why = f"A classification report needs classes; {snapshot.dataset} is regression."
                self.update(Text(why, style="italic"))
            return
        classes = report.classes or tuple(str(i) for i in range(report.train[0].shape[0]))
        parts = [confusion_table("train", classes, report.train)]
        if report.test is not None:
            parts.append(confusion_table("test", classes, report.test))
        self.update(Group(*parts))
