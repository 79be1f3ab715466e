"""Reported speech, one sentence at a time: "Budrys said (that) ...", "..., said Frances Haugen",
"It said ..." after an organisation spoke, "..., adding that ..." after a quote's attribution."""

from __future__ import annotations

import re

from ..names import NAME_RUN_PATTERN, NOT_NAME_WORDS, split_title
from . import rules
from .attribution import (
    BEFORE_A_KIND,
    MAX_SENTENCE,
    Found,
    a_person_in_apposition,
    set_speaker,
    subject_position,
)
from .bodies import its_own, opening_organisation, organisation_that_spoke_before
from .lexicon import ORGANISATION_NOUNS
from .spans import QuotedText, Said


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
        while m and m.groupdict().get("run") and (m.group("run").casefold() in NOT_NAME_WORDS or BEFORE_A_KIND.match(
                s, m.end("run")) or a_person_in_apposition(m.groupdict().get("appos") or "")
                and not subject_position(s[:m.start("run")], None)):
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
        if subject and (subject_position(prefix, None) or _SAID_AFTER_A_QUOTE.search(prefix)):
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
    set_speaker(doc, item, found, offset)
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
