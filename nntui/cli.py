"""The ``nntui`` command line."""

import argparse

from nntui import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nntui",
        description=(
            "Build a fully-connected neural network, train it epoch by epoch, and watch "
            "what happens inside: layers, matrix shapes, cost, weights."
        ),
    )
    parser.add_argument("--version", action="version", version=f"nntui {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    build_parser().parse_args(argv)
    return 0
