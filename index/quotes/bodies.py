"""Organisations speaking without their name next to the verb: "the company" when two are named
(the one that opened the sentence before), "It said ..." after one spoke, "..., it said" after a
sentence opening with one, and "its owners said" before the one named next."""

from __future__ import annotations

import re

from ..names import NAME_RUN_PATTERN, UPPER, split_title
from . import rules
from .lexicon import KIND_OF_WORD, LEAD_ALTERNATIVES
from .people import Person
from .spans import QuotedText, Said


def continued_organisation(doc: QuotedText, role: str, at: int) -> Person | None:
    """ "The company (also) said" when two companies are named: the one that opened the sentence
    before, as its subject ("Hoshino Motors said ... The company also said ...")."""
    kind = role.split()[-1]
    start = doc.sentence_start(at)
    previous = doc.text[doc.sentence_start(max(0, start - 2)):start]
    m = rules.LEADING_RUN.match(previous)
    org = doc.people.organisation(m.group("run")) if m else None
    return doc.people.resolve(org) if org and kind in doc.people.organisations[org] else None


def organisation_named_next(doc: QuotedText, at: int, body: str = "", kind: str | None = None) -> Person | None:
    """The organisation that opens the sentence after `at` as the subject of a speech verb: "...,
    the sport's governing body said. The International Cycling Union said ...". Only in the same
    paragraph, or from a lead's first paragraph into the next; not one of another kind than the
    body says ("the league's organisers" are no Football Association; `kind`: "the port operator"
    may be one of unknown kind), nor one that speaks "too"."""
    opening = _NEXT_OPENING.match(doc.text, at, at + 300)
    if not opening or ("\n" in opening.group() and not doc.in_lead(at)):
        return None
    start = opening.end()
    word = doc.text[start:start + 60].split(None, 1)[0] if doc.text[start:start + 1].strip() else ""
    owner = re.match(r"[Tt]he\s+([a-z]+)['’]s?\s", body)  # "the league's organisers": a league
    owned = owner.group(1) if owner and owner.group(1) in KIND_OF_WORD else None
    for org in doc.people.organisations_starting(word):  # longest first
        m = _SAYS_NEXT.match(doc.text, start + len(org)) if doc.text.startswith(org, start) else None
        kinds = doc.people.organisations[org]
        if m and (owned is None or owned in kinds) and (kind is None or kind in kinds or kinds == {"organisation"}):
            end = doc.text.find(".", m.end())
            return None if _ANOTHER_ONE.search(doc.text, m.end(), end if end >= 0 else len(doc.text)) else (
                doc.people.resolve(org))
    return None


# After the name opening the next sentence: its apposition, if any, and its speech verb.
_SAYS_NEXT = re.compile(r"(?:,[^,;“”\"]{1,100},)?\s+(?:said|says)\b")
# Between a sentence's end and the next one's subject: spaces, a paragraph break, "The".
_NEXT_OPENING = re.compile(r"[ \t.]*(?:\n[ \t]*)*(?:The\s+)?")
# A statement that says it is one more: "Glastonbury Festival said it would take a fallow year too".
_ANOTHER_ONE = re.compile(r"\b(?:too|also|as\s+well|likewise|separately)\b")


def opening_organisation(doc: QuotedText, s: str) -> Person | None:
    """The one organisation named in a sentence's first words ("Stockholm's public transport
    company SL will double ..., it said"), none named before it."""
    head = s[:80]
    named = [o for o in doc.people.organisations
             if o in head and re.search(rf"(?<![\w'’]){re.escape(o)}(?![\w'’])", head)]
    first = min((head.find(o) for o in named), default=-1)
    lead = head[:first].strip()
    if len(named) != 1 or (lead and not _ORGANISATION_DESCRIPTION.fullmatch(lead)):
        return None
    return doc.people.resolve(named[0])


# Before an organisation's name opening a sentence: "Stockholm's public transport company", "Colombia's".
# Its words are a noun phrase ending in a kind of organisation, no verb: not "The regulator fined".
_ORGANISATION_DESCRIPTION = re.compile(
    rf"(?:The|[{UPPER}][\w\-]*['’]s)(?:\s+(?:(?!(?:{rules.PREPOSITIONS}|the|a|an)\b|[a-z]+ed\b)"
    rf"[a-z][\w\-]*\s+){{0,2}}(?:{LEAD_ALTERNATIVES}))?|(?:The\s+)?(?:{LEAD_ALTERNATIVES})")


def organisation_that_spoke_before(doc: QuotedText, start: int) -> str | None:
    """The one organisation that spoke in the sentence before `start`, in its paragraph ("The mine's
    operator, Minera Cerro Dorado, said in a statement ... It said ...")."""
    lo = doc.sentence_start(max(0, start - 2))
    if lo not in doc.sentence_starts or any(p_lo == start for p_lo in doc.paragraph_starts) or lo >= start:
        return None
    previous = doc.text[lo:start]
    if _OTHER_IT.search(previous):
        return None  # "Acme said a court had ruled against it. It said ...": the court, maybe
    spoke = [o for o in doc.people.organisations if o in previous and re.match(  # the subject, before its verb
        rf"\s*(?:[^,;“”\"]{{1,60}},\s+)?(?:[Tt]he\s+)?{re.escape(o)}(?:\s+\([A-Z]{{2,8}}\))?(?:,[^,;]{{1,120}},)?,?"
        rf"\s+(?:also\s+)?(?:said|says)\b", previous)]
    spoke = [o for o in spoke if not any(o != other and o in other for other in spoke)]
    return spoke[0] if len(spoke) == 1 else None


# What else "it" may be in the sentence before: "a court had ruled", "a report from the WHO".
_OTHER_IT = re.compile(  # nouns, not the verbs: "said it would study the decision" is no study
    r"\b(?:a|an|the|its|their|his|her)\s+(?:[\w\-]+\s+){0,2}?"
    r"(?:court|report|study|ruling|survey|judge|tribunal|panel|review|inquiry|audit)\b")


def its_own(doc: QuotedText, s: str, start: int, clause_end: int) -> Said | None:
    """An organisation's statement ending ", it said" that opens with "the <kind>" (one we know) or
    with its name after words saying what it is."""
    kind = rules.ITS_OWN_KIND.match(s)
    if not kind:
        org = opening_organisation(doc, s)  # "Stockholm's public transport company SL will ..., it said"
    elif (org := doc.people.with_role(kind.group().casefold(), start)) and not 0 <= doc.text.find(org.name) < start:
        return None  # "the company" is only one named before it
    if org is None or not doc.people.is_organisation(org.name):
        return None
    item = Said(start, start + clause_end, kind="reported")
    item.speaker, item.attribution, item.name_at = org.name, "person", start
    return item


def who_made_the_statement(doc: QuotedText, item: Said) -> Person | None:
    """Who "the statement" (or filing, letter) of a quote's attribution is: the one organisation
    that spoke in the sentence before, or the one speaker of that sentence's quotes when it says
    "statement" and names nobody else ("X said in a statement it had “...”. “...,” the statement said")."""
    at = doc.sentence_start(item.open_mark if item.kind == "direct" else item.start)
    if org := organisation_that_spoke_before(doc, at):
        return doc.people.resolve(org)
    lo = doc.sentence_start(max(0, at - 2))
    quoted = {s.speaker for s in doc.spans if s.speaker and lo <= s.open_mark < at and s.attribution == "person"}
    if len(quoted) != 1 or lo >= at or not re.search(r"\bstatement\b", doc.text[lo:at]):
        return None
    named = {getattr(doc.people.find(r.group()), "name", None) for r in NAME_RUN_PATTERN.finditer(doc.text, lo, at)
             if not doc.in_quote(r.start()) and len(split_title(r.group())[1].split()) >= 2}
    return None if named - quoted else doc.people.people.get(quoted.pop())
