"""Who said each quote: the rules next to a direct quote, reported speech sentence by sentence,
and a quote continuing the speaker of the one before ("he"/"she" are resolved in pronouns.py)."""

from __future__ import annotations

import re

from ..names import NAME_RUN, NAME_RUN_PATTERN, NOT_NAME_WORDS, ROLE_NOUNS, UPPER, split_title
from . import rules
from .bodies import (
    continued_organisation,
    its_own,
    opening_organisation,
    organisation_named_next,
    organisation_that_spoke_before,
)
from .lexicon import FIELD_WORDS, LEAD_ALTERNATIVES, ORGANISATION_NOUNS
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
        _set_speaker(doc, span, found, span.close_mark)
    elif found := _match_before(before):
        _set_speaker(doc, span, found, before_lo)
    elif not ends_open and not before.strip() and (found := _match_after(after)) and _short_tail(after, found[1].end()):
        _set_speaker(doc, span, found, span.close_mark)


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


def _subject_position(prefix: str, appos: str | None, run: str = "") -> bool:
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
    )


# A title with its field after it, opening the sentence (or a clause): "State Minister of (Health X)".
_TITLE_OF = re.compile(
    rf"(?:.*[,;:—–]\s*)?(?:[{UPPER}][\w\-]*\s+){{0,2}}?{rules.TITLE_WORD}\s+(?:of|for)(?:\s+the)?", re.DOTALL)


_NAMED_IN_APPOSITION = re.compile(rf",\s+(?P<name>{NAME_RUN}),?")


def _a_person_in_apposition(appos: str) -> bool:
    """Whether an apposition is only a person's full name (", Fernando Salgado,"; not ", Texas,")."""
    m = _NAMED_IN_APPOSITION.fullmatch(appos)
    return m is not None and len(split_title(m.group("name"))[1].split()) >= 2


# After a word that only says what kind of organisation is named next: "Conservation group Orangutan".
_BEFORE_A_KIND = re.compile(rf"\s+(?:{LEAD_ALTERNATIVES})\s+[{UPPER}]")
# A sentence opening with what the organisation named next is: "Online grocer ", "Consumer group ".
_ORGANISATION_LEAD = re.compile(
    rf"(?:[{UPPER}][\w\-]*\s+)?(?:[a-z][\w'’\-]*\s+){{0,2}}?(?:{LEAD_ALTERNATIVES})")


def _set_speaker(doc: QuotedText, item: Said, found: Found, offset: int) -> None:
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
            and not doc.people.organisation(head) and (person := doc.people.resolve(head))):
        item.speaker, item.attribution, item.name_at = person.name, "person", offset + start
        return  # "according to Lars Dahl of Norvik Shipping": Dahl
    if group in ("run", "run2", "run3", "org"):  # an organisation first: "The Department for Education said"
        org, start = _organisation(doc, m.string, m.start(group), m.end(group), offset)
        if org and (not rule.subject_only or _subject_position(_without_the(m.string[:start]), groups.get("appos"))
                    or _SPEAKS_FOR.search(m.string[:start])):
            person = doc.people.resolve(org)  # "a spokesperson for Meridian Airways said": the company
        elif group == "org" and (alone := doc.people.spoken_alone(groups["org"])):
            person = alone  # "Parcelink said ... A spokesperson for Parcelink said": a company
        elif group == "org" or org:
            _affiliated(doc, item, m.string[:start], offset)
            return
        elif "kind_after" in groups:
            return  # "The Netanyahu coalition said": no organisation we know, and not Netanyahu
    if group == "role" and _SPEAKS_FOR.search(m.string[:start]) and groups["role"].split()[-1] in ORGANISATION_NOUNS:
        person = doc.people.with_role(groups["role"].casefold())  # "a spokesperson for the council said"
        if person is None or not doc.people.is_organisation(person.name):
            return
    if person is None and rule.subject_only and not _subject_position(
            m.string[:m.start(group)], groups.get("appos"), groups.get(group, "")):
        _affiliated(doc, item, m.string[:m.start(group)], offset)
        return  # "a spokesman for Budrys said": not Budrys
    if person is not None:
        pass
    elif group == "role":
        person = doc.people.with_role(groups["role"].casefold(), offset + m.end(group)) or continued_organisation(
            doc, groups["role"].casefold(), offset + m.start(group))  # (the end: "The Valais cantonal police")
        if person is None and groups["role"].split()[-1] in ORGANISATION_NOUNS and doc.in_lead(offset + m.start()):
            person = organisation_named_next(doc, offset + m.end(), kind=groups["role"].split()[-1])
            # "..., the port operator said. / Terminal Sur, which runs the quay, said ...": a lead's body
    elif group == "colon" and len(split_title(groups["colon"])[1].split()) < 2:
        return  # "Sources: ..." or a lone word before a colon
    else:
        person = doc.people.resolve(groups[group]) or doc.people.speaking_alone(groups[group])
    if person:
        item.speaker, item.attribution, item.name_at = person.name, "person", offset + m.start(group)


# A place the sentence is in, before its bare "police said": "In neighbouring Italy, police said",
# "... in Spain, where police said".
_ELSEWHERE = re.compile(rf"^\s*(?:In|At|From|Near)\s+(?:[a-z]+\s+)?[{UPPER}][^,;]{{0,60}},\s*$|\bwhere\s+$")


# Before the organisation (or place) a speaker is from: "Ingrid Solberg of the University of Oslo said".
_AFFILIATION = re.compile(  # also "James Okafor of Lakeshore Children's Hospital in Toronto said",
    # "Brian Otieno of Nairobi research firm Savannah Insights said"
    rf"(?<![\w'’.\-])(?P<name>{NAME_RUN})\s+(?:of|at|from)\s+(?:the\s+)?(?:{NAME_RUN}\s+(?:in|at)\s+|"
    rf"(?:[a-z][\w\-]*\s+)?(?:{NAME_RUN}\s+)?(?:[a-z][\w\-]*\s+)?(?:{LEAD_ALTERNATIVES})\s+)?$")  # "small Galway press"


def _affiliated(doc: QuotedText, item: Said, prefix: str, offset: int) -> None:
    """Attribute to the person named before "of"/"at"/"from" and the organisation that follows them
    ("Ingrid Solberg of the University of Oslo said", "Lena Dahl at Capital Economics said"), when
    that person is the sentence's subject; "a spokesman for Budrys said" stays nobody's."""
    m = _AFFILIATION.search(prefix)
    if (not m or len(split_title(m.group("name"))[1].split()) < 2 or not _subject_position(prefix[:m.start()], None)
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


_THE_AND_ADJECTIVES = re.compile(  # also a country's adjective: "The Dutch Ministry of ...", "The Hungarian ... party"
    rf"(?:\b[Tt]he(?:\s+[{UPPER}][\w\-]*)?(?:\s+(?!(?:{rules.PREPOSITIONS})\b)[a-z][\w\-]*){{0,2}}"
    rf"|(?<![\w'’])[{UPPER}][\w\-]*['’]s)\s*$")


def _organisation(doc: QuotedText, string: str, start: int, end: int, offset: int) -> tuple[str | None, int]:
    """The known organisation a rule's run names, and where it starts in `string`: a longer name
    written ending with it ("Department for Education", "Teachers' Federation of Ontario", not the
    Ontario Public School Boards' Association), or the run itself ("Qorix" for Qorix Software)."""
    last = string[start:end].rsplit(None, 1)[-1] if string[start:end].strip() else ""
    for name in doc.people.long_by_last_word.get(last, ()):  # the text says it: the name ends here
        if start >= 0 and doc.text.startswith(name, offset + end - len(name)):
            return name, end - len(name)
    return doc.people.organisation(string[start:end]), start


def reported(doc: QuotedText, start: int, end: int) -> Said | None:
    """The reported statement of the sentence text[start:end], if any."""
    if start in doc.paragraph_starts and (dateline := rules.DATELINE.match(doc.text, start, end)):
        start = dateline.end()  # "BOGOTA, Feb 4 (Reuters) - ..."
    s = doc.text[start:end]
    if len(s) > MAX_SENTENCE or not rules.MAY_REPORT.search(s):
        return None
    clause_end = len(s) - len(m.group()) if (m := rules.TRAILING.search(s)) else len(s)
    for rule in rules.REPORTED:  # "Budrys said (that) ...", "He told reporters ...", "According to X, ..."
        m = rule.pattern.search(s)
        while m and m.groupdict().get("run") and (m.group("run").casefold() in NOT_NAME_WORDS or _BEFORE_A_KIND.match(
                s, m.end("run")) or _a_person_in_apposition(m.groupdict().get("appos") or "")
                and not _subject_position(s[:m.start("run")], None)):
            # "The riders' group Fair Fares Riverton", "Conservation group Orangutan ...", and "The bishop of
            # Zamora, Fernando Salgado, said": the name in the apposition is the subject
            m = rule.pattern.search(s, m.end("run") + 1)
        if m and not doc.in_quote(start + m.start()) and not _attributes_quote(s[:m.start()]):
            end = _before_semicolon(doc, start, m.start("clause"), clause_end)
            item = _reported_item(doc, (rule, m), start, m.start("clause"), end)
            if item and item.speaker is None and m.start() > 0 and (inverted := _inverted(doc, s, start)):
                return inverted  # "..., the NCDC said on Monday, as health workers warned that ...": the NCDC's
            return item
    m = rules.IT_SAYS.match(s)  # "It said it was supplying water": the organisation that spoke before
    if m and (org := organisation_that_spoke_before(doc, start)) and (person := doc.people.resolve(org)):
        item = Said(start + m.start("clause"), start + _before_semicolon(doc, start, m.start("clause"), clause_end),
                    kind="reported")
        item.speaker, item.attribution, item.name_at = person.name, "person", start
        return item
    m = rules.PARTICIPLE_CLAUSE.search(s)
    if m and m.group("verb") == "telling" and (told := rules.TELLING.match(s, m.start())):
        m = told  # "..., telling reporters (that) the athlete had a better record"
    if m and (m.group("that") or m.group("verb") in rules.PLAIN_PARTICIPLES or m.group("verb") == "telling") and (
            quoted := _quote_attributed_before(doc, start, start + m.start())):
        # "“...,” he said, adding that he would appeal": the quote's speaker
        item = Said(start + m.start("clause"), start + clause_end, kind="reported")
        item.speaker, item.attribution, item.name_at = quoted.speaker, quoted.attribution, quoted.name_at
        return item if item.end > item.start else None
    if m and (m.group("that") or m.group("verb") in rules.PLAIN_PARTICIPLES) and not any(
            span.speaker and start <= span.open_mark < start + m.start() for span in doc.spans):
        # "Budrys articulated the position, stating that ...": the sentence's subject speaks (not
        # after a quote: "“...,” Ellis said, describing how his neighbour phoned, telling him ...")
        subject = next((r for r in NAME_RUN_PATTERN.finditer(s, 0, m.start())
                        if split_title(r.group())[1] and not doc.in_quote(start + r.start())), None)
        prefix = s[:subject.start()] if subject else ""
        if subject and (_subject_position(prefix, None) or _SAID_AFTER_A_QUOTE.search(prefix)):
            return _reported_by_subject(doc, subject, start, m.start("clause"), clause_end)
        if (opener := opening_organisation(doc, s[:m.start()])) and m.end("clause") > m.start("clause"):
            # "Colombia's Ministry of Transport ordered ..., saying ..."
            item = Said(start + m.start("clause"), start + clause_end, kind="reported")
            item.speaker, item.attribution, item.name_at = opener.name, "person", start
            return item
    m = rules.PARENTHETICAL.pattern.match(s)  # "The radar, Ivan Berg said, could show ..."
    if m and len(m.group("clause").split()) >= 3 and not doc.in_quote(start + m.start("clause")):
        return _reported_item(doc, (rules.PARENTHETICAL, m), start, 0, clause_end)  # the head is said too
    if inverted := _inverted(doc, s, start):
        return inverted
    m = rules.ACCORDING_TO_THE.match(s)  # "An official count is due on Wednesday, according to the institute."
    if m and len(m.group("clause").split()) >= 4 and m.group("role").split()[-1] in ORGANISATION_NOUNS and (
            body := doc.people.with_role(m.group("role").casefold(), start + m.start("role"))):
        item = Said(start, start + m.end("clause"), kind="reported")
        item.speaker, item.attribution, item.name_at = body.name, "person", start + m.start("role")
        return item if doc.people.is_organisation(body.name) else None
    return None


def _inverted(doc: QuotedText, s: str, start: int) -> Said | None:
    """The statement before an inverted attribution: "Zuckerberg should step down, said Frances Haugen"."""
    m = rules.INVERTED.pattern.match(s)
    if not m or len(m.group("clause").split()) < 4 or doc.in_quote(start):
        return None
    if m.group("it"):  # "The company now expects ..., it said": the company it names
        return its_own(doc, s, start, m.end("clause"))
    return _reported_item(doc, (rules.INVERTED, m), start, 0, m.end("clause"))


def _quote_attributed_before(doc: QuotedText, start: int, at: int) -> Said | None:
    """The direct quote of this sentence whose attribution (a name or "he"/"she", after it) ends
    right at `at`: "“...,” Quispe said in a video posted online, adding ..."."""
    for span in doc.spans:
        if (start <= span.open_mark and span.close_mark <= at and span.attribution in ("person", "pronoun")
                and span.close_mark <= span.name_at < at
                and not re.search(r"[.!?;“”\"]", doc.text[span.name_at:at])
                and not _ANOTHER_CLAUSE.search(doc.text, span.name_at, at)):
            return span
    return None


# A clause between a quote's attribution and ", telling ...": "Ellis said, describing how his
# neighbour phoned him, telling him ..." tells of the neighbour's words.
_ANOTHER_CLAUSE = re.compile(r",\s+(?:[a-z]+ing|who|which|how|when|where|after|before|as)\b")


def _before_semicolon(doc: QuotedText, offset: int, clause_start: int, clause_end: int) -> int:
    """Where a forward reported clause ends: at a semicolon outside quotes, which opens another
    statement ("Brightline says the project would ease a shortage; many neighbours disagree")."""
    for m in re.finditer(";", doc.text[offset + clause_start:offset + clause_end]):
        if not doc.in_quote(offset + clause_start + m.start()):
            return clause_start + m.start()
    return clause_end


def _attributes_quote(before: str) -> bool:
    """Whether a subject whose sentence so far is `before` follows a quote it attributes ("“...,”
    Trump said aboard Air Force One."): what follows its verb is a circumstance, not a statement."""
    # also ",’”" closing a nested quote, and "“...,” his lawyer, Priya Ramkissoon, told reporters"
    return bool(_AFTER_A_QUOTE.search(before))


# "“...,” said Inspector Pieter Aalders": the subject of the inverted attribution.
_SAID_AFTER_A_QUOTE = re.compile(rf"[,?!—–-]\s*[”\"’]{{1,2}}\s*{rules.VERB}\s+$")
_AFTER_A_QUOTE = re.compile(r"[,?!—–-]\s*[”\"’]{1,2}\s*(?:(?:his|her|their|its|the|a|an)\s+[^,“”\"]{1,40},\s*)?$")


def _reported_item(doc: QuotedText, found: Found, offset: int, clause_start: int, clause_end: int) -> Said | None:
    if clause_end <= clause_start:
        return None
    item = Said(offset + clause_start, offset + clause_end, kind="reported")
    _set_speaker(doc, item, found, offset)
    return item


def _reported_by_subject(
    doc: QuotedText, subject: re.Match[str], offset: int, clause_start: int, clause_end: int
) -> Said | None:
    """The clause of a participle ("..., stating that ...") said by the sentence's subject."""
    if clause_end <= clause_start:
        return None
    item = Said(offset + clause_start, offset + clause_end, kind="reported")
    person = doc.people.resolve(subject.group())
    item.attribution = "person" if person else "other"
    item.speaker, item.name_at = (person.name if person else None), offset + subject.start()
    return item
