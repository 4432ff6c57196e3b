"""The app's screens: its own (the panes), and the small ones: help (every key, the notation
used on screen), the gradient check, a path prompt (with the model files to pick from, to
open one) and a confirm."""

import os
from datetime import datetime
from pathlib import Path

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

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


def markdown(text: str) -> Widget:
    """A Markdown widget of ``text``. Textual's Markdown (and markdown-it under it) is
    imported when a screen first shows one, not at the app's start."""
    from textual.widgets import Markdown

    return Markdown(text)


def keys_table(bindings: list[Binding], local: list[tuple[str, Binding]] = ()) -> str:
    """Markdown: the app's keys, then each view's own keys (``local``: where, binding)."""
    rows = [f"| `{b.key_display or b.key}` | {b.description} |" for b in bindings]
    rows += [f"| `{b.key_display or b.key}` in the {where} | {b.description} |"
             for where, b in local]  # fmt: skip
    extra = [
        "| `tab` / `shift+tab` | move between panes |",
        "| arrows in the shapes table | select a layer and an array; `enter` inspects it |",
        "| arrows in the heatmap | move the cursor |",
        "| `enter` in a field | apply it; `escape` reverts it |",
        "| `escape` on a zoomed pane | restores the layout |",
        "| `ctrl+p` | command palette |",
    ]
    return "## Keys\n\n| key | does |\n|---|---|\n" + "\n".join(rows + extra)


class AppScreen(Screen):
    """The screen the panes are on. Textual restyles a screen and every widget on it each
    time the screen resumes, the first time too, just after each widget was styled as it
    mounted: this screen skips that first pass (~70 restyles before the first frame)."""

    _resumed = False

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """Runs before Textual's own handler, which restyles only if ``refresh_styles``."""
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False


class HelpScreen(ModalScreen[None]):
    """Keys and notation; any of escape, q or ? closes it. The text has the focus from the
    start, so the arrows, page up/down, home and end scroll it."""

    AUTO_FOCUS = "#help"

    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("q", "dismiss", "Close", show=False),
        Binding("question_mark", "dismiss", "Close", show=False),
    ]

    def __init__(self, bindings: list[Binding], local: list[tuple[str, Binding]] = ()) -> None:
        super().__init__()
        self.bindings, self.local = bindings, local

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield markdown(keys_table(self.bindings, self.local) + "\n" + NOTATION)

    def on_mount(self) -> None:
        help_text = self.query_one("#help")
        help_text.border_title = "nntui help · escape closes"
        help_text.border_subtitle = "↑ ↓ pgup pgdn home end: scroll"


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
            yield markdown(text)

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
            yield Label(self.title_text, markup=False)
            yield Input(self.default, id="path")
            yield from self.below_path()
            yield Static(self.hint(), classes="hint", markup=False)

    def below_path(self) -> ComposeResult:
        """What shows under the path: nothing here."""
        yield from ()

    def hint(self) -> str:
        return f"enter: {self.verb} · escape: cancel"

    @on(Input.Submitted)
    def _answer(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


MODEL_FILES_LISTED = 200  # a folder with more model files lists the first ones by name


def model_files(folder: Path, starting: str = "") -> list[Path]:
    """The model files (*.npz, not folders) in ``folder`` whose name starts with
    ``starting``, by name: at most MODEL_FILES_LISTED. An OSError if it cannot be read."""
    with os.scandir(folder) as entries:
        names = sorted(
            entry.name
            for entry in entries
            if entry.name.endswith(".npz") and entry.name.startswith(starting) and entry.is_file()
        )
    return [folder / name for name in names[:MODEL_FILES_LISTED]]


def file_line(path: Path) -> str:
    """'m.npz   12 kB   2025-03-01 14:02': a model file, its size and when it was written."""
    stat = path.stat()
    written = datetime.fromtimestamp(stat.st_mtime).strftime("%Y-%m-%d %H:%M")
    return f"{path.name:<32}{max(1, round(stat.st_size / 1000)):>7,} kB  {written}"


class OpenPrompt(PathPrompt):
    """Asks for a model file to open: under the path, the model files of the folder it
    names (the current one to start with), narrowed as a name is typed. Down (or tab) goes
    to the list, enter opens the highlighted file; typing goes back to the path."""

    BINDINGS = [Binding("down", "to_files", "Model files", show=False)]

    def __init__(self, title: str, default: str = "") -> None:
        super().__init__(title, default, "open")
        self.files: list[Path] = []

    def below_path(self) -> ComposeResult:
        yield Static(id="files-title", markup=False)
        yield OptionList(id="files", markup=False)

    def hint(self) -> str:
        return "enter: open · ↓: pick from the list · escape: cancel"

    def on_mount(self) -> None:
        self.query_one("#path", Input).select_on_focus = False  # back from the list: type on
        self.list_files(self.default)

    @on(Input.Changed, "#path")
    def _typed(self, event: Input.Changed) -> None:
        self.list_files(event.value)

    def list_files(self, typed: str) -> None:
        """List the model files of the folder ``typed`` names, starting as its last part."""
        path = Path(typed.strip()).expanduser()
        folder, starting = (path, "") if not typed.strip() or path.is_dir() else (
            path.parent, path.name)  # fmt: skip
        try:
            self.files = model_files(folder, starting)
            lines = [file_line(file) for file in self.files]
        except OSError as err:
            self.files, lines = [], []
            title = f"cannot list {folder}: {err.strerror or err}"
        else:
            where = "this folder" if folder == Path(".") else str(folder)
            title = (f"model files (*.npz) in {where}:" if self.files
                     else f"no model files (*.npz{', ' + starting + '…' if starting else ''}) "
                          f"in {where}")  # fmt: skip
        self.query_one("#files-title", Static).update(title)
        files = self.query_one("#files", OptionList)
        files.set_options(Option(line) for line in lines)
        files.highlighted = 0 if lines else None
        files.display = bool(lines)

    def action_to_files(self) -> None:
        files = self.query_one("#files", OptionList)
        if files.option_count:
            files.focus()

    @on(OptionList.OptionSelected, "#files")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(str(self.files[event.option_index]))

    def on_key(self, event: events.Key) -> None:
        """A character typed in the list goes to the path."""
        path = self.query_one("#path", Input)
        if event.is_printable and not path.has_focus and event.character:
            event.stop()
            path.focus()
            path.insert_text_at_cursor(event.character)


class ConfirmScreen(ModalScreen[bool]):
    """Asks before trained work that is not saved is replaced: y or enter goes on, n or
    escape cancels (False)."""

    BINDINGS = [
        Binding("y", "answer(True)", "Go on"),
        Binding("n", "answer(False)", "Cancel"),
        Binding("escape", "answer(False)", "Cancel", show=False),
    ]
    AUTO_FOCUS = "#yes"

    def __init__(self, question: str, lost: str, after: str) -> None:
        super().__init__()
        self.question, self.lost, self.after = question, lost, after

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Label(self.question, id="question", markup=False)
            yield Static(f"This replaces {self.lost}.", id="lost", markup=False)
            yield Static(self.after, classes="hint", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button("Go on (y)", id="yes", variant="warning", compact=True)
                yield Button("Cancel (n)", id="no", compact=True)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, go_on: bool) -> None:
        self.dismiss(go_on)


class ValuePrompt(PathPrompt):
    """Asks for one value (a weight, say); Enter answers it, Escape cancels (None)."""
