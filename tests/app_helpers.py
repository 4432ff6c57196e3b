"""Helpers for driving the app headlessly."""

from textual.pilot import Pilot

from nntui.app import NNTuiApp
from nntui.config import Config
from nntui.session import Session


def make_app(**config) -> NNTuiApp:
    return NNTuiApp(Session(Config(**config)))


async def settle(pilot: Pilot) -> None:
    """Wait until every worker has finished and the messages it caused are handled: a
    change can take several hops (a Select, the form, the app, a new snapshot)."""
    await pilot.app.workers.wait_for_complete()
    for _ in range(4):
        await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
