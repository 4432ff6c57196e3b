"""Model files and history files, written atomically and read without pickles.

A model file is one .npz archive (an uncompressed zip of .npy arrays):

    meta                    a JSON text: format, version, layer_dims, activations, cost, dtype,
                            epoch, optimiser, shuffling state, and what the caller adds
                            (the data set, the hyperparameters, the class names)
    params/W1, params/b1 …  W[l] (n_l, n_{l-1}), b[l] (n_l, 1)
    optimizer/…             the optimiser's running averages
    history/train_cost …    one value per epoch
    data/mean, data/std     the standardisation fitted on the training part

Loading uses ``allow_pickle=False`` always, reads ``meta`` before anything else, and checks
every array against it: a file that is not ours, from a newer format, truncated, damaged,
or with shapes that do not chain raises ``ModelFileError`` and nothing else.
"""

import contextlib
import csv
import io
import json
import math
import os
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from engine.activations import ACTIVATIONS
from engine.costs import COSTS
from engine.initializers import param_shapes
from engine.optimizers import OPTIMIZERS, Optimizer
from engine.trainer import HISTORY_COLUMNS, History, Trainer

FORMAT = "nntui-model"
VERSION = 1
#: How zipfile says an archive's headers are damaged: a flipped bit can claim encryption
#: (RuntimeError), an unknown format feature (NotImplementedError) or a bad length.
ZIP_DAMAGE = (zipfile.BadZipFile, EOFError, OSError, KeyError, NotImplementedError, RuntimeError)
MAX_MEMBERS = 1024  # a model with the most layers nntui builds has well under 200
MAX_BYTES = 2 << 30  # 2 GiB of arrays, uncompressed


class ModelFileError(ValueError):
    """A model file that cannot be used; the message names the file and the reason."""


@dataclass(frozen=True)
class SavedModel:
    """What a model file holds: its meta record, the trainer state, the standardisation."""

    meta: dict[str, Any]
    state: dict[str, Any]
    mean: np.ndarray | None
    std: np.ndarray | None


def atomic_write(path: str | Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write through a temporary file in the same folder, then rename it over ``path``:
    whatever happens, ``path`` holds the old content or the new, never a mix."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def save_model(
    path: str | Path,
    trainer: Trainer,
    meta: dict[str, Any],
    mean: np.ndarray | None = None,
    std: np.ndarray | None = None,
) -> None:
    """Save everything needed to continue training ``trainer`` exactly where it is."""
    state = trainer.state()
    arrays = {f"params/{k}": v for k, v in state["params"].items()}
    arrays |= {f"optimizer/{k}": np.asarray(v) for k, v in state["optimizer_state"].items()}
    arrays |= {f"history/{k}": np.asarray(v, np.int64 if k == "epoch" else np.float64)
               for k, v in state["history"].items()}  # fmt: skip
    if mean is not None and std is not None:
        arrays |= {"data/mean": mean, "data/std": std}
    header = {
        **meta,
        "format": FORMAT,
        "version": VERSION,
        "layer_dims": trainer.layer_dims,
        "activations": trainer.activations,
        "cost": trainer.cost,
        "dtype": str(trainer.dtype),
        "epoch": state["epoch"],
        "optimizer": state["optimizer"],
        "rng": state["rng"],
    }
    arrays["meta"] = np.array(json.dumps(header))
    atomic_write(path, lambda f: np.savez(f, **arrays))


def load_model(path: str | Path) -> SavedModel:
    """Read and check a model file; ModelFileError says what is wrong with it."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{path}: no such file")
    _check_archive(path)
    try:
        with np.load(path, allow_pickle=False) as npz:
            meta = _read_meta(npz, path)
            arrays = {name: npz[name] for name in npz.files if name != "meta"}
    except ModelFileError:
        raise
    except ValueError as err:
        if "allow_pickle" in str(err):
            raise ModelFileError(
                f"{path}: holds Python objects (a pickle); nntui never loads those"
            ) from None
        raise ModelFileError(f"{path}: damaged ({err})") from None
    except ZIP_DAMAGE as err:
        raise ModelFileError(f"{path}: truncated or damaged ({err})") from None
    return _to_saved(meta, arrays, path)


def _check_archive(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (*ZIP_DAMAGE, ValueError) as err:
        raise ModelFileError(
            f"{path}: not an nntui model file (not a .npz archive, or truncated: {err})"
        ) from None
    if len(infos) > MAX_MEMBERS:
        raise ModelFileError(f"{path}: holds {len(infos)} arrays; an nntui model has far fewer")
    if sum(info.file_size for info in infos) > MAX_BYTES:
        raise ModelFileError(f"{path}: its arrays would take more than 2 GiB; refused")
    if "meta.npy" not in {info.filename for info in infos}:
        raise ModelFileError(f"{path}: not an nntui model file (it has no meta record)")


def _read_meta(npz: Any, path: Path) -> dict[str, Any]:
    raw = npz["meta"]
    if raw.dtype.kind != "U" or raw.shape != ():
        raise ModelFileError(f"{path}: not an nntui model file (its meta record is not text)")
    try:
        meta = json.loads(str(raw))
    except json.JSONDecodeError:
        raise ModelFileError(f"{path}: not an nntui model file (unreadable meta record)") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not an nntui model file")
    version = meta.get("version")
    if not isinstance(version, int) or version < 1:
        raise ModelFileError(f"{path}: not an nntui model file (bad format version {version!r})")
    if version > VERSION:
        raise ModelFileError(
            f"{path}: written by a newer nntui (model format {version}; this one reads "
            f"up to {VERSION}); upgrade nntui to open it"
        )
    return meta


def _to_saved(meta: dict[str, Any], arrays: dict[str, np.ndarray], path: Path) -> SavedModel:
    """Check the meta record and the arrays against each other."""

    def bad(why: str) -> ModelFileError:
        return ModelFileError(f"{path}: {why}")

    dims = meta.get("layer_dims")
    if not (isinstance(dims, list) and len(dims) >= 2 and all(_positive_int(n) for n in dims)):
        raise bad(f"layer_dims {dims!r} is not a list of positive sizes")
    L = len(dims) - 1
    activations = meta.get("activations")
    if not (isinstance(activations, list) and len(activations) == L
            and all(a in ACTIVATIONS for a in activations)):  # fmt: skip
        raise bad(f"activations {activations!r} do not name one activation per layer")
    if meta.get("cost") not in COSTS or meta.get("optimizer") not in OPTIMIZERS:
        raise bad("unknown cost or optimiser")
    epoch = meta.get("epoch")
    if not (isinstance(epoch, int) and epoch >= 0):
        raise bad(f"epoch {epoch!r} is not a whole number")
    shapes = param_shapes(dims)
    params = {}
    for key, shape in shapes.items():
        array = arrays.get(f"params/{key}")
        if array is None:
            raise bad(f"{key} is missing")
        if array.shape != shape:
            raise bad(
                f"{key} has shape {array.shape} but layer_dims {dims} needs {shape}: "
                "the layers do not chain"
            )
        _check_floats(key, array, shape, bad)
        params[key] = array
    rng = meta.get("rng")
    if not (isinstance(rng, dict) and rng.get("bit_generator") == "PCG64"):
        raise bad("its shuffling state is missing or not one nntui writes")
    _check_the_rest(arrays, shapes, dims[0], OPTIMIZERS[meta["optimizer"]], bad)
    history = _history(arrays, epoch, bad)
    optimizer_state = {
        name.removeprefix("optimizer/"): value
        for name, value in arrays.items()
        if name.startswith("optimizer/")
    }
    state = {
        "params": params,
        "optimizer": meta["optimizer"],
        "optimizer_state": optimizer_state,
        "epoch": epoch,
        "history": history,
        "rng": rng,
    }
    return SavedModel(meta, state, arrays.get("data/mean"), arrays.get("data/std"))


def _history(
    arrays: dict[str, np.ndarray], epoch: int, bad: Callable[[str], Exception]
) -> dict[str, list]:
    """The history columns. Files written before long runs were thinned have no epoch
    column: their entries are epochs 1, 2, .... Either way the epochs rise to ``epoch``."""
    columns = {name: arrays.get(f"history/{name}", np.zeros(0)) for name in HISTORY_COLUMNS}
    if "history/epoch" not in arrays:
        columns["epoch"] = np.arange(1, len(columns["train_cost"]) + 1)
    epochs, n = columns["epoch"], len(columns["epoch"])
    if any(len(values) != n for values in columns.values()):
        raise bad("its history columns differ in length")
    rising = n == 0 or (epochs[0] >= 1 and (np.diff(epochs) > 0).all())
    if not rising or (epochs[-1] if n else 0) != epoch:
        raise bad(f"its history's epochs do not rise to its {epoch} epochs")
    return {name: values.tolist() for name, values in columns.items()}


def _check_floats(
    name: str, array: np.ndarray, shape: tuple[int, ...], bad: Callable[[str], Exception]
) -> None:
    if array.shape != shape:
        raise bad(f"{name} has shape {array.shape}, expected {shape}")
    if array.dtype.kind != "f" or not np.isfinite(array).all():
        raise bad(f"{name} must hold finite floating-point numbers")


def _check_the_rest(
    arrays: dict[str, np.ndarray],
    shapes: dict[str, tuple[int, int]],
    n_x: int,
    optimizer: type[Optimizer],
    bad: Callable[[str], Exception],
) -> None:
    """Every array besides the weights: the running averages the optimiser names (shaped
    like the weights) and its counters, the history columns, the standardisation (n_x, 1)."""
    averages = {f"{a}_{k}": shape for a in optimizer.state_arrays for k, shape in shapes.items()}
    for name, array in arrays.items():
        group, _, key = name.partition("/")
        if group == "params" and key in shapes:
            continue
        if group == "optimizer" and key in optimizer.counters:
            if array.shape != () or array.dtype.kind not in "iu" or array < 0:
                raise bad(f"its optimiser step count {key} is not a whole number >= 0")
        elif group == "optimizer" and key in averages:
            _check_floats(name, array, averages[key], bad)
        elif group == "history" and key in HISTORY_COLUMNS:
            if array.ndim != 1 or array.dtype.kind != ("i" if key == "epoch" else "f"):
                raise bad(f"its history {key} is not a column of numbers")
        elif name in ("data/mean", "data/std"):
            _check_floats(name, array, (n_x, 1), bad)
            if name == "data/std" and not (array > 0).all():
                raise bad("data/std must be above 0 for every feature")
        else:
            raise bad(f"it holds an array nntui does not write: {name}")
    if ("data/mean" in arrays) != ("data/std" in arrays):
        raise bad("it holds only one of data/mean and data/std")


def _positive_int(n: Any) -> bool:
    return isinstance(n, int) and not isinstance(n, bool) and n >= 1


def history_csv(history: History) -> str:
    """The per-epoch history as CSV text; empty cells where a value does not apply."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HISTORY_COLUMNS)
    rows = zip(history.epoch, history.train_cost, history.test_cost, history.train_acc,
               history.test_acc, history.seconds, strict=True)  # fmt: skip
    for epoch, *values in rows:
        writer.writerow([epoch, *("" if math.isnan(v) else repr(float(v)) for v in values)])
    return out.getvalue()


def write_history_csv(path: str | Path, history: History) -> None:
    text = history_csv(history).encode()
    atomic_write(path, lambda f: f.write(text))
