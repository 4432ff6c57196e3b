"""The shapes table: one row per layer l with the live .shape of every array of that layer."""

from rich.text import Text
from textual.widgets import DataTable

from nntui.messages import TensorSelected
from nntui.session import TENSOR_KINDS, Snapshot, tensor_name
from nntui.widgets.pane import Pane

FIRST_TENSOR_COLUMN = 2  # after "l" and "g"
HEADERS = ("l", "g", *TENSOR_KINDS)
#: The gradients have the shapes of what they are gradients of.
SHAPE_TWIN = {"dZ[l]": "Z[l]", "dW[l]": "W[l]", "db[l]": "b[l]"}


def cell(snapshot: Snapshot, name: str) -> str:
    """'(4, 2)' under its column's name; the input is written 'X (2, 400)'; '—' before the
    array exists (dZ, dW, db before the first backward pass)."""
    shape = snapshot.shapes.get(name)
    if shape is None:
        return "—"
    text = f"({', '.join(str(n) for n in shape)})"
    return f"X {text}" if name == "A[0]" else text


def rows(snapshot: Snapshot) -> list[list[Text]]:
    """Cells as Text, so that brackets are shown, never read as markup."""
    return [
        [Text(str(l)), Text(snapshot.activations[l - 1])]
        + [Text(cell(snapshot, tensor_name(kind, l))) for kind in TENSOR_KINDS]
        for l in range(1, snapshot.L + 1)
    ]


def column_widths(snapshot: Snapshot) -> list[int]:
    """Fixed widths, wide enough for every cell now and after the first backward pass."""
    widths = [max(1, len(str(snapshot.L))), max(len(g) for g in snapshot.activations)]
    for kind in TENSOR_KINDS:
        twin = SHAPE_TWIN.get(kind, kind)
        cells = [cell(snapshot, tensor_name(twin, l)) for l in range(1, snapshot.L + 1)]
        widths.append(max(len(kind), *(len(c) for c in cells)))
    return widths


class ShapesTable(Pane, DataTable):
    """A cell is a layer's array: moving the cursor selects that layer and array everywhere;
    Enter opens it in the inspector."""

    def on_mount(self) -> None:
        self.cursor_type = "cell"
        self.zebra_stripes = True

    def show(self, snapshot: Snapshot) -> None:
        """Update the cells in place; when the widths change (another network or data set),
        lay the columns out again, keeping the cursor where it was."""
        new = rows(snapshot)
        widths = column_widths(snapshot)
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

    def select(self, layer: int, kind: str) -> None:
        """Put the cursor on layer ``layer``'s array ``kind``, without echoing a message."""
        row, column = layer - 1, FIRST_TENSOR_COLUMN + TENSOR_KINDS.index(kind)
        if self.row_count and (self.cursor_row, self.cursor_column) != (row, column):
            with self.prevent(DataTable.CellHighlighted):
                self.move_cursor(row=row, column=column)

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        event.stop()
        row, column = event.coordinate
        kind = TENSOR_KINDS[column - FIRST_TENSOR_COLUMN] if column >= FIRST_TENSOR_COLUMN else None
        self.post_message(TensorSelected(row + 1, kind))
