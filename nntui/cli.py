"""The ``nntui`` command line: open the app, or ``nntui train`` without it.

Every bad value, data file, config file or model file is reported before anything starts,
on stderr, with exit code 2.
"""

import argparse
import importlib
import os
import sys

from engine.data import REGISTRY
from nntui import __version__
from nntui.options import DESCRIPTION, INPUT_ERRORS, add_setup_options, fail, session_from_args

NO_TERMINAL = (
    "nntui: the app needs a terminal, and this is not one (input or output is piped).\n"
    "To train without the app, use the same options with `nntui train`, e.g.\n"
    "  nntui train --dataset iris --layers 8 --epochs 500 --save model.npz --history history.csv"
)
#: The commands besides the app, by the module whose main(argv) runs each.
COMMANDS = {"train": "nntui.headless", "predict": "nntui.predict", "export": "nntui.export",
            "serve": "nntui.serve", "trace": "nntui.trace", "lr-find": "nntui.lrfind"}  # fmt: skip
#: The driver textual-serve runs the app under (it sets TEXTUAL_DRIVER): its input and output
#: are pipes to the server, not a terminal, and that is as it should be.
WEB_DRIVER = "textual.drivers.web_driver:WebDriver"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nntui",
        description=DESCRIPTION,
        epilog="Data sets: " + ", ".join(REGISTRY) + ".  More commands: nntui train, "
        "predict, export, serve, trace, lr-find (each with --help)."
        "  Keys inside the app: press ?",
    )
    parser.add_argument("--version", action="version", version=f"nntui {__version__}")
    add_setup_options(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] and argv[0] in COMMANDS:
        return importlib.import_module(COMMANDS[argv[0]]).main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        session, _ = session_from_args(args, parser)
    except INPUT_ERRORS as err:
        return fail(err)
    in_browser = os.environ.get("TEXTUAL_DRIVER") == WEB_DRIVER
    if not (in_browser or (sys.stdin.isatty() and sys.stdout.isatty())):
        print(NO_TERMINAL, file=sys.stderr)
        return 2
    from nntui.app import NNTuiApp

    NNTuiApp(session).run()
    return 0
