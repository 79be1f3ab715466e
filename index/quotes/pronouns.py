"""He/she: the person a pronoun stands for, from the names before it, and their gender when the
text says it ("Mrs.", "spokeswoman", a common given name, an earlier "he" resolved to them)."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from ..names import NAME_RUN, NAME_RUN_PATTERN, ROLE_NOUNS, UPPER, split_title
from . import lexicon, rules
from .lexicon import LEAD_ALTERNATIVES
from .mentions import UNKNOWN_PERSON, WHERE, Mention, find_mentions, gender_of, known, placed, somewhere
from .spans import QuotedText, Said

PRONOUN_REACH = 2000  # characters back a pronoun looks for its person, at most (long paragraphs)
GENDER_REACH = 2  # paragraphs back, besides its own, a gendered pronoun looks for the one of its gender

# A sentence's subject: a name after an optional lead that ends in a comma ("Vesely’s coach, ",
# "Its salvage master, ", "On Friday, "), maybe two joined by "and", maybe an apposition, then its
# verb: "Ferrante, 19 and playing in her second major, had served ..." ("One Meridian employee,
# who ..." has none: a noun follows the name).
_VERB = (
    r"(?:[a-z]+ly\s+)?(?:[a-z]+(?:ed|s)|was|is|had|has|did|does|will|would|could|can|may|might|must|should|"
    r"said|told|spoke|took|met|made|gave|went|came|got|saw|knew|thought|won|lost|led|ran|sat|stood|left|kept|"
    r"held|felt|became|began|brought|bought|put|set|wrote|read|drew|rose|fell|struck|hit|paid|sent|spent|"
    r"sang|flew|grew|threw|wore|chose|broke|shook|drove|rode|woke|overcame|beat|let|sought|taught)\b"
)
_ROLES = "|".join(sorted(ROLE_NOUNS))
# Also "Overall leader Julien Carrère of France lost time", "The chef, whose ..., said", and someone
# unnamed: "At the station, one commuter said ..." (then "she" is that commuter, nobody we can name).
_SUBJECT = re.compile(
    rf"\s*(?:(?:[^\s,;“”\"]+\s+){{0,8}}?[^\s,;“”\"]+,\s+)??"  # no lead first: "Ruth Adeyemi, an analyst, was"
    rf"(?:(?P<unnamed>(?:[Aa]n?|[Oo]ne|[Aa]nother)\s+(?:[a-z][\w'’\-]*\s+){{0,3}}?[a-z][\w\-]*)(?:\s+who\s+[^,.;“”\"]{{1,60}}?)?"
    rf"|(?P<role>(?:[Tt]he|[Ii]ts|[Tt]heir|[Hh]is|[Hh]er)\s+(?:[a-z][\w\-]*\s+){{0,2}}?(?:{_ROLES}))"
    rf"|(?:(?:[{UPPER}][\w\-]*\s+(?:\d+\s+)?)?(?:(?!(?:{rules.PREPOSITIONS}|the|a|an)\b|[a-z]+ed\b)"
    rf"[a-z][\w\-]*\s+){{1,3}})?(?P<run>{NAME_RUN})"  # "Retired bus driver Tom Gallacher", "Polish baritone ..."
    rf"(?:\s+and\s+(?P<run2>{NAME_RUN}))?(?P<affiliation>\s+(?:of|from|at)\s+(?:the\s+)?(?:(?:{NAME_RUN}\s+)?"
    rf"(?:[a-z][\w\-]*\s+)?(?:{LEAD_ALTERNATIVES})\s+)?{NAME_RUN}(?:\s+in\s+{NAME_RUN})?"
    rf"|\s+(?:of|from|at)\s+the\s+(?:[a-z][\w\-]*\s+)?{NAME_RUN}\s+(?:{LEAD_ALTERNATIVES}))?)"  # "of the Liberal group"
    rf"(?P<appos>(?:,\s+(?:[^,;]|,(?=\d{{3}})){{1,120}}?){{1,3}},)?,?\s+{_VERB}")  # ", 68, from Paisley,", "1,000"
NOBODY = ""  # what _by_subject gives for someone unnamed


def resolve_pronouns(doc: QuotedText, items: list[Said]) -> None:
    """He/she: the person named last before it, in this or the previous paragraph, if that name
    is a known person and either the only person named there or the speaker of a quote. A name
    we cannot tell is a person ("Riga", "Tesla") makes the pronoun ambiguous. When that person's
    gender is known and not the pronoun's, or the rule finds nobody, the one person of the
    pronoun's gender it can mean (see `_by_gender`). In document order, so a resolved pronoun
    counts as a mention for the next one."""
    mentions = find_mentions(doc, items)
    positions = [m[0] for m in mentions]
    starts = [lo for lo, _ in doc.paragraphs]
    for item in sorted((i for i in items if i.attribution == "pronoun"), key=lambda i: i.name_at):
        p = max(0, bisect_right(starts, item.name_at) - 1)
        end = bisect_left(positions, item.name_at)
        lo = item.name_at - PRONOUN_REACH
        window = mentions[bisect_left(positions, max(starts[max(0, p - 1)], lo)):end]
        gender = "f" if doc.text[item.name_at:item.name_at + 3].casefold() == "she" else "m"
        speaker = _by_subject(doc, item, mentions, starts[p], gender)
        if speaker == NOBODY:
            continue  # the sentence before has someone unnamed as its subject
        speaker = (speaker or _by_position(window)
                   or _by_paragraph(doc, mentions[bisect_left(positions, starts[p]):end], gender))
        if speaker and not doc.people.gender(speaker) and any(
                known(name) and name != speaker and doc.people.gender(name) == gender
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


def _by_subject(doc: QuotedText, item: Said, mentions: list[Mention], paragraph: int, gender: str) -> str | None:
    """The subject of the sentence just before the pronoun's, in its paragraph, when that is a
    person of the pronoun's gender (or of none known) and nobody else who could be meant is
    named after them: "Its salvage master, Piet Janssen, was more cautious. “...,” he told the
    AP." is Janssen; "Mendes and Reyes met. She said ..." is the woman of the two."""
    anchor = min(item.open_mark if item.kind == "direct" else item.start, item.name_at)
    sentences = doc.sentence_starts
    first = bisect_left(sentences, paragraph)
    starts = [s for s in sentences[first:bisect_right(sentences, anchor)] if not doc.in_quote(s - 1)]
    if len(starts) == 1 and starts[0] == paragraph and doc.text[paragraph:paragraph + 1] in "“\"":
        # A paragraph that opens with the quote: the last sentence of the paragraph before.
        before = next((s for s in reversed(sentences[:first]) if not doc.in_quote(s - 1)), None)
        starts = ([before] if before is not None else []) + starts
    if len(starts) < 2:
        return None
    previous, current = starts[-2], starts[-1]
    since = next(lo for lo, hi in doc.paragraphs if lo <= previous <= hi)  # its paragraph, or the one before
    mentions = mentions[bisect_left(mentions, (since,)):bisect_left(mentions, (item.name_at,))]  # only these count
    m = _SUBJECT.match(doc.text, previous, current)
    if (not m or m.group("run") in ("He", "She")) and (
            chained := _same_pronoun_before(doc, mentions, previous, current, item.name_at, gender)):
        return chained  # "He said the objects would go on display. “...,” he told AFP."
    if not m and (quoted := _speaker_of_quote_opening(doc, mentions, previous, current, item.name_at, gender)):
        return quoted  # "“...,” said Jakob Winther, a partner at law firm X. He said ..."
    if not m or any(current <= pos < item.name_at and not somewhere(doc, pos, name) for pos, name, _ in mentions):
        return None  # someone named in the pronoun's own sentence before it ("... to Europe, she" is no one)
    named = (m.group("unnamed") or m.group("role")) and m.group("appos") and NAME_RUN_PATTERN.match(m.group("appos"), 2)
    if named and (not split_title(named.group())[1] or doc.people.organisation(named.group())):
        named = None  # not "The coach, Real Madrid, lost"
    if m.group("unnamed") and not named:
        return NOBODY  # "one commuter said ..."; but "A passenger, Moira Lennox, 67, told ..." is Lennox
    if named:  # "The race director, Ilse Maes, defended the course."
        candidates = [p] if (p := _person(doc, named.group())) else []
    elif m.group("role"):  # "The chef, whose ..., said": the one person with that title
        person = doc.people.with_role(m.group("role").casefold(), m.start())
        if person is None or doc.people.is_organisation(person.name):
            return None
        candidates = [person.name]
    else:
        candidates = [p for g in ("run", "run2") if m.group(g) and (p := _person(doc, m.group(g)))]
    if not candidates or len(candidates) < len([g for g in ("run", "run2") if m.group(g)]):
        return None
    if len(candidates) == 2:  # "Mendes and Reyes": the one of the pronoun's gender, the other not
        of_gender = [c for c in candidates if doc.people.gender(c) == gender]
        if len(of_gender) != 1 or any(doc.people.gender(c) in ("", gender) for c in candidates if c != of_gender[0]):
            return None
        candidates = of_gender
    speaker, other = candidates[0], "m" if gender == "f" else "f"
    if previous < paragraph and doc.people.gender(speaker) != gender and (doc.people.gender(speaker) or any(
            name not in ("", speaker) and not somewhere(doc, pos, name) and not placed(doc, pos)
            and pos not in (m.start("run"), m.start("run2"))  # (the subject itself, first named: "?")
            for pos, name, _ in mentions)):  # (not "in the delta city of Can Tho")
        return None  # across a paragraph break only a person of the pronoun's gender, or the only one named
    if doc.people.gender(speaker) not in ("", gender) or any(
            since <= pos < previous and name and name != speaker and gender_of(doc, name) != other
            and not _names(doc, pos, speaker) and not somewhere(doc, pos, name)
            and not (name == UNKNOWN_PERSON and WHERE.search(doc.text, max(0, pos - 40), pos))  # "in Lower Zambezi"
            for pos, name, _ in mentions):
        return None  # "“...,” said lawyer Cruz. Judge Okonkwo rejected it. “...,” she said": either
    for pos, name, _ in mentions:  # anyone else named in that sentence who could be meant
        if (previous <= pos < current and pos not in (m.start("run"), m.start("run2"))
                and not m.start("affiliation") <= pos < m.end("affiliation")
                and not (m.start("appos") <= pos < m.end("appos") and (
                    _RELATIVE.match(m.group("appos") or "") or name in ("", UNKNOWN_PERSON)))  # ", one of two GPs,"
                and name not in candidates and not _names(doc, pos, *candidates)
                and not _modifier(doc, pos, name) and not placed(doc, pos) and not somewhere(doc, pos, name)
                and not _possessive(doc, pos) and (not name or gender_of(doc, name) != other)
                and not (not name and pos >= m.end() and (_AN_AUDIENCE.match(doc.text, pos) or (  # "asked the judge"
                    _REPORTS.search(doc.text, previous, pos))))
                and not _told_an_outlet(doc, pos)
                and not (not name and m.start("run") >= 0 and pos < m.start("run")  # "The bishop of Zamora, X"
                         and doc.text[:m.start("run")].rstrip().endswith(","))):
            return None  # "After meeting Jane Doe, Smith ..." leaves "she" open; "Vesely’s coach, ..." does not
    return speaker


# The subject's relative clause, background to what they said: "Tomasz Wójcik, who sings Mahler, said ..."
_RELATIVE = re.compile(r",\s+who\s")
# Someone unnamed after the subject's verb who is an audience, not a speaker to answer: "Cruz asked
# the judge for leniency. “...,” she said" is Cruz's ("Ruiz questioned the witness" leaves "she" open).
_AN_AUDIENCE = re.compile(
    r"[Tt]he\s+(?:judge|court|jury|tribunal|panel|committee|board|council|crowd|audience|court\s+room|courtroom)\b")


# A subject's sentence that reports what they said, so that "the X" or a lone word no one is known
# by after it are in their words: "Stavrou told reporters that the board had given the coach every
# chance. She said ...", "Pedrini said temperatures exceeded 1,000 degrees Celsius. “...,” he said".
_REPORTS = re.compile(r"\b(?:said|says|told|added|argued|insisted|stressed)\s+")


# Before a listener that is a broadcaster or a paper: "told public broadcaster Yle", "told Radio X".
_TOLD_AN_OUTLET = re.compile(
    rf"\btold\s+(?:the\s+)?(?:(?:[{UPPER}][\w\-]*\s+|[a-z]+\s+)?{rules.OUTLET}\s+)$")


def _told_an_outlet(doc: QuotedText, at: int) -> bool:
    """Whether the name at `at` is the broadcaster or paper someone told something to."""
    if _TOLD_AN_OUTLET.search(doc.text, max(0, at - 50), at):
        return True
    told = re.search(r"\btold\s+(?:the\s+)?$", doc.text[max(0, at - 10):at])
    return bool(told and _OUTLET_NAME.match(doc.text, at))


_OUTLET_NAME = re.compile(  # "told Radio Zet", "told the Soweto Herald", "told NewsChannel 7"
    rf"(?:R[aá]dio|TV|Television)\b|\S+(?:\s+\S+)?\s+(?:R[aá]dio|TV|Television|News)\b|{lexicon.OUTLET_NAME}")


def _names(doc: QuotedText, at: int, *people: str) -> bool:
    """Whether the name at `at` ("Novak Djokovic", unknown when mentions were taken) is one of `people`."""
    m = NAME_RUN_PATTERN.match(doc.text, at)
    return m is not None and getattr(doc.people.find(m.group()), "name", None) in people


def _possessive(doc: QuotedText, at: int) -> bool:
    """Whether the name at `at` is a possessive ("Vesely’s coach", "The Marigold Vans’ singer",
    "the minister's arguments")."""
    m = NAME_RUN_PATTERN.match(doc.text, at) or _ROLE_POSSESSIVE.match(doc.text, at)
    return m is not None and m.group().endswith(("’s", "'s", "’", "'"))


_ROLE_POSSESSIVE = re.compile(r"[Tt]he(?:\s+[a-z][\w\-]*){1,3}?['’]s?(?=\s)")


def _modifier(doc: QuotedText, at: int, name: str) -> bool:
    """Whether an unknown lone word is used as an adjective, no one: "his Latvian counterpart"."""
    m = NAME_RUN_PATTERN.match(doc.text, at)
    return not name and m is not None and " " not in m.group() and bool(
        _NOUN_AFTER.match(doc.text, m.end())) and not _VERB_AFTER.match(doc.text, m.end())


_VERB_AFTER = re.compile(rf"\s+(?!(?:[a-z]+s)\b){_VERB}|\s+(?:is|was|has|does|says)\b")  # "X-ray images" is no verb
_NOUN_AFTER = re.compile(  # "Latvian counterpart", not "Lawson on lap 3"
    r"\s+(?!(?:on|in|at|to|for|with|by|from|and|or|but|of|as|after|before|about|over|under|into|during|since|who|"
    r"whose|which|that|than|then|when|while|also|still|just|too)\b)[a-z]")


def _person(doc: QuotedText, run: str) -> str | None:
    """The person (not an organisation) a subject's name run stands for, registered if new."""
    if not split_title(run)[1] or doc.people.organisation(run):
        return None
    person = doc.people.resolve(run)
    return person.name if person and not doc.people.is_organisation(person.name) else None


def _speaker_of_quote_opening(doc: QuotedText, mentions: list[Mention], previous: int, current: int, at: int,
                              gender: str) -> str | None:
    """The speaker of the quote opening the sentence before, named after it ("“...,” said Jakob
    Winther, a partner at law firm Winther & Holm. He said ..."), when no other known person is."""
    span = next((s for s in doc.spans if s.open_mark == previous and s.speaker and s.attribution == "person"
                 and s.close_mark <= s.name_at < current), None)
    speaker = span.speaker if span else None
    if span is None or not speaker or doc.people.is_organisation(speaker):
        return None
    if doc.people.gender(speaker) not in ("", gender):
        return None
    others = [name for pos, name, _ in mentions if span.name_at < pos < at and name != speaker
              and (known(name) or name == UNKNOWN_PERSON + gender)]  # ("?m": Tom Hale, no speaker, a man)
    return None if others else speaker


def _same_pronoun_before(doc: QuotedText, mentions: list[Mention], previous: int, current: int, at: int,
                         gender: str) -> str | None:
    """The person the same pronoun opening the sentence before stood for, when nobody else is named
    since: "He said the objects would go on display. “...,” he told AFP." is who the first "He" was."""
    opening = re.match(r"\s*(?P<pron>[Hh]e|[Ss]he)\s", doc.text[previous:current])
    if not opening or ("f" if opening.group("pron").casefold() == "she" else "m") != gender:
        return None
    at_opening = previous + opening.start("pron")
    named = list({name for pos, name, _ in mentions if pos == at_opening and known(name)})
    others = [name for pos, name, _ in mentions if at_opening < pos < at and name and name not in named
              and not somewhere(doc, pos, name) and not placed(doc, pos)]
    return named[0] if len(named) == 1 and not others else None


def _by_position(window: list[Mention]) -> str | None:
    """The person named last, if the only one named in the window or the speaker of a quote."""
    if not window or not known(window[-1][1]):
        return None
    return window[-1][1] if len({name for _, name, _ in window}) == 1 or window[-1][2] else None


def _by_paragraph(doc: QuotedText, own: list[Mention], gender: str) -> str | None:
    """The one person the pronoun's own paragraph names before it, nothing else named there, of
    no other gender: "Industry analyst Femke de Wit was less excited. She said ..." is de Wit,
    whatever the paragraph before named."""
    names = {name for _, name, _ in own}
    if len(names) != 1 or not known(speaker := names.pop()):
        return None
    return speaker if doc.people.gender(speaker) in ("", gender) else None


def _by_gender(doc: QuotedText, window: list[Mention], gender: str) -> str | None:
    """The last person of the pronoun's gender, when every other person named in the window is
    known to be of the other one (a full name we know nothing of counts against), and nothing we
    cannot tell is a person ("Chile") is named after them.
    "She said" after Sofia Reyes and Thomas Becker is Reyes; after Price and Marsh, "he" is nobody."""
    last = next((i for i in range(len(window) - 1, -1, -1) if known(window[i][1])
                 and doc.people.gender(window[i][1]) == gender), None)
    if last is None:
        return None
    speaker = window[last][1]
    others = {name for _, name, _ in window if name and name != speaker}
    if any(gender_of(doc, name) != ("m" if gender == "f" else "f") for name in others):
        return None
    return speaker if all(name for _, name, _ in window[last:]) else None


def _by_elimination(doc: QuotedText, own: list[Mention], gender: str, at: int) -> str | None:
    """The one person of unknown gender in the pronoun's own paragraph when everyone else named
    there is known to be of the other gender, nothing else is named, and no unnamed person of the
    pronoun's gender comes up after them ("his mother"): "she" after Alvarez (a "he") and Kline is Kline."""
    names, other = {name for _, name, _ in own}, "m" if gender == "f" else "f"
    if not names or not all(known(name) or gender_of(doc, name) == other for name in names):
        return None  # a full name we do not know counts when its given name is of the other gender
    unknown = [name for name in names if known(name) and doc.people.gender(name) == ""]
    rest = names - set(unknown)
    if len(unknown) != 1 or not rest or not all(gender_of(doc, n) == other for n in rest):
        return None
    since = max(pos for pos, name, _ in own if name == unknown[0])
    words = {w.casefold() for w in re.findall(r"[\w.]+", doc.text[since:at])}
    return None if words & (lexicon.FEMALE_WORDS if gender == "f" else lexicon.MALE_WORDS) else unknown[0]
