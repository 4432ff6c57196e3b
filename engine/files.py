"""Files a person names: what they are, checked before anything reads them."""

import stat
from collections.abc import Callable
from pathlib import Path


def check_input_file(path: str | Path, error: Callable[[str], Exception]) -> Path:
    """``path`` if it is an existing regular file; else raise ``error(message)``.

    A folder, a FIFO or a device is refused before it is opened: reading a FIFO waits for
    a writer, and reading /dev/zero never ends."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except OSError as err:
        raise error(f"{path}: cannot be read ({err.strerror})") from None
    if stat.S_ISDIR(mode):
        raise error(f"{path}: is a folder, not a file")
    if stat.S_ISFIFO(mode):
        raise error(f"{path}: is a pipe (FIFO), not a file")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        raise error(f"{path}: is a device, not a file")
    if not stat.S_ISREG(mode):
        raise error(f"{path}: is not a regular file")
    return path
