"""The learning-rate finder's screen (key F): cost against learning rate on a log axis, the
suggested rate marked, the rule that chose it, and an offer: Apply (the live learning rate
becomes the suggestion, as if typed in the form) or Cancel. The finder ran on a copy of the
model (``Session.find_learning_rate``); this screen only draws its result."""

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from engine.lrfind import LRFind
from nntui.lrplot import draw
from nntui.palette import palette
from nntui.widgets.chart import Chart


class LRFindPlot(Chart):
    """J per step and its smoothed curve against log10 α, the suggested α as a line."""

    def __init__(self, found: LRFind, *, id: str) -> None:
        super().__init__(id=id)
        self.found = found

    def on_mount(self) -> None:
        colours = palette(self.app)
        draw(self.plt, self.found, (colours.positive, colours.negative, colours.accent))


class LRFindScreen(ModalScreen[float | None]):
    """What a find measured; a (or the Apply button) answers the suggested rate, escape or c
    (or Cancel) answers None."""

    BINDINGS = [
        Binding("a", "answer(True)", "Apply"),
        Binding("c", "answer(False)", "Cancel"),
        Binding("escape", "answer(False)", "Cancel", show=False),
    ]
    AUTO_FOCUS = "#lr-apply"

    def __init__(self, found: LRFind, current: float) -> None:
        super().__init__()
        self.found, self.current = found, current

    def compose(self) -> ComposeResult:
        found = self.found
        with Vertical(id="lrfind"):
            yield LRFindPlot(found, id="lr-plot")
            yield Static(
                f"suggested α = {found.suggested:g}: {found.rule} "
                f"(now α = {self.current:g}); {len(found.costs)} steps, α from "
                f"{found.rates[0]:g} to {found.rates[-1]:.3g}; {found.stopped}.",
                id="lr-text",
                markup=False,
            )
            with Horizontal(id="lr-buttons"):
                yield Button(f"Apply α = {found.suggested:g} (a)", id="lr-apply",
                             variant="primary", compact=True)  # fmt: skip
                yield Button("Cancel (c)", id="lr-cancel", compact=True)

    def on_mount(self) -> None:
        box = self.query_one("#lrfind")
        box.border_title = "learning-rate finder · on a copy of the model"
        box.border_subtitle = "a: apply · escape: cancel"

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.action_answer(event.button.id == "lr-apply")

    def action_answer(self, apply: bool) -> None:
        self.dismiss(self.found.suggested if apply else None)
