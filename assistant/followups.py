"""Follow-up questions without a language model: bring the earlier turns' subject in, only when needed.

Two kinds of follow-up are recognised by rule:

- an ellipsis ("And the prime minister?", "What about China?") is rewritten into the previous
  question with its subject replaced: "What did Budrys say?" -> "What did the prime minister say?";
- a question leaning on a pronoun ("Where did he say it?") keeps its own words for choosing the
  answer, but retrieval also searches for the previous question's names ("Budrys"), because the
  history tells where to look while the question tells what answers it.

A question with names of its own and no pronoun pointing back is left alone, so a new topic is
not polluted by the old one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_ELLIPSIS = re.compile(r"^\s*(?:and|but|also|and what about|what about|how about)\b[\s,]*(?P<rest>.*?)[\s?.!]*$", re.I)
_POINTING_BACK = frozenset("he she him his her hers its they them their theirs".split())
_VAGUE = frozenset("it this that these those there then".split())
_NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b(?:[A-Z][\w’'-]*\.?\s?){1,4}")
_VERB_HINT = re.compile(r"\b(is|are|was|were|did|does|do|has|have|had|can|will|would|say|said)\b", re.I)


# "more", "show me more", "next page", "the rest please": the next page of the last quotation answer
_MORE = re.compile(
    r"^(?:(?:please\s+)?(?:show|give|tell|list)\s+(?:me\s+)?|(?:and|ok|okay|yes)[,\s]+)?(?:some\s+|the\s+)?"
    r"(?:more|next(?:\s+page)?|rest|continue|go\s+on|keep\s+going)"
    r"(?:\s+(?:quotes|quotations|statements|of\s+them|results|of\s+those))?(?:[,\s]+please)?$",
    re.I,
)


def is_more(question: str) -> bool:
    """Whether the question asks for the next page of the previous answer.

    >>> [is_more(q) for q in ["more", "Show me more quotes, please", "next page", "more about Europe"]]
    [True, True, True, False]
    """
    return bool(_MORE.match(" ".join(question.split()).rstrip("?!. ")))


@dataclass(frozen=True)
class FollowUp:
    retrieval_query: str  # what to search for
    question: str  # what the answer must answer


def names_in(text: str) -> list[str]:
    """Capitalised word runs that are not just the first word of the sentence.

    >>> names_in("What did Kestutis Budrys say about the EU?")
    ['Kestutis Budrys', 'EU']
    """
    return [m.group().strip() for m in _NAME.finditer(text) if m.group().strip()]


_PREPOSITION = re.compile(r"^(in|of|for|at|on|from|during|about|by|with)\s+(.+)$", re.IGNORECASE)
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")


def _substitute(previous: str, subject: str) -> str:
    """The previous question with the follow-up's fragment in place of what it replaces, so the
    previous question's other constraints hold ("And in physics?" after "Who won the 2021 Nobel
    Prize in Literature?" asks about the 2021 prize in physics).

    >>> _substitute("Who won the 2021 Nobel Prize in Literature?", "in physics")
    'Who won the 2021 Nobel Prize in physics?'
    >>> _substitute("Who won the 2021 Nobel Prize in Literature?", "in 2022")
    'Who won the 2022 Nobel Prize in Literature?'
    >>> _substitute("What did Budrys say?", "the prime minister")
    'What did the prime minister say?'
    """
    bare = _PREPOSITION.match(subject)
    fragment = bare.group(2) if bare else subject
    if _YEAR.fullmatch(fragment.strip()) and _YEAR.search(previous):
        return _YEAR.sub(fragment.strip(), previous, count=1)
    if bare:
        # The last phrase the previous question opened with the same preposition gives way.
        phrases = list(re.finditer(rf"\b{re.escape(bare.group(1))}\s+[^?.!,;]+", previous, re.IGNORECASE))
        if phrases:
            last = phrases[-1]
            return previous[: last.start()] + subject + previous[last.end():]
        return f"{previous.rstrip('?.! ')} {subject}?"
    previous_names = names_in(previous)
    if previous_names:
        return previous.replace(previous_names[0], subject, 1)
    return f"{previous.rstrip('?.! ')} {subject}?"


def resolve_follow_up(question: str, history: Sequence[dict] | None) -> FollowUp:
    """The question to search for and to answer, given earlier turns (oldest first, each
    {"role", "content"}); without a usable earlier question, the question itself.

    >>> h = [{"role": "user", "content": "What did Budrys say?"}]
    >>> resolve_follow_up("And the prime minister?", h).question
    'What did the prime minister say?'
    >>> resolve_follow_up("Where did he say it?", h)
    FollowUp(retrieval_query='Where did he say it? Budrys', question='Where did he say it?')
    >>> resolve_follow_up("Who is Inga Ruginienė?", h).retrieval_query
    'Who is Inga Ruginienė?'
    """
    previous = next((t["content"] for t in reversed(history or [])
                     if t.get("role") == "user" and not is_more(str(t.get("content") or ""))), None)
    if not previous or not previous.strip():
        return FollowUp(question, question)
    ellipsis = _ELLIPSIS.match(question)
    if ellipsis and ellipsis.group("rest") and not _VERB_HINT.search(ellipsis.group("rest")):
        rewritten = _substitute(previous, ellipsis.group("rest"))
        return FollowUp(rewritten, rewritten)
    words = {w.lower() for w in re.findall(r"[\w’']+", question)}
    own_names = names_in(question)
    leans_back = bool(words & _POINTING_BACK) or (bool(words & _VAGUE) and not own_names)
    context = [name for name in names_in(previous) if name not in question]
    if leans_back and context:
        return FollowUp(f"{question} {' '.join(context)}", question)
    return FollowUp(question, question)
