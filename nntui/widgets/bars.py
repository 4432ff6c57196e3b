"""A histogram drawn in block characters: counts the engine binned, one bar per bin.

Every bin gets the same whole number of columns, so no bin falls between two cells (plotext's
bars leave regular empty columns when the bins do not divide the width), an empty bin draws
nothing and a bin of one value draws at least its lowest eighth. Two series (train and
test) share each bin's columns side by side, as shares of their own totals so that a test
part a quarter the size still compares.
"""

from dataclasses import dataclass

import numpy as np
from rich.console import RenderableType
from rich.text import Text
from textual.widget import Widget

from nntui.palette import RGB, style

EIGHTHS = " ▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class Bars:
    """What a histogram shows: bin edges (bins + 1,) and one or more series of counts
    (bins,), each with its label and colour; ``shares``: each series as a share of its total."""

    title: str
    edges: np.ndarray
    series: tuple[tuple[str, np.ndarray, RGB], ...]
    shares: bool = False


def column_heights(values: np.ndarray, top: float, rows: int) -> np.ndarray:
    """Bar heights in eighths of a cell (0 .. 8 * rows) for values from 0 to ``top``; a
    value above 0 gets at least one eighth."""
    if top <= 0:
        return np.zeros(len(values), dtype=int)
    eighths = np.rint(values / top * 8 * rows).astype(int)
    return np.where(values > 0, np.maximum(eighths, 1), 0)


def bar_rows(heights: np.ndarray, rows: int) -> list[str]:
    """The rows, top first, of bars ``heights`` eighths high, one column each."""
    lines = []
    for r in range(rows - 1, -1, -1):  # r cells of the bar lie below this row
        fill = np.clip(heights - 8 * r, 0, 8)
        lines.append("".join(EIGHTHS[f] for f in fill))
    return lines


def axis_labels(edges: np.ndarray, width: int) -> str:
    """The lowest, middle and highest edge under a plot ``width`` columns wide; the middle
    one only where a space is left on each side of it, the highest only beside the lowest."""
    low, mid, high = (f"{float(v):.3g}" for v in (edges[0], edges[len(edges) // 2], edges[-1]))
    if len(low) + 1 + len(high) > width:
        return low[:width]
    line = low.ljust(width - len(high)) + high
    at = (width - len(mid)) // 2
    if at > len(low) and at + len(mid) < width - len(high):
        line = line[:at] + mid + line[at + len(mid) :]
    return line


def bars_text(bars: Bars, width: int, height: int, muted: RGB) -> Text:
    """The title and legend (one line, cut to ``width``), the bars (``height`` - 2 rows),
    the lowest, middle and highest edge under them."""
    n_bins, n_series = len(bars.edges) - 1, len(bars.series)
    per_bin = width // (n_bins * n_series) * n_series  # columns a bin, split among the series
    rows = height - 2
    if per_bin == 0 or rows < 1:
        return Text("too small for this histogram: make the terminal larger", style="dim italic")
    values = [counts / max(counts.sum(), 1) if bars.shares else counts
              for _, counts, _ in bars.series]  # fmt: skip
    top = max(float(v.max()) for v in values)
    text = Text(bars.title)
    if n_series > 1:
        for label, _, colour in bars.series:
            text.append("   ■", style=style(colour)).append(f" {label}")
    scale = f"{100 * top:.0f}% of its examples" if bars.shares else f"{top:,.0f}"
    text.append(f"  (top: {scale})", style=style(muted))
    text.truncate(width, overflow="ellipsis")  # one line, whatever the width
    text.append("\n")
    columns = []  # (series index, value) for each column, bin by bin
    for b in range(n_bins):
        for s in range(n_series):
            columns += [(s, values[s][b])] * (per_bin // n_series)
    heights = column_heights(np.array([v for _, v in columns]), top, rows)
    plot_width = len(columns)
    styles = [style(colour) for _, _, colour in bars.series]
    for line in bar_rows(heights, rows):
        for (s, _), char in zip(columns, line, strict=True):
            text.append(char, style=styles[s])
        text.append("\n")
    text.append(axis_labels(bars.edges, plot_width), style=style(muted))
    return text


class BarChart(Widget):
    """A histogram of the ``Bars`` it was last shown, drawn at its size; nothing before."""

    DEFAULT_CSS = """
    BarChart {
        width: 1fr;
        height: 1fr;
    }
    """

    bars: Bars | None = None
    muted: RGB = (128, 128, 128)

    def draw(self, bars: Bars | None, muted: RGB) -> None:
        self.bars, self.muted = bars, muted
        self.refresh()

    def render(self) -> RenderableType:
        if self.bars is None:
            return Text("")
        width, height = self.size
        return bars_text(self.bars, width, height, self.muted)
