"""The bare Textual app the first-frame measure compares nntui with: Header, Static, Footer."""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

TEXT = "a bare Textual app"


class Bare(App):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(TEXT)
        yield Footer()


if __name__ == "__main__":
    Bare().run()
