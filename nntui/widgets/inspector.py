"""The tensor inspector: the phase just computed, a heatmap with a cursor, stats, a histogram.

The heatmap draws two matrix rows per terminal row with half blocks (▀: the top row is the
foreground colour, the bottom row the background). Colours diverge around 0: the palette's
positive and negative colours (blue and orange), its muted colour at 0, scaled by the
largest |value|. A large array is
shown as block means; the line under the map says which rows and columns a block covers.
"""

from dataclasses import dataclass

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from engine.inspect import Inspection, inspect
from engine.names import ArrayName
from nntui.palette import Palette, palette, style
from nntui.session import PhaseView, Session
from nntui.views import UiState
from nntui.widgets.bars import BarChart, Bars
from nntui.widgets.pane import Pane


@dataclass(frozen=True)
class InspectorView:
    """The last phase step, and the selected array summarised (None before it exists)."""

    phase: PhaseView | None
    in_epoch: bool
    name: ArrayName  # the selected array's name, e.g. W[1]
    inspection: Inspection | None
    viewing: int | None = None  # the checkpoint's epoch shown; None: the present


def inspector_view(session: Session, ui: UiState) -> InspectorView:
    """The summary is computed on a copy of the array, outside the Session's lock."""
    state = session.training_state()
    copy = session.tensor(ui.kind, ui.selected)
    inspection = None
    if copy is not None:
        rows, cols = ui.heatmap_size
        inspection = inspect(
            str(copy.name), copy.array, max_rows=rows, max_cols=cols, bins=ui.histogram_bins,
            Z=copy.Z, activation=copy.activation, previous=copy.previous,
        )  # fmt: skip
    return InspectorView(state.phase, state.in_epoch, ui.kind.at(ui.selected), inspection,
                         session.viewing)  # fmt: skip


def colours(values: np.ndarray, p: Palette) -> np.ndarray:
    """(…, 3) RGB for values: positive above 0, negative below, muted at 0, by |v| / max |v|
    over the finite values (a NaN or infinite value, as in a diverging step, is muted)."""
    magnitude = np.where(np.isfinite(values), np.abs(values), 0.0)
    scale = float(magnitude.max()) if values.size else 0.0
    t = magnitude / scale if scale > 0 else np.zeros_like(magnitude)
    end = np.where((values >= 0)[..., None], np.array(p.positive), np.array(p.negative))
    zero = np.array(p.muted)
    return (zero + (end - zero) * np.sqrt(t)[..., None]).astype(int)


def missing_text(view: InspectorView) -> str:
    """Why the selected array is not there: a checkpoint keeps weights, not gradients; in the
    present, the backward pass has not computed it yet."""
    if view.viewing is not None:
        return (f"{view.name} is not kept with checkpoints, only the weights: esc goes back "
                "to the present, where the next backward pass computes it.")  # fmt: skip
    return (f"{view.name} does not exist yet: it is computed by the backward pass (press n, "
            "or . until a backward phase).")  # fmt: skip


MAX_CELL_WIDTH, MAX_CELL_HEIGHT = 6, 4  # terminal columns / half-rows per element, at most


def heatmap_text(
    blocks: np.ndarray, cursor: tuple[int, int], width: int, height: int, p: Palette
) -> Text:
    """The block matrix as half-block rows, each block scaled up to fill width x height
    cells where it is small; the cursor block is drawn in the accent colour."""
    n_rows, n_cols = blocks.shape
    cw = max(1, min(MAX_CELL_WIDTH, width // n_cols))
    ch = max(1, min(MAX_CELL_HEIGHT, 2 * height // n_rows))
    rgbs = [[style(tuple(c)) for c in row] for row in colours(blocks, p)]
    rgbs[cursor[0]][cursor[1]] = style(p.accent)
    pixel_rows = [r for r in range(n_rows) for _ in range(ch)]
    text = Text(no_wrap=True, overflow="crop")
    for top in range(0, len(pixel_rows), 2):
        upper = rgbs[pixel_rows[top]]
        lower = rgbs[pixel_rows[top + 1]] if top + 1 < len(pixel_rows) else None
        for c in range(n_cols):
            look = upper[c] if lower is None else f"{upper[c]} on {lower[c]}"
            text.append("▀" * cw, look)
        text.append("\n")
    return text


def span(edges: np.ndarray, i: int, noun: str) -> str:
    """Block i's rows (or columns): 'row 3' for one, 'rows 0–14' for several."""
    first, last = int(edges[i]), int(edges[i + 1]) - 1
    return f"{noun} {first}" if first == last else f"{noun}s {first}–{last}"


def cursor_line(ins: Inspection, cursor: tuple[int, int]) -> str:
    r, c = cursor
    value = ins.blocks[r, c]
    if ins.downsampled:
        rows, cols = span(ins.row_edges, r, "row"), span(ins.col_edges, c, "col")
        return f"cursor: {rows}, {cols}: mean {value:.5g}"
    return f"cursor: row {r}, col {c}: {value:.6g}"


def stats_text(ins: Inspection, cursor: tuple[int, int], p: Palette) -> Text:
    s = ins.stats
    text = Text()
    text.append(f"{ins.name}", style="bold")
    text.append(f"  shape {ins.shape}  {ins.dtype}\n")
    text.append(f"min {s.min:.4g}   max {s.max:.4g}\nmean {s.mean:.4g}   std {s.std:.4g}\n")
    if s.dead_units is not None:
        text.append(f"dead ReLU units: {100 * s.dead_units:.1f}%\n", style="bold")
    if s.saturated is not None:
        text.append(f"saturated (|Z| > 4): {100 * s.saturated:.1f}%\n", style="bold")
    if ins.delta is not None:
        d = ins.delta.stats
        text.append(f"change this epoch: mean {d.mean:.3g}, std {d.std:.3g}, ")
        text.append(f"max |Δ| {max(abs(d.min), abs(d.max)):.3g}  (d: show Δ)\n")
    text.append(cursor_line(ins, cursor), style=style(p.accent))
    return text


def phase_text(phase: PhaseView | None, in_epoch: bool, p: Palette) -> Text:
    if phase is None:
        hint = "Press . to step one phase: forward layer 1 .. L, cost, backward L .. 1, update."
        return Text(hint, style="dim")
    forward = phase.direction == "forward"
    colour = style(p.forward if forward else p.backward)
    text = Text(f"{'▶' if forward else '◀'} {phase.title}", style=f"bold {colour}")
    if not in_epoch:
        text.append("   (epoch complete)", style="dim")
    for line in phase.equations:
        text.append("\n" + line)
    return text


class Heatmap(Pane, Widget, can_focus=True):
    """A block-mean heatmap with a cursor moved by the arrow keys."""

    BINDINGS = [
        Binding("up", "move(-1, 0)", "Up", show=False),
        Binding("down", "move(1, 0)", "Down", show=False),
        Binding("left", "move(0, -1)", "Left", show=False),
        Binding("right", "move(0, 1)", "Right", show=False),
    ]

    inspection: reactive[Inspection | None] = reactive(None, always_update=True)
    cursor: reactive[tuple[int, int]] = reactive((0, 0))

    def render(self) -> Text:
        ins = self.inspection
        if ins is None:
            return Text("")
        r, c = self.cursor
        header = Text(f"rows 0–{ins.shape[0] - 1} ↓  ×  cols 0–{ins.shape[-1] - 1} →", style="dim")
        if ins.downsampled:
            header.append(f"   block means, {ins.blocks.shape[0]}×{ins.blocks.shape[1]}", "dim")
        body = heatmap_text(
            ins.blocks, (r, c), self.size.width, self.size.height - 1, palette(self.app)
        )
        return header + Text("\n") + body

    def on_resize(self) -> None:
        self.post_message(self.Resized(2 * max(1, self.size.height - 1), max(1, self.size.width)))

    def watch_inspection(self, ins: Inspection | None) -> None:
        if ins is not None:
            r, c = self.cursor
            self.cursor = (min(r, ins.blocks.shape[0] - 1), min(c, ins.blocks.shape[1] - 1))

    def action_move(self, dr: int, dc: int) -> None:
        if self.inspection is None:
            return
        rows, cols = self.inspection.blocks.shape
        r, c = self.cursor
        self.cursor = (min(max(r + dr, 0), rows - 1), min(max(c + dc, 0), cols - 1))
        self.post_message(self.CursorMoved())

    class CursorMoved(Message):
        """The cursor moved to another cell."""

    class Resized(Message):
        """The heatmap can now show this many block rows and columns."""

        def __init__(self, rows: int, cols: int) -> None:
            super().__init__()
            self.rows, self.cols = rows, cols


class Histogram(BarChart):
    """The selected array's histogram: the engine bins it (``inspect``) one bin a column of
    this widget, so that the bars touch and fill its width."""

    def on_resize(self) -> None:
        self.post_message(self.Resized(max(1, self.size.width)))

    class Resized(Message):
        """The histogram can now show this many bins."""

        def __init__(self, bins: int) -> None:
            super().__init__()
            self.bins = bins


class Inspector(Pane, Vertical):
    """The inspector pane: what it shows follows the app's selected layer and tensor."""

    show_delta: reactive[bool] = reactive(False)
    _view: InspectorView | None = None
    _phase_plain = ""

    def compose(self) -> ComposeResult:
        yield Static(id="phase-text", markup=False)
        with Horizontal(id="inspect-body"):
            yield Heatmap(id="heatmap")
            yield Static(id="inspect-stats", markup=False)
            yield Histogram(id="histogram")

    def show(self, view: InspectorView) -> None:
        text = phase_text(view.phase, view.in_epoch, palette(self.app))
        if text.plain != self._phase_plain:  # its height can change: update only on change
            self._phase_plain = text.plain
            self.query_one("#phase-text", Static).update(text)
        self._view = view
        self._draw()

    def watch_show_delta(self) -> None:
        if self._view is not None:
            self._draw()

    def _draw(self) -> None:
        view = self._view
        ins = view.inspection
        if ins is not None and self.show_delta and ins.delta is not None:
            ins = ins.delta
        heatmap = self.query_one(Heatmap)
        stats = self.query_one("#inspect-stats", Static)
        if ins is None:
            heatmap.inspection = None
            stats.update(Text(missing_text(view), style="dim"))
            self._histogram(None)
            return
        heatmap.inspection = ins
        stats.update(stats_text(ins, heatmap.cursor, palette(self.app)))
        self._histogram(ins)

    def on_heatmap_cursor_moved(self) -> None:
        self._draw()

    def _histogram(self, ins: Inspection | None) -> None:
        p = palette(self.app)
        bars = None
        if ins is not None:
            series = (("values", ins.hist_counts, p.positive),)
            bars = Bars(f"values of {ins.name}", ins.hist_edges, series)
        self.query_one(Histogram).draw(bars, p.muted)
