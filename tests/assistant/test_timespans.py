"""Times in quotation questions ("on Friday", "in March", "last week") read as spans of document
dates, counted from a given today, and taken out of the question so they are not its topic."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.errors import QuestionError
from assistant.quote_questions import parse_quotation_question
from assistant.timespans import find_timespan

WEDNESDAY = date(2026, 3, 11)


@pytest.mark.parametrize("question, today, first, last", [
    ("What did Budrys say on Friday?", WEDNESDAY, "2026-03-06", "2026-03-06"),
    ("What did Budrys say Friday?", WEDNESDAY, "2026-03-06", "2026-03-06"),
    ("What did Budrys say on Wednesday?", WEDNESDAY, "2026-03-11", "2026-03-11"),  # today is Wednesday
    ("What did Budrys say last Wednesday?", WEDNESDAY, "2026-03-04", "2026-03-04"),
    ("What did Budrys say yesterday?", WEDNESDAY, "2026-03-10", "2026-03-10"),
    ("What did Budrys say last week?", WEDNESDAY, "2026-03-02", "2026-03-08"),
    ("What did Budrys say this week?", WEDNESDAY, "2026-03-09", "2026-03-15"),
    ("What did Budrys say last month?", date(2026, 1, 5), "2025-12-01", "2025-12-31"),
    ("What did Budrys say this month?", WEDNESDAY, "2026-03-01", "2026-03-31"),
    ("What did Budrys say in March?", WEDNESDAY, "2026-03-01", "2026-03-31"),
    ("What did Budrys say in December?", date(2026, 1, 5), "2025-12-01", "2025-12-31"),  # the latest December
    ("What did Budrys say in Feb 2024?", WEDNESDAY, "2024-02-01", "2024-02-29"),
    ("What did Budrys say on March 3?", WEDNESDAY, "2026-03-03", "2026-03-03"),
    ("What did Budrys say on 3 March 2025?", WEDNESDAY, "2025-03-03", "2025-03-03"),
    ("What did Budrys say on 2025-11-30?", WEDNESDAY, "2025-11-30", "2025-11-30"),
    ("What did Budrys say in 2025?", WEDNESDAY, "2025-01-01", "2025-12-31"),
    ("What did Budrys say last year?", WEDNESDAY, "2025-01-01", "2025-12-31"),
    ("What did Budrys say in the last 3 days?", WEDNESDAY, "2026-03-09", "2026-03-11"),
    ("What did Budrys say over the past two weeks?", WEDNESDAY, "2026-02-26", "2026-03-11"),
    ("What did Budrys say since January?", WEDNESDAY, "2026-01-01", "2026-03-11"),
])
def test_a_time_is_a_span_of_dates(question, today, first, last):
    span = find_timespan(question, today)
    assert span is not None and (span.first.isoformat(), span.last.isoformat()) == (first, last)
    assert span.holds(first) and span.holds(last) and not span.holds(None)


@pytest.mark.parametrize("question", [
    "What did Budrys say about Friday's vote?",  # a topic, not a time
    "What did May say?",  # a person
    "What did Budrys say about the March elections?",
    "Quotes from Joe Friday",  # names, not times
    "What did USA Today say?",
    "What did Budrys say about today's vote?",
    "What did Budrys say about last week's summit?",
    "What did Budrys say about the last year of the war?",
    "What did Budrys say about the tariffs in 2025 and beyond?",
    "What did Budrys say about the past year?",
])
def test_no_time_where_there_is_none(question):
    assert find_timespan(question, WEDNESDAY) is None


@pytest.mark.parametrize("question, today, first, last", [
    ("What did Budrys say on February 29?", WEDNESDAY, "2024-02-29", "2024-02-29"),  # the latest one
    ("What did Budrys say in the past week?", WEDNESDAY, "2026-03-05", "2026-03-11"),
    ("What did Budrys say over the past year?", WEDNESDAY, "2025-03-12", "2026-03-11"),
    ("What did Budrys say in the last few days?", WEDNESDAY, "2026-03-09", "2026-03-11"),
    ("What did Budrys say recently?", WEDNESDAY, "2026-02-10", "2026-03-11"),
    ("What did Budrys say from 2025-01-01 to 2025-01-31?", WEDNESDAY, "2025-01-01", "2025-01-31"),
    ("What did Budrys say today about Europe?", WEDNESDAY, "2026-03-11", "2026-03-11"),
])
def test_more_ways_to_say_when(question, today, first, last):
    test_a_time_is_a_span_of_dates(question, today, first, last)


@pytest.mark.parametrize("question", [
    "What did Budrys say on February 30?", "What did Budrys say on June 31?", "What did Budrys say in the last 0 days?",
])
def test_a_day_that_does_not_exist_is_said_so(question):
    span = find_timespan(question, WEDNESDAY)
    assert span is not None and span.impossible
    with pytest.raises(QuestionError, match="is not a day"):
        parse_quotation_question(question, WEDNESDAY)


def test_the_time_is_not_the_topic():
    parsed = parse_quotation_question("What did Budrys say about the European Union last week?", WEDNESDAY)
    assert parsed is not None and parsed.who == "Budrys" and parsed.topic == "the European Union"
    assert parsed.when is not None and parsed.when.describe() == "2026-03-02 to 2026-03-08"
    on_friday = parse_quotation_question("What did Budrys say on Friday?", WEDNESDAY)
    assert on_friday is not None and on_friday.topic == "" and on_friday.when is not None
    assert parse_quotation_question("What did May say?", WEDNESDAY).who == "May"  # type: ignore[union-attr]


def test_more_continues_the_last_quotation_question_a_page_per_more():
    from assistant.followups import is_more
    from assistant.quote_questions import continued_question

    assert all(map(is_more, ["more", "More.", "next page", "show me more quotations", "the rest, please", "ok, more"]))
    assert not any(map(is_more, ["more about Europe", "What more did he say?", "tell me about Budrys"]))
    asked = {"role": "user", "content": "What did Budrys say about Europe in 2025?"}
    reply = {"role": "assistant", "content": "..."}
    more = {"role": "user", "content": "more"}
    once = continued_question([asked, reply])
    assert once is not None and (once.who, once.topic, once.offset) == ("Budrys", "Europe", 10)
    assert once.when is not None and once.when.describe() == "2025-01-01 to 2025-12-31"
    twice = continued_question([asked, reply, more, reply])
    assert twice is not None and twice.offset == 20
    # After another question, "more" is not about Budrys any longer.
    assert continued_question([asked, reply, {"role": "user", "content": "Where is Vilnius?"}, reply]) is None
    assert continued_question([]) is None
