"""Bad input: every odd question gets a clear message or an honest answer, never a crash."""

from __future__ import annotations

import pytest

from assistant import NoIndexError, QuestionError


@pytest.mark.parametrize("question", ["", "   ", "\n\t ", "\x00\x01\x1f"])
def test_empty_questions_are_rejected_with_a_message(seed_assistant, question):
    with pytest.raises(QuestionError, match="type a question"):
        seed_assistant.ask(question)


def test_a_huge_question_is_rejected_with_its_length_and_the_limit(seed_assistant):
    with pytest.raises(QuestionError) as err:
        seed_assistant.ask("Budrys " * 14_286)  # 100,002 characters
    message = str(err.value)
    assert "100002" in message and str(seed_assistant.settings.max_question_chars) in message
    assert "shorten" in message.lower()


def test_control_characters_are_removed(seed_assistant):
    answer = seed_assistant.ask("What did\x00 Budrys\x1b say?\x07")
    assert answer.question == "What did Budrys say?"
    assert not answer.refused


@pytest.mark.parametrize(
    "question",
    ["Что сказал Будрис?", "布德里斯说了什么？", "ما الذي قاله بودريس؟", "🙂🙂🙂", "' OR 1=1; --", '"unbalanced *quote'],
)
def test_other_scripts_and_symbols_get_an_answer_or_a_refusal(seed_assistant, question):
    answer = seed_assistant.ask(question)
    assert answer.refused or answer.citations
    assert answer.answer


def test_asking_before_any_ingest_says_what_to_do(make_assistant):
    assistant = make_assistant()
    with pytest.raises(NoIndexError, match="assistant ingest"):
        assistant.ask("What did Budrys say?")
