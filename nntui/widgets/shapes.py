"""The shapes table: one row per layer l with the live .shape of every array of that layer.

While a new ``hidden`` value is typed in the form (before Enter), it shows the shapes the
network would have instead, as the engine lays it out, with the cells that would change
marked; leaving the field or escape brings the live shapes back.
"""

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import DataTable

from engine.names import LAYER_KINDS, ArrayName, LayerKind
from nntui.config import ConfigError
from nntui.messages import TensorSelected
from nntui.session import Session
from nntui.views import UiState
from nntui.widgets.pane import Pane


@dataclass(frozen=True)
class ShapesView:
    """The live .shape of every array by its name; the activations; the example counts."""

    activations: tuple[str, ...]
    shapes: dict[ArrayName, tuple[int, ...]]
    m_train: int
    m_test: int
    planned: str = ""  # the typed value shown instead of the live network ('' for live)
    changed: frozenset[ArrayName] = frozenset()  # arrays whose shape the plan changes

    @property
    def L(self) -> int:
        return len(self.activations)

    @property
    def batch_m(self) -> int:
        """m of the current batch, the m in every (n_l, m)."""
        return self.shapes[ArrayName("A", 0)][1]


def planned_network(
    session: Session, hidden: tuple[int, ...]
) -> tuple[tuple[str, ...], dict[ArrayName, tuple[int, ...]]] | None:
    """``Session.planned_network``, or None when the activations do not fit ``hidden``."""
    try:
        return session.planned_network(hidden)
    except ConfigError:
        return None


def shapes_view(session: Session, ui: UiState) -> ShapesView:
    """The live shapes, or with ``ui.planned_hidden`` the shapes the engine would give (the
    live ones while the activations given do not fit that many layers: Enter says why)."""
    facts = session.facts()
    live = session.shapes()
    plan = None if ui.planned_hidden is None else planned_network(session, ui.planned_hidden)
    if plan is None:
        return ShapesView(facts.activations, live, facts.m_train, facts.m_test)
    activations, planned = plan
    changed = frozenset(name for name, shape in planned.items() if live.get(name) != shape)
    hidden = ",".join(map(str, ui.planned_hidden)) or "none"
    return ShapesView(
        activations, planned, facts.m_train, facts.m_test, f"hidden = {hidden}", changed
    )


FIRST_TENSOR_COLUMN = 2  # after "l" and "g"
HEADERS = ("l", "g", *map(str, LAYER_KINDS))


def cell(view: ShapesView, name: ArrayName) -> str:
    """'(4, 2)' under its column's name; the input is written 'X (2, 400)'; '—' before the
    array exists (dZ, dW, db before the first backward pass)."""
    shape = view.shapes.get(name)
    if shape is None:
        return "—"
    text = f"({', '.join(str(n) for n in shape)})"
    return f"X {text}" if name == ArrayName("A", 0) else text


CHANGED_STYLE = "bold reverse"


def rows(view: ShapesView) -> list[list[Text]]:
    """Cells as Text, so that brackets are shown, never read as markup; a cell the plan
    changes in CHANGED_STYLE."""
    return [
        [Text(str(l)), Text(view.activations[l - 1])]
        + [
            Text(cell(view, kind.at(l)), CHANGED_STYLE if kind.at(l) in view.changed else "")
            for kind in LAYER_KINDS
        ]
        for l in range(1, view.L + 1)
    ]


def title(view: ShapesView) -> str:
    """What the table shows: the live network, or the planned one and what to press."""
    if view.planned:
        return (
            f"Shapes → new with {view.planned} · {len(view.changed)} changed (marked) · "
            "enter rebuilds, escape keeps the network"
        )
    return (
        f"Shapes · m = {view.batch_m} in this batch · "
        f"{view.m_train} train, {view.m_test} test examples · enter: inspect"
    )


def column_widths(view: ShapesView) -> list[int]:
    """Fixed widths, wide enough for every cell now and after the first backward pass."""
    widths = [max(1, len(str(view.L))), max(len(g) for g in view.activations)]
    for kind in LAYER_KINDS:
        twin = LayerKind(kind.kind.removeprefix("d"), kind.offset)  # dW has W's shape
        cells = [cell(view, twin.at(l)) for l in range(1, view.L + 1)]
        widths.append(max(len(str(kind)), *(len(c) for c in cells)))
    return widths


class ShapesTable(Pane, DataTable):
    """A cell is a layer's array: moving the cursor selects that layer and array everywhere;
    Enter opens it in the inspector."""

    def on_mount(self) -> None:
        self.cursor_type = "cell"
        self.zebra_stripes = True

    def show(self, view: ShapesView) -> None:
        """Update the title and the cells in place; when the widths change (another network
        or data set), lay the columns out again, keeping the cursor where it was."""
        self.set_class(bool(view.planned), "-planned")
        if self.border_title != (text := title(view)):
            self.border_title = text
        new = rows(view)
        widths = column_widths(view)
        if widths != [column.width for column in self.columns.values()] or (
            self.row_count != len(new)
        ):
            cursor = self.cursor_coordinate
            with self.prevent(DataTable.CellHighlighted):
                self.clear(columns=True)
                for header, width in zip(HEADERS, widths, strict=True):
                    self.add_column(Text(header), width=width)
                for row in new:
                    self.add_row(*row)
                self.move_cursor(row=min(cursor.row, len(new) - 1), column=cursor.column)
            return
        for r, row in enumerate(new):
            for c, value in enumerate(row):
                if self.get_cell_at((r, c)) != value:
                    self.update_cell_at((r, c), value)

    def select(self, layer: int, kind: LayerKind) -> None:
        """Put the cursor on layer ``layer``'s array ``kind``, without echoing a message."""
        row, column = layer - 1, FIRST_TENSOR_COLUMN + LAYER_KINDS.index(kind)
        if self.row_count and (self.cursor_row, self.cursor_column) != (row, column):
            with self.prevent(DataTable.CellHighlighted):
                self.move_cursor(row=row, column=column)

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        event.stop()
        row, column = event.coordinate
        kind = LAYER_KINDS[column - FIRST_TENSOR_COLUMN] if column >= FIRST_TENSOR_COLUMN else None
        self.post_message(TensorSelected(row + 1, kind))
