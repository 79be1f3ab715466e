"""Who said what: rule-based extraction of quotations and their speakers from news-style text.

Direct quotes ("...", “...”, and '...' outside double quotes) are attributed by a speech verb next
to them ("...," Budrys said / said Budrys / Budrys said: "..."), by "according to X", by a dash
("...” - Doug Bowser"), or, when they carry no attribution of their own, by the quote before them
in the same paragraph. Reported speech: "X said (that) ...", "X told reporters ...", "X ...,
stating that ...", "According to X, ...", "..., said X". Regular expressions and string work only,
about linear in the text (roughly a megabyte a second): it runs on every document at ingest.

Deliberate simplifications, all on the side of precision (a quote given to the wrong person is
worse than none):
- Speakers are people: a capitalised name of 1-4 words. A lone word ("Budrys") counts only as the
  last word of a fuller name in the same document, or after a title ("President Biden"), so
  "Lithuania said" and "Facebook says" give nothing. Organisations, joint and unnamed speakers
  ("the ministry said", "a spokesman for Budrys said") are dropped, with their quotes. Word lists,
  not a gazetteer, tell names from organisations: "Goldman Sachs said" passes for a person, and
  so does "Harvard announced" when a "John Harvard" appears in the document.
- No grammar, no gender: "he"/"she" is the person named last before it in this or the previous
  paragraph, if that person is the only one named there or the speaker of a quote; any name we
  cannot tell is a person ("Riga") in between leaves the pronoun unresolved. "The minister said"
  resolves only when exactly one person in the document has that title.
- A quote never crosses a paragraph (a line break), except that an unclosed quote runs to the end
  of its paragraph and the next paragraph's opening quote continues it.
- One Quotation per contiguous quote span (not per sentence); a direct quote's text excludes the
  quote marks and a trailing comma, a reported one is its clause to the end of the sentence.

The parts: spans.py finds the quotes, people.py the people of a document (names from
`index.names`), rules.py holds the attribution rules, each a named `Rule`, attribution.py applies
them (and resolves pronouns and continued quotes), extract.py puts it together, scoring.py checks
predictions against hand labels.
"""

from ..names import normalise_speaker, same_speaker, split_title
from .extract import Quotation, extract_quotations
from .rules import Rule
from .scoring import AttributionCheck, check_attributions

__all__ = [
    "AttributionCheck", "Quotation", "Rule", "check_attributions", "extract_quotations", "normalise_speaker",
    "same_speaker", "split_title",
]
