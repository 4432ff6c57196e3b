"""What a person sees: the opening screen, and the screen after 20 epochs (fixed seed).

Snapshots are tied to the pinned textual version (the test extra pins it); after an
intended change to the screen, review and update them with `pytest --snapshot-update`.
"""

import pytest

from nntui.panes import VIEWS

from .app_helpers import make_app, settle

SIZE = (120, 40)


def test_opening_screen(snap_compare):
    async def run_before(pilot):
        await pilot.pause(0.3)  # let the plots draw

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_after_20_epochs(snap_compare):
    async def run_before(pilot):
        for _ in range(20):
            await pilot.press("n")
            await settle(pilot)
        await pilot.pause(0.3)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_inspector_on_w1(snap_compare):
    async def run_before(pilot):
        for _ in range(3):
            await pilot.press("n")
            await settle(pilot)
        await pilot.press("2")
        await pilot.pause(0.3)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_mid_epoch_backward_phase(snap_compare):
    async def run_before(pilot):
        for _ in range(5):  # forward 1, forward 2, cost, backward 2, backward 1
            await pilot.press("full_stop")
        await pilot.pause(0.3)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("key", [pane.key for pane in VIEWS])
def test_each_view_at_80x24_and_120x40(snap_compare, key, size):
    """Every view shows something useful at the common 80x24 (below 36 rows the header
    and the shapes table give way) and at 120x40."""

    async def run_before(pilot):
        for _ in range(20):
            await pilot.press("n")
            await settle(pilot)
        await pilot.press(key)
        await pilot.pause(0.6)  # both plots redraw on the timer

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


def test_health_view_of_a_vanishing_network(snap_compare):
    """View 6 on a deep sigmoid network with small weights: the vanishing verdicts."""

    async def run_before(pilot):
        for _ in range(5):
            await pilot.press("n")
            await settle(pilot)
        await pilot.press("6")
        await pilot.pause(0.3)

    app = make_app(hidden=(8, 8, 8, 8), activation="sigmoid", init="small", learning_rate=0.1)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_learning_rate_finder_at_80x24(snap_compare):
    """Key F after one epoch: cost against α on a log axis, the suggestion, Apply / Cancel."""

    async def run_before(pilot):
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("F")
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause(0.3)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def test_viewing_a_checkpoint_at_80x24(snap_compare):
    """20 epochs, then [ five times: the status line says "viewing epoch 15 of 20" in the
    warning colour and the plots mark epoch 15."""

    async def run_before(pilot):
        for _ in range(20):
            await pilot.press("n")
            await settle(pilot)
        for _ in range(5):
            await pilot.press("left_square_bracket")
        await settle(pilot)
        await pilot.pause(0.6)  # the plots redraw on the app's timer

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)
