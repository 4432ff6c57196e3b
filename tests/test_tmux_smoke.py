"""The installed nntui, run for real in a terminal (tmux): three steps, then read the screen."""

import os
import shutil
import subprocess
import time

import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed here (.ci/run installs it)"
)


SOCKET = f"nntui-smoke-{os.getpid()}"  # a tmux server of its own, even when runs overlap


def tmux(*args: str) -> str:
    result = subprocess.run(
        ["tmux", "-L", SOCKET, *args], capture_output=True, text=True, timeout=20
    )
    return result.stdout


def wait_for(text: str, seconds: float = 20) -> str:
    deadline = time.monotonic() + seconds
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", "smoke")
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")


def test_nntui_in_tmux_steps_three_epochs_and_shows_the_shapes():
    exe = shutil.which("nntui")
    assert exe, "the nntui console script is not installed"
    env = {**os.environ, "TERM": "xterm-256color"}
    subprocess.run(
        ["tmux", "-L", SOCKET, "new-session", "-d", "-s", "smoke", "-x", "120", "-y", "40",
         exe],
        check=True, env=env, timeout=20,
    )  # fmt: skip
    try:
        wait_for("paused")
        for _ in range(3):
            tmux("send-keys", "-t", "smoke", "n")
            time.sleep(0.3)
        screen = wait_for("epoch 3")
        assert "W[l]" in screen and "dZ[l]" in screen
        assert "X (2, 320)" in screen and "(4, 320)" in screen
        assert "cost: train" in screen
        tmux("send-keys", "-t", "smoke", "q")
    finally:
        tmux("kill-server")
