"""Shared fixtures: the article's 2-layer example and small seeded data."""

import numpy as np
import pytest

from engine.toy import circles


@pytest.fixture
def article_data() -> tuple[np.ndarray, np.ndarray]:
    """The article's example: n_x = 2 features, m = 400 examples, Y (1, 400)."""
    X, labels = circles(400, seed=3)
    return X, labels[None, :].astype(np.float64)
