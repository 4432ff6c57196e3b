"""A plotext chart widget that loads plotext only when it first draws a chart.

plotext and textual-plotext take ~25 ms to import, and the opening screen draws no chart
(before the first epoch the training plots show a hint), so the app starts without them.
``Chart`` gives what ``textual_plotext.PlotextPlot`` gives (its figure as ``plt``, drawn at
the widget's size in the app's colours) with the import deferred to the first ``plt``.
"""

from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.text import Text
from textual.color import Color
from textual.widget import Widget

if TYPE_CHECKING:
    from textual_plotext.plot import Plot


class Chart(Widget):
    """A plotext figure (``plt``) drawn at the widget's size, in the app theme's colours."""

    DEFAULT_CSS = """
    Chart {
        width: 1fr;
        height: 1fr;
    }
    """

    _figure: "Plot | None" = None

    @property
    def plt(self) -> "Plot":
        """The figure to draw on, as textual-plotext's ``PlotextPlot.plt`` (made, and
        plotext loaded, on first use)."""
        if self._figure is None:
            from textual_plotext.plot import Plot

            self._figure = Plot()
        return self._figure

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda theme: self.refresh())

    def render(self) -> RenderableType:
        figure, (width, height) = self.plt, self.size
        figure.plotsize(width, height)
        figure._set_size(width, height)  # as PlotextPlot does: plotsize alone may not resize
        figure.theme(self._theme())
        return Text.from_ansi(figure.build())

    def _theme(self) -> str:
        """The name of a plotext theme in the app theme's surface and foreground colours,
        registered with plotext the first time (textual-plotext's "auto" theme)."""
        from plotext._dict import themes
        from textual_plotext.plot import _rgbify_theme, _sequence

        name = f"textual-auto-{self.app.theme}"
        if name not in themes:
            variables = self.app.theme_variables
            surface = Color.parse(variables["surface"]).rgb
            foreground = Color.parse(variables["foreground"]).rgb
            themes[name] = _rgbify_theme(surface, surface, foreground, "default", _sequence)
        return name
