"""The Health view: per layer, its recorded signals over the epochs as sparklines, the
distributions of W[l] and of A[l] over the epochs as two heatmaps side by side, and what
looks wrong, with a hint."""

import math
from dataclasses import dataclass

import numpy as np
from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from engine.health import QUANTILES, SERIES, Finding
from nntui.session import Session
from nntui.views import UiState
from nntui.widgets.pane import Pane

BARS = "▁▂▃▄▅▆▇█"
SHADES = " ░▒▓█"  # a cell's share of the distribution: none, then up to all of it
SHADE_STEPS = (0.0, 0.1, 0.3, 0.6)  # shares above which each next shade is used
HEAT_ROWS = 4  # rows of the W[l] and A[l] heatmaps
HEAT_GAP = 2  # columns between the W[l] and the A[l] heatmap
LABEL_WIDTH = 16
VALUE_WIDTH = 9
LOG_SERIES = ("grad_norm", "update_ratio")  # drawn on a log scale: they span decades
SHARE_SPAN = (0.0, 1.0)  # dead or saturated units: ▁ is none of the layer, █ all of it


@dataclass(frozen=True)
class LayerHealth:
    """Layer l: its size and activation, how it fails ('dead', 'saturated' or ''), its
    series (n, 5) in the order of engine.health.SERIES, its W and A quantiles (n, 17)."""

    l: int
    units: int
    activation: str
    kind: str
    series: np.ndarray
    w_quantiles: np.ndarray
    a_quantiles: np.ndarray


@dataclass(frozen=True)
class HealthView:
    """The recorded epochs (n,), each layer's health, and the findings of the latest."""

    epochs: np.ndarray
    layers: tuple[LayerHealth, ...]
    findings: tuple[Finding, ...]


def health_view(session: Session, ui: UiState) -> HealthView:
    """The Session's copy of the health record, split by layer."""
    health, facts = session.health(), session.facts()
    layers = tuple(
        LayerHealth(l, facts.layer_dims[l], facts.activations[l - 1], health.kinds[l - 1],
                    health.series[:, :, l - 1], health.w_quantiles[:, l - 1],
                    health.a_quantiles[:, l - 1])
        for l in range(1, len(facts.layer_dims))
    )  # fmt: skip
    return HealthView(health.epochs, layers, health.findings)


def columns(n: int, width: int) -> np.ndarray:
    """The entries (of n) a plot ``width`` columns wide shows: all of them if they fit,
    else ``width`` evenly spread, always with the first and the last."""
    if n <= width:
        return np.arange(n)
    return np.round(np.linspace(0, n - 1, width)).astype(np.intp)


def sparkline(
    values: np.ndarray, log: bool = False, span: tuple[float, float] | None = None
) -> str:
    """One bar per value, from its lowest (▁) to its highest (█), or from span's low to its
    high when given (a share: 0 to 1); a value that is not finite (or not positive on a log
    scale) is a space."""
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.log10(values) if log else np.asarray(values, np.float64)
    finite = np.isfinite(y)
    if not finite.any():
        return " " * len(y)
    low, high = span or (y[finite].min(), y[finite].max())
    scaled = (y - low) / (high - low) if high > low else np.full(len(y), 0.5)
    steps = np.clip(np.where(finite, scaled, 0) * (len(BARS) - 1) + 0.5, 0, len(BARS) - 1)
    return "".join(BARS[int(s)] if ok else " " for s, ok in zip(steps, finite, strict=True))


def heat_shares(w_quantiles: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """(rows, k): the share of each column's values between consecutive ``edges`` (rows + 1,
    rising), read from its 17 quantiles (k, 17) as a piecewise-linear distribution."""
    cdf = np.array([np.interp(edges, q, QUANTILES) for q in w_quantiles]).T  # (rows + 1, k)
    return np.diff(cdf, axis=0)


def shade(share: float) -> str:
    return SHADES[sum(share > step for step in SHADE_STEPS)]


def _value(name: str, value: float) -> str:
    if not math.isfinite(value):
        return "—"
    if name == "unhealthy":
        return f"{100 * value:.0f}%"
    return f"{value:.1e}" if name in LOG_SERIES else f"{value:+.3f}"


SERIES_LABELS = {"grad_norm": "‖dW‖", "update_ratio": "‖ΔW‖/‖W‖", "a_mean": "mean A",
                 "a_std": "std A"}  # fmt: skip


class HealthPane(Pane, VerticalScroll):
    """The findings, then per layer its sparklines and its W and A heatmaps, as wide as the
    pane."""

    COMPONENT_CLASSES = {"health--warning", "health--hint", "health--fine", "health--heat"}
    _view: HealthView | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="health-text", markup=False)

    def show(self, view: HealthView) -> None:
        self._view = view
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        if self._view is None:
            return
        view = self._view
        text = self.query_one("#health-text", Static)
        if not len(view.epochs):
            text.update(Text("No epoch recorded yet: train (space, n) to see each layer's "
                             "health over the epochs.", style="italic"))  # fmt: skip
            return
        inner = self.scrollable_content_region.width - 2
        width = max(8, inner - LABEL_WIDTH - VALUE_WIDTH)
        shown = columns(len(view.epochs), width)
        heat = columns(len(view.epochs), max(4, (inner - HEAT_GAP) // 2 - len(heat_label("W", 1))))
        first, last = int(view.epochs[shown[0]]), int(view.epochs[-1])
        parts = [Text(f"Health, epochs {first}–{last} ({len(view.epochs)} recorded)",
                      style="bold")]  # fmt: skip
        parts += self._findings(view.findings)
        for layer in view.layers:
            parts += self._layer(layer, shown, heat)
        text.update(Group(*parts))

    def _findings(self, found: tuple[Finding, ...]) -> list[Text]:
        if not found:
            style = self.get_component_rich_style("health--fine")
            return [Text("✓ nothing looks wrong in the latest epochs", style=style)]
        warning = self.get_component_rich_style("health--warning")
        hint = self.get_component_rich_style("health--hint")
        lines = []
        for i, f in enumerate(found):
            lines.append(Text(f"⚠ {f.kind}: {f.message}", style=warning))
            if i + 1 == len(found) or found[i + 1].hint != f.hint:  # a hint once per run
                lines.append(Text(f"    → {f.hint}", style=hint))
        return lines

    def _layer(self, layer: LayerHealth, shown: np.ndarray, heat: np.ndarray) -> list[Text]:
        """Layer l's heading, a sparkline per series (the entries ``shown``), and its W[l] and
        A[l] heatmaps side by side (the entries ``heat``)."""
        lines = [Text(f"layer {layer.l} · {layer.units} units · {layer.activation}",
                      style="bold")]  # fmt: skip
        for s, name in enumerate(SERIES):
            label = layer.kind if name == "unhealthy" else SERIES_LABELS[name]
            if not label:
                continue
            values = layer.series[:, s]
            span = SHARE_SPAN if name == "unhealthy" else None
            line = sparkline(values[shown], log=name in LOG_SERIES, span=span)
            lines.append(Text(f"  {label:<{LABEL_WIDTH - 2}}{line} {_value(name, values[-1])}"))
        W_rows = self._heatmap("W", layer.l, layer.w_quantiles[heat])
        A_rows = self._heatmap("A", layer.l, layer.a_quantiles[heat])
        for W_row, A_row in zip(W_rows, A_rows, strict=True):
            lines.append(Text.assemble(W_row, " " * HEAT_GAP, A_row))
        return lines

    def _heatmap(self, array: str, l: int, q: np.ndarray) -> list[Text]:
        """The distribution of W[l] or A[l] over the epochs from its quantiles q (k, 17):
        epochs across, values up (highest on top); HEAT_ROWS lines (blank if not finite)."""
        low, high = float(q[:, 0].min()), float(q[:, -1].max())
        blank = Text(" " * (len(heat_label(array, l)) + len(q)))
        if not (math.isfinite(low) and math.isfinite(high)):
            return [blank] * HEAT_ROWS
        if high <= low:
            high, low = high + 0.5, low - 0.5  # all equal: a band in the middle row
        shares = heat_shares(q, np.linspace(low, high, HEAT_ROWS + 1))
        style = self.get_component_rich_style("health--heat")
        lines = []
        for row in reversed(range(HEAT_ROWS)):
            value = high if row == HEAT_ROWS - 1 else low if row == 0 else None
            line = Text(heat_label(array, l, value, row == HEAT_ROWS - 1))
            line.append("".join(shade(s) for s in shares[row]), style=style)
            lines.append(line)
        return lines


def heat_label(array: str, l: int, value: float | None = None, named: bool = True) -> str:
    """A heatmap row's left part: '  W[1] +0.52 ┤ ' (the name on the top row only)."""
    name = f"{array}[{l}]" if named else ""
    number = "" if value is None else f"{value:+.2f}"
    return f"  {name:<4}{number:>7} ┤ "
