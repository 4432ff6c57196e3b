"""``nntui trace``: one example of a saved model through the network, from the shell.

    nntui trace --load MODEL.npz --example I [--layer L --unit J] [--json]

Example I is row I (0-based) of the data as the model loads it, in its training or its test
part (the output says which). The text is what the app's Explain view (key 5) shows;
``--json`` prints one object with the example's input (raw and standardised), its label,
each layer's activation, W, b, A_prev, Z and A for that example, ŷ and the loss term. Every
number is the engine's own (``Session.explain``). Bad input: one line on stderr, exit code 2.
"""

import argparse
import json
import sys

from nntui.options import INPUT_ERRORS, fail


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nntui trace",
        description="Follow one example of a saved model through the network: the forward "
        "sum of one unit term by term, its activation, the output and loss, the backward "
        "pass and the last update, with the model's own numbers.",
    )
    parser.add_argument("--load", metavar="MODEL.npz", required=True, help="the saved model")
    parser.add_argument("--example", metavar="I", type=int, required=True,
                        help="the example: row I (0-based) of the data")  # fmt: skip
    parser.add_argument("--layer", metavar="L", type=int, default=1,
                        help="the layer of the unit to write out (1 .. L; default 1)")  # fmt: skip
    parser.add_argument("--unit", metavar="J", type=int, default=0,
                        help="the unit of that layer (0-based; default 0)")  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def as_json(explanation) -> dict:
    """The example and its trace as plain lists (arrays as nested lists, columns as lists)."""
    e, t = explanation, explanation.trace
    layers = [
        {
            "layer": layer.l,
            "activation": layer.activation,
            "W": layer.W.tolist(),
            "b": layer.b[:, 0].tolist(),
            "A_prev": layer.A_prev[:, 0].tolist(),
            "Z": layer.Z[:, 0].tolist(),
            "A": layer.A[:, 0].tolist(),
        }
        for layer in t.layers
    ]
    return {
        "index": e.row,
        "split": e.split,
        "index_in_split": e.index,
        "x_raw": e.x_raw.tolist(),
        "x": t.x[:, 0].tolist(),
        "label": e.label,
        "y": t.y[:, 0].tolist(),
        "layers": layers,
        "yhat": t.yhat[:, 0].tolist(),
        "loss": float(t.loss),
        "cost": t.cost,
    }


def main(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from nntui.session import Session  # imported here so that --help stays quick
    from nntui.views import ExplainChoice, UiState
    from nntui.widgets.explain import explain_lines, explain_view

    try:
        session = Session.from_file(args.load)
        split, index = session.locate(args.example)
        dims = session.facts().layer_dims
        if not 1 <= args.layer < len(dims):
            raise ValueError(f"there is no layer {args.layer}: the layers are 1 .. {len(dims) - 1}")
        if not 0 <= args.unit < dims[args.layer]:
            raise ValueError(f"there is no unit {args.unit} in layer {args.layer}: its units "
                             f"are 0 .. {dims[args.layer] - 1}")  # fmt: skip
    except INPUT_ERRORS as err:
        return fail(err)
    ui = UiState(selected=args.layer, explain=ExplainChoice(split, index, args.unit))
    view = explain_view(session, ui)
    if args.json:
        print(json.dumps(as_json(view.explanation)))
    else:
        print("\n".join(explain_lines(view)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
