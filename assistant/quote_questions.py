"""Quotation questions, recognised by rule (no model): "What did Budrys say (about Y) (in March)?",
"Quotes from X", and "more" for the next page of the last one. A question a page on has a
self-contained form too, `QuotationQuestion.text()`: "What did Donald Trump say in March 2026? (from
quotation 11)", which the answer offers as its follow-up, so that no history is needed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from .errors import QuestionError
from .followups import is_more, resolve_follow_up
from .quote_digest import PAGE_SIZE
from .timespans import Timespan, find_timespan

__all__ = ["QuotationQuestion", "continued_question", "parse_quotation_question"]

_WHO = r"(?P<who>[^?!,;:]{1,80}?)"
_TOPIC = r"(?:\s+(?:about|on|regarding|concerning|of)\s+(?P<topic>.+?))?"
_SAY = r"(?:say|said|state|stated|claim|claimed|have\s+to\s+say|had\s+to\s+say|been\s+saying)"
_PLEASE = r"(?:(?:please|can\s+you|could\s+you)\s+)?(?:(?:tell|show|give)\s+me|list|find)?\s*"
_QUESTIONS = [
    # What did Budrys say (about Y)? / What has Budrys said? / Tell me what Budrys said about Y
    re.compile(rf"^{_PLEASE}what\s+(?:did|does|do|has|have|had)\s+{_WHO}\s+{_SAY}{_TOPIC}$", re.I),
    re.compile(rf"^{_PLEASE}what\s+{_WHO}\s+(?:said|says|has\s+said|stated){_TOPIC}$", re.I),
    # Did Budrys say anything about Y? / Has Budrys said anything?
    re.compile(rf"^(?:did|has|have|does|had)\s+{_WHO}\s+{_SAY}\s+anything{_TOPIC}$", re.I),
    # Quotes from Budrys (about Y) / Show me all quotations by Budrys
    re.compile(
        rf"^{_PLEASE}(?:all\s+|the\s+|any\s+)?(?:quotes|quotations|statements)\s+(?:from|by|of)\s+{_WHO}{_TOPIC}$", re.I
    ),
    # Budrys quotes / Budrys's quotes
    re.compile(rf"^{_PLEASE}{_WHO}(?:’s|'s)?\s+(?:quotes|quotations|statements){_TOPIC}$", re.I),
]
_PRONOUNS = frozenset("he she they him her them it i you we anyone someone everyone people".split())
_VAGUE_TOPICS = frozenset("it this that these those them him her".split())



@dataclass(frozen=True)
class QuotationQuestion:
    who: str  # the person as asked: "Budrys", "the prime minister"
    topic: str = ""  # "the European Union" in "... say about the European Union?"
    when: Timespan | None = None  # the documents' dates asked for ("in March"), or None for any
    offset: int = 0  # rank of the first quotation to show: 0, then PAGE_SIZE after one "more", ...

    def text(self, who: str | None = None) -> str:
        """The question in words the parser reads back the same, dates absolute ("last week" asked
        on another day is another week): 'What did Donald Trump say about tariffs from 2026-03-02 to
        2026-03-08? (from quotation 11)'.

        >>> QuotationQuestion("Budrys", "the EU", offset=10).text("Kestutis Budrys")
        'What did Kestutis Budrys say about the EU? (from quotation 11)'
        """
        about = f" about {self.topic}" if self.topic else ""
        when = ""
        if self.when is not None:
            first, last = self.when.first.isoformat(), self.when.last.isoformat()
            when = f" on {first}" if first == last else f" from {first} to {last}"
        page = f" (from quotation {self.offset + 1})" if self.offset else ""
        return f"What did {who or self.who} say{about}{when}?{page}"


def continued_question(history: Sequence[dict], today: date | None = None) -> QuotationQuestion | None:
    """The quotation question a "more" continues: the last user question before it that is not a
    "more" itself (read as the follow-up it was: "And Donald Trump?" after "What did Melania Trump
    say?"), moved one page on for each "more" since (this one included); None when that question
    is not a quotation question.

    >>> history = [{"role": "user", "content": "What did Budrys say?"}, {"role": "assistant", "content": "..."}]
    >>> continued_question(history)
    QuotationQuestion(who='Budrys', topic='', when=None, offset=10)
    """
    pages = 1
    turns = list(history)
    for i in range(len(turns) - 1, -1, -1):
        if turns[i].get("role") != "user":
            continue
        content = str(turns[i].get("content") or "")
        if is_more(content):
            pages += 1
            continue
        parsed = parse_quotation_question(content, today) or parse_quotation_question(
            resolve_follow_up(content, turns[:i]).question, today)
        return replace(parsed, offset=parsed.offset + pages * PAGE_SIZE) if parsed else None
    return None


_FROM_QUOTATION = re.compile(r"\s*\(from quotation (?P<n>\d{1,9})\)\s*$", re.I)


def parse_quotation_question(question: str, today: date | None = None) -> QuotationQuestion | None:
    """The person (and topic) a "what did X say?" question asks about, or None.

    >>> parse_quotation_question("What did Budrys say about the European Union?")
    QuotationQuestion(who='Budrys', topic='the European Union', when=None, offset=0)
    >>> parse_quotation_question("quotes from Inga Ruginienė")
    QuotationQuestion(who='Inga Ruginienė', topic='', when=None, offset=0)
    >>> parse_quotation_question("Where did he say it?") is None
    True
    >>> parse_quotation_question("What did Budrys say in May 2026?", date(2026, 12, 1)).when.describe()
    '2026-05-01 to 2026-05-31'
    """
    text = " ".join(question.split())
    page = _FROM_QUOTATION.search(text)
    offset = int(page.group("n")) - 1 if page and int(page.group("n")) > 0 else 0
    text = text[: page.start()] if page else text
    text = text.rstrip("?!. ")
    when = find_timespan(text, today)
    if when is not None:
        text = when.rest.rstrip("?!. ")
    for pattern in _QUESTIONS:
        m = pattern.match(text)
        if not m:
            continue
        who, topic = m.group("who").strip(), (m.group("topic") or "").strip()
        if not who or who.casefold() in _PRONOUNS or len(who.split()) > 6 or topic.casefold() in _VAGUE_TOPICS:
            return None  # "what did he say about it?" is a follow-up for retrieval to place
        if when is not None and when.impossible:
            raise QuestionError(f"“{when.phrase}” is not a day on the calendar: ask for another date, or "
                                f"leave the time out to see every date.")
        return QuotationQuestion(who=who, topic=topic, when=when, offset=offset)
    return None
