"""Follow-up questions without an LLM: history brought in only when the question leans on it."""

from __future__ import annotations

import pytest

from assistant.followups import FollowUp, names_in, resolve_follow_up

BUDRYS = [{"role": "user", "content": "What did Budrys say?"}, {"role": "assistant", "content": "He said ... [1]"}]


@pytest.mark.parametrize(
    "question, expected",
    [
        ("And the prime minister?", FollowUp("What did the prime minister say?", "What did the prime minister say?")),
        ("what about Ruginienė?", FollowUp("What did Ruginienė say?", "What did Ruginienė say?")),
        ("Where did he say it?", FollowUp("Where did he say it? Budrys", "Where did he say it?")),
        ("Why does his government want a deal?",
         FollowUp("Why does his government want a deal? Budrys", "Why does his government want a deal?")),
        # Self-contained: left alone.
        ("Who is the prime minister of Lithuania?", FollowUp("Who is the prime minister of Lithuania?",
                                                             "Who is the prime minister of Lithuania?")),
        ("What did Budrys say about the EU?", FollowUp("What did Budrys say about the EU?",
                                                       "What did Budrys say about the EU?")),
        ("What is the capital of France?",
         FollowUp("What is the capital of France?", "What is the capital of France?")),
    ],
)
def test_follow_ups_are_resolved_by_rule(question, expected):
    assert resolve_follow_up(question, BUDRYS) == expected


@pytest.mark.parametrize(
    "history", [None, [], [{"role": "assistant", "content": "Hello"}], [{"role": "user", "content": " "}]]
)
def test_without_an_earlier_question_nothing_changes(history):
    question = "Where did he say it?"
    assert resolve_follow_up(question, history) == FollowUp(question, question)


def test_names_skip_the_sentence_start():
    assert names_in("Who met Inga Ruginienė in Vilnius?") == ["Inga Ruginienė", "Vilnius"]


def test_pronoun_follow_up_retrieves_the_earlier_subject(seed_assistant):
    answer = seed_assistant.ask("Where did he say it?", history=BUDRYS)
    assert answer.question == "Where did he say it?"
    assert "Munich Security Conference" in answer.passages[0].text
    # The answer names the place: the sentence after Budrys's words, which it points back to.
    assert not answer.refused and "Munich Security Conference" in answer.answer


def test_pronoun_follow_up_cites_the_venue(seed_assistant):
    answer = seed_assistant.ask("Where did he say it?", history=BUDRYS)
    assert any("Munich Security Conference" in c.quote for c in answer.citations)


def test_ellipsis_follow_up_answers_about_the_new_subject(seed_assistant):
    answer = seed_assistant.ask("And the prime minister?", history=BUDRYS)
    assert not answer.refused and "Ruginienė" in answer.answer


@pytest.mark.parametrize("question", ["Who is the prime minister of Lithuania?", "What is the capital of France?"])
def test_a_new_topic_is_not_polluted_by_the_old_one(seed_assistant, question):
    alone = seed_assistant.ask(question)
    after = seed_assistant.ask(question, history=BUDRYS)
    assert after.answer == alone.answer and after.refused == alone.refused
    assert [c.quote for c in after.citations] == [c.quote for c in alone.citations]
