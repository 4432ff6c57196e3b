"""Shared fixtures, and the Hypothesis profiles every randomised test runs under.

The default profile is derandomised: each run draws the same cases, so the suite passes or
fails the same way every time. ``pytest --hypothesis-profile=deep`` opts into a wide random
search: new cases every run, ten times as many, failures kept in ``.hypothesis/`` and
replayed first next time."""

import numpy as np
import pytest
from hypothesis import settings

from engine.toy import circles

settings.register_profile("deterministic", derandomize=True, database=None, print_blob=True)
settings.register_profile("deep", max_examples=1000, derandomize=False, print_blob=True)
settings.load_profile("deterministic")


@pytest.fixture
def article_data() -> tuple[np.ndarray, np.ndarray]:
    """The article's example: n_x = 2 features, m = 400 examples, Y (1, 400)."""
    X, labels = circles(400, seed=3)
    return X, labels[None, :].astype(np.float64)
