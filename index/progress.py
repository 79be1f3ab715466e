"""Where an ingest run is, for a person watching: a bar on a terminal, elsewhere a log line every
few seconds (`index.ingest.progress`, INFO), and each step told to a listener (the Documents tab)."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable

progress_log = logging.getLogger("index.ingest.progress")  # INFO lines; the CLI shows them


class Progress:
    """Where a run is: a bar on a terminal; elsewhere (a log, a service) a line every `every_s`
    seconds from a thread of its own, so that one long step (a huge file's chunking, a batch's
    embedding) still shows what the run is doing."""

    def __init__(self, total: int, every_s: float, listener: Callable[[str], None] | None = None):
        self.total, self.files, self.chunks, self.step = total, 0, 0, "starting"
        self._listener = listener
        self._bar = self._ticker = None
        self._stop = threading.Event()
        if sys.stderr.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="file", desc="ingest", disable=total < 2, leave=False)
        else:
            self._ticker = threading.Thread(target=self._tick, args=(every_s,), name="ingest-progress", daemon=True)
            self._ticker.start()

    def file_started(self) -> None:
        self.files += 1
        if self._bar is not None:
            self._bar.update(1)

    def embedded(self, chunks: int) -> None:
        self.chunks += chunks

    def doing(self, step: str) -> None:
        self.step = step  # already escaped by the caller: it goes into a log line as it is
        if self._listener is not None:
            self._listener(step)

    def line(self) -> str:
        return f"ingest: {self.files}/{self.total} files, {self.chunks} chunks embedded ({self.step})"

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        if self._bar is not None:
            self._bar.close()

    def _tick(self, every_s: float) -> None:
        while not self._stop.wait(every_s):
            progress_log.info("%s", self.line())
