"""`nntui predict`: a saved model's predictions for new rows of a CSV.

The CSV's columns are matched by name, so their order may differ from the training data's;
columns the model does not use are named and left out. If the file has the target column,
class names the model never saw are named, and the accuracy on the others is given.
Exit codes: 0 predicted, 2 bad input (a model, CSV or output path that cannot be used).
"""

import argparse
import os
import sys
from typing import Any

import numpy as np

from engine.data import REGISTRY
from engine.files import atomic_write, check_output_file
from engine.persist import load_model
from engine.predict import NewRows, Predictor, class_name, prediction_table, read_rows, table_csv
from nntui.options import INPUT_ERRORS, fail


def build_predict_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nntui predict",
        description="Predict new rows with a saved model and the standardisation it was "
        "trained with: the class and each class's probability, or the value.",
        epilog="Exit codes: 0 predicted, 2 bad input.",
    )
    parser.add_argument("--load", metavar="MODEL.npz", required=True, help="the model file")
    parser.add_argument(
        "--data", metavar="NEW.csv", required=True,
        help="rows to predict, with the model's feature columns by name",
    )  # fmt: skip
    parser.add_argument(
        "-o", "--output", metavar="OUT.csv",
        help="write the predictions here (default: standard output)",
    )  # fmt: skip
    return parser


def target_column(meta: dict[str, Any]) -> str | None:
    """The name of the column the model was trained to predict, if it can be told."""
    config = meta.get("config", {})
    if config.get("data") and isinstance(config.get("target"), str):
        return config["target"]
    info = REGISTRY.get(meta.get("dataset", ""))
    return info.load().target_name if info else None


def check_targets(predictor: Predictor, rows: NewRows, AL: np.ndarray, target: str) -> list[str]:
    """What the target column says about the predictions: the classes the model never saw,
    and the accuracy on the rows whose class it knows."""
    if predictor.is_regression or rows.targets is None:
        return []
    known = [class_name(text) for text in rows.targets]
    unseen = sorted(set(known) - set(predictor.classes))
    notes = []
    if unseen:
        count = sum(name in unseen for name in known)
        notes.append(
            f"the column {target!r} holds class(es) the model never saw: "
            f"{', '.join(map(repr, unseen))} ({count} row(s)); it knows "
            f"{', '.join(map(repr, predictor.classes))}"
        )
    pairs = [(t, p) for t, p in zip(known, predictor.predicted_classes(AL), strict=True)
             if t in predictor.classes]  # fmt: skip
    if pairs:
        right = sum(t == p for t, p in pairs)
        notes.append(f"accuracy on the {len(pairs)} row(s) of known class: "
                     f"{right / len(pairs):.1%} ({right} right)")  # fmt: skip
    return notes


def predict(args: argparse.Namespace) -> tuple[str, list[str]]:
    """(the predictions as CSV text, notes for the user); ValueError for bad input."""
    saved = load_model(args.load)
    predictor = Predictor.from_saved(saved, args.load)
    target = target_column(saved.meta)
    rows = read_rows(args.data, predictor.features, target)
    AL = predictor.output(rows.X)
    notes = [f"not used by the model, left out: {', '.join(rows.extra)}"] if rows.extra else []
    notes += check_targets(predictor, rows, AL, target or "")
    return table_csv(prediction_table(predictor, AL)), notes


def write_stdout(text: str) -> None:
    """Write to standard output; a reader that went away (``| head``) is not an error."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def main(argv: list[str]) -> int:
    args = build_predict_parser().parse_args(argv)
    try:
        if args.output is not None:
            inputs = {"the model file": args.load, "the data CSV": args.data}
            check_output_file(args.output, ValueError, inputs)
        text, notes = predict(args)
    except INPUT_ERRORS as err:
        return fail(err)
    for note in notes:
        print(f"nntui: {note}", file=sys.stderr)
    if args.output is None:
        write_stdout(text)
    else:
        atomic_write(args.output, lambda f: f.write(text.encode()))
    return 0
