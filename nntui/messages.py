"""Messages between the training thread, the panes and the app."""

from textual.message import Message

from engine.gradcheck import GradCheck
from engine.lrfind import LRFind
from engine.names import LayerKind
from nntui.views import Frame, UiState


class FrameReady(Message):
    """A fresh frame of the model, built for ``ui``; a backlog of them collapses to the
    newest."""

    def __init__(self, frame: Frame, ui: UiState) -> None:
        super().__init__()
        self.frame = frame
        self.ui = ui

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FrameReady)


class TrainingStopped(Message):
    """The training thread stopped by itself: ``error`` says why (divergence, a fault)."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class TensorSelected(Message):
    """A pane selected layer ``layer`` (1 .. L) and, if ``kind`` is given, one of its arrays
    (W[l], dZ[l], ...)."""

    def __init__(self, layer: int, kind: LayerKind | None = None) -> None:
        super().__init__()
        self.layer = layer
        self.kind = kind


class GradCheckDone(Message):
    """A gradient check finished in its thread."""

    def __init__(self, result: GradCheck, examples: int) -> None:
        super().__init__()
        self.result = result
        self.examples = examples


class LearningRateFound(Message):
    """The learning-rate finder finished in its thread: its result, or why there is none."""

    def __init__(self, found: LRFind | None, error: str = "") -> None:
        super().__init__()
        self.found = found
        self.error = error
