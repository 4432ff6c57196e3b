"""`nntui export`: a saved model as a standalone script that learners can read and run.

``--to numpy`` writes the article's ``forward_prop`` (X is (n_x, m)) and needs only NumPy;
``--to pytorch`` builds an ``nn.Sequential`` with the same weights. Either reads the weights
and the standardisation from a ``.npz`` beside the script (SCRIPT.py -> SCRIPT.npz), and
``python SCRIPT.py NEW.csv`` prints the same predictions as ``nntui predict``.
Exit codes: 0 written, 2 bad input (a model or output path that cannot be used).
"""

import argparse
import io
import json
import os
import tempfile
import textwrap
from pathlib import Path

import numpy as np

from engine.files import atomic_write, check_output_file
from engine.persist import load_model
from engine.predict import Predictor
from nntui.options import INPUT_ERRORS, fail
from nntui.session import Session

TARGETS = ("numpy", "pytorch")
WIDTH = 88  # the scripts' line length

#: Each activation g(Z) for the NumPy script, as the engine computes it.
NUMPY_ACTIVATIONS = {
    "sigmoid": '''def sigmoid(Z):
    """A = 1 / (1 + e^-Z), written as (1 + tanh(Z/2)) / 2, which cannot overflow."""
    return (1 + np.tanh(Z / 2)) / 2''',
    "tanh": '''def tanh(Z):
    """A = tanh(Z)."""
    return np.tanh(Z)''',
    "relu": '''def relu(Z):
    """A = max(0, Z)."""
    return np.maximum(Z, 0)''',
    "leaky_relu": '''def leaky_relu(Z):
    """A = Z where Z > 0, else 0.01 Z."""
    return np.where(Z > 0, Z, Z * 0.01)''',
    "linear": '''def linear(Z):
    """A = Z: a regression network's output is Z[L] itself."""
    return Z''',
    "softmax": '''def softmax(Z):
    """A[:, i] = e^Z[:, i] / sum(e^Z[:, i]): each column sums to 1."""
    A = np.exp(Z - Z.max(axis=0, keepdims=True))  # less its max, e^Z cannot overflow
    return A / A.sum(axis=0, keepdims=True)''',
}
#: Each activation as a PyTorch module; rows are examples there, so softmax runs along dim 1.
TORCH_ACTIVATIONS = {
    "sigmoid": "nn.Sigmoid()",
    "tanh": "nn.Tanh()",
    "relu": "nn.ReLU()",
    "leaky_relu": "nn.LeakyReLU(0.01)",
    "linear": "nn.Identity()",
    "softmax": "nn.Softmax(dim=1)",
}

READ_X = '''def read_X(path):
    """X (n_x, m) from a CSV with a header row: the FEATURES columns, found by name, in
    FEATURES' order; each row of the file becomes one column of X."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        header = f.readline()
        delimiter = max(",;\\t", key=header.count)
        f.seek(0)
        rows = [
            {name.strip(): value for name, value in row.items()}
            for row in csv.DictReader(f, delimiter=delimiter)
        ]
    return np.array([[float(row[name]) for row in rows] for name in FEATURES])'''

PRINT_CLASSES = '''def print_predictions(AL):
    """One CSV line per example (column of AL): the predicted class, then each class's
    probability."""
    P = {probabilities}  # (k, m): one row per class
    predicted = {labels}
    writer = csv.writer(sys.stdout, lineterminator="\\n")
    writer.writerow(["predicted"] + ["p_" + name for name in CLASSES])
    for i in range(AL.shape[1]):
        writer.writerow([CLASSES[predicted[i]]] + [str(p) for p in P[:, i]])'''
#: How one sigmoid row a = P(second class) or k softmax rows read as classes.
BINARY = (
    "np.concatenate([1 - AL, AL])",
    "(AL[0] >= 0.5).astype(int)  # the second class where a >= 0.5",
)
MULTICLASS = ("AL", "AL.argmax(axis=0)  # the most probable class")

PRINT_VALUES = '''def print_predictions(AL):
    """One CSV line per example: the predicted value, AL (1, m)."""
    writer = csv.writer(sys.stdout, lineterminator="\\n")
    writer.writerow(["predicted"])
    for value in AL[0]:
        writer.writerow([str(value)])'''

NUMPY_BODY = '''def load_params(path):
    """W1, b1, ..., WL, bL, and the standardisation mean and std (n_x, 1)."""
    with np.load(path) as arrays:
        return {name: arrays[name] for name in arrays.files}


def forward_prop(X, params):
    """AL (n_L, m) for X (n_x, m), layer by layer as in the article:

    Z[l] = W[l] · A[l-1] + b[l]    (n_l, n_{l-1}) · (n_{l-1}, m) + (n_l, 1) -> (n_l, m)
    A[l] = g[l](Z[l])              (n_l, m)
    """
    A = X  # A[0]
    for l in range(1, len(LAYER_DIMS)):
        Z = np.dot(params["W" + str(l)], A) + params["b" + str(l)]
        A = ACTIVATIONS[l - 1](Z)
    return A


def main(csv_path):
    params = load_params(WEIGHTS)
    X = read_X(csv_path)  # (n_x, m)
    X = (X - params["mean"]) / params["std"]  # standardised as the training data was
    AL = forward_prop(X.astype(params["W1"].dtype), params)  # (n_L, m)
    print_predictions(AL)'''

TORCH_BODY = '''def build_model(weights):
    """nn.Sequential of one nn.Linear and one activation per layer, with the weights.

    nn.Linear(n_{l-1}, n_l) keeps its weight as (n_l, n_{l-1}): the very layout of W[l],
    so W[l] is copied as it is, no transpose. Its bias is (n_l,): b[l] (n_l, 1) without
    its column axis. The transpose is in X: PyTorch puts one example per row, X_rows =
    Xᵀ (m, n_x), and nn.Linear computes X_rows · Wᵀ + b = (W · X + b)ᵀ = Z[l]ᵀ (m, n_l).
    """
    layers = []
    for l in range(1, len(LAYER_DIMS)):
        W = torch.from_numpy(weights["W" + str(l)])  # (n_l, n_{l-1})
        b = torch.from_numpy(weights["b" + str(l)][:, 0])  # (n_l,)
        linear = nn.Linear(LAYER_DIMS[l - 1], LAYER_DIMS[l], dtype=W.dtype)
        with torch.no_grad():
            linear.weight.copy_(W)
            linear.bias.copy_(b)
        layers += [linear, ACTIVATIONS[l - 1]]
    return nn.Sequential(*layers)


def main(csv_path):
    with np.load(WEIGHTS) as arrays:
        weights = {name: arrays[name] for name in arrays.files}
    model = build_model(weights)
    X = read_X(csv_path)  # (n_x, m), the article's layout
    X = (X - weights["mean"]) / weights["std"]  # standardised as the training data was
    X_rows = torch.from_numpy(X.T.astype(weights["W1"].dtype))  # Xᵀ (m, n_x)
    with torch.no_grad():
        AL = model(X_rows).numpy().T  # (m, n_L) back to (n_L, m)
    print_predictions(AL)'''

#: The article's two equations per layer, for the scripts' docstring.
EQUATIONS = """    Z[l] = W[l] · A[l-1] + b[l]    (n_l, m)
    A[l] = g[l](Z[l])              (n_l, m)"""

MAIN = """if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python " + sys.argv[0] + " NEW.csv")
    main(sys.argv[1])"""


def _literal(text: str) -> str:
    """A Python string literal for ``text``, in double quotes where that reads plainly."""
    return json.dumps(text, ensure_ascii=False) if text.isprintable() else repr(text)


def _constant(name: str, items: list[str], comment: str) -> str:
    """``NAME = [...]  # comment``, wrapped over lines of at most WIDTH characters."""
    one_line = f"{name} = [{', '.join(items)}]  # {comment}"
    if len(one_line) <= WIDTH:
        return one_line
    lines, line = [f"# {comment}", f"{name} = ["], "   "
    for item in items:
        if len(line) + len(item) + 2 > WIDTH:
            lines.append(line.rstrip())
            line = "   "
        line += f" {item},"
    return "\n".join([*lines, line, "]"])


def _docstring(predictor: Predictor, meta: dict, to: str, script: Path) -> str:
    dims = " -> ".join(map(str, meta["layer_dims"]))
    needs = "only NumPy" if to == "numpy" else "PyTorch and NumPy"
    output = "the predicted value" if predictor.is_regression else (
        "the predicted class, then each class's probability")  # fmt: skip
    about = (
        f"A neural network exported from nntui: layers {dims}, trained on "
        f"{meta.get('dataset', 'its data')} for {meta['epoch']} epochs."
    )
    usage = (
        "reads NEW.csv (a header row that names the FEATURES columns, in any order) and prints "
        f"one CSV line per row: {output}. It needs {needs}; the weights W[l], b[l] and the "
        f"standardisation are in {script.with_suffix('.npz').name}, beside this file."
    )
    notation = (
        "Notation (the article's): X is (n_x, m), one column per example. Layer l = 1 .. L "
        "has W[l] (n_l, n_{l-1}) and b[l] (n_l, 1) and computes, with A[0] = X,"
    )
    paragraphs = [
        textwrap.fill(about, WIDTH - 3),
        f"    python {script.name} NEW.csv",
        textwrap.fill(usage, WIDTH),
        textwrap.fill(notation, WIDTH),
        EQUATIONS,
    ]
    return '"""' + "\n\n".join(paragraphs) + '\n"""'


def script_text(predictor: Predictor, meta: dict, to: str, script: Path) -> str:
    """The whole script, for ``to`` = numpy or pytorch."""
    names = meta["activations"]
    imports = ["import csv", "import sys", "from pathlib import Path", "", "import numpy as np"]
    if to == "numpy":
        activations = [NUMPY_ACTIVATIONS[name] for name in dict.fromkeys(names)]
        g_list, body = _constant("ACTIVATIONS", names, "g[1] .. g[L]"), NUMPY_BODY
    else:
        imports += ["import torch", "from torch import nn"]
        activations = []
        g_list = _constant("ACTIVATIONS", [TORCH_ACTIVATIONS[n] for n in names], "g[1] .. g[L]")
        body = TORCH_BODY
    constants = [
        f"LAYER_DIMS = {meta['layer_dims']}  # n_0 = n_x, n_1, ..., n_L",
        _constant("FEATURES", list(map(_literal, predictor.features)), "the rows of X, in order"),
    ]
    if not predictor.is_regression:
        constants.append(_constant("CLASSES", list(map(_literal, predictor.classes)),
                                   "the classes, in the order of AL's rows"))  # fmt: skip
    constants.append('WEIGHTS = Path(__file__).with_suffix(".npz")')
    printer = PRINT_VALUES if predictor.is_regression else PRINT_CLASSES.format_map(
        dict(zip(("probabilities", "labels"),
                 BINARY if len(predictor.classes) == 2 else MULTICLASS, strict=True)))  # fmt: skip
    head = "\n\n".join([_docstring(predictor, meta, to, script), "\n".join(imports),
                          "\n".join(constants)])  # fmt: skip
    return "\n\n\n".join([head, *activations, g_list, READ_X, printer, body, MAIN]) + "\n"


def weights_npz(predictor: Predictor) -> bytes:
    """W1, b1, ..., WL, bL as saved, and the standardisation mean and std (n_x, 1)."""
    scaler = predictor.standardizer
    out = io.BytesIO()
    np.savez(out, **predictor.params, mean=scaler.mean, std=scaler.std)
    return out.getvalue()


def export_model(model: str, to: str, script: str, keep: dict[str, str] | None = None) -> Path:
    """Write ``script`` and its weights (``script`` with .npz); the weights' path. A
    ValueError, before anything is written, for a model or path that cannot be used:
    neither file may be the model or one of ``keep`` (what they are: path)."""
    if Path(script).suffix != ".py":
        raise ValueError(f"{script}: the script's name must end in .py")
    weights = Path(script).with_suffix(".npz")
    inputs = {"the model file": model, **(keep or {})}
    check_output_file(script, ValueError, inputs)
    check_output_file(weights, ValueError, inputs)
    saved = load_model(model)
    predictor = Predictor.from_saved(saved, model)
    text = script_text(predictor, saved.meta, to, Path(script)).encode()
    data = weights_npz(predictor)
    atomic_write(weights, lambda f: f.write(data))
    atomic_write(script, lambda f: f.write(text))
    return weights


def export_session(session: Session, to: str, script: str) -> Path:
    """Export the model open in ``session`` (saved to a temporary file first): never over
    one of the files it reads. The weights' path."""
    with tempfile.TemporaryDirectory() as folder:
        model = os.path.join(folder, "model.npz")
        session.save(model)
        return export_model(model, to, script, keep=session.inputs())


def build_export_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nntui export",
        description="Write a saved model as a standalone Python script that prints the same "
        "predictions as nntui predict: python SCRIPT.py NEW.csv.",
        epilog="The weights go beside the script, as SCRIPT.npz. Exit codes: 0 written, "
        "2 bad input.",
    )
    parser.add_argument("--load", metavar="MODEL.npz", required=True, help="the model file")
    parser.add_argument(
        "--to", choices=TARGETS, required=True,
        help="numpy: the article's forward_prop, needs only NumPy; pytorch: an nn.Sequential",
    )  # fmt: skip
    parser.add_argument("-o", "--output", metavar="SCRIPT.py", required=True,
                        help="the script to write")  # fmt: skip
    return parser


def main(argv: list[str]) -> int:
    args = build_export_parser().parse_args(argv)
    try:
        weights = export_model(args.load, args.to, args.output)
    except INPUT_ERRORS as err:
        return fail(err)
    print(f"wrote {args.output} and {weights}; run: python {args.output} NEW.csv")
    return 0
