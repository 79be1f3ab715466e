"""Fixtures for the browser tests (tests/ui/test_browser.py): a real server, a tracker, portals, Chromium.

- `live_server`: the real app (`ui.server.create_app`) under uvicorn on a free loopback port, over a
  fresh index of seeds/ plus a folder of hostile documents (script tags, onerror images, a Markdown
  image pointing at the tracker), with one portal origin allowed to frame it.
- `tracker`: an HTTP server recording every request it gets; nothing may ever fetch from it.
- `portal` / `foreign_portal`: static pages framing `/embed/`; only `portal` is in allowed_origins.
- `browser`: one Debian Chromium per module (Playwright's own browser download is not used).
- `serving_app`: the real app over the seed index under other serving settings (keys, origins, limits).

Everything listens on 127.0.0.1 only; nothing reaches the network.
"""

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

from ..helpers import SEEDS, free_port

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


def _portal_page(app_port: int) -> str:
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Portal</title></head><body>"
        "<h1>Intranet portal</h1>"
        f'<iframe id="embed" src="http://{HOST}:{app_port}/embed/" width="360" height="640"></iframe>'
        "</body></html>"
    )


@pytest.fixture(scope="module")
def app_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def tracker():
    server = HttpServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def portal(app_port):
    """The portal allowed to frame the chat (its origin is in allowed_origins)."""
    server = HttpServer(page=_portal_page(app_port)).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def foreign_portal(app_port):
    """The same page on a port that is NOT in allowed_origins: the browser must refuse to frame the chat."""
    server = HttpServer(page=_portal_page(app_port)).start()
    yield server
    server.stop()


def write_hostile_documents(folder: Path, tracker_port: int) -> dict[str, Path]:
    """Documents whose text carries markup that must only ever show as text. Each has a unique topic."""
    folder.mkdir(parents=True, exist_ok=True)
    tracker = f"http://{HOST}:{tracker_port}"
    docs = {
        "script": folder / "zorblax.txt",
        "markdown": folder / "quillmoor.md",
        "html": folder / "vantreth.html",
    }
    docs["script"].write_text(
        "The Zorblax festival is held every spring in the mountain town of Kelvara. "
        "During the Zorblax festival, organisers once printed the banner text <script>window.__xss=1</script> "
        "on every lantern as a joke about web pages. "
        'Visitors to the Zorblax festival also saw a sign reading <img src=x onerror="window.__xss=2;alert(2)"> '
        "next to the bakery stalls. "
        "The Zorblax festival ends with a parade of painted boats on the lake.\n",
        encoding="utf-8",
    )
    docs["markdown"].write_text(
        "# Quillmoor observatory\n\n"
        "The Quillmoor observatory was built in 1911 on a granite ridge above the harbour. "
        f"Its first photograph, ![pixel]({tracker}/pixel.png) shows the Quillmoor dome under snow. "
        f"The Quillmoor observatory keeps a public log at [the archive]({tracker}/archive) for every night "
        "of observation. Astronomers at the Quillmoor observatory catalogued four hundred comets.\n",
        encoding="utf-8",
    )
    docs["html"].write_text(
        "<!doctype html><html><head><title>Vantreth glassworks</title>"
        "<script>window.__xss=3</script></head><body><h1>Vantreth glassworks</h1>"
        "<p>The Vantreth glassworks produced <b>blue bottles</b> and <i>stained windows</i> for two centuries. "
        "The Vantreth glassworks printed the label &lt;img src=x onerror=\"window.__xss=4;alert(4)\"&gt; "
        "on its crates as a prank. "
        f'Workers at the Vantreth glassworks were paid in <a href="{tracker}/pay">silver coins</a>.</p>'
        "</body></html>\n",
        encoding="utf-8",
    )
    return docs


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


@pytest.fixture(scope="session")
def serving_app(seed_assistant):
    """`serving_app(api_keys="k1,k2", allowed_origins=[...], ...)`: `create_app` over the seed index
    and model, under those settings (validated as the environment's would be). Its Assistant is a
    new one on the same index, since the server reads its keys, origins and limits from it."""
    from assistant import Settings
    from assistant.factory import open_assistant
    from ui.server import create_app

    def make(**updates):
        settings = Settings(**{**seed_assistant.settings.model_dump(), **updates})
        return create_app(open_assistant(settings, embedder=seed_assistant.embedder))

    return make


@pytest.fixture(scope="module")
def live_server(embedder, tmp_path_factory, app_port, tracker, portal):
    import ui.server
    from assistant import Assistant, Settings

    tmp = tmp_path_factory.mktemp("browser")
    hostile = write_hostile_documents(tmp / "hostile", tracker.port)
    settings = Settings(
        index_dir=tmp / "index", allowed_origins=[portal.url], feedback_path=tmp / "feedback.jsonl",
    )
    assistant = Assistant(settings, embedder=embedder)
    report = assistant.ingest([SEEDS, tmp / "hostile"])
    assert len(report.added) == 4 and not report.skipped, report

    with running(ui.server.create_app(assistant), app_port) as url:
        yield LiveServer(url=url, port=app_port, feedback_path=settings.feedback_path, hostile=hostile)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    playwright = sync_api.sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def page(browser):
    """A fresh browser context and page (1280x900) per test; dialogs are recorded and dismissed."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.dialogs = []

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield page
    context.close()
