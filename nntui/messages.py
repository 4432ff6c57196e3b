"""Messages between the training thread, the panes and the app."""

from textual.message import Message

from nntui.session import Snapshot


class SnapshotReady(Message):
    """A fresh snapshot of the model; a backlog of them collapses to the newest."""

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SnapshotReady)


class TrainingStopped(Message):
    """The training thread stopped by itself: ``error`` says why (divergence, a fault)."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class LayerSelected(Message):
    """A pane selected layer ``layer`` (1 .. L)."""

    def __init__(self, layer: int) -> None:
        super().__init__()
        self.layer = layer
