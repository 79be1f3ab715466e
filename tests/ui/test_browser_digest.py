"""The quotation digest in a real browser (Debian Chromium driven by Playwright) against a live server.

"What did Trump say?" over tests/data/digest (about 30 quotations of Donald Trump in 15 documents, under
several titles, and Melania Trump in one more): one person, ten quotations a page grouped under their
document's title and date, newest first, and a "More quotations (N left)" button that asks for
the next page, shown only while the last answer has one (also after a reload). Typing "more" does the
same; a plain question hides the button. Fixtures (browser, page) are in tests/ui/conftest.py.
"""

from __future__ import annotations

import re

import pytest

from ..helpers import ROOT
from .servers import BROWSER_TESTS, running
from .test_browser import BOT, USER, ask, norm, open_chat
from .test_browser_conversations import STORAGE_KEY, reload_chat, saved

pytestmark = BROWSER_TESTS

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
expect.set_options(timeout=60_000)

DIGEST = ROOT / "tests" / "data" / "digest"
QUESTION = "What did Trump say?"
MORE = "#more-quotations"
DATE = re.compile(r"\((\d{4}-\d\d-\d\d)\)")


@pytest.fixture(scope="module")
def digest_server(embedder, tmp_path_factory):
    """The real app under uvicorn over a fresh index of tests/data/digest (one per module)."""
    import ui.server
    from assistant import Assistant, Settings

    tmp = tmp_path_factory.mktemp("digest")
    settings = Settings(index_dir=tmp / "index", feedback_path=tmp / "feedback.jsonl")
    assistant = Assistant(settings, embedder=embedder)
    report = assistant.ingest([DIGEST])
    assert len(report.added) == len(list(DIGEST.glob("*.txt"))) == 16 and not report.skipped, report
    # What each page must hold, as the listing (GET /api/speakers/Trump/quotes) pages it.
    pages = [assistant.speaker_quotations("Trump")[0]]
    while pages[-1].next_offset is not None:
        pages.append(assistant.speaker_quotations("Trump", offset=pages[-1].next_offset)[0])
    assert pages[0].name == "Donald Trump" and len(pages) >= 3, pages[0]
    with running(ui.server.create_app(assistant)) as url:
        yield url, pages


def final_answer(page, nth: int):
    """The nth answer, once final (its footnotes are there)."""
    answer = page.locator(BOT).nth(nth - 1)
    expect(answer.locator(".footnote").first).to_be_attached()
    return answer


def stored(page) -> str | None:
    return page.evaluate(f"localStorage.getItem('{STORAGE_KEY}')")


def wait_saved(page, before: str | None) -> str:
    """Wait until the conversation stored in the browser is no longer `before` (the answer just given
    was saved); return the new value."""
    page.wait_for_function(f"(b) => localStorage.getItem('{STORAGE_KEY}') !== b", arg=before)
    return stored(page)


def quotations(answer) -> list[str]:
    """The answer's quotation lines (its list items), without their footnote numbers."""
    return [re.sub(r"\s*\[\d+\]$", "", norm(text)) for text in answer.locator(".answer li").all_inner_texts()]


def check_page(answer, expected) -> list[str]:
    """One page of Donald Trump's quotations as `expected` (a SpeakerQuotes page) holds them: grouped
    by document under a dated title, newest first, with the count of what is left."""
    text = norm(answer.locator(".answer").inner_text())
    assert text.startswith(f"Donald Trump (President) said, in {expected.documents} documents:"), text
    assert "may be any of" not in text, text
    count = sum(len(d.quotations) for d in expected.by_document)
    first, total = expected.offset + 1, expected.total
    shown = f"Quotations {first}–{first + count - 1}" if count > 1 else f"Quotation {first}"
    assert f"{shown} of {total}, newest document first." in text, text
    expect(answer.locator(".answer li")).to_have_count(count)
    lines = quotations(answer)
    assert len(set(lines)) == count, lines
    # Each group is headed by its document's title and date, the newest document first.
    headings = [norm(t) for t in answer.locator(".answer p").all_inner_texts() if DATE.search(t)]
    assert [h.split(" (")[0] for h in headings] == [d.title for d in expected.by_document], headings
    dates = [DATE.search(h).group(1) for h in headings]
    assert dates == sorted(dates, reverse=True), headings
    assert len(answer.locator(".answer ul").all()) == len(headings)  # one list of quotations per group
    if expected.remaining:
        assert (f"{expected.remaining} more quotation{'s' * (expected.remaining > 1)} in "
                f"{expected.remaining_documents} document{'s' * (expected.remaining_documents > 1)}: "
                f"ask “more” to see the next") in text, text
    else:
        assert "more quotation" not in text, text
    return lines


def left(expected) -> str:
    return f"More quotations ({expected.remaining} left)"


def test_the_more_button_and_typing_more_page_through_the_quotations(page, digest_server):
    url, pages = digest_server
    open_chat(page, url + "/")
    button = page.locator(MORE)
    expect(button).to_be_hidden()

    seen = check_page(ask(page, QUESTION, 1), pages[0])
    page_1 = final_answer(page, 1).locator(".answer")
    expect(page_1).to_contain_text(f"{pages[0].by_document[0].title} ({pages[0].by_document[0].date}):")
    expect(page_1).to_contain_text("Also quoted with the name “Trump”: Melania Trump (2 quotations).")
    expect(button).to_be_visible()
    expect(button).to_have_text(left(pages[0]))

    # The button asks for the next page in words of its own (no history needed): shown as the
    # visitor's message, answered with the next page.
    button.click()
    expect(page.locator(USER)).to_have_count(2)
    expect(page.locator(USER).nth(1)).to_have_text("What did Donald Trump say? (from quotation 11)")
    second = check_page(final_answer(page, 2), pages[1])
    assert not set(seen) & set(second), (seen, second)
    seen += second
    expect(button).to_be_visible()
    expect(button).to_have_text(left(pages[1]))

    # Typing "more" does the same, to the last page, after which the button is gone.
    for n, expected in enumerate(pages[2:], start=3):
        lines = check_page(ask(page, "more", n), expected)
        expect(page.locator(USER).nth(n - 1)).to_have_text("more")
        assert not set(seen) & set(lines), (seen, lines)
        seen += lines
    assert len(seen) == pages[0].total
    shown = " ".join(norm(page.locator(BOT).nth(i).locator(".answer").inner_text()) for i in range(len(pages)))
    assert "Trump pleads not guilty in documents case (2023-06-13), as Former President:" in shown
    assert "Motion filed in election case (2024-01-10), as Defendant:" in shown
    expect(button).to_be_hidden()
    assert not page.dialogs, page.dialogs


def test_a_plain_question_hides_the_button_and_a_reload_follows_the_last_answer(page, digest_server):
    url, pages = digest_server
    open_chat(page, url + "/")
    button = page.locator(MORE)
    first = check_page(ask(page, QUESTION, 1), pages[0])
    expect(button).to_have_text(left(pages[0]))

    # After a reload the last answer has a next page: the button is back, and still works.
    saved(page, QUESTION)
    reload_chat(page)
    expect(page.locator(BOT)).to_have_count(1)
    expect(button).to_be_visible()
    expect(button).to_have_text(left(pages[0]))
    before = stored(page)  # restored (and written back) on load
    button.click()
    second = check_page(final_answer(page, 2), pages[1])
    assert not set(first) & set(second), (first, second)
    expect(button).to_have_text(left(pages[1]))
    before = wait_saved(page, before)

    # A normal question: Melania Trump's two quotations, and no button.
    melania = ask(page, "What did Melania Trump say?", 3)
    expect(melania.locator(".answer")).to_contain_text("Melania Trump said")
    expect(melania.locator(".answer li")).to_have_count(2)
    assert quotations(melania) == ["“Every child deserves to feel safe online”", "“Parents need better tools”"]
    expect(button).to_be_hidden()

    # After a reload the last answer (Melania's) has no next page: the button stays hidden.
    wait_saved(page, before)
    reload_chat(page)
    expect(page.locator(BOT)).to_have_count(3)
    expect(page.locator(BOT).nth(2).locator(".answer li")).to_have_count(2)
    expect(button).to_be_hidden()
    assert not page.dialogs, page.dialogs
