"""Answers meet the question's constraints, and near misses are refused honestly: the seed cases of
issue 12 and a near miss built for the purpose. The measured rates are a benchmark (bench/near_miss.py)."""

from __future__ import annotations

from index import load_document

from ..helpers import SEEDS

TEXT = load_document(SEEDS / "lithuania-critical-minerals.txt").text


def test_what_china_restricted_is_answered(seed_assistant):
    answer = seed_assistant.ask("What did China restrict?")
    assert not answer.refused
    assert any("export restrictions on so-called rare earths" in c.quote for c in answer.citations)


def test_where_budrys_spoke_names_the_place(seed_assistant):
    answer = seed_assistant.ask("Where was Budrys speaking?")
    assert not answer.refused and "Munich Security Conference" in answer.answer


def test_a_question_the_documents_do_not_answer_is_refused(seed_assistant):
    for question in ["Who won the 2022 Nobel Prize in Physics?", "What is the capital of France?"]:
        answer = seed_assistant.ask(question)
        assert answer.refused and answer.verification.supported_share == 1.0, question




def test_a_near_miss_says_what_the_documents_say_instead(tmp_path, make_assistant):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "literature.txt").write_text(
        "Nobel Prize in Literature\n\nTanzanian novelist Abdulrazak Gurnah won the 2021 Nobel Prize in Literature "
        "for his uncompromising and compassionate penetration of the effects of colonialism. The Swedish Academy "
        "announced the prize in Stockholm on October 7.\n", encoding="utf-8")
    (folder / "harbour.txt").write_text(
        "Harbour works\n\nThe harbour of Kelvara was deepened in 2019 so that larger ferries could dock. The works "
        "cost 12 million euros and took two years.\n", encoding="utf-8")
    assistant = make_assistant()
    assistant.ingest([folder])
    near = assistant.ask("Who won the 2022 Nobel Prize in Literature?")
    assert near.refused
    assert near.answer.startswith("The documents do not say who won the 2022 Nobel Prize in Literature.")
    assert "2021 Nobel Prize in Literature [1]" in near.answer
    (citation,) = near.citations
    assert "Abdulrazak Gurnah won the 2021" in citation.quote
    twin = assistant.ask("Who won the 2021 Nobel Prize in Literature?")
    assert not twin.refused and "Abdulrazak Gurnah" in twin.answer
    # A follow-up keeps the earlier question's constraints: the 2021 prize, in physics.
    history = [{"role": "user", "content": "Who won the 2021 Nobel Prize in Literature?"},
               {"role": "assistant", "content": twin.answer}]
    follow_up = assistant.ask("And in physics?", history=history)
    assert follow_up.refused
