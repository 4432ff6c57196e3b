"""The nntui app: panes that draw a Session's frames, keys that drive it.

Training runs in a thread worker. The worker steps the Session and posts a frame (the view
models of the panes on screen, see ``nntui.panes``) at most every ``frame_seconds`` (see
``nntui.pace``); the UI thread only draws. Pausing cancels the worker, which stops after the
epoch it is in. A phase step (.) runs one phase of an epoch on the UI thread: phases are small,
and the Session's lock keeps them apart from epochs.
"""

import bisect
import gc
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, Input, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState, get_current_worker

from engine.data import DataError
from engine.names import LAYER_KINDS, LayerKind
from engine.trainer import DivergedError
from nntui.config import FIELDS, format_field
from nntui.messages import (
    FrameReady,
    GradCheckDone,
    LearningRateFound,
    TensorSelected,
    TrainingStopped,
)
from nntui.pace import (
    WAKE_SECONDS,
    draws_each_epoch,
    faster,
    frame_seconds,
    heavy_pane_seconds,
    next_start,
    slower,
)
from nntui.panes import FIXED, VIEWS, build_frame, on_screen
from nntui.panes import Pane as RegistryPane
from nntui.screens import (
    AppScreen,
    ConfirmScreen,
    GradCheckScreen,
    HelpScreen,
    OpenPrompt,
    PathPrompt,
    ValuePrompt,
)
from nntui.session import GRADCHECK_EXAMPLES, PhaseView, Session
from nntui.views import Frame, Ticking, UiState
from nntui.widgets.diagram import LayerDiagram
from nntui.widgets.form import HyperForm
from nntui.widgets.pane import Pane, describe
from nntui.widgets.plots import TrainingPlots
from nntui.widgets.shapes import ShapesTable
from nntui.widgets.status import StatusBar

if TYPE_CHECKING:  # the views' files load after the first frame (see nntui.panes)
    from nntui.widgets.boundary import DecisionBoundary
    from nntui.widgets.explain import Explainer
    from nntui.widgets.inspector import Heatmap, Histogram

MIN_SIZE = (70, 20)  # columns, rows: below this the panes give way to a message
SHORT_ROWS = 36  # below this many rows the header and the shapes table give way to the views
ZOOMABLE = ("diagram", "form", "shapes", "views")  # the panes z maximises
# While training runs, the UI thread's drawing takes time from the training thread (they share
# the GIL), so cheap panes follow every frame and costly ones redraw less often.
PLOT_REDRAW_SECONDS = 0.5  # one plot per tick, in turn: a plotext rebuild costs ~25 ms
UNDO_BRINGS_IT_BACK = (
    "u (undo) brings it back afterwards; to save it first, cancel (n), then press s."
)


def undo_after(model: str, what: str) -> str:
    """The undo confirm's last lines: what comes back, and that the model now is lost."""
    kept = f"Comes back: {model}, as it was before the {what}."
    return (
        kept + "\nLost: the model now (undo has no redo); to keep it, cancel (n), then save it (s)."
    )


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


def own_bindings(widget: type[Widget]) -> list[Binding]:
    """The keys a widget class declares itself (not those it inherits)."""
    return widget.__dict__.get("BINDINGS", [])


def focus_target(widget: Widget) -> Widget | None:
    """The widget of a view that takes its keys: the view's own widget if it can have the
    focus, else its first focusable descendant shown (the inspector's heatmap); None if
    the view has none."""
    if widget.focusable:
        return widget
    return next((child for child in widget.query("*") if child.focusable), None)


def local_bindings() -> list[tuple[RegistryPane, Binding]]:
    """The keys a view's widget declares itself: they work while that view has focus."""
    return [(pane, binding) for pane in VIEWS for binding in own_bindings(pane.widget)]


class NNTuiApp(App):
    """Build, train and look inside a neural network."""

    CSS_PATH = "app.tcss"
    TITLE = "nntui"
    AUTO_FOCUS = "#shapes"
    ALLOW_IN_MAXIMIZED_VIEW = "StatusBar, Footer"

    BINDINGS = [
        Binding("space", "toggle_play", "Play/Pause"),
        Binding("minus", "slower", "Slower", key_display="-"),
        Binding("plus", "faster", "Faster", key_display="+"),
        Binding("n", "step", "Step epoch"),
        Binding("full_stop", "phase_step", "Step phase", key_display="."),
        Binding("r", "reset", "Reset"),
        Binding("u", "undo", "Undo the last rebuild, reset, open or rewind", show=False),
        Binding(
            "left_square_bracket",
            "scrub(-1)",
            "Time travel: back one checkpoint",
            key_display="[",
            show=False,
        ),
        Binding(
            "right_square_bracket",
            "scrub(1)",
            "Time travel: forward one checkpoint",
            key_display="]",
            show=False,
        ),
        Binding(
            "B", "rewind", "Time travel: go back to the epoch viewed (train on from it)", show=False
        ),
        Binding("escape", "present", "Time travel: back to the present", show=False),
        Binding("l", "next_layer", "Layer"),
        Binding("L", "previous_layer", "Previous layer", show=False),
        Binding("t", "next_tensor", "Tensor"),
        Binding("T", "previous_tensor", "Previous tensor", show=False),
        Binding("d", "toggle_delta", "Show ΔW (change this epoch)", show=False),
        Binding("c", "gradient_check", "Grad check"),
        Binding("F", "find_learning_rate", "Find a learning rate", show=False),
        Binding("s", "save_model", "Save"),
        Binding("o", "open_model", "Open model", show=False),
        Binding("w", "write_config", "Write config (TOML)", show=False),
        Binding("e", "export_history", "Export history (CSV)", show=False),
        Binding("x", "export_model", "Export the model as a NumPy script", show=False),
        Binding("g", "toggle_log", "Log scale", show=False),
        Binding("z", "toggle_maximize", "Zoom pane"),
        Binding("f", "focus_form", "Form", show=False),
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
    # No watcher runs at mount for these two: the first frame, shown in on_mount, already
    # has layer 1's W[l] (UiState's defaults).
    selected: reactive[int] = reactive(1, init=False)
    tensor_kind: reactive[LayerKind] = reactive(LayerKind("W"), init=False)

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.ui = UiState(view=VIEWS[0].id)  # replaced whole: the training thread reads it
        self.frame: Frame = build_frame(session, self.ui)
        self._heavy_drawn = 0.0
        self._panes: dict[str, Widget] = {}  # by pane id, found once at mount

    def get_default_screen(self) -> Screen:
        return AppScreen(id="_default")

    def compose(self) -> ComposeResult:
        self._size_classes(*self.size)  # before the widgets mount: no restyle of them all
        yield Header()
        with Horizontal(id="top"):
            yield LayerDiagram(id="diagram")
            yield HyperForm(self.session.config, id="form")
        yield ShapesTable(id="shapes")
        with TabbedContent(id="views", initial=VIEWS[0].id):
            for pane in VIEWS:
                with TabPane(pane.title_for(self.frame.facts.task), id=pane.id):
                    if pane is VIEWS[0]:  # the others mount after the first frame
                        yield pane.widget(id=pane.widget_id)
        yield Static(id="too-small", markup=False)
        yield StatusBar(id="status")
        yield Footer()

    def on_resize(self, event: events.Resize) -> None:
        """Below SHORT_ROWS the header and the shapes table give way, so that the plots have
        room (view 2 shows the selected array's shape). Below MIN_SIZE the panes would be
        squeezed into noise: hide them and say so (status line and keys stay; training goes
        on)."""
        width, height = event.size
        small = self._size_classes(width, height)
        shapes = self.query_one(ShapesTable)
        if height < SHORT_ROWS and shapes.has_focus and self.screen.maximized is None:
            self.query_one(LayerDiagram).focus()
        if small:
            self.query_one("#too-small", Static).update(
                f"The terminal is {width}×{height}; nntui draws its panes from "
                f"{MIN_SIZE[0]}×{MIN_SIZE[1]}. Make it larger. Training and keys go on."
            )

    def _size_classes(self, width: int, height: int) -> bool:
        """The app's classes for a terminal of this size (each change restyles every
        widget); whether it is too small for the panes."""
        small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        self.set_class(small, "-too-small")
        self.set_class(height < SHORT_ROWS, "-short")
        return small

    def on_mount(self) -> None:
        self._panes = {pane.id: self.query_one(f"#{pane.widget_id}") for pane in (*FIXED, VIEWS[0])}
        self.query_one("#diagram").border_title = "Network"
        self.query_one("#form").border_title = "Hyperparameters"
        self.show(self.frame)
        self.set_interval(PLOT_REDRAW_SECONDS, self._tick_view)
        self._tell_data_notes()
        self.call_after_refresh(self._mount_hidden_views)

    async def _mount_hidden_views(self) -> None:
        """The form's text fields (``HyperForm.build_inputs``) and the views not on the
        opening screen (tabs 2 on), mounted once it is drawn: the first frame comes sooner
        without styling and laying out their widgets. A view chosen meanwhile gets its frame
        as soon as it is there."""
        tabs = {tab.id: tab for tab in self.query(TabPane) if tab.is_attached}
        if len(tabs) != len(VIEWS):  # the app quit before its first frame was drawn
            return
        await self.query_one(HyperForm).build_inputs()  # the form's text fields first
        widgets = {pane.id: pane.widget(id=pane.widget_id) for pane in VIEWS[1:]}
        mounts = [tabs[id].mount(widget) for id, widget in widgets.items()]
        for mounted in mounts:
            await mounted
        self._panes.update(widgets)
        if self.ui.view in widgets:  # chosen meanwhile: its frame now
            self.refresh_now()
            self._enter_view()
        self._freeze_startup_objects()

    def _freeze_startup_objects(self) -> None:
        """The widgets, styles and modules alive now live as long as the app: leave them out
        of Python's full garbage collections, which stalled a key press by up to ~90 ms
        while training. ``on_unmount`` gives them back. ``nntui`` starts the app with the
        collector off (``nntui.cli.main``), for a sooner first frame: it is on from here."""
        gc.collect()
        gc.freeze()
        gc.enable()

    def on_unmount(self) -> None:
        gc.unfreeze()

    # -- drawing ------------------------------------------------------------------------------

    def show(self, frame: Frame) -> None:
        """Hand each pane on screen its view model: the cheap ones at once, the costly ones
        at most every ``heavy_pane_seconds`` while training runs."""
        self.frame = frame
        self.selected = min(self.selected, frame.facts.L)
        now = time.monotonic()
        speed = self.session.config.speed
        each_epoch = draws_each_epoch(speed)
        heavy_due = not self.running or now - self._heavy_drawn >= heavy_pane_seconds(speed)
        if heavy_due:
            self._heavy_drawn = now
            facts = frame.facts
            sub_title = f"{facts.dataset} · {'-'.join(map(str, facts.layer_dims))}"
            if self.sub_title != sub_title:
                self.sub_title = sub_title
                self._name_views(facts.task)
        panes = self.attached_panes()
        for pane in on_screen(self.ui.view):
            widget = panes.get(pane.id)
            if widget is not None and pane.id in frame.views and (heavy_due or not pane.heavy):
                self.hand(widget, partial(widget.show, frame.views[pane.id]))
        shapes = panes.get("shapes")  # a failed table keeps its error until show works
        if heavy_due and shapes is not None and not shapes.failure:
            self.hand(shapes, partial(shapes.select, self.selected, self.tensor_kind))
        if each_epoch and self.running:  # slow enough to draw every epoch: the plots too
            self._redraw_ticking(one_at_a_time=False)

    def attached_panes(self) -> dict[str, Widget]:
        """The pane widgets by pane id, found once at mount (the hidden views' once they
        are mounted) rather than queried each frame (a query walks the whole DOM: ~4 ms of
        the UI thread, and a frame drew 4-8 panes); none before mount or while the app
        tears its screen down."""
        first = next(iter(self._panes.values()), None)
        return self._panes if first is not None and first.is_attached else {}

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
        """The app's timer, for a view that redraws on it (the plots): while training, one
        costly part at a time."""
        self._redraw_ticking(one_at_a_time=self.running)

    def _redraw_ticking(self, one_at_a_time: bool) -> None:
        """Redraw what changed in a view that redraws on the timer (the timer can fire while
        the app is tearing its screen down: then there is none)."""
        widget = self.attached_panes().get(self.ui.view)
        if isinstance(widget, Ticking):
            self.hand(widget, partial(widget.tick, one_at_a_time))

    def _say_status(self) -> None:
        status = self.query_one(StatusBar)
        self.hand(status, partial(status.say, self.running, self.error))

    def watch_running(self) -> None:
        self._say_status()

    def watch_error(self) -> None:
        self._say_status()

    def watch_selected(self, layer: int) -> None:
        self._panes["diagram"].selected = layer
        self._select_tensor()

    def watch_tensor_kind(self) -> None:
        self._select_tensor()

    def _select_tensor(self) -> None:
        self.ui = replace(self.ui, selected=self.selected, kind=self.tensor_kind)
        self._panes["shapes"].select(self.selected, self.tensor_kind)
        if not self.running and self.is_mounted:
            self.refresh_now()

    @on(TabbedContent.TabActivated)
    def _view_changed(self, event: TabbedContent.TabActivated) -> None:
        """A view chosen by its tab (a key has shown it already: ``action_view``)."""
        if event.pane.id != self.ui.view:
            self._show_view(event.pane.id)
        else:
            self._enter_view()

    def _show_view(self, view: str) -> None:
        """A new view: its frame now, and the focus."""
        self.ui = replace(self.ui, view=view)
        self.refresh_now()
        self._enter_view()

    def _enter_view(self) -> None:
        """The view shown now: its timer's parts drawn, and the focus on its widget that takes
        keys (the heatmap's arrows, Explain's j and k) so that they work at once, unless a
        text field has it (a digit typed there stays in the field). A view still mounting
        gets this when it is there."""
        self._tick_view()
        widget = self.attached_panes().get(self.ui.view)
        target = None if widget is None else focus_target(widget)
        if target is not None and not isinstance(self.focused, Input):
            self.screen.set_focus(target)  # at once: a key typed just after goes to it

    # -- training thread ----------------------------------------------------------------------

    @work(thread=True, group="training", exit_on_error=False)
    def _train(self, epochs: int | None) -> None:
        """Step ``epochs`` epochs (None: until cancelled) at the config's speed, read after
        every epoch. A frame follows every epoch at a speed that draws each one, else at
        most one every ``frame_seconds(speed)``. At a finite speed the thread sleeps until
        the next epoch is due; at max it never sleeps."""
        worker = get_current_worker()
        done, posted, due = 0, 0.0, time.monotonic()
        while not worker.is_cancelled and (epochs is None or done < epochs):
            try:
                self.session.step_epoch()
            except DivergedError as err:
                self.post_message(TrainingStopped(str(err)))
                break
            done += 1
            now, speed = time.monotonic(), self.session.config.speed
            if now - posted >= frame_seconds(speed):
                self._post_frame()
                posted = now
            if speed is not None and done != epochs:
                due = self._sleep_until(next_start(due, now, speed), speed)
        self._post_frame()

    def _post_frame(self) -> None:
        """A frame for the UI as it is now, from the training thread."""
        ui = self.ui
        self.post_message(FrameReady(build_frame(self.session, ui), ui))

    def _sleep_until(self, due: float, speed: int) -> float:
        """In the training thread: sleep until ``due``, waking every WAKE_SECONDS to stop at
        a pause or follow a new speed. Returns the time the next epoch counts from: ``due``,
        or the moment the speed changed."""
        worker = get_current_worker()
        while not worker.is_cancelled:
            now = time.monotonic()
            if self.session.config.speed != speed:
                return now
            if now >= due:
                break
            time.sleep(min(due - now, WAKE_SECONDS))
        return due

    def on_frame_ready(self, message: FrameReady) -> None:
        """Show the frame; the last one of a step (n) built for a UI that has changed since
        (a view chosen, a pane resized while the training thread built it) is followed by one
        for the UI now. While playing, the next frame is built for it."""
        self.show(message.frame)
        if message.ui != self.ui and not self.running:
            self.refresh_now()

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
        self.action_present()
        if self.running:
            self.pause()
        else:
            self.running = True
            self.error = ""
            self._train(None)

    def action_step(self) -> None:
        self.action_present()
        if self.running:
            self.pause()
        self.error = ""
        self._train(1)

    def action_phase_step(self) -> None:
        """One phase; its layer is lit in the diagram and what it computed is inspected.
        It stops play; epoch steps already asked for (n) still run, and the Session's lock
        keeps them and the phases apart, so any mix ends each epoch cleanly."""
        self.action_present()
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
        if self.ui.view != "explain":  # the Explain view shows the phase for its example
            self.action_view("inspector")
        self.refresh_now()

    def action_reset(self) -> None:
        self._ask_then("Reset: new weights from the seed?", self._reset)

    def _reset(self) -> None:
        self.session.reset()
        self._replaced(f"Weights re-initialised from seed {self.session.config.seed}")

    def action_undo(self) -> None:
        step = self.session.undo_step()
        if step is None:
            self.notify("Nothing to undo: a rebuild, a reset, an open or a rewind can be undone.",
                        timeout=4)  # fmt: skip
            return
        self._ask_then(f"Undo the {step.what}, back to {step.model}?", self._undo,
                       after=undo_after(step.model, step.what))  # fmt: skip

    def _undo(self) -> None:
        step = self.session.undo()
        if step is not None:
            self._replaced(f"Undid the {step.what}: back to {step.model}")

    # -- time travel --------------------------------------------------------------------------

    def action_scrub(self, step: int) -> None:
        """Show the checkpoint ``step`` places back (-1) or forward (1) from the one shown
        (the present is the latest); training pauses. Every pane shows that epoch."""
        self.pause()
        epochs = self.session.checkpoint_epochs()
        shown = self.session.viewing
        at = len(epochs) - 1 if shown is None else bisect.bisect_left(epochs, shown)
        to = min(max(at + step, 0), len(epochs) - 1)
        if to == at:
            where = "the earliest checkpoint" if step < 0 else "the present"
            self.notify(f"Already at {where} (epoch {epochs[at]:,}).", timeout=3)
            return
        try:
            self.session.view(epochs[to])
        except ValueError as err:
            self.notify(f"{err}; then [ and ] travel.", title="Not now", severity="warning")
            return
        self.refresh_now()

    def action_present(self) -> None:
        """Back to the present, if a checkpoint is shown."""
        if self.session.viewing is not None:
            self.session.view(None)
            self.refresh_now()

    def action_rewind(self) -> None:
        """Make the epoch viewed the model's present, once confirmed: the history after it
        is dropped; u brings it back."""
        viewed, latest = self.session.viewing, self.session.epoch
        if viewed is None:
            self.notify("Nothing to go back to: [ shows an earlier checkpoint first.", timeout=4)
            return
        self.pause()
        dropped = f"epochs {viewed + 1:,} .. {latest:,} of the history ({latest - viewed:,})"
        self.push_screen(
            ConfirmScreen(f"Go back to epoch {viewed:,} and train on from there?", dropped,
                          "u (undo) brings them back afterwards; to save the model first, "
                          "cancel (n), then press s."),
            partial(self._answered, partial(self._rewind, viewed), None),
        )  # fmt: skip

    def _rewind(self, epoch: int) -> None:
        latest = self.session.epoch
        try:
            used = self.session.rewind(epoch)
        except ValueError as err:
            self.notify(str(err), title="Not rewound", severity="error", timeout=8)
            return
        self._replaced(f"Back to epoch {used:,}: {latest - used:,} epochs of history dropped")

    # -- replacing the model ------------------------------------------------------------------

    def _ask_then(
        self,
        question: str,
        do: Callable[[], None],
        cancel: Callable[[], None] | None = None,
        after: str = UNDO_BRINGS_IT_BACK,
    ) -> None:
        """Pause, then ``do()`` what replaces the model: at once if no trained work would be
        lost, else once a confirm screen says so (else ``cancel()``)."""
        self.pause()
        lost = self.session.unsaved_work()
        if not lost:
            do()
            return
        answered = partial(self._answered, do, cancel)
        self.push_screen(ConfirmScreen(question, lost, after), answered)

    @staticmethod
    def _answered(
        do: Callable[[], None], cancel: Callable[[], None] | None, go_on: bool | None
    ) -> None:
        if go_on:
            do()
        elif cancel is not None:
            cancel()

    def _replaced(self, said: str) -> None:
        """After a rebuild, a reset, an open or an undo: the form and the panes show the model
        held now, and a note says what undo would bring back."""
        self.error = ""
        self.query_one(HyperForm).show_config(self.session.config)
        self.refresh_now()
        step = self.session.undo_step()
        self.notify(said + (f"\nu brings back {step.model}" if step else ""), timeout=5)

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

    def _heatmap(self) -> "Heatmap":
        """View 2's array (mounted, with its file loaded, just after the first frame)."""
        from nntui.widgets.inspector import Heatmap

        return self.query_one(Heatmap)

    def _boundary(self) -> "DecisionBoundary":
        """View 3's plane (mounted, with its file loaded, just after the first frame)."""
        from nntui.widgets.boundary import DecisionBoundary

        return self.query_one(DecisionBoundary)

    def action_toggle_delta(self) -> None:
        """Show W[l]'s change this epoch in the inspector, or W[l] again. Only the weights
        have one: on another array it says so and changes nothing."""
        from nntui.widgets.inspector import Inspector

        inspector = self.query_one(Inspector)
        if not inspector.show_delta and self.tensor_kind != LayerKind("W"):
            shown = self.tensor_kind.at(self.selected)
            self.notify(f"d shows how W[l] changed this epoch; {shown} is inspected: t until "
                        "W[l] is.", title="No change to show", severity="warning")  # fmt: skip
            return
        inspector.show_delta = not inspector.show_delta
        self.action_view("inspector")

    def action_toggle_log(self) -> None:
        self.query_one(TrainingPlots).toggle_log()

    def action_toggle_test_points(self) -> None:
        boundary = self._boundary()
        boundary.show_test = not boundary.show_test
        self.action_view("boundary")

    def action_toggle_discrete(self) -> None:
        boundary = self._boundary()
        boundary.discrete = not boundary.discrete
        self.action_view("boundary")

    def action_regenerate(self) -> None:
        """Draw the data set again with the next data seed; the network is rebuilt (u undoes
        it)."""
        seed = self.session.config.data_seed + 1
        self._ask_then(f"Draw the data again (data seed {seed}) and rebuild the network?",
                       partial(self._regenerate, seed))  # fmt: skip

    def _regenerate(self, seed: int) -> None:
        try:
            self.session.regenerate_data(seed)
        except (DataError, ValueError) as err:
            self.notify(str(err), title="Data not drawn again", severity="warning", timeout=8)
            return
        facts = self.session.facts()
        self._replaced(f"{facts.dataset} drawn again with data seed {seed}: "
                       f"{facts.m_train + facts.m_test} points, network rebuilt")  # fmt: skip

    def selected_weight(self) -> tuple[int, int, int] | str:
        """(l, j, k) of the weight under the inspector's cursor, or why there is none."""
        heatmap = self._heatmap()
        ins = heatmap.inspection
        if self.tensor_kind != LayerKind("W") or ins is None:
            return "Select a weight first: t until W[l] is inspected, then arrows to a cell."
        if ins.downsampled:
            return (f"W[{self.selected}] {ins.shape} is shown as block means: widen the "
                    "terminal until each cell is one weight.")  # fmt: skip
        j, k = heatmap.cursor
        return self.selected, j, k

    def action_edit_weight(self) -> None:
        """Type a value for the weight under the inspector's cursor (=), in the present."""
        self.pause()
        viewed = self.session.viewing
        if viewed is not None:
            self.notify(f"Epoch {viewed:,} is a checkpoint: esc goes back to the present to edit "
                        "its weights, B makes this epoch the present.", title="Weight not set",
                        severity="warning", timeout=6)  # fmt: skip
            return
        if self.ui.view != "inspector":
            self.action_view("inspector")
            self.ui = replace(self.ui, view="inspector")  # before the tab's own event: draw now
            self.refresh_now()
        if self._in_epoch("edit", "Weight not set"):
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
        """Show ``view`` at once, not when its tab says it is active: a key typed just after
        (an arrow after 2) goes to it."""
        self.query_one(TabbedContent).active = view
        if view != self.ui.view:
            self._show_view(view)
        else:
            self._enter_view()

    def action_slower(self) -> None:
        self._set_speed(slower(self.session.config.speed))

    def action_faster(self) -> None:
        self._set_speed(faster(self.session.config.speed))

    def _set_speed(self, speed: int | None) -> None:
        """A new speed, from the next epoch on (a sleeping training thread wakes to it)."""
        self.session.apply("speed", speed)
        self.query_one(HyperForm).show_config(self.session.config)
        self.refresh_now()

    def action_toggle_maximize(self) -> None:
        """Fill the screen with the pane that has the focus (the views if none has); again,
        or escape, restores the layout."""
        screen = self.screen
        if screen.maximized is not None:
            screen.minimize()
            return
        focused = self.focused
        chain = (focused, *focused.ancestors) if focused is not None else ()
        shown = (w for w in chain if w.id in ZOOMABLE and w.display)  # focus can outlive display
        pane_id = next((w.id for w in shown), "views")
        screen.maximize(self.query_one(f"#{pane_id}"), container=False)

    def action_focus_form(self) -> None:
        """Jump to the form's first field."""
        if self.screen.maximized is not None:
            self.screen.minimize()
        self.query_one(HyperForm).focus_first()

    def action_gradient_check(self) -> None:
        self.notify("Checking gradients in float64…", timeout=2)
        self._gradient_check()

    @work(thread=True, group="gradcheck", exclusive=True, exit_on_error=False)
    def _gradient_check(self) -> None:
        self.post_message(GradCheckDone(self.session.gradient_check(), GRADCHECK_EXAMPLES))

    def on_grad_check_done(self, message: GradCheckDone) -> None:
        self.push_screen(GradCheckScreen(message.result, message.examples))

    def action_find_learning_rate(self) -> None:
        """Run the learning-rate finder on a copy of the model, then offer its suggestion.
        Refused while training runs or inside an epoch (phase stepping)."""
        if self.running:
            self.notify("Training is running: pause it with space, then F.",
                        title="No learning rate found", severity="warning")  # fmt: skip
            return
        if self._in_epoch("find a learning rate", "No learning rate found"):
            return
        self.notify("Finding a learning rate on a copy of the model…", timeout=2)
        self._find_learning_rate()

    @work(thread=True, group="lrfind", exclusive=True, exit_on_error=False)
    def _find_learning_rate(self) -> None:
        try:
            self.post_message(LearningRateFound(self.session.find_learning_rate()))
        except ValueError as err:  # an epoch began (phase stepping) since F was pressed
            self.post_message(LearningRateFound(None, str(err)))

    def on_learning_rate_found(self, message: LearningRateFound) -> None:
        if message.found is None:
            self.notify(message.error, title="No learning rate found", severity="warning")
            return
        from nntui.widgets.lrfind import LRFindScreen

        current = self.session.config.learning_rate
        self.push_screen(LRFindScreen(message.found, current), self._apply_learning_rate)

    def _apply_learning_rate(self, rate: float | None) -> None:
        if rate is not None:
            self._apply("learning_rate", rate)

    # -- files --------------------------------------------------------------------------------

    def _stem(self) -> str:
        facts = self.frame.facts
        return f"{facts.dataset}-{'-'.join(map(str, facts.layer_dims))}"

    def _in_epoch(self, then: str, title: str) -> bool:
        """True, with a warning that says to finish the epoch first, while phase stepping has
        stopped inside an epoch: the model cannot be saved, exported or edited there."""
        busy = self.session.in_epoch
        if busy:
            self.notify(f"An epoch is in progress (phase stepping): finish it with n, then {then}.",
                        title=title, severity="warning")  # fmt: skip
        return busy

    def action_save_model(self) -> None:
        if self._in_epoch("save", "Not saved"):
            return
        default = f"{self._stem()}-epoch{self.session.epoch}.npz"
        title = "Save the model to"
        if self.session.viewing is not None:  # the file holds the present, say so
            title = f"Save the present model (epoch {self.session.epoch:,}) to"
        self.push_screen(PathPrompt(title, default, "save"), self._save_model)

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

    def action_export_model(self) -> None:
        if self._in_epoch("export", "Not exported"):
            return
        default = f"{self._stem()}-epoch{self.session.epoch}.py"
        prompt = PathPrompt("Export the model as a NumPy script to", default, "export")
        self.push_screen(prompt, lambda path: self._write(path, self._export_numpy,
                                                           "Exported the model"))  # fmt: skip

    def _export_numpy(self, path: str) -> None:
        from nntui.export import export_session

        export_session(self.session, "numpy", path)

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
        self.push_screen(OpenPrompt("Open a model file"), self._open_model)

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
        self._ask_then(f"Open {path}?", partial(self._take_over, opened, path))

    def _take_over(self, opened: Session, path: str) -> None:
        self.session.take_over(opened, f"open {path}")
        self.selected, self.tensor_kind = 1, LayerKind("W")
        self._replaced(f"Opened {path} at epoch {opened.epoch}")
        if opened.notice:
            self.notify(opened.notice, title="Data found elsewhere", timeout=8)
        self._tell_data_notes()

    def _tell_data_notes(self) -> None:
        """What loading the data decided (rows dropped, the task chosen), as notifications."""
        for note in self.session.dataset.notes:
            self.notify(note, title="Data", timeout=10)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A notice shown as written: its text names arrays (W[l]), keys ([ and ]) and the
        user's own paths and values, which Textual would otherwise read as markup (and drop,
        or fail on)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def action_help(self) -> None:
        local = [(f"{pane.title} view", binding) for pane, binding in local_bindings()]
        self.push_screen(HelpScreen(self.BINDINGS, local))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every key binding is in the command palette too, a view's own keys included."""
        for binding in self.BINDINGS:
            if binding.action != "quit":
                key = binding.key_display or binding.key
                yield SystemCommand(
                    binding.description, f"key: {key}", partial(self.run_action, binding.action)
                )
        for pane, binding in local_bindings():
            key = binding.key_display or binding.key
            run = partial(self._run_view_action, pane.id, binding.action)
            yield SystemCommand(binding.description, f"key: {key} in the {pane.title} view", run)
        yield from super().get_system_commands(screen)

    def _run_view_action(self, view: str, action: str) -> None:
        """Open ``view`` and run one of its own actions, as its key would."""
        self.action_view(view)
        widget = self.query_one(f"#{view}-pane")
        widget.focus()
        self.run_action(action, widget)

    # -- from the panes -----------------------------------------------------------------------

    @on(TensorSelected)
    def _tensor_selected(self, message: TensorSelected) -> None:
        self.selected = message.layer
        if message.kind is not None:
            self.tensor_kind = message.kind

    # The views' messages are handled by name (on_<widget>_<message>, Textual's convention):
    # their classes load after the first frame.

    def on_explainer_chosen(self, message: "Explainer.Chosen") -> None:
        self.ui = replace(self.ui, explain=message.choice)
        self.refresh_now()

    @on(LayerDiagram.Picked)
    def _diagram_picked(self, message: LayerDiagram.Picked) -> None:
        """A node selects its unit in the Explain view; a link shows its weight there and
        selects it (W[l] in the inspector, the cursor on it) for = to edit."""
        if message.layer == 0:
            self.notify("An input has no weights of its own: click a unit of layers 1 .. L, "
                        "or a link.", timeout=4)  # fmt: skip
            return
        weight = None if message.source is None else (message.layer, message.unit, message.source)
        self.ui = replace(self.ui, explain=replace(self.ui.explain, unit=message.unit,
                                                   weight=weight))  # fmt: skip
        self.selected = message.layer
        if weight is not None:
            self.tensor_kind = LayerKind("W")
            self._heatmap().cursor = (message.unit, message.source)
            self.notify(f"W[{message.layer}][{message.unit}, {message.source}] selected: = "
                        "edits it", timeout=3)  # fmt: skip
        self.action_view("explain")
        self.refresh_now()

    def on_heatmap_resized(self, message: "Heatmap.Resized") -> None:
        self.ui = replace(self.ui, heatmap_size=(message.rows, message.cols))
        if not self.running:
            self.refresh_now()

    def on_histogram_resized(self, message: "Histogram.Resized") -> None:
        self.ui = replace(self.ui, histogram_bins=message.bins)
        if not self.running:
            self.refresh_now()

    def on_decision_boundary_resized(self, message: "DecisionBoundary.Resized") -> None:
        self.ui = replace(self.ui, boundary_size=(message.nx, message.ny))
        if not self.running:
            self.refresh_now()

    @on(ShapesTable.CellSelected)
    def _inspect_cell(self) -> None:
        self.action_view("inspector")
        self._heatmap().focus()

    @on(HyperForm.Planned)
    def _plan_shown(self, message: HyperForm.Planned) -> None:
        planned = None if message.value is None else tuple(message.value)
        if planned != self.ui.planned_hidden:
            self.ui = replace(self.ui, planned_hidden=planned)
            self.refresh_now()

    @on(HyperForm.Changed)
    def _hyperparameter_changed(self, message: HyperForm.Changed) -> None:
        name, value, field = message.name, message.value, FIELDS[message.name]
        if field.kind == "live":
            self._apply(name, value)
            return
        try:  # a setup that cannot be built is refused before anything is asked
            self.session.config.with_value(name, value).check()
        except ValueError as err:
            form = self.query_one(HyperForm)
            form.show_config(self.session.config)
            form.say(f"✗ {err} — nothing changed", error=True)
            return
        self._ask_then(f"Rebuild the network for the new {field.label}?",
                       partial(self._apply, name, value),
                       partial(self._keep_model, field.label))  # fmt: skip

    def _keep_model(self, label: str) -> None:
        form = self.query_one(HyperForm)
        form.show_config(self.session.config)
        form.say(f"{label} not changed: the trained model is kept")

    def _apply(self, name: str, value: object) -> None:
        form, label = self.query_one(HyperForm), FIELDS[name].label
        try:
            kind = self.session.apply(name, value)
        except (DataError, ValueError) as err:
            form.show_config(self.session.config)
            form.say(f"✗ {err} — nothing changed", error=True)
            return
        shown = format_field(self.session.config, name)
        if kind == "live":  # the epoch in progress, or the next, is the first to use it
            form.show_config(self.session.config)
            form.say(f"✓ {label} = {shown}, applied to the running model")
            self.notify(f"{label} = {shown} from epoch {self.session.epoch + 1:,}", timeout=4)
            self.refresh_now()
        else:
            self._replaced(f"Rebuilt the network: {label} = {shown}")
            form.say(f"✓ {label} = {shown}: network rebuilt, new weights from the seed")
