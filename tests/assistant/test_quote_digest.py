"""A prolific speaker's digest: "What did Trump say?" over a news collection that names him five
ways answers for one Donald Trump, ten quotations a page, grouped under each document's title and
date, newest first, with the count of the rest and a way to see it: "more" in the conversation,
`page`/`offset` on GET /api/speakers/{name}/quotes, `--page` on `assistant quotes`. A time in the
question ("in March 2026", "last week") filters by the document's date.

The collection is tests/data/digest: 16 short articles, Donald Trump quoted in 14 of them (as
"President Donald Trump", "Former President Donald Trump", "President-elect Donald Trump",
"Defendant Donald J. Trump" and "Trump"), Melania Trump in one.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ui.server import create_app

from ..helpers import assert_answer_contract, run_cli

DIGEST = Path(__file__).resolve().parents[1] / "data" / "digest"
QUOTE_LINE = re.compile(r"^- (?:“(?P<direct>.*)”|\(paraphrased\) (?P<reported>.*)) (?:\[\d+\])+$", re.M)
HEADING = re.compile(r"^(?P<title>.+) \((?P<date>\d{4}-\d\d-\d\d)\)(?:, as (?P<as_title>.+))?:$", re.M)


@pytest.fixture(scope="module")
def digest(embedder, tmp_path_factory):
    from assistant import Assistant, Settings

    assistant = Assistant(Settings(index_dir=tmp_path_factory.mktemp("digest-index")), embedder=embedder)
    assistant.ingest([DIGEST])
    return assistant


@pytest.fixture(scope="module")
def donald(digest):
    """Donald Trump as the index lists him: one speaker, whatever label the documents gave him."""
    (speaker,) = [s for s in digest.speakers() if s.name == "Donald Trump"]
    return speaker


def quoted(answer) -> list[str]:
    """The quotation texts an answer lists, in order."""
    return [m.group("direct") or m.group("reported") for m in QUOTE_LINE.finditer(answer.answer)]


def history_of(*turns) -> list[dict]:
    return [m for question, answer in turns for m in (
        {"role": "user", "content": question}, {"role": "assistant", "content": answer.answer})]


def test_one_person_however_the_documents_label_him(digest, donald):
    speakers = {s.name: s for s in digest.speakers()}
    assert "Melania Trump" in speakers and not any("Defendant" in n or "elect" in n for n in speakers)
    assert donald.documents >= 12 and donald.quotations > 20
    assert {"Donald Trump", "Donald J. Trump", "Trump"} <= set(donald.forms)


def test_what_did_trump_say_is_a_digest_for_donald_trump(digest, donald):
    answer = digest.ask("What did Trump say?")
    assert_answer_contract(answer, chunks_by_id=digest.store.chunks_by_id, cited_among_passages=True)
    assert answer.answer.startswith("Donald Trump (President) said, in ") and "may be any of" not in answer.answer
    lines = quoted(answer)
    assert len(lines) == 10 and f"Quotations 1–10 of {donald.quotations}, newest document first." in answer.answer
    # Grouped by document under its title and date, newest first.
    dates = [m.group("date") for m in HEADING.finditer(answer.answer)]
    assert len(dates) >= 4 and dates == sorted(dates, reverse=True)
    assert answer.more is not None and answer.more.quotations == donald.quotations - 10 and answer.more.offset == 10
    assert f"{donald.quotations - 10} more quotations in {answer.more.documents} documents: ask “more”" in answer.answer
    # Melania is named as someone else with that name, not mixed in.
    assert "Also quoted with the name “Trump”: Melania Trump (2 quotations)" in answer.answer
    assert not any("safe online" in line for line in lines)


def test_more_pages_through_the_rest_without_repeating(digest, donald):
    first = digest.ask("What did Trump say?")
    seen = quoted(first)
    turns = [("What did Trump say?", first)]
    answer = first
    while answer.more is not None:
        answer = digest.ask("more", history=history_of(*turns))
        assert_answer_contract(answer, chunks_by_id=digest.store.chunks_by_id, cited_among_passages=True)
        page = quoted(answer)
        assert 0 < len(page) <= 10 and not set(page) & set(seen)
        seen += page
        turns.append(("more", answer))
    assert len(seen) == donald.quotations and len(turns) == -(-donald.quotations // 10)
    assert f"of {donald.quotations}" in answer.answer and "more quotations" not in answer.answer
    # One more "more" after the last page: said plainly, nothing cited.
    done = digest.ask("more", history=history_of(*turns))
    assert done.refused and done.answer.startswith("That was all: Donald Trump (President) has ")


def test_the_court_label_is_his_title_in_that_document(digest):
    answers = [digest.ask("What did Trump say?")]
    while answers[-1].more is not None:
        answers.append(digest.ask("more", history=history_of(*(("What did Trump say?" if i == 0 else "more", a)
                                                                for i, a in enumerate(answers)))))
    headings = [m.groupdict() for a in answers for m in HEADING.finditer(a.answer)]
    by_title = {h["title"]: h["as_title"] for h in headings}
    assert by_title["Motion filed in election case"] == "Defendant"
    assert by_title["Trump names trade team"] == "President-elect"
    assert by_title["Trump pleads not guilty in documents case"] == "Former President"
    assert by_title["Trump sworn in for a second term"] is None  # his usual title is not repeated


def test_about_a_topic_ranks_the_most_relevant_first(digest):
    answer = digest.ask("What did Trump say about tariffs?")
    lines = quoted(answer)
    assert 3 <= len(lines) <= 10 and "most relevant first" in answer.answer
    assert sum("tariff" in line.casefold() for line in lines[:4]) >= 3


def test_a_time_in_the_question_filters_by_document_date(digest, monkeypatch):
    answer = digest.ask("What did Trump say in March 2026?")
    headings = [m.group("date") for m in HEADING.finditer(answer.answer)]
    assert headings and all(d.startswith("2026-03") for d in headings)
    assert "said in March 2026 (2026-03-01 to 2026-03-31)" in answer.answer
    assert any("border is closed" in line for line in quoted(answer))
    # Relative times count from today: "on Friday" asked on Saturday 2026-03-21 is 2026-03-20.
    monkeypatch.setattr(digest.quotations, "today", lambda: date(2026, 3, 21))
    friday = digest.ask("What did Trump say on Friday?")
    assert quoted(friday) == ["Without tariffs we would be a poor nation"]
    week = digest.ask("What did Trump say last week?")  # 2026-03-09 to 2026-03-15: nothing
    assert week.refused and "in none dated last week (2026-03-09 to 2026-03-15)" in week.answer
    assert "dated 2023-06-13 to " in week.answer


def test_a_full_name_is_that_person_only(digest):
    answer = digest.ask("What did Melania Trump say?")
    assert answer.answer.startswith("Melania Trump said, in “First lady revives her campaign”")
    assert len(quoted(answer)) == 2 and answer.more is None


def test_the_next_page_asked_on_its_own_needs_no_history(digest):
    first = digest.ask("What did Trump say about tariffs?")
    assert first.more is not None and first.more.ask == "What did Donald Trump say about tariffs? (from quotation 11)"
    second = digest.ask(first.more.ask)
    assert "Quotations 11–" in second.answer and not set(quoted(first)) & set(quoted(second))
    typed = digest.ask("more", history=history_of(("What did Trump say about tariffs?", first)))
    assert quoted(typed) == quoted(second) and [c.quote for c in typed.citations] == [c.quote for c in second.citations]


@pytest.mark.parametrize("follow_up", ["more", "And more?", "Show me more, please", "next page"])
def test_more_follows_an_ellipsis_and_survives_other_follow_ups(digest, follow_up):
    melania = digest.ask("What did Melania Trump say?")
    donald = digest.ask("And Donald Trump?", history=history_of(("What did Melania Trump say?", melania)))
    assert donald.answer.startswith("Donald Trump (President) said") and donald.more is not None
    turns = [("What did Melania Trump say?", melania), ("And Donald Trump?", donald)]
    second = digest.ask(follow_up, history=history_of(*turns))
    assert "Quotations 11–20 of " in second.answer
    # A "more" in between does not hide the question before it from the next follow-up.
    first = digest.ask("What did Trump say?")
    again = digest.ask(follow_up, history=history_of(("What did Trump say?", first)))
    back = digest.ask("And Melania Trump?", history=history_of(("What did Trump say?", first), (follow_up, again)))
    assert back.answer.startswith("Melania Trump said")


def test_more_is_not_rewritten_by_an_llm(digest, monkeypatch):
    """Fake chat model (a test double for an outside LLM) that would rewrite "more" as the first
    question again: "more" is read before any model is asked, and the model is not called."""
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from assistant.llm import LLMAnswerer

    model = FakeListChatModel(responses=["What did Trump say?"])
    llm = LLMAnswerer(model, digest.answerer, refusal_threshold=digest.settings.refusal_threshold)
    monkeypatch.setattr(digest.pipeline, "llm", llm)
    first = digest.ask("What did Trump say?")
    second = digest.ask("more", history=history_of(("What did Trump say?", first)))
    assert "Quotations 11–20 of " in second.answer and model.i == 0


def test_a_title_and_surname_is_the_same_choice_as_the_surname(digest):
    assert digest.ask("What did President Trump say?").answer.startswith("Donald Trump (President) said")


def test_a_day_that_does_not_exist_is_a_clear_error(digest):
    from assistant import QuestionError

    with pytest.raises(QuestionError, match="“on June 31” is not a day"):
        digest.ask("What did Trump say on June 31?")


# -- the API ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(digest):
    return TestClient(create_app(digest), raise_server_exceptions=False)


def test_api_pages_a_speakers_quotations(client, donald):
    (first,) = client.get("/api/speakers/Trump/quotes").json()
    assert first["name"] == "Donald Trump" and first["total"] == donald.quotations
    assert sum(len(d["quotations"]) for d in first["by_document"]) == 10 and first["next_offset"] == 10
    assert first["remaining"] == donald.quotations - 10
    dates = [d["date"] for d in first["by_document"]]
    assert dates == sorted(dates, reverse=True)
    (second,) = client.get("/api/speakers/Trump/quotes", params={"page": 2}).json()
    (same,) = client.get("/api/speakers/Trump/quotes", params={"offset": 10}).json()
    assert second == same and second["offset"] == 10
    texts = {q["text"] for d in first["by_document"] for q in d["quotations"]}
    assert not texts & {q["text"] for d in second["by_document"] for q in d["quotations"]}
    (everything,) = client.get("/api/speakers/Trump/quotes", params={"limit": 1000}).json()
    assert sum(len(d["quotations"]) for d in everything["by_document"]) == donald.quotations
    assert everything["next_offset"] is None
    (recent,) = client.get("/api/speakers/Trump/quotes", params={"since": "2026-01-01", "limit": 1000}).json()
    assert recent["total"] < donald.quotations and all(d["date"] >= "2026-01-01" for d in recent["by_document"])


@pytest.mark.parametrize("params, message", [
    ({"page": 2, "offset": 3}, "either offset or page"),
    ({"page": 0}, ""),
    ({"limit": 0}, ""),
    ({"since": "2026-05-01", "until": "2026-01-01"}, "is after until"),
    ({"since": "May"}, ""),
])
def test_api_refuses_a_bad_page(client, params, message):
    response = client.get("/api/speakers/Trump/quotes", params=params)
    assert response.status_code == 422 and message in response.text


def test_api_ask_continues_with_more(client):
    first = client.post("/api/ask", json={"question": "What did Trump say?"}).json()
    assert first["more"]["offset"] == 10 and first["more"]["ask"] == "What did Donald Trump say? (from quotation 11)"
    history = [{"role": "user", "content": "What did Trump say?"}, {"role": "assistant", "content": first["answer"]}]
    second = client.post("/api/ask", json={"question": "more", "history": history}).json()
    assert second["answer"].startswith("Donald Trump (President) said, in ")
    assert "Quotations 11–20 of " in second["answer"]
    assert not {c["quote"] for c in first["citations"]} & {c["quote"] for c in second["citations"]}


def test_openai_route_continues_with_more(client):
    first = client.post("/v1/chat/completions", json={"messages": [
        {"role": "user", "content": "What did Trump say?"}]}).json()["choices"][0]["message"]["content"]
    assert "Quotations 1–10 of " in first
    second = client.post("/v1/chat/completions", json={"messages": [
        {"role": "user", "content": "What did Trump say?"}, {"role": "assistant", "content": first},
        {"role": "user", "content": "Show me more"}]}).json()["choices"][0]["message"]["content"]
    assert "Quotations 11–20 of " in second


# -- the CLI (a process each) ------------------------------------------------------------------


@pytest.mark.slow
def test_cli_quotes_pages(digest, donald):
    folder = digest.settings.index_dir
    result = run_cli("quotes", "Trump", index_dir=folder)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        f"Donald Trump (President): {donald.quotations} quotations in {donald.documents} documents")
    assert lines[1] == f"Quotations 1-10 of {donald.quotations}, newest document first."
    assert sum(bool(re.match(r"^  \d+-\d+  ", line)) for line in lines) == 10
    (listed,) = json.loads(run_cli("quotes", "Trump", "--json", index_dir=folder).stdout)
    assert lines[-1] == (f"{donald.quotations - 10} more quotations in {listed['remaining_documents']} documents: "
                         "assistant quotes Trump --page 2 (or --all)")
    second = run_cli("quotes", "Trump", "--page", "2", index_dir=folder)
    assert f"Quotations 11-20 of {donald.quotations}" in second.stdout
    everything = run_cli("quotes", "Trump", "--all", "--json", index_dir=folder)
    (speaker,) = json.loads(everything.stdout)
    assert sum(len(d["quotations"]) for d in speaker["by_document"]) == donald.quotations
    bad = run_cli("quotes", "Trump", "--page", "0", index_dir=folder)
    assert bad.returncode != 0 and "no page 0" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.slow
def test_cli_ask_shows_the_digest(digest, donald):
    result = run_cli("ask", "What did Trump say?", index_dir=digest.settings.index_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Donald Trump (President) said, in ")
    assert sum(line.startswith("- ") for line in result.stdout.splitlines()) == 10
    assert f"{donald.quotations - 10} more quotations in " in result.stdout
