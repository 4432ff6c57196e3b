"""The ``nntui`` command line: open the app on a data set and network, or explain what is wrong.

Every bad value or data file is reported before the app starts, on stderr, with exit code 2.
"""

import argparse
import sys
from collections.abc import Callable
from typing import Any

from engine.data import REGISTRY, DataError
from nntui import __version__
from nntui.config import FIELDS, Config, ConfigError, format_field, parse_field


def _field_type(name: str) -> Callable[[str], Any]:
    """An argparse type that reads ``name`` with the same parser as the app's form."""

    def convert(text: str) -> Any:
        try:
            return parse_field(name, text)
        except ConfigError as err:
            raise argparse.ArgumentTypeError(str(err)) from None

    convert.__name__ = FIELDS[name].label
    return convert


#: (flag, Config field, metavar, argument group) for every hyperparameter on the command line.
FIELD_FLAGS = [
    ("--dataset", "dataset", "NAME", "data"),
    ("--test-ratio", "test_ratio", "R", "data"),
    ("--layers", "hidden", "8,4", "network and training"),
    ("--activation", "activation", "G", "network and training"),
    ("--lr", "learning_rate", "α", "network and training"),
    ("--batch-size", "batch_size", "N", "network and training"),
    ("--optimizer", "optimizer", "NAME", "network and training"),
    ("--lambd", "lambd", "λ", "network and training"),
    ("--init", "init", "NAME", "network and training"),
    ("--seed", "seed", "N", "network and training"),
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nntui",
        description=(
            "Build a fully-connected neural network, train it epoch by epoch, and watch "
            "what happens inside: layers, matrix shapes, cost, weights."
        ),
        epilog="Data sets: " + ", ".join(REGISTRY) + ".  Keys inside the app: press ?",
    )
    parser.add_argument("--version", action="version", version=f"nntui {__version__}")
    groups = {title: parser.add_argument_group(title) for title in ("data", "network and training")}
    defaults = Config()
    for flag, name, metavar, group in FIELD_FLAGS:
        field = FIELDS[name]
        choices = f"; one of {', '.join(field.choices)}" if field.choices else ""
        groups[group].add_argument(
            flag, dest=name, type=_field_type(name), metavar=metavar,
            help=f"{field.help}{choices} (default: {format_field(defaults, name)})",
        )  # fmt: skip
    data = groups["data"]
    data.add_argument("--data", metavar="PATH.csv", help="your own CSV file, with a header row")
    data.add_argument("--target", metavar="COLUMN", help="the CSV column to predict")
    data.add_argument(
        "--drop-missing", action="store_true",
        help="drop CSV rows with missing values instead of refusing the file",
    )  # fmt: skip
    return parser


def config_from_args(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Config:
    if args.data and args.dataset:
        parser.error("give --dataset or --data, not both")
    if args.data and not args.target:
        parser.error("--data needs --target COLUMN: the column to predict")
    if args.target and not args.data:
        parser.error("--target goes with --data PATH.csv")
    config = Config(data_path=args.data, target=args.target, drop_missing=args.drop_missing)
    for _, name, _, _ in FIELD_FLAGS:
        value = getattr(args, name)
        if value is not None:
            config = config.with_value(name, value)
    return config


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    config = config_from_args(args, parser)
    from nntui.session import Session  # imported here so that --help stays quick

    try:
        session = Session(config)
    except (DataError, ValueError) as err:
        print(f"nntui: error: {err}", file=sys.stderr)
        return 2
    from nntui.app import NNTuiApp

    NNTuiApp(session).run()
    return 0
