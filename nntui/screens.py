"""The help screen: every key, and the notation used on screen."""

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Markdown, Static

from engine.gradcheck import GOOD, GradCheck

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
        "| arrows in the shapes table | select a layer and an array; `enter` inspects it |",
        "| arrows in the heatmap | move the cursor |",
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


class GradCheckScreen(ModalScreen[None]):
    """The result of a gradient check: the relative error per layer and a verdict."""

    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("q", "dismiss", "Close", show=False)]

    def __init__(self, result: GradCheck, examples: int) -> None:
        super().__init__()
        self.result = result
        self.examples = examples

    def compose(self) -> ComposeResult:
        r = self.result
        rows = "\n".join(
            f"| {l} | {error:.2e} | {'ok' if error < GOOD else 'check'} |"
            for l, error in r.per_layer.items()
        )
        text = (
            "## Gradient check\n\n"
            f"Backprop's dW, db against centred finite differences, in float64, on "
            f"{self.examples} training examples ({r.checked} parameters perturbed). The "
            "model and its training are not touched.\n\n"
            "| layer | relative error | |\n|---|---|---|\n"
            f"{rows}\n\n**overall {r.relative_error:.2e}: {r.verdict}**\n\n"
            "Below 1e-7 the gradients agree; above 1e-3 something is wrong."
        )
        with VerticalScroll(id="gradcheck"):
            yield Markdown(text)

    def on_mount(self) -> None:
        self.query_one("#gradcheck").border_title = "gradient check · escape closes"


class PathPrompt(ModalScreen[str | None]):
    """Asks for a file path; Enter answers it, Escape cancels (None)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    AUTO_FOCUS = "#path"

    def __init__(self, title: str, default: str, verb: str) -> None:
        super().__init__()
        self.title_text, self.default, self.verb = title, default, verb

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt"):
            yield Label(self.title_text)
            yield Input(self.default, id="path")
            yield Static(f"enter: {self.verb} · escape: cancel", classes="hint")

    @on(Input.Submitted)
    def _answer(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ValuePrompt(PathPrompt):
    """Asks for one value (a weight, say); Enter answers it, Escape cancels (None)."""
