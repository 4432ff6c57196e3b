"""The status bar: state, epoch, costs, accuracies, speed."""

import math
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from nntui.session import Session
from nntui.views import UiState
from nntui.widgets.pane import Pane


@dataclass(frozen=True)
class StatusView:
    """The latest epoch's numbers, NaN where they do not apply yet."""

    epoch: int
    train_cost: float
    test_cost: float
    train_acc: float
    test_acc: float
    regression: bool
    epochs_per_second: float
    train_r2: float = float("nan")
    test_r2: float = float("nan")
    test_rmse: float = float("nan")  # in the target's own units


def status_view(session: Session, ui: UiState) -> StatusView:
    state, h = session.training_state(), session.history(2)
    return StatusView(
        state.epoch, h.last(h.train_cost), h.last(h.test_cost), h.last(h.train_acc),
        h.last(h.test_acc), session.facts().task == "regression", state.epochs_per_second,
        h.last(h.train_r2), h.last(h.test_r2), h.last(h.test_rmse),
    )  # fmt: skip


def _num(value: float, fmt: str = ".4g") -> str:
    return format(value, fmt) if math.isfinite(value) else "—"


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%" if math.isfinite(value) else "—"


def status_text(s: StatusView, running: bool, error: str = "") -> Text:
    state = Text(" ▶ running " if running else " ⏸ paused ", style="bold reverse")
    parts = [
        f"epoch {s.epoch}",
        f"cost: train {_num(s.train_cost)}  test {_num(s.test_cost)}",
    ]
    if s.regression:
        parts.append(f"R²: train {_num(s.train_r2, '.3f')}  test {_num(s.test_r2, '.3f')}")
        parts.append(f"RMSE test {_num(s.test_rmse)}")
    else:
        parts.append(f"acc: train {_pct(s.train_acc)}  test {_pct(s.test_acc)}")
    if running:
        parts.append(f"{s.epochs_per_second:,.0f} epochs/s")
    text = state + Text(" " + " │ ".join(parts))
    if error:
        text.append("   " + error, style="bold red")
    return text


class StatusBar(Pane, Static):
    """One line under the panes; ``running`` and ``error`` are the app's."""

    running = False
    error = ""
    _view: StatusView | None = None

    def show(self, view: StatusView) -> None:
        self._view = view
        self.redraw()

    def say(self, running: bool, error: str) -> None:
        self.running, self.error = running, error
        self.redraw()

    def redraw(self) -> None:
        if self._view is not None:  # always one line: no layout
            self.update(status_text(self._view, self.running, self.error), layout=False)
