"""Who said each quote: the rules next to a direct quote, reported speech sentence by sentence,
"he"/"she" resolved to the person named last, and a quote continuing the speaker of the one before."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from ..names import NAME_RUN_PATTERN, ROLE_NOUNS, split_title
from . import rules
from .rules import Rule
from .spans import QuotedText, Said

WINDOW = 300  # characters around a quote searched for its attribution
PRONOUN_REACH = 2000  # characters back a pronoun looks for its person, at most (long paragraphs)
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
    ends_open = inner.endswith((",", "?", "!", "—", "–", "-", "…")) or after.startswith(",")
    if ends_open and (found := _match_after(after)):
        _set_speaker(doc, span, found, span.close_mark)
    elif found := _match_before(before):
        _set_speaker(doc, span, found, before_lo)
    elif not ends_open and not before.strip() and (found := _match_after(after)) and _short_tail(after, found[1].end()):
        _set_speaker(doc, span, found, span.close_mark)


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
    for rule in rules.BEFORE:
        m = rule.pattern.search(before)
        if m:
            return rule, m
    return None


def _subject_position(prefix: str, appos: str | None) -> bool:
    """Whether a name after `prefix` (its sentence so far) is the subject: at the start, after an
    opening phrase ("On Monday, "), after a quote, after a role ("film director "), or with ", who".
    "A spokesman for Budrys said" is not Budrys speaking."""
    prefix = prefix.rstrip()
    return (
        not prefix or prefix.endswith((",", ";", ":", "—", "–", "-", "...", "…", "”", '"', "’"))
        or prefix.split()[-1] in ROLE_NOUNS or bool(appos and appos.strip(", ").startswith("who"))
    )


def _set_speaker(doc: QuotedText, item: Said, found: Found, offset: int) -> None:
    """Record the speaker a rule found (its groups: run/run2/colon, pron, role): a person, a
    pronoun to resolve later, or "other" when the speaker is no person we can name."""
    rule, m = found
    groups = {k: v for k, v in m.groupdict().items() if v}
    item.attribution = "other"
    if "pron" in groups:
        item.attribution, item.name_at = "pronoun", offset + m.start("pron")
        return
    group = next((g for g in ("run", "run2", "colon", "role") if g in groups), None)
    if group is None:
        return
    if rule.subject_only and not _subject_position(m.string[:m.start(group)], groups.get("appos")):
        return  # "a spokesman for Budrys said": not Budrys
    if group == "role":
        person = doc.people.with_role(groups["role"].casefold())
    elif group == "colon" and len(split_title(groups["colon"])[1].split()) < 2:
        return  # "Sources: ..." or a lone word before a colon
    else:
        person = doc.people.resolve(groups[group])
    if person:
        item.speaker, item.attribution, item.name_at = person.name, "person", offset + m.start(group)


def reported(doc: QuotedText, start: int, end: int) -> Said | None:
    """The reported statement of the sentence text[start:end], if any."""
    s = doc.text[start:end]
    if len(s) > MAX_SENTENCE or not rules.MAY_REPORT.search(s):
        return None
    clause_end = len(s) - len(m.group()) if (m := rules.TRAILING.search(s)) else len(s)
    for rule in rules.REPORTED:  # "Budrys said (that) ...", "He told reporters ...", "According to X, ..."
        m = rule.pattern.search(s)
        if m and not doc.in_quote(start + m.start()):
            return _reported_item(doc, (rule, m), start, m.start("clause"), clause_end)
    m = rules.PARTICIPLE_CLAUSE.search(s)
    if m and (m.group("that") or m.group("verb") in rules.PLAIN_PARTICIPLES):
        # "Budrys articulated the position, stating that ...": the sentence's subject speaks.
        subject = next((r for r in NAME_RUN_PATTERN.finditer(s, 0, m.start())
                        if split_title(r.group())[1] and not doc.in_quote(start + r.start())), None)
        if subject and _subject_position(s[:subject.start()], None):
            return _reported_by_subject(doc, subject, start, m.start("clause"), clause_end)
    m = rules.INVERTED.pattern.match(s)  # "Zuckerberg should step down, said Frances Haugen"
    if m and len(m.group("clause").split()) >= 4 and not doc.in_quote(start):
        return _reported_item(doc, (rules.INVERTED, m), start, 0, m.end("clause"))
    return None


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


def resolve_pronouns(doc: QuotedText, items: list[Said]) -> None:
    """He/she: the person named last before it, in this or the previous paragraph, if that name
    is a known person and either the only person named there or the speaker of a quote. A name
    we cannot tell is a person ("Riga", "Tesla") makes the pronoun ambiguous. In document order,
    so a resolved pronoun counts as a mention for the next one."""
    mentions = _mentions(doc, items)  # (position, person or "" when unknown, is an attribution)
    positions = [m[0] for m in mentions]
    starts = [lo for lo, _ in doc.paragraphs]
    for item in sorted((i for i in items if i.attribution == "pronoun"), key=lambda i: i.name_at):
        p = max(0, bisect_right(starts, item.name_at) - 1)
        window_lo = max(starts[max(0, p - 1)], item.name_at - PRONOUN_REACH)
        window = mentions[bisect_left(positions, window_lo):bisect_left(positions, item.name_at)]
        if not window or not window[-1][1]:
            continue
        if len({name for _, name, _ in window}) == 1 or window[-1][2]:
            item.speaker, item.attribution = window[-1][1], "person"
            at = bisect_left(positions, item.name_at)
            positions.insert(at, item.name_at)
            mentions.insert(at, (item.name_at, item.speaker, True))


def _mentions(doc: QuotedText, items: list[Said]) -> list[tuple[int, str, bool]]:
    """Every name outside quotes, with the known person it names ("" if none), and every
    attribution of a quote to a person."""
    mentions = [(i.name_at, i.speaker, True) for i in items if i.speaker and i.attribution == "person"]
    sentence_starts = set(doc.sentence_starts)
    for m in NAME_RUN_PATTERN.finditer(doc.text):
        name = split_title(m.group())[1]
        if not name or doc.in_quote(m.start()):
            continue
        person = doc.people.find(m.group())
        if person or len(name.split()) > 1 or m.start() not in sentence_starts:  # "Critics said": no name
            mentions.append((m.start(), person.name if person else "", False))
    for m in rules.SOMEONE.finditer(doc.text):
        if not doc.in_quote(m.start()):
            person = doc.people.with_role(m.group().casefold()) if m.group("role") else None
            mentions.append((m.start(), person.name if person else "", False))
    return sorted(mentions)


def continue_quotes(doc: QuotedText) -> None:
    """A quote with no attribution of its own that opens a sentence continues the speaker of the
    quote before it in the paragraph (or of the previous paragraph's unclosed quote), unless
    someone else is named in between or right after it ("..." Luther snapped)."""
    carried: Said | None = None  # an unclosed quote ending the previous paragraph
    for p, spans in enumerate(doc.spans_by_paragraph):
        for k, (before, span) in enumerate(zip([carried, *spans], spans, strict=False)):
            if span.attribution or before is None or before.speaker is None:
                continue
            between = doc.text[before.close_mark:span.open_mark]
            after_hi = spans[k + 1].open_mark if k + 1 < len(spans) else doc.paragraphs[p][1]
            after = re.split(r"[.!?;]", doc.text[span.close_mark:after_hi], maxsplit=1)[0]
            names = [m.group() for m in NAME_RUN_PATTERN.finditer(between + " " + after) if split_title(m.group())[1]]
            if ((not between.strip() or re.search(r"[.!?…]\s*$", between))
                    and len(doc.text[span.start:span.end].split()) >= 3
                    and all(getattr(doc.people.find(n), "name", None) == before.speaker for n in names)):
                span.speaker, span.attribution = before.speaker, "continued"
        carried = spans[-1] if spans and not spans[-1].closed else None
