"""Reopening a saved model: finding the data it was trained on, and checking that the data
and the network built from the model's setup are the ones the model file describes.

A model trained on a user's CSV records the path as given (in its setup) and as an
absolute path (``data_absolute``), so that it reopens from any working folder. The
features and classes it records are compared with the CSV found, so that a model never
silently trains on columns or classes it was not built for.
"""

from pathlib import Path
from typing import Any

from engine.data import DataError, Dataset
from engine.trainer import Trainer
from nntui.config import Config


def data_record(config: Config) -> dict[str, str]:
    """What a model file records about its CSV besides the setup: its absolute path."""
    if not config.data_path:
        return {}
    return {"data_absolute": str(Path(config.data_path).absolute())}


def locate_data(config: Config, meta: dict[str, Any], model: str | Path) -> tuple[Config, str]:
    """(config with the CSV path that exists, a note if it is not the path as given).

    Tried in turn: the absolute path recorded at training time (the very file), the given
    path taken from the model file's folder, the given path from the working folder."""
    if not config.data_path:
        return config, ""
    given = Path(config.data_path)
    candidates = [Path(meta["data_absolute"])] if "data_absolute" in meta else []
    candidates = list(dict.fromkeys([*candidates, Path(model).parent / given, given]))
    found = next((path for path in candidates if path.is_file()), None)
    if found is None:
        tried = ", ".join(str(path) for path in candidates)
        raise DataError(f"{given}: no such file (the data of the model {model}; tried {tried})")
    if found.resolve() == given.resolve():
        return config, ""
    note = f"{model}: its data {given} is not in this folder; using {found}"
    return config.with_value("data_path", str(found)), note


def data_difference(meta: dict[str, Any], dataset: Dataset) -> str:
    """How ``dataset`` differs from the data the model was trained on; '' if it does not."""
    trained = meta.get("features")
    columns = dataset.feature_names
    if trained is not None and columns != trained:
        listed = ", ".join(trained)
        missing = [name for name in trained if name not in columns]
        new = [name for name in columns if name not in trained]
        if missing:
            return f"{_columns(missing, 'missing')}; the model was trained on {listed}"
        if new:
            return f"{_columns(new, 'new')}; the model was trained on {listed}"
        return f"its columns are in another order ({', '.join(columns)}); the model has {listed}"
    classes = meta.get("classes")
    if classes is not None and dataset.classes != classes:
        return (
            f"classes differ: the model has {_classes(classes)}; "
            f"the data has {_classes(dataset.classes)}"
        )
    return ""


def network_difference(trainer: Trainer, meta: dict[str, Any]) -> str:
    """How the network the setup builds differs from the one the file holds; '' if not."""
    rows = (
        ("layer sizes", trainer.layer_dims, meta["layer_dims"]),
        ("activations", trainer.activations, meta["activations"]),
        ("cost", [trainer.cost], [meta["cost"]]),
        ("number type", [str(trainer.dtype)], [meta["dtype"]]),
    )
    for what, built, saved in rows:
        if list(built) != list(saved):
            return (
                f"its {what} ({_listed(saved)}) differ from those its setup and data give "
                f"({_listed(built)})"
            )
    return ""


def _columns(names: list[str], what: str) -> str:
    quoted = ", ".join(map(repr, names))
    return f"column {quoted} is {what}" if len(names) == 1 else f"columns {quoted} are {what}"


def _classes(classes: list[str]) -> str:
    return ", ".join(classes) if classes else "none (regression)"


def _listed(values: list[Any]) -> str:
    return ", ".join(map(str, values))
