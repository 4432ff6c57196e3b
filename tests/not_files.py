"""Paths that are not regular files, as ``pytest.mark.parametrize`` cases: each makes the
path (given a place for it in a temporary folder) and says what the message must name."""

import os

import pytest

NOT_REGULAR_FILES = pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: (p.mkdir(), p)[1], "is a folder, not a file"),
        (lambda p: (os.mkfifo(p), p)[1], r"is a pipe \(FIFO\), not a file"),
        (lambda p: "/dev/zero", "is a device, not a file"),
    ],
    ids=["folder", "fifo", "device"],
)
