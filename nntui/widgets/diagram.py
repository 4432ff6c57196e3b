"""The layer diagram: columns of nodes, linked by lines coloured by the live weights.

Layer 0 is the input X, its nodes named by the data's features; layers 1 .. L follow, the
output nodes named by class (or the target, for regression). Every drawn link i -> j between
layer l-1 and layer l is W[l][j, i]: the palette's positive colour where it is positive, its
negative colour where negative, brighter the larger |w| is against the largest |w| in that
layer. Lines are drawn on a braille canvas (2 x 4 dots a cell); where lines cross, a cell
takes the colour of the strongest link through it. A layer wider than fits is folded: its
units are grouped into a few ■ nodes, a link between groups shows the mean of its weights,
and the caption says "… n". A legend row says what colour and brightness mean. Clicking a
link selects its weight (for ``=``, which edits it).
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

from nntui.palette import Palette, blend, palette, style
from nntui.session import PhaseView, Session
from nntui.views import UiState
from nntui.widgets.pane import Pane


@dataclass(frozen=True)
class DiagramView:
    """The network's layers and copies of its weights W[1] .. W[L]; the last phase step;
    the names of the input features and of the output units."""

    layer_dims: tuple[int, ...]
    activations: tuple[str, ...]
    weights: tuple[np.ndarray, ...]
    phase: PhaseView | None
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()


def diagram_view(session: Session, ui: UiState) -> DiagramView:
    facts = session.facts()
    return DiagramView(
        facts.layer_dims, facts.activations, session.weights(), session.phase,
        facts.feature_names, facts.output_names,
    )  # fmt: skip


BRAILLE_BASE = 0x2800
# The bit of each dot, indexed [y % 4][x % 2] within a cell.
DOT_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.int64)
MAX_VISIBLE = 12  # units drawn one by one, at most; a wider layer is folded
FOLD_GROUPS = 4  # the nodes of a folded layer, at most
MAX_NAME = 10  # characters of an input or output name, at most
SHORT_NAME = 4  # names this short name a group by its first and last: 0–4
MIN_SIZE = (20, 5)
NODE, GROUP = "●", "■"


def shorten(name: str, n: int) -> str:
    """name cut to n characters, its end marked …"""
    return name if len(name) <= n else name[: max(0, n - 1)] + "…"


@dataclass(frozen=True)
class Column:
    """One layer as drawn: its x, the units (start, stop) each node stands for, their ys."""

    x: int
    groups: tuple[tuple[int, int], ...]
    ys: tuple[int, ...]

    @property
    def folded(self) -> bool:
        return any(stop - start > 1 for start, stop in self.groups)

    @property
    def units(self) -> tuple[int, ...]:
        """The first unit of each node: the unit a click on that node (or its link) picks."""
        return tuple(start for start, _ in self.groups)


def unit_groups(n: int, rows: int) -> tuple[tuple[int, int], ...]:
    """The (start, stop) units of each node: one unit each if n fits in ``rows`` (and
    MAX_VISIBLE), else at most FOLD_GROUPS runs of about equal size covering all n."""
    cap = max(2, min(MAX_VISIBLE, rows))
    if n <= cap:
        return tuple((i, i + 1) for i in range(n))
    k = min(FOLD_GROUPS, cap)
    edges = np.round(np.linspace(0, n, k + 1)).astype(int)
    return tuple((int(a), int(b)) for a, b in pairwise(edges))


def layout(
    layer_dims: tuple[int, ...], width: int, height: int, margins: tuple[int, int] = (5, 5)
) -> list[Column]:
    """Place every layer's nodes in a ``width`` x ``height`` area, leaving ``margins``
    (left, right) columns for the names of the inputs and outputs."""
    n_cols = len(layer_dims)
    left, right = margins
    span = max(1, width - 1 - left - right)
    columns = []
    for c, n in enumerate(layer_dims):
        x = left + round(c * span / max(1, n_cols - 1))
        groups = unit_groups(n, height)
        ys = [round((s + 0.5) * height / len(groups) - 0.5) for s in range(len(groups))]
        columns.append(Column(x, groups, tuple(ys)))
    return columns


LEVELS = 8  # colour steps from faint to full: neighbouring cells share styles, draw as runs


@lru_cache(maxsize=8)
def link_palette(colours: Palette) -> tuple[str, ...]:
    """The styles by index: 0 is an empty cell, 1 .. LEVELS run from faint to full
    positive, LEVELS + 1 .. 2 LEVELS from faint to full negative; then the input nodes,
    the layer nodes, the selected layer's nodes and the names."""
    styles = [""]
    for full in (colours.positive, colours.negative):
        styles += [
            style(blend(colours.muted, full, step / LEVELS)) for step in range(1, LEVELS + 1)
        ]
    fg = colours.foreground
    styles += [style(blend(colours.background, fg, 0.7)), style(fg)]
    styles += [f"bold {style(colours.accent)}", style(blend(colours.background, fg, 0.8))]
    return tuple(styles)


INPUT_NODE, LAYER_NODE, SELECTED_NODE, NAME = range(2 * LEVELS + 1, 2 * LEVELS + 5)


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
    # Each (cell, link) once, ordered by cell then link: sorted keys cell * links + link
    # (a plain sort: np.unique without counts would import numpy.ma, ~6 ms of the start).
    total = max(1, first_link)
    keys = np.sort(np.concatenate(point_cells) * total + np.concatenate(point_links))
    pair_cells, pair_links = np.divmod(keys[np.diff(keys, prepend=-1) != 0], total)
    cells, starts, counts = np.unique(pair_cells, return_index=True, return_counts=True)
    through = np.full((len(cells), max(1, counts.max(initial=0))), -1)
    for j in range(through.shape[1]):
        has = counts > j
        through[has, j] = pair_links[starts[has] + j]
    return Links(bits.reshape(height, width) + BRAILLE_BASE, cells, through)


def group_means(W: np.ndarray, rows: Column, cols: Column) -> np.ndarray:
    """(nodes of ``rows``, nodes of ``cols``): the mean of W[l] over each block of units
    two nodes stand for (W itself where no layer is folded)."""
    starts_r = [start for start, _ in rows.groups]
    starts_c = [start for start, _ in cols.groups]
    sums = np.add.reduceat(np.add.reduceat(W, starts_r, axis=0), starts_c, axis=1)
    sizes_r = np.array([stop - start for start, stop in rows.groups])
    sizes_c = np.array([stop - start for start, stop in cols.groups])
    return sums / np.outer(sizes_r, sizes_c)


def link_styles(
    columns: list[Column], weights: tuple[np.ndarray, ...], links: Links, shape: tuple[int, int]
) -> np.ndarray:
    """(height, width) style indices: each cell that links cross takes the colour of the
    strongest of them, its level |w| / max |w| of its layer (of its group means where
    folded); 0 where no link runs."""
    visible = []
    for left, right, W in zip(columns, columns[1:], weights, strict=False):
        means = group_means(W, right, left)
        visible.append((means / (float(np.abs(means).max()) or 1.0)).ravel())
    w = np.concatenate([*visible, [0.0]])  # index -1, the padding, reads weight 0
    values = w[links.through]
    strongest = values[np.arange(len(values)), np.abs(values).argmax(axis=1)]
    level = np.maximum(np.ceil(np.clip(np.abs(strongest), 0, 1) * LEVELS), 1).astype(int)
    styles = np.zeros(shape[0] * shape[1], dtype=int)
    styles[links.cells] = np.where(strongest >= 0, level, LEVELS + level)
    return styles.reshape(shape)


Run = tuple[str, str]  # characters drawn in one style


def node_names(names: tuple[str, ...], groups: tuple[tuple[int, int], ...]) -> list[str]:
    """A name per node: the unit's own (shortened to MAX_NAME), or for a group 'first–last'
    of its names if they are short (classes 0–4), else of its unit numbers (1–16); empty if
    the data names fewer units than the layer has."""
    if len(names) < groups[-1][1]:
        return [""] * len(groups)
    short = all(len(name) <= SHORT_NAME for name in names)
    return [
        shorten(names[a], MAX_NAME) if b - a == 1
        else f"{names[a]}–{names[b - 1]}" if short else f"{a + 1}–{b}"
        for a, b in groups
    ]  # fmt: skip


def side_names(view: DiagramView, width: int, area: int) -> tuple[list[str], list[str]]:
    """The names beside the input and the output nodes, cut to fit a fifth of the width."""
    room = max(1, width // 5 - 2)
    dims = view.layer_dims
    inputs = node_names(view.inputs, unit_groups(dims[0], area))
    outputs = node_names(view.outputs, unit_groups(dims[-1], area))
    return [shorten(n, room) for n in inputs], [shorten(n, room) for n in outputs]


def margin(names: list[str]) -> int:
    """Columns beside the outer layer for its names (and at least the nodes' own room)."""
    return max(3, max((len(name) for name in names), default=0) + 2)


def canvas_rows(height: int) -> int:
    """Rows of the canvas: the height less the title and caption rows, and the legend row
    where there is room for one."""
    return height - 2 - (height > MIN_SIZE[1])


def canvas(view: DiagramView, width: int, height: int) -> tuple[list[Column], list[str], list[str]]:
    """The layers placed on the canvas of a ``width`` x ``height`` pane, with the names
    beside the inputs and the outputs."""
    area = canvas_rows(height)
    inputs, outputs = side_names(view, width, area)
    return layout(view.layer_dims, width, area, (margin(inputs), margin(outputs))), inputs, outputs


def diagram_rows(
    view: DiagramView, width: int, height: int, selected: int, colours: Palette
) -> list[list[Run]]:
    """The whole diagram as rows of styled runs: a title row, the canvas, a caption row and,
    where there is room, a legend row."""
    if width < MIN_SIZE[0] or height < MIN_SIZE[1]:
        return [[("too small for the diagram", "dim italic")]]
    dims, acts = view.layer_dims, ("input", *view.activations)
    columns, inputs, outputs = canvas(view, width, height)
    area, with_legend = canvas_rows(height), height > MIN_SIZE[1]
    links = trace_links(tuple(columns), width, area)
    styles = link_styles(columns, view.weights, links, (area, width))
    codes = np.where(links.codes == BRAILLE_BASE, ord(" "), links.codes)
    for l, column in enumerate(columns):
        node = SELECTED_NODE if l == selected else INPUT_NODE if l == 0 else LAYER_NODE
        glyph = ord(GROUP if column.folded else NODE)
        codes[list(column.ys), column.x], styles[list(column.ys), column.x] = glyph, node
    _write_names(codes, styles, columns[0], inputs, -1)
    _write_names(codes, styles, columns[-1], outputs, 1)
    palette_styles = link_palette(colours)
    titles = [_title(l, view.phase, len(dims) - 1) for l in range(len(dims))]
    rows = [_label_row(columns, titles, width, selected, colours)]
    for row, row_styles in zip(codes, styles, strict=True):
        chars = "".join(map(chr, row))
        starts = [0, *(np.flatnonzero(np.diff(row_styles)) + 1), width]
        rows.append([(chars[i:j], palette_styles[row_styles[i]]) for i, j in pairwise(starts)])
    captions = [
        f"{'… ' if c.folded else ''}{n} · {acts[l]}"
        for l, (c, n) in enumerate(zip(columns, dims, strict=True))
    ]
    rows.append(_label_row(columns, captions, width, selected, colours))
    if with_legend:
        rows.append(legend(colours, width, any(c.folded for c in columns)))
    return rows


def _write_names(
    codes: np.ndarray, styles: np.ndarray, column: Column, names: list[str], side: int
) -> None:
    """Write each node's name beside it: left of the column (side -1) or right of it (1)."""
    for y, name in zip(column.ys, names, strict=True):
        start = column.x - 1 - len(name) if side < 0 else column.x + 2
        start = max(0, start)
        name = name[: codes.shape[1] - start]
        codes[y, start : start + len(name)] = [ord(ch) for ch in name]
        styles[y, start : start + len(name)] = NAME


def legend(colours: Palette, width: int, folded: bool) -> list[Run]:
    """What colour and brightness mean, as much of it as fits in ``width``."""
    dim = style(blend(colours.background, colours.foreground, 0.7))
    parts: list[list[Run]] = [
        [("━━", style(colours.positive)), (" w > 0  ", dim)],
        [("━━", style(colours.negative)), (" w < 0  ", dim)],
        [
            ("━", style(blend(colours.muted, colours.positive, 0.3))),
            ("━", style(colours.positive)),
            (" brighter: larger |w|  ", dim),
        ],
    ]
    if folded:
        parts.append([(GROUP, dim), (" group: mean w", dim)])
    row: list[Run] = []
    used = 0
    for part in parts:
        size = sum(len(text) for text, _ in part)
        if used + size > width:
            break
        row += part
        used += size
    return row


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


def _label_row(
    columns: list[Column], labels: list[str], width: int, selected: int, colours: Palette
) -> list[Run]:
    """Labels centred under each column, clipped so that neighbours never overlap; the
    selected layer's reversed in the accent colour, a pass's in its direction's colour."""
    row, drawn, end = [], 0, 0  # drawn: columns filled so far; end: the next label's earliest
    for l, (column, label) in enumerate(zip(columns, labels, strict=True)):
        start = max(end, min(width - len(label), column.x - len(label) // 2))
        if start >= width:
            break
        label = label[: width - start]
        look = f"reverse bold {style(colours.accent)}" if l == selected else "bold"
        if label.startswith("▶"):
            look += f" {style(colours.forward)}"
        elif label.startswith("◀"):
            look += f" {style(colours.backward)}"
        row += [(" " * (start - drawn), ""), (label, look)]
        drawn = start + len(label)
        end = drawn + 1
    row.append((" " * (width - drawn), ""))
    return row


@dataclass(frozen=True)
class Hit:
    """What a click landed on: unit ``unit`` of layer ``layer`` (0: an input), or the link
    into it from unit ``source`` of layer - 1, that is the weight W[layer]_unit,source."""

    layer: int
    unit: int
    source: int | None = None


def hit(view: DiagramView, width: int, height: int, x: int, y: int) -> Hit | None:
    """The node or link drawn at (x, y) of the content area (as ``diagram_rows`` draws it:
    one title row, then the canvas); where links cross, the strongest, whose colour shows."""
    area = canvas_rows(height)
    if width < MIN_SIZE[0] or height < MIN_SIZE[1] or not 0 <= y - 1 < area:
        return None
    columns, _, _ = canvas(view, width, height)
    row = y - 1
    for l, column in enumerate(columns):
        if abs(x - column.x) <= 1 and row in column.ys:
            return Hit(l, column.units[column.ys.index(row)])
    links = trace_links(tuple(columns), width, area)
    at = int(np.searchsorted(links.cells, row * width + x))
    if at == len(links.cells) or links.cells[at] != row * width + x:
        return None
    best: tuple[float, Hit] | None = None
    for link in links.through[at][links.through[at] >= 0]:
        found = _link(columns, view.weights, int(link))
        if best is None or found[0] > best[0]:
            best = found
    return None if best is None else best[1]


def _link(columns: list[Column], weights: tuple[np.ndarray, ...], link: int) -> tuple[float, Hit]:
    """Link number ``link`` (as ``trace_links`` numbers them) as |w| / max |w| of its layer
    and the weight it draws."""
    for l, (left, right) in enumerate(pairwise(columns), start=1):
        count = len(right.units) * len(left.units)
        if link < count:
            j, k = right.units[link // len(left.units)], left.units[link % len(left.units)]
            W = weights[l - 1]
            return abs(float(W[j, k])) / (float(np.abs(W).max()) or 1.0), Hit(l, j, k)
        link -= count
    raise ValueError(f"no link {link} in this layout")


class LayerDiagram(Pane, Widget, can_focus=True):
    """The network drawn from the latest view; ``selected`` is the highlighted layer.
    A click on a node or a link says which (``Picked``)."""

    class Picked(Message):
        """Unit ``unit`` of layer ``layer`` was clicked, or the link into it from unit
        ``source`` of the layer before."""

        def __init__(self, layer: int, unit: int, source: int | None) -> None:
            super().__init__()
            self.layer, self.unit, self.source = layer, unit, source

    selected: reactive[int] = reactive(1)
    view: reactive[DiagramView | None] = reactive(None, always_update=True)

    _lines: list[Strip] | None = None  # the drawing, cut into lines; None: draw again
    _colours: Palette | None = None  # the palette it was drawn with

    def show(self, view: DiagramView) -> None:
        self.view = view

    def render_line(self, y: int) -> Strip:
        """Line y of the drawing. It is drawn once per change, straight into strips: handing
        Textual a whole Text to convert cost three times the drawing itself."""
        colours = palette(self.app)
        if self._lines is None or colours is not self._colours:
            view, self._colours = self.view, colours
            rows = [] if view is None else diagram_rows(view, *self.size, self.selected, colours)
            segments = [[Segment(text, Style.parse(look)) for text, look in row] for row in rows]
            self._lines = [Strip(line) for line in segments]
        width, base = self.size.width, self.rich_style
        if y >= len(self._lines):
            return Strip.blank(width, base)
        return self._lines[y].apply_style(base).crop_extend(0, width, base)

    def watch_view(self) -> None:
        self._lines = None

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or self.view is None:
            return
        found = hit(self.view, *self.size, offset.x, offset.y)
        if found is not None:
            self.post_message(self.Picked(found.layer, found.unit, found.source))

    def watch_selected(self) -> None:
        self._lines = None

    def on_resize(self) -> None:
        self._lines = None
