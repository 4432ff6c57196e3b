"""Random and mutated CSV text: the loader returns a valid data set or raises DataError."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.data import DataError, read_csv

CELLS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-5, 5).map(str),
    st.sampled_from(["", "NA", "a", "b", '"q,uoted"', "1e309", " 3 ", "x;y", "\t"]),
    st.text(max_size=4),
)


@st.composite
def csv_texts(draw) -> str:
    n_cols = draw(st.integers(1, 4))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    header = draw(st.lists(st.sampled_from(["x1", "x2", "x3", "label", ""]), min_size=n_cols,
                           max_size=n_cols))  # fmt: skip
    rows = draw(st.lists(st.lists(CELLS, min_size=0, max_size=n_cols + 1), max_size=15))
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
    return draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)


def check_outcome(path) -> None:
    try:
        data = read_csv(path, "label")
    except DataError as err:
        assert str(err)
        return
    assert data.X.ndim == 2 and data.X.shape[1] == data.m >= 10
    assert np.isfinite(data.X).all() and np.isfinite(data.Y).all()
    assert data.Y.shape[1] == data.m


@settings(
    max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=csv_texts())
def test_structured_random_csv(tmp_path, text):
    path = tmp_path / "fuzz.csv"
    path.write_text(text, encoding="utf-8", newline="")
    check_outcome(path)


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=300))
def test_arbitrary_bytes(tmp_path, raw):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(raw)
    check_outcome(path)


GOOD = ("x1,x2,label\n" + "\n".join(f"{i},{i * 0.5},{'ab'[i % 2]}" for i in range(12))).encode()


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_mutated_valid_csv(tmp_path, data):
    raw = bytearray(GOOD)
    for _ in range(data.draw(st.integers(1, 6))):
        i = data.draw(st.integers(0, len(raw) - 1))
        action = data.draw(st.sampled_from(["flip", "delete", "insert"]))
        if action == "flip":
            raw[i] = data.draw(st.integers(0, 255))
        elif action == "delete":
            del raw[i]
        else:
            raw.insert(i, data.draw(st.sampled_from(b',;\t\n"\x00\xff0-.e')))
    path = tmp_path / "fuzz.csv"
    path.write_bytes(bytes(raw))
    check_outcome(path)
