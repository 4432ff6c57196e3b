"""Files a person names: what they are, checked before anything reads or writes them."""

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO


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
    if not stat.S_ISREG(mode):
        raise error(f"{path}: {_not_a_file(mode)}")
    return path


def check_output_file(
    path: str | Path,
    error: Callable[[str], Exception],
    keep: Mapping[str, str | Path | None] | None = None,
) -> Path:
    """The real file that writing ``path`` would replace (through any symlink), if it can be
    written there; else raise ``error(message)``. Checked before the work that makes it.

    ``keep`` names the files that must not be written over, by what they are ("the data
    CSV": "iris.csv"): ``path`` is compared with each by its real identity, so ``./m.npz``
    and ``m.npz`` are the same file. A folder, a device or a FIFO is refused, and so is a
    folder that is missing or where no file can be created."""
    if not str(path):
        raise error("an empty path; give a file name")
    real = Path(os.path.realpath(path))
    for what, other in (keep or {}).items():
        if other and _same_file(real, other):
            raise error(f"{path}: is {what}; choose another file")
    try:
        mode = real.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as err:
        raise error(f"cannot write {path}: {err.strerror}") from None
    if mode is not None and not stat.S_ISREG(mode):
        raise error(f"cannot write {path}: it {_not_a_file(mode)}")
    _check_folder(real.parent, path, error)
    return real


def _check_folder(folder: Path, path: str | Path, error: Callable[[str], Exception]) -> None:
    """Raise ``error`` unless a file can be created in ``folder`` (tried, not guessed)."""
    if not folder.is_dir():
        raise error(f"cannot write {path}: its folder does not exist")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise error(f"cannot write {path}: its folder is not writable ({err.strerror})") from None


def _same_file(real: Path, other: str | Path) -> bool:
    """Whether ``real`` and ``other`` name one file (or, neither existing yet, one path)."""
    try:
        return os.path.samefile(real, other)
    except OSError:
        return real == Path(os.path.realpath(other))


def _not_a_file(mode: int) -> str:
    """What a path that is not a regular file is, as the end of a message."""
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "is a pipe (FIFO), not a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a file"
    return "is not a regular file"


def atomic_write(path: str | Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write through a temporary file in the same folder, then rename it over ``path``:
    whatever happens, ``path`` holds the old content or the new, never a mix.

    A symlink is written through (the file it points to is replaced, the link stays); a
    file written again keeps its permissions, a new one gets the umask's."""
    path = Path(os.path.realpath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            _give_mode(tmp, path)
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _give_mode(tmp: str, path: Path) -> None:
    """``path``'s permissions to ``tmp`` if ``path`` exists, else those the umask gives a new
    file (mkstemp makes every file 0600)."""
    try:
        shutil.copymode(path, tmp)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
