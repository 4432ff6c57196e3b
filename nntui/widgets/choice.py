"""A form field with a list of choices, light enough for the first frame.

``ChoiceField`` is one widget that draws the chosen option's text and ▼ (where a Textual
``Select`` is five: its current line, the line's label and two arrows, and the list). Its
list, a ``ChoiceList``, is built the first time it opens and shown over the screen under
the field. The keys are a Select's: enter, space, up or down open the list; up and down
move in it; enter picks; escape closes it; typing jumps to the first option whose text
holds the typed letters earliest, and a letter typed again goes on to the next option that
starts with it. A click on the field opens or closes its list.
"""

import time

from textual import events, on
from textual.app import RenderResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.reactive import var
from textual.widget import Widget
from textual.widgets import OptionList

SEARCH_RESET_SECONDS = 0.7  # a pause this long starts a new search (Select's delay)


def best_match(prompts: list[str], query: str) -> int | None:
    """The index of the prompt holding ``query`` earliest (the first such), case-blind."""
    found = [(prompt.lower().find(query.lower()), i) for i, prompt in enumerate(prompts)]
    return min(((at, i) for at, i in found if at >= 0), default=(None, None))[1]


def next_starting_with(prompts: list[str], letter: str, after: int) -> int | None:
    """The index of the first prompt after ``after`` (round past the end, back to ``after``
    itself) that starts with ``letter``, case-blind; None if none does."""
    n = len(prompts)
    order = ((after + step) % n for step in range(1, n + 1))
    return next((i for i in order if prompts[i].lower().startswith(letter.lower())), None)


def typed_match(prompts: list[str], query: str, highlighted: int) -> int | None:
    """Where typing ``query`` goes: one letter, or the same letter again and again, cycles
    through the prompts that start with it (as file managers do); other letters find the
    prompt holding them earliest (``best_match``)."""
    letter = query[0]
    if query == letter * len(query):
        found = next_starting_with(prompts, letter, highlighted)
        if found is not None:
            return found
    return best_match(prompts, query)


class ChoiceList(OptionList):
    """A ChoiceField's open list: it closes on escape or when it loses focus."""

    BINDINGS = [Binding("escape", "dismiss", "Dismiss menu")]

    class Closed(Message):
        """The list closed without a pick; ``lost_focus`` if focus went elsewhere."""

        def __init__(self, lost_focus: bool) -> None:
            super().__init__()
            self.lost_focus = lost_focus

    def __init__(self, prompts: list[str]) -> None:
        super().__init__(*prompts, markup=False)  # not compact: a compact list has no border
        self.prompts = prompts
        self._query, self._typed_at = "", 0.0

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        """Printable keys search the list, so the app's letter keys wait while it is open."""
        return character is not None and character.isprintable()

    def on_key(self, event: events.Key) -> None:
        if event.character is None or not event.is_printable:
            return
        event.stop()
        event.prevent_default()
        now = time.monotonic()
        if now - self._typed_at > SEARCH_RESET_SECONDS:
            self._query = ""
        self._query, self._typed_at = self._query + event.character, now
        highlighted = self.highlighted if self.highlighted is not None else -1
        if (index := typed_match(self.prompts, self._query, highlighted)) is not None:
            self.highlighted = index

    def action_dismiss(self) -> None:
        self.post_message(self.Closed(lost_focus=False))

    def on_blur(self) -> None:
        self.post_message(self.Closed(lost_focus=True))
        self.suppress_click()  # the click that took focus away does not reopen the list


class ChoiceField(Widget, can_focus=True):
    """A choice among ``options`` (prompt, value): shows the chosen prompt and ▼ (▲ when
    open); posts ``Changed`` when ``value`` changes, by a pick or by code."""

    BINDINGS = [Binding("enter,down,space,up", "open", "Show menu", show=False)]
    COMPONENT_CLASSES = {"choice-field--arrow"}
    DEFAULT_CSS = """
    ChoiceField {
        width: 1fr;
        height: 1;
        color: $foreground;
        background: $surface;
        pointer: pointer;
        &:focus { background-tint: $foreground 5%; }
        & > .choice-field--arrow { color: $foreground 50%; }
        & > ChoiceList {
            width: 1fr;
            height: auto;
            max-height: 12;
            offset-y: 1;
            overlay: screen;
            constrain: none inside;
            border: round $accent;
            padding: 0;
            background: $surface;
            text-wrap: nowrap;
            text-overflow: ellipsis;
            &:focus { border: round $accent; background-tint: $foreground 5%; }
        }
    }
    """

    value: var[str] = var("", init=False)
    expanded: var[bool] = var(False, init=False)

    class Changed(Message):
        """``field`` now holds ``value``."""

        def __init__(self, field: "ChoiceField", value: str) -> None:
            super().__init__()
            self.field = field
            self.value = value

        @property
        def control(self) -> "ChoiceField":
            return self.field

    def __init__(self, options: list[tuple[str, str]], *, value: str, id: str) -> None:
        super().__init__(id=id)
        self._options = options
        self.set_reactive(ChoiceField.value, self.validate_value(value))

    def set_options(self, options: list[tuple[str, str]]) -> None:
        """New (prompt, value) options; the value stays if still offered, else the first."""
        self._options = options
        for choices in self.query(ChoiceList):  # a list already built shows the new options
            choices.prompts = [prompt for prompt, _ in options]
            choices.set_options(choices.prompts)
        self.value = self.value if self.value in self._values else options[0][1]
        self.refresh()  # the chosen option's prompt may be new

    @property
    def _values(self) -> list[str]:
        return [value for _, value in self._options]

    def validate_value(self, value: str) -> str:
        if value not in self._values:
            raise ValueError(f"{value!r} is not one of {self._values}")
        return value

    def watch_value(self, value: str) -> None:
        self.refresh()
        self.post_message(self.Changed(self, value))

    def watch_expanded(self) -> None:
        self.refresh()

    def render(self) -> RenderResult:
        """The chosen prompt, cut to the width with an ellipsis, then the arrow."""
        prompt = self._options[self._values.index(self.value)][0]
        arrow = Content("▲" if self.expanded else "▼").stylize(
            self.get_visual_style("choice-field--arrow")
        )
        label = Content(prompt).truncate(max(self.size.width - 3, 0), ellipsis=True, pad=True)
        return Content.assemble(label, " ", arrow, " ")

    async def action_open(self) -> None:
        """Show the list (built now if it never was), the chosen option highlighted."""
        lists = self.query(ChoiceList)
        choices = lists.first() if lists else ChoiceList([p for p, _ in self._options])
        if not lists:
            await self.mount(choices)
        choices.display = True
        choices.highlighted = self._values.index(self.value)
        choices.focus(scroll_visible=False)
        self.expanded = True

    def _close(self, refocus: bool) -> None:
        self.query_one(ChoiceList).display = False
        self.expanded = False
        if refocus:
            self.focus()

    async def on_click(self, event: events.Click) -> None:
        if event.widget is not self:  # a click in the open list picks there
            return
        event.stop()
        if self.expanded:
            self._close(refocus=True)
        else:
            await self.action_open()

    @on(ChoiceList.Closed)
    def _closed(self, event: ChoiceList.Closed) -> None:
        event.stop()
        if self.expanded:
            self._close(refocus=not event.lost_focus)

    @on(OptionList.OptionHighlighted)
    def _moved(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._close(refocus=True)
        self.value = self._options[event.option_index][1]
