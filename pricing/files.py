"""Write a file so that it is either complete under its name or not there at all."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replaced_atomically(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path`; when the block ends normally, rename it into place
    (atomic on one file system; nothing is written when the caller removed the temporary
    file), otherwise delete it. An interrupted write never leaves a half
    file under the real name, nor a temporary one behind."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        yield temp
        if temp.exists():              # a caller that decided to write nothing removed it
            os.replace(temp, target)
    finally:
        if temp.exists():
            temp.unlink()


def write_text_atomically(path: str | os.PathLike, text: str) -> Path:
    """A UTF-8 text file, complete under its name or not there at all."""
    with replaced_atomically(path) as temp:
        temp.write_text(text, encoding="utf-8")
    return Path(path)
