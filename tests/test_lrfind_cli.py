"""`nntui lr-find` through ``nntui.cli.main``: what it prints, --load, refused options and the
exit codes."""

import numpy as np
import pytest

from engine.lrfind import LRModel, find_learning_rate, rate_schedule
from nntui.cli import main
from nntui.config import Config
from nntui.lrfind import chart
from nntui.session import Session

DIGITS = ["--dataset", "digits", "--layers", "32", "--activation", "relu", "--init", "he"]


def _suggested(out: str) -> float:
    line = next(x for x in out.splitlines() if x.startswith("suggested learning rate: "))
    return float(line.split(": ")[1].split(" ")[0])


def test_it_prints_the_rates_costs_and_the_suggestion_of_an_independent_find(capsys):
    assert main(["lr-find", *DIGITS]) == 0
    out = capsys.readouterr().out
    config = Config().with_dataset("digits").with_value("hidden", (32,))
    config = config.with_value("activation", ("relu",)).with_value("init", "he")
    session = Session(config)
    expected = find_learning_rate(LRModel.of(session._trainer))
    assert _suggested(out) == expected.suggested
    assert "(a tenth of the rate at the lowest smoothed cost)" in out
    assert f"train with it: nntui train ... --lr {expected.suggested:g}" in out
    rows = [line.split() for line in out.splitlines()[1:21]]
    rates = [float(r[0]) for r in rows]
    assert rates[0] == 1e-6 and rates[-1] == pytest.approx(expected.rates[-1], rel=1e-3)
    assert all(float(f"{r:.3g}") in {float(f"{x:.3g}") for x in rate_schedule()} for r in rates)
    assert float(rows[0][1]) == pytest.approx(expected.costs[0], rel=1e-3)


def test_on_a_terminal_it_draws_cost_against_rate_on_a_log_axis():
    found = Session(Config()).find_learning_rate()
    drawn = chart(found)
    assert "learning rate α (log scale)" in drawn
    assert all(f"1e{t}" in drawn for t in range(-6, 2))


def test_load_finds_on_the_saved_models_copy_and_leaves_the_file_as_it_was(tmp_path, capsys):
    path = tmp_path / "model.npz"
    session = Session(Config())
    for _ in range(30):
        session.step_epoch()
    session.save(str(path))
    before = path.read_bytes()
    assert main(["lr-find", "--load", str(path)]) == 0
    expected = Session.from_file(str(path)).find_learning_rate()
    assert _suggested(capsys.readouterr().out) == expected.suggested
    assert path.read_bytes() == before
    fresh = Session(Config()).find_learning_rate()
    assert not np.array_equal(expected.costs, fresh.costs)  # it ran on the trained weights


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--epochs", "5"], "unrecognized arguments: --epochs"),
        (["--save", "m.npz"], "unrecognized arguments: --save"),
        (["--lr", "-1"], "--lr"),
        (["--load", "no-such-model.npz"], "no-such-model.npz"),
        (["--load", "m.npz", "--lr", "0.1"], "leave out --lr"),
    ],
)
def test_bad_options_and_files_exit_2_with_a_message(args, message, capsys, tmp_path):
    try:
        code = main(["lr-find", *args])
    except SystemExit as exit_:
        code = exit_.code
    assert code == 2
    assert message in capsys.readouterr().err


def test_ctrl_c_exits_130(monkeypatch, capsys):
    def interrupted(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(Session, "find_learning_rate", interrupted)
    assert main(["lr-find"]) == 130
    assert "stopped by Ctrl+C" in capsys.readouterr().err
