"""The hyperparameter form: one compact row per field, checked as you type.

A field marked ● applies to the running model; a field marked ↻ rebuilds the network
(new weights from the seed). The form says which before it happens: while you type, the
line under the form says what Enter will do. A value that cannot be used is refused in
place, with the reason, and the model is not touched. Only a parsed, valid value leaves
the form, as a ``HyperForm.Changed`` message. While a field that reshapes the network is
typed (``PREVIEWED``), ``HyperForm.Planned`` says what it would become, so that the shapes
table can show the shapes before Enter rebuilds.
"""

from dataclasses import dataclass
from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Static

from engine.data import REGISTRY
from nntui.config import FIELDS, Config, ConfigError, format_field, parse_field
from nntui.session import Session
from nntui.views import UiState
from nntui.widgets.choice import ChoiceField
from nntui.widgets.pane import Pane


@dataclass(frozen=True)
class FormView:
    """What the data set decides about the network's end: its output g, its cost, its task."""

    output: str
    cost_title: str
    task: str


def form_view(session: Session, ui: UiState) -> FormView:
    facts = session.facts()
    return FormView(facts.activations[-1], facts.cost_title, facts.task)


LIVE_MARK, REBUILD_MARK = "●", "↻"
KIND_COLOURS = {"live": "$success", "rebuild": "$warning"}  # the labels' colours, by kind
PREVIEWED = ("hidden",)  # fields whose typed value the shapes table previews
NOT_APPLYING = "2-D sets only"  # in a generated set's own field, for a table or a CSV
CSV_OPTION = "__csv__"


def dataset_prompt(name: str) -> str:
    """A data set as the list offers it: name, rows, features and classes (from the registry,
    without loading it)."""
    info = REGISTRY[name]
    target = "a quantity" if info.task == "regression" else f"{info.k} classes"
    return f"{name:<13} {info.m:>5} rows {info.n_x:>3} features, {target}"


class FieldInput(Input):
    """A text field of the form. Textual restyles a widget whenever one of its classes
    changes, and an Input sets its own as it is made (compact; -valid once it has checked
    its value): restyles of a widget not yet in the DOM, which the stylesheet styles anyway
    when it mounts, so they are skipped."""

    def update_node_styles(self, animate: bool = True) -> None:
        if self.parent is not None:
            super().update_node_styles(animate)

    async def on_key(self, event: events.Key) -> None:
        """Run the binding of a key that is not typed (backspace, enter, tab, ...) as soon as
        the field gets it. Textual runs it once the key has bubbled up to the app, and in a
        fast burst the printable keys that came after it are inserted before that."""
        if event.is_printable:
            return
        active = self.screen.active_bindings.get(event.key)
        if active is None or active.binding.priority:
            return
        if await self.app.run_action(active.binding.action, active.node):
            event.stop()
            event.prevent_default()


class FieldValue(Static):
    """A text field's value as its compact Input shows it unfocused, on the opening screen:
    the form puts a FieldInput in its place just after the first frame (``build_inputs``).
    An Input takes ~2 ms to style and mount: the first frame need not wait for 13 of them."""

    def __init__(self, value: str, *, name: str) -> None:
        super().__init__(value, markup=False, name=name)


class FieldLabels(Static):
    """The column of the fields' labels, one a row beside its field, in the theme's colour of
    its kind (live or rebuild); hovering over one shows its field's help. One widget for
    the column rather than one a label: 15 fewer widgets to style and lay out before the
    first frame."""

    def __init__(self) -> None:
        lines = []
        for field in FIELDS.values():
            mark = LIVE_MARK if field.kind == "live" else REBUILD_MARK
            lines.append((f"{mark} {field.label}", KIND_COLOURS[field.kind]))
        super().__init__(Content("\n").join(Content.styled(*line) for line in lines))
        self.styles.row_span = len(lines)  # as many grid rows as there are fields

    def on_mouse_move(self, event: events.MouseMove) -> None:
        fields = list(FIELDS.values())
        help_text = fields[event.y].help if 0 <= event.y < len(fields) else None
        if self.tooltip != help_text:
            self.tooltip = help_text


def _field_of(widget: Widget | None) -> str | None:
    """The name of the form field ``widget`` belongs to (a field, or a choice's open list)."""
    for node in (widget, *widget.ancestors) if widget is not None else ():
        if isinstance(node, Widget) and node.id and node.id.startswith("field-"):
            return node.id.removeprefix("field-")
    return None


def _what_enter_does(name: str) -> str:
    if FIELDS[name].kind == "live":
        return f"↵ applies {FIELDS[name].label} to the running model (weights kept)"
    return f"↵ rebuilds the network: {FIELDS[name].label} changes, new weights from the seed"


class HyperForm(Pane, VerticalScroll):
    """Every hyperparameter of ``Config``, editable: a grid of a label and a field per row."""

    BINDINGS = [Binding("escape", "revert", "Revert field", show=False)]
    ALLOW_MAXIMIZE = True  # z fills the screen with it

    class Changed(Message):
        """A field now holds a valid new value."""

        def __init__(self, name: str, value: Any) -> None:
            super().__init__()
            self.name = name
            self.value = value

    class Planned(Message):
        """A field that reshapes the network holds a valid new value, not yet applied
        (``value``), or no longer does (None: show the live network)."""

        def __init__(self, name: str, value: Any) -> None:
            super().__init__()
            self.name = name
            self.value = value

    def __init__(self, config: Config, *, id: str) -> None:
        super().__init__(id=id)
        self.config = config
        self._output_line = ""

    def compose(self) -> ComposeResult:
        yield Static(
            f"{LIVE_MARK} live   {REBUILD_MARK} rebuilds the network", id="legend", markup=False
        )
        with Grid(id="fields"):
            yield FieldLabels()  # the first column; each field takes the second of its row
            for name, field in FIELDS.items():
                if field.choices:
                    yield ChoiceField(
                        self._options(name), value=self._value(name), id=f"field-{name}"
                    )
                else:
                    yield FieldValue(self._text(name), name=name)
        yield Static(id="output-line", markup=False)
        yield Static(id="form-message", markup=False)
        yield Static(id="field-help", markup=False)

    def _options(self, name: str) -> list[tuple[str, str]]:
        prompt = dataset_prompt if name == "dataset" else str
        options = [(prompt(choice), choice) for choice in FIELDS[name].choices]
        if name == "dataset" and self.config.data_path:
            options.insert(0, (f"file: {self.config.data_path}", CSV_OPTION))
        return options

    def _text(self, name: str) -> str:
        """A text field's value as shown: the value in use, or why the field does not apply."""
        return format_field(self.config, name) if self.config.applies(name) else NOT_APPLYING

    def _value(self, name: str) -> str:
        if name == "dataset" and self.config.data_path:
            return CSV_OPTION
        return format_field(self.config, name)

    # -- from the app -----------------------------------------------------------------------

    async def build_inputs(self) -> None:
        """Put a FieldInput, with the value in use, in the place of each FieldValue."""
        grid = self.query_one("#fields", Grid)
        values = list(grid.query_children(FieldValue))
        with self.app.batch_update():
            mounts = [
                grid.mount(self._field_input(value.name), after=value)
                for value in values
            ]  # fmt: skip
            removals = [value.remove() for value in values]
        for done in (*mounts, *removals):
            await done

    def _field_input(self, name: str) -> FieldInput:
        field = FieldInput(compact=True, id=f"field-{name}")
        self._show_value(field, name)
        return field

    def _show_value(self, field: FieldInput, name: str) -> None:
        """The value in use in ``field``; a field that does not apply to the data (a generated
        set's noise for digits) is disabled, empty, and says why."""
        applies = self.config.applies(name)
        field.disabled = not applies
        field.placeholder = "" if applies else NOT_APPLYING
        with field.prevent(Input.Changed):
            field.value = format_field(self.config, name) if applies else ""

    def show_config(self, config: Config) -> None:
        """Show ``config``'s values (after a rebuild, a reset, or a start from the CLI)."""
        self.config = config
        for choice in self.query(ChoiceField):
            name = choice.id.removeprefix("field-")
            with choice.prevent(ChoiceField.Changed):
                choice.set_options(self._options(name))
                choice.value = self._value(name)
        for widget in self.query(FieldInput):
            self._show_value(widget, widget.id.removeprefix("field-"))
            widget.remove_class("-invalid")
        for value in self.query(FieldValue):  # before the Inputs are built
            value.update(self._text(value.name))

    def show(self, view: FormView) -> None:
        """The line under the form: the output layer and cost the data set chose."""
        line = f"output g: {view.output} · cost: {view.cost_title}  (from the {view.task} task)"
        if line != self._output_line:  # only a new network changes it: no layout otherwise
            self._output_line = line
            self.query_one("#output-line", Static).update(line)

    def say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#form-message", Static)
        message.set_class(error, "-error")
        message.update(text)

    def focus_first(self) -> None:
        """Focus the first field (the data set) at once, not after the keys already waiting
        (``focus()`` waits for them): a Tab typed just after f moves on from it."""
        self.screen.set_focus(self.query_one(f"#field-{next(iter(FIELDS))}"))

    # -- the focused field's meaning, under the form ---------------------------------------

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        name = _field_of(event.widget)
        help_line = self.query_one("#field-help", Static)
        help_line.display = name is not None
        if name is not None:
            field = FIELDS[name]
            mark = LIVE_MARK if field.kind == "live" else REBUILD_MARK  # as the legend says
            help_line.update(f"{mark} {field.label}: {field.help}")
            # once the help line has its height, keep the field above it in view
            self.call_after_refresh(event.widget.scroll_visible, animate=False)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if _field_of(self.app.focused) is None:
            self.query_one("#field-help", Static).display = False

    # -- typing -----------------------------------------------------------------------------

    def _read(self, field: Input, after_error: str = "") -> tuple[str, Any] | None:
        """(name, value) if the field holds a usable value; else mark it and say why."""
        name = field.id.removeprefix("field-")
        try:
            value = parse_field(name, field.value)
        except ConfigError as err:
            field.add_class("-invalid")
            self.say(f"✗ {err}{after_error}", error=True)
            return None
        field.remove_class("-invalid")
        return name, value

    @on(Input.Changed)
    def _check_as_typed(self, event: Input.Changed) -> None:
        read = self._read(event.input)
        self._plan(event.input, read)
        if read is None:
            return
        name, value = read
        self.say("" if value == getattr(self.config, name) else _what_enter_does(name))

    def _plan(self, field: Input, read: tuple[str, Any] | None) -> None:
        """For a field in PREVIEWED: the network it would give, or None for the live one."""
        name = field.id.removeprefix("field-")
        if name in PREVIEWED:
            new = read is not None and read[1] != getattr(self.config, name)
            self.post_message(self.Planned(name, read[1] if new else None))

    @on(Input.Blurred)
    def _left(self, event: Input.Blurred) -> None:
        self._plan(event.input, None)

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        self._plan(event.input, None)
        if (read := self._read(event.input, " — nothing changed")) is None:
            return
        name, value = read
        if value != getattr(self.config, name):
            self.post_message(self.Changed(name, value))

    @on(ChoiceField.Changed)
    def _choose(self, event: ChoiceField.Changed) -> None:
        event.stop()
        name = event.field.id.removeprefix("field-")
        if event.value == CSV_OPTION or event.value == self._value(name):
            return
        self.post_message(self.Changed(name, parse_field(name, str(event.value))))

    def action_revert(self) -> None:
        """Escape: put the focused field back to the value in use, and leave the form."""
        focused = self.app.focused
        if isinstance(focused, Input) and focused.id and focused.id.startswith("field-"):
            with focused.prevent(Input.Changed):
                focused.value = format_field(self.config, focused.id.removeprefix("field-"))
            focused.remove_class("-invalid")
            self._plan(focused, None)
            self.say("")
        self.app.set_focus(None)
