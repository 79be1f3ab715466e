"""The support check's rules, each a pure function of a parsed claim (or question) and the tokens
or text of the span it is read against: numbers and names in order, reversals by a negating prefix
or by an intention stated as a deed, names given only in contrast, and the reasons a person reads.
`assistant/support.py` applies them.
"""

from __future__ import annotations

import re

from index.terms import Token, fold, same_word

from .claims import Claim, looks_like_year


def number_reason(number: Token, span: list[Token], question: bool) -> str:
    subject = "the question" if question else "the claim"
    is_year = looks_like_year(number.number)
    same_kind = [w.text for w in span if w.number and looks_like_year(w.number) == is_year]
    if same_kind:
        return f"{number.text} in {subject}, {', '.join(dict.fromkeys(same_kind[:2]))} in the passage"
    return f"{number.text} in {subject}, not in the passage"


def content_reason(missing: list[str], counterparts: list[str | None]) -> str:
    if not missing:
        return "not enough of the claim is in the cited passage"
    for word, counterpart in zip(missing, counterparts, strict=True):
        if counterpart:
            return f"the passage says {counterpart}, the claim says {word}"
    shown = ", ".join(f"“{w}”" for w in missing[:3])
    return f"not in the cited passage: {shown}"


def same_order(names: list[list[Token]], span: list[Token]) -> bool:
    """Whether the claim's names come in the order the span first names them ("Kerber defeated
    Williams" is not "Williams defeated Kerber"); names the span lacks (in the title) do not count."""
    firsts = [fold(run[0].text) for run in names if run]
    positions = []
    for name in firsts:
        where = next((i for i, w in enumerate(span) if fold(w.text) == name), None)
        if where is not None:
            positions.append(where)
    return positions == sorted(positions)


def contiguous(run: list[Token], text: str) -> bool:
    """Whether a name's words stand next to each other ("Carolina Panthers"), not joined by a word such
    as "of" ("CFO of Google": two names, the second no head of the first)."""
    return all(not text[a.start + len(a.text) : b.start].strip() for a, b in zip(run, run[1:], strict=False))


# Words that make a statement an intention or a possibility, not a fact ("signalling a willingness to pursue").
INTENT = frozenset(
    "willing willingness intend intends intended intention intentions plan plans planned planning could may might "
    "would seek seeks seeking consider considers considering aim aims hope hopes propose proposes proposed pursue "
    "pursuing want wants wanted expect expects expected likely possible possibility potential prepared ready "
    "threaten threatens threatened prospect".split()
)


def intent_only_in_span(claim: Claim, span: list[Token], missing: list[str]) -> str:
    """The span says something may or is meant to happen, the claim states it as done, in a word the
    span lacks: "Vilnius is signalling a willingness to pursue a deal" does not say "Lithuania has
    signed the deal"."""
    if any(fold(w.text) in INTENT for w in claim.words):
        return ""
    shared = {w.stem for w in claim.content}
    for i, word in enumerate(span):
        if not any(same_word(word.stem, s) for s in shared):
            continue
        # The intention governs what the claim is about: it comes just before a word they share, in
        # the same sentence ("May" the month intends nothing).
        before = span[max(0, i - 5) : i]
        starts = [j for j, w in enumerate(before) if w.first]
        before = before[starts[-1]:] if starts else before
        if word.first:
            before = []
        intents = [w for w in before if fold(w.text) in INTENT and w.text != "May"]
        if intents:
            return f"the passage says {intents[-1].text}, the claim says {missing[0]}"
    return ""


NUMBERED = re.compile(r"[-‐‑]\w*\d\w*")  # what a hyphen attaches to a name: "GPT-2", "F-16", "COVID-19"
NEGATING_PREFIXES = ("non-", "non", "un")  # "in", "im", "dis" begin too many plain words (inside, display)


def opposite_by_prefix(asked: list[Token], said: list[Token], subject: str) -> str:
    """A word of one side that is the other's with a negating prefix ("unencrypted" for "encrypted",
    "non-Muslims" for "Muslims"), the plain word absent from that side.

    >>> from index.terms import tokens
    >>> opposite_by_prefix(tokens("unencrypted content"), tokens("the encrypted content"), "the question")
    'unencrypted in the question, encrypted in the passage'
    """
    for ours, theirs, where, other in ((asked, said, subject, "the passage"), (said, asked, "the passage", subject)):
        plain = {fold(w.text) for w in theirs}
        for word in ours:
            text = fold(word.text)
            for prefix in NEGATING_PREFIXES:
                rest = text[len(prefix) :]
                if text.startswith(prefix) and len(rest) >= 5 and rest in plain and text not in plain:
                    return f"{word.text} in {where}, {rest} in {other}"
    return ""



# What a sentence compares or contrasts its subject with: "in contrast to GPT-2", "like its predecessor GPT-2".
# What a sentence compares or contrasts its subject with: "in contrast to GPT-2", "like its predecessor
# GPT-2" (a bare "like" gives examples: "companies like Google" names Google as one).
_COMPARED = (r"unlike|contrast(?:ed)? (?:to|with)|rather than|instead of|as opposed to|except(?: for)?|apart from|"
             r"other than|similar to|compared (?:to|with)")
CONTRAST = re.compile(rf"\b(?:(?:{_COMPARED})\s+(?:(?:the|its|their|his|her)\s+(?:\w+\s+)?)?"
                      r"|like\s+(?:its|their|his|her)\s+(?:\w+\s+)?)$", re.IGNORECASE)


def written_names(claim: Claim) -> list[str]:
    """The claim's names as written, with what a hyphen attaches ("GPT-2", "F-16", "COVID-19")."""
    out = []
    for run in claim.names:
        start, end = run[0].start, run[-1].start + len(run[-1].text)
        attached = NUMBERED.match(claim.text[end:])
        out.append(claim.text[start : end + (attached.end() if attached else 0)])
    return out


def only_in_contrast(claim: Claim, span_text: str) -> str:
    """A name of the question that the span names only as what it contrasts with ("OpenAI released
    GPT-3 ..., in contrast to GPT-2" does not say when GPT-2 was released)."""
    for name in written_names(claim):
        places = [m.start() for m in re.finditer(written_pattern(name), span_text, re.IGNORECASE)]
        if places and all(CONTRAST.search(span_text[max(0, p - 30) : p]) for p in places):
            return f"the passage names {name} only in contrast"
    return ""


def written_pattern(name: str) -> str:
    """A regex for a name written with a number, any hyphen or a space between ("GPT-2", "GPT‑2", "Apollo 11"),
    not followed by more of a word or number ("GPT-20")."""
    parts = re.split(r"[-‐‑]", name)
    return r"(?<!\w)" + r"[-‐‑ ]".join(re.escape(p) for p in parts) + r"(?![\w])(?!\.\d)"
