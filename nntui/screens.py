"""The help screen: every key, and the notation used on screen."""

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

NOTATION = """
## Notation (the article's)

| symbol | shape | meaning |
|---|---|---|
| X = A[0] | (n_x, m) | the input: **one column per example** |
| W[l] | (n_l, n_{l-1}) | layer l's weights |
| b[l] | (n_l, 1) | layer l's bias, broadcast across the m columns |
| Z[l] = W[l] · A[l-1] + b[l] | (n_l, m) | layer l's linear part |
| A[l] = g(Z[l]) | (n_l, m) | layer l's activation |
| dZ[l], dW[l], db[l] | like Z[l], W[l], b[l] | gradients of the cost J |

Layers count from 1; the input is not a layer, so 2-4-1 is a **2 layer** network.
m in the shapes table is the size of the current batch.

In the diagram, links are **blue** for positive weights and **orange** for negative
ones, brighter when larger. In the form, **●** fields apply to the running model and
**↻** fields rebuild the network with new weights from the seed.
"""


def keys_table(bindings: list[Binding]) -> str:
    rows = [f"| `{b.key_display or b.key}` | {b.description} |" for b in bindings]
    extra = [
        "| `tab` / `shift+tab` | move between panes |",
        "| `↑` `↓` in the shapes table | select a layer |",
        "| `enter` in a field | apply it; `escape` reverts it |",
        "| `ctrl+p` | command palette |",
    ]
    return "## Keys\n\n| key | does |\n|---|---|\n" + "\n".join(rows + extra)


class HelpScreen(ModalScreen[None]):
    """Keys and notation; any of escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("q", "dismiss", "Close", show=False),
        Binding("question_mark", "dismiss", "Close", show=False),
    ]

    def __init__(self, bindings: list[Binding]) -> None:
        super().__init__()
        self.bindings = bindings

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(keys_table(self.bindings) + "\n" + NOTATION)

    def on_mount(self) -> None:
        self.query_one("#help").border_title = "nntui help · escape closes"
