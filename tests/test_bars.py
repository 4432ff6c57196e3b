"""The block-character histogram of the inspector and the residuals view: each bin draws the
same whole number of columns, empty bins draw nothing, any count above 0 shows, and train
and test share each bin's columns as shares of their own totals."""

import numpy as np

from nntui.widgets.bars import EIGHTHS, Bars, axis_labels, bar_rows, bars_text, column_heights

BLUE, ORANGE, GREY = (0, 114, 178), (230, 159, 0), (128, 128, 128)


def bar_lines(text: str) -> list[str]:
    """The bar rows of a drawn histogram: all lines but the title and the axis."""
    return text.split("\n")[1:-1]


def test_heights_are_eighths_of_the_rows_and_a_count_above_zero_always_shows():
    heights = column_heights(np.array([0, 1, 50, 100]), top=100, rows=4)
    assert heights.tolist() == [0, 1, 16, 32]  # 1 of 100 rounds to 0 eighths: drawn as 1


def test_bar_rows_stack_full_cells_under_the_partial_one():
    assert bar_rows(np.array([0, 3, 8, 11]), rows=2) == [
        "   " + EIGHTHS[3],
        " " + EIGHTHS[3] + "██",
    ]


def test_every_bin_gets_the_same_columns_and_only_empty_bins_are_blank():
    counts = np.array([5, 0, 1, 9, 0, 2, 7])
    edges = np.linspace(-1.0, 1.0, len(counts) + 1)
    text = bars_text(Bars("values of W[1]", edges, (("values", counts, BLUE),)), 30, 8, GREY)
    lines = bar_lines(text.plain)
    per_bin = 30 // len(counts)
    assert all(len(line) == per_bin * len(counts) for line in lines)
    for b, count in enumerate(counts):
        columns = {line[b * per_bin + c] for line in lines for c in range(per_bin)}
        assert (columns == {" "}) == (count == 0), (b, count, columns)
    assert "top: 9" in text.plain.split("\n")[0]
    axis = text.plain.split("\n")[-1]
    assert axis.startswith("-1") and axis.rstrip().endswith("1") and "0" in axis


def test_two_series_share_each_bin_side_by_side_as_shares_of_their_totals():
    train, test = np.array([10, 30, 60]), np.array([1, 3, 6])  # the same shape, 10x fewer
    series = (("train", train, BLUE), ("test", test, ORANGE))
    bars = Bars("residuals", np.array([0.0, 1, 2, 3]), series, shares=True)
    text = bars_text(bars, 40, 6, GREY)
    lines = bar_lines(text.plain)
    half = 40 // 6  # columns a series in a bin
    for line in lines:  # equal shares: each bin's train and test columns are drawn alike
        for b in range(3):
            start = 2 * half * b
            assert line[start : start + half] == line[start + half : start + 2 * half]
    assert "■ train" in text.plain and "■ test" in text.plain and "top: 60%" in text.plain
    colours = {str(span.style) for span in text.spans}
    assert "rgb(0,114,178)" in colours and "rgb(230,159,0)" in colours


def test_a_title_wider_than_the_chart_is_cut_to_one_line():
    bars = Bars("a very long title " * 5, np.array([0.0, 1.0]), (("values", np.array([3]), BLUE),))
    text = bars_text(bars, 20, 5, GREY).plain.split("\n")
    assert len(text) == 5 and len(text[0]) <= 20


def test_too_small_a_chart_says_so():
    bars = Bars("t", np.linspace(0, 1, 25), (("values", np.ones(24), BLUE),))
    assert "too small" in bars_text(bars, 10, 8, GREY).plain


def test_axis_labels_never_run_together():
    edges = np.array([-0.00598, -0.00138, 0.00321])
    assert axis_labels(edges, 40).split() == ["-0.00598", "-0.00138", "0.00321"]
    assert axis_labels(edges, 22).split() == ["-0.00598", "0.00321"]  # no room for the middle
    assert axis_labels(edges, 10) == "-0.00598"
