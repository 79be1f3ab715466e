"""The one check of the Answer contract (tests/helpers.py) catches each way an answer can break it."""

from __future__ import annotations

import pytest

from assistant.models import Answer

from .helpers import assert_answer_contract

TEXT = "Budrys spoke in Munich. He said the way forward is bilaterally. Nobody else spoke."
SOURCE = "news/budrys.txt"
TEXTS = {SOURCE: TEXT}


def citation(n: int, quote: str, **changes) -> dict:
    start = TEXT.index(quote)
    return {"n": n, "source": SOURCE, "title": "Budrys", "chunk_id": "c1", "start": start,
            "end": start + len(quote), "quote": quote, "score": 0.9, **changes}


def passage(start: int, end: int, score: float, **changes) -> dict:
    return {"chunk_id": f"c{start}", "source": SOURCE, "title": "Budrys", "start": start, "end": end,
            "text": TEXT[start:end], "score": score, **changes}


def answer(text: str, citations: list[dict], passages: list[dict] | None = None) -> dict:
    return {"question": "q", "answer": text, "refused": False, "citations": citations,
            "passages": passages if passages is not None else [passage(0, len(TEXT), 0.8)]}


GOOD = answer("He spoke in Munich [1] and said it was bilateral [2].",
              [citation(1, "Budrys spoke in Munich."), citation(2, "the way forward is bilaterally")])


def test_a_good_answer_passes_as_a_dict_and_as_an_answer():
    assert_answer_contract(GOOD, texts=TEXTS)
    assert_answer_contract(Answer.model_validate(GOOD), texts=TEXTS)
    assert_answer_contract(answer("The documents do not answer this.", [], []), texts=TEXTS)


@pytest.mark.parametrize("broken, why", [
    (answer("Munich [1] and [3].", GOOD["citations"]), "a marker without its citation"),
    (answer("Munich [1].", GOOD["citations"]), "a citation never used"),
    (answer("Munich [2].", [citation(2, "Budrys spoke in Munich.")]), "numbered from 2"),
    (answer("Munich [1].", [citation(1, "Budrys spoke in Munich.", end=10)]), "a quote not at its offsets"),
    (answer("Munich [1].", [citation(1, "spoke in Munich. ")]), "an unstripped quote"),
    (answer("x", [], [passage(0, 10, 0.8, text="something else")]), "a passage not the document's text"),
    (answer("x", [], [passage(0, 10, 0.5), passage(10, 20, 0.9)]), "passages not best first"),
])
def test_each_breach_is_caught(broken, why):
    with pytest.raises(AssertionError):
        assert_answer_contract(broken, texts=TEXTS)


def test_chunks_and_passages_are_checked_when_asked():
    class Chunk:
        source, path, start, end = SOURCE, "/srv/news/budrys.txt", 0, 23  # the first sentence only

    with pytest.raises(AssertionError, match="not inside its chunk"):
        assert_answer_contract(GOOD, texts=TEXTS, chunks_by_id=lambda ids: {i: Chunk() for i in ids})
    with pytest.raises(AssertionError):
        assert_answer_contract(GOOD, texts=TEXTS, cited_among_passages=True)  # c1 is not a passage's chunk
