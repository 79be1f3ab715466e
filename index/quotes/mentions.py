"""Who a text names where a pronoun looks back: every name outside quotes with the person it stands
for, where a name is a place or an organisation rather than someone who could be "he" or "she"."""

from __future__ import annotations

import re
from bisect import bisect_right

from ..names import COMPOUND_ADJECTIVE, NAME_RUN, NAME_RUN_PATTERN, ROLE_NOUNS, split_title
from . import lexicon, rules
from .spans import QuotedText, Said

# position, the known person named ("" when unknown, UNKNOWN_PERSON and its gender if known for a
# full name we do not know as a speaker: "?m" for "Daniel Price"), whether it is an attribution
Mention = tuple[int, str, bool]
UNKNOWN_PERSON = "?"
# Before a name in an attribution's tail, a circumstance ("said in the Rose Garden"), not a person.
_PLACE_LEAD = re.compile(r"\b(?:in|at|aboard|outside|inside|near|from|of|before|after|during|on)\s+(?:the\s+)?$")
# Before "the foreign minister", a comma after a word: an apposition to the name before, not someone else.
_APPOSITION = re.compile(r"\w,\s*$")
_LOCATIVE = re.compile(r"\b(?:in|at|aboard|outside|inside|near)\s+(?:the\s+)?$")
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")
_ROLES = "|".join(sorted(ROLE_NOUNS))


def known(name: str) -> bool:
    return bool(name) and not name.startswith(UNKNOWN_PERSON)


def _unknown(doc: QuotedText, name: str) -> str:
    """How a name that is no known speaker counts: a full name is someone, of its gender if known."""
    return UNKNOWN_PERSON + doc.people.gender(name) if " " in name else ""


def placed(doc: QuotedText, at: int) -> bool:
    """Whether the name at `at` follows "in", "at", "aboard": a place ("at Kingsbridge General")."""
    return bool(_LOCATIVE.search(doc.text, max(0, at - 12), at))


# Before a name nobody knows as a person, where places and events go: "from Bab Chellah station",
# "bound for Bangkok", "in Glasgow and Aberdeen", "last year's Tour".
WHERE = re.compile(
    rf"(?:\b(?:in|at|from|to|for|of|near|into|across|on)\s+(?:the\s+)?(?:{NAME_RUN}\s+(?:and|or)\s+)?|"
    rf"\b(?:year|week|month|season)['’]s\s+)$")  # "last year's Tour"


_OF_A_PLACE = re.compile(r"\b(?:city|town|village|province|region|district|county|state|port|island|capital)\s+of\s+$")


def somewhere(doc: QuotedText, at: int, name: str) -> bool:
    """Whether an unknown name (no known person) is a place or an event by where it stands: a lone
    word ("bound for Bangkok"), or a longer one followed by a noun ("from Bab Chellah station");
    not a full name of no given gender ("lost the final to Eliud Kipchoge")."""
    if known(name) or name not in ("", UNKNOWN_PERSON):
        return False
    m = NAME_RUN_PATTERN.match(doc.text, at)
    if m and m.group().casefold() in lexicon.PLACES | lexicon.NEWS_OUTLETS:
        return True  # "said Iceland would ...", "told Reuters that ..."
    if _OF_A_PLACE.search(doc.text, max(0, at - 30), at):
        return True  # "the delta city of Can Tho"
    if not WHERE.search(doc.text, max(0, at - 40), at):
        return False
    return name == "" or bool(m and re.match(r"\s+(?:station|airport|hall|street|square|bridge|park|port|road)\b",
                                             doc.text[m.end():m.end() + 12]))


def gender_of(doc: QuotedText, name: str) -> str:
    return name[1:] if name.startswith(UNKNOWN_PERSON) else doc.people.gender(name)


def find_mentions(doc: QuotedText, items: list[Said]) -> list[Mention]:
    """Every name outside quotes, with the known person it names ("" if none), and every
    attribution of a quote to a person. Organisations count as names we cannot tell are people;
    a place in the tail of an attribution ("Trump said in the Rose Garden") does not count."""
    people = doc.people
    mentions = [(i.name_at, "" if people.is_organisation(i.speaker) else i.speaker, True)
                for i in items if i.speaker and i.attribution == "person"]
    tails = _attribution_tails(doc, items)
    organisations = _organisation_spans(doc)  # in order, not overlapping
    organisation_starts = [lo for lo, _ in organisations]
    sentence_starts = set(doc.sentence_starts)
    for m in NAME_RUN_PATTERN.finditer(doc.text):
        name = split_title(m.group())[1]
        if not name or doc.in_quote(m.start()) or COMPOUND_ADJECTIVE.fullmatch(m.group()):
            continue
        in_tail = any(lo <= m.start() < hi for lo, hi in tails)
        if in_tail and _PLACE_LEAD.search(doc.text, max(0, m.start() - 20), m.start()):
            continue
        person = people.find(m.group())
        inside = bisect_right(organisation_starts, m.start()) - 1  # the organisation named where the name starts
        if (person and people.is_organisation(person.name)) or (
                inside >= 0 and m.end() <= organisations[inside][1]  # but not "U.S. District Judge Tom Hale"
        ) or _EMPLOYER.search(doc.text, max(0, m.start() - 60), m.start()):
            continue  # "the University of Hamburg", "Halvorsen Bank", "an analyst at Nordlys Maritime": no he or she
        if person or len(name.split()) > 1 or m.start() not in sentence_starts:  # "Critics said": no name
            unknown = "" if placed(doc, m.start()) else _unknown(doc, name)
            mentions.append((m.start(), person.name if person else unknown, False))
    for m in rules.SOMEONE.finditer(doc.text):
        if not doc.in_quote(m.start()) and not _APPOSITION.search(doc.text, max(0, m.start() - 3), m.start()):
            person = people.with_role(m.group().casefold()) if m.group("role") else None
            if person and people.is_organisation(person.name):
                person = None
            mentions.append((m.start(), person.name if person else "", False))
    return sorted(mentions)


# Before the organisation a person works for: "an analyst at ", "the chief executive of ".
_EMPLOYER = re.compile(rf"\b(?:an?|the|its|their)\s+(?:[\w\-]+\s+){{0,2}}?(?:{_ROLES})\s+(?:at|of|with)\s+(?:the\s+)?$")


def _organisation_spans(doc: QuotedText) -> list[tuple[int, int]]:
    """Where the document names its organisations of more than one word ("University of Hamburg")."""
    names = doc.people.long_organisations
    if not names:
        return []
    return [m.span() for m in re.finditer("|".join(map(re.escape, names)), doc.text)]


def _attribution_tails(doc: QuotedText, items: list[Said]) -> list[tuple[int, int]]:
    """From the name of each quote attributed after it to the end of that sentence."""
    tails = []
    for item in items:
        if item.kind == "direct" and item.speaker and item.name_at >= item.close_mark:
            end = _SENTENCE_END.search(doc.text, item.name_at)
            tails.append((item.name_at, end.end() if end else len(doc.text)))
    return tails
