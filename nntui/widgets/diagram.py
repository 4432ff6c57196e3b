"""The layer diagram: columns of nodes, linked by lines coloured by the live weights.

Layer 0 is the input X; layers 1 .. L follow. Every drawn link i -> j between layer l-1
and layer l is W[l][j, i]: blue where it is positive, orange where negative, brighter the
larger |w| is against the largest |w| in that layer. Lines are drawn on a braille canvas
(2 x 4 dots a cell); where lines cross, a cell takes the colour of the strongest link through it.
Wide layers are folded: the first nodes, a "⋮", the last node, and "… n" below.
Clicking a link selects its weight (for ``=``, which edits it).
"""

from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from nntui.session import PhaseView, Session
from nntui.views import UiState
from nntui.widgets.pane import Pane


@dataclass(frozen=True)
class DiagramView:
    """The network's layers and copies of its weights W[1] .. W[L]; the last phase step."""

    layer_dims: tuple[int, ...]
    activations: tuple[str, ...]
    weights: tuple[np.ndarray, ...]
    phase: PhaseView | None


def diagram_view(session: Session, ui: UiState) -> DiagramView:
    facts = session.facts()
    return DiagramView(facts.layer_dims, facts.activations, session.weights(), session.phase)


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


def _palette() -> list[str]:
    """The link styles by index: 0 is an empty cell, 1 .. LEVELS run from faint to full
    POSITIVE, LEVELS + 1 .. 2 LEVELS from faint to full NEGATIVE."""
    styles = [""]
    for full in (POSITIVE, NEGATIVE):
        for step in range(1, LEVELS + 1):
            t = step / LEVELS
            r, g, b = (int(f + (c - f) * t) for f, c in zip(FAINT, full, strict=True))
            styles.append(f"rgb({r},{g},{b})")
    return styles


PALETTE = _palette()


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


def link_styles(
    columns: list[Column], weights: tuple[np.ndarray, ...], links: Links, shape: tuple[int, int]
) -> np.ndarray:
    """(height, width) PALETTE indices: each cell that links cross takes the colour of the
    strongest of them, its level |w| / max |w| of its layer; 0 where no link runs."""
    visible = [
        (W[np.ix_(right.units, left.units)] / (float(np.abs(W).max()) or 1.0)).ravel()
        for left, right, W in zip(columns, columns[1:], weights, strict=False)
    ]
    w = np.concatenate([*visible, [0.0]])  # index -1, the padding, reads weight 0
    values = w[links.through]
    strongest = values[np.arange(len(values)), np.abs(values).argmax(axis=1)]
    level = np.maximum(np.ceil(np.clip(np.abs(strongest), 0, 1) * LEVELS), 1).astype(int)
    styles = np.zeros(shape[0] * shape[1], dtype=int)
    styles[links.cells] = np.where(strongest >= 0, level, LEVELS + level)
    return styles.reshape(shape)


def link_at(
    view: DiagramView, width: int, height: int, x: int, y: int
) -> tuple[int, int, int] | None:
    """(l, j, k) of the weight W[l][j, k] whose link is drawn at cell (x, y) of a diagram
    ``width`` x ``height`` (the strongest, where links cross, as its colour shows); None
    where no link runs."""
    area = height - 2
    if width < MIN_SIZE[0] or height < MIN_SIZE[1] or not 0 <= y - 1 < area or not 0 <= x < width:
        return None
    columns = layout(view.layer_dims, width, area)
    links = trace_links(tuple(columns), width, area)
    cell = (y - 1) * width + x
    at = int(np.searchsorted(links.cells, cell))
    if at == len(links.cells) or links.cells[at] != cell:
        return None
    first = 0
    found = []
    for l, (left, right) in enumerate(pairwise(columns), start=1):
        W = view.weights[l - 1]
        for link in links.through[at][links.through[at] >= 0]:
            r, c = divmod(int(link) - first, len(left.units))
            if 0 <= r < len(right.units):
                j, k = right.units[r], left.units[c]
                found.append((abs(float(W[j, k])) / (float(np.abs(W).max()) or 1.0), (l, j, k)))
        first += len(right.units) * len(left.units)
    return max(found)[1] if found else None


Run = tuple[str, str]  # characters drawn in one style


def diagram_rows(view: DiagramView, width: int, height: int, selected: int) -> list[list[Run]]:
    """The whole diagram as rows of styled runs: a title row, the canvas, a caption row."""
    if width < MIN_SIZE[0] or height < MIN_SIZE[1]:
        return [[("too small for the diagram", "dim italic")]]
    dims, acts = view.layer_dims, ("input", *view.activations)
    area = height - 2
    columns = layout(dims, width, area)
    links = trace_links(tuple(columns), width, area)
    styles = link_styles(columns, view.weights, links, (area, width))
    codes = np.where(links.codes == BRAILLE_BASE, ord(" "), links.codes)
    palette = [*PALETTE, "#b0b0b0", "#e0e0e0", "bold #ffd75f"]  # + input, layer, selected nodes
    for l, column in enumerate(columns):
        node = len(PALETTE) + (2 if l == selected else 0 if l == 0 else 1)
        codes[list(column.ys), column.x], styles[list(column.ys), column.x] = ord("●"), node
        if column.fold_y is not None:
            codes[column.fold_y, column.x], styles[column.fold_y, column.x] = ord("⋮"), node
    titles = [_title(l, view.phase, len(dims) - 1) for l in range(len(dims))]
    rows = [_label_row(columns, titles, width, selected)]
    for row, row_styles in zip(codes, styles, strict=True):
        chars = "".join(map(chr, row))
        starts = [0, *(np.flatnonzero(np.diff(row_styles)) + 1), width]
        rows.append([(chars[i:j], palette[row_styles[i]]) for i, j in pairwise(starts)])
    captions = [
        f"{'… ' if columns[l].fold_y is not None else ''}{n} · {acts[l]}"
        for l, n in enumerate(dims)
    ]
    rows.append(_label_row(columns, captions, width, selected))
    return rows


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


def _label_row(columns: list[Column], labels: list[str], width: int, selected: int) -> list[Run]:
    """Labels centred under each column, clipped so that neighbours never overlap."""
    row, drawn, end = [], 0, 0  # drawn: columns filled so far; end: the next label's earliest
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
        row += [(" " * (start - drawn), ""), (label, style)]
        drawn = start + len(label)
        end = drawn + 1
    row.append((" " * (width - drawn), ""))
    return row


class LayerDiagram(Pane, Widget, can_focus=True):
    """The network drawn from the latest view; ``selected`` is the highlighted layer."""

    selected: reactive[int] = reactive(1)
    view: reactive[DiagramView | None] = reactive(None, always_update=True)

    _lines: list[Strip] | None = None  # the drawing, cut into lines; None: draw again

    def show(self, view: DiagramView) -> None:
        self.view = view

    class LinkSelected(Message):
        """A click on the link of weight W[l][j, k]."""

        def __init__(self, l: int, j: int, k: int) -> None:
            super().__init__()
            self.l, self.j, self.k = l, j, k

    def on_click(self, event: events.Click) -> None:
        if self.view is None or (offset := event.get_content_offset(self)) is None:
            return
        found = link_at(self.view, *self.size, offset.x, offset.y)
        if found is not None:
            self.post_message(self.LinkSelected(*found))

    def render_line(self, y: int) -> Strip:
        """Line y of the drawing. It is drawn once per change, straight into strips: handing
        Textual a whole Text to convert cost three times the drawing itself."""
        if self._lines is None:
            view = self.view
            rows = [] if view is None else diagram_rows(view, *self.size, self.selected)
            segments = [[Segment(text, Style.parse(style)) for text, style in row] for row in rows]
            self._lines = [Strip(line) for line in segments]
        width, base = self.size.width, self.rich_style
        if y >= len(self._lines):
            return Strip.blank(width, base)
        return self._lines[y].apply_style(base).crop_extend(0, width, base)

    def watch_view(self) -> None:
        self._lines = None

    def watch_selected(self) -> None:
        self._lines = None

    def on_resize(self) -> None:
        self._lines = None
