"""Files a person names are checked for what they are before anything opens them."""

import os

import pytest

from engine.files import check_input_file


def test_a_regular_file_passes(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("x,y\n")
    assert check_input_file(str(path), ValueError) == path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p, "no such file"),
        (lambda p: (p.mkdir(), p)[1], "is a folder, not a file"),
        (lambda p: (os.mkfifo(p), p)[1], r"is a pipe \(FIFO\), not a file"),
        (lambda p: "/dev/zero", "is a device, not a file"),
    ],
    ids=["missing", "folder", "fifo", "device"],
)
def test_anything_but_a_regular_file_is_refused_without_opening_it(tmp_path, make, message):
    path = make(tmp_path / "input")
    with pytest.raises(LookupError, match=message):
        check_input_file(path, LookupError)
