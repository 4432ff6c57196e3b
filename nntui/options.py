"""The options shared by `nntui` and `nntui train`: the setup they read, the Session they
build from it, and how they report bad input."""

import argparse
import sys
from collections.abc import Callable
from typing import Any

from engine.data import Progress
from nntui.config import (
    FIELDS,
    OPTIONS,
    TASKS,
    Config,
    ConfigError,
    format_field,
    parse_field,
    parse_missing,
    parse_task,
    read_config,
)

DESCRIPTION = (
    "Build a fully-connected neural network, train it epoch by epoch, and watch what happens "
    "inside: layers, matrix shapes, cost, weights."
)
#: What a user's input can cause (DataError, ConfigError and ModelFileError are ValueErrors);
#: each is reported in one line, with exit code 2.
INPUT_ERRORS = (ValueError,)
#: Options about reading a user's CSV, by Config field: they go with --data.
#: Options only the app uses: `nntui train` reads them (a config may hold them) and ignores them.
APP_ONLY = frozenset({"speed"})
APP_ONLY_NOTE = "; the app only: nntui train always runs at full speed"
CSV_OPTIONS = {"drop_missing": "--drop-missing", "missing": "--missing", "task": "--task"}
#: The fields listed under "data" in --help; the others under "network and training".
DATA_FIELDS = ("dataset", "test_ratio", "features", "noise", "points", "data_seed")


def _field_type(name: str) -> Callable[[str], Any]:
    """An argparse type that reads ``name`` with the same parser as the app's form."""

    def convert(text: str) -> Any:
        try:
            return parse_field(name, text)
        except ConfigError as err:
            raise argparse.ArgumentTypeError(str(err)) from None

    convert.__name__ = FIELDS[name].label
    return convert


def _data_type(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse type from a parser that raises ValueError."""

    def convert(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as err:
            raise argparse.ArgumentTypeError(str(err)) from None

    convert.__name__ = parse.__name__.removeprefix("parse_")
    return convert


def add_setup_options(parser: argparse.ArgumentParser) -> None:
    """The options that choose the data, the network and the training: shared by the app
    and `nntui train`."""
    files = parser.add_argument_group("files")
    files.add_argument("--config", metavar="FILE.toml", help="read the setup from a TOML file "
                       "(options given here override it)")  # fmt: skip
    files.add_argument("--load", metavar="MODEL.npz",
                       help="continue a saved model, with the setup it was saved with")  # fmt: skip
    data = parser.add_argument_group("data")
    net = parser.add_argument_group("network and training")
    defaults = Config()
    for name, option in OPTIONS.items():
        field = FIELDS[name]
        choices = f"; one of {', '.join(field.choices)}" if field.choices else ""
        group = data if name in DATA_FIELDS else net
        group.add_argument(
            f"--{option}", dest=name, type=_field_type(name), default=argparse.SUPPRESS,
            metavar="N|max" if name == "speed" else option.upper(),
            help=(f"{field.help}{choices} (default: {format_field(defaults, name)})"
                  + (APP_ONLY_NOTE if name in APP_ONLY else "")).replace("%", "%%"),
        )  # fmt: skip
    data.add_argument("--data", metavar="PATH.csv", help="your own CSV file, with a header row")
    data.add_argument("--target", metavar="COLUMN", help="the CSV column to predict")
    data.add_argument(
        "--drop-missing", action="store_true", default=None,
        help="drop CSV rows with missing values instead of refusing the file",
    )  # fmt: skip
    data.add_argument(
        "--missing", metavar="TEXT[,TEXT]", type=_data_type(parse_missing),
        help="texts that mean a missing value, e.g. NA,none (default: only empty cells; in "
        "number columns NA, N/A, NaN, null, none, ?, - too)",
    )  # fmt: skip
    data.add_argument(
        "--task", type=_data_type(parse_task), metavar="|".join(TASKS),
        help="what the target is: class labels or quantities (default: guessed, and said)",
    )  # fmt: skip


def given_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The hyperparameters given on the command line, by field name. (An option not given is
    absent, so that a value that is None, --batch-size full or --speed max, still counts.)"""
    return {name: getattr(args, name) for name in OPTIONS if hasattr(args, name)}


def config_from_args(
    args: argparse.Namespace, parser: argparse.ArgumentParser
) -> tuple[Config, dict[str, Any]]:
    """The config file (if any) with the options given on the command line over it."""
    config, extras = read_config(args.config) if args.config else (Config(), {})
    fields = given_fields(args)
    if args.data and "dataset" in fields:
        parser.error("give --dataset or --data, not both")
    if args.data:
        config = config.with_value("data_path", args.data).with_value("target", args.target)
    elif "dataset" in fields:
        config = config.with_dataset(fields.pop("dataset"))
    if args.data and not args.target:
        parser.error("--data needs --target COLUMN: the column to predict")
    if args.target and not args.data:
        parser.error("--target goes with --data PATH.csv")
    for name in CSV_OPTIONS:
        value = getattr(args, name)
        if value and not config.data_path:
            parser.error(f"{CSV_OPTIONS[name]} goes with --data PATH.csv")
        if value is not None:
            config = config.with_value(name, value)
    for name, value in fields.items():
        config = config.with_value(name, value)
    return config.check(), extras


def session_from_args(
    args: argparse.Namespace, parser: argparse.ArgumentParser, progress: Progress | None = None
):
    """(Session, extras from the config file); the errors in INPUT_ERRORS for bad input.
    ``progress`` hears how loading a user's CSV goes."""
    from nntui.session import Session  # imported here so that --help stays quick

    for flag in ("config", "load", "data"):
        if getattr(args, flag) == "":
            raise ValueError(f"--{flag} is empty; give a file name")
    if args.load:
        fields = given_fields(args)
        given = [f"--{OPTIONS[n]}" for n in fields if n not in APP_ONLY]
        given += [f"--{flag}" for flag in ("config", "data") if getattr(args, flag)]
        given += [option for name, option in CSV_OPTIONS.items() if getattr(args, name)]
        if given:
            parser.error(
                f"--load continues a saved model with the setup it was saved with; "
                f"leave out {', '.join(given)} (change live settings in the app)"
            )
        session = Session.from_file(args.load)
        for name in APP_ONLY & fields.keys():  # the app's own settings go with a saved model
            session.apply(name, fields[name])
        if session.notice:
            print(f"nntui: {session.notice}", file=sys.stderr)
        return session, {}
    config, extras = config_from_args(args, parser)
    session = Session(config, Session.load_data(config, progress))
    if args.config:
        session.read_from["the config file read"] = args.config
    return session, extras


def fail(err: Exception) -> int:
    print(f"nntui: error: {err}", file=sys.stderr)
    return 2
