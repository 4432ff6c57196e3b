"""Random and mutated CSV files: the loader returns a valid data set or raises DataError,
never another exception and never a hang."""

import numpy as np
from hypothesis import strategies as st

from engine.data import DataError, read_csv

from .fuzzing import budgets, fuzz_bytes, mutations

CELLS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-5, 5).map(str),
    st.sampled_from(["", "NA", "a", "b", '"q,uoted"', "1e309", " 3 ", "x;y", "\t"]),
    st.text(max_size=4),
)


@st.composite
def csv_texts(draw) -> bytes:
    n_cols = draw(st.integers(1, 4))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    header = draw(st.lists(st.sampled_from(["x1", "x2", "x3", "label", ""]), min_size=n_cols,
                           max_size=n_cols))  # fmt: skip
    rows = draw(st.lists(st.lists(CELLS, min_size=0, max_size=n_cols + 1), max_size=15))
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
    text = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)
    return text.encode("utf-8", "surrogatepass")


def check_outcome(path) -> None:
    try:
        data = read_csv(path, "label")
    except DataError as err:
        assert str(err)
        return
    assert data.X.ndim == 2 and data.X.shape[1] == data.m >= 10
    assert np.isfinite(data.X).all() and np.isfinite(data.Y).all()
    assert data.Y.shape[1] == data.m


GOOD = ("x1,x2,label\n" + "\n".join(f"{i},{i * 0.5},{'ab'[i % 2]}" for i in range(12))).encode()


@budgets(1000)
def test_structured_random_csv(tmp_path, budget):
    fuzz_bytes(csv_texts(), check_outcome, tmp_path / "fuzz.csv", budget)


@budgets(600)
def test_arbitrary_bytes(tmp_path, budget):
    fuzz_bytes(st.binary(max_size=300), check_outcome, tmp_path / "fuzz.csv", budget)


@budgets(800)
def test_mutated_valid_csv(tmp_path, budget):
    mutated = mutations(GOOD, b',;\t\n"\x00\xff0-.e')
    fuzz_bytes(mutated, check_outcome, tmp_path / "fuzz.csv", budget)
