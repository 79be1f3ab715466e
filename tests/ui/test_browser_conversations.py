"""Conversations survive a reload, in a real browser (Debian Chromium driven by Playwright).

The chat keeps the current conversation and the recent ones in the browser's localStorage: after a
reload the question and its footnoted answer are back and a follow-up is answered in their context;
a new conversation leaves the old one listed, to open again or delete (gone after the next reload).
Fixtures (live server, browser) are in tests/ui/conftest.py.
"""

from __future__ import annotations

import re

import pytest

from .servers import BROWSER_TESTS
from .test_browser import BOT, USER, ask, norm, open_chat

pytestmark = BROWSER_TESTS

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
expect.set_options(timeout=60_000)

STORAGE_KEY = "cited-assistant-conversations"


def reload_chat(page) -> None:
    page.reload()
    expect(page.locator("#question textarea")).to_be_visible()


def saved(page, title: str) -> None:
    """Wait until the answered conversation is stored: the list shows it as the current one."""
    expect(page.locator("#recent input")).to_have_value(re.compile(rf"^{re.escape(title)} · .* UTC$"))


def recent_titles(page) -> list[str]:
    """The titles the "Recent conversations" dropdown offers (its labels without the time, nor the
    check mark of the selected one)."""
    page.locator("#recent input").click()
    options = page.get_by_role("option")
    expect(options.first).to_be_visible()
    titles = [norm(text).removeprefix("✓").strip().split(" · ")[0] for text in options.all_inner_texts()]
    page.locator("#recent input").blur()
    expect(options).to_have_count(0)
    return titles


def pick_recent(page, title: str) -> None:
    page.locator("#recent input").click()
    option = page.get_by_role("option").filter(has_text=title)
    expect(option).to_have_count(1)
    option.click()


def test_a_conversation_survives_a_reload_and_can_be_reopened_and_deleted(page, live_server):
    open_chat(page, live_server.url + "/")
    first = ask(page, "What did Budrys say?", 1)
    expect(first.locator(".answer")).to_contain_text("bilaterally")
    footnotes = first.locator(".footnote").count()
    # Saved once the answer is final: the list shows it as the current conversation.
    expect(page.locator("#recent input")).to_have_value(
        re.compile(r"^What did Budrys say\? · \d{4}-\d\d-\d\d \d\d:\d\d UTC$"))
    stored = page.evaluate(f"localStorage.getItem('{STORAGE_KEY}')")
    assert stored and "Budrys" not in stored  # encrypted, not plain text

    reload_chat(page)
    expect(page.locator(USER)).to_have_count(1)
    expect(page.locator(USER).first).to_contain_text("What did Budrys say?")
    restored = page.locator(BOT).first
    expect(restored.locator(".answer")).to_contain_text("bilaterally")
    expect(restored.locator(".footnote")).to_have_count(footnotes)
    restored.locator(".footnote summary").first.click()
    expect(restored.locator(".footnote mark").first).to_be_visible()
    expect(page.locator("#sources .footnote").first).to_be_visible()  # the panel shows the last answer's sources

    # A follow-up after the reload is asked with the restored turns: "he" is Budrys.
    follow_up = ask(page, "Where did he say it?", 2)
    follow_up.locator("details.footnote summary").first.click()
    quotes = " ".join(norm(q) for q in follow_up.locator("details.footnote").all_inner_texts())
    assert "Munich Security Conference" in quotes, quotes

    # A new conversation: the chat empties, the old one stays listed (and survives a reload as listed).
    page.locator("#new-chat").click()
    expect(page.locator(BOT)).to_have_count(0)
    expect(page.locator("#recent input")).to_have_value("")
    second = ask(page, "Who is the prime minister of Lithuania?", 1)
    expect(second.locator(".answer")).to_contain_text("Ruginienė")
    saved(page, "Who is the prime minister of Lithuania?")
    reload_chat(page)
    expect(page.locator(USER)).to_have_count(1)
    expect(page.locator(USER).first).to_contain_text("prime minister")
    assert recent_titles(page) == ["Who is the prime minister of Lithuania?", "What did Budrys say?"]

    # Open the first one again: both its turns are back.
    pick_recent(page, "What did Budrys say?")
    expect(page.locator(USER)).to_have_count(2)
    expect(page.locator(USER).nth(1)).to_contain_text("Where did he say it?")
    expect(page.locator(BOT).nth(1).locator(".footnote").first).to_be_attached()

    # Delete it: the chat empties and, after a reload, only the other conversation is listed.
    page.locator("#delete-conversation").click()
    expect(page.locator(BOT)).to_have_count(0)
    reload_chat(page)
    expect(page.locator(BOT)).to_have_count(0)  # the deleted one was the current one: nothing to restore
    assert recent_titles(page) == ["Who is the prime minister of Lithuania?"]


def test_a_tampered_store_is_ignored(page, live_server):
    open_chat(page, live_server.url + "/")
    page.evaluate(f"localStorage.setItem('{STORAGE_KEY}', 'not:encrypted')")
    reload_chat(page)
    expect(page.locator(BOT)).to_have_count(0)
    answer = ask(page, "What did Budrys say?", 1)  # the page works, and saves over the junk
    expect(answer.locator(".answer")).to_contain_text("bilaterally")
    saved(page, "What did Budrys say?")
    reload_chat(page)
    expect(page.locator(BOT).first.locator(".footnote").first).to_be_attached()


def test_the_embedded_chat_keeps_its_conversation_too(page, live_server):
    open_chat(page, live_server.url + "/embed/")
    ask(page, "Who is the prime minister of Lithuania?", 1)
    expect(page.locator("#recent-accordion")).to_be_visible()
    # Saved (the list holds it) before reloading.
    page.locator("#recent-accordion").get_by_text("Recent conversations").first.click()
    saved(page, "Who is the prime minister of Lithuania?")
    reload_chat(page)
    expect(page.locator(BOT).first.locator(".answer")).to_contain_text("Ruginienė")
