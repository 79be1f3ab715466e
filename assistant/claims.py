"""A sentence (of an answer, or a question) read for what it claims: its words, names, numbers,
content words, the words that qualify a name, and its negations. `assistant/support.py` compares
such a claim with the span it cites.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.terms import CONNECTIVE_WORDS, META_WORDS, Token, fold, name_runs, same_word, stem, tokens

NEGATIONS = frozenset("not no never none nobody nothing neither nor without cannot n't".split())
# "No. 1" and "No 5" are numbers, not denials.
_NEGATION_PATTERN = re.compile(r"\b(?:not|no(?!\.?\s*\d)|never|none|nobody|nothing|neither|nor|without|cannot)\b"
                               r"|n[’']t\b", re.IGNORECASE)
_ORDINALS = frozenset("second third fourth fifth sixth seventh eighth ninth tenth".split())
# Prepositions that relate rather than claim ("trade between rich and poor nations").
_RELATIONS = frozenset("among amongst within between beyond across along around through throughout via".split())
NATIONALITY = re.compile(r"(?:ian|ean|ican|ese|ish)$")  # "Mongolian", "Korean", "American", "Chinese", "British"

@dataclass(frozen=True)
class Claim:
    numbers: list[Token]
    names: list[list[Token]]  # runs of capitalised words
    content: list[Token]
    negated: bool
    qualifiers: tuple[Token, ...] = ()  # content words a preposition introduces ("in physics")
    words: tuple[Token, ...] = ()
    text: str = ""


# Words that ask rather than constrain ("how many", "what kind of").
_ASKING = frozenset("many much kind type sort name named called known".split())
_PREPOSITIONS = frozenset("in of for at on from during about by with".split())
_DETERMINERS = frozenset("the a an this that these those its their his her".split())


def qualifiers(words: list[Token], content: list[Token]) -> tuple[Token, ...]:
    """Content words that narrow a name: after a preposition that follows a name ("the Nobel Prize
    in physics"), after a possessive ("Lithuania's defence minister", "the men's doubles title") or
    a nationality ("the Mongolian prime minister"). An answer must share them; other words of a
    question ("take place", "in order to") need not be in it."""
    ids = {id(w) for w in content}
    out = []
    for i, word in enumerate(words):
        if id(word) not in ids:
            continue
        j = i - 1
        while j >= 0 and fold(words[j].text) in _DETERMINERS:
            j -= 1
        if j < 0:
            continue
        before = words[j]
        after_possessive = fold(before.text).endswith("'s") and not before.first  # "men's doubles"
        after_name_and_preposition = (
            fold(before.text) in _PREPOSITIONS and j > 0 and words[j - 1].capitalised and not words[j - 1].first
        )
        # "the Mongolian prime minister": a nationality names the kind of role or thing, and what follows it
        # is part of what is asked.
        after_nationality = (
            before.capitalised and not before.first and j == i - 1 and bool(NATIONALITY.search(before.text))
        )
        if after_possessive or after_name_and_preposition or after_nationality:
            out.append(word)
    return tuple(out)


def parse_claim(text: str, question: bool = False) -> Claim:
    words = tokens(text)
    if question:
        # A question's first word is a question word, not a name ("Roughly, how much ..."), and its
        # number words are rarely constraints ("What are the two bodies ...?"): digits are, and so
        # are ordinals past "first" ("Who finished third?", "the fifth series").
        words = [w if not w.first else Token(w.text, w.start, w.stem, w.number, False, True) for w in words]
        words = [w if w.number is None or w.text[:1].isdigit() or fold(w.text) in _ORDINALS
                 else Token(w.text, w.start, stem(w.text), None, w.capitalised, w.first) for w in words]
    names = name_runs(words)
    in_names = {id(w) for run in names for w in run}
    content = [
        w for w in words
        if w.number is None and id(w) not in in_names and not w.is_stopword and len(w.text) > 1
        and fold(w.text) not in META_WORDS and fold(w.text) not in NEGATIONS and fold(w.text) not in _RELATIONS
        and not (question and fold(w.text) in _ASKING)
    ]
    return Claim(
        numbers=[w for w in words if w.number is not None], names=names, content=content,
        negated=says_not(text), qualifiers=qualifiers(words, content), words=tuple(words),
        text=text,
    )


def acronym_of(word: str) -> str | None:
    letters = word.replace(".", "")
    return letters if 2 <= len(letters) <= 6 and letters.isupper() and letters.isalpha() else None


def dotted_acronyms(words: list[Token]) -> set[str]:
    """Acronyms written with dots ("U.S.", which tokenises as U, S)."""
    out = set()
    letters_run = ""
    for word in [*words, None]:
        if word is not None and len(word.text) == 1 and word.text.isupper():
            letters_run += word.text
            continue
        if len(letters_run) >= 2:
            out.add(letters_run)
        letters_run = ""
    return out


def initials_of(words: list[Token]) -> set[str]:
    """Initials of every run of capitalised words ("United States" gives "US"), and acronyms
    written with dots."""
    out = dotted_acronyms(words)
    for run in name_runs(words):
        letters = "".join(w.text[0] for w in run)
        for i in range(len(letters)):
            for j in range(i + 2, len(letters) + 1):
                out.add(letters[i:j].upper())
    return out


def is_connective(sentence: str) -> bool:
    """A sentence that only connects ("Here is what the documents say:"): no name, no number, and
    no content word beyond talk about the documents.

    >>> is_connective("Here is what the documents say:"), is_connective("Vilnius wants a deal.")
    (True, False)
    """
    words = tokens(sentence)
    if not words or len(words) > 16:
        return False
    if sentence.rstrip().endswith(":"):
        # "Here is what the documents say about the 2018 Wimbledon final:" introduces, claims nothing.
        words = [w for w in words if not (w.capitalised and not w.first) and w.number is None]
    elif any(w.number for w in words) or len(words) > 12:
        return False
    return all(w.is_stopword or fold(w.text) in CONNECTIVE_WORDS for w in words)


def says_not(text: str) -> bool:
    """Whether the text holds a negation anywhere.

    >>> says_not("Lithuania has not signed the deal."), says_not("Lithuania signed the deal.")
    (True, False)
    """
    return bool(_NEGATION_PATTERN.search(text))


def negated_scopes(words: list[Token], text: str = "") -> list[set[str]]:
    """The stems each negation governs: the content words that follow it, up to four, within its
    clause (a comma ends it: "If not, then the way forward is bilaterally" denies nothing after it)."""
    scopes = []
    for i, word in enumerate(words):
        if fold(word.text) in NEGATIONS or fold(word.text).endswith("n't"):
            scope = set()
            previous = word
            for after in words[i + 1 : i + 8]:
                gap = text[previous.start + len(previous.text) : after.start] if text else ""
                if after.first or re.search(r"[,;:—–()]", gap):
                    break
                previous = after
                if not after.is_stopword and after.number is None:
                    scope.add(after.stem)
                if len(scope) == 4:
                    break
            scopes.append(scope)
    return scopes


def find_reversal(claim: Claim, span: list[Token], span_text: str = "", claim_text: str = "") -> str:
    """A negation on one side only, over words both sides share: "did not sign" against "signed".
    A negation elsewhere in the span ("... if the EU doesn't accelerate") is no reversal."""
    claim_stems = {w.stem for w in claim.content} | {w.stem for run in claim.names for w in run}
    span_stems = {w.stem for w in span}
    span_scopes = negated_scopes(span, span_text)
    claim_scopes = negated_scopes(list(claim.words), claim_text) if claim.negated else []
    negated_in_span = {s for scope in span_scopes for s in scope}
    if claim.negated:
        # The claim denies something the span states without a denial of its own.
        denied = {s for scope in claim_scopes for s in scope}
        shared = {s for s in denied if any(same_word(s, t) for t in span_stems)}
        if shared and not any(same_word(s, t) for s in shared for t in negated_in_span):
            return "the claim says not, the passage does not deny it"
        return ""
    denied_shared = {s for s in negated_in_span if any(same_word(s, c) for c in claim_stems)}
    if denied_shared:
        return f"the passage says not {sorted(denied_shared)[0]}, the claim does not"
    return ""


def looks_like_year(number: str | None) -> bool:
    return bool(re.fullmatch(r"1[5-9]\d\d|20\d\d", number or ""))
