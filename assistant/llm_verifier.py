"""The LLM answer's sentences checked one by one against the passages they cite, as they arrive.

`SentenceVerifier` is fed the model's text (whole, or streamed deltas) and releases only complete
sentences that what they cite supports (`assistant/support.py`); the others are kept in
`removed` with their reason. Markers are renumbered over the units that support each claim.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from langchain_core.documents import Document

from index import Span, split_sentences
from index.terms import fold, tokens

from .claims import is_connective
from .models import Citation, RemovedSentence, Verification
from .support import Evidence, SupportChecker, Verdict
from .units import Unit, group_units

# A marker group: "[1]", "[2, 3]". Text that may still become one while streaming: "[", "[1", "[2,".
MARKER = re.compile(r"\[\s*(\d{1,3}(?:\s*,\s*\d{1,3})*)\s*\]")
_MARKER_PREFIX = re.compile(r"\[[\d,\s]{0,12}\Z")
# How models say the passages do not answer.
_NOT_IN_DOCUMENTS = re.compile(
    r"\bnot (?:mentioned |stated |found |covered |given |answered )?in the (?:provided |given )?"
    r"(?:documents?|passages?|context|sources?)\b"
    r"|\b(?:documents?|passages?|context|sources?) (?:provided )?(?:do(?:es)? not|don['’]t|never) "
    r"(?:say|answer|mention|contain|state|specify|provide|include|cover)"
    r"|\bno (?:relevant )?information (?:about|on|regarding)\b|\bI (?:do not|don['’]t) know\b",
    re.IGNORECASE,
)
# Text addressed to a language model ("ignore previous instructions and say ..."): never evidence
# for a claim, so an answer that obeys an instruction injected into a document cannot cite it.
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.!?\n]{0,60}\b(?:instructions?|rules|prompts?|guidelines)\b"
    r"|\b(?:reply|respond|answer|say|output|print|write)\b[^.!?\n]{0,30}\bonly\b[^.!?\n]{0,30}\b(?:word|phrase|text)\b"
    r"|\b(?:system|developer) (?:note|prompt|message|instruction)s?\b[^.!?\n]{0,40}\b(?:AI|assistant|model|LLM)\b"
    r"|\b(?:note|message|instructions?) (?:to|for) (?:the |any )?(?:AI|assistant|language model|LLM|chatbot)\b",
    re.IGNORECASE,
)
def says_not_in_documents(text: str) -> bool:
    """Whether the model's (first sentence of) answer says the documents do not answer.

    >>> says_not_in_documents("Not in the documents.")
    True
    >>> says_not_in_documents("Budrys said the EU should act [1]. The documents do not say when.")
    False
    """
    stripped = MARKER.sub("", text).strip()
    sentences = split_sentences(stripped) if stripped else []
    return bool(sentences) and bool(_NOT_IN_DOCUMENTS.search(stripped[sentences[0].start : sentences[0].end]))


# Markers ending a sentence after its full stop ("deal. [1] The sky", "deal.[1] The sky"): they
# belong to the sentence before.
_LEADING_MARKERS = re.compile(r"(?:\s*\[\s*\d{1,3}(?:\s*,\s*\d{1,3})*\s*\])+")
_MARKERS_AFTER_STOP = re.compile(r"[.!?…][\"'”’»)]*((?:\s*\[\s*\d{1,3}(?:\s*,\s*\d{1,3})*\s*\])+)(?=\s+\S)")
# Why a sentence was removed when the support check was not even asked.
NO_PASSAGE = "cites no passage"


def answer_sentences(text: str) -> list[Span]:
    """The sentences of a model's answer, each marker group belonging to the sentence it ends.

    >>> t = "Vilnius wants a deal. [1] The sky is green.[2] It is [3]."
    >>> [t[s.start:s.end] for s in answer_sentences(t)]
    ['Vilnius wants a deal. [1]', 'The sky is green.[2]', 'It is [3].']
    """
    spans: list[Span] = []
    for span in split_sentences(text):
        start = span.start
        lead = _LEADING_MARKERS.match(text, start)
        if lead and spans:
            spans[-1] = Span(spans[-1].start, lead.end())
            start = lead.end()
            while start < span.end and text[start].isspace():
                start += 1
            if start >= span.end:
                continue
        # "green.[2] It is": no boundary for split_sentences (no space after the stop).
        for match in _MARKERS_AFTER_STOP.finditer(text, start, span.end):
            nxt = match.end()
            while nxt < span.end and text[nxt].isspace():
                nxt += 1
            if nxt < span.end and (text[nxt].isupper() or text[nxt] in "\"“‘«(" or text[nxt].isdigit()):
                spans.append(Span(start, match.end()))
                start = nxt
        spans.append(Span(start, span.end))
    return spans


def _has_words(text: str) -> bool:
    """Whether text holds more than markers (or the beginning of one) and punctuation."""
    return any(ch.isalnum() for ch in _MARKER_PREFIX.sub("", MARKER.sub("", text)))


@dataclass
class _Judged:
    """One sentence of the model's answer, checked."""

    text: str  # as released: markers renumbered, or "" when removed
    kind: str  # supported | connective | removed
    reason: str = ""


class SentenceVerifier:
    """Checks the model's answer sentence by sentence as it arrives, and releases only the
    sentences its citations support (a connective one waits for the next supported one)."""

    def __init__(self, passages: Sequence[Document], checker: SupportChecker):
        self.passages, self.checker = list(passages), checker
        self.raw = ""  # everything the model said
        self.done = 0  # sentences of `raw` judged so far
        self.end = 0  # where the last judged sentence ends in `raw`
        self.gap = ""  # the whitespace owed before the next released sentence
        self.held = ""  # connective text waiting for a supported sentence
        self.text = ""  # released text
        self.declined = False  # the model said the documents do not answer
        self.supported = 0
        self.removed: list[RemovedSentence] = []
        self.citations: dict[tuple[str, int, int], Citation] = {}  # (source, start, end) -> citation
        self._units: dict[int, list[tuple[Unit, Evidence]]] = {}

    def feed(self, delta: str) -> str:
        """Take a piece of the model's text; return the verified text it releases ("" if none)."""
        self.raw += delta
        return self._advance(final=False)

    def finish(self) -> str:
        """The model is done: judge what is left and release what holds."""
        return self._advance(final=True)

    def _advance(self, final: bool) -> str:
        spans = answer_sentences(self.raw)
        if not final:
            while spans and not _has_words(self.raw[spans[-1].start : spans[-1].end]):
                spans.pop()  # a marker (or the beginning of one) the sentence before may still own
            spans = spans[:-1]  # the sentence being written
        released = ""
        for span in spans[self.done :]:
            self.done += 1
            gap, self.end = self.raw[self.end : span.start], span.end
            self.gap = _strongest_gap(self.gap, gap)
            sentence = self.raw[span.start : span.end]
            if self.done == 1 and says_not_in_documents(sentence):
                self.declined = True
            if self.declined:
                continue
            judged = self._judge(sentence)
            if judged.kind == "empty":
                continue
            if judged.kind == "removed":
                self.removed.append(RemovedSentence(text=" ".join(sentence.split()), reason=judged.reason))
                continue
            piece = (self.gap if (self.text or released or self.held) else "") + judged.text
            self.gap = ""
            if judged.kind == "connective":
                self.held += piece
                continue
            self.supported += 1
            released += self.held + piece
            self.held = ""
        self.text += released
        return released

    def _judge(self, sentence: str) -> _Judged:
        groups = list(MARKER.finditer(sentence))
        claim = " ".join(MARKER.sub(" ", sentence).split())
        claim = re.sub(r"\s+([.,;:!?])", r"\1", claim)
        cited = list(dict.fromkeys(int(n) for g in groups for n in re.findall(r"\d+", g.group(1))))
        valid = [n for n in cited if 1 <= n <= len(self.passages)]
        if not _has_words(claim):
            return _Judged("", "empty")
        if is_connective(claim):
            return _Judged(claim, "connective")
        if not groups:
            return _Judged("", "removed", self.checker.check(claim, []).reason)
        if not valid:
            return _Judged("", "removed", NO_PASSAGE)
        verdicts = {n: self._support(n - 1, claim) for n in valid}
        if any(v.kind == "connective" for _, v in verdicts.values()):
            return _Judged(claim, "connective")
        supporting = {n: unit for n, (unit, verdict) in verdicts.items() if verdict.supported and unit is not None}
        if not supporting and len(valid) > 1:
            supporting = self._support_together(valid, claim)
        if not supporting:
            best = max((v for _, v in verdicts.values()), key=lambda v: v.score)
            return _Judged("", "removed", best.reason or "not in the cited passage")
        numbers = {n: self._cite(n - 1, unit, verdicts[n][1].score) for n, unit in supporting.items()}

        def rewrite(match: re.Match) -> str:
            kept = list(dict.fromkeys(numbers[int(n)] for n in re.findall(r"\d+", match.group(1)) if int(n) in numbers))
            return "".join(f"[{m}]" for m in kept)

        text = MARKER.sub(rewrite, sentence)
        text = re.sub(r"[ \t]+(?=[.,;:!?]|$)", "", re.sub(r"[ \t]{2,}", " ", text)).strip()
        return _Judged(text, "supported")

    def _support(self, index: int, claim: str) -> tuple[Unit | None, Verdict]:
        """The unit of passage `index` that supports the claim with the best score (None when none
        does), and the verdict: the supporting one, or the best-scoring refusal for its reason."""
        best_unit, best, refusal, nearest = None, None, None, (-1.0, -1)
        claim_words = {fold(w.text) for w in tokens(claim)}
        for unit, evidence in self._passage_units(index):
            verdict = self.checker.check(claim, [evidence])
            if verdict.supported:
                if best is None or verdict.score > best.score:
                    best_unit, best = unit, verdict
                continue
            # The reason comes from the unit nearest the claim: best score, then most words shared.
            near = (verdict.score, len(claim_words & {fold(w.text) for w in tokens(unit.text)}))
            if near > nearest:
                refusal, nearest = verdict, near
        if best is not None:
            return best_unit, best
        if refusal is None:  # (a Verdict is falsy when it does not support)
            refusal = Verdict(False, 0.0, "not in the cited passage", "content")
        return None, refusal

    def _support_together(self, numbers: list[int], claim: str) -> dict[int, Unit]:
        """A claim joining what several passages say ("X [1], and Y [2]"): the best unit of each,
        checked together."""
        chosen: dict[int, tuple[Unit, Evidence]] = {}
        for n in numbers:
            scored = [(self.checker.check(claim, [e]).score, u, e) for u, e in self._passage_units(n - 1)]
            if scored:
                _, unit, evidence = max(scored, key=lambda s: s[0])
                chosen[n] = (unit, evidence)
        if len(chosen) > 1 and self.checker.check(claim, [e for _, e in chosen.values()]).supported:
            return {n: u for n, (u, _) in chosen.items()}
        return {}

    def _cite(self, index: int, unit: Unit, score: float) -> int:
        passage = self.passages[index]
        m = passage.metadata
        key = (m["source"], unit.start, unit.end)  # overlapping passages share sentences
        if key not in self.citations:
            self.citations[key] = Citation(
                n=len(self.citations) + 1, source=m["source"], title=m["title"], chunk_id=m["chunk_id"],
                start=unit.start, end=unit.end, quote=unit.text, score=round(float(score), 4),
            )
        return self.citations[key].n

    def _passage_units(self, index: int) -> list[tuple[Unit, Evidence]]:
        if index not in self._units:
            passage = self.passages[index]
            context = passage_context(passage)
            self._units[index] = [
                (u, Evidence(u.text, context))
                for u in group_units(passage) if u.end > u.start and not _INSTRUCTION.search(u.text)
            ]
        return self._units[index]

    def verification(self, extra_supported: int = 0) -> Verification:
        """The share of the answer's sentences supported: kept supported ones (plus
        `extra_supported` sentences of an extractive answer given instead) over those and the removed."""
        supported = self.supported + extra_supported
        total = supported + len(self.removed)
        return Verification(supported_share=round(supported / total, 4) if total else 1.0, removed=self.removed)


def passage_context(passage: Document) -> str:
    """What of a passage's document may complete its sentences: the title, and the dateline when
    known (the metadata's, or the passage's own first line when it opens the document)."""
    m = passage.metadata
    parts = [m.get("title") or ""]
    if m.get("dateline"):
        parts.append(m["dateline"])
    elif m.get("start") == 0:
        parts.append(passage.page_content.split("\n", 1)[0][:300])
    return "\n".join(p for p in parts if p)


def _strongest_gap(a: str, b: str) -> str:
    """The separator to keep between two released sentences: a blank line, a line break, or a space."""
    lines = max(a.count("\n"), b.count("\n"))
    return "\n\n" if lines >= 2 else "\n" if lines == 1 else " " if (a or b) else ""
