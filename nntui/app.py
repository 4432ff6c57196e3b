"""The nntui app: panes that draw a Session's frames, keys that drive it.

Training runs in a thread worker. The worker steps the Session and posts a frame (the view
models of the panes on screen, see ``nntui.panes``) at most FRAMES_PER_SECOND times a
second; the UI thread only draws. Pausing cancels the worker, which stops after the epoch
it is in. A phase step (.) runs one phase of an epoch on the UI thread: phases are small,
and the Session's lock keeps them apart from epochs.
"""

import gc
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import partial

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState, get_current_worker

from engine.data import DataError
from engine.names import LAYER_KINDS, LayerKind
from engine.trainer import DivergedError
from nntui.config import FIELDS, format_field
from nntui.messages import FrameReady, GradCheckDone, TensorSelected, TrainingStopped
from nntui.panes import VIEWS, build_frame, on_screen
from nntui.screens import GradCheckScreen, HelpScreen, PathPrompt, ValuePrompt
from nntui.session import GRADCHECK_EXAMPLES, PhaseView, Session
from nntui.views import Frame, Ticking, UiState
from nntui.widgets.boundary import DecisionBoundary
from nntui.widgets.diagram import LayerDiagram
from nntui.widgets.form import HyperForm
from nntui.widgets.inspector import Heatmap, Inspector
from nntui.widgets.pane import Pane, describe
from nntui.widgets.plots import TrainingPlots
from nntui.widgets.shapes import ShapesTable
from nntui.widgets.status import StatusBar

MIN_SIZE = (70, 20)  # columns, rows: below this the panes give way to a message
# While training runs, the UI thread's drawing takes time from the training thread (they share
# the GIL), so cheap panes follow every frame and costly ones redraw less often.
FRAMES_PER_SECOND = 10
HEAVY_PANE_SECONDS = 0.25  # diagram, inspector, boundary, report: ~5-10 ms a redraw
PLOT_REDRAW_SECONDS = 0.5  # one plot per tick, in turn: a plotext rebuild costs ~25 ms


def target_of(phase: PhaseView, L: int, selected: int) -> tuple[int, LayerKind]:
    """(layer, array) to inspect after a phase: what it computed."""
    if phase.kind == "forward":
        return phase.layer, LayerKind("A")
    if phase.kind == "cost":
        return L, LayerKind("A")
    if phase.kind == "backward":
        return phase.layer, LayerKind("dW")
    return selected, LayerKind("W")  # update: the weights just changed


def view_bindings() -> list[Binding]:
    """One key per view of the registry."""
    return [
        Binding(pane.key, f"view('{pane.id}')", f"View: {pane.description}", show=False)
        for pane in VIEWS
    ]


class NNTuiApp(App):
    """Build, train and look inside a neural network."""

    CSS_PATH = "app.tcss"
    TITLE = "nntui"
    AUTO_FOCUS = "#shapes"

    BINDINGS = [
        Binding("space", "toggle_play", "Play/Pause"),
        Binding("n", "step", "Step epoch"),
        Binding("full_stop", "phase_step", "Step phase", key_display="."),
        Binding("r", "reset", "Reset"),
        Binding("l", "next_layer", "Layer"),
        Binding("shift+l", "previous_layer", "Previous layer", show=False),
        Binding("t", "next_tensor", "Tensor"),
        Binding("shift+t", "previous_tensor", "Previous tensor", show=False),
        Binding("d", "toggle_delta", "Show ΔW (change this epoch)", show=False),
        Binding("c", "gradient_check", "Grad check"),
        Binding("s", "save_model", "Save"),
        Binding("o", "open_model", "Open model", show=False),
        Binding("w", "write_config", "Write config (TOML)", show=False),
        Binding("e", "export_history", "Export history (CSV)", show=False),
        Binding("g", "toggle_log", "Log scale", show=False),
        Binding("v", "toggle_test_points", "Boundary: show/hide test points", show=False),
        Binding("b", "toggle_discrete", "Boundary: discretise the output", show=False),
        Binding("R", "regenerate", "Regenerate the data (new data seed)", show=False),
        Binding(
            "equals_sign", "edit_weight", "Edit the selected weight", key_display="=", show=False
        ),
        *view_bindings(),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
    ]

    running: reactive[bool] = reactive(False)
    error: reactive[str] = reactive("")  # why training stopped, on the status line
    selected: reactive[int] = reactive(1)
    tensor_kind: reactive[LayerKind] = reactive(LayerKind("W"))

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.ui = UiState(view=VIEWS[0].id)  # replaced whole: the training thread reads it
        self.frame: Frame = build_frame(session, self.ui)
        self._heavy_drawn = 0.0

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="top"):
            yield LayerDiagram(id="diagram")
            yield HyperForm(self.session.config, id="form")
        yield ShapesTable(id="shapes")
        with TabbedContent(id="views", initial=VIEWS[0].id):
            for pane in VIEWS:
                with TabPane(pane.title_for(self.frame.facts.task), id=pane.id):
                    yield pane.widget(id=pane.widget_id)
        yield Static(id="too-small")
        yield StatusBar(id="status")
        yield Footer()

    def on_resize(self, event: events.Resize) -> None:
        """Below MIN_SIZE the panes would be squeezed into noise: hide them and say so
        (header, status line and keys stay; training goes on)."""
        width, height = event.size
        small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        self.set_class(small, "-too-small")
        if small:
            self.query_one("#too-small", Static).update(
                f"The terminal is {width}×{height}; nntui draws its panes from "
                f"{MIN_SIZE[0]}×{MIN_SIZE[1]}. Make it larger. Training and keys go on."
            )

    def on_mount(self) -> None:
        self.query_one("#diagram").border_title = "Network"
        self.query_one("#form").border_title = "Hyperparameters"
        self.show(self.frame)
        self.set_interval(PLOT_REDRAW_SECONDS, self._tick_view)
        self._tell_data_notes()
        self.call_after_refresh(self._freeze_startup_objects)

    def _freeze_startup_objects(self) -> None:
        """The widgets, styles and modules alive now live as long as the app: leave them out
        of Python's full garbage collections, which stalled a key press by up to ~90 ms
        while training. ``on_unmount`` gives them back."""
        gc.collect()
        gc.freeze()

    def on_unmount(self) -> None:
        gc.unfreeze()

    # -- drawing ------------------------------------------------------------------------------

    def show(self, frame: Frame) -> None:
        """Hand each pane on screen its view model: the cheap ones at once, the costly ones
        at most every HEAVY_PANE_SECONDS while training runs."""
        self.frame = frame
        self.selected = min(self.selected, frame.facts.L)
        now = time.monotonic()
        heavy_due = not self.running or now - self._heavy_drawn >= HEAVY_PANE_SECONDS
        if heavy_due:
            self._heavy_drawn = now
            facts = frame.facts
            sub_title = f"{facts.dataset} · {'-'.join(map(str, facts.layer_dims))}"
            if self.sub_title != sub_title:
                self.sub_title = sub_title
                self._name_views(facts.task)
        for pane in on_screen(self.ui.view):
            if pane.id in frame.views and (heavy_due or not pane.heavy):
                for widget in self.query(f"#{pane.widget_id}"):  # none while tearing down
                    self.hand(widget, partial(widget.show, frame.views[pane.id]))
        for shapes in self.query(ShapesTable) if heavy_due else ():
            if not shapes.failure:  # a failed table keeps its error until show works
                self.hand(shapes, partial(shapes.select, self.selected, self.tensor_kind))

    def _name_views(self, task: str) -> None:
        """Each view's tab says what it shows for this model (view 3 is 'Fit' for regression)."""
        for tabs in self.query(TabbedContent):  # none while tearing down
            for pane in VIEWS:
                tab = tabs.get_tab(pane.id)
                if tab.label_text != (label := pane.title_for(task)):
                    tab.label = label

    def hand(self, pane: Pane, draw: Callable[[], object]) -> None:
        """Give one pane its part of a frame (``draw``). If that raises, the pane shows the
        error in place and the app goes on; the next frame tries it again. (A pane that
        raises while Textual renders it does the same: see ``Pane.render_lines``.)"""
        pane.recover()
        try:
            draw()
        except Exception as error:  # whatever one pane does wrong stays in that pane
            pane.fail(error)

    def refresh_now(self) -> None:
        """A fresh frame, for a change made while training is paused."""
        self.show(build_frame(self.session, self.ui))

    def _tick_view(self) -> None:
        """The app's timer, for a view that redraws on it (the plots). A query, not
        query_one: the timer can fire while the app is tearing its screen down."""
        for widget in self.query(f"#{self.ui.view}-pane"):
            if isinstance(widget, Ticking):
                self.hand(widget, partial(widget.tick, self.running))

    def _say_status(self) -> None:
        status = self.query_one(StatusBar)
        self.hand(status, partial(status.say, self.running, self.error))

    def watch_running(self) -> None:
        self._say_status()

    def watch_error(self) -> None:
        self._say_status()

    def watch_selected(self, layer: int) -> None:
        self.query_one(LayerDiagram).selected = layer
        self._select_tensor()

    def watch_tensor_kind(self) -> None:
        self._select_tensor()

    def _select_tensor(self) -> None:
        self.ui = replace(self.ui, selected=self.selected, kind=self.tensor_kind)
        self.query_one(ShapesTable).select(self.selected, self.tensor_kind)
        if not self.running and self.is_mounted:
            self.refresh_now()

    @on(TabbedContent.TabActivated)
    def _view_changed(self, event: TabbedContent.TabActivated) -> None:
        self.ui = replace(self.ui, view=event.pane.id)
        self.refresh_now()
        self._tick_view()

    # -- training thread ----------------------------------------------------------------------

    @work(thread=True, group="training", exit_on_error=False)
    def _train(self, epochs: int | None) -> None:
        """Step ``epochs`` epochs (None: until cancelled), posting throttled frames."""
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
            if now - posted >= 1 / FRAMES_PER_SECOND:
                self.post_message(FrameReady(build_frame(self.session, self.ui)))
                posted = now
        self.post_message(FrameReady(build_frame(self.session, self.ui)))

    def on_frame_ready(self, message: FrameReady) -> None:
        self.show(message.frame)

    def on_training_stopped(self, message: TrainingStopped) -> None:
        self.running = False
        self.error = message.error
        self.notify(message.error, title="Training paused", severity="error", timeout=8)
        self.refresh_now()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group == "training":
            self.running = False
            self.error = f"training stopped by an error: {event.worker.error!r}"
            self.notify(self.error, title="Training error", severity="error", timeout=10)
            self.refresh_now()

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

    def action_phase_step(self) -> None:
        """One phase; its layer is lit in the diagram and what it computed is inspected.
        It stops play; epoch steps already asked for (n) still run, and the Session's lock
        keeps them and the phases apart, so any mix ends each epoch cleanly."""
        if self.running:
            self.pause()
        try:
            phase = self.session.step_phase()
        except DivergedError as err:
            self.post_message(TrainingStopped(str(err)))
            return
        self.error = ""
        layer, kind = target_of(phase, self.frame.facts.L, self.selected)
        self.selected, self.tensor_kind = layer, kind
        self.action_view("inspector")
        self.refresh_now()

    def action_reset(self) -> None:
        self.pause()
        self.session.reset()
        self.error = ""
        self.refresh_now()
        self.notify(f"Weights re-initialised from seed {self.session.config.seed}", timeout=3)

    def action_next_layer(self) -> None:
        self.selected = self.selected % self.frame.facts.L + 1

    def action_previous_layer(self) -> None:
        self.selected = (self.selected - 2) % self.frame.facts.L + 1

    def action_next_tensor(self, step: int = 1) -> None:
        i = LAYER_KINDS.index(self.tensor_kind)
        self.tensor_kind = LAYER_KINDS[(i + step) % len(LAYER_KINDS)]
        self.action_view("inspector")

    def action_previous_tensor(self) -> None:
        self.action_next_tensor(-1)

    def action_toggle_delta(self) -> None:
        inspector = self.query_one(Inspector)
        inspector.show_delta = not inspector.show_delta
        self.action_view("inspector")

    def action_toggle_log(self) -> None:
        self.query_one(TrainingPlots).toggle_log()

    def action_toggle_test_points(self) -> None:
        boundary = self.query_one(DecisionBoundary)
        boundary.show_test = not boundary.show_test
        self.action_view("boundary")

    def action_toggle_discrete(self) -> None:
        boundary = self.query_one(DecisionBoundary)
        boundary.discrete = not boundary.discrete
        self.action_view("boundary")

    def action_regenerate(self) -> None:
        """Draw the data set again with the next data seed; the network is rebuilt."""
        self.pause()
        seed = self.session.data_seed + 1
        try:
            self.session.regenerate_data(seed)
        except (DataError, ValueError) as err:
            self.notify(str(err), title="Data not drawn again", severity="warning", timeout=8)
            return
        self.error = ""
        self.refresh_now()
        facts = self.frame.facts
        points = facts.m_train + facts.m_test
        self.notify(
            f"{facts.dataset} drawn again with data seed {seed}: {points} points, network rebuilt",
            timeout=4,
        )

    def selected_weight(self) -> tuple[int, int, int] | str:
        """(l, j, k) of the weight under the inspector's cursor, or why there is none."""
        heatmap = self.query_one(Heatmap)
        ins = heatmap.inspection
        if self.tensor_kind != LayerKind("W") or ins is None:
            return "Select a weight first: t until W[l] is inspected, then arrows to a cell."
        if ins.downsampled:
            return (f"W[{self.selected}] {ins.shape} is shown as block means: widen the "
                    "terminal until each cell is one weight.")  # fmt: skip
        j, k = heatmap.cursor
        return self.selected, j, k

    def action_edit_weight(self) -> None:
        """Type a value for the weight under the inspector's cursor (=)."""
        self.action_view("inspector")
        self.pause()
        if self.session.in_epoch:
            self.notify("An epoch is in progress (phase stepping): finish it with n, then edit.",
                        title="Weight not set", severity="warning")  # fmt: skip
            return
        chosen = self.selected_weight()
        if isinstance(chosen, str):
            self.notify(chosen, title="No weight selected", severity="warning", timeout=6)
            return
        l, j, k = chosen
        now = self.session.params()[f"W{l}"][j, k]
        prompt = ValuePrompt(f"Set W[{l}][{j}, {k}] (now {now:.6g}) to", f"{now:.6g}", "set it")
        self.push_screen(prompt, partial(self._edit_weight, chosen))

    def _edit_weight(self, where: tuple[int, int, int], text: str | None) -> None:
        if text is None:
            return
        l, j, k = where
        try:
            self.session.set_weight(l, j, k, float(text))
        except ValueError as err:
            why = str(err) if "could not convert" not in str(err) else f"{text!r} is not a number"
            self.notify(f"{why}; W[{l}] is unchanged.", title="Weight not set",
                        severity="error", timeout=8)  # fmt: skip
            return
        self.refresh_now()
        self.notify(f"W[{l}][{j}, {k}] = {self.session.params()[f'W{l}'][j, k]:.6g}", timeout=4)

    def action_view(self, view: str) -> None:
        self.query_one(TabbedContent).active = view

    def action_gradient_check(self) -> None:
        self.notify("Checking gradients in float64…", timeout=2)
        self._gradient_check()

    @work(thread=True, group="gradcheck", exclusive=True, exit_on_error=False)
    def _gradient_check(self) -> None:
        self.post_message(GradCheckDone(self.session.gradient_check(), GRADCHECK_EXAMPLES))

    def on_grad_check_done(self, message: GradCheckDone) -> None:
        self.push_screen(GradCheckScreen(message.result, message.examples))

    # -- files --------------------------------------------------------------------------------

    def _stem(self) -> str:
        facts = self.frame.facts
        return f"{facts.dataset}-{'-'.join(map(str, facts.layer_dims))}"

    def action_save_model(self) -> None:
        if self.session.in_epoch:
            self.notify("An epoch is in progress (phase stepping): finish it with n, then save.",
                        title="Not saved", severity="warning")  # fmt: skip
            return
        default = f"{self._stem()}-epoch{self.session.epoch}.npz"
        self.push_screen(PathPrompt("Save the model to", default, "save"), self._save_model)

    def _save_model(self, path: str | None) -> None:
        self._write(path, self.session.save, "Saved the model")

    def action_write_config(self) -> None:
        default = f"{self.frame.facts.dataset}.toml"
        prompt = PathPrompt("Write the setup (TOML) to", default, "write")
        self.push_screen(prompt, lambda path: self._write(path, self.session.write_config,
                                                           "Wrote the setup"))  # fmt: skip

    def action_export_history(self) -> None:
        prompt = PathPrompt("Export the history (CSV) to", f"{self._stem()}-history.csv", "export")
        self.push_screen(prompt, lambda path: self._write(path, self.session.export_history,
                                                           "Exported the history"))  # fmt: skip

    def _write(self, path: str | None, write, done: str) -> None:
        if not path:
            return
        try:
            write(path)
        except (OSError, ValueError) as err:
            self.notify(str(err), title="Not written", severity="error", timeout=8)
            return
        self.notify(f"{done} to {path}", timeout=4)

    def action_open_model(self) -> None:
        self.push_screen(PathPrompt("Open a model file", "", "open"), self._open_model)

    def _open_model(self, path: str | None) -> None:
        """Replace the session with the saved one; on any error keep the current one."""
        if not path:
            return
        from nntui.session import Session

        self.pause()
        try:
            opened = Session.from_file(path)
        except Exception as err:  # no file, however damaged, may take the app down
            why = str(err) if isinstance(err, OSError | ValueError) else f"{path}: {describe(err)}"
            self.notify(f"{why}\nThe current model is untouched.", title="Not opened",
                        severity="error", timeout=10)  # fmt: skip
            return
        self.session, self.error = opened, ""
        self.selected, self.tensor_kind = 1, LayerKind("W")
        self.query_one(HyperForm).show_config(opened.config)
        self.refresh_now()
        self.notify(f"Opened {path} at epoch {opened.epoch}", timeout=4)
        if opened.notice:
            self.notify(opened.notice, title="Data found elsewhere", timeout=8)
        self._tell_data_notes()

    def _tell_data_notes(self) -> None:
        """What loading the data decided (rows dropped, the task chosen), as notifications."""
        for note in self.session.dataset.notes:
            self.notify(note, title="Data", timeout=10)

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

    @on(TensorSelected)
    def _tensor_selected(self, message: TensorSelected) -> None:
        self.selected = message.layer
        if message.kind is not None:
            self.tensor_kind = message.kind

    @on(LayerDiagram.LinkSelected)
    def _link_selected(self, message: LayerDiagram.LinkSelected) -> None:
        """A link clicked in the diagram: inspect its W[l] with the cursor on that weight,
        ready for = to edit it."""
        self.pause()
        self.action_view("inspector")
        self.ui = replace(self.ui, view="inspector")  # before the tab's own event: draw it now
        self.selected, self.tensor_kind = message.l, LayerKind("W")
        self.refresh_now()
        heatmap = self.query_one(Heatmap)
        if heatmap.inspection is not None and not heatmap.inspection.downsampled:
            heatmap.cursor = (message.j, message.k)
            heatmap.post_message(Heatmap.CursorMoved())
        self.notify(f"W[{message.l}][{message.j}, {message.k}] selected: = edits it", timeout=3)

    @on(Heatmap.Resized)
    def _heatmap_resized(self, message: Heatmap.Resized) -> None:
        self.ui = replace(self.ui, heatmap_size=(message.rows, message.cols))
        if not self.running:
            self.refresh_now()

    @on(DecisionBoundary.Resized)
    def _boundary_resized(self, message: DecisionBoundary.Resized) -> None:
        self.ui = replace(self.ui, boundary_size=(message.nx, message.ny))
        if not self.running:
            self.refresh_now()

    @on(ShapesTable.CellSelected)
    def _inspect_cell(self) -> None:
        self.action_view("inspector")
        self.query_one(Heatmap).focus()

    @on(HyperForm.Planned)
    def _plan_shown(self, message: HyperForm.Planned) -> None:
        planned = None if message.value is None else tuple(message.value)
        if planned != self.ui.planned_hidden:
            self.ui = replace(self.ui, planned_hidden=planned)
            self.refresh_now()

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
        self.refresh_now()
