"""He/she: the person a pronoun stands for, from the names before it, and their gender when the
text says it ("Mrs.", "spokeswoman", a common given name, an earlier "he" resolved to them)."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from ..names import NAME_RUN_PATTERN, split_title
from . import lexicon, rules
from .spans import QuotedText, Said

PRONOUN_REACH = 2000  # characters back a pronoun looks for its person, at most (long paragraphs)
GENDER_REACH = 2  # paragraphs back, besides its own, a gendered pronoun looks for the one of its gender
# Before a name in an attribution's tail, a circumstance ("said in the Rose Garden"), not a person.
_PLACE_LEAD = re.compile(r"\b(?:in|at|aboard|outside|inside|near|from|of|before|after|during|on)\s+(?:the\s+)?$")

# Before "the foreign minister", a comma after a word: an apposition to the name before, not someone else.
_APPOSITION = re.compile(r"\w,\s*$")
_LOCATIVE = re.compile(r"\b(?:in|at|aboard|outside|inside|near)\s+(?:the\s+)?$")
# "the Nigerian-born actor", "a London-based bank": an adjective, no name.
_COMPOUND_ADJECTIVE = re.compile(r"\w+-(?:born|based|backed|led|owned|run|funded|made|style|speaking|bred|raised)")
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")
# position, the known person named ("" when unknown, UNKNOWN_PERSON and its gender if known for a
# full name we do not know as a speaker: "?m" for "Daniel Price"), whether it is an attribution
Mention = tuple[int, str, bool]
UNKNOWN_PERSON = "?"


def resolve_pronouns(doc: QuotedText, items: list[Said]) -> None:
    """He/she: the person named last before it, in this or the previous paragraph, if that name
    is a known person and either the only person named there or the speaker of a quote. A name
    we cannot tell is a person ("Riga", "Tesla") makes the pronoun ambiguous. When that person's
    gender is known and not the pronoun's, or the rule finds nobody, the one person of the
    pronoun's gender it can mean (see `_by_gender`). In document order, so a resolved pronoun
    counts as a mention for the next one."""
    mentions = _mentions(doc, items)
    positions = [m[0] for m in mentions]
    starts = [lo for lo, _ in doc.paragraphs]
    for item in sorted((i for i in items if i.attribution == "pronoun"), key=lambda i: i.name_at):
        p = max(0, bisect_right(starts, item.name_at) - 1)
        end = bisect_left(positions, item.name_at)
        lo = item.name_at - PRONOUN_REACH
        window = mentions[bisect_left(positions, max(starts[max(0, p - 1)], lo)):end]
        gender = "f" if doc.text[item.name_at:item.name_at + 3].casefold() == "she" else "m"
        speaker = _by_position(window) or _by_paragraph(doc, mentions[bisect_left(positions, starts[p]):end], gender)
        if speaker and not doc.people.gender(speaker) and any(
                _known(name) and name != speaker and doc.people.gender(name) == gender
                for _, name, _ in mentions[bisect_left(positions, starts[p]):end]):
            speaker = None  # "she" after Mrs. Orton and then Dale Finch (no gender known), in one paragraph
        if not speaker or doc.people.gender(speaker) not in ("", gender):
            wide = mentions[bisect_left(positions, max(starts[max(0, p - GENDER_REACH)], lo)):end]
            own = mentions[bisect_left(positions, starts[p]):end]
            speaker = _by_gender(doc, wide, gender) or _by_elimination(doc, own, gender, item.name_at)
        if speaker:
            item.speaker, item.attribution = speaker, "person"
            doc.people.learn_gender(speaker, gender)
            positions.insert(end, item.name_at)
            mentions.insert(end, (item.name_at, speaker, True))


def _by_position(window: list[Mention]) -> str | None:
    """The person named last, if the only one named in the window or the speaker of a quote."""
    if not window or not _known(window[-1][1]):
        return None
    return window[-1][1] if len({name for _, name, _ in window}) == 1 or window[-1][2] else None


def _by_paragraph(doc: QuotedText, own: list[Mention], gender: str) -> str | None:
    """The one person the pronoun's own paragraph names before it, nothing else named there, of
    no other gender: "Industry analyst Femke de Wit was less excited. She said ..." is de Wit,
    whatever the paragraph before named."""
    names = {name for _, name, _ in own}
    if len(names) != 1 or not _known(speaker := names.pop()):
        return None
    return speaker if doc.people.gender(speaker) in ("", gender) else None


def _by_gender(doc: QuotedText, window: list[Mention], gender: str) -> str | None:
    """The last person of the pronoun's gender, when every other person named in the window is
    known to be of the other one (a full name we know nothing of counts against), and nothing we
    cannot tell is a person ("Chile") is named after them.
    "She said" after Sofia Reyes and Thomas Becker is Reyes; after Price and Marsh, "he" is nobody."""
    last = next((i for i in range(len(window) - 1, -1, -1) if _known(window[i][1])
                 and doc.people.gender(window[i][1]) == gender), None)
    if last is None:
        return None
    speaker = window[last][1]
    others = {name for _, name, _ in window if name and name != speaker}
    if any(_gender(doc, name) != ("m" if gender == "f" else "f") for name in others):
        return None
    return speaker if all(name for _, name, _ in window[last:]) else None


def _by_elimination(doc: QuotedText, own: list[Mention], gender: str, at: int) -> str | None:
    """The one person of unknown gender in the pronoun's own paragraph when everyone else named
    there is known to be of the other gender, nothing else is named, and no unnamed person of the
    pronoun's gender comes up after them ("his mother"): "she" after Alvarez (a "he") and Kline is Kline."""
    names = {name for _, name, _ in own}
    if not names or not all(_known(name) for name in names):
        return None
    other = "m" if gender == "f" else "f"
    unknown = [name for name in names if doc.people.gender(name) == ""]
    rest = names - set(unknown)
    if len(unknown) != 1 or not rest or not all(doc.people.gender(n) == other for n in rest):
        return None
    since = max(pos for pos, name, _ in own if name == unknown[0])
    words = {w.casefold() for w in re.findall(r"[\w.]+", doc.text[since:at])}
    return None if words & (lexicon.FEMALE_WORDS if gender == "f" else lexicon.MALE_WORDS) else unknown[0]


def _known(name: str) -> bool:
    return bool(name) and not name.startswith(UNKNOWN_PERSON)


def _unknown(doc: QuotedText, name: str) -> str:
    """How a name that is no known speaker counts: a full name is someone, of its gender if known."""
    return UNKNOWN_PERSON + doc.people.gender(name) if " " in name else ""


def _placed(doc: QuotedText, at: int) -> bool:
    """Whether the name at `at` follows "in", "at", "aboard": a place ("at Kingsbridge General")."""
    return bool(_LOCATIVE.search(doc.text, max(0, at - 12), at))


def _gender(doc: QuotedText, name: str) -> str:
    return name[1:] if name.startswith(UNKNOWN_PERSON) else doc.people.gender(name)


def _mentions(doc: QuotedText, items: list[Said]) -> list[Mention]:
    """Every name outside quotes, with the known person it names ("" if none), and every
    attribution of a quote to a person. Organisations count as names we cannot tell are people;
    a place in the tail of an attribution ("Trump said in the Rose Garden") does not count."""
    people = doc.people
    mentions = [(i.name_at, "" if people.is_organisation(i.speaker) else i.speaker, True)
                for i in items if i.speaker and i.attribution == "person"]
    tails = _attribution_tails(doc, items)
    organisations = _organisation_spans(doc)
    sentence_starts = set(doc.sentence_starts)
    for m in NAME_RUN_PATTERN.finditer(doc.text):
        name = split_title(m.group())[1]
        if not name or doc.in_quote(m.start()) or _COMPOUND_ADJECTIVE.fullmatch(m.group()):
            continue
        in_tail = any(lo <= m.start() < hi for lo, hi in tails)
        if in_tail and _PLACE_LEAD.search(doc.text, max(0, m.start() - 20), m.start()):
            continue
        person = people.find(m.group())
        if (person and people.is_organisation(person.name)) or any(lo <= m.start() < hi for lo, hi in organisations):
            continue  # "the University of Hamburg", "Halvorsen Bank": no he or she
        if person or len(name.split()) > 1 or m.start() not in sentence_starts:  # "Critics said": no name
            unknown = "" if _placed(doc, m.start()) else _unknown(doc, name)
            mentions.append((m.start(), person.name if person else unknown, False))
    for m in rules.SOMEONE.finditer(doc.text):
        if not doc.in_quote(m.start()) and not _APPOSITION.search(doc.text, max(0, m.start() - 3), m.start()):
            person = people.with_role(m.group().casefold()) if m.group("role") else None
            if person and people.is_organisation(person.name):
                person = None
            mentions.append((m.start(), person.name if person else "", False))
    return sorted(mentions)


def _organisation_spans(doc: QuotedText) -> list[tuple[int, int]]:
    """Where the document names its organisations of more than one word ("University of Hamburg")."""
    names = sorted((o for o in doc.people.organisations if " " in o), key=len, reverse=True)
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
