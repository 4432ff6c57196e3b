"""Headless Chromium driven over the DevTools protocol, and textual-serve's websocket, for
the serve tests; aiohttp (which textual-serve runs on) is the only client library used.

``Chromium`` opens a page, records the websocket frames the page receives (the terminal
output its xterm.js draws), runs JavaScript in it and takes screenshots. ``terminal_text``
turns such output into plain text: the escape sequences go, the characters stay.
"""

import asyncio
import base64
import contextlib
import json
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from typing import Any

import aiohttp

#: The flags this machine's Chromium needs to run headless in a container, offline.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]  # fmt: skip
#: CSI, OSC and the two-character escape sequences a terminal understands.
ESCAPES = re.compile(r"\x1b(\[[0-9;?<>=$]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Z]|.)")


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def terminal_text(output: str) -> str:
    """Terminal output without its escape sequences: the characters drawn, in order."""
    return ESCAPES.sub("", output)


class Chromium:
    """One headless Chromium with one page, driven through the DevTools protocol."""

    def __init__(self, profile: Path, size: tuple[int, int] = (1280, 800)) -> None:
        self.profile, self.size = profile, size
        self.received: list[str] = []  # the page's websocket frames, as text
        self.sent: list[str] = []  # the frames the page sent
        self._ids = iter(range(1, 1 << 30))
        self._waiting: dict[int, asyncio.Future] = {}

    async def __aenter__(self) -> "Chromium":
        binary = chromium()
        assert binary, "chromium is not installed"
        self.process = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}",
             f"--window-size={self.size[0]},{self.size[1]}", "--remote-debugging-port=0",
             "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        port = await self._devtools_port()
        self.http = aiohttp.ClientSession()
        async with self.http.get(f"http://127.0.0.1:{port}/json/list") as response:
            pages = [t for t in await response.json() if t["type"] == "page"]
        self.ws = await self.http.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0)
        self._reader = asyncio.create_task(self._read())
        await self.send("Network.enable")
        await self.send("Page.enable")
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader
        await self.ws.close()
        await self.http.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    async def _devtools_port(self) -> int:
        """The port Chromium chose, from the file it writes into its profile."""
        port_file = self.profile / "DevToolsActivePort"
        for _ in range(600):  # up to a minute
            if port_file.exists() and (lines := port_file.read_text().splitlines()):
                return int(lines[0])
            await asyncio.sleep(0.1)
        raise TimeoutError("chromium did not open its DevTools port")

    async def _read(self) -> None:
        async for message in self.ws:
            data = json.loads(message.data)
            if "id" in data:
                self._waiting.pop(data["id"]).set_result(data)
            elif data.get("method") == "Network.webSocketFrameReceived":
                frame = data["params"]["response"]
                payload = frame["payloadData"]
                if frame["opcode"] == 2:  # binary: base64
                    payload = base64.b64decode(payload).decode("utf-8", "replace")
                self.received.append(payload)
            elif data.get("method") == "Network.webSocketFrameSent":
                self.sent.append(data["params"]["response"]["payloadData"])

    async def send(self, method: str, **params: Any) -> dict:
        """One DevTools command; its result."""
        id_ = next(self._ids)
        self._waiting[id_] = asyncio.get_running_loop().create_future()
        await self.ws.send_json({"id": id_, "method": method, "params": params})
        reply = await self._waiting[id_]
        assert "error" not in reply, reply
        return reply["result"]

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = await self.send("Runtime.evaluate", expression=expression,
                                 awaitPromise=True, returnByValue=True)  # fmt: skip
        return result["result"].get("value")

    async def screenshot(self) -> bytes:
        """The page as PNG bytes."""
        return base64.b64decode((await self.send("Page.captureScreenshot"))["data"])

    def text(self) -> str:
        """Everything the page's terminal received so far, as plain text."""
        return terminal_text("".join(self.received))


def png_pixels(png: bytes) -> list[bytes]:
    """The pixels of an 8-bit RGB or RGBA PNG (as Chromium writes), one bytes per pixel."""
    width, height, depth, colour = struct.unpack(">IIBB", png[16:26])
    assert depth == 8 and colour in (2, 6), (depth, colour)
    chunks, position = [], 8
    while position < len(png):
        (length,), kind = (
            struct.unpack(">I", png[position : position + 4]),
            png[position + 4 : position + 8],
        )
        if kind == b"IDAT":
            chunks.append(png[position + 8 : position + 8 + length])
        position += 12 + length
    raw, size = zlib.decompress(b"".join(chunks)), 3 if colour == 2 else 4
    stride, previous, pixels = width * size, bytearray(width * size), []
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        _unfilter(kind, line, previous, size)
        pixels += [bytes(line[i : i + size]) for i in range(0, stride, size)]
        previous = line
    return pixels


def _unfilter(kind: int, line: bytearray, previous: bytearray, size: int) -> None:
    """Undo one PNG scanline filter (0 none, 1 sub, 2 up, 3 average, 4 Paeth) in place."""
    for i in range(len(line)):
        left = line[i - size] if i >= size else 0
        up, corner = previous[i], previous[i - size] if i >= size else 0
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 2:
            line[i] = (line[i] + up) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + (left + up) // 2) & 0xFF
        elif kind == 4:
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            line[i] = (
                line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)
            ) & 0xFF
