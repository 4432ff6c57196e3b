"""A regression model's fit: predicted against actual (view 3) and the residuals (view 4).

Both draw the model's own outputs Ŷ = A[L] for the training and test examples, which the
Session computes on a copy of the model, outside its lock (``Session.predictions``). A
perfect model puts every point on the line y = x and every residual Y - Ŷ at 0.
"""

from dataclasses import dataclass

import numpy as np
from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget

from engine.inspect import shared_histogram
from nntui.palette import RGB, Palette, palette
from nntui.session import Predictions, Session
from nntui.views import UiState
from nntui.widgets.bars import BarChart, Bars
from nntui.widgets.chart import Chart
from nntui.widgets.pane import Pane

MIN_PLOT = (24, 6)  # below this plotext draws only labels
RESIDUAL_BINS = 24


@dataclass(frozen=True)
class FitView:
    """Targets and predictions of a regression model, train and test (copies), and the
    residuals' histogram: shared edges (RESIDUAL_BINS + 1,) and train's then, with a test
    part, test's counts (RESIDUAL_BINS,)."""

    predictions: Predictions
    dataset: str
    residual_edges: np.ndarray
    residual_counts: tuple[np.ndarray, ...]


def residuals(p: Predictions) -> tuple[np.ndarray, np.ndarray | None]:
    """Y - Ŷ for train and test (None without a test part), flattened."""
    test = None if p.Y_test is None else (p.Y_test - p.Yhat_test).ravel()
    return (p.Y_train - p.Yhat_train).ravel(), test


def fit_view(session: Session, ui: UiState) -> FitView:
    """The model's predictions, and its residuals binned by the engine on shared edges."""
    predictions = session.predictions()
    found = [r for r in residuals(predictions) if r is not None and r.size]
    edges, counts = shared_histogram(found, RESIDUAL_BINS)
    return FitView(predictions, session.facts().dataset, edges, tuple(counts))


def parts(view: FitView, colours: Palette) -> list[tuple[str, np.ndarray, np.ndarray, RGB]]:
    """(label, Y, Ŷ, colour) flattened, for train and, if there is one, test, in the
    palette's train and test colours."""
    p = view.predictions
    found = [("train", p.Y_train, p.Yhat_train, colours.train)]
    if p.Y_test is not None and p.Y_test.size:
        found.append(("test", p.Y_test, p.Yhat_test, colours.test))
    return [(label, Y.ravel(), Yhat.ravel(), colour) for label, Y, Yhat, colour in found]


def finite(*arrays: np.ndarray) -> list[np.ndarray]:
    """The arrays at the positions where all of them are finite (plotext cannot draw inf)."""
    keep = np.logical_and.reduce([np.isfinite(a) for a in arrays])
    return [a[keep] for a in arrays]


class FitPlot(Pane, Chart):
    """A plotext chart that says so when it is too small to draw."""

    def render(self) -> RenderableType:
        width, height = self.size
        lacking = {"wider": width < MIN_PLOT[0], "taller": height < MIN_PLOT[1]}
        if any(lacking.values()):
            more = " and ".join(way for way, short in lacking.items() if short)
            return Text(f"too small for this plot: make the terminal {more}", style="dim italic")
        return super().render()


class FitSwitch(Pane, Vertical):
    """A view of two widgets: ``PLAIN`` shows the views of classification data, ``FIT`` a
    regression model's FitView; only the one in use is displayed. Each is (its class, its
    id)."""

    PLAIN: tuple[type[Widget], str]
    FIT: tuple[type[Widget], str]

    def compose(self) -> ComposeResult:
        (plain, plain_id), (fit, fit_id) = self.PLAIN, self.FIT
        self._plain, self._fit = plain(id=plain_id), fit(id=fit_id)
        yield self._plain
        yield self._fit

    def show(self, view: object) -> None:
        fit = isinstance(view, FitView)
        self._plain.display, self._fit.display = not fit, fit
        (self._fit if fit else self._plain).show(view)


class PredictedPlot(FitPlot):
    """Ŷ (up) against Y (across), train and test, with the line y = x."""

    def show(self, view: FitView) -> None:
        plt, colours = self.plt, palette(self.app)
        plt.clear_data()
        plt.clear_figure()
        plt.title(f"{view.dataset}: predicted Ŷ against actual Y · on the line = exact")
        plt.xlabel("actual Y")
        drawn = []
        for label, Y, Yhat, colour in parts(view, colours):
            Y, Yhat = finite(Y, Yhat)
            plt.scatter(Y.tolist(), Yhat.tolist(), label=label, color=colour, marker="dot")
            drawn.append(Y)
        values = np.concatenate(drawn)
        if values.size:
            low, high = float(values.min()), float(values.max())
            plt.plot([low, high], [low, high], label="y = x", color=colours.muted, marker="braille")
        self.refresh()


class ResidualsPlot(Pane, BarChart):
    """A histogram of the residuals Y - Ŷ: train's and test's bars side by side in each bin,
    as shares of their own examples."""

    def show(self, view: FitView) -> None:
        colours = palette(self.app)
        series = tuple(zip(("train", "test"), view.residual_counts, (colours.train, colours.test),
                           strict=False))  # fmt: skip
        title = f"{view.dataset}: residuals Y - Ŷ (0 = exact)"
        self.draw(Bars(title, view.residual_edges, series, shares=True), colours.muted)
