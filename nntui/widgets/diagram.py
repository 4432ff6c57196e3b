"""The layer diagram: columns of nodes, linked by lines coloured by the live weights.

Layer 0 is the input X; layers 1 .. L follow. Every drawn link i -> j between layer l-1
and layer l is W[l][j, i]: blue where it is positive, orange where negative, brighter the
larger |w| is against the largest |w| in that layer. Lines are drawn on a braille canvas
(2 x 4 dots a cell); where lines cross, a cell takes the colour of the strongest link.
Wide layers are folded: the first nodes, a "⋮", the last node, and "… n" below.
"""

from dataclasses import dataclass

import numpy as np
from rich.style import Style
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
    units: list[int]
    ys: list[int]
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
        columns.append(Column(x, units, node_ys, fold_y))
    return columns


def _blend(t: np.ndarray, rgb: tuple[int, int, int]) -> np.ndarray:
    """Colours from FAINT (t = 0) to ``rgb`` (t = 1), as an (…, 3) int array."""
    faint, full = np.array(FAINT), np.array(rgb)
    return (faint + (full - faint) * t[..., None]).astype(int)


def draw_links(
    columns: list[Column], weights: tuple[np.ndarray, ...], width: int, height: int
) -> tuple[np.ndarray, np.ndarray]:
    """(codes, colours): a braille code point (h, w) and an RGB (h, w, 3) for every cell."""
    bits = np.zeros((height, width), dtype=np.int64)
    strength = np.zeros((height, width))  # the largest |w| through each cell, normalised
    signed = np.zeros((height, width))  # its sign
    for left, right, W in zip(columns, columns[1:], weights, strict=False):
        w = W[np.ix_(right.units, left.units)]  # (visible n_l, visible n_{l-1})
        scale = float(np.abs(W).max()) or 1.0
        x0, x1 = 2 * left.x + 3, 2 * right.x - 2
        if x1 <= x0:
            continue
        y0 = 4 * np.array(left.ys)[None, :] + 2  # (1, n_prev) pixel rows
        y1 = 4 * np.array(right.ys)[:, None] + 2  # (n, 1)
        steps = x1 - x0 + 1
        t = np.linspace(0.0, 1.0, steps)
        px = np.round(x0 + (x1 - x0) * t).astype(int)  # (steps,)
        py = np.round(y0[..., None] + (y1 - y0)[..., None] * t).astype(int)  # (n, n_prev, steps)
        rows, cols = py // 4, np.broadcast_to(px // 2, py.shape)
        np.bitwise_or.at(bits, (rows, cols), DOT_BITS[py % 4, px % 2])
        value = np.broadcast_to((w / scale)[..., None], py.shape)
        stronger = np.abs(value) >= strength[rows, cols]
        order = np.argsort(np.abs(value[stronger]))  # write weakest first, strongest last
        r, c, v = rows[stronger][order], cols[stronger][order], value[stronger][order]
        strength[r, c] = np.abs(v)
        signed[r, c] = v
    colours = np.where(
        (signed >= 0)[..., None], _blend(strength, POSITIVE), _blend(strength, NEGATIVE)
    )
    return bits + BRAILLE_BASE, colours


def render_diagram(snapshot: Snapshot, width: int, height: int, selected: int) -> Text:
    """The whole diagram as rich Text: a title row, the canvas, and a caption row."""
    if width < MIN_SIZE[0] or height < MIN_SIZE[1]:
        return Text("too small for the diagram", style="dim italic")
    dims, acts = snapshot.layer_dims, ("input", *snapshot.activations)
    area = height - 2
    columns = layout(dims, width, area)
    codes, colours = draw_links(columns, snapshot.weights, width, area)
    grid = [[(chr(codes[y, x]), f"rgb({r},{g},{b})") for x, (r, g, b) in enumerate(row)]
            for y, row in enumerate(colours)]  # fmt: skip
    for y in range(area):
        for x in range(width):
            if codes[y, x] == BRAILLE_BASE:
                grid[y][x] = (" ", "")
    for l, column in enumerate(columns):
        node_style = "bold #ffd75f" if l == selected else ("#b0b0b0" if l == 0 else "#e0e0e0")
        for y in column.ys:
            grid[y][column.x] = ("●", node_style)
        if column.fold_y is not None:
            grid[column.fold_y][column.x] = ("⋮", node_style)
    text = Text(no_wrap=True, overflow="crop")
    titles = [_title(l, snapshot.phase, len(dims) - 1) for l in range(len(dims))]
    text.append_text(_label_row(columns, titles, width, selected))
    text.append("\n")
    for row in grid:
        for ch, style in row:
            text.append(ch, Style.parse(style) if style else None)
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
