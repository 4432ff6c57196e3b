"""Hyperparameters: what a person can set, how each is read from text, and what it changes.

The same parsers serve the command line and the form in the app, so a value is refused
with the same message in both. A field is either *live* (it applies to the running model:
learning rate, optimiser, L2, batch size) or *rebuild* (it needs a new network: data,
layers, activation, init, seed, split).
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any, Literal

from engine.activations import HIDDEN_ACTIVATIONS
from engine.data import REGISTRY
from engine.initializers import INIT_SCALES
from engine.optimizers import OPTIMIZERS

MAX_HIDDEN_LAYERS = 8
MAX_UNITS = 1024


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
    activation: str = "tanh"
    learning_rate: float = 0.5
    batch_size: int | None = None
    optimizer: str = "gd"
    lambd: float = 0.0
    init: str = "xavier"
    seed: int = 0
    test_ratio: float = 0.2
    data_path: str | None = None  # a user's CSV instead of a named data set
    target: str | None = None
    drop_missing: bool = False

    def with_value(self, name: str, value: Any) -> "Config":
        return replace(self, **{name: value})

    @property
    def data_label(self) -> str:
        return self.data_path if self.data_path else self.dataset


def parse_hidden(text: str) -> tuple[int, ...]:
    """'4,3' -> (4, 3); '' -> () (no hidden layer: logistic regression)."""
    parts = [p.strip() for p in text.replace(" ", ",").split(",") if p.strip()]
    if len(parts) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"at most {MAX_HIDDEN_LAYERS} hidden layers, got {len(parts)}")
    sizes = []
    for part in parts:
        if not part.isdecimal():
            raise ValueError(f"{part!r} is not a whole number; write sizes like 8,4")
        n = int(part)
        if not 1 <= n <= MAX_UNITS:
            raise ValueError(f"a layer needs 1 to {MAX_UNITS} units, got {n}")
        sizes.append(n)
    return tuple(sizes)


def _float(text: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{text.strip()!r} is not a finite number")
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
    if not clean.isdecimal() or int(clean) < 1:
        raise ValueError(f"{text.strip()!r}: write 'full' or a whole number of examples >= 1")
    return int(clean)


def parse_lambd(text: str) -> float:
    value = _float(text)
    if not 0 <= value <= 1e6:
        raise ValueError(f"λ must be between 0 and 1e6, got {value:g}")
    return value


def parse_seed(text: str) -> int:
    clean = text.strip()
    if not clean.isdecimal() or int(clean) >= 2**32:
        raise ValueError(f"{clean!r}: the seed is a whole number from 0 to {2**32 - 1}")
    return int(clean)


def parse_test_ratio(text: str) -> float:
    value = _float(text)
    if not 0 <= value <= 0.9:
        raise ValueError(f"the test part must be between 0 and 0.9 of the data, got {value:g}")
    return value


def _choice(options: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        clean = text.strip().lower().replace(" ", "_")
        if clean not in options:
            raise ValueError(f"{text.strip()!r} is not one of: {', '.join(options)}")
        return clean

    return parse


def _format_hidden(hidden: tuple[int, ...]) -> str:
    return ",".join(str(n) for n in hidden)


def _format_batch(batch_size: int | None) -> str:
    return "full" if batch_size is None else str(batch_size)


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


DATASETS = tuple(REGISTRY)

FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("dataset", "data", "rebuild", _choice(DATASETS), choices=DATASETS,
              help="a shipped table or a toy 2-D set"),
        Field("hidden", "hidden", "rebuild", parse_hidden, _format_hidden,
              help="hidden layer sizes, e.g. 8,4 (empty: none)"),
        Field("activation", "g hidden", "rebuild", _choice(HIDDEN_ACTIVATIONS),
              choices=HIDDEN_ACTIVATIONS, help="activation of every hidden layer"),
        Field("learning_rate", "α (lr)", "live", parse_learning_rate, "{:g}".format,
              help="learning rate α"),
        Field("batch_size", "batch", "live", parse_batch_size, _format_batch,
              help="'full' or examples per mini-batch"),
        Field("optimizer", "optimiser", "live", _choice(tuple(OPTIMIZERS)),
              choices=tuple(OPTIMIZERS), help="the update rule"),
        Field("lambd", "λ (L2)", "live", parse_lambd, "{:g}".format,
              help="L2 strength λ"),
        Field("init", "init", "rebuild", _choice(tuple(INIT_SCALES)),
              choices=tuple(INIT_SCALES), help="first weights' scale; small is the article's"),
        Field("seed", "seed", "rebuild", parse_seed, help="seed of weights and shuffling"),
        Field("test_ratio", "test part", "rebuild", parse_test_ratio, "{:g}".format,
              help="share of the data held out for testing"),
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


def changed_fields(old: Config, new: Config) -> set[str]:
    return {f.name for f in fields(Config) if getattr(old, f.name) != getattr(new, f.name)}


def needs_rebuild(old: Config, new: Config) -> bool:
    """True if going from ``old`` to ``new`` needs a new network (not only live changes)."""
    return bool(changed_fields(old, new) - LIVE_FIELDS)
