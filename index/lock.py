"""One writer at a time per index: an OS lock (flock) on a file in the index directory.

The lock is the kernel's, so it is released when its process ends in any way (kill -9 included)
and never goes stale; the file only says who holds it (pid, command, since when), for the
message a second writer prints while it waits.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shlex
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .documents import shown

log = logging.getLogger(__name__)

LOCK_FILE = "writer.lock"


class IndexBusyError(Exception):
    """Another process is writing the index and the caller asked not to wait for it."""


class WriterLock:
    """The exclusive writer lock of one index directory; `acquire` blocks (or raises
    IndexBusyError with wait=False) while another process holds it."""

    def __init__(self, index_dir: str | Path):
        self.index_dir = Path(index_dir)
        self.path = self.index_dir / LOCK_FILE
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, wait: bool = True) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = self.holder()
                if not wait:
                    raise IndexBusyError(
                        f"the index at {shown(str(self.index_dir))} is being written by {holder}; "
                        "run again when that ends, or without --no-wait to wait for it"
                    ) from None
                log.warning(
                    "waiting for the index at %s: it is being written by %s; this run goes on when that one ends",
                    shown(str(self.index_dir)), holder,
                )
                fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        record = {"pid": os.getpid(), "command": shlex.join(sys.argv), "since": time.time()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode(), 0)

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)  # the next reader sees no holder rather than a finished one
        finally:
            os.close(fd)  # closing the last descriptor releases the flock

    # One writer at a time already: every document is this writer's, and it is always alone.
    def claim(self, path: str) -> bool:
        return True

    def release_claim(self, path: str) -> None:
        pass

    @contextmanager
    def alone(self) -> Iterator[bool]:
        yield True

    @contextmanager
    def exclusive(self, wait: bool = True) -> Iterator[None]:
        self.acquire(wait)
        try:
            yield
        finally:
            self.release()

    def holder(self) -> str:
        """Who holds the lock, as the lock file says: 'pid 123 (assistant ingest docs) since 10:04:05'."""
        try:
            record = json.loads(self.path.read_text(encoding="utf-8"))
            since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(record["since"])))
            return f"pid {int(record['pid'])} ({shown(str(record['command']))}) since {since}"
        except (OSError, ValueError, KeyError, TypeError):
            # Between its flock and its write, a new holder has not said who it is yet.
            return "another process"
