"""The chat in a real browser (Debian Chromium driven by Playwright) against a live server.

What a person sees: the answer streaming in, footnotes that open on the exact quote, the sources
panel, examples, a fresh conversation, thumbs up recorded, the documents tab, hostile documents that
stay text, and the /embed chat inside a portal's iframe (and only inside the allowed portal's).
Fixtures (live server, tracker, portals, browser) are in tests/ui/conftest.py.
"""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

from index import load_document

from ..helpers import SEEDS, assert_answer_contract
from .servers import BROWSER_TESTS

pytestmark = BROWSER_TESTS

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
expect.set_options(timeout=60_000)

SEED_FILE = SEEDS / "lithuania-critical-minerals.txt"
SEED_TEXT = load_document(SEED_FILE).text
BOT = "#chat [data-testid=bot]"
USER = "#chat [data-testid=user]"

# A MutationObserver noting, at every change of the chat, the length of the last answer's text and
# whether its footnotes are there yet: the streamed states are sampled as the browser renders them.
WATCH_STREAM = """() => {
  window.__samples = [];
  const chat = document.querySelector('#chat');
  new MutationObserver(() => {
    const bots = chat.querySelectorAll('[data-testid=bot]');
    if (!bots.length) return;
    const last = bots[bots.length - 1];
    const answer = last.querySelector('.answer');
    window.__samples.push({len: answer ? answer.innerText.length : 0, final: !!last.querySelector('.footnote')});
  }).observe(chat, {subtree: true, childList: true, characterData: true});
}"""


def norm(text: str) -> str:
    return " ".join(text.split())


def open_chat(page, url: str) -> None:
    page.goto(url)
    expect(page.locator("#question textarea")).to_be_visible()


def ask(scope, question: str, nth: int, footnotes: bool = True):
    """Type the question in #question, press Enter, wait for the nth answer's footnotes (or, without
    `footnotes`, for the answer to begin: a refusal has none); return it."""
    box = scope.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    answer = scope.locator(BOT).nth(nth - 1)
    expect(answer.locator(".footnote" if footnotes else ".answer").first).to_be_attached(timeout=60_000)
    return answer


def open_all_footnotes(page) -> int:
    """Click the summary of every closed footnote in the chat and the sources panel."""
    closed = page.locator("#chat details.footnote:not([open]), #sources details.footnote:not([open])")
    opened = 0
    while closed.count():
        closed.first.locator("summary").click()
        opened += 1
        assert opened < 100, "footnotes do not stay open"
    return opened


def wait_until(predicate, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def test_answer_streams_then_footnotes_open_on_the_quote(page, live_server, tmp_path):
    open_chat(page, live_server.url + "/")
    page.evaluate(WATCH_STREAM)
    answer = ask(page, "What did Budrys say?", 1)

    final_len = len(answer.locator(".answer").inner_text())
    samples = page.evaluate("window.__samples")
    partial = [s["len"] for s in samples if not s["final"] and 0 < s["len"] < final_len]
    assert partial, f"no partial answer was ever rendered before the final one ({samples})"
    assert partial == sorted(partial), f"the streamed answer shrank: {partial}"
    expect(answer.locator(".answer")).to_contain_text("bilaterally")

    footnotes = answer.locator(".footnote")
    expect(footnotes.first.locator("summary")).to_contain_text("[1]")
    mark = footnotes.first.locator("mark")
    expect(mark).to_be_hidden()
    footnotes.first.locator("summary").click()
    expect(footnotes.first).to_have_attribute("open", "")
    expect(mark).to_be_visible()
    # Budrys's statements, one a line, the first being the one the article paraphrases: its footnote
    # marks exactly his words, inside the passage that says they are his.
    expect(answer.locator(".answer li")).to_have_count(3)
    quote = norm(mark.inner_text())
    assert quote == "while a European-level agreement remains the preferred outcome, time is of the essence", quote
    assert quote in norm(SEED_TEXT)
    context = norm(footnotes.first.locator("blockquote").inner_text())
    lead = "Lithuanian Foreign Minister Kestutis Budrys articulated the government’s position, stating that"
    assert f"{lead} {quote}." in context

    # The sources panel: the same citations, the first one open on its quote.
    sources = page.locator("#sources .footnote")
    expect(sources).to_have_count(footnotes.count())
    expect(sources.first).to_have_attribute("open", "")
    expect(sources.first.locator("summary")).to_contain_text("[1] Lithuania critical minerals")
    expect(sources.first.locator("summary")).to_contain_text("lithuania-critical-minerals.txt")
    expect(sources.first.locator("mark")).to_be_visible()
    chat_quotes = [norm(t) for t in footnotes.locator("mark").all_text_contents()]
    assert [norm(t) for t in sources.locator("mark").all_text_contents()] == chat_quotes
    assert all(q in norm(SEED_TEXT) for q in chat_quotes)

    # The question at the top of the chat, the opened footnote and its highlighted quote below it.
    # The chat scrolls itself while an answer settles: wait until it stands still, then scroll up.
    log = page.locator("#chat [role=log]")
    log.evaluate("""log => new Promise(done => {
        let last = -1;
        const tick = () => {
            if (log.scrollTop === last) done(); else { last = log.scrollTop; setTimeout(tick, 300); }
        };
        tick();
    })""")
    log.evaluate("log => { log.scrollTop = 0; }")
    expect(page.locator(USER).first).to_be_in_viewport()
    expect(mark).to_be_in_viewport()
    # docs/screenshot-chat.png is made by docs/make_screenshot.py; a test does not write into the tree.
    page.screenshot(path=str(tmp_path / "chat.png"))
    assert (tmp_path / "chat.png").stat().st_size > 10_000


def test_examples_fill_the_question_and_new_conversation_clears(page, live_server):
    open_chat(page, live_server.url + "/")
    example = page.get_by_role("button", name="What did Budrys say?", exact=True)
    expect(example).to_be_visible()
    example.click()
    expect(page.locator("#question textarea")).to_have_value("What did Budrys say?")
    page.locator("#question textarea").press("Enter")
    expect(page.locator(BOT).first.locator(".footnote").first).to_be_attached()
    expect(page.locator(USER)).to_have_count(1)
    expect(page.locator("#sources .footnote").first).to_be_visible()

    page.locator("#new-chat").click()
    expect(page.locator(BOT)).to_have_count(0)
    expect(page.locator(USER)).to_have_count(0)
    expect(page.locator("#sources .footnote")).to_have_count(0)
    expect(page.locator("#question textarea")).to_have_value("")


def test_thumbs_up_is_written_to_the_feedback_log(page, live_server):
    open_chat(page, live_server.url + "/")
    ask(page, "What did Budrys say?", 1)
    like = page.locator("#chat").get_by_role("button", name="Like", exact=True)
    expect(like).to_have_count(1)  # only answers have thumbs, not questions
    like.click()
    expect(page.locator("#chat").get_by_role("button", name="Liked", exact=True)).to_have_count(1)

    def liked_records():
        if not live_server.feedback_path.exists():
            return []
        lines = live_server.feedback_path.read_text(encoding="utf-8").splitlines()
        return [r for r in map(json.loads, lines) if r["liked"] is True and r["question"] == "What did Budrys say?"]

    record = wait_until(liked_records, what="a liked record in the feedback log")[-1]
    assert "bilaterally" in record["answer"] and "[1]" in record["answer"]
    assert record["citations"], record
    assert_answer_contract(record)
    assert all(c["source"].endswith(SEED_FILE.name) for c in record["citations"])


def test_documents_tab_lists_the_seed(page, live_server):
    open_chat(page, live_server.url + "/")
    page.get_by_role("tab", name="Documents").first.click()
    row = page.locator("#documents tr", has_text="Lithuania critical minerals")
    expect(row).to_be_visible()
    expect(row).to_contain_text(f"seeds/{SEED_FILE.name}")
    expect(page.locator("#documents tbody tr")).to_have_count(4)


def test_hostile_documents_stay_text(page, live_server, tracker):
    tracker.requests.clear()
    seen = []
    page.on("request", lambda r: seen.append(r.url) if f":{tracker.port}" in r.url else None)
    open_chat(page, live_server.url + "/")
    pixel = f"![pixel](http://127.0.0.1:{tracker.port}/pixel.png)"
    cases = [
        ("What banner text did organisers print at the Zorblax festival?", "<script>window.__xss=1</script>"),
        ("What sign did visitors to the Zorblax festival see?", '<img src=x onerror="window.__xss=2;alert(2)">'),
        ("What does the first photograph of the Quillmoor observatory show?", pixel),
        ("What label did the Vantreth glassworks print on its crates?",
         '<img src=x onerror="window.__xss=4;alert(4)">'),
        ("What did the Vantreth glassworks produce?", "blue bottles and stained windows"),
    ]
    for n, (question, literal) in enumerate(cases, start=1):
        answer = ask(page, question, n)
        # The answer quotes the hostile passage, and its markup shows as the characters it is.
        expect(answer.locator(".answer")).to_contain_text(literal, use_inner_text=True)

    opened = open_all_footnotes(page)
    assert opened >= len(cases)
    expect(page.locator("#chat details.footnote:not([open])")).to_have_count(0)
    # Let any image or script that slipped through load and run before looking.
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 500)))")

    chat = page.locator("#chat")
    expect(chat).to_contain_text("<script>window.__xss=1</script>", use_inner_text=True)
    expect(chat).to_contain_text(pixel, use_inner_text=True)
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.dialogs == []
    injected = page.evaluate(
        """(port) => [...document.querySelectorAll('#chat *, #sources *')].filter(e =>
             ['SCRIPT', 'IMG', 'OBJECT', 'EMBED'].includes(e.tagName)
             // the one frame allowed: our own viewer, at a citation of this server
             || (e.tagName === 'IFRAME' && !/^\\/documents\\/[0-9a-f]{16}\\?start=\\d+&end=\\d+$/.test(
                  e.getAttribute('src') || ''))
             || [...e.attributes].some(a => a.name.toLowerCase().startsWith('on'))
             || (e.getAttribute('href') || '').includes(':' + port)
           ).map(e => e.outerHTML.slice(0, 200))""",
        tracker.port,
    )
    assert injected == []
    assert tracker.requests == [] and seen == []


def test_embed_in_the_allowed_portal_only(page, live_server, portal, foreign_portal):
    with urllib.request.urlopen(f"{live_server.url}/embed/", timeout=30) as response:
        assert response.headers["content-security-policy"] == f"frame-ancestors 'self' {portal.url}"

    page.goto(portal.url + "/")
    frame = page.frame_locator("#embed")
    expect(frame.locator("#question textarea")).to_be_visible()
    answer = ask(frame, "Who is the prime minister of Lithuania?", 1)
    expect(answer.locator(".answer")).to_contain_text("Ruginienė")
    embed = next(f for f in page.frames if f.url.startswith(f"{live_server.url}/embed"))
    scroll, client = embed.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert client <= 360 and scroll <= client + 1, (scroll, client)

    # A portal whose origin is not allowed gets no chat: Chromium enforces frame-ancestors.
    page.goto(foreign_portal.url + "/", wait_until="load")
    expect(page.locator("#embed")).to_be_attached()
    assert not any(f.url.startswith(live_server.url) for f in page.frames), [f.url for f in page.frames]
    assert page.frame_locator("#embed").locator("#question").count() == 0


def test_follow_ups_in_the_chat_use_the_conversation(page, live_server):
    open_chat(page, live_server.url + "/")
    ask(page, "What did Budrys say?", 1)
    follow_up = ask(page, "Where did he say it?", 2)
    follow_up.locator("details.footnote summary").first.click()
    marks = " ".join(norm(m) for m in follow_up.locator("details.footnote mark").all_inner_texts())
    quotes = [norm(q) for q in follow_up.locator("details.footnote").all_inner_texts()]
    assert "Munich Security Conference" in " ".join(quotes), quotes
    assert marks  # the opened footnote highlights its quote
    # A new conversation starts empty (and with no history for the next question).
    page.locator("#new-chat").click()
    expect(page.locator(BOT)).to_have_count(0)
