"""Input features for 2-D data, as TensorFlow Playground offers them.

From the raw points P (2, m), rows x1 and x2, each feature is one row of the network's input
X (n_x, m), n_x being the number of features chosen:

    x1, x2, x1², x2², x1·x2, sin(x1), sin(x2)

They are computed from the raw points, before standardisation (which then scales each row
to mean 0 and variance 1, fitted on the training part). Chosen features always come in the
order above, so a setup names one input layer however it is written.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import numpy as np

from engine.data import DataError, Dataset


@dataclass(frozen=True)
class Feature:
    """One input feature: its key (as typed), its name (as shown), and its row from P (2, m)."""

    key: str
    title: str
    fn: Callable[[np.ndarray], np.ndarray]


FEATURES: dict[str, Feature] = {
    f.key: f
    for f in (
        Feature("x1", "x1", lambda P: P[0]),
        Feature("x2", "x2", lambda P: P[1]),
        Feature("x1^2", "x1²", lambda P: P[0] ** 2),
        Feature("x2^2", "x2²", lambda P: P[1] ** 2),
        Feature("x1x2", "x1·x2", lambda P: P[0] * P[1]),
        Feature("sin(x1)", "sin(x1)", lambda P: np.sin(P[0])),
        Feature("sin(x2)", "sin(x2)", lambda P: np.sin(P[1])),
    )
}
DEFAULT_FEATURES = ("x1", "x2")
_SPELLINGS = {"**2": "^2", "²": "^2", "·": "", "*": "", "×": ""}


def feature_key(text: str) -> str:
    """A feature's key from any usual spelling (x1², x1**2, X1^2 -> x1^2; x1*x2 -> x1x2);
    a ValueError lists the features for anything else."""
    key = text.replace(" ", "").lower()
    for spelling, canonical in _SPELLINGS.items():
        key = key.replace(spelling, canonical)
    if key not in FEATURES:
        known = ", ".join(FEATURES)
        raise ValueError(f"{text.strip()[:20]!r} is not a feature; choose from {known}")
    return key


def canonical(keys: Iterable[str]) -> tuple[str, ...]:
    """The features named by ``keys`` (any spelling, repeats ignored) in the standard order;
    a ValueError if there are none or one is unknown."""
    chosen = {feature_key(key) for key in keys}
    if not chosen:
        raise ValueError(f"choose at least one feature from {', '.join(FEATURES)}")
    return tuple(key for key in FEATURES if key in chosen)


def expand(P: np.ndarray, features: Iterable[str]) -> np.ndarray:
    """X (n_x, m): one row per feature, computed from the raw points P (2, m)."""
    return np.stack([FEATURES[key].fn(P) for key in features])


def titles(features: Iterable[str]) -> list[str]:
    """The features' names as shown: x1², x1·x2, ..."""
    return [FEATURES[key].title for key in features]


def with_features(dataset: Dataset, features: Iterable[str]) -> Dataset:
    """The data set with X replaced by the features of its 2-D points (kept as ``plane``).

    The default (x1, x2) leaves any data set as it is (a 2-D one gets its plane); other
    features need 2-D data, else DataError says so."""
    features = tuple(features)
    if dataset.n_x != 2:
        if features == DEFAULT_FEATURES:
            return dataset
        raise DataError(
            f"the features {', '.join(titles(features))} are computed from two inputs x1, x2, "
            f"but {dataset.name} has n_x = {dataset.n_x}; choose a 2-D data set or the "
            f"features {','.join(DEFAULT_FEATURES)}"
        )
    if features == DEFAULT_FEATURES:
        return replace(dataset, plane=dataset.X)
    return replace(
        dataset, X=expand(dataset.X, features), feature_names=titles(features), plane=dataset.X
    )
