"""What every pane shares: if drawing it fails, it shows the error in its own place.

The app hands each pane its view model through ``NNTuiApp.hand`` and Textual
renders it later; a bug or an odd value can raise in either. A pane never takes the app
down: it shows a short line saying what went wrong, the other panes draw, training and
keys go on, and the next frame tries the pane again.
"""

from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip

MAX_ERROR_CHARS = 160


def describe(error: Exception) -> str:
    """One short line: the exception's type and the start of its message."""
    message = " ".join(str(error).split())
    if len(message) > MAX_ERROR_CHARS:
        message = message[: MAX_ERROR_CHARS - 1] + "…"
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


class Pane:
    """Mixed into a widget the app hands views to, first among its bases
    (``class Plot(Pane, Chart)``) so that its ``render_lines`` guards the widget's.
    A plain mixin, not a Widget: Textual would take its class defaults (can_focus)."""

    failure = ""  # what went wrong the last time the pane was drawn; "" if nothing

    def fail(self, error: Exception) -> None:
        """Show ``error`` in place of the pane's content (its children are hidden)."""
        self.failure = describe(error)
        self.log.error(f"{self!r} could not be drawn", error)
        self.add_class("-pane-failed")
        self.refresh()

    def recover(self) -> None:
        """Draw the content again (on the next frame)."""
        if self.failure:
            self.failure = ""
            self.remove_class("-pane-failed")
            self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        if not self.failure:
            try:
                return super().render_lines(crop)
            except Exception as error:  # anything a draw raises stays in this pane
                self.failure = describe(error)
                self.log.error(f"{self!r} could not be rendered", error)
        return self._failure_lines(crop)

    def _failure_lines(self, crop: Region) -> list[Strip]:
        width, height = self.outer_size
        style = self.rich_style
        text = Text(f"✗ This pane could not be drawn: {self.failure}. The rest of nntui "
                    "goes on; the next update tries again.", style="bold red")  # fmt: skip
        console = self.app.console
        lines = [Strip(line.render(console)).crop_extend(0, width, style)
                 for line in text.wrap(console, max(1, width))]  # fmt: skip
        lines += [Strip.blank(width, style)] * max(0, height - len(lines))
        return [line.crop(crop.x, crop.right) for line in lines[crop.y : crop.bottom]]
