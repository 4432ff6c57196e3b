"""`nntui lr-find`: the learning-rate finder (``engine.lrfind``) from the shell.

    nntui lr-find [the options of nntui train but --epochs, --save, --history]

It builds the model as `nntui train` would (or continues a saved one with --load), runs the
range test on a copy of it (the learning rate rising from 1e-6 to 10, one batch a step,
stopping when the cost explodes) and prints cost against learning rate on a log x axis (a
plotext chart on a terminal; piped, a table of about 20 steps), the suggested rate with the
rule that chose it, and the option to train with it. Nothing is trained or written: it takes
no --epochs, --save or --history (argparse refuses them).

Exit codes: 0 done, 2 bad input (an option, a config, data or model file), 130 Ctrl+C.
"""

import argparse
import shutil
import signal
import sys

from nntui.lrplot import draw, hint, table
from nntui.options import DESCRIPTION, INPUT_ERRORS, add_setup_options, fail, session_from_args

EXIT_CODES = (
    "Exit codes: 0 done, 2 bad input (an option, a config, data or model file), 130 Ctrl+C."
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nntui lr-find",
        description=DESCRIPTION + " This finds a learning rate: on a copy of the model, a short "
        "run with the rate rising from 1e-6 to 10, cost against rate, and a suggestion. "
        "Nothing is trained or saved.",
        epilog=EXIT_CODES,
    )
    add_setup_options(parser)
    return parser


def chart(found) -> str:
    """A plotext chart as wide as the terminal (at most 100 columns), 20 rows."""
    import plotext

    draw(plotext, found)
    plotext.theme("clear")  # the terminal's own colours behind the curves
    plotext.plot_size(min(shutil.get_terminal_size().columns, 100), 20)
    return plotext.build()


def main(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        session, _ = session_from_args(args, parser)
        for note in session.dataset.notes:
            print(f"nntui: {note}", file=sys.stderr)
        found = session.find_learning_rate()
    except INPUT_ERRORS as err:
        return fail(err)
    except KeyboardInterrupt:
        print("nntui: stopped by Ctrl+C", file=sys.stderr)
        return 128 + signal.SIGINT
    print(chart(found) if sys.stdout.isatty() else table(found))
    print(f"stopped: {found.stopped}")
    print(f"suggested learning rate: {found.suggested:g} ({found.rule})")
    print(f"train with it: nntui train ... {hint(found)}")
    return 0
