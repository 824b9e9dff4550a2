"""Run one CPU-bound part of a command beside the rest, on a second core.

`ledger check` on 10,000 invoices spends about as long re-deriving every invoice as verifying
the hash chain and the invariants; both are pure Python on rows already read, so the GIL keeps
threads from overlapping them. A forked child gets the rows without copying them (copy on
write), computes its part, and sends back only the result. Where there is no fork (Windows,
macOS's default) or one core, the part runs here, first: the same answer, one core's time.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any


def beside(function: Callable[..., Any], *args: Any) -> Callable[[], Any]:
    """Start `function(*args)`; return a `join` that gives its result (or raises its error).
    The function must not use the caller's database connections: the child only computes."""
    import multiprocessing as mp

    if (os.cpu_count() or 1) < 2 or "fork" not in mp.get_all_start_methods():
        return _done(function, *args)
    context = mp.get_context("fork")
    reader, writer = context.Pipe(duplex=False)

    def child() -> None:
        try:
            outcome = (True, function(*args))
        except BaseException as error:          # noqa: BLE001 (handed back to the caller)
            outcome = (False, error)
        try:
            writer.send(outcome)
        except Exception as error:              # a result that cannot be pickled: say so
            writer.send((False, RuntimeError(f"{type(error).__name__}: {error}")))

    try:
        process = context.Process(target=child, daemon=True)
        process.start()
    except OSError:                             # no process to spare: do it here
        return _done(function, *args)
    writer.close()

    def join() -> Any:
        try:
            ok, value = reader.recv()
        except (EOFError, OSError):             # the child died (killed, out of memory)
            process.join()
            return function(*args)
        finally:
            reader.close()
        process.join()
        if not ok:
            raise value
        return value

    return join


def _done(function: Callable[..., Any], *args: Any) -> Callable[[], Any]:
    try:
        result = function(*args)
    except BaseException as error:              # noqa: BLE001 (raised at join, as a child's)
        def join() -> Any:
            raise error
        return join
    return lambda: result
