"""Running a fuzzer at two budgets: the normal suite's, and five times more under ``slow``.

Each input is written to a file and handed to ``check``, which must accept the outcome or
fail the test. A deadline per input turns a hang into a failure.
"""

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

SLOW_FACTOR = 5
HANG_MS = 5_000  # far beyond any input here (each takes well under 10 ms)


def budgets(normal: int) -> pytest.MarkDecorator:
    """Parametrize a fuzz test by its number of cases: ``normal``, and a slow run's more."""
    return pytest.mark.parametrize(
        "budget", [normal, pytest.param(normal * SLOW_FACTOR, marks=pytest.mark.slow)]
    )


def fuzz_bytes(
    strategy: st.SearchStrategy[bytes], check: Callable[[Path], None], path: Path, budget: int
) -> None:
    """Check ``budget`` files made from ``strategy``'s bytes at ``path``."""

    @settings(max_examples=budget, deadline=HANG_MS, database=None)
    @given(raw=strategy)
    def run(raw: bytes) -> None:
        path.write_bytes(raw)
        check(path)

    run()


def mutations(good: bytes, alphabet: bytes) -> st.SearchStrategy[bytes]:
    """``good`` with one to six bytes flipped, deleted or inserted (from ``alphabet``)."""

    @st.composite
    def mutate(draw) -> bytes:
        raw = bytearray(good)
        for _ in range(draw(st.integers(1, 6))):
            i = draw(st.integers(0, len(raw) - 1))
            action = draw(st.sampled_from(["flip", "delete", "insert"]))
            if action == "flip":
                raw[i] = draw(st.integers(0, 255))
            elif action == "delete":
                del raw[i]
            else:
                raw.insert(i, draw(st.sampled_from(alphabet)))
        return bytes(raw)

    return mutate()
