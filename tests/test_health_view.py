"""The Health view (key 6): what it draws from the recorded health, and the verdicts a
person sees on a network made to fail."""

import io

import numpy as np
from rich.console import Console

from nntui.widgets.health import HealthPane, columns, heat_shares, shade, sparkline

from .app_helpers import make_app, settle


def pane_text(app) -> str:
    """The Health pane's content as plain text, lines as wide as it draws them."""
    content = app.query_one("#health-text").content
    console = Console(width=300, record=True, file=io.StringIO())
    console.print(content)
    return console.export_text()


def test_sparkline_runs_from_lowest_to_highest_and_blanks_what_it_cannot_draw():
    assert sparkline(np.array([1.0, 2.0, 3.0])) == "▁▅█"
    assert sparkline(np.array([1e-6, 1e-3, 1.0]), log=True) == "▁▅█"
    assert sparkline(np.array([0.0, 1.0, 10.0]), log=True) == " ▁█"  # log of 0: no bar
    assert sparkline(np.array([2.0, 2.0])) == "▅▅"  # flat: the middle


def test_a_share_of_units_is_drawn_on_its_own_scale_so_none_is_the_lowest_bar():
    assert sparkline(np.array([0.0, 0.0]), span=(0.0, 1.0)) == "▁▁"  # no dead unit: not mid
    assert sparkline(np.array([0.0, 0.5, 1.0]), span=(0.0, 1.0)) == "▁▅█"


def test_columns_keep_every_entry_that_fits_else_spread_with_first_and_last():
    assert columns(5, 10).tolist() == [0, 1, 2, 3, 4]
    picked = columns(1000, 10)
    assert len(picked) == 10 and picked[0] == 0 and picked[-1] == 999
    assert np.all(np.diff(picked) > 0)


def test_heatmap_shares_come_from_the_quantiles():
    """Uniform values on [0, 1] (quantiles k/16): a quarter in each of four rows; all
    values equal: the whole column in the row holding them."""
    uniform = np.linspace(0, 1, 17)[None]
    shares = heat_shares(uniform, np.linspace(0, 1, 5))
    np.testing.assert_allclose(shares[:, 0], [0.25] * 4)
    point = np.full((1, 17), 0.6)
    shares = heat_shares(point, np.linspace(0, 1, 5))
    assert shares[:, 0].tolist() == [0, 0, 1, 0]
    assert [shade(s) for s in (0.0, 0.05, 0.25, 0.5, 1.0)] == list(" ░▒▓█")


async def test_view_6_shows_the_vanishing_verdict_of_a_deep_small_sigmoid_network():
    """A 2-8-8-8-8-1 sigmoid network with small initial weights: after a few epochs view
    6 says the gradients vanish and why, with a hint, and each layer's latest ‖dW‖ is the
    norm of the trainer's last dW, recomputed here."""
    app = make_app(hidden=(8, 8, 8, 8), activation="sigmoid", init="small", learning_rate=0.1)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(5):
            await pilot.press("n")
            await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        assert app.query_one(HealthPane).display
        text = pane_text(app)
        assert "⚠ vanishing: gradients vanish going back" in text
        assert "He or Xavier init instead of small" in text
        grads = app.session._trainer._grads
        for l, step in enumerate(grads, start=1):
            block = text.split(f"layer {l} · ")[1]
            dW_line = next(line for line in block.splitlines() if "‖dW‖" in line)
            assert dW_line.split()[-1] == f"{np.sqrt((step.dW.astype(np.float64) ** 2).sum()):.1e}"
        assert "W[1]" in text and "saturated" in text


async def test_view_6_before_any_epoch_says_to_train_first():
    async with make_app().run_test(size=(80, 24)) as pilot:
        await pilot.press("6")
        await settle(pilot)
        assert "No epoch recorded yet" in pane_text(pilot.app)


def _expected_heatmap(quantiles: list[np.ndarray]) -> tuple[float, float, list[str]]:
    """(high, low, rows top first) of a heatmap of values whose per-epoch quantiles at k/16
    are given: four equal bands between the lowest and highest value, each cell shaded by
    the share of that epoch's values in its band (read off the quantiles, linearly)."""
    q = np.array(quantiles)
    low, high = q[:, 0].min(), q[:, -1].max()
    edges = np.linspace(low, high, 5)
    probabilities = np.linspace(0, 1, 17)
    cdf = np.array([[np.interp(e, row, probabilities) for e in edges] for row in q])
    shares = np.diff(cdf, axis=1)  # (epochs, 4)
    steps = (0.0, 0.1, 0.3, 0.6)
    rows = ["".join(" ░▒▓█"[sum(s > t for t in steps)] for s in shares[:, band])
            for band in reversed(range(4))]  # fmt: skip
    return high, low, rows


async def test_view_6_draws_each_a_l_heatmap_from_the_quantiles_of_a_l_recomputed_here():
    """The A[l] heatmap beside W[l]'s: its range and every shaded cell equal what the
    quantiles of each epoch's A[l] (the last batch's, at most 256 values, evenly strided as
    the record samples them) give, computed here with np.quantile on a second run of the
    same model."""
    from engine.health import DISTRIBUTION_SAMPLE
    from nntui.config import Config
    from nntui.session import Session

    twin = Session(Config())
    seen: dict[int, list[np.ndarray]] = {1: [], 2: []}
    for _ in range(6):
        twin.step_epoch()
        for l in seen:
            flat = twin._trainer._caches[l - 1].A.reshape(-1)  # A[l] of the last batch
            sample = flat[:: -(-flat.size // DISTRIBUTION_SAMPLE)].astype(np.float64)
            seen[l].append(np.quantile(sample, np.linspace(0, 1, 17)))
    async with make_app().run_test(size=(120, 40)) as pilot:
        for _ in range(6):
            await pilot.press("n")
            await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        lines = pane_text(pilot.app).splitlines()
    for l, quantiles in seen.items():
        high, low, rows = _expected_heatmap(quantiles)
        top = next(i for i, line in enumerate(lines) if f"A[{l}]" in line)
        drawn = [line.split("┤ ")[2].ljust(len(rows[0])) for line in lines[top : top + 4]]
        assert [row[: len(rows[0])] for row in drawn] == rows
        assert f"A[{l}]  {high:+.2f} ┤" in lines[top]
        assert f"{low:+.2f} ┤" in lines[top + 3].split("┤ ", 1)[1]
