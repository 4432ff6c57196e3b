"""The ``nntui`` command line: open the app, or ``nntui train`` without it.

Every bad value, data file, config file or model file is reported before anything starts,
on stderr, with exit code 2.
"""

import argparse
import gc
import importlib
import os
import sys

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
#: BLAS threads for the app unless OPENBLAS_NUM_THREADS says otherwise: its arrays are small
#: and the UI shares the two cores, where a second BLAS thread spins against both (digits
#: trained ~6x slower with two on a loaded machine); one thread also starts NumPy ~50 ms
#: sooner. ``nntui train`` keeps OpenBLAS's default.
APP_BLAS_THREADS = "1"


class VersionAction(argparse.Action):
    """--version: reads the installed version only when asked (see ``nntui.__getattr__``)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        import nntui

        print(f"nntui {nntui.__version__}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    from engine.data import REGISTRY
    from nntui.options import DESCRIPTION, add_setup_options

    parser = argparse.ArgumentParser(
        prog="nntui",
        description=DESCRIPTION,
        epilog="Data sets: " + ", ".join(REGISTRY) + ".  More commands: nntui train, "
        "predict, export, serve, trace, lr-find (each with --help)."
        "  Keys inside the app: press ?",
    )
    parser.add_argument("--version", action=VersionAction)
    add_setup_options(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] and argv[0] in COMMANDS:
        return importlib.import_module(COMMANDS[argv[0]]).main(argv[1:])
    if "numpy" not in sys.modules:  # it reads the variable when it loads, below
        os.environ.setdefault("OPENBLAS_NUM_THREADS", APP_BLAS_THREADS)
    gc.disable()  # no cycle collections while the app starts: its first frame comes sooner
    try:
        return open_app(argv)
    finally:
        gc.enable()  # the app enables it already after its first frame


def open_app(argv: list[str]) -> int:
    """Parse the options, build the session and run the app on it."""
    from nntui.options import INPUT_ERRORS, fail, session_from_args

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
