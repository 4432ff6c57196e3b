"""Hyperparameters: what a person can set, how each is read from text, and what it changes.

The same parsers serve the command line and the form in the app, so a value is refused
with the same message in both. A field is either *live* (it applies to the running model:
learning rate, optimiser, L2, L1, batch size, and the app's speed) or *rebuild* (it needs a
new network: data, layers, activations, init, seed, split, input features, and a generated
set's noise, points and data seed).
"""

import math
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import tomli_w

from engine.activations import HIDDEN_ACTIVATIONS
from engine.data import DEFAULT_POINTS, MIN_ROWS, REGISTRY
from engine.features import DEFAULT_FEATURES, FEATURES, canonical
from engine.files import atomic_write, check_input_file
from engine.initializers import INIT_SCALES
from engine.optimizers import OPTIMIZERS
from nntui.pace import DEFAULT_SPEED, MAX_SPEED, speed_label

MAX_HIDDEN_LAYERS = 8
MAX_UNITS = 1024
MAX_BATCH = 10_000_000  # beyond any data set nntui can hold; larger means full anyway
MAX_POINTS = 10_000  # points of a generated 2-D set: enough for any picture, quick to train
MAX_NOISE = 50  # percent, as TensorFlow Playground's slider


class ConfigError(ValueError):
    """A value that cannot be used, with the field it was meant for."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Config:
    """Everything that defines a training run. The default is the article's 2-4-1 network."""

    dataset: str = "circles"
    hidden: tuple[int, ...] = (4,)
    activation: tuple[str, ...] = ("tanh",)  # one name for every hidden layer, or one each
    learning_rate: float = 0.5
    batch_size: int | None = None
    optimizer: str = "gd"
    lambd: float = 0.0
    l1: float = 0.0
    init: str = "xavier"
    seed: int = 0
    test_ratio: float = 0.2
    data_path: str | None = None  # a user's CSV instead of a named data set
    target: str | None = None
    drop_missing: bool = False
    task: str | None = None  # 'classification' or 'regression'; None: guessed from the data
    missing: tuple[str, ...] = ()  # texts that mean a missing value, besides empty cells
    speed: int | None = DEFAULT_SPEED  # epochs per second while the app plays; None: max
    features: tuple[str, ...] = DEFAULT_FEATURES  # the inputs computed from a 2-D set's x1, x2
    noise: float | None = None  # percent, for a generated set; None: the generator's own
    points: int | None = None  # points of a generated set; None: 400
    data_seed: int = 0  # the seed a generated set is drawn with

    def __post_init__(self) -> None:
        if isinstance(self.activation, str):  # one name, as in Config(activation="relu")
            object.__setattr__(self, "activation", (self.activation,))

    def with_value(self, name: str, value: Any) -> "Config":
        return replace(self, **{name: value})

    def with_dataset(self, name: str) -> "Config":
        """A shipped data set instead of a CSV: the CSV's settings go with it."""
        return replace(self, dataset=name, data_path=None, target=None, drop_missing=False,
                       task=None, missing=())  # fmt: skip

    @property
    def data_label(self) -> str:
        return self.data_path if self.data_path else self.dataset

    def hidden_activations(self) -> list[str]:
        """One activation per hidden layer; ConfigError unless ``activation`` gives one name
        or exactly one per hidden layer."""
        if len(self.activation) == 1:
            return list(self.activation) * len(self.hidden)
        if len(self.activation) != len(self.hidden):
            raise ConfigError(
                "activation",
                f"g hidden: {len(self.activation)} activations ({','.join(self.activation)}) "
                f"for {len(self.hidden)} hidden layer(s); give one name for all, or one per "
                "hidden layer",
            )
        return list(self.activation)

    @property
    def generated(self) -> bool:
        """Whether the data is a generated 2-D set (not a shipped table, not a CSV)."""
        return not self.data_path and REGISTRY[self.dataset].generated

    def applies(self, name: str) -> bool:
        """Whether field ``name`` means something for this data: a generated 2-D set's own
        settings (features, noise, points, data seed) do not for a shipped table or a CSV."""
        return self.generated or not FIELDS[name].generated_only

    def check(self) -> "Config":
        """This config, once the settings that depend on each other agree; ConfigError if not."""
        self.hidden_activations()
        if (self.noise is not None or self.points is not None) and self.data_path:
            raise ConfigError("points", "noise and points apply to the generated 2-D sets, "
                              "not to a CSV file")  # fmt: skip
        return self


def _whole_number(text: str) -> int | None:
    """The whole number ``text`` writes in digits (at most 12 of them), else None."""
    return int(text) if text.isdecimal() and len(text) <= 12 else None


def parse_hidden(text: str) -> tuple[int, ...]:
    """'4,3' -> (4, 3); '' -> () (no hidden layer: logistic regression)."""
    parts = [p.strip() for p in text.replace(" ", ",").split(",") if p.strip()]
    if len(parts) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"at most {MAX_HIDDEN_LAYERS} hidden layers, got {len(parts)}")
    sizes = []
    for part in parts:
        n = _whole_number(part)
        if n is None:
            raise ValueError(f"{part[:20]!r} is not a whole number; write sizes like 8,4")
        if not 1 <= n <= MAX_UNITS:
            raise ValueError(f"a layer needs 1 to {MAX_UNITS} units, got {n}")
        sizes.append(n)
    return tuple(sizes)


def _float(text: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise ValueError(f"{text.strip()[:20]!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{text.strip()[:20]!r} is not a finite number")
    return value


def parse_learning_rate(text: str) -> float:
    value = _float(text)
    if not 0 < value <= 100:
        raise ValueError(f"the learning rate must be above 0 and at most 100, got {value:g}")
    return value


def parse_batch_size(text: str) -> int | None:
    """'full' (or empty) -> None, the whole training set at once; else a whole number >= 1."""
    clean = text.strip().lower()
    if clean in ("", "full", "all", "none"):
        return None
    n = _whole_number(clean)
    if n is None or not 1 <= n <= MAX_BATCH:
        raise ValueError(
            f"{clean[:20]!r}: write 'full' or a whole number of examples from 1 to {MAX_BATCH:,}"
        )
    return n


def parse_lambd(text: str) -> float:
    value = _float(text)
    if not 0 <= value <= 1e6:
        raise ValueError(f"λ must be between 0 and 1e6, got {value:g}")
    return value


def parse_l1(text: str) -> float:
    value = _float(text)
    if not 0 <= value <= 1e6:
        raise ValueError(f"λ₁ must be between 0 and 1e6, got {value:g}")
    return value


def parse_activations(text: str) -> tuple[str, ...]:
    """'relu' -> ('relu',), every hidden layer; 'relu,tanh' -> one per hidden layer."""
    parts = [p.strip().lower() for p in text.split(",")]
    if not any(parts):
        raise ValueError(f"give an activation, one of: {', '.join(HIDDEN_ACTIVATIONS)}")
    if len(parts) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"at most {MAX_HIDDEN_LAYERS} activations, one per hidden layer")
    for part in parts:
        if part not in HIDDEN_ACTIVATIONS:
            raise ValueError(
                f"{part[:20]!r} is not one of: {', '.join(HIDDEN_ACTIVATIONS)} (write one "
                "name for all hidden layers or one per layer, e.g. relu,tanh)"
            )
    return tuple(parts)


def parse_features(text: str) -> tuple[str, ...]:
    """'x1^2, x2^2' -> ('x1^2', 'x2^2'): input features of a 2-D set, in the standard order."""
    return canonical(part for part in text.split(",") if part.strip())


def parse_noise(text: str) -> float | None:
    """'' or 'default' -> None (the generator's own noise); else a percentage 0 .. 50."""
    clean = text.strip().lower().removesuffix("%")
    if clean in ("", "default"):
        return None
    value = _float(clean)
    if not 0 <= value <= MAX_NOISE:
        raise ValueError(f"the noise is 0 to {MAX_NOISE} (%), got {value:g}")
    return value


def parse_points(text: str) -> int | None:
    """'' or 'default' -> None (400 points); else a whole number of points."""
    clean = text.strip().lower()
    if clean in ("", "default"):
        return None
    n = _whole_number(clean)
    if n is None or not MIN_ROWS <= n <= MAX_POINTS:
        raise ValueError(f"{clean[:20]!r}: the points are a whole number from {MIN_ROWS} to "
                         f"{MAX_POINTS:,}")  # fmt: skip
    return n


def parse_seed(text: str) -> int:
    n = _whole_number(text.strip())
    if n is None or n >= 2**32:
        raise ValueError(f"{text.strip()[:20]!r}: the seed is a whole number from 0 to {2**32 - 1}")
    return n


def parse_test_ratio(text: str) -> float:
    value = _float(text)
    if not 0 <= value <= 0.9:
        raise ValueError(f"the test part must be between 0 and 0.9 of the data, got {value:g}")
    return value


def parse_speed(text: str) -> int | None:
    """'max' -> None (as fast as it goes); else a whole number of epochs per second."""
    clean = text.strip().lower().removesuffix("/s")
    if clean == "max":
        return None
    n = _whole_number(clean)
    if n is None or not 1 <= n <= MAX_SPEED:
        raise ValueError(
            f"{clean[:20]!r}: write 'max' or a whole number of epochs per second from 1 to "
            f"{MAX_SPEED:,}"
        )
    return n


def _choice(options: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        clean = text.strip().lower().replace(" ", "_")
        if clean not in options:
            raise ValueError(f"{text.strip()!r} is not one of: {', '.join(options)}")
        return clean

    return parse


TASKS = ("classification", "regression")
parse_task = _choice(TASKS)


def parse_missing(text: str) -> tuple[str, ...]:
    """'NA, none' -> ('NA', 'none'): the texts of a CSV that mean a missing value."""
    return tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


def _format_hidden(hidden: tuple[int, ...]) -> str:
    return ",".join(str(n) for n in hidden)


def _format_batch(batch_size: int | None) -> str:
    return "full" if batch_size is None else str(batch_size)


def _format_names(names: tuple[str, ...]) -> str:
    return ",".join(names)


def _format_noise(noise: float | None) -> str:
    return "default" if noise is None else f"{noise:g}"


def _format_points(points: int | None) -> str:
    return str(DEFAULT_POINTS if points is None else points)


@dataclass(frozen=True)
class Field:
    """One hyperparameter: its Config attribute, label, kind, parser, formatter, choices."""

    name: str
    label: str
    kind: Literal["live", "rebuild"]
    parse: Callable[[str], Any]
    format: Callable[[Any], str] = str
    choices: tuple[str, ...] = ()
    help: str = ""
    generated_only: bool = False  # a setting of the generated 2-D sets, none of a table's


DATASETS = tuple(REGISTRY)

FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("dataset", "data", "rebuild", _choice(DATASETS), choices=DATASETS,
              help="a shipped table or a toy 2-D set"),
        Field("hidden", "hidden", "rebuild", parse_hidden, _format_hidden,
              help="hidden layer sizes, e.g. 8,4 (empty: none)"),
        Field("activation", "g hidden", "rebuild", parse_activations, _format_names,
              help=f"one of {' '.join(HIDDEN_ACTIVATIONS)}, or one a layer: relu,tanh"),
        Field("learning_rate", "α (lr)", "live", parse_learning_rate, "{:g}".format,
              help="learning rate α"),
        Field("batch_size", "batch", "live", parse_batch_size, _format_batch,
              help="'full' or examples per mini-batch"),
        Field("optimizer", "optimiser", "live", _choice(tuple(OPTIMIZERS)),
              choices=tuple(OPTIMIZERS), help="the update rule"),
        Field("lambd", "λ (L2)", "live", parse_lambd, "{:g}".format,
              help="L2 strength λ"),
        Field("l1", "λ₁ (L1)", "live", parse_l1, "{:g}".format,
              help="L1 strength λ₁: adds (λ₁/m) Σ|W| to the cost"),
        Field("init", "init", "rebuild", _choice(tuple(INIT_SCALES)),
              choices=tuple(INIT_SCALES), help="first weights' scale; small is the article's"),
        Field("seed", "seed", "rebuild", parse_seed, help="seed of weights and shuffling"),
        Field("test_ratio", "test part", "rebuild", parse_test_ratio, "{:g}".format,
              help="share of the data held out for testing"),
        Field("speed", "speed", "live", parse_speed, speed_label,
              help="epochs per second while playing (- and +); max: as fast as it goes"),
        Field("features", "features", "rebuild", parse_features, _format_names,
              help=f"inputs from x1, x2, by commas: any of {' '.join(FEATURES)}",
              generated_only=True),
        Field("noise", "noise %", "rebuild", parse_noise, _format_noise,
              help=f"noise of a generated 2-D set, 0 to {MAX_NOISE} % ('default': the set's own)",
              generated_only=True),
        Field("points", "points", "rebuild", parse_points, _format_points,
              help=f"points of a generated 2-D set, {MIN_ROWS} to {MAX_POINTS:,}",
              generated_only=True),
        Field("data_seed", "data seed", "rebuild", parse_seed,
              help="seed a generated 2-D set is drawn with", generated_only=True),
    )
}  # fmt: skip

LIVE_FIELDS = frozenset(name for name, f in FIELDS.items() if f.kind == "live")


def parse_field(name: str, text: str) -> Any:
    """The value of field ``name`` from ``text``; ConfigError says what is wrong."""
    try:
        return FIELDS[name].parse(text)
    except ValueError as err:
        raise ConfigError(name, f"{FIELDS[name].label}: {err}") from None


def format_field(config: Config, name: str) -> str:
    return FIELDS[name].format(getattr(config, name))


# -- names outside the code: command-line options and config-file keys -------------------------

#: Each hyperparameter's name on the command line (--name); in a config file, with _ for -.
OPTIONS = {
    "dataset": "dataset",
    "test_ratio": "test-ratio",
    "hidden": "layers",
    "activation": "activation",
    "learning_rate": "lr",
    "batch_size": "batch-size",
    "optimizer": "optimizer",
    "lambd": "lambd",
    "l1": "l1",
    "init": "init",
    "seed": "seed",
    "speed": "speed",
    "features": "features",
    "noise": "noise",
    "points": "points",
    "data_seed": "data-seed",
}
FILE_KEYS = {option.replace("-", "_"): name for name, option in OPTIONS.items()}
DATA_KEYS = {"data": "data_path", "target": "target", "drop_missing": "drop_missing",
             "task": "task", "missing": "missing"}  # fmt: skip
EXTRA_KEYS = ("epochs",)  # read by `nntui train`


def config_to_mapping(config: Config) -> dict[str, Any]:
    """The config under its file keys, in TOML's types (layers as a list of sizes)."""
    mapping: dict[str, Any] = {}
    for key, name in FILE_KEYS.items():
        value = getattr(config, name)
        if name in ("hidden", "features"):
            value = list(value)
        elif name == "activation":
            value = value[0] if len(value) == 1 else list(value)
        elif name == "batch_size":
            value = "full" if value is None else value
        elif name == "speed":
            value = "max" if value is None else value
        elif value is None:  # noise, points: the generator's own
            continue
        mapping[key] = value
    if config.data_path:
        mapping.pop("dataset")
        mapping |= {"data": config.data_path, "target": config.target or "",
                    "drop_missing": config.drop_missing}  # fmt: skip
        if config.task:
            mapping["task"] = config.task
        if config.missing:
            mapping["missing"] = list(config.missing)
    return mapping


def _missing_texts(value: Any) -> tuple[str, ...]:
    """A file's ``missing = ["NA", "none"]`` as the texts it lists."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f'{value!r}: list the texts, e.g. ["NA", "none"]')
    return tuple(dict.fromkeys(v.strip() for v in value if v.strip()))


def _as_text(name: str, value: Any) -> str:
    """A file value as the text the field's parser reads (the same parser as the CLI's)."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is true/false, not a {FIELDS[name].label} value")
    if name == "hidden" and isinstance(value, list):
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in value):
            raise ValueError(f"{value!r}: list the sizes as whole numbers, e.g. [8, 4]")
        return ",".join(str(n) for n in value)
    if name in ("activation", "features") and isinstance(value, list):
        if not value or not all(isinstance(v, str) and "," not in v for v in value):
            raise ValueError(f'{value!r}: list the names, e.g. ["relu", "tanh"]')
        return ",".join(value)
    if not isinstance(value, str | int | float):
        raise ValueError(f"{value!r} is not a single value")
    return str(value)


def config_from_mapping(mapping: Mapping[str, Any], where: str) -> tuple[Config, dict[str, Any]]:
    """(Config, extras) from file keys; ConfigError names the first bad key and why."""
    unknown = sorted(set(mapping) - set(FILE_KEYS) - set(DATA_KEYS) - set(EXTRA_KEYS))
    if unknown:
        known = ", ".join([*FILE_KEYS, *DATA_KEYS, *EXTRA_KEYS])
        raise ConfigError(
            unknown[0], f"{where}: unknown key(s) {', '.join(unknown)}; known: {known}"
        )
    config, extras = Config(), {}
    for key, value in mapping.items():
        try:
            if key in FILE_KEYS:
                name = FILE_KEYS[key]
                config = config.with_value(name, FIELDS[name].parse(_as_text(name, value)))
            elif key == "drop_missing":
                if not isinstance(value, bool):
                    raise ValueError(f"{value!r} must be true or false")
                config = config.with_value("drop_missing", value)
            elif key == "task":
                if not isinstance(value, str):
                    raise ValueError(f"{value!r} must be one of: {', '.join(TASKS)}")
                config = config.with_value("task", parse_task(value))
            elif key == "missing":
                config = config.with_value("missing", _missing_texts(value))
            elif key in DATA_KEYS:
                if not isinstance(value, str) or not value.strip():
                    raise ValueError(f"{value!r} must be a non-empty text")
                config = config.with_value(DATA_KEYS[key], value)
            elif key == "epochs":
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise ValueError(f"{value!r} must be a whole number >= 1")
                extras["epochs"] = value
        except ValueError as err:
            raise ConfigError(key, f"{where}: {key}: {err}") from None
    if config.data_path and not config.target:
        raise ConfigError("target", f"{where}: data needs a target: the column to predict")
    if config.target and not config.data_path:
        raise ConfigError("target", f"{where}: target goes with data = 'PATH.csv'")
    for name in ("drop_missing", "task", "missing"):
        if getattr(config, name) and not config.data_path:
            raise ConfigError(name, f"{where}: {name} goes with data = 'PATH.csv'")
    if config.data_path and "dataset" in mapping:
        raise ConfigError("dataset", f"{where}: give dataset or data, not both")
    try:
        return config.check(), extras
    except ConfigError as err:
        raise ConfigError(err.field, f"{where}: {err}") from None


def read_config(path: str | Path) -> tuple[Config, dict[str, Any]]:
    """A TOML config file (a UTF-8 BOM is allowed); ConfigError for a missing or unreadable
    file, one that is not a regular file (refused before it is opened), or any bad key."""
    path = check_input_file(path, lambda message: ConfigError("config", message))
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError("config", f"{path}: cannot be read as UTF-8 text ({err})") from None
    try:
        mapping = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError("config", f"{path}: not valid TOML ({err})") from None
    except RecursionError:  # tomllib recurses once per level of [ or {
        raise ConfigError("config", f"{path}: not valid TOML (nested too deeply)") from None
    return config_from_mapping(mapping, str(path))


def config_toml(config: Config, extras: Mapping[str, Any] | None = None) -> str:
    """The config as TOML text that ``read_config`` reads back to the same Config.
    ConfigError if a text in it cannot be written as UTF-8 (a path with undecodable bytes)."""
    header = "# nntui configuration: nntui --config FILE, or nntui train --config FILE\n"
    text = header + tomli_w.dumps({**config_to_mapping(config), **(extras or {})})
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ConfigError(
            "config", f"{config.data_label!r} has bytes that are not UTF-8 text: a TOML "
            "file cannot hold it; rename the file"
        ) from None  # fmt: skip
    return text


def write_config(path: str | Path, config: Config, extras: Mapping[str, Any] | None = None) -> None:
    data = config_toml(config, extras).encode()
    atomic_write(path, lambda f: f.write(data))
