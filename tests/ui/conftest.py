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

from pathlib import Path

import pytest

from ..helpers import SEEDS, free_port
from .servers import CHROMIUM, CHROMIUM_ARGS, HOST, HttpServer, LiveServer, running


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
