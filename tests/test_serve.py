"""`nntui serve`: the app in a real browser, ten sessions at once, and nothing left behind.

Everything listens on 127.0.0.1 only. Timeouts are generous and only catch a hang.
"""

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from nntui.cli import WEB_DRIVER
from nntui.serve import app_arguments, app_command, public_url
from tests.browser import Chromium, chromium, png_pixels, terminal_text

TITLES = ("Network", "Hyperparameters", "Shapes", "1 Training")
TIMEOUT = 180  # seconds, for anything that could hang: ten apps start on two cores
SESSIONS = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (children, their children, ...), from /proc."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if Path(f"/proc/{pid}").exists()}


async def until(condition, what: str, seconds: float = TIMEOUT) -> None:
    """Poll ``condition()`` every 0.1 s; fail after ``seconds`` (a hang, not a slow run)."""
    for _ in range(int(seconds * 10)):
        if condition():
            return
        await asyncio.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
def server(tmp_path) -> Iterator[tuple[subprocess.Popen, int]]:
    """`nntui serve` on a free loopback port; stopped afterwards, and every process it
    started must be gone then."""
    port = free_port()
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "nntui", "serve", "--port", str(port), "--dataset", "circles"],
        stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path,
    )  # fmt: skip
    seen: set[int] = set()
    try:
        asyncio.run(until(lambda: process.poll() is not None or _listening(port), "the server"))
        assert process.poll() is None, (tmp_path / "server.log").read_text()
        yield process, port
        seen = descendants(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=TIMEOUT)
        log.close()
    asyncio.run(until(lambda: not alive(seen), "the apps to end with the server"))


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def app_processes(server_pid: int) -> set[int]:
    """The nntui apps the server runs (not the shells that start them)."""
    apps = set()
    for pid in descendants(server_pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if command[:3] == [sys.executable.encode(), b"-m", b"nntui"]:
            apps.add(pid)
    return apps


class Visitor:
    """One browser session spoken as textual-serve's page speaks it: resize, then keys."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws, self.output = ws, ""

    async def read_until(self, *texts: str) -> None:
        while not all(text in terminal_text(self.output) for text in texts):
            message = await self.ws.receive()
            assert message.type == aiohttp.WSMsgType.BINARY, message
            self.output += message.data.decode("utf-8", "replace")

    async def press(self, key: str) -> None:
        await self.ws.send_str(json.dumps(["stdin", key]))


async def ten_sessions(port: int, server_pid: int) -> tuple[int, int]:
    """Open SESSIONS sessions at once; each draws its panes and steps an epoch on `n`.
    (apps running while they are open, apps left once all are closed)."""
    url = f"http://127.0.0.1:{port}/ws?width=120&height=40"
    async with aiohttp.ClientSession() as http:
        sockets = await asyncio.gather(*(http.ws_connect(url) for _ in range(SESSIONS)))
        visitors = [Visitor(ws) for ws in sockets]
        await asyncio.wait_for(asyncio.gather(*(v.read_until(*TITLES) for v in visitors)),
                               TIMEOUT)  # fmt: skip
        for visitor in visitors:
            visitor.output = ""
            await visitor.press("n")
        await asyncio.wait_for(asyncio.gather(*(v.read_until("epoch 1") for v in visitors)),
                               TIMEOUT)  # fmt: skip
        running = len(app_processes(server_pid))
        await asyncio.gather(*(ws.close() for ws in sockets))
    await until(lambda: not descendants(server_pid), "the apps to end")
    return running, len(descendants(server_pid))


def test_ten_sessions_at_once_each_get_an_app_and_leave_nothing(server):
    process, port = server
    assert descendants(process.pid) == set()
    running, left = asyncio.run(ten_sessions(port, process.pid))
    assert (running, left) == (SESSIONS, 0)


async def open_in_chromium(port: int, profile: Path) -> tuple[str, list[bytes], list[bytes]]:
    """(the text the page's terminal received, the page's pixels before the app connects,
    and once its panes are drawn)."""
    async with Chromium(profile) as browser:
        await browser.send("Page.navigate", url=f"http://127.0.0.1:{port}/?delay=1")
        await browser.evaluate("new Promise(r => setTimeout(r, 500))")  # the intro lays out
        intro = png_pixels(await browser.screenshot())
        await browser.send("Page.navigate", url=f"http://127.0.0.1:{port}/")
        await until(lambda: all(t in browser.text() for t in TITLES), "the panes' titles")
        assert await browser.evaluate("document.body.classList.contains('-first-byte')")
        await browser.evaluate("new Promise(r => setTimeout(r, 500))")  # the fade-in ends
        drawn = png_pixels(await browser.screenshot())
        return browser.text(), intro, drawn


@pytest.mark.skipif(chromium() is None, reason="chromium is not installed (.ci/run installs it)")
def test_the_app_in_chromium_draws_its_panes(server, tmp_path):
    _, port = server
    text, intro, drawn = asyncio.run(open_in_chromium(port, tmp_path / "profile"))
    assert all(title in text for title in TITLES)
    assert "paused" in text and "epoch 0" in text
    changed = sum(a != b for a, b in zip(intro, drawn, strict=True)) / len(drawn)
    assert changed > 0.3  # the terminal covers the page where the intro was
    assert len(set(drawn)) > len(set(intro))


def test_the_cli_starts_under_textual_serves_driver(tmp_path):
    """stdin and stdout are pipes, as textual-serve makes them: the app starts anyway (it
    says so with textual's prelude line) and quits when the server says quit."""
    env = {**os.environ, "TEXTUAL_DRIVER": WEB_DRIVER, "COLUMNS": "100", "ROWS": "40"}
    app = subprocess.Popen([sys.executable, "-m", "nntui", "--dataset", "circles"], env=env,
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)  # fmt: skip
    try:
        assert app.stdout.readline() == b"__GANGLION__\n"
        quit_ = json.dumps({"type": "quit"}).encode()
        app.stdin.write(b"M" + len(quit_).to_bytes(4, "big") + quit_)
        app.stdin.close()
        app.stdout.read()
        assert app.wait(timeout=TIMEOUT) == 0
    finally:
        app.kill()
        app.wait()


def test_serve_passes_the_app_options_and_binds_to_loopback():
    argv = ["--port", "9000", "--dataset", "iris", "--layers", "8,4", "--host", "0.0.0.0"]
    assert app_arguments(argv) == ["--dataset", "iris", "--layers", "8,4"]
    assert app_command(["--data", "my file.csv"]).endswith("-m nntui --data 'my file.csv'")
    assert public_url("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert public_url("::1", 8000) == "http://[::1]:8000"
    assert "0.0.0.0" not in public_url("0.0.0.0", 8000)


def test_serve_refuses_bad_app_options_before_serving(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "nntui", "serve", "--port", str(free_port()),
         "--data", str(tmp_path / "missing.csv"), "--target", "y"],
        capture_output=True, text=True, timeout=TIMEOUT,
    )  # fmt: skip
    assert result.returncode == 2
    assert "missing.csv: no such file" in result.stderr
