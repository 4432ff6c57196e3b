"""Helpers for driving the app headlessly."""

from textual.pilot import Pilot

from nntui.app import NNTuiApp
from nntui.config import Config
from nntui.session import Session


def make_app(**config) -> NNTuiApp:
    return NNTuiApp(Session(Config(**config)))


async def settle(pilot: Pilot) -> None:
    """Wait until every training worker has finished and its messages are handled."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()
