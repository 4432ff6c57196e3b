"""Files a person names are checked for what they are before anything opens them."""

import pytest

from engine.files import check_input_file

from .not_files import NOT_REGULAR_FILES


def test_a_regular_file_passes(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("x,y\n")
    assert check_input_file(str(path), ValueError) == path


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(LookupError, match="input: no such file"):
        check_input_file(tmp_path / "input", LookupError)


@NOT_REGULAR_FILES
def test_anything_but_a_regular_file_is_refused_without_opening_it(tmp_path, make, message):
    with pytest.raises(LookupError, match=message):
        check_input_file(make(tmp_path / "input"), LookupError)
