""""What did X say?" answered from the quotation index: every statement of the person, each cited at
its exact characters, grouped by document; "about Y" ranked; anything else left to retrieval."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.quotations import QuotationQuestion, parse_quotation_question
from assistant.turn import text_deltas

from ..helpers import HARBOUR, SEED_FILE, assert_answer_contract

# What the seed article has Budrys say: three quoted sentences and one reported statement.
BUDRYS = [
    "time is of the essence",
    "We have the intention to go forward at the European level",
    "But it’s time sensitive.",
    "We demand everyone’s interest within the European Union.",
    "If not, then the way forward is bilaterally.",
]
RUGINIENE = [
    "the need to strengthen the European Union’s defense capabilities",
    "We need the armed forces of European countries and U.S. Troops",
    "the absolute top priority should be to strengthen the European Union",
]

SMITHS = (
    "Two Smiths at the science fair\n"
    "Professor John Smith opened the science fair in Dunmore. “Curiosity is the engine of every discovery,” "
    "John Smith said.\n"
    "Later, engineer Jane Smith showed her solar boat. “The boat runs all day on sunlight alone,” Jane Smith said.\n"
)
CRANE = (
    "Port budget\n"
    "Mayor Ana Kovač presented the budget in Portvale. “The harbour needs a new crane for the container ships "
    "that arrive every week from the north. The old crane failed three times this winter and its repairs cost "
    "more than a new one would. We will also pave the road to the ferry terminal before the summer season "
    "begins,” Kovač said.\n"
)


def check_citations(assistant, answer) -> None:
    """The Answer contract, each quote inside the chunk it names, and every cited chunk a passage."""
    assert_answer_contract(answer, chunks_by_id=assistant.store.chunks_by_id, cited_among_passages=True)


@pytest.fixture(scope="module")
def news(embedder, tmp_path_factory):
    """An index of the seed article and three short articles with tricky speakers."""
    from assistant import Assistant, Settings

    folder = tmp_path_factory.mktemp("news")
    (folder / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    (folder / "smiths.txt").write_text(SMITHS, encoding="utf-8")
    (folder / SEED_FILE.name).write_text(SEED_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    assistant = Assistant(Settings(index_dir=tmp_path_factory.mktemp("news-index")), embedder=embedder)
    assistant.ingest([folder])
    return assistant


# -- recognising the questions -----------------------------------------------------------------


@pytest.mark.parametrize("question, expected", [
    ("What did Budrys say?", QuotationQuestion("Budrys")),
    ("what did budrys say", QuotationQuestion("budrys")),
    ("What has Inga Ruginienė said?", QuotationQuestion("Inga Ruginienė")),
    ("What did Budrys say about the European Union?", QuotationQuestion("Budrys", "the European Union")),
    ("Did Budrys say anything about China?", QuotationQuestion("Budrys", "China")),
    ("Has Ruginiene said anything?", QuotationQuestion("Ruginiene")),
    ("Quotes from Kestutis Budrys", QuotationQuestion("Kestutis Budrys")),
    ("Show me all quotations by Budrys on defence", QuotationQuestion("Budrys", "defence")),
    ("Budrys's quotes", QuotationQuestion("Budrys")),
    ("What did the prime minister say?", QuotationQuestion("the prime minister")),
    ("Tell me what Budrys said about the deal.", QuotationQuestion("Budrys", "the deal")),
    ("What did John F. Kennedy say?", QuotationQuestion("John F. Kennedy")),
    ("What did he say?", None),  # a follow-up: retrieval with the history places it
    ("What did Budrys say about it?", None),
    ("Where did Budrys say it?", None),
    ("Who is the prime minister of Lithuania?", None),
    ("What does the U.S. National Defense Strategy expect from NATO allies?", None),
])
def test_quotation_questions_are_recognised_by_rule(question, expected):
    assert parse_quotation_question(question) == expected


# -- the seed article --------------------------------------------------------------------------


@pytest.mark.parametrize("question", ["What did Budrys say?", "What has Kestutis Budrys said?", "Quotes from budrys"])
def test_every_statement_of_budrys_is_cited_and_nothing_else(seed_assistant, question):
    answer = seed_assistant.ask(question)
    assert not answer.refused and answer.question == question
    check_citations(seed_assistant, answer)
    quotes = " ".join(c.quote for c in answer.citations)
    for statement in BUDRYS:
        assert statement in quotes and statement in answer.answer
    assert not any(s in quotes or s in answer.answer for s in RUGINIENE)
    # Exactly the three spans the extractor found, in document order, one a line.
    assert [(c.start, c.end) for c in answer.citations] == [(1401, 1487), (1490, 1547), (1586, 1712)]
    lines = answer.answer.splitlines()
    assert lines[0].startswith("Kestutis Budrys (Lithuanian Foreign Minister) said")
    assert "Lithuania critical minerals" in lines[0]
    assert [line[-3:] for line in lines[1:]] == ["[1]", "[2]", "[3]"]
    assert all(line.startswith("- ") for line in lines[1:])
    assert {"retrieve", "answer", "total", "quotations"} <= set(answer.timings_ms)


@pytest.mark.parametrize(
    "question", ["What did Ruginienė say?", "What did Ruginiene say?", "what did INGA RUGINIENE say"]
)
def test_ruginiene_with_or_without_the_accent(seed_assistant, question):
    answer = seed_assistant.ask(question)
    check_citations(seed_assistant, answer)
    quotes = " ".join(c.quote for c in answer.citations)
    assert all(s in quotes for s in RUGINIENE) and len(answer.citations) == 3
    assert not any(s in quotes for s in BUDRYS)
    assert answer.answer.startswith("Inga Ruginienė (Prime Minister) said")


def test_about_a_topic_ranks_the_relevant_statements_first(seed_assistant):
    answer = seed_assistant.ask("What did Budrys say about the European Union?")
    check_citations(seed_assistant, answer)
    assert "European Union" in answer.citations[0].quote
    scores = [c.score for c in answer.citations]
    assert scores == sorted(scores, reverse=True)
    assert not any(s in c.quote for c in answer.citations for s in RUGINIENE)


def test_a_title_finds_the_one_person_bearing_it(seed_assistant):
    answer = seed_assistant.ask("What did the prime minister say?")
    assert answer.answer.startswith("Inga Ruginienė (Prime Minister) said") and len(answer.citations) == 3


def test_a_follow_up_is_routed_as_resolved(seed_assistant):
    history = [{"role": "user", "content": "What did Budrys say?"}, {"role": "assistant", "content": "..."}]
    answer = seed_assistant.ask("And the prime minister?", history=history)
    assert answer.question == "And the prime minister?"
    assert answer.answer.startswith("Inga Ruginienė") and all(s in answer.answer for s in RUGINIENE)


@pytest.mark.parametrize("question", ["What did Trump say?", "What did Lithuania say?", "Did Kestutis say anything?"])
def test_nobody_quoted_by_that_name_goes_through_retrieval_unchanged(seed_assistant, question):
    assert seed_assistant.quotations.match(question) is None
    turn = seed_assistant.retrieve(question)
    expected = seed_assistant.answerer.answer(turn)
    answer = seed_assistant.ask(question)
    assert (answer.answer, answer.refused) == (expected.answer, expected.refused)
    assert [c.quote for c in answer.citations] == [c.quote for c in expected.citations]


def test_k_still_sets_the_passages_and_every_cited_chunk_is_among_them(seed_assistant):
    for k in (1, 2, 7):
        answer = seed_assistant.ask("What did Budrys say?", k=k)
        check_citations(seed_assistant, answer)
        assert len(answer.passages) == max(k, len({c.chunk_id for c in answer.citations}))


def test_streaming_gives_the_same_answer_in_pieces(seed_assistant):
    items = list(seed_assistant.ask_stream("What did Budrys say?"))
    *deltas, final = items
    assert "".join(deltas) == final.answer and len(deltas) > 3
    assert final.answer == seed_assistant.ask("What did Budrys say?").answer
    assert "".join(text_deltas(final.answer)) == final.answer  # line breaks survive the pieces


# -- several documents and speakers -------------------------------------------------------------


def test_irrelevant_statements_are_dropped_and_the_relevant_first(news):
    answer = news.ask("What did Kovač say about the ferry?")
    check_citations(news, answer)
    quotes = [c.quote for c in answer.citations]
    assert quotes == ["The new ferry will cut the crossing to the island to twenty minutes"]
    football = news.ask("Did Kovac say anything about football?")
    assert [c.quote for c in football.citations] == ["Our football team deserves a new stadium before the next season"]


def test_quoted_but_not_about_the_topic_says_so_and_cites_nothing(news):
    answer = news.ask("What did Kovač say about the weather in Spain?")
    assert answer.refused and answer.citations == []
    said = "Ana Kovač (Mayor) is quoted in the documents, but nothing they said there is about the weather"
    assert said in answer.answer


def test_a_shared_surname_answers_for_each_person_labelled(news):
    answer = news.ask("What did Smith say?")
    check_citations(news, answer)
    assert answer.answer.startswith("“Smith” may be any of 2 people")
    john, jane = answer.answer.index("John Smith (Professor) said"), answer.answer.index("Jane Smith said")
    curiosity, boat = answer.answer.index("Curiosity is the engine"), answer.answer.index("The boat runs all day")
    assert john < curiosity < jane < boat or jane < boat < john < curiosity
    assert news.ask("What did Jane Smith say?").answer.count("[") == 1


def test_quotations_are_grouped_by_document(news, tmp_path):
    answer = news.ask("What did the mayor say?")  # one mayor in the index: Ana Kovač
    assert answer.answer.startswith("Ana Kovač (Mayor) said, in “Harbour council approves ferry plan”")
    assert len(answer.citations) == 2


def test_a_quotation_longer_than_a_chunk_is_cited_piece_by_piece(make_assistant, tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "crane.txt").write_text(CRANE, encoding="utf-8")
    assistant = make_assistant(chunk_words=20)
    assistant.ingest([tmp_path / "docs"])
    (quotation,) = assistant.store.quotations("Kovač")
    answer = assistant.ask("What did Kovač say?")
    check_citations(assistant, answer)
    assert len({c.chunk_id for c in answer.citations}) == len(answer.citations) == 3
    assert answer.citations[0].start == quotation.start and answer.citations[-1].end == quotation.end
    assert " ".join(c.quote for c in answer.citations) == " ".join(quotation.text.split())
    (line,) = [line for line in answer.answer.splitlines() if line.startswith("- ")]
    assert line.endswith("[1][2][3]")


def test_an_index_without_quotations_still_answers_by_retrieval(make_assistant, tmp_path):
    import sqlite3

    from index import CATALOGUE_FILE

    assistant = make_assistant()
    assistant.ingest([SEED_FILE])
    with sqlite3.connect(Path(assistant.settings.index_dir) / CATALOGUE_FILE) as db:
        db.execute("DELETE FROM quotations")  # as after an upgrade, before the next ingest
    answer = assistant.ask("What did Budrys say?")
    # Retrieval answers; its units are plain sentences until the next ingest stores the quotation spans.
    assert not answer.refused and "Budrys said" in answer.answer and "quotations" in answer.timings_ms
    assert not answer.answer.startswith("Kestutis Budrys (Lithuanian Foreign Minister) said")
