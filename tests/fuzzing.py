"""Running a fuzzer at two budgets: the normal suite's, and five times more under ``slow``;
the deep Hypothesis profile multiplies both (see conftest.py).

Each input is written to a file and handed to ``check``, which must accept the outcome or
fail the test. An input still running after a minute is a hang, and fails the test.
"""

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

SLOW_FACTOR = 5
HANG_SECONDS = 60  # each input takes well under 10 ms: only a hang comes near this


def examples(normal: int) -> int:
    """``normal`` cases, scaled by the active profile (the deep one draws ten times more)."""
    return normal * settings.default.max_examples // 100


def budgets(normal: int) -> pytest.MarkDecorator:
    """Parametrize a fuzz test by its number of cases: ``normal``, and a slow run's more."""
    return pytest.mark.parametrize(
        "budget", [normal, pytest.param(normal * SLOW_FACTOR, marks=pytest.mark.slow)]
    )


@contextmanager
def hang_guard() -> Iterator[None]:
    """Fail, rather than wait for ever, if the block runs for HANG_SECONDS."""

    def hung(signum: int, frame: object) -> None:
        raise AssertionError(f"one input ran for {HANG_SECONDS} s: a hang")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(HANG_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def fuzz_bytes(
    strategy: st.SearchStrategy[bytes], check: Callable[[Path], None], path: Path, budget: int
) -> None:
    """Check ``budget`` files made from ``strategy``'s bytes at ``path``."""

    @settings(max_examples=examples(budget), deadline=None)
    @given(raw=strategy)
    def run(raw: bytes) -> None:
        path.write_bytes(raw)
        with hang_guard():
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
