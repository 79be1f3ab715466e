"""Answers over the seed article: the README behaviours, and the citation contract."""

from __future__ import annotations

import numpy as np
import pytest

from ..helpers import assert_answer_contract


def _normalise(text: str) -> str:
    return " ".join(text.replace("’", "'").split())


def test_budrys_is_quoted_with_citation(seed_assistant):
    answer = seed_assistant.ask("What did Budrys say?")
    assert not answer.refused
    text = _normalise(answer.answer)
    for words in [
        "We have the intention to go forward at the European level",
        "it's time sensitive",
        "the way forward is bilaterally",
    ]:
        assert words in text
    assert "[1]" in answer.answer
    first = answer.citations[0]
    assert first.n == 1 and first.source == "seeds/lithuania-critical-minerals.txt"
    # The quote is his statement itself; the passage it is cited in says it is his.
    assert "time is of the essence" in first.quote
    assert "Budrys" in {p.chunk_id: p for p in answer.passages}[first.chunk_id].text


def test_prime_minister_is_named_with_citation(seed_assistant):
    answer = seed_assistant.ask("Who is the prime minister of Lithuania?")
    assert not answer.refused
    assert "Inga Ruginienė" in answer.answer
    cited = [c for c in answer.citations if "Inga Ruginienė" in c.quote]
    assert cited and f"[{cited[0].n}]" in answer.answer


@pytest.mark.parametrize(
    "question",
    ["What is the capital of France?", "How many moons does Jupiter have?", "Who won the 1998 football World Cup?"],
)
def test_questions_outside_the_documents_are_refused(seed_assistant, question):
    answer = seed_assistant.ask(question)
    assert answer.refused
    assert answer.citations == []
    assert "[1]" not in answer.answer
    assert "do not answer" in answer.answer


QUESTIONS = [
    "What did Budrys say?",
    "Who is the prime minister of Lithuania?",
    "What did Ruginienė say about the armed forces?",
    "Where was the statement made?",
    "How many countries agreed to establish price floors?",
    "What restrictions did Beijing impose?",
    "What does the U.S. National Defense Strategy expect from NATO allies?",
    "Why is Lithuania considering a bilateral deal?",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_citation_quotes_the_document_exactly(seed_assistant, question):
    answer = seed_assistant.ask(question)
    assert_answer_contract(answer, chunks_by_id=seed_assistant.store.chunks_by_id)
    assert all(c.source == "seeds/lithuania-critical-minerals.txt" for c in answer.citations)


def test_answer_json_matches_the_contract(fake_seed_assistant):
    data = fake_seed_assistant.ask("What did Budrys say?").model_dump()
    assert set(data) == {"question", "answer", "refused", "citations", "passages", "verification", "timings_ms",
                         "more"}
    assert data["more"] is None  # six quotations: one page
    assert data["verification"] == {"supported_share": 1.0, "removed": []}  # extractive: verbatim
    assert set(data["citations"][0]) == {
        "n", "source", "title", "chunk_id", "start", "end", "quote", "score", "url", "page"}
    for citation in data["citations"]:  # the viewer at exactly the cited characters; no pages in a .txt
        (document,) = [d for d in fake_seed_assistant.documents() if d.source == citation["source"]]
        assert citation["url"] == f"/documents/{document.doc_id}?start={citation['start']}&end={citation['end']}"
        assert citation["page"] is None
        text = fake_seed_assistant.document(document.doc_id).text
        assert text[citation["start"] : citation["end"]] == citation["quote"]
    assert set(data["passages"][0]) == {"chunk_id", "source", "title", "start", "end", "text", "score"}
    assert {"retrieve", "answer", "total"} <= set(data["timings_ms"])
    scores = [p["score"] for p in data["passages"]]
    assert scores == sorted(scores, reverse=True)


def test_k_limits_the_passages(fake_seed_assistant):
    for question in ("What did Budrys say?", "Why is Lithuania considering a bilateral deal?"):  # both routes
        for k in (2, 7):
            assert len(fake_seed_assistant.ask(question, k=k).passages) == k


def test_chain_is_a_langchain_runnable(seed_assistant):
    answer = seed_assistant.chain.invoke("Who is the prime minister of Lithuania?")
    assert "Ruginienė" in answer.answer
    quoted = seed_assistant.chain.invoke("What did Budrys say?")
    assert quoted.answer == seed_assistant.ask("What did Budrys say?").answer


def test_where_questions_prefer_sentences_naming_a_place(seed_assistant):
    answer = seed_assistant.ask("Where was the statement about going forward bilaterally made?")
    assert not answer.refused
    assert any("Munich Security Conference" in c.quote for c in answer.citations)


def test_unit_vector_cache_embeds_each_sentence_once_and_forgets_the_oldest():
    from assistant.units import VectorCache

    calls = []

    def encode(texts):
        calls.append(list(texts))
        return np.array([[float(len(t)), 1.0] for t in texts], dtype=np.float32)

    cache = VectorCache(size=3)
    first = cache.get_or_compute(["aa", "b", "aa"], encode)
    assert calls == [["aa", "b"]] and first.tolist() == [[2, 1], [1, 1], [2, 1]]
    cache.get_or_compute(["b", "ccc"], encode)
    assert calls[-1] == ["ccc"]
    cache.get_or_compute(["dddd"], encode)  # over the size: "aa", the least recently used, goes
    cache.get_or_compute(["aa", "b"], encode)
    assert calls[-1] == ["aa"]


def test_a_second_ask_reuses_the_sentence_vectors(seed_assistant):
    seed_assistant.ask("What restrictions did Beijing impose?")
    before = seed_assistant.embedder.texts_embedded
    answer = seed_assistant.ask("What restrictions did Beijing impose?")
    assert seed_assistant.embedder.texts_embedded == before  # question vector and sentence vectors cached
    assert "export restrictions" in answer.answer
