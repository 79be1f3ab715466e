"""Predicted quotations scored against hand labels (tests/data/quotes, bench/quotes.py)."""

from __future__ import annotations

from dataclasses import dataclass

from ..names import same_speaker
from .extract import Quotation


@dataclass(frozen=True)
class AttributionCheck:
    """One document's predicted quotations checked against its labels ({"quote", "speaker"}).

    A prediction is right when it overlaps a labelled quote whose speaker is the same person
    (`same_speaker`); a label with a speaker is found when a right prediction overlaps it.
    """

    right: tuple[Quotation, ...]
    wrong: tuple[Quotation, ...]
    found: tuple[dict, ...]
    missed: tuple[dict, ...]


def check_attributions(text: str, predicted: list[Quotation], labels: list[dict]) -> AttributionCheck:
    spans = []
    for label in labels:
        start = text.find(label["quote"])
        if start < 0:
            raise ValueError(f"labelled quote not in its text: {label['quote']!r}")
        spans.append((start, start + len(label["quote"]), label))

    def agrees(q: Quotation, start: int, end: int, label: dict) -> bool:
        overlaps = q.start < end and start < q.end
        return overlaps and label["speaker"] is not None and same_speaker(q.speaker, label["speaker"])

    right = tuple(q for q in predicted if any(agrees(q, *span) for span in spans))
    wrong = tuple(q for q in predicted if q not in right)
    with_speaker = [span for span in spans if span[2]["speaker"] is not None]
    found = tuple(span[2] for span in with_speaker if any(agrees(q, *span) for q in right))
    missed = tuple(span[2] for span in with_speaker if span[2] not in found)
    return AttributionCheck(right, wrong, found, missed)
