"""Documents from the browser, in real Chromium (issue 14): a PDF dropped on the Documents tab is
read, chunked and embedded while its progress shows; a question about it is answered with a
footnote naming its page; the citation opens in the viewer inside the chat with exactly the cited
characters highlighted (a screenshot is saved); deleting the document makes the question refused.
The server is the real app over its own fresh index, so these uploads touch no other test."""

from __future__ import annotations

import re

import pytest

from ..helpers import SEEDS, free_port
from ..pdfs import text_pdf
from .servers import BROWSER_TESTS, running
from .test_browser import BOT, ask, norm, open_chat

pytestmark = BROWSER_TESTS

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

QUESTION = "When was the Orvanta bridge opened?"
PDF_PAGES = [
    ["Orvanta municipal report", "This report covers the public works of the town of Orvanta."],
    ["The Orvanta bridge was opened on 14 May 1987 by mayor Lina Vaitkute.",
     "It crosses the river Seltra with three stone arches."],
]
# Every step the Documents tab's status showed, as the browser rendered it.
WATCH_STATUS = """() => {
  window.__status = [];
  const box = document.querySelector('#upload-status');
  new MutationObserver(() => window.__status.push(box.innerText)).observe(
    box, {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture(scope="module")
def server(embedder, tmp_path_factory):
    import ui.server
    from assistant import Assistant, Settings

    tmp = tmp_path_factory.mktemp("browser-documents")
    assistant = Assistant(Settings(index_dir=tmp / "index", feedback_path=tmp / "feedback.jsonl"), embedder=embedder)
    assistant.ingest([SEEDS])
    with running(ui.server.create_app(assistant), free_port()) as url:
        yield url


def documents_tab(page):
    page.get_by_role("tab", name="Documents").click()
    expect(page.locator("#documents")).to_contain_text("lithuania-critical-minerals.txt")


def test_a_pdf_uploaded_in_the_browser_is_answered_cited_by_page_opened_in_place_then_deleted(
    page, server, tmp_path
):
    pdf = tmp_path / "orvanta-report.pdf"
    pdf.write_bytes(text_pdf(PDF_PAGES, title="Orvanta municipal report"))
    open_chat(page, server + "/")
    documents_tab(page)
    page.evaluate(WATCH_STATUS)

    page.locator("#upload input[type=file]").set_input_files(str(pdf))
    expect(page.locator("#upload-status .upload-done")).to_contain_text("orvanta-report.pdf", timeout=120_000)
    seen = page.evaluate("window.__status")
    working = [s for s in seen if "orvanta-report.pdf" in s and "added:" not in s]
    assert working, f"no progress was shown before the upload was done: {seen}"
    assert any(re.search(r"reading|chunking|embedding|finding quotations", s) for s in working), working
    row = page.locator("#documents tr", has_text="orvanta-report.pdf")
    expect(row).to_contain_text("Orvanta municipal report")
    cells = row.locator("td")
    assert int(cells.nth(3).inner_text()) >= 1  # its chunks

    page.get_by_role("tab", name="Chat").click()
    answer = ask(page, QUESTION, 1)
    expect(answer.locator(".answer")).to_contain_text("1987")
    footnote = answer.locator(".footnote").first
    expect(footnote.locator("summary")).to_contain_text("orvanta-report.pdf")
    expect(footnote.locator("summary")).to_contain_text("p. 2")
    footnote.locator("summary").click()
    quote = norm(footnote.locator("mark").inner_text())
    assert "1987" in quote

    # The viewer inside the chat shows the cited characters of the document, highlighted.
    frame = page.frame_locator("#sources iframe.viewer-frame")
    expect(frame.locator("mark#cited")).to_be_visible()
    assert norm(frame.locator("mark#cited").inner_text()) == quote
    expect(frame.locator("body")).to_contain_text("2 of 2")

    # The footnote's own link opens the same place on a page of its own.
    href = footnote.locator("a.open-document").get_attribute("href")
    assert href and href.startswith("/documents/") and "start=" in href
    viewer = page.context.new_page()
    viewer.goto(server + href)
    expect(viewer.locator("mark#cited")).to_be_in_viewport()
    assert norm(viewer.locator("mark#cited").inner_text()) == quote
    viewer.screenshot(path=str(tmp_path / "viewer.png"))
    assert (tmp_path / "viewer.png").stat().st_size > 10_000
    viewer.close()

    # Deleted, the document is gone from the list and the question is refused.
    documents_tab(page)
    page.locator("#document-choice input").click()
    page.get_by_role("option", name=re.compile("orvanta-report.pdf")).click()
    page.locator("#delete-document").click()
    expect(page.locator("#upload-status")).to_contain_text("Deleted orvanta-report.pdf")
    expect(page.locator("#documents")).not_to_contain_text("orvanta-report.pdf")
    page.get_by_role("tab", name="Chat").click()
    page.locator("#new-chat").click()
    box = page.locator("#question textarea")
    box.fill(QUESTION)
    box.press("Enter")
    refused = page.locator(BOT).nth(0).locator(".answer")
    expect(refused).to_contain_text("do not", timeout=60_000)
    assert "1987" not in refused.inner_text()


def test_a_file_we_cannot_read_is_refused_in_the_tab_with_its_reason(page, server, tmp_path):
    fake = tmp_path / "photo.txt"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    open_chat(page, server + "/")
    documents_tab(page)
    page.locator("#upload input[type=file]").set_input_files(str(fake))
    expect(page.locator("#upload-status .upload-refused")).to_contain_text("a PNG image")
    expect(page.locator("#documents")).not_to_contain_text("photo.txt")
