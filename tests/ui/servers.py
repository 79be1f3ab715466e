"""Servers the UI tests run: the app under uvicorn (`running`), a plain HTTP server (`HttpServer`)
for trackers and portals, and the list of browser tests with the marks they need."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ..helpers import free_port

CHROMIUM = Path("/usr/bin/chromium")


CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync", "--disable-quic",
]


HOST = "127.0.0.1"


# The marks of every module driving Chromium.
BROWSER_TESTS = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: apt-get install chromium"),
]


@dataclass
class HttpServer:
    """A tiny threaded HTTP server on a loopback port, recording the paths it was asked for."""

    page: str = ""
    requests: list[str] = field(default_factory=list)
    port: int = 0

    def start(self) -> HttpServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                owner.requests.append(self.path)
                if self.path in ("/", "/index.html") and owner.page:
                    body, status, kind = owner.page.encode(), 200, "text/html; charset=utf-8"
                else:
                    body, status, kind = b"not here", 404, "text/plain"
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_HEAD = do_GET

            def log_message(self, *args):  # keep the test output clean
                pass

        self._server = ThreadingHTTPServer((HOST, 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"http-{self.port}", daemon=True)
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


@dataclass
class LiveServer:
    url: str
    port: int
    feedback_path: Path
    hostile: dict[str, Path]


def wait_for_health(url: str, thread: threading.Thread, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("the uvicorn thread stopped before the server answered /api/health")
        try:
            with urllib.request.urlopen(f"{url}/api/health", timeout=2) as response:
                if response.status == 200 and json.load(response)["documents"] >= 1:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url}/api/health did not answer within {timeout:.0f} s")


@contextmanager
def running(app, port: int | None = None):
    """The app under a real uvicorn on a loopback port (Gradio's queue runs only with the app's
    lifespan); yields its base URL."""
    import uvicorn

    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host=HOST, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    url = f"http://{HOST}:{port}"
    try:
        wait_for_health(url, thread)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=30)
