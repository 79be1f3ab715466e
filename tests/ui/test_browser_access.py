"""With API keys set, in a real browser: the chat asks for a sign-in first, and a portal embeds the
chat with a short-lived token its backend minted (no secret in the page), while another site framing
the same token gets nothing."""

from __future__ import annotations

import importlib.util
import threading

import pytest

from ..helpers import ROOT, free_port
from .servers import BROWSER_TESTS, HttpServer, running

pytestmark = BROWSER_TESTS

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
expect.set_options(timeout=60_000)

KEY = "browser-test-key-0123456789"
BOT = "#chat [data-testid=bot]"


@pytest.fixture(scope="module")
def guarded_url(serving_app):
    with running(serving_app(api_keys=KEY)) as url:
        yield url


@pytest.fixture(scope="module")
def other_site():
    server = HttpServer().start()
    yield server
    server.stop()


def ask(scope, question: str):
    box = scope.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    answer = scope.locator(BOT).first
    expect(answer.locator(".footnote").first).to_be_attached()
    return answer


def test_the_chat_asks_for_a_sign_in_first(page, guarded_url):
    page.goto(guarded_url + "/")
    expect(page).to_have_url(guarded_url + "/login?next=%2F")
    page.locator("#key").fill("wrong key")
    page.locator("button[type=submit]").click()
    expect(page.locator(".error")).to_contain_text("not valid")
    page.locator("#key").fill(KEY)
    page.locator("button[type=submit]").click()
    expect(page.locator("#question textarea")).to_be_visible()
    answer = ask(page, "Who is the prime minister of Lithuania?")
    expect(answer.locator(".answer")).to_contain_text("Ruginienė")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["assistant_session"]["httpOnly"] is True
    assert page.evaluate("document.cookie") == ""  # scripts cannot read it
    page.locator("#sign-out").click()
    expect(page).to_have_url(guarded_url + "/login")
    page.goto(guarded_url + "/")
    expect(page.locator("#key")).to_be_visible()


@pytest.fixture
def example_portal(guarded_url):
    """docs/embed_portal_example.py, the portal of docs/EMBEDDING.md, serving on a free port."""
    spec = importlib.util.spec_from_file_location("embed_portal_example", ROOT / "docs" / "embed_portal_example.py")
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    port = free_port()
    server = example.make_server(port, guarded_url, KEY)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield example, f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


def test_a_portal_embeds_the_chat_with_a_token(page, guarded_url, example_portal, other_site):
    example, portal_url = example_portal
    page.goto(portal_url + "/")
    assert KEY not in page.content()  # the key never reaches the portal's page
    frame = page.frame_locator("#embed")
    expect(frame.locator("#question textarea")).to_be_visible()
    answer = ask(frame, "Who is the prime minister of Lithuania?")
    expect(answer.locator(".answer")).to_contain_text("Ruginienė")

    # The same token framed by another site: Chromium enforces the token's frame-ancestors.
    other_site.page = example.portal_page(example.mint_embed_url(guarded_url, KEY, portal_url))
    page.goto(other_site.url + "/", wait_until="load")
    expect(page.locator("#embed")).to_be_attached()
    page.wait_for_timeout(1000)
    assert page.frame_locator("#embed").locator("#question").count() == 0


def test_the_embed_without_a_token_shows_what_to_do(page, guarded_url):
    response = page.goto(guarded_url + "/embed/")
    assert response is not None and response.status == 401
    expect(page.locator("body")).to_contain_text("embed token")
