"""What the app hands its panes: the UI's own state, and frames of view models.

A pane's view model is a small frozen dataclass declared in the pane's widget file beside
the function that builds it from the Session (see ``nntui.panes``). A ``Frame`` is one
moment of the model: the part every pane shares (training state and model facts) and the
view models of the panes on screen, built by the training thread or the UI thread and
drawn by the UI thread.
"""

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from engine.names import LAYER_KINDS, LayerKind
from nntui.session import ModelFacts, TrainingState


@dataclass(frozen=True)
class ExplainChoice:
    """What the Explain view follows: example ``example`` (0-based) of the train or test
    part, unit ``unit`` of the selected layer, and a weight (l, j, k) picked in the diagram."""

    split: str = "train"
    example: int = 0
    unit: int = 0
    weight: tuple[int, int, int] | None = None


@dataclass(frozen=True)
class UiState:
    """What the app shows, which the views depend on: the active tab, the selected layer
    and array kind (W[l], dZ[l], ...), the sizes the panes can draw, and a hidden-layer
    value typed in the form but not yet applied."""

    view: str = "training"
    selected: int = 1
    kind: LayerKind = LAYER_KINDS[1]  # W[l]
    heatmap_size: tuple[int, int] = (32, 96)  # block rows, block columns
    histogram_bins: int = 44  # the inspector's histogram: one bin a column
    boundary_size: tuple[int, int] = (80, 40)  # grid pixels nx, ny
    explain: ExplainChoice = ExplainChoice()
    planned_hidden: tuple[int, ...] | None = None  # typed, not applied: the shapes preview it


@dataclass(frozen=True)
class Frame:
    """The shared part and, by pane id, the view model of each pane on screen."""

    state: TrainingState
    facts: ModelFacts
    views: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class Ticking(Protocol):
    """A pane that redraws on the app's timer rather than on every frame."""

    def tick(self, running: bool) -> None: ...
