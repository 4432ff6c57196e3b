"""The Explain view: one example and one unit through the network, with the live numbers.

For example i and unit j of layer l it writes out what the engine computed: the forward
sum z[l]_j = Σ_k W[l]_jk · a[l-1]_k + b[l]_j term by term (largest |w·a| first), a[l]_j =
g(z[l]_j), the whole column a[l]; the output, this example's loss and the batch's J; the
backward pass dA, g'(z), dZ, this example's dW row and its share of the batch's, the
batch's dW row; and the last update of that row with the optimiser's own state. Every
number comes from the engine (``engine.trace``) through ``Session.explain``; this file
only writes them down. After a phase step (.) it shows that phase's part.
"""

from dataclasses import dataclass, replace

import numpy as np
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Input, Static

from engine.costs import COSTS
from engine.trace import LayerTrace
from nntui.session import Explanation, PhaseView, Session
from nntui.views import ExplainChoice, UiState
from nntui.widgets.pane import Pane

MOST_TERMS = 6  # terms of the forward sum written out; the rest are summed in one
MOST_VALUES = 8  # values of a vector written out
LOSS_TERMS = {
    "bce": "−[y·log ŷ + (1−y)·log(1−ŷ)]",
    "ce": "−Σ y·log ŷ",
    "mse": "½ Σ (ŷ − y)²",
}
HINT = "j/k unit · </> example · , train/test · i index · l layer · click the diagram"


@dataclass(frozen=True)
class ExplainView:
    """The chosen example through the network (None with ``error`` if it does not exist),
    the unit j of layer l, the weight picked in the diagram, and the last phase step."""

    explanation: Explanation | None
    error: str
    choice: ExplainChoice
    l: int
    j: int
    layer_dims: tuple[int, ...]
    m_train: int
    m_test: int
    phase: PhaseView | None


def explain_view(session: Session, ui: UiState) -> ExplainView:
    """The engine's trace of the chosen example, read through the Session."""
    facts = session.facts()
    choice = ui.explain
    l = min(max(ui.selected, 1), facts.L)
    j = min(choice.unit, facts.layer_dims[l] - 1)
    try:
        explanation, error = session.explain(choice.split, choice.example, l), ""
    except ValueError as err:
        explanation, error = None, str(err)
    return ExplainView(
        explanation, error, choice, l, j, facts.layer_dims, facts.m_train, facts.m_test,
        session.phase,
    )  # fmt: skip


def num(value: float) -> str:
    """A number as shown: 4 significant digits."""
    return f"{float(value):.4g}"


def vector(values: np.ndarray) -> str:
    """'[0.1, -2.3, …]': the first MOST_VALUES values, and how many there are in all."""
    flat = np.ravel(values)
    shown = ", ".join(num(v) for v in flat[:MOST_VALUES])
    more = f", … ({flat.size} in all)" if flat.size > MOST_VALUES else ""
    return f"[{shown}{more}]"


def header(e: Explanation, l: int, j: int, n_l: int) -> list[str]:
    """Which example and unit, the input raw and standardised, the label."""
    layer = e.trace.layers[l - 1]
    weights = "the weights before the last update" if e.after_update else "the current weights"
    return [
        f"example {e.index} of {e.m} ({e.split}) · data row {e.row} · label {e.label} · "
        f"epoch {e.epoch}",
        f"x raw {vector(e.x_raw)}   ({', '.join(e.features[:MOST_VALUES])})",
        f"x standardised = a[0] {vector(e.trace.x)}",
        f"unit j = {j} of layer {l} (n_{l} = {n_l}, {layer.activation}) · through {weights}",
    ]


def forward_lines(layer: LayerTrace, j: int) -> list[str]:
    """z[l]_j written out, largest terms first, then a[l]_j = g(z[l]_j) and the column a[l]."""
    l = layer.l
    ks, rest = layer.largest_terms(j, MOST_TERMS)
    lines = [f"Forward   z[{l}]_{j} = Σ_k W[{l}]_{j},k · a[{l - 1}]_k + b[{l}]_{j}"]
    for k in ks:
        w, a = layer.W[j, k], layer.A_prev[k, 0]
        lines.append(f"  W[{l}]_{j},{k} · a[{l - 1}]_{k} = {num(w)} × {num(a)} = "
                     f"{num(layer.terms[j, k])}")  # fmt: skip
    hidden = layer.W.shape[1] - len(ks)
    if hidden:
        lines.append(f"  + {hidden} more terms = {num(rest)}")
    lines.append(f"  + b[{l}]_{j} = {num(layer.b[j, 0])}")
    lines.append(f"  z[{l}]_{j} = {num(layer.Z[j, 0])}")
    g = layer.activation
    lines.append(f"a[{l}]_{j} = {g}(z[{l}]_{j}) = {g}({num(layer.Z[j, 0])}) = {num(layer.A[j, 0])}")
    lines.append(f"a[{l}] = {vector(layer.A)}ᵀ   shape {layer.A.shape}")
    return lines


def output_lines(e: Explanation) -> list[str]:
    """ŷ, the label, this example's loss term and the batch's J."""
    t, b = e.trace, e.batch
    lines = [
        f"Output    ŷ = a[{len(t.layers)}] = {vector(t.yhat)}ᵀ   y = {vector(t.y)}ᵀ ({e.label})",
        f"  loss of this example = {LOSS_TERMS[t.cost]} ({COSTS[t.cost].title}) = {num(t.loss)}",
    ]
    if np.isnan(b.J):
        lines.append("  J: no cost computed yet (press n, or . up to the cost)")
    else:
        lines.append(f"  J = mean over the latest batch (m = {b.m}) = {num(b.J)}")
    return lines


def backward_lines(e: Explanation, layer: LayerTrace, j: int) -> list[str]:
    """dA, g'(z), dZ for this example; its dW row and share; the batch's dW row."""
    l, t, b = layer.l, e.trace, e.batch
    L = len(t.layers)
    source = "∂loss/∂a" if l == L else f"(W[{l + 1}]ᵀ · dz[{l + 1}])_{j}"
    lines = [f"Backward  da[{l}]_{j} = {source} = {num(layer.dA[j, 0])}"]
    g = layer.activation
    if layer.g_prime is not None:
        lines.append(f"  g'(z[{l}]_{j}) = {g}'({num(layer.Z[j, 0])}) = {num(layer.g_prime[j, 0])}")
    if l == L and t.shortcut:
        lines.append(f"  dz[{l}]_{j} = ŷ_{j} − y_{j} = {num(t.yhat[j, 0])} − {num(t.y[j, 0])} = "
                     f"{num(layer.dZ[j, 0])}")  # fmt: skip
    elif layer.g_prime is not None:
        lines.append(f"  dz[{l}]_{j} = da · g'(z) = {num(layer.dA[j, 0])} × "
                     f"{num(layer.g_prime[j, 0])} = {num(layer.dZ[j, 0])}")  # fmt: skip
    else:
        lines.append(f"  dz[{l}]_{j} = (softmax Jacobian · da)_{j} = {num(layer.dZ[j, 0])}")
    lines.append(f"  this example: dW[{l}]_{j},: = dz · a[{l - 1}]ᵀ = {vector(layer.dW[j])}")
    lines.append(f"  this example: db[{l}]_{j} = dz = {num(layer.db[j, 0])}")
    lines.append("  " + share_line(e, j))
    if b.dW is None:
        lines.append("  batch: no backward pass yet (press n, or . up to a backward phase)")
    else:
        lines.append(f"  batch (m = {b.m}): dW[{l}]_{j},: = {vector(b.dW[j])}")
        lines.append(f"  batch (m = {b.m}): db[{l}]_{j} = {num(b.db[j, 0])}")
    return lines


def share_line(e: Explanation, j: int) -> str:
    """This example's part of the batch's gradient, 1/m of its own, if it was in the batch."""
    if e.split == "test":
        return "a test example: it is not trained on, so it adds nothing to dW"
    if e.share is None:
        return "not in the latest batch: it adds nothing to that batch's dW"
    dW_share, db_share = e.share
    return (f"its share of the batch's (1/m, m = {e.batch.m}): dW {vector(dW_share[j])} · "
            f"db {num(db_share[j, 0])}")  # fmt: skip


def update_lines(e: Explanation, l: int, j: int) -> list[str]:
    """The last update of row j of W[l] and of b[l]_j, with the optimiser's state."""
    u = e.batch.update
    if u is None:
        return ["Update    no update yet (press n, or . up to the update)"]
    lines = [
        f"Update    W ← W − α·dW: {u.equation}   ({u.optimizer}, α = {num(u.learning_rate)})",
        f"  W[{l}]_{j},: before {vector(u.W_before[j])}",
        f"  dW[{l}]_{j},:        {vector(u.dW[j])}",
    ]
    for key, array in u.state.items():
        name, param = key.split("_", 1)
        row = array[j] if param.startswith("W") else array[j, 0]
        index = f"{j},:" if param.startswith("W") else f"{j}"
        lines.append(f"  {name} of {param[0]}[{l}]_{index} {vector(row)}")
    lines += [f"  {name} = {value}" for name, value in u.counters.items()]
    lines.append(f"  W[{l}]_{j},: after  {vector(u.W_after[j])}")
    lines.append(f"  b[{l}]_{j}: before {num(u.b_before[j, 0])} · db {num(u.db[j, 0])} · "
                 f"after {num(u.b_after[j, 0])}")  # fmt: skip
    return lines


def weight_lines(e: Explanation, weight: tuple[int, int, int]) -> list[str]:
    """The weight picked in the diagram: its value, gradient and last update."""
    l, j, k = weight
    b, u = e.batch, e.batch.update
    name = f"W[{l}]_{j},{k}"
    layer = e.trace.layers[l - 1]
    lines = [f"Weight    {name} (unit {k} of layer {l - 1} → unit {j} of layer {l}) = "
             f"{num(layer.W[j, k])}"]  # fmt: skip
    if b.dW is not None:
        lines.append(f"  gradient d{name} (batch, m = {b.m}) = {num(b.dW[j, k])}")
    if u is not None:
        lines.append(f"  last update {num(u.W_before[j, k])} → {num(u.W_after[j, k])}")
    return lines


def explain_lines(view: ExplainView) -> list[str]:
    """Every line of the view: the phase's part after a phase step, else all of it."""
    e = view.explanation
    if e is None:
        return [view.error]
    l, j = view.l, view.j
    lines = header(e, l, j, view.layer_dims[l])
    weight = view.choice.weight
    if weight is not None and weight[0] <= len(e.trace.layers) and weight[0] == l:
        lines += weight_lines(e, weight)
    layer = e.trace.layers[l - 1]
    phase = view.phase
    parts = {
        "forward": lambda: forward_lines(layer, j),
        "cost": lambda: output_lines(e),
        "backward": lambda: backward_lines(e, layer, j),
        "update": lambda: update_lines(e, l, j),
    }
    if phase is not None:
        return [*lines, f"after the phase: {phase.title}", *parts[phase.kind]()]
    return [*lines, *(line for part in parts.values() for line in part())]


class Explainer(Pane, VerticalScroll, can_focus=True):
    """The Explain view; its keys work while it has focus."""

    BINDINGS = [
        Binding("j", "unit(1)", "Explain: next unit", show=False),
        Binding("k", "unit(-1)", "Explain: previous unit", show=False),
        Binding("greater_than_sign", "example(1)", "Explain: next example", key_display=">",
                show=False),
        Binding("less_than_sign", "example(-1)", "Explain: previous example", key_display="<",
                show=False),
        Binding("comma", "split", "Explain: train / test example", key_display=",", show=False),
        Binding("i", "type_index", "Explain: type an example's index", show=False),
    ]  # fmt: skip

    class Chosen(Message):
        """The user chose another example or unit."""

        def __init__(self, choice: ExplainChoice) -> None:
            super().__init__()
            self.choice = choice

    _view: ExplainView | None = None

    def compose(self) -> ComposeResult:
        yield Static(HINT, id="explain-hint", markup=False)
        yield Input(placeholder="example index, enter", type="integer", id="explain-index")
        yield Static(id="explain-body", markup=False)

    def show(self, view: ExplainView) -> None:
        self._view = view
        lines = explain_lines(view)
        text = Text("\n".join(lines))
        for heading in ("Forward", "Output", "Backward", "Update", "Weight", "after the phase"):
            text.highlight_regex(rf"(?m)^{heading}\b", "bold")
        self.query_one("#explain-body", Static).update(text)

    def _choose(self, **change) -> None:
        """Ask the app for another choice; the next key builds on it even before the app's
        new frame arrives."""
        view = self._view
        if view is not None:
            choice = replace(view.choice, **change)
            self._view = replace(view, choice=choice, j=choice.unit)
            self.post_message(self.Chosen(choice))

    def action_unit(self, step: int) -> None:
        if self._view is not None:
            n = self._view.layer_dims[self._view.l]
            self._choose(unit=(self._view.j + step) % n, weight=None)

    def action_example(self, step: int) -> None:
        view = self._view
        if view is not None:
            m = view.m_train if view.choice.split == "train" else view.m_test
            self._choose(example=(view.choice.example + step) % max(m, 1))

    def action_split(self) -> None:
        view = self._view
        if view is not None:
            split = "test" if view.choice.split == "train" and view.m_test else "train"
            m = view.m_train if split == "train" else view.m_test
            self._choose(split=split, example=min(view.choice.example, m - 1))

    def action_type_index(self) -> None:
        field = self.query_one("#explain-index", Input)
        field.add_class("-open")
        field.focus()

    @on(Input.Submitted, "#explain-index")
    def _index_typed(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus()
        try:
            example = int(event.value)
        except ValueError:
            return  # nothing, or only a sign: the example stays
        self._choose(example=example)

    @on(Input.Blurred, "#explain-index")
    def _index_left(self, event: Input.Blurred) -> None:
        event.input.remove_class("-open")
        event.input.value = ""
