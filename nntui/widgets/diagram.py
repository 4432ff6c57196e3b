"""The layer diagram: columns of nodes, linked by lines coloured by the live weights.

Layer 0 is the input X; layers 1 .. L follow. Every drawn link i -> j between layer l-1
and layer l is W[l][j, i]: blue where it is positive, orange where negative, brighter the
larger |w| is against the largest |w| in that layer. Lines are drawn on a braille canvas
(2 x 4 dots a cell); where lines cross, a cell takes the colour of the strongest link through it.
Wide layers are folded: the first nodes, a "⋮", the last node, and "… n" below.
"""

from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby, pairwise

import numpy as np
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from nntui.session import PhaseView, Snapshot

BRAILLE_BASE = 0x2800
# The bit of each dot, indexed [y % 4][x % 2] within a cell.
DOT_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.int64)
POSITIVE, NEGATIVE, FAINT = (74, 168, 255), (255, 140, 66), (70, 70, 80)
MAX_VISIBLE = 12
MIN_SIZE = (20, 5)


@dataclass(frozen=True)
class Column:
    """One layer as drawn: its x, the unit index and y of each visible node, and a fold row."""

    x: int
    units: tuple[int, ...]
    ys: tuple[int, ...]
    fold_y: int | None


def visible_units(n: int, rows: int) -> tuple[list[int], bool]:
    """Which of n units to draw in ``rows`` rows: all of them, or the first few and the last."""
    cap = max(2, min(MAX_VISIBLE, rows))
    if n <= cap:
        return list(range(n)), False
    return [*range(cap - 2), n - 1], True


def layout(layer_dims: tuple[int, ...], width: int, height: int) -> list[Column]:
    """Place every layer's visible nodes in a ``width`` x ``height`` area (labels excluded)."""
    n_cols = len(layer_dims)
    margin = 5
    span = max(1, width - 1 - 2 * margin)
    columns = []
    for c, n in enumerate(layer_dims):
        x = margin + round(c * span / max(1, n_cols - 1))
        units, folded = visible_units(n, height)
        slots = len(units) + folded
        ys = [round((s + 0.5) * height / slots - 0.5) for s in range(slots)]
        fold_y = ys[-2] if folded else None
        node_ys = ys[:-2] + ys[-1:] if folded else ys
        columns.append(Column(x, tuple(units), tuple(node_ys), fold_y))
    return columns


LEVELS = 8  # colour steps from faint to full: neighbouring cells share styles, draw as runs


def _rgb(strength: np.ndarray, rgb: tuple[int, int, int]) -> np.ndarray:
    """(…, 3) colours from FAINT (strength 0) to ``rgb`` (strength 1), in LEVELS steps."""
    t = np.ceil(np.clip(strength, 0, 1) * LEVELS) / LEVELS
    faint, full = np.array(FAINT), np.array(rgb)
    return (faint + (full - faint) * t[..., None]).astype(int)


@dataclass(frozen=True)
class Links:
    """Where the links run: every cell's braille code, and for each cell that links cross,
    which links they are (indices into the concatenated visible weights; -1 pads)."""

    codes: np.ndarray  # (height, width) code points
    cells: np.ndarray  # (k,) flat indices of the cells with links
    through: np.ndarray  # (k, the most links through one cell)


@lru_cache(maxsize=8)
def trace_links(columns: tuple[Column, ...], width: int, height: int) -> Links:
    """Rasterise every visible link once per layout: colours change, the geometry does not."""
    bits = np.zeros(height * width, dtype=np.int64)
    point_cells, point_links = [np.zeros(0, int)], [np.zeros(0, int)]
    first_link = 0
    for left, right in pairwise(columns):
        x0, x1 = 2 * left.x + 3, 2 * right.x - 2
        n, n_prev = len(right.ys), len(left.ys)
        if x1 > x0:
            t = np.linspace(0.0, 1.0, x1 - x0 + 1)
            px = np.round(x0 + (x1 - x0) * t).astype(int)
            y0 = 4 * np.array(left.ys)[None, :, None] + 2
            y1 = 4 * np.array(right.ys)[:, None, None] + 2
            py = np.round(y0 + (y1 - y0) * t).astype(int)  # (n, n_prev, steps)
            cells = (py // 4) * width + np.broadcast_to(px // 2, py.shape)
            np.bitwise_or.at(bits, cells.ravel(), DOT_BITS[py % 4, px % 2].ravel())
            links = first_link + np.arange(n * n_prev).reshape(n, n_prev, 1)
            point_cells.append(cells.ravel())
            point_links.append(np.broadcast_to(links, py.shape).ravel())
        first_link += n * n_prev
    pairs = np.unique(np.stack([np.concatenate(point_cells), np.concatenate(point_links)]), axis=1)
    cells, starts, counts = np.unique(pairs[0], return_index=True, return_counts=True)
    through = np.full((len(cells), max(1, counts.max(initial=0))), -1)
    for j in range(through.shape[1]):
        has = counts > j
        through[has, j] = pairs[1, starts[has] + j]
    return Links(bits.reshape(height, width) + BRAILLE_BASE, cells, through)


def link_colours(
    columns: list[Column], weights: tuple[np.ndarray, ...], links: Links, shape: tuple[int, int]
) -> np.ndarray:
    """(height, width, 3): each cell that links cross, coloured by the strongest of them."""
    visible = [
        (W[np.ix_(right.units, left.units)] / (float(np.abs(W).max()) or 1.0)).ravel()
        for left, right, W in zip(columns, columns[1:], weights, strict=False)
    ]
    w = np.concatenate([*visible, [0.0]])  # index -1, the padding, reads weight 0
    values = w[links.through]
    strongest = values[np.arange(len(values)), np.abs(values).argmax(axis=1)]
    colours = np.zeros((shape[0] * shape[1], 3), dtype=int)
    colours[links.cells] = np.where(
        (strongest >= 0)[:, None], _rgb(strongest, POSITIVE), _rgb(-strongest, NEGATIVE)
    )
    return colours.reshape(*shape, 3)


def render_diagram(snapshot: Snapshot, width: int, height: int, selected: int) -> Text:
    """The whole diagram as rich Text: a title row, the canvas, and a caption row."""
    if width < MIN_SIZE[0] or height < MIN_SIZE[1]:
        return Text("too small for the diagram", style="dim italic")
    dims, acts = snapshot.layer_dims, ("input", *snapshot.activations)
    area = height - 2
    columns = layout(dims, width, area)
    links = trace_links(tuple(columns), width, area)
    colours = link_colours(columns, snapshot.weights, links, (area, width))
    grid = [[chr(c) if c != BRAILLE_BASE else " " for c in row] for row in links.codes]
    styles = [[f"rgb({r},{g},{b})" for r, g, b in row] for row in colours]
    for l, column in enumerate(columns):
        node_style = "bold #ffd75f" if l == selected else ("#b0b0b0" if l == 0 else "#e0e0e0")
        for y in column.ys:
            grid[y][column.x], styles[y][column.x] = "●", node_style
        if column.fold_y is not None:
            grid[column.fold_y][column.x], styles[column.fold_y][column.x] = "⋮", node_style
    text = Text(no_wrap=True, overflow="crop")
    titles = [_title(l, snapshot.phase, len(dims) - 1) for l in range(len(dims))]
    text.append_text(_label_row(columns, titles, width, selected))
    text.append("\n")
    for chars, row_styles in zip(grid, styles, strict=True):
        for style, run in groupby(zip(chars, row_styles, strict=True), key=lambda cs: cs[1]):
            text.append("".join(ch for ch, _ in run), style)
        text.append("\n")
    captions = [
        f"{'… ' if columns[l].fold_y is not None else ''}{n} · {acts[l]}"
        for l, n in enumerate(dims)
    ]
    text.append_text(_label_row(columns, captions, width, selected))
    return text


def _title(l: int, phase: PhaseView | None, L: int) -> str:
    """'layer 2', marked ▶ (forward) or ◀ (backward) when the last phase step was there."""
    name = "X = A[0]" if l == 0 else f"layer {l}"
    if phase is None or l == 0:
        return name
    if phase.kind == "update" or phase.layer == l:
        return f"{'▶' if phase.direction == 'forward' else '◀'} {name}"
    if phase.kind == "cost" and l == L:
        return f"▶ {name} → J"
    return name


def _label_row(columns: list[Column], labels: list[str], width: int, selected: int) -> Text:
    """Labels centred under each column, clipped so that neighbours never overlap."""
    row = Text(" " * width, no_wrap=True, overflow="crop")
    end = 0
    for l, (column, label) in enumerate(zip(columns, labels, strict=True)):
        start = max(end, min(width - len(label), column.x - len(label) // 2))
        if start >= width:
            break
        label = label[: width - start]
        style = "reverse bold #ffd75f" if l == selected else "bold"
        if label.startswith("▶"):
            style += " green"
        elif label.startswith("◀"):
            style += " magenta"
        row = row[:start] + Text(label, style=style) + row[start + len(label) :]
        end = start + len(label) + 1
    row.truncate(width)
    return row


class LayerDiagram(Widget, can_focus=True):
    """The network drawn from the latest snapshot; ``selected`` is the highlighted layer."""

    selected: reactive[int] = reactive(1)
    snapshot: reactive[Snapshot | None] = reactive(None, always_update=True)

    def render(self) -> Text:
        if self.snapshot is None:
            return Text("")
        return render_diagram(self.snapshot, self.size.width, self.size.height, self.selected)
