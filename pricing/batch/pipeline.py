"""Two small threading helpers that let reading, pricing and writing overlap.

pyarrow's CSV parsing and writing and numpy's large-array operations release the GIL, so a
reader thread and a writer thread run on other cores while the caller prices. Each queue holds
at most two chunks: memory stays flat whatever the input size.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


def prefetch(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """Run an iterator in a background thread, holding at most `depth` items ahead.
    An exception in the thread is raised in the consumer."""
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                ready.put(item)
            ready.put(_DONE)
        except BaseException as error:
            ready.put(error)

    worker = threading.Thread(target=produce, daemon=True)
    worker.start()
    try:
        while True:
            item = ready.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():          # unblock a producer waiting on a full queue
            try:
                ready.get_nowait()
            except queue.Empty:
                worker.join(0.01)


class BackgroundWriter:
    """Consume items in a thread; an error there is raised on the next put or on close."""

    def __init__(self, consume: Callable[[T], None]) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._consume = consume
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _DONE:
                return
            if self._error is None:
                try:
                    self._consume(item)
                except BaseException as error:
                    self._error = error

    def put(self, item: T) -> None:
        if self._error:
            raise self._error
        self._queue.put(item)

    def close(self) -> None:
        """Wait for everything put to be consumed; safe to call again."""
        if self._thread.is_alive():
            self._queue.put(_DONE)
            self._thread.join()
        if self._error:
            raise self._error
