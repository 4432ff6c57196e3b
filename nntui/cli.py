"""The ``nntui`` command line: open the app, or ``nntui train`` without it.

Every bad value, data file, config file or model file is reported before anything starts,
on stderr, with exit code 2.
"""

import argparse
import sys

from engine.data import REGISTRY
from nntui import __version__
from nntui.options import DESCRIPTION, INPUT_ERRORS, add_setup_options, fail, session_from_args

NO_TERMINAL = (
    "nntui: the app needs a terminal, and this is not one (input or output is piped).\n"
    "To train without the app, use the same options with `nntui train`, e.g.\n"
    "  nntui train --dataset iris --layers 8 --epochs 500 --save model.npz --history history.csv"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nntui",
        description=DESCRIPTION,
        epilog="Data sets: " + ", ".join(REGISTRY) + ".  Without the app: nntui train --help."
        "  Keys inside the app: press ?",
    )
    parser.add_argument("--version", action="version", version=f"nntui {__version__}")
    add_setup_options(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["train"]:
        from nntui.headless import main as train_main

        return train_main(argv[1:])
    if argv[:1] == ["trace"]:
        from nntui.trace import main as trace_main

        return trace_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        session, _ = session_from_args(args, parser)
    except INPUT_ERRORS as err:
        return fail(err)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(NO_TERMINAL, file=sys.stderr)
        return 2
    from nntui.app import NNTuiApp

    NNTuiApp(session).run()
    return 0
