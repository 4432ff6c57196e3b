"""The shapes table: one row per layer l with the live .shape of every array of that layer."""

from rich.text import Text
from textual.widgets import DataTable

from nntui.messages import LayerSelected
from nntui.session import Snapshot

#: Column header and the array it shows, for layer l.
COLUMNS = [
    ("A[l-1]", "A[{p}]"),
    ("W[l]", "W[{l}]"),
    ("b[l]", "b[{l}]"),
    ("Z[l]", "Z[{l}]"),
    ("A[l]", "A[{l}]"),
    ("dZ[l]", "dZ[{l}]"),
    ("dW[l]", "dW[{l}]"),
    ("db[l]", "db[{l}]"),
]


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
        + [Text(cell(snapshot, pattern.format(l=l, p=l - 1))) for _, pattern in COLUMNS]
        for l in range(1, snapshot.L + 1)
    ]


class ShapesTable(DataTable):
    """Moving the cursor selects that layer everywhere."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_columns(*(Text(h) for h in ("l", "g", *(header for header, _ in COLUMNS))))

    def show(self, snapshot: Snapshot) -> None:
        new = rows(snapshot)
        if self.row_count != len(new):
            cursor = min(self.cursor_row, len(new) - 1)
            self.clear()
            for row in new:
                self.add_row(*row)
            self.move_cursor(row=max(cursor, 0))
            return
        for r, row in enumerate(new):
            for c, value in enumerate(row):
                if self.get_cell_at((r, c)) != value:
                    self.update_cell_at((r, c), value, update_width=True)

    def select_layer(self, layer: int) -> None:
        if self.row_count and self.cursor_row != layer - 1:
            self.move_cursor(row=layer - 1)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.post_message(LayerSelected(event.cursor_row + 1))
