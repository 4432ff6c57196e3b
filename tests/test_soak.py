"""Long runs: the app trains digits for 10,000 epochs while it is driven headlessly.
Memory stays flat and the history holds one entry per epoch. How fast a key press is
answered at the start and the end is printed for the log, not asserted: a shared machine's
timings are noise (bench/run.py measures key presses)."""

import asyncio
import statistics
from pathlib import Path

import pytest

from .app_helpers import key_to_repaint, make_app, settle

EPOCHS = 10_000
PRESSES = 7


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


async def median_key_ms(app) -> float:
    times = []
    for _ in range(PRESSES):
        times.append(await key_to_repaint(app))
        await asyncio.sleep(0.05)
    return 1000 * statistics.median(times)


async def wait_for_epoch(app, epoch: int) -> None:
    while app.session.epoch < epoch and app.running:
        await asyncio.sleep(0.05)


@pytest.mark.slow
async def test_ten_thousand_epochs_in_the_app_keep_memory_flat(capsys):
    app = make_app(
        dataset="digits", hidden=(32,), activation="relu", learning_rate=0.05, speed=None
    )  # max: the app opens at 20 epochs/s
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("space")
        await wait_for_epoch(app, 300)  # past first-use allocations and caches
        rss = {"start": rss_mib()}
        keys = {"start": await median_key_ms(app)}
        await wait_for_epoch(app, EPOCHS // 2)
        rss["middle"] = rss_mib()
        await wait_for_epoch(app, EPOCHS)
        rss["end"] = rss_mib()
        keys["end"] = await median_key_ms(app)
        assert app.running, app.error  # it was still training, not stopped by an error
        await pilot.press("space")
        await settle(pilot)
        session = app.session
        with capsys.disabled():  # the report belongs in every run's log, CI's too
            mib = ", ".join(f"{k} {v:.1f}" for k, v in rss.items())
            ms = ", ".join(f"{k} {v:.0f}" for k, v in keys.items())
            print(f"\nsoak: {session.epoch} epochs; resident set MiB: {mib}; key ms: {ms}")
        assert session.epoch >= EPOCHS and len(session.history(10**9).epochs) == session.epoch
        assert app.frame.views["training"].history.epochs[-1] == session.epoch
        assert rss["end"] < 1.10 * rss["start"] and rss["middle"] < 1.10 * rss["start"]
