"""The status bar: state, epoch, costs, accuracies, speed, and what undo (u) would undo.

While a checkpoint is viewed ([ and ]) it says "viewing epoch k of N", its numbers are those
of epoch k, and it carries the tcss class ``-viewing`` (the theme's warning colour)."""

import math
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from nntui.pace import speed_label
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
    speed: int | None  # the pace asked for, epochs per second; None: max
    undo: str  # the change u would undo, e.g. "reset"; '' if none
    train_r2: float = float("nan")
    test_r2: float = float("nan")
    test_rmse: float = float("nan")  # in the target's own units
    viewing: int | None = None  # the checkpoint's epoch shown; None: the present


def status_view(session: Session, ui: UiState) -> StatusView:
    state, step = session.training_state(), session.undo_step()
    h = session.history(2, viewed=True)
    return StatusView(
        state.epoch, h.last(h.train_cost), h.last(h.test_cost), h.last(h.train_acc),
        h.last(h.test_acc), session.facts().task == "regression", state.epochs_per_second,
        session.config.speed,
        step.what if step else "",
        h.last(h.train_r2), h.last(h.test_r2), h.last(h.test_rmse), state.viewing,
    )  # fmt: skip


def _num(value: float, fmt: str = ".4g") -> str:
    return format(value, fmt) if math.isfinite(value) else "—"


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%" if math.isfinite(value) else "—"


def _speed(s: StatusView, running: bool) -> str:
    """The pace asked for and, while running, the pace reached if it falls short."""
    text = f"speed {speed_label(s.speed)}"
    reached = s.epochs_per_second
    if running and reached > 0 and (s.speed is None or reached < 0.9 * s.speed):
        text += f" ({reached:,.0f}/s)" if s.speed is not None else f" {reached:,.0f} epochs/s"
    return text


def status_text(s: StatusView, running: bool, error: str = "", width: int = 0) -> Text:
    """The line; when it would be wider than ``width`` (if given), shorter labels, and at
    last no speed (the speed field of the form shows it)."""
    state = Text(" ▶ running " if running else " ⏸ paused ", style="bold reverse")
    for cost, acc, r2, undo, viewing, speed in (
        ("cost: train {}  test {}", "acc: train {}  test {}", "R²: train {}  test {}  RMSE test {}",
         "u: undo {}", "viewing epoch {} of {} (B: go back to it, esc: the present)", True),
        ("J {}/{}", "acc {}/{}", "R² {}/{} RMSE {}", "u: undo {}", "viewing epoch {} of {}", True),
        ("J {}/{}", "acc {}/{}", "R² {}/{} RMSE {}", "u: undo", "viewing {} of {}", False),
    ):  # fmt: skip
        where = f"epoch {s.epoch}"
        if s.viewing is not None:
            where = viewing.format(s.viewing, s.epoch)
        parts = [where] + ([_speed(s, running)] if speed else [])
        parts.append(cost.format(_num(s.train_cost), _num(s.test_cost)))
        if s.regression:
            parts.append(r2.format(_num(s.train_r2, ".3f"), _num(s.test_r2, ".3f"),
                                   _num(s.test_rmse)))  # fmt: skip
        else:
            parts.append(acc.format(_pct(s.train_acc), _pct(s.test_acc)))
        if s.undo:
            parts.append(undo.format(s.undo))
        line = " " + " │ ".join(parts)
        if not width or len(state) + len(line) <= width:
            break
    text = state + Text(line)
    if error:
        text.append("   " + error, style="bold red")
    return text


class StatusBar(Pane, Static):
    """One line under the panes; ``running`` and ``error`` are the app's. Resized, it
    chooses its labels again."""

    running = False
    error = ""
    _view: StatusView | None = None

    def show(self, view: StatusView) -> None:
        self._view = view
        self.set_class(view.viewing is not None, "-viewing")
        self.redraw()

    def say(self, running: bool, error: str) -> None:
        self.running, self.error = running, error
        self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        if self._view is not None:  # always one line: no layout
            line = status_text(self._view, self.running, self.error, self.size.width)
            self.update(line, layout=False)
