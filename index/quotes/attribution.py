"""Who said each quote: the rules next to a direct quote, reported speech sentence by sentence,
and a quote continuing the speaker of the one before ("he"/"she" are resolved in pronouns.py)."""

from __future__ import annotations

import re

from ..names import NAME_RUN, NAME_RUN_PATTERN, ROLE_NOUNS, UPPER, normalise_speaker, same_speaker, split_title
from . import rules
from .bodies import (
    continued_organisation,
    organisation_named_next,
    who_made_the_statement,
)
from .lexicon import FIELD_WORDS, GIVEN_NAMES, LEAD_ALTERNATIVES, ORGANISATION_NOUNS
from .rules import Rule
from .spans import QuotedText, Said

WINDOW = 300  # characters around a quote searched for its attribution
MAX_SENTENCE = 1500  # a longer "sentence" is a list or a table: no reported speech in it

Found = tuple[Rule, re.Match[str]]


def attribute_direct(doc: QuotedText, p: int, k: int) -> None:
    """Attribute the k-th quote span of paragraph p. A quote ending open ("...," / "...?") looks
    after itself first ("...," Budrys said), then before; any other looks before (Budrys said:
    "...."), and after only when it opens its sentence and a short attribution ends that sentence
    ("It's over." Budrys said.), so "..." Wallmann argues that ... is not Wallmann's."""
    text, span, spans = doc.text, doc.spans_by_paragraph[p][k], doc.spans_by_paragraph[p]
    lo, hi = doc.paragraphs[p]
    before_lo = max(spans[k - 1].close_mark if k else lo, doc.sentence_start(span.open_mark), span.open_mark - WINDOW)
    after_hi = min(spans[k + 1].open_mark if k + 1 < len(spans) else hi, span.close_mark + WINDOW)
    after = text[span.close_mark:after_hi] if span.closed else ""
    before = text[before_lo:span.open_mark]
    inner = text[span.start:span.close_mark].rstrip("”»\"'’ ")
    if _a_title(text[span.start:span.end], before):
        span.attribution = "other"  # "Season 3 of “The Crown”": a title, nobody's words
        return
    ends_open = inner.endswith((",", "?", "!", "—", "–", "-", "…")) or after.startswith(",")
    if ends_open and (found := _match_after(after)):
        set_speaker(doc, span, found, span.close_mark)
    elif found := _match_before(before):
        set_speaker(doc, span, found, before_lo)
    elif not ends_open and not before.strip() and (found := _match_after(after)) and _short_tail(after, found[1].end()):
        set_speaker(doc, span, found, span.close_mark)


def _a_title(quoted: str, before: str) -> bool:
    """Whether a quote is a title: a few capitalised words after "the" or "of" ("of “The Crown”")."""
    words = quoted.split()
    return (0 < len(words) <= 6 and all(w[:1].isupper() or w in ("of", "the", "and", "a", "in") for w in words)
            and bool(re.search(r"\b(?:the|of)\s*$", before)))


def _short_tail(after: str, end: int) -> bool:
    """Whether the sentence ends soon after the verb, with no clause of its own: "Budrys said
    on Monday." attributes the quote before it; "The company said it would cut jobs." does not."""
    rest = re.split(r"[.!?]", after[end:], maxsplit=1)[0].split()
    return len(rest) <= 6 and not (rest and rest[0] in rules.CLAUSE_OPENERS)


def _match_after(after: str) -> Found | None:
    found = next(((rule, m) for rule in rules.AFTER if (m := rule.pattern.match(after))), None)
    if found and rules.INTRODUCES_NEXT.fullmatch(after, found[1].end()):
        return None  # "Budrys said: " introduces the next quote
    return found


def _match_before(before: str) -> Found | None:
    """The first rule that matches before a quote, at the match nearest the quote: in "Hoskins
    recalled that Delaney once told him the job was “...”" the words are Delaney's."""
    for rule in rules.BEFORE:
        m = rule.pattern.search(before)
        while m and (nearer := _nearer(rule, m, before)):
            m = nearer
        if m:
            return rule, m
    return None


def _nearer(rule: Rule, m: re.Match[str], before: str) -> re.Match[str] | None:
    """A match of the rule starting at a word after the speaker m names (and their apposition), if any."""
    pos = max((m.end(g) for g in ("run", "pron", "role", "colon", "appos") if m.groupdict().get(g)), default=None)
    while pos is not None and (nearer := rule.pattern.search(before, pos)):
        if not before[nearer.start() - 1].isalnum():
            return nearer
        pos = nearer.start() + 1
    return None


# A subject that is one of two: "In a joint statement, the family and his employer, X, said".
_NOT_ALONE = re.compile(  # also "An open letter signed by the writers, including the poet X, said"
    r"\bjoint\b|\bincluding\b|\bamong\s+them\b|\bsuch\s+as\b|\band\s+(?:his|her|their|its|the)\s+(?:[\w'’\-]+\s+){0,2}?[\w'’\-]+,$")
# An unnamed person of the organisation named next: "A senior official at the Treasury, who ...".
_ON_BEHALF = re.compile(r"\b(?:at|of|for|from|with|in|near|outside)(?:\s+the)?\s*$")
# Words that open a subordinate clause: "a week after Jonas Berg said ..." has Berg as its subject.
_SUBORDINATORS = frozenset("after before when while because since although though until once as that".split())


def subject_position(prefix: str, appos: str | None, run: str = "") -> bool:
    """Whether a name after `prefix` (its sentence so far) is the subject: at the start, after an
    opening phrase ("On Monday, "), after a quote, after a role ("film director "), opening a
    subordinate clause ("a week after ", "recalled that "), or with ", who". "A spokesman for Budrys said" is not
    Budrys speaking."""
    prefix = prefix.rstrip()
    if _NOT_ALONE.search(prefix) or (appos and _ON_BEHALF.search(prefix)):
        return False  # "the family and his employer, X, said"; "A senior official at the Treasury, who ..."
    fields = re.fullmatch(rf"([{UPPER}][\w\-]*)\s+(?:and|&)", prefix)
    return (
        bool(fields and fields.group(1).casefold() in FIELD_WORDS and run and run.split()[0].casefold() in FIELD_WORDS)
        # ("Mines and Energy Minister X" is the minister; "Price and Marsh said" is two people)
        or not prefix or prefix.endswith((",", ";", ":", "—", "–", "-", "...", "…", "”", '"', "’"))
        or prefix.split()[-1] in ROLE_NOUNS or prefix.split()[-1].casefold() in _SUBORDINATORS
        or prefix.endswith((", but", ", while", ", whereas"))  # "... first, but World Athletics said"
        or bool(appos and appos.strip(", ").startswith("who")) or bool(_ORGANISATION_LEAD.fullmatch(prefix))
        or bool(rules.DESCRIPTION.fullmatch(prefix.rsplit(",", 1)[-1].strip()))  # "In the hall, British tourist "
        or bool(_TITLE_OF.fullmatch(prefix) and split_title(run)[0])  # "Minister of " + "Health Selamawit Girma"
        or bool(_LONG_TITLE.fullmatch(prefix))  # "Minister for Public Works, Water Resources and " + "Ports X Y"
    )


# A title with its field after it, opening the sentence (or a clause): "State Minister of (Health X)".
_TITLE_OF = re.compile(
    rf"(?:.*[,;:—–]\s*)?(?:[{UPPER}][\w\-]*\s+){{0,2}}?{rules.TITLE_WORD}\s+(?:of|for)(?:\s+the)?", re.DOTALL)


_LONG_TITLE = re.compile(
    rf"(?:.*[,;:—–]\s*)?(?:[{UPPER}][\w\-]*\s+){{0,2}}?{rules.TITLE_WORD}\s+(?:of|for)\s+[^.;:“”\"]{{0,100}}?\band",
    re.DOTALL)
_NAMED_IN_APPOSITION = re.compile(rf",\s+(?P<name>{NAME_RUN}),?")


def a_person_in_apposition(appos: str) -> bool:
    """Whether an apposition is only a person's full name (", Fernando Salgado,"; not ", Texas,")."""
    m = _NAMED_IN_APPOSITION.fullmatch(appos)
    return m is not None and len(split_title(m.group("name"))[1].split()) >= 2


# After a word that only says what kind of organisation is named next: "Conservation group Orangutan".
BEFORE_A_KIND = re.compile(rf"\s+(?:{LEAD_ALTERNATIVES})\s+[{UPPER}]")
# A sentence opening with what the organisation named next is: "Online grocer ", "Consumer group ".
_ORGANISATION_LEAD = re.compile(
    rf"(?:[{UPPER}][\w\-]*\s+)?(?:[a-z][\w'’\-]*\s+){{0,2}}?(?:{LEAD_ALTERNATIVES})")


def set_speaker(doc: QuotedText, item: Said, found: Found, offset: int) -> None:
    """Record the speaker a rule found (its groups: run/run2/colon, pron, role, org): a person or
    an organisation, a pronoun to resolve later, or "other" when the speaker is none we can name."""
    rule, m = found
    groups = {k: v for k, v in m.groupdict().items() if v}
    if "role" in groups and not groups["role"].casefold().startswith("the"):
        if _ELSEWHERE.search(m.string[:m.start("role")]):
            item.attribution = "other"  # "In Athens, police said": another force than the one named
            return
        groups["role"] = "the " + groups["role"]  # "police said"
    item.attribution = "other"
    if "pron" in groups:
        item.attribution, item.name_at = "pronoun", offset + m.start("pron")
        return
    group = next((g for g in ("run", "run2", "run3", "colon", "role", "org") if g in groups), None)
    if group is None:
        if "body" in groups and (named := organisation_named_next(doc, offset + m.end(), groups["body"])):
            item.speaker, item.attribution, item.name_at = named.name, "person", offset + m.start("body")
        return
    person = None
    start = m.start(group)
    head = re.split(r"\s+(?:of|for)\s+", groups[group], maxsplit=1)[0] if group == "run3" else ""
    if (head and head != groups.get(group) and len(split_title(head)[1].split()) >= 2
            and not doc.people.organisation(head)
            and (doc.people.find(head) or head.split()[0].casefold() in GIVEN_NAMES)
            and (person := doc.people.resolve(head))):
        item.speaker, item.attribution, item.name_at = person.name, "person", offset + start
        return  # "according to Lars Dahl of Norvik Shipping": Dahl
    if head and head != groups.get(group) and not doc.people.organisation(groups[group]):
        return  # "according to the State Electoral Office of Valais", no organisation we know: not Valais
    if group in ("run", "run2", "run3", "org"):  # an organisation first: "The Department for Education said"
        org, start = _organisation(doc, m.string, m.start(group), m.end(group), offset)
        if org and (not rule.subject_only or subject_position(_without_the(m.string[:start]), groups.get("appos"))
                    or _SPEAKS_FOR.search(m.string[:start])):
            person = doc.people.resolve(org)  # "a spokesperson for Meridian Airways said": the company
        elif group == "org" and (alone := doc.people.spoken_alone(groups["org"])):
            person = alone  # "Parcelink said ... A spokesperson for Parcelink said": a company
        elif group == "org" or org:
            _affiliated(doc, item, m.string[:start], offset)
            return
        elif "kind_after" in groups:  # "The Netanyahu coalition said": no organisation we know, and not Netanyahu;
            _affiliated(doc, item, m.string[:start], offset)  # but "X of the opposition Liberal group said" is X
            return
    if group == "role" and _SPEAKS_FOR.search(m.string[:start]) and groups["role"].split()[-1] in ORGANISATION_NOUNS:
        person = doc.people.with_role(groups["role"].casefold())  # "a spokesperson for the council said"
        if person is None or not doc.people.is_organisation(person.name):
            return
    if person is None and rule.subject_only and not subject_position(
            m.string[:m.start(group)], groups.get("appos"), groups.get(group, "")):
        _affiliated(doc, item, m.string[:m.start(group)], offset)
        return  # "a spokesman for Budrys said": not Budrys
    if person is not None:
        pass
    elif group == "role" and groups["role"].casefold() in ("the statement", "the filing", "the letter"):
        person = who_made_the_statement(doc, item)  # "“...,” the statement said."
    elif group == "role":
        person = doc.people.with_role(groups["role"].casefold(), offset + m.end(group)) or continued_organisation(
            doc, groups["role"].casefold(), offset + m.start(group))  # (the end: "The Valais cantonal police")
        if person is None and groups["role"].split()[-1] in ORGANISATION_NOUNS and doc.in_lead(offset + m.start()):
            person = organisation_named_next(doc, offset + m.end(), kind=groups["role"].split()[-1])
            # "..., the port operator said. / Terminal Sur, which runs the quay, said ...": a lead's body
        if person and not doc.people.is_organisation(person.name) and _another_subject(doc, item, person.name):
            return  # "Pinnock refused to blame the officials. “...,” the striker said": Pinnock, or Blagrove?
    elif group == "colon" and len(split_title(groups["colon"])[1].split()) < 2:
        return  # "Sources: ..." or a lone word before a colon
    else:
        person = doc.people.resolve(groups[group]) or doc.people.speaking_alone(groups[group])
    if person:
        item.speaker, item.attribution, item.name_at = person.name, "person", offset + m.start(group)


def _another_subject(doc: QuotedText, item: Said, name: str) -> bool:
    """Whether the sentence before a quote, in its paragraph, opens with someone else we know."""
    at = item.open_mark if item.kind == "direct" else item.start
    lo = doc.sentence_start(at)
    before = doc.sentence_start(max(0, lo - 2)) if lo > 0 else lo
    if before >= lo or any(p_lo == lo for p_lo in doc.paragraph_starts) or doc.in_quote(before):
        return False
    opening = NAME_RUN_PATTERN.match(doc.text, before)
    bare = split_title(opening.group())[1] if opening else ""
    if not bare or doc.people.organisation(bare):
        return False
    named = doc.people.by_last_word.get(normalise_speaker(bare).split()[-1], set())  # "Pinnock": Shamar Pinnock
    return name not in named and not same_speaker(bare, name)


# A place the sentence is in, before its bare "police said": "In neighbouring Italy, police said",
# "... in Spain, where police said".
_ELSEWHERE = re.compile(  # a place, not a time: "In May, police said" is the force named before
    rf"^\s*(?:In|At|From|Near)\s+(?:[a-z]+\s+)?(?!{rules.DAY_OR_MONTH}\b)[{UPPER}][^,;]{{0,60}},\s*$|\bwhere\s+$")


# Before the organisation (or place) a speaker is from: "Ingrid Solberg of the University of Oslo said".
_AFFILIATION = re.compile(  # also "James Okafor of Lakeshore Children's Hospital in Toronto said",
    # "Brian Otieno of Nairobi research firm Savannah Insights said"
    rf"(?<![\w'’.\-])(?P<name>{NAME_RUN})\s+(?:of|at|from)\s+(?:the\s+)?(?:{NAME_RUN}\s+(?:in|at)\s+|(?:[a-z][\w\-]*\s+)?$|"
    rf"(?:[a-z][\w\-]*\s+)?(?:{NAME_RUN}\s+)?(?:[a-z][\w\-]*\s+)?(?:{LEAD_ALTERNATIVES})\s+)?$")  # "small Galway press"


def _affiliated(doc: QuotedText, item: Said, prefix: str, offset: int) -> None:
    """Attribute to the person named before "of"/"at"/"from" and the organisation that follows them
    ("Ingrid Solberg of the University of Oslo said", "Lena Dahl at Capital Economics said"), when
    that person is the sentence's subject; "a spokesman for Budrys said" stays nobody's."""
    m = _AFFILIATION.search(prefix)
    title, name = split_title(m.group("name")) if m else ("", "")
    if (not m or len(name.split()) < 2 and not title or not subject_position(prefix[:m.start()], None)
            or re.search(r"['’]s?\s", m.group("name") + " ")):
        return  # "Newton's First Law of Motion states": no person
    person = doc.people.resolve(m.group("name"))
    if person and not doc.people.is_organisation(person.name):
        item.speaker, item.attribution, item.name_at = person.name, "person", offset + m.start("name")


# Before an organisation's name, the words that make its statement the organisation speaking.
_SPEAKS_FOR = re.compile(  # also "Observers from the Organization for Security and Co-operation in Europe said"
    r"\b(?:spokes(?:person|man|woman)|statement|representatives?|[Oo]bservers|[Mm]onitors|[Ii]nspectors)\s+(?:for|from)"
    r"\s+(?:the\s+)?$")


def _without_the(prefix: str) -> str:
    """The prefix without the article (and adjectives) of the organisation named after it, or the
    possessive of its place: "The federal Health Ministry said" and "Peru's Culture Ministry, which
    ..., said" have the ministry as their subject."""
    return _THE_AND_ADJECTIVES.sub("", prefix)


_THE_AND_ADJECTIVES = re.compile(  # also "The Dutch Ministry of ...", "Papua New Guinea's", "Zambia's opposition"
    rf"(?:\b[Tt]he(?:\s+[{UPPER}][\w\-]*)?(?:\s+(?!(?:{rules.PREPOSITIONS})\b)[a-z][\w\-]*){{0,2}}"
    rf"|(?<![\w'’])(?:[{UPPER}][\w\-]*\s+){{0,3}}[{UPPER}][\w\-]*['’]s(?:\s+[a-z][\w\-]*){{0,2}})\s*$")


def _organisation(doc: QuotedText, string: str, start: int, end: int, offset: int) -> tuple[str | None, int]:
    """The known organisation a rule's run names, and where it starts in `string`: a longer name
    written ending with it ("Department for Education", "Teachers' Federation of Ontario", not the
    Ontario Public School Boards' Association), or the run itself ("Qorix" for Qorix Software)."""
    last = string[start:end].rsplit(None, 1)[-1] if string[start:end].strip() else ""
    for name in doc.people.long_by_last_word.get(last, ()):  # the text says it: the name ends here
        if start >= 0 and doc.text.startswith(name, offset + end - len(name)):
            return name, end - len(name)
    return doc.people.organisation(string[start:end]), start
