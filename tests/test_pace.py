"""The speed of play: the ladder, the pacing arithmetic, --speed, and the config key."""

import pytest

from engine.data import REGISTRY, load_dataset
from nntui.cli import build_parser
from nntui.config import Config, ConfigError, config_toml, parse_field, read_config
from nntui.options import config_from_args, session_from_args
from nntui.pace import (
    DEFAULT_SPEED,
    EACH_EPOCH_UP_TO,
    SPEEDS,
    draws_each_epoch,
    faster,
    frame_seconds,
    heavy_pane_seconds,
    next_start,
    slower,
)
from nntui.session import Session
from nntui.widgets.form import dataset_prompt


def test_plus_climbs_and_minus_descends_the_whole_ladder():
    up, speed = [1], 1
    while speed is not None:
        speed = faster(speed)
        up.append(speed)
    assert tuple(up) == SPEEDS == (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, None)
    down, speed = [None], None
    while speed != 1:
        speed = slower(speed)
        down.append(speed)
    assert tuple(reversed(down)) == SPEEDS
    assert faster(None) is None and slower(1) == 1  # the ends hold


def test_every_epoch_is_drawn_when_slow_and_frames_thin_out_most_at_max():
    """Up to EACH_EPOCH_UP_TO epochs/s every epoch gets a frame and every pane its redraw;
    faster, frames are spaced, and at max (where the training thread never sleeps) twice
    as far apart as at 1000/s, leaving the training thread more of the GIL."""
    for speed in SPEEDS[: SPEEDS.index(EACH_EPOCH_UP_TO) + 1]:
        assert frame_seconds(speed) == heavy_pane_seconds(speed) == 0
    for speed in SPEEDS[SPEEDS.index(EACH_EPOCH_UP_TO) + 1 : -1]:
        assert 0 < frame_seconds(speed) <= heavy_pane_seconds(speed)
    assert frame_seconds(None) == 2 * frame_seconds(1000) == 0.2
    assert heavy_pane_seconds(None) == 2 * heavy_pane_seconds(1000) == 0.5


def test_a_typed_speed_off_the_ladder_steps_to_its_neighbours():
    assert (slower(30), faster(30)) == (20, 50)
    assert (slower(5000), faster(5000)) == (1000, None)
    assert slower(None) == 1000


def test_next_start_keeps_the_pace_and_never_bursts_to_catch_up():
    # On time: 0.1 s apart at 10/s, counted from when the last epoch was due.
    assert next_start(due=5.0, now=5.03, speed=10) == pytest.approx(5.1)
    # An epoch that ran long is made up by a shorter wait...
    assert next_start(due=5.1, now=5.18, speed=10) == pytest.approx(5.2)
    # ...but a whole interval behind, the next epoch starts now, not in a burst.
    assert next_start(due=5.2, now=5.9, speed=10) == 5.9


def test_only_slow_speeds_draw_every_epoch():
    assert draws_each_epoch(DEFAULT_SPEED) and draws_each_epoch(1)
    assert not draws_each_epoch(50) and not draws_each_epoch(None)


@pytest.mark.parametrize(
    "text, speed", [("max", None), ("MAX", None), ("20", 20), ("5/s", 5), (" 1 ", 1)]
)
def test_speed_reads_a_whole_number_or_max(text, speed):
    assert parse_field("speed", text) == speed


@pytest.mark.parametrize("text", ["0", "-5", "2.5", "fast", "", "1000001", "nan"])
def test_a_speed_that_cannot_be_used_is_refused_with_the_field_named(text):
    with pytest.raises(ConfigError, match="speed"):
        parse_field("speed", text)


@pytest.mark.parametrize("given, speed", [([], DEFAULT_SPEED), (["--speed", "5"], 5),
                                          (["--speed", "max"], None)])  # fmt: skip
def test_speed_on_the_command_line(given, speed):
    parser = build_parser()
    config, _ = config_from_args(parser.parse_args(given), parser)
    assert config.speed == speed


def test_a_bad_speed_on_the_command_line_is_an_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["--speed", "slow"])
    assert exit_.value.code == 2 and "speed" in capsys.readouterr().err


def test_nntui_train_help_says_it_ignores_speed(capsys):
    from nntui.headless import build_train_parser

    help_text = " ".join(build_train_parser().format_help().split())
    assert "nntui train always runs at full speed" in help_text


@pytest.mark.parametrize("speed", [None, 1, 7, DEFAULT_SPEED, 1000])
def test_speed_round_trips_through_a_config_file(tmp_path, speed):
    path = tmp_path / "run.toml"
    path.write_text(config_toml(Config(speed=speed)))
    assert read_config(path)[0] == Config(speed=speed)
    assert ('speed = "max"' if speed is None else f"speed = {speed}") in path.read_text()


def test_a_config_without_speed_opens_at_the_default(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text('dataset = "xor"\n')
    assert read_config(path)[0].speed == DEFAULT_SPEED


def test_a_saved_model_keeps_its_speed_and_load_may_change_it(tmp_path):
    session = Session(Config(speed=5))
    session.step_epoch()
    path = str(tmp_path / "m.npz")
    session.save(path)
    assert Session.from_file(path).config.speed == 5
    parser = build_parser()
    args = parser.parse_args(["--load", path, "--speed", "max"])
    reopened, _ = session_from_args(args, parser)
    assert reopened.config.speed is None and reopened.epoch == 1


@pytest.mark.parametrize("name", list(REGISTRY))
def test_the_data_set_list_gives_each_sets_rows_features_and_classes(name):
    data = load_dataset(name)
    m, n_x = data.X.shape[1], data.X.shape[0]
    prompt = dataset_prompt(name)
    assert prompt.startswith(name) and f"{m} rows" in prompt and f"{n_x} features" in prompt
    if data.task == "regression":
        assert "a quantity" in prompt
    else:
        assert f"{len(data.classes)} classes" in prompt


def test_max_and_full_on_the_command_line_override_the_config_file(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text("speed = 5\nbatch_size = 32\n")
    parser = build_parser()
    given = ["--config", str(path), "--speed", "max", "--batch-size", "full"]
    config, _ = config_from_args(parser.parse_args(given), parser)
    assert config.speed is None and config.batch_size is None
