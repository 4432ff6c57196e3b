"""The app's measures: epochs/s with the app open against headless, key press to repaint
while training, and the first frame in a real terminal against a bare Textual app.

Imported by ``run.py``; each function returns plain numbers and ``*_line`` words them.
``python bench/app.py [repeats]`` runs these rows alone.
"""

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from report import Row, spread, table

HERE = Path(__file__).resolve().parent
PRESSES = 5  # keys timed after each app window
BARE_TEXT = "a bare Textual app"  # what bare_app.py shows; nntui's status line says "paused"
POLL_SECONDS = 0.003


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) of ``values``, linear between the nearest ranks."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def app_measures(window: float, repeats: int, config_kwargs: dict) -> dict:
    """Epochs/s with the app open and drawing over the engine's own on the same config, and
    key -> repaint times. The two alternate, window by window (this machine's speed drifts
    within seconds), and the RATIO is the median of the window pairs' ratios. After each
    app window, with training still running, PRESSES keys are timed. Both run with the BLAS
    threads ``nntui`` gives the app (``nntui.cli.APP_BLAS_THREADS``), the engine at its best
    on these small networks too."""
    from threadpoolctl import threadpool_limits

    from nntui.app import NNTuiApp
    from nntui.cli import APP_BLAS_THREADS
    from nntui.config import Config
    from nntui.session import Session
    from tests.app_helpers import key_to_repaint

    headless = Session(Config(**config_kwargs))
    headless.step_epoch()

    def headless_rate() -> float:
        start, done = time.perf_counter(), 0
        while time.perf_counter() - start < window:
            headless.step_epoch()
            done += 1
        return done / (time.perf_counter() - start)

    async def app_rate(app: NNTuiApp, pilot, latencies: list[float]) -> float:
        await pilot.press("space")
        await asyncio.sleep(0.25)  # let it reach its pace
        first, start = app.session.epoch, time.perf_counter()
        await asyncio.sleep(window)
        rate = (app.session.epoch - first) / (time.perf_counter() - start)
        for _ in range(PRESSES):  # then, still training, keys
            latencies.append(await key_to_repaint(app))
            await asyncio.sleep(0.2)
        await pilot.press("space")
        await app.workers.wait_for_complete()
        return rate

    async def drive() -> tuple[list[float], list[float], list[float]]:
        app = NNTuiApp(Session(Config(**config_kwargs).with_value("speed", None)))  # max
        headless_rates, app_rates, latencies = [], [], []
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause(0.5)
            for _ in range(repeats):
                headless_rates.append(headless_rate())  # the app is paused meanwhile
                app_rates.append(await app_rate(app, pilot, latencies))
        return headless_rates, app_rates, latencies

    with threadpool_limits(int(APP_BLAS_THREADS), user_api="blas"):
        headless_rates, app_rates, latencies = asyncio.run(drive())
    ratios = [a / h for a, h in zip(app_rates, headless_rates, strict=True)]
    return {
        "headless_eps": statistics.median(headless_rates),
        "app_eps": statistics.median(app_rates),
        "ratio": statistics.median(ratios),
        "ratio_range": (min(ratios), max(ratios)),
        "key_ms_median": 1000 * statistics.median(latencies),
        "key_ms_p95": 1000 * percentile(latencies, 95),
        "key_ms_max": 1000 * max(latencies),
        "presses": len(latencies),
        "window": window,
    }


def app_rows(network: str, r: dict) -> list[Row]:
    """The app's epochs/s against headless, and its key presses' p95, as report rows."""
    low, high = r["ratio_range"]
    return [
        Row(f"app at max speed, {network}: epochs/s, app / headless",
            f"{r['app_eps']:,.0f}/s (windows {low:.2f}-{high:.2f})",
            f"{r['headless_eps']:,.0f}/s headless", r["ratio"], 0.9, at_most=False),
        Row(f"key press to repaint while training, {network}: p95 of {r['presses']} presses, ms",
            f"median {r['key_ms_median']:.0f}, p95 {r['key_ms_p95']:.0f}, "
            f"max {r['key_ms_max']:.0f}", "—", r["key_ms_p95"], 50),
    ]  # fmt: skip


# -- the first frame in a terminal ---------------------------------------------------------


def until_shown(command: list[str], text: str, env: dict) -> float:
    """Seconds from launching ``command`` in a fresh tmux server (120x40) until its screen
    shows ``text``, polling every POLL_SECONDS. The server is killed afterwards."""
    server = ["tmux", "-L", f"nntui-first-frame-{os.getpid()}-{time.monotonic_ns()}"]
    start = time.perf_counter()
    subprocess.run([*server, "new-session", "-d", "-s", "s", "-x", "120", "-y", "40",
                    *command], check=True, env=env, capture_output=True)  # fmt: skip
    try:
        while True:
            screen = subprocess.run([*server, "capture-pane", "-p", "-t", "s"],
                                    capture_output=True, text=True).stdout  # fmt: skip
            if text in screen:
                return time.perf_counter() - start
            if time.perf_counter() - start > 30:
                raise RuntimeError(f"{command} never showed {text!r}; the screen was:\n{screen}")
            time.sleep(POLL_SECONDS)
    finally:
        subprocess.run([*server, "kill-server"], capture_output=True)


def first_frame(repeats: int) -> dict:
    """Seconds until ``nntui`` shows its opening screen (the status line's "paused") and
    until a bare Textual app (Header, Static, Footer: ``bare_app.py``) shows its text,
    launched alternately, each in a tmux server of its own. Both run with Python's bytecode
    cache on (in a temporary folder, as an installed package has it), after one unmeasured
    launch each that fills it."""
    nntui = shutil.which("nntui", path=str(Path(sys.executable).parent)) or "nntui"
    apps = {"nntui": ([nntui], "paused"), "bare": ([sys.executable, str(HERE / "bare_app.py")],
                                                   BARE_TEXT)}  # fmt: skip
    times: dict[str, list[float]] = {name: [] for name in apps}
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "TERM": "xterm-256color", "PYTHONPYCACHEPREFIX": cache}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        for command, text in apps.values():
            until_shown(command, text, env)
        for _ in range(repeats):
            for name, (command, text) in apps.items():
                times[name].append(until_shown(command, text, env))
    return {name: sorted(t) for name, t in times.items()}


def first_frame_row(r: dict) -> Row:
    """Launch to opening screen in tmux: nntui against a bare Textual app, medians."""
    ours, bare = statistics.median(r["nntui"]), statistics.median(r["bare"])
    return Row(f"first frame in tmux (120x40), nntui / a bare Textual app, {len(r['bare'])} "
               "alternating launches", spread(r["nntui"], 1, "s"), spread(r["bare"], 1, "s"),
               ours / bare, 1.8)  # fmt: skip


def main() -> None:
    """The app's rows alone: ``python bench/app.py [repeats]`` (run.py prints them too)."""
    sys.path.insert(0, str(HERE.parent))  # tests.app_helpers
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    digits = {"dataset": "digits", "hidden": (32,), "activation": "relu"}
    rows = [first_frame_row(first_frame(repeats))]
    rows += app_rows("2-4-1 circles", app_measures(1.0, repeats, {}))
    rows += app_rows("digits 64-32-10", app_measures(1.0, repeats, digits))
    print("\n".join(table(rows)))


if __name__ == "__main__":
    main()
