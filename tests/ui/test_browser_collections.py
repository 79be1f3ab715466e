"""Collections in real Chromium (issue 14): two collections, two limited keys and an admin key.
Signed in to the chat with one key, or in the embedded chat with an embed token of one
collection, a visitor is answered from that collection only: the other's documents are never
listed, answered or cited, and their viewer pages do not open. The admin switches collections."""

from __future__ import annotations

import httpx
import pytest

from ..helpers import SEEDS, free_port
from .servers import BROWSER_TESTS, running
from .test_browser import ask, norm
from .test_collections_access import ADMIN_KEY, HR_KEY, HR_TEXT, HR_WORDS, NEWS_KEY, NEWS_TEXT, NEWS_WORDS, QUESTIONS

pytestmark = BROWSER_TESTS

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

OWN = {NEWS_KEY: ("news", NEWS_WORDS, HR_WORDS), HR_KEY: ("hr", HR_WORDS, NEWS_WORDS)}
ANSWERS = {"news": "40", "hr": "27"}


@pytest.fixture(scope="module")
def server(embedder, tmp_path_factory):
    import ui.server
    from assistant import Assistant, Settings

    root = tmp_path_factory.mktemp("browser-collections")
    settings = Settings(index_dir=root / "index", api_keys=f"{NEWS_KEY}:news,{HR_KEY}:hr,{ADMIN_KEY}",
                        feedback_path=root / "feedback.jsonl")
    for name, text in [("news", NEWS_TEXT), ("hr", HR_TEXT)]:
        Assistant(settings.for_collection(name), embedder=embedder).upload(f"{name}.txt", text.encode())
    default = Assistant(settings, embedder=embedder)
    default.ingest([SEEDS])  # the default collection, which neither limited key may use
    with running(ui.server.create_app(default), free_port()) as url:
        yield url


def sign_in(page, url: str, key: str) -> None:
    page.goto(url + "/login")
    page.locator("#key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#question textarea")).to_be_visible()


def ask_in(scope, question: str, nth: int):
    """The nth answer's element once it begins (the stream then fills it; it may be a refusal)."""
    return ask(scope, question, nth, footnotes=False)


def wait_final(bot) -> str:
    """The answer's text once it stops changing (a refusal has no footnotes to wait for)."""
    before, same = None, 0
    for _ in range(120):
        text = norm(bot.inner_text())
        same = same + 1 if text and text == before else 0
        if same >= 3:
            return text
        before = text
        bot.page.wait_for_timeout(250)
    raise AssertionError(f"the answer never settled: {before!r}")


@pytest.mark.parametrize("key", [NEWS_KEY, HR_KEY])
def test_a_signed_in_key_sees_and_is_answered_from_its_collection_only(page, server, key):
    own, own_words, other_words = OWN[key]
    other = "hr" if own == "news" else "news"
    sign_in(page, server, key)
    expect(page.locator("#current-collection")).to_contain_text(own)
    expect(page.locator("#collection")).to_be_hidden()  # one collection: nothing to switch
    examples = norm(page.locator("#examples").inner_text()) if page.locator("#examples").count() else ""
    assert not other_words.search(examples), examples

    text = wait_final(ask_in(page, QUESTIONS[own], 1))
    assert ANSWERS[own] in text and own_words.search(text)
    crossed = wait_final(ask_in(page, QUESTIONS[other], 2))
    answer_only = crossed.replace(QUESTIONS[other], "")
    assert not other_words.search(answer_only), crossed

    page.get_by_role("tab", name="Documents").click()
    expect(page.locator("#documents")).to_contain_text(f"{own}.txt")
    assert f"{other}.txt" not in page.locator("#documents").inner_text()

    # The other collection's viewer page does not open with this sign-in.
    other_doc = httpx.get(f"{server}/api/documents?collection={other}",
                          headers={"Authorization": f"Bearer {ADMIN_KEY}"}).json()[0]["id"]
    response = page.goto(f"{server}/documents/{other_doc}?start=0&end=5")
    assert response.status == 404 and not other_words.search(page.content())


def test_the_admin_switches_collections(page, server):
    sign_in(page, server, ADMIN_KEY)
    picker = page.locator("#collection")
    expect(picker).to_be_visible()
    picker.locator("input").click()
    page.get_by_role("option", name="hr", exact=True).click()
    expect(page.locator("#current-collection")).to_contain_text("hr")
    text = wait_final(ask_in(page, QUESTIONS["hr"], 1))
    assert "27" in text and "hr.txt" in text
    page.get_by_role("tab", name="Documents").click()
    expect(page.locator("#documents")).to_contain_text("hr.txt")
    assert "news.txt" not in page.locator("#documents").inner_text()


@pytest.mark.parametrize("key, collection", [(NEWS_KEY, "news"), (ADMIN_KEY, "hr")])
def test_an_embed_token_of_one_collection_answers_from_it_only(page, server, key, collection):
    minted = httpx.post(f"{server}/api/embed-tokens", json={"origin": "https://portal.example.com",
                                                            "collection": collection},
                        headers={"Authorization": f"Bearer {key}"})
    assert minted.status_code == 201, minted.text
    own_words = NEWS_WORDS if collection == "news" else HR_WORDS
    other_words = HR_WORDS if collection == "news" else NEWS_WORDS
    other = "hr" if collection == "news" else "news"
    page.goto(server + minted.json()["url"])
    expect(page.locator("#question textarea")).to_be_visible()
    expect(page.locator("#current-collection")).to_contain_text(collection)

    bot = ask_in(page, QUESTIONS[collection], 1)
    expect(bot.locator(".footnote").first).to_be_attached()
    assert own_words.search(wait_final(bot))
    crossed = wait_final(ask_in(page, QUESTIONS[other], 2)).replace(QUESTIONS[other], "")
    assert not other_words.search(crossed), crossed

    # Its footnote opens the viewer under /embed, where the token's cookie is sent.
    bot.locator(".footnote summary").first.click()
    quote = norm(bot.locator(".footnote mark").first.inner_text())
    href = bot.locator("a.open-document").first.get_attribute("href")
    assert href.startswith("/embed/documents/")
    viewer = page.context.new_page()
    viewer.goto(server + href)
    assert norm(viewer.locator("mark#cited").inner_text()) == quote
    viewer.close()
