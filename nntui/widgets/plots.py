"""The training view: cost and accuracy (R² for regression) per epoch, train and test, drawn
with plotext.

Train is a fine braille line and test a line of dots, in the palette's train and test
colours, so that they differ without colour too; the legend sits in the title, above the
curves. Epochs are ticked at whole numbers and values at evenly spaced round numbers (powers
of ten on a log scale, which the axis label says). Before the first epoch a plot says which
keys start training.
"""

import math
from dataclasses import dataclass

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal

from nntui.palette import palette
from nntui.session import HistoryColumns, Session
from nntui.views import UiState
from nntui.widgets.chart import Chart
from nntui.widgets.pane import Pane


@dataclass(frozen=True)
class HistoryView:
    """The sampled history of the whole run, whether accuracy applies (it does not for
    regression), and the epoch of the checkpoint viewed (a vertical line), if one is."""

    history: HistoryColumns
    regression: bool
    viewing: int | None = None


def history_view(session: Session, ui: UiState) -> HistoryView:
    regression = session.facts().task == "regression"
    return HistoryView(session.history(), regression, session.viewing)


MAX_POINTS = 400  # at most; a plot draws about two points per braille column it has
TRAIN_MARKER, TEST_MARKER = "braille", "dot"
LEGEND = "⠤⠤ train  ••• test"
EMPTY_HINT = "no epoch yet. Press space to train, n: one epoch, .: one phase."
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


def nice_step(span: float, intervals: int) -> float:
    """The round step (1, 2 or 5 times a power of ten) that cuts ``span`` into at most
    about ``intervals`` pieces."""
    raw = span / max(1, intervals)
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))


def linear_ticks(low: float, high: float, most: int, integer: bool = False) -> list[float]:
    """At most about ``most`` (and at least two) evenly spaced round ticks within
    [low, high]; whole numbers only if ``integer`` (an epoch)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return []
    if high <= low:
        return [round(low) if integer else low]
    ticks: list[float] = []
    for intervals in range(max(1, most - 1), max(2, most - 1) + 4):
        step = nice_step(high - low, intervals)
        if integer:
            step = max(1.0, step)
        first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
        digits = max(0, -math.floor(math.log10(step)))
        ticks = [float(round(k * step, digits)) for k in range(first, last + 1)]
        if len(ticks) >= 2:
            break
    return ticks


def log_ticks(low: float, high: float, most: int) -> list[float]:
    """Powers of ten within [low, high] (> 0); with 2 and 5 times them if fewer than two;
    evenly spaced round values if the range is narrower still."""
    if not (low > 0 and math.isfinite(high) and high >= low):
        return []
    exponents = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
    for mantissas in ((1,), (1, 2, 5)):
        ticks = [
            m * 10.0**e for e in exponents for m in mantissas
            if low * (1 - 1e-9) <= m * 10.0**e <= high * (1 + 1e-9)
        ]  # fmt: skip
        if len(ticks) >= 2:
            return ticks
    return linear_ticks(low, high, most)


def tick_label(value: float) -> str:
    return f"{value:g}"


class HistoryPlot(Pane, Chart):
    """One quantity per epoch for train and test; redrawn only when told something changed."""

    def __init__(self, what: str, *, id: str) -> None:
        super().__init__(id=id)
        self.what = what  # "cost" or "accuracy"
        self.log_scale = False

    hint = ""  # shown instead of the plot when there is nothing to draw

    def show(self, view: HistoryView) -> None:
        h = view.history
        if self.what == "cost":
            train, test = h.train_cost, h.test_cost
            name = "cost J" + (" (standardised y)" if view.regression else "")
            label = "J (log scale)" if self.log_scale else "J"
        elif view.regression:
            train, test = h.train_r2, h.test_r2
            name, label = "R² = 1 - SS_res/SS_tot", "R²"
        else:
            train, test = h.train_acc, h.test_acc
            name, label = "accuracy", "accuracy"
        if not train:
            self.hint = f"{name}: {EMPTY_HINT}"
        else:
            self.hint = ""
            plt = self.plt
            plt.clear_data()
            plt.clear_figure()
            self._plot_curves(h.epochs, train, test, bounded=not view.regression)
            if view.viewing is not None:
                plt.vline(view.viewing, color=palette(self.app).accent)
                name += f" ┃ epoch {view.viewing}"
            plt.title(f"{name}   {LEGEND}")
            plt.xlabel("epoch")
            plt.ylabel(label)
        self.refresh()

    def _plot_curves(
        self,
        epochs: tuple[int, ...],
        train: tuple[float, ...],
        test: tuple[float, ...],
        bounded: bool,
    ) -> None:
        """Both curves, their ticks, and the scale; accuracy (``bounded``) from 0 to 1."""
        plt, colours = self.plt, palette(self.app)
        limit = max(20, 2 * self.size.width)
        values: list[float] = []
        for column, colour, marker in (
            (train, colours.train, TRAIN_MARKER),
            (test, colours.test, TEST_MARKER),
        ):
            xs, ys = thin(epochs, column, limit)
            if ys:
                plt.plot(xs, ys, color=colour, marker=marker)
                values += ys
        x_ticks = linear_ticks(epochs[0], epochs[-1], max(2, self.size.width // 10), integer=True)
        plt.xticks(x_ticks, [tick_label(t) for t in x_ticks])
        if self.what == "accuracy" and bounded:
            plt.ylim(0, 1)
            low, high = 0.0, 1.0
        else:
            low, high = min(values, default=0.0), max(values, default=1.0)
        if self.log_scale and self.what == "cost":
            plt.yscale("log")
            y_ticks = log_ticks(low, high, max(2, self.size.height // 3))
        else:
            y_ticks = linear_ticks(low, high, max(2, self.size.height // 3))
        plt.yticks(y_ticks, [tick_label(t) for t in y_ticks])

    def render(self) -> RenderableType:
        if self.hint:
            return Text(self.hint, style="italic")
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
        if not view.history.epochs:  # the hints: no plotext, no wait for the timer
            self.tick(running=False)

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
