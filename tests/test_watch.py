"""Watching it learn, on any terminal: the speed keys and the pacing the training thread
uses (on a fake clock: no test here depends on how fast the machine is), every epoch drawn
at slow speeds, the layout at 80x24, zooming a pane, help by keys, and the form's key and
help line."""

import threading

import pytest
from textual.containers import VerticalScroll
from textual.widgets import Input, Static

import nntui.app
from nntui.config import FIELDS
from nntui.messages import FrameReady
from nntui.pace import DEFAULT_SPEED, WAKE_SECONDS
from nntui.panes import build_frame
from nntui.screens import HelpScreen
from nntui.widgets.choice import ChoiceField
from nntui.widgets.diagram import LayerDiagram
from nntui.widgets.plots import MIN_PLOT, HistoryPlot, TrainingPlots
from nntui.widgets.shapes import ShapesTable
from nntui.widgets.status import StatusBar

from .app_helpers import make_app, settle

SMALL, LARGE = (80, 24), (120, 40)


def status(app) -> str:
    return str(app.query_one(StatusBar).render())


class FakeClock:
    """Stands in for the ``time`` module in nntui.app: it advances only when slept on."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self.on_sleep = lambda: None
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds
        self.on_sleep()


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(nntui.app, "time", fake)
    return fake


@pytest.fixture
def frames(monkeypatch) -> list[int]:
    """The epoch of every frame the training thread posts."""
    posted: list[int] = []

    class Counted(FrameReady):
        def __init__(self, frame, ui) -> None:
            posted.append(frame.state.epoch)
            super().__init__(frame, ui)

    monkeypatch.setattr(nntui.app, "FrameReady", Counted)
    return posted


async def test_minus_and_plus_step_the_speed_shown_in_the_status_line_and_the_form():
    app = make_app()
    async with app.run_test(size=LARGE) as pilot:
        await pilot.pause()
        assert app.session.config.speed == DEFAULT_SPEED == 20
        assert "speed 20/s" in status(app)
        await pilot.press("minus")
        await pilot.pause()
        assert app.session.config.speed == 10 and "speed 10/s" in status(app)
        await pilot.press("plus", "plus")
        await pilot.pause()
        assert app.session.config.speed == 50 and "speed 50/s" in status(app)
        assert app.query_one("#field-speed", Input).value == "50/s"
        for _ in range(6):
            await pilot.press("plus")
        await pilot.pause()
        assert app.session.config.speed is None and "speed max" in status(app)


async def test_at_a_finite_speed_the_thread_sleeps_one_interval_between_epochs(clock, frames):
    app = make_app(speed=2)
    async with app.run_test(size=LARGE) as pilot:
        app._train(5)
        await settle(pilot)
        assert app.session.epoch == 5
        # Four waits of 1/2 s between five epochs (the fake clock stands still while an
        # epoch runs), slept in slices short enough to notice a pause or a new speed.
        assert sum(clock.sleeps) == pytest.approx(4 * 0.5)
        assert max(clock.sleeps) <= WAKE_SECONDS
        assert frames == [1, 2, 3, 4, 5, 5]  # every epoch drawn, and the last frame again


async def test_at_max_the_thread_never_sleeps_and_frames_are_throttled(clock, frames):
    app = make_app(speed=None)
    async with app.run_test(size=LARGE) as pilot:
        app._train(30)
        await settle(pilot)
        assert app.session.epoch == 30
        assert clock.sleeps == []
        assert frames == [1, 30]  # the clock stood still: no frame was due before the end


async def test_a_new_speed_wakes_a_sleeping_thread_at_once(clock):
    app = make_app(speed=1)
    clock.on_sleep = lambda: app.session.apply("speed", 1000)  # + pressed during the wait
    async with app.run_test(size=LARGE) as pilot:
        app._train(3)
        await settle(pilot)
        assert app.session.epoch == 3
        # One slice of the 1 s wait, then the new speed: 1 ms between epochs 2 and 3.
        assert clock.sleeps[0] == WAKE_SECONDS
        assert sum(clock.sleeps) == pytest.approx(WAKE_SECONDS + 1 / 1000)


async def test_slow_speeds_draw_the_heavy_panes_and_the_plots_on_every_frame(clock, monkeypatch):
    drawn: list[str] = []
    monkeypatch.setattr(LayerDiagram, "show", lambda self, view: drawn.append("diagram"))
    monkeypatch.setattr(HistoryPlot, "show", lambda self, view: drawn.append(self.what))
    app = make_app(speed=DEFAULT_SPEED)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        app.running = True  # as while playing; the clock stands still between frames
        for _ in range(3):
            app.session.step_epoch()
            drawn.clear()
            app.show(build_frame(app.session, app.ui))
            assert sorted(drawn) == ["accuracy", "cost", "diagram"]
        app.session.apply("speed", None)  # at max the throttles hold again
        app.session.step_epoch()
        drawn.clear()
        app.show(build_frame(app.session, app.ui))
        assert drawn == []
        app.running = False


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_the_training_view_draws_both_curves(size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        for _ in range(3):
            await pilot.press("n")
            await settle(pilot)
        await pilot.pause(0.6)
        for plot in app.query(HistoryPlot):
            assert plot.size.width >= MIN_PLOT[0] and plot.size.height >= MIN_PLOT[1]
            assert "too small" not in str(plot.render())
        assert app.query_one(ShapesTable).display == (size == LARGE)  # gives way when short
        assert app.query_one(TrainingPlots).region.bottom <= size[1] - 2


async def test_z_zooms_the_focused_pane_and_z_or_escape_restores_it():
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press("z")
        await pilot.pause()
        assert app.screen.maximized is app.query_one("#diagram")  # focused when short
        assert app.query_one("#diagram").size.height > 12
        await pilot.press("z")
        await pilot.pause()
        assert app.screen.maximized is None
        await pilot.press("f", "z")  # from the data set list
        await pilot.pause()
        assert app.screen.maximized is app.query_one("#form")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.maximized is None
        app.set_focus(None)
        await pilot.press("z")
        await pilot.pause()
        assert app.screen.maximized is app.query_one("#views")  # nothing focused: the views


async def test_z_never_zooms_a_pane_the_short_layout_hides():
    """Focus can come back (after a dialog) to the shapes table that gives way below 36
    rows; z then zooms the views, not a pane of no size (a screen of hatching)."""
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        app.set_focus(app.query_one(ShapesTable))  # what the dialog's return restored
        await pilot.press("z")
        await pilot.pause()
        assert app.screen.maximized is app.query_one("#views")
        assert app.screen.maximized.region.height > 12


async def test_help_scrolls_by_keys_at_once():
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("question_mark")
        await pilot.pause(0.3)
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.query_one("#help", VerticalScroll)
        assert app.focused is text and text.max_scroll_y > 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert text.scroll_y > 0
        await pilot.press("end")
        await pilot.pause(0.3)
        assert text.scroll_y == text.max_scroll_y  # the notation and the colour legend
        await pilot.press("home")
        await pilot.pause(0.3)
        assert text.scroll_y == 0
        await pilot.press("down")
        await pilot.pause(0.3)
        assert text.scroll_y == 1


async def test_f_jumps_to_the_form_and_the_focused_field_explains_itself():
    app = make_app()
    async with app.run_test(size=LARGE) as pilot:
        await pilot.pause()
        help_line = app.query_one("#field-help", Static)
        assert not help_line.display
        await pilot.press("f")
        await pilot.pause()
        assert app.focused is app.query_one("#field-dataset", ChoiceField)
        assert help_line.display and FIELDS["dataset"].help in str(help_line.render())
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is app.query_one("#field-hidden", Input)
        assert FIELDS["hidden"].help in str(help_line.render())
        assert help_line.region.bottom <= app.query_one("#form").region.bottom
        await pilot.press("escape")
        await pilot.pause()
        assert not help_line.display
