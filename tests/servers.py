"""Real servers the end-to-end tests start as processes: a Chroma server (`chroma run`, from the
chromadb package) on a free loopback port, and the wait for any server's URL to answer."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

from .helpers import free_port

CHROMA = Path(sys.executable).parent / "chroma"


def wait_for(url: str, timeout: float = 90.0) -> None:
    """Return once `url` answers 200; AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {timeout:.0f} s")


class ChromaServer:
    """`chroma run` keeping its data in `path`, on a free loopback port; start and stop it at will."""

    def __init__(self, path: Path):
        self.path, self.port = path, free_port()
        self.process: subprocess.Popen | None = None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for(f"{self.url}/api/v2/heartbeat")

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
