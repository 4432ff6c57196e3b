"""Model files and history files, written atomically and read without pickles.

A model file is one .npz archive (an uncompressed zip of .npy arrays):

    meta                    a JSON text: format, version, layer_dims, activations, cost, dtype,
                            epoch, optimiser, shuffling state, and what the caller adds
                            (the data set, the hyperparameters, the class names)
    params/W1, params/b1 …  W[l] (n_l, n_{l-1}), b[l] (n_l, 1)
    optimizer/…             the optimiser's running averages
    history/train_cost …    one value per epoch
    health/epoch, health/series, health/w_quantiles, health/a_quantiles
                            the per-layer health record (engine.health): (n,), (n, 5, L),
                            (n, L, 17), (n, L, 17); absent in files written before it
    checkpoints/flat, checkpoints/v, checkpoints/s, checkpoints/t
                            the run's checkpoints (engine.checkpoints): row i holds
                            checkpoint i's weights (flat, as the Trainer lays them out) and
                            its optimiser's running averages (zeros where it has none) and
                            counters; their epochs, optimisers and shuffling states are in
                            the meta record's ``checkpoints``. Absent in files written
                            before them
    data/mean, data/std     the standardisation fitted on the training part
    data/target_mean, data/target_std   a regression target's standardisation (n_L, 1)

Loading uses ``allow_pickle=False`` always, reads ``meta`` before anything else, and checks
every array against it: a file that is not ours, from a newer format, truncated, damaged,
or with shapes that do not chain raises ``ModelFileError`` and nothing else.
"""

import csv
import io
import itertools
import json
import math
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.lib import format as npy_format

from engine.activations import ACTIVATIONS
from engine.checkpoints import Checkpoint
from engine.costs import COSTS
from engine.files import atomic_write, check_input_file
from engine.health import QUANTILES, SERIES
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
R2_COLUMNS = ("train_r2", "test_r2")
ACCURACY_COLUMNS = ("train_acc", "test_acc")


class ModelFileError(ValueError):
    """A model file that cannot be used; the message names the file and the reason."""


@dataclass(frozen=True)
class SavedModel:
    """What a model file holds: its meta record, the trainer state, the standardisation of
    the inputs and (regression) of the target."""

    meta: dict[str, Any]
    state: dict[str, Any]
    mean: np.ndarray | None
    std: np.ndarray | None
    target_mean: np.ndarray | None = None
    target_std: np.ndarray | None = None


def save_model(
    path: str | Path,
    trainer: Trainer,
    meta: dict[str, Any],
    mean: np.ndarray | None = None,
    std: np.ndarray | None = None,
    target: tuple[np.ndarray, np.ndarray] | None = None,
) -> None:
    """Save everything needed to continue training ``trainer`` exactly where it is;
    ``target`` is a regression target's (mean, std), each (n_L, 1)."""
    state = trainer.state()
    arrays = {f"params/{k}": v for k, v in state["params"].items()}
    arrays |= {f"optimizer/{k}": np.asarray(v) for k, v in state["optimizer_state"].items()}
    arrays |= {f"history/{k}": np.asarray(v, np.int64 if k == "epoch" else np.float64)
               for k, v in state["history"].items()}  # fmt: skip
    arrays |= {f"health/{k}": v for k, v in state["health"].items()}
    arrays |= _checkpoint_arrays(state["checkpoints"], state["params"])
    if mean is not None and std is not None:
        arrays |= {"data/mean": mean, "data/std": std}
    if target is not None:
        arrays |= {"data/target_mean": target[0], "data/target_std": target[1]}
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
        "checkpoints": [{"epoch": c.epoch, "optimizer": c.optimizer, "rng": c.rng}
                        for c in state["checkpoints"]],
    }  # fmt: skip
    arrays["meta"] = np.array(json.dumps(header))
    atomic_write(path, lambda f: np.savez(f, **arrays))


def _checkpoint_arrays(
    checkpoints: list[Checkpoint], params: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """checkpoints/flat (n, P) and, for each running average any of their optimisers keeps,
    checkpoints/<name> (n, P) (zeros where one has none yet, as an optimiser starts), and
    for each counter checkpoints/<counter> (n,)."""
    if not checkpoints:
        return {}
    dtype = checkpoints[0].flat.dtype
    arrays = {"checkpoints/flat": np.stack([c.flat for c in checkpoints])}
    kinds = [OPTIMIZERS[c.optimizer] for c in checkpoints]
    for name in sorted({a for kind in kinds for a in kind.state_arrays}):
        rows = [np.concatenate([np.asarray(c.state.get(f"{name}_{key}", np.zeros_like(p)), dtype)
                                .ravel() for key, p in params.items()])
                for c in checkpoints]  # fmt: skip
        arrays[f"checkpoints/{name}"] = np.stack(rows)
    for counter in sorted({c for kind in kinds for c in kind.counters}):
        values = [int(c.state.get(counter, 0)) for c in checkpoints]
        arrays[f"checkpoints/{counter}"] = np.array(values, np.int64)
    return arrays


def load_model(path: str | Path) -> SavedModel:
    """Read and check a model file; ModelFileError says what is wrong with it."""
    path = check_input_file(path, ModelFileError)
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
    """The archive's directory and every array's header, before any array is read: a
    header may claim more values than its member holds (numpy would allocate them all)."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_MEMBERS:
                raise ModelFileError(
                    f"{path}: holds {len(infos)} arrays; an nntui model has far fewer"
                )
            if sum(info.file_size for info in infos) > MAX_BYTES:
                raise ModelFileError(f"{path}: its arrays would take more than 2 GiB; refused")
            if "meta.npy" not in {info.filename for info in infos}:
                raise ModelFileError(f"{path}: not an nntui model file (it has no meta record)")
            for info in infos:
                _check_header(archive, info, path)
    except ModelFileError:
        raise
    except (*ZIP_DAMAGE, ValueError) as err:
        raise ModelFileError(
            f"{path}: not an nntui model file (not a .npz archive, or truncated: {err})"
        ) from None


def _check_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> None:
    """An array's .npy header: plain numbers or text, and exactly as many bytes as it claims."""
    name = info.filename.removesuffix(".npy")
    with archive.open(info) as member:
        version = npy_format.read_magic(member)
        if version not in ((1, 0), (2, 0)):
            raise ModelFileError(f"{path}: its array {name} has an unknown .npy version")
        read_header = npy_format.read_array_header_1_0
        if version == (2, 0):
            read_header = npy_format.read_array_header_2_0
        shape, _, dtype = read_header(member)
        header_size = member.tell()
    if dtype.hasobject:
        raise ModelFileError(f"{path}: holds Python objects (a pickle); nntui never loads those")
    claimed = math.prod(shape) * dtype.itemsize
    if claimed != info.file_size - header_size:
        raise ModelFileError(
            f"{path}: its array {name} is damaged (its header claims {math.prod(shape)} "
            f"values in {claimed} bytes; it holds {info.file_size - header_size})"
        )


def _read_meta(npz: Any, path: Path) -> dict[str, Any]:
    raw = npz["meta"]
    if raw.dtype.kind != "U" or raw.shape != ():
        raise ModelFileError(f"{path}: not an nntui model file (its meta record is not text)")
    try:
        meta = json.loads(str(raw))
    except (ValueError, RecursionError):  # bad JSON, numbers of 4300+ digits, deep nesting
        raise ModelFileError(f"{path}: not an nntui model file (unreadable meta record)") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not an nntui model file")
    version = meta.get("version")
    if not _whole(version) or version < 1:
        raise ModelFileError(
            f"{path}: not an nntui model file (bad format version {_short(version)})"
        )
    if version > VERSION:
        raise ModelFileError(
            f"{path}: written by a newer nntui (model format {version}; this one reads "
            f"up to {VERSION}); upgrade nntui to open it"
        )
    return meta


# -- what the meta record may hold ----------------------------------------------------------


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _whole_in(low: int, high: int) -> Callable[[Any], bool]:
    return lambda value: _whole(value) and low <= value < high


def _one_of(names: Any) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, str) and value in names


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _sizes(value: Any) -> bool:
    size = _whole_in(1, MAX_UNITS)
    return isinstance(value, list) and len(value) >= 2 and all(map(size, value))


def _activation_names(value: Any) -> bool:
    return isinstance(value, list) and all(map(_one_of(ACTIVATIONS), value))


def _table(value: Any) -> bool:
    return isinstance(value, dict)


def _number_text(bits: int) -> Callable[[Any], bool]:
    """A whole number 0 <= n < 2**bits written as decimal text (JSON has no 128-bit ints)."""

    def accepts(value: Any) -> bool:
        digits = isinstance(value, str) and re.fullmatch("[0-9]{1,40}", value) is not None
        return digits and int(value) < 2**bits

    return accepts


def _pcg64_state(value: Any) -> bool:
    """The shuffling generator's state, as ``Trainer.state()`` writes it."""
    if not (isinstance(value, dict) and value.keys() == PCG64_KEYS):
        return False
    inner = value["state"]
    return (
        value["bit_generator"] == "PCG64"
        and isinstance(inner, dict)
        and inner.keys() == {"state", "inc"}
        and all(map(_number_text(128), inner.values()))
        and _number_text(1)(value["has_uint32"])
        and _number_text(32)(value["uinteger"])
    )


def _checkpoint_record(value: Any) -> bool:
    """One checkpoint in the meta record: {epoch, optimizer, rng}."""
    return (
        isinstance(value, dict)
        and value.keys() == {"epoch", "optimizer", "rng"}
        and _whole_in(0, MAX_EPOCH)(value["epoch"])
        and _one_of(OPTIMIZERS)(value["optimizer"])
        and _pcg64_state(value["rng"])
    )


def _checkpoint_records(value: Any) -> bool:
    """The meta record's list of checkpoints."""
    return (
        isinstance(value, list)
        and len(value) <= MAX_CHECKPOINTS
        and all(map(_checkpoint_record, value))
    )


@dataclass(frozen=True)
class MetaField:
    """One field of the meta record: the test its value passes, and what that means."""

    accepts: Callable[[Any], bool]
    expected: str
    required: bool = True


MAX_UNITS = 1 << 24  # units in one layer: far beyond what 2 GiB of weights could hold
MAX_EPOCH = 1 << 62  # the history stores epochs as int64
MAX_CHECKPOINTS = 1000  # engine.checkpoints keeps at most 300
PCG64_KEYS = {"bit_generator", "state", "has_uint32", "uinteger"}
DTYPES = ("float32", "float64")
FLOAT_DTYPES = tuple(map(np.dtype, ("float16", *DTYPES)))  # the arrays may hold
#: Every field save_model writes (format and version are read first, in _read_meta).
META_FIELDS = {
    "layer_dims": MetaField(_sizes, f"a list of two or more layer sizes from 1 to {MAX_UNITS}"),
    "activations": MetaField(_activation_names, "a list of names from " + ", ".join(ACTIVATIONS)),
    "cost": MetaField(_one_of(COSTS), "one of " + ", ".join(COSTS)),
    "optimizer": MetaField(_one_of(OPTIMIZERS), "one of " + ", ".join(OPTIMIZERS)),
    "dtype": MetaField(_one_of(DTYPES), "one of " + ", ".join(DTYPES)),
    "epoch": MetaField(_whole_in(0, MAX_EPOCH), "a whole number >= 0"),
    "rng": MetaField(_pcg64_state, "a PCG64 shuffling state as nntui writes it"),
    "dataset": MetaField(_text, "a name", required=False),
    "config": MetaField(_table, "a table of settings", required=False),
    "classes": MetaField(_texts, "a list of class names", required=False),
    "features": MetaField(_texts, "a list of column names", required=False),
    "data_absolute": MetaField(_text, "a path", required=False),
    "checkpoints": MetaField(
        _checkpoint_records,
        f"a list of at most {MAX_CHECKPOINTS} records of an epoch, an optimiser and a "
        "shuffling state",
        required=False,
    ),
}


def _short(value: Any, most: int = 60) -> str:
    """repr(value), cut to ``most`` characters."""
    text = repr(value)
    return text if len(text) <= most else text[: most - 1] + "…"


def _check_meta(meta: dict[str, Any], bad: Callable[[str], Exception]) -> None:
    """Every field in META_FIELDS is there (or optional) and of the right kind; the
    activations name one per layer."""
    for name, field in META_FIELDS.items():
        if name not in meta:
            if field.required:
                raise bad(f"its meta record has no {name}")
        elif not field.accepts(meta[name]):
            raise bad(
                f"its meta field {name!r} holds {_short(meta[name])}: it must be {field.expected}"
            )
    if len(meta["activations"]) != len(meta["layer_dims"]) - 1:
        raise bad(
            f"its activations {meta['activations']} do not name one activation per layer "
            f"of {meta['layer_dims']}"
        )


# -- the arrays, against the meta record ------------------------------------------------------


def _to_saved(meta: dict[str, Any], arrays: dict[str, np.ndarray], path: Path) -> SavedModel:
    """Check the meta record and the arrays against each other."""

    def bad(why: str) -> ModelFileError:
        return ModelFileError(f"{path}: {why}")

    _check_meta(meta, bad)
    dims, epoch = meta["layer_dims"], meta["epoch"]
    dtype = np.dtype(meta["dtype"])
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
        _check_floats(key, array, shape, dtype, bad)
        params[key] = array
    _check_the_rest(arrays, shapes, dims, dtype, OPTIMIZERS[meta["optimizer"]], bad)
    history = _history(arrays, epoch, bad)
    health = _health(arrays, len(dims) - 1, epoch, bad)
    checkpoints = _checkpoints(meta, arrays, shapes, dtype, bad)
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
        "health": health,
        "rng": meta["rng"],
        "checkpoints": checkpoints,
    }
    return SavedModel(
        meta, state, arrays.get("data/mean"), arrays.get("data/std"),
        arrays.get("data/target_mean"), arrays.get("data/target_std"),
    )  # fmt: skip


def _history(
    arrays: dict[str, np.ndarray], epoch: int, bad: Callable[[str], Exception]
) -> dict[str, list]:
    """The history columns. Files written before long runs were thinned have no epoch
    column: their entries are epochs 1, 2, .... Either way the epochs rise to ``epoch``.
    Files written before R² was measured have no R² columns: theirs are NaN."""
    columns = {name: arrays.get(f"history/{name}", np.zeros(0)) for name in HISTORY_COLUMNS}
    n_costs = len(columns["train_cost"])
    if "history/epoch" not in arrays:
        columns["epoch"] = np.arange(1, n_costs + 1)
    for name in R2_COLUMNS:
        if f"history/{name}" not in arrays:
            columns[name] = np.full(n_costs, np.nan)
    epochs, n = columns["epoch"], len(columns["epoch"])
    if any(len(values) != n for values in columns.values()):
        raise bad("its history columns differ in length")
    rising = n == 0 or (epochs[0] >= 1 and (np.diff(epochs) > 0).all())
    if not rising or (epochs[-1] if n else 0) != epoch:
        raise bad(f"its history's epochs do not rise to its {epoch} epochs")
    return {name: values.tolist() for name, values in columns.items()}


def _health(
    arrays: dict[str, np.ndarray], L: int, epoch: int, bad: Callable[[str], Exception]
) -> dict[str, np.ndarray] | None:
    """The health record, if the file has one: its shapes fit L layers and agree, its epochs
    rise to at most ``epoch``."""
    names = ("epoch", "series", "w_quantiles", "a_quantiles")
    found = {name: arrays[f"health/{name}"] for name in names if f"health/{name}" in arrays}
    if not found:
        return None
    if len(found) != len(names):
        raise bad("its health record is incomplete")
    epochs, n = found["epoch"], len(found["epoch"])
    q = len(QUANTILES)
    shapes = {"epoch": (n,), "series": (n, len(SERIES), L),
              "w_quantiles": (n, L, q), "a_quantiles": (n, L, q)}  # fmt: skip
    for name, shape in shapes.items():
        kind = "i" if name == "epoch" else "f"
        if found[name].shape != shape or found[name].dtype.kind != kind:
            raise bad(f"its health {name} is not a {shape} array of numbers")
    rising = n == 0 or (epochs[0] >= 1 and (np.diff(epochs) > 0).all() and epochs[-1] <= epoch)
    if not rising:
        raise bad(f"its health record's epochs do not rise within its {epoch} epochs")
    return found


def _checkpoints(
    meta: dict[str, Any],
    arrays: dict[str, np.ndarray],
    shapes: dict[str, tuple[int, int]],
    dtype: np.dtype,
    bad: Callable[[str], Exception],
) -> list[Checkpoint]:
    """The checkpoints, if the file has them: their epochs rise to at most the model's, and
    each array has a row per checkpoint of the network's size (running averages finite,
    those kept >= 0 so; counters whole numbers >= 0)."""
    records = meta.get("checkpoints", [])
    found = {n.removeprefix("checkpoints/"): a for n, a in arrays.items()
             if n.startswith("checkpoints/")}  # fmt: skip
    if not records and not found:
        return []
    if not records or "flat" not in found:
        raise bad("its checkpoints are incomplete")
    n, P = len(records), sum(math.prod(shape) for shape in shapes.values())
    epochs = [c["epoch"] for c in records]
    if any(b <= a for a, b in itertools.pairwise(epochs)) or epochs[-1] > meta["epoch"]:
        raise bad(f"its checkpoints' epochs do not rise within its {meta['epoch']} epochs")
    kinds = {OPTIMIZERS[c["optimizer"]] for c in records}
    averages = {a for kind in kinds for a in kind.state_arrays}
    counters = {c for kind in kinds for c in kind.counters}
    if found.keys() != {"flat"} | averages | counters:
        raise bad(f"its checkpoints are damaged: they hold {sorted(found)} but their "
                  f"optimisers need {sorted({'flat'} | averages | counters)}")  # fmt: skip
    for name in ("flat", *averages):
        _check_floats(f"checkpoints/{name}", found[name], (n, P), dtype, bad)
    if any((found[a] < 0).any() for kind in kinds for a in kind.nonnegative):
        raise bad("its checkpoints' running means of squares must be >= 0")
    for name in counters:
        if found[name].shape != (n,) or found[name].dtype.kind not in "iu":
            raise bad(f"its checkpoints' step counts {name} are not {n} whole numbers")
        if not ((found[name] >= 0) & (found[name] < MAX_EPOCH)).all():
            raise bad(f"its checkpoints' step counts {name} are not whole numbers >= 0")
    return [_checkpoint(i, c, found, shapes) for i, c in enumerate(records)]


def _checkpoint(
    i: int, record: dict[str, Any], found: dict[str, np.ndarray], shapes: dict[str, tuple]
) -> Checkpoint:
    """Checkpoint i from its meta record and row i of the arrays."""
    kind = OPTIMIZERS[record["optimizer"]]
    state: dict[str, np.ndarray] = {}
    start = 0
    for key, shape in shapes.items():
        end = start + math.prod(shape)
        for a in kind.state_arrays:
            state[f"{a}_{key}"] = found[a][i, start:end].reshape(shape)
        start = end
    state |= {c: np.array(int(found[c][i])) for c in kind.counters}
    flat = found["flat"][i]
    return Checkpoint(record["epoch"], flat, record["optimizer"], state, record["rng"])


def _check_floats(
    name: str,
    array: np.ndarray,
    shape: tuple[int, ...],
    dtype: np.dtype,
    bad: Callable[[str], Exception],
) -> None:
    """``array`` has ``shape`` and holds floats that stay finite in the model's ``dtype``:
    1e300 is finite in float64 but inf in float32."""
    if array.shape != shape:
        raise bad(f"{name} has shape {array.shape}, expected {shape}")
    if array.dtype not in FLOAT_DTYPES or not np.isfinite(array).all():
        raise bad(f"{name} must hold finite floating-point numbers (float16, 32 or 64)")
    largest = float(np.finfo(dtype).max)
    if array.size and float(np.abs(array).max()) > largest:
        raise bad(f"{name} holds values too large for {dtype} (above {largest:.3g})")


def _check_the_rest(
    arrays: dict[str, np.ndarray],
    shapes: dict[str, tuple[int, int]],
    dims: list[int],
    dtype: np.dtype,
    optimizer: type[Optimizer],
    bad: Callable[[str], Exception],
) -> None:
    """Every array besides the weights: the running averages the optimiser names (shaped
    like the weights; those it keeps >= 0, such as a mean of squares, checked so) and its
    counters, the history columns, the standardisation (n_x, 1) and that of a regression
    target (n_L, 1)."""
    standardisation = {"data/mean": dims[0], "data/std": dims[0],
                       "data/target_mean": dims[-1], "data/target_std": dims[-1]}  # fmt: skip
    averages = {f"{a}_{k}": shape for a in optimizer.state_arrays for k, shape in shapes.items()}
    for name, array in arrays.items():
        group, _, key = name.partition("/")
        if group == "params" and key in shapes:
            continue
        if group == "optimizer" and key in optimizer.counters:
            if array.shape != () or array.dtype.kind not in "iu" or not 0 <= array < MAX_EPOCH:
                raise bad(f"its optimiser step count {key} is not a whole number >= 0")
        elif group == "optimizer" and key in averages:
            _check_floats(name, array, averages[key], dtype, bad)
            if key.partition("_")[0] in optimizer.nonnegative and (array < 0).any():
                raise bad(f"{name} must be >= 0 (a running mean of squares)")
        elif group in ("health", "checkpoints"):
            continue  # checked by _health and _checkpoints
        elif group == "history" and key in HISTORY_COLUMNS:
            if array.ndim != 1 or array.dtype.kind != ("i" if key == "epoch" else "f"):
                raise bad(f"its history {key} is not a column of numbers")
        elif name in standardisation:
            _check_floats(name, array, (standardisation[name], 1), dtype, bad)
            if name.endswith("std") and not (array > 0).all():
                raise bad(f"{name} must be above 0 for every row")
        else:
            raise bad(f"it holds an array nntui does not write: {name}")
    for mean, std in (("data/mean", "data/std"), ("data/target_mean", "data/target_std")):
        if (mean in arrays) != (std in arrays):
            raise bad(f"it holds only one of {mean} and {std}")


def history_csv(history: History, regression: bool = False) -> str:
    """The per-epoch history as CSV text; empty cells where a value does not apply or where
    the health record (thinned sooner than the costs) has no entry for that epoch. The
    columns: epoch, train_cost, test_cost, then train_acc, test_acc (or for regression
    train_r2, test_r2), then seconds, then the health columns (grad_norm[l], ...)."""
    names = ("epoch", "train_cost", "test_cost",
             *(R2_COLUMNS if regression else ACCURACY_COLUMNS), "seconds")  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    health = history.health
    health.flush()
    health_columns = health.csv_columns()
    writer.writerow([*names, *(name for name, _, _ in health_columns)])
    at = {int(e): i for i, e in enumerate(health.epoch)}
    blank = [math.nan] * len(health_columns)
    for epoch, *values in zip(*(getattr(history, name) for name in names), strict=True):
        i = at.get(epoch)
        entry = blank if i is None else [health.series[i, s, l] for _, s, l in health_columns]
        cells = ("" if math.isnan(v) else repr(float(v)) for v in (*values, *entry))
        writer.writerow([epoch, *cells])
    return out.getvalue()


def write_history_csv(path: str | Path, history: History, regression: bool = False) -> None:
    text = history_csv(history, regression).encode()
    atomic_write(path, lambda f: f.write(text))
