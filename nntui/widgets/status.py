"""The status bar: state, epoch, costs, accuracies, speed."""

import math

from rich.text import Text
from textual.widgets import Static

from nntui.session import Snapshot
from nntui.widgets.pane import Pane


def _num(value: float, fmt: str = ".4g") -> str:
    return format(value, fmt) if math.isfinite(value) else "—"


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%" if math.isfinite(value) else "—"


def status_text(snapshot: Snapshot, running: bool, error: str = "") -> Text:
    s = snapshot
    state = Text(" ▶ running " if running else " ⏸ paused ", style="bold reverse")
    parts = [
        f"epoch {s.epoch}",
        f"cost: train {_num(s.last(s.train_cost))}  test {_num(s.last(s.test_cost))}",
    ]
    if s.task != "regression":
        parts.append(f"acc: train {_pct(s.last(s.train_acc))}  test {_pct(s.last(s.test_acc))}")
    if running:
        parts.append(f"{s.epochs_per_second:,.0f} epochs/s")
    text = state + Text(" " + " │ ".join(parts))
    if error:
        text.append("   " + error, style="bold red")
    return text


class StatusBar(Pane, Static):
    """One line under the panes."""

    def show(self, snapshot: Snapshot, running: bool, error: str = "") -> None:
        self.update(status_text(snapshot, running, error), layout=False)  # always one line
