"""The training view: cost and accuracy (R² for regression) per epoch, train and test,
drawn with plotext."""

import math
from dataclasses import dataclass

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual_plotext import PlotextPlot

from nntui.session import HistoryColumns, Session
from nntui.views import UiState
from nntui.widgets.pane import Pane


@dataclass(frozen=True)
class HistoryView:
    """The sampled history, and whether accuracy applies (it does not for regression)."""

    history: HistoryColumns
    regression: bool


def history_view(session: Session, ui: UiState) -> HistoryView:
    return HistoryView(session.history(), session.facts().task == "regression")


MAX_POINTS = 400  # at most; a plot draws about two points per braille column it has
TRAIN_COLOUR, TEST_COLOUR = "cyan", "orange"
PLOTTABLE = 1e100  # plotext's axis arithmetic overflows on larger magnitudes
MIN_PLOT = (24, 6)  # below this plotext draws only labels, or labels over each other


def plottable(value: float) -> bool:
    return math.isfinite(value) and abs(value) < PLOTTABLE


def thin(
    epochs: tuple[int, ...], values: tuple[float, ...], limit: int = MAX_POINTS
) -> tuple[list[int], list[float]]:
    """(epochs, values): at most about ``limit`` evenly spaced points, always with the last,
    and only values plotext can draw (a cost can be inf when training blows up)."""
    n = len(values)
    step = max(1, math.ceil(n / limit))
    keep = list(range(0, n, step))
    if keep and keep[-1] != n - 1:
        keep.append(n - 1)
    keep = [i for i in keep if plottable(values[i])]
    return [epochs[i] for i in keep], [values[i] for i in keep]


class HistoryPlot(Pane, PlotextPlot):
    """One quantity per epoch for train and test; redrawn only when told something changed."""

    def __init__(self, what: str, *, id: str) -> None:
        super().__init__(id=id)
        self.what = what  # "cost" or "accuracy"
        self.log_scale = False

    def show(self, view: HistoryView) -> None:
        plt, h = self.plt, view.history
        plt.clear_data()
        plt.clear_figure()
        if self.what == "cost":
            train, test = h.train_cost, h.test_cost
            title = "cost J" + (" (standardised y)" if view.regression else "")
            title += " (log scale)" if self.log_scale else ""
        elif view.regression:
            train, test = h.train_r2, h.test_r2
            title = "R² = 1 - SS_res/SS_tot"
        else:
            train, test = h.train_acc, h.test_acc
            title = "accuracy"
        plt.title(title)
        plt.xlabel("epoch")
        if not train:
            plt.title(f"{title}: no epoch yet")
        else:
            for label, values, colour in (
                ("train", train, TRAIN_COLOUR),
                ("test", test, TEST_COLOUR),
            ):
                limit = max(20, 2 * self.size.width)
                epochs, points = thin(h.epochs, values, limit)
                if points:
                    plt.plot(epochs, points, label=label, color=colour, marker="braille")
            if self.what == "accuracy" and not view.regression:
                plt.ylim(0, 1)
            if self.log_scale and self.what == "cost":
                plt.yscale("log")
        self.refresh()

    def render(self) -> RenderableType:
        width, height = self.size
        lacking = {"wider": width < MIN_PLOT[0], "taller": height < MIN_PLOT[1]}
        if any(lacking.values()):
            more = " and ".join(way for way, short in lacking.items() if short)
            return Text(f"too small for the {self.what} plot: make the terminal {more}",
                        style="dim italic")  # fmt: skip
        return super().render()


class TrainingPlots(Pane, Horizontal):
    """The cost and accuracy plots. A plotext rebuild costs ~25 ms, so they redraw on the
    app's timer: while training one per tick, in turn, so that a key press never waits
    for two rebuilds; paused, both at once."""

    _view: HistoryView | None = None
    _stale = False
    _next = 0

    def compose(self) -> ComposeResult:
        yield HistoryPlot("cost", id="cost-plot")
        yield HistoryPlot("accuracy", id="accuracy-plot")

    def show(self, view: HistoryView) -> None:
        self._view, self._stale = view, True

    def toggle_log(self) -> None:
        plot = self.query_one("#cost-plot", HistoryPlot)
        plot.log_scale = not plot.log_scale
        self._stale = True

    def tick(self, running: bool) -> None:
        if not self._stale or self._view is None:
            return
        plots = list(self.query(HistoryPlot))
        if running:
            self._next = (self._next + 1) % len(plots)
            plots = plots[self._next : self._next + 1]
        else:
            self._stale = False
        for plot in plots:
            plot.show(self._view)
