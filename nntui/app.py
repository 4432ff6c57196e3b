"""The nntui app: panes that draw a Session's snapshots, keys that drive it.

Training runs in a thread worker. The worker steps the Session and posts a snapshot at
most SNAPSHOTS_PER_SECOND times a second; the UI thread only draws. Pausing cancels the
worker, which stops after the epoch it is in.
"""

import time
from collections.abc import Iterable
from functools import partial

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header
from textual.worker import Worker, WorkerState, get_current_worker

from engine.data import DataError
from engine.trainer import DivergedError
from nntui.config import FIELDS, format_field
from nntui.messages import LayerSelected, SnapshotReady, TrainingStopped
from nntui.screens import HelpScreen
from nntui.session import Session, Snapshot
from nntui.widgets.diagram import LayerDiagram
from nntui.widgets.form import HyperForm
from nntui.widgets.plots import HistoryPlot
from nntui.widgets.shapes import ShapesTable
from nntui.widgets.status import StatusBar

SNAPSHOTS_PER_SECOND = 15
PLOT_REDRAW_SECONDS = 0.25


class NNTuiApp(App):
    """Build, train and look inside a neural network."""

    CSS_PATH = "app.tcss"
    TITLE = "nntui"
    AUTO_FOCUS = "#shapes"

    BINDINGS = [
        Binding("space", "toggle_play", "Play/Pause"),
        Binding("n", "step", "Step epoch"),
        Binding("r", "reset", "Reset"),
        Binding("l", "next_layer", "Next layer"),
        Binding("shift+l", "previous_layer", "Previous layer", show=False),
        Binding("g", "toggle_log", "Log scale"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
    ]

    running: reactive[bool] = reactive(False)
    selected: reactive[int] = reactive(1)

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.snapshot: Snapshot = session.snapshot()
        self.error = ""
        self._plots_stale = True

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="top"):
            yield LayerDiagram(id="diagram")
            yield HyperForm(self.session.config, id="form")
        yield ShapesTable(id="shapes")
        with Horizontal(id="plots"):
            yield HistoryPlot("cost", id="cost-plot")
            yield HistoryPlot("accuracy", id="accuracy-plot")
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#diagram").border_title = "Network"
        self.query_one("#form").border_title = "Hyperparameters"
        self.show(self.snapshot)
        self.set_interval(PLOT_REDRAW_SECONDS, self._redraw_plots)

    # -- drawing ------------------------------------------------------------------------------

    def show(self, snapshot: Snapshot) -> None:
        """Hand a snapshot to every pane (plots redraw on their timer)."""
        self.snapshot = snapshot
        self.selected = min(self.selected, snapshot.L)
        self.sub_title = f"{snapshot.dataset} · {'-'.join(map(str, snapshot.layer_dims))}"
        diagram = self.query_one(LayerDiagram)
        diagram.snapshot = snapshot
        shapes = self.query_one(ShapesTable)
        shapes.show(snapshot)
        shapes.border_title = (
            f"Shapes · m = {snapshot.batch_m} in this batch · "
            f"{snapshot.m_train} train, {snapshot.m_test} test examples"
        )
        self.query_one(HyperForm).show_model(snapshot)
        self.query_one(StatusBar).show(snapshot, self.running, self.error)
        self._plots_stale = True

    def _redraw_plots(self) -> None:
        if self._plots_stale:
            self._plots_stale = False
            for plot in self.query(HistoryPlot):
                plot.show(self.snapshot)

    def watch_running(self) -> None:
        self.query_one(StatusBar).show(self.snapshot, self.running, self.error)

    def watch_selected(self, layer: int) -> None:
        self.query_one(LayerDiagram).selected = layer
        self.query_one(ShapesTable).select_layer(layer)

    # -- training thread ----------------------------------------------------------------------

    @work(thread=True, group="training", exit_on_error=False)
    def _train(self, epochs: int | None) -> None:
        """Step ``epochs`` epochs (None: until cancelled), posting throttled snapshots."""
        worker = get_current_worker()
        done, posted = 0, 0.0
        while not worker.is_cancelled and (epochs is None or done < epochs):
            try:
                self.session.step_epoch()
            except DivergedError as err:
                self.post_message(TrainingStopped(str(err)))
                break
            done += 1
            now = time.monotonic()
            if now - posted >= 1 / SNAPSHOTS_PER_SECOND:
                self.post_message(SnapshotReady(self.session.snapshot()))
                posted = now
        self.post_message(SnapshotReady(self.session.snapshot()))

    def on_snapshot_ready(self, message: SnapshotReady) -> None:
        self.show(message.snapshot)

    def on_training_stopped(self, message: TrainingStopped) -> None:
        self.running = False
        self.error = message.error
        self.notify(message.error, title="Training paused", severity="error", timeout=8)
        self.show(self.session.snapshot())

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group == "training":
            self.running = False
            self.error = f"training stopped by an error: {event.worker.error!r}"
            self.notify(self.error, title="Training error", severity="error", timeout=10)
            self.show(self.session.snapshot())

    def pause(self) -> None:
        self.running = False
        self.workers.cancel_group(self, "training")

    # -- actions ------------------------------------------------------------------------------

    def action_toggle_play(self) -> None:
        if self.running:
            self.pause()
        else:
            self.running = True
            self.error = ""
            self._train(None)

    def action_step(self) -> None:
        if self.running:
            self.pause()
        self.error = ""
        self._train(1)

    def action_reset(self) -> None:
        self.pause()
        self.session.reset()
        self.error = ""
        self.show(self.session.snapshot())
        self.notify(f"Weights re-initialised from seed {self.session.config.seed}", timeout=3)

    def action_next_layer(self) -> None:
        self.selected = self.selected % self.snapshot.L + 1

    def action_previous_layer(self) -> None:
        self.selected = (self.selected - 2) % self.snapshot.L + 1

    def action_toggle_log(self) -> None:
        plot = self.query_one("#cost-plot", HistoryPlot)
        plot.log_scale = not plot.log_scale
        self._plots_stale = True

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.BINDINGS))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every key binding is in the command palette too."""
        for binding in self.BINDINGS:
            if binding.action != "quit":
                key = binding.key_display or binding.key
                yield SystemCommand(
                    binding.description, f"key: {key}", partial(self.run_action, binding.action)
                )
        yield from super().get_system_commands(screen)

    # -- from the panes -----------------------------------------------------------------------

    @on(LayerSelected)
    def _layer_selected(self, message: LayerSelected) -> None:
        self.selected = message.layer

    @on(HyperForm.Changed)
    def _hyperparameter_changed(self, message: HyperForm.Changed) -> None:
        form = self.query_one(HyperForm)
        name, field = message.name, FIELDS[message.name]
        if field.kind == "rebuild":
            self.pause()
        try:
            kind = self.session.apply(name, message.value)
        except (DataError, ValueError) as err:
            form.show_config(self.session.config)
            form.say(f"✗ {err} — nothing changed", error=True)
            return
        form.show_config(self.session.config)
        value = format_field(self.session.config, name)
        if kind == "live":
            form.say(f"✓ {field.label} = {value}, applied to the running model")
        else:
            self.error = ""
            form.say(f"✓ {field.label} = {value}: network rebuilt, new weights from the seed")
        self.show(self.session.snapshot())
