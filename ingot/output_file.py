"""Writing a command's output to a file named by the operator: all of it or nothing, and never through a link.

The output goes to a temporary file beside the target, is synced, then renamed over the target, so a reader sees
the old file or the complete new one, never a half-written one. Only a regular file (or nothing) is replaced:
renaming over a symbolic link would silently swap the link for a file, and a directory, a device, a FIFO or a
socket is never what an export path means, so each is refused before any work starts.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from ingot.errors import IngotError

_NOT_A_FILE = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a device"),
               (stat.S_ISBLK, "a device"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"))
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}


class OutputRefused(IngotError):
    """The output path is not something ingot may write (a link, a directory, a device, a missing folder)."""

    exit_code = 2


class OutputFailed(IngotError):
    """Writing the output failed part-way (disk full, I/O error); nothing was left at the target."""

    exit_code = 1


def check_output_path(path: Path) -> None:
    """Raise ``OutputRefused`` unless ``path`` is a regular file or absent, in an existing directory."""
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):  # the folder is checked below
        mode = None
    except OSError as error:
        raise OutputRefused(f"cannot use {path} as output: {error.strerror}") from None
    if mode is not None:
        for test, kind in _NOT_A_FILE:
            if test(mode):
                raise OutputRefused(f"{path} is {kind}; --output replaces only a regular file: "
                                    "name a new or regular file") from None
    folder = path.absolute().parent
    if not folder.is_dir():
        what = "is not a directory" if folder.exists() else "does not exist"
        raise OutputRefused(f"cannot write {path}: the folder {folder} {what}")


def write_failure(error: OSError, where: str) -> OutputFailed:
    """The one-line error for an ``OSError`` met while writing ``where``."""
    if error.errno in _DISK_FULL:
        return OutputFailed(f"disk full writing {where}")
    return OutputFailed(f"cannot write {where}: {error.strerror or error}")


@contextmanager
def atomic_output(path: Path) -> Iterator[BinaryIO]:
    """A binary stream whose content replaces ``path`` when the block ends without error, and vanishes otherwise.

    The file keeps the mode of the file it replaces (a new one gets the default mode under the umask).
    """
    check_output_path(path)
    previous = path.stat().st_mode if path.exists() else None
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise OutputRefused(f"cannot write in {path.absolute().parent}: {error.strerror}") from None
    try:
        with os.fdopen(descriptor, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        if previous is not None:
            os.chmod(temporary, stat.S_IMODE(previous))
        os.replace(temporary, path)
    except OSError as error:
        raise write_failure(error, str(path)) from None
    finally:
        temporary.unlink(missing_ok=True)
