"""Every file the tool writes goes through here: complete under its name or not there at all.

A file is written under a temporary name beside its target and renamed into place when it is
complete (`replaced_atomically`); a file that must not exist yet is created exclusively and
removed again if its contents cannot be written (`create_exclusively`). A write that fails,
a full disk above all, raises `WriteError` naming the file and why ("no space left on
device") and leaves nothing behind: no half file under the real name, no temporary file.

The fault a test injects: PRICING_FAULT_DISK_FULL=N makes the disk full after N bytes written
through this module by the process (an N-byte budget, spent file by file; a file that does not
fit is cut where the budget ends and fails with ENOSPC, as a real full disk does). Unset (always,
outside the tests) it does nothing. `spend` lets a writer this module does not write (SQLite
making a ledger) take part.
"""

from __future__ import annotations

import errno
import gc
import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pricing.errors import PricingError

DISK_FULL_ENV = "PRICING_FAULT_DISK_FULL"
# Errors that say the write itself failed, whatever the writer was doing when it hit them.
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO}
_spent = 0                               # bytes written under an injected budget


class WriteError(PricingError, OSError):
    """A file could not be written; nothing was left at its path. An OSError too (errno,
    strerror, filename: the file), so a caller that reports an unwritten document and goes on
    still catches it."""

    def __init__(self, path: str | os.PathLike, cause: OSError) -> None:
        super().__init__(cause.errno, cause.strerror or reason(cause), str(path))
        self.message = f"cannot write {path}: {reason(cause)}; nothing was written there"

    def __str__(self) -> str:
        return self.message


def reason(error: OSError) -> str:
    """An OSError as a user reads it: "no space left on device"."""
    text = os.strerror(error.errno) if error.errno else (error.strerror or str(error))
    return text[:1].lower() + text[1:]


def _os_error(error: BaseException) -> OSError | None:
    """The OSError behind an error a writer raised (XlsxWriter wraps it in its own), if any."""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, OSError):
            return error
        inner = [a for a in getattr(error, "args", ()) if isinstance(a, OSError)]
        error = inner[0] if inner else (error.__cause__ or error.__context__)
        seen += 1
    return None


def failed_write(error: BaseException, *paths: Path) -> OSError | None:
    """The OSError that made a write fail: one of the write errnos (a full disk), or any
    OSError about one of `paths`; None for an error that is not about writing."""
    found = _os_error(error)
    if found is None:
        return None
    if found.filename is not None:
        return found if str(found.filename) in {str(p) for p in paths} else None
    if found.errno not in _WRITE_ERRNOS:
        return None
    if found.errno == errno.ENOSPC and paths and not _full(paths[0]):
        return None                    # another file's disk is full (a writer of two files)
    return found


def _full(path: Path) -> bool:
    """Whether the file system `path` is on has (next to) no room left."""
    try:
        room = os.statvfs(Path(path).parent)
    except OSError:
        return True
    return room.f_bavail * room.f_frsize < 64 * 1024


def spend(path: str | os.PathLike, size: int) -> None:
    """Count `size` bytes written to `path` against the injected budget (PRICING_FAULT_DISK_FULL):
    OSError(ENOSPC) once the budget is used up. Does nothing when no fault is injected."""
    global _spent
    budget = os.environ.get(DISK_FULL_ENV)
    if budget is None:
        return
    left = max(int(budget) - _spent, 0)
    if size <= left:
        _spent += size
        return
    _spent += left
    if Path(path).is_file():                      # the disk took what it had room for
        with open(path, "r+b") as handle:
            handle.truncate(left)
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


def _let_go(error: BaseException) -> None:
    """Drop what a failed writer still holds: XlsxWriter's zip file, left open by the error,
    would flush again when collected and print the same full disk as an "exception ignored"
    traceback. Its frames are cleared now, and whatever it says on the way out is not shown."""
    hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: None
    try:
        seen: BaseException | None = error
        for _ in range(5):
            if seen is None:
                break
            traceback.clear_frames(seen.__traceback__)
            seen = seen.__cause__ or seen.__context__
        gc.collect()
    finally:
        sys.unraisablehook = hook


@contextmanager
def replaced_atomically(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path`; when the block ends normally, rename it into place
    (atomic on one file system; nothing is written when the caller removed the temporary
    file), otherwise delete it. An interrupted write never leaves a half file under the real
    name, nor a temporary one behind; a failed one raises WriteError naming `path`."""
    target = Path(path)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        yield temp
        if temp.exists():              # a caller that decided to write nothing removed it
            spend(temp, temp.stat().st_size)
            os.replace(temp, target)
    except Exception as error:
        failure = None if isinstance(error, WriteError) else \
            failed_write(error, temp, target, target.parent)
        if failure is None:
            raise
        failure = OSError(failure.errno, failure.strerror)
        _let_go(error)
        raise WriteError(target, failure) from None
    finally:
        if temp.exists():
            temp.unlink()


def write_text_atomically(path: str | os.PathLike, text: str) -> Path:
    """A UTF-8 text file, complete under its name or not there at all."""
    with replaced_atomically(path) as temp:
        temp.write_text(text, encoding="utf-8")
    return Path(path)


def create_exclusively(path: str | os.PathLike, data: bytes) -> bool:
    """Create `path` holding `data`, only if nothing is there (O_EXCL: of two processes, one
    wins). False when something already was; WriteError, with nothing left at `path`, when it
    could not be written."""
    target = Path(path)
    try:
        handle = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    except OSError as error:
        raise WriteError(target, error) from None
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        spend(target, len(data))
    except OSError as error:
        target.unlink(missing_ok=True)
        raise WriteError(target, error) from None
    return True
