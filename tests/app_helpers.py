"""Helpers for driving the app headlessly."""

import asyncio
import time

from textual import events
from textual._xterm_parser import XTermParser
from textual.pilot import Pilot

from nntui.app import NNTuiApp
from nntui.config import Config
from nntui.screens import ConfirmScreen
from nntui.session import Session
from nntui.widgets.diagram import LayerDiagram


def make_app(**config) -> NNTuiApp:
    return NNTuiApp(Session(Config(**config)))


def terminal_keys(typed: str) -> list[str]:
    """The keys Textual makes of ``typed`` coming from a terminal (its own input parser), for
    ``pilot.press``: shift+t arrives as "T"."""
    return [event.key for event in XTermParser().feed(typed) if isinstance(event, events.Key)]


def diagram_text(app: NNTuiApp) -> str:
    """The diagram as drawn, through the widget's own ``render_line``."""
    diagram = app.query_one(LayerDiagram)
    return "\n".join(diagram.render_line(y).text for y in range(diagram.size.height))


async def settle(pilot: Pilot) -> None:
    """Wait until every worker has finished and the messages it caused are handled: a
    change can take several hops (a Select, the form, the app, a new snapshot)."""
    await pilot.app.workers.wait_for_complete()
    for _ in range(4):
        await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def key_to_repaint(app: NNTuiApp) -> float:
    """Seconds from a key event (l: the next layer) to the end of the repaint that shows
    it. No Pilot pause: that waits for an idle CPU, which training never leaves."""
    repainted = asyncio.Event()
    before, start = app.selected, time.perf_counter()
    app.post_message(events.Key("l", "l"))
    while app.selected == before:
        await asyncio.sleep(0.0005)
    app.call_after_refresh(repainted.set)
    await repainted.wait()
    return time.perf_counter() - start


async def answer_confirm(pilot: Pilot, key: str) -> str:
    """Answer the confirm screen shown before unsaved work is replaced (y, n or escape);
    return what it said would be replaced."""
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ConfirmScreen), screen
    lost = screen.lost
    await pilot.press(key)
    await settle(pilot)
    return lost
