"""Standard output as the user gave it: closed (`>&-`), full (`> /dev/full`), a broken pipe,
or an encoding that cannot hold every character (`PYTHONIOENCODING=ascii`).

A command whose output cannot be written ends with one line on stderr saying so and exit 1,
never a traceback; a closed stdout is refused before the command does anything; text a stream
cannot encode degrades readably ("Montréal" as "Montreal", what has no plain form as "?").
"""

from __future__ import annotations

import codecs
import errno
import os
import sys
import unicodedata
from collections.abc import Callable

READABLE = "pricing-readable"
_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EPIPE, errno.EBADF, errno.EIO, errno.EDQUOT,
                  errno.EFBIG}
_reported = False                     # a failed stdout was already told of


def _readable(error: UnicodeError) -> tuple[str, int]:
    """The codec error handler: each character the encoding lacks as its letters without
    accents (é as e, ﬁ as fi), else "?"."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    out = []
    for char in error.object[error.start:error.end]:
        plain = "".join(c for c in unicodedata.normalize("NFKD", char)
                        if not unicodedata.combining(c))
        try:
            plain.encode(error.encoding)
        except (UnicodeError, LookupError):
            plain = ""
        out.append(plain or "?")
    return "".join(out), error.end


codecs.register_error(READABLE, _readable)


def readable(stream) -> None:
    """Let `stream` write any text: characters its encoding lacks degrade readably."""
    encoding = getattr(stream, "encoding", None)
    if not encoding or not hasattr(stream, "reconfigure"):
        return
    try:
        if codecs.lookup(encoding).name.startswith("utf"):
            return
        stream.reconfigure(errors=READABLE)
    except (LookupError, ValueError, OSError):
        pass


def output_error(error: OSError) -> str | None:
    """What a failed write to standard output says ("cannot write to standard output: no space
    left on device"); None for an OSError that is not about the output."""
    global _reported
    if error.filename is not None or error.errno not in _OUTPUT_ERRNOS:
        return None
    _reported = True
    text = os.strerror(error.errno)
    return f"cannot write to standard output: {text[:1].lower() + text[1:]}"


def _let_go_of_stdout() -> None:
    """Point stdout at /dev/null so what is still buffered for the failed one is dropped at
    exit instead of failing again ("Exception ignored ...")."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)
    except OSError:
        pass


def _say(message: str) -> None:
    if sys.stderr is not None:
        try:
            sys.stderr.write(f"error: {message}\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass


def run(app: Callable[[], object]) -> int:
    """Run the CLI and return its exit code, standard output's failures told in one line."""
    if sys.stdout is None:
        _let_go_of_stdout()                  # fd 1 is not handed to the next file opened
        _say("standard output is closed; nothing could be shown. Give it a file or "
             "/dev/null (> FILE)")
        return 1
    readable(sys.stdout)
    readable(sys.stderr)
    code: object = 0
    try:
        app()
    except SystemExit as stop:
        code = stop.code
    except OSError as error:
        message = output_error(error)
        if message is None:
            raise
        _say(message)
        code = 1
    try:
        sys.stdout.flush()
    except (OSError, ValueError) as error:
        message = output_error(error) if isinstance(error, OSError) else None
        if not _reported:
            _say(message or "cannot write to standard output")
        code = code or 1
    if _reported:
        _let_go_of_stdout()
    if code is None:
        return 0
    return code if isinstance(code, int) else 1
