"""Bad input: every odd question gets a clear message or an honest answer, never a crash.

The checks made before anything is retrieved run over the seed index built with the fake embedding
(tests/fakes.py); the questions that are answered use the real model.
"""

from __future__ import annotations

import pytest

from assistant import Assistant, NoIndexError, QuestionError, Settings


@pytest.mark.parametrize("question", ["", "   ", "\n\t ", "\x00\x01\x1f"])
def test_empty_questions_are_rejected_with_a_message(fake_seed_assistant, question):
    with pytest.raises(QuestionError, match="type a question"):
        fake_seed_assistant.ask(question)
    with pytest.raises(QuestionError, match="type a question"):
        list(fake_seed_assistant.ask_stream(question))
    with pytest.raises(QuestionError, match="type a question"):
        fake_seed_assistant.chain.invoke(question)


def test_a_huge_question_is_rejected_with_its_length_and_the_limit(fake_seed_assistant):
    with pytest.raises(QuestionError) as err:
        fake_seed_assistant.ask("Budrys " * 14_286)  # 100,002 characters
    message = str(err.value)
    assert "100002" in message and str(fake_seed_assistant.settings.max_question_chars) in message
    assert "shorten" in message.lower()
    with pytest.raises(QuestionError, match="100002"):
        fake_seed_assistant.chain.invoke("Budrys " * 14_286)


def test_control_characters_are_removed(seed_assistant):
    answer = seed_assistant.ask("What did\x00 Budrys\x1b say?\x07")
    assert answer.question == "What did Budrys say?"
    assert not answer.refused


@pytest.mark.parametrize(
    "question",
    ["Что сказал Будрис?", "布德里斯说了什么？", "ما الذي قاله بودريس؟", "🙂🙂🙂", "' OR 1=1; --",
     '"unbalanced *quote'],
)
def test_other_scripts_and_symbols_get_an_answer_or_a_refusal(seed_assistant, question):
    answer = seed_assistant.ask(question)
    assert answer.refused or answer.citations
    assert answer.answer


def test_asking_before_any_ingest_says_what_to_do(fake_embedder, tmp_path):
    assistant = Assistant(Settings(index_dir=tmp_path / "index"), embedder=fake_embedder)
    with pytest.raises(NoIndexError, match="assistant ingest"):
        assistant.ask("What did Budrys say?")
    with pytest.raises(NoIndexError, match="assistant ingest"):
        assistant.chain.invoke("What did Budrys say?")
