"""Who said what: rule-based extraction of quotations and their speakers from news-style text.

Direct quotes ("...", “...”, and '...' outside double quotes) are attributed by a speech verb next
to them ("...," Budrys said / said Budrys / Budrys said: "..."; the nearest one before a quote, so
"Hoskins recalled that Delaney told him the job was "..."" is Delaney's), by a verb of judgement
("Leckie praised the "fearless" lead"), by "according to X", by a dash ("...” - Doug Bowser"), or,
when they carry no attribution of their own, by the quote before them in the same paragraph.
Reported speech: "X said (that) ...", "X told reporters ...", "X ..., stating that ...", "According
to X, ...", "..., said X", "..., X said on Thursday", "..., according to X". "X of the University of
Y said" is X. Regular expressions and string work only, about linear in the text (roughly a
megabyte a second): it runs on every document at ingest.

Deliberate simplifications, all on the side of precision (a quote given to the wrong person is
worse than none):
- Speakers are people and organisations: a capitalised name of 1-4 words, or an organisation's
  name ("Halvorsen Bank", "Department for Education"; known by a word of its kind, see
  `lexicon.py`). A lone word ("Budrys") stands for the one fuller name ending in it; with none, it
  speaks for itself ("Hendricks said", "Google said", "Qorix" for a Qorix Software named), unless
  it is a country or a capital ("Lithuania said") or a plural noun ("Officials said"). "The bank
  said" is the one bank named (or the company that opened the sentence before); unnamed bodies,
  joint and unnamed speakers ("the foreign ministry said", "a spokesman for Budrys said", "Budrys
  and Ruginienė said") are dropped, with their quotes; "a spokesperson for Meridian Airways said"
  is the airline, "a spokesperson for the council" the one council named; "the company" is nobody
  when a second company is named, if only by what it is ("the battery start-up Cellique"). A
  surname two people share goes to the one introduced with a title ("President Donald Trump", not
  "Melania Trump"), or after "Mrs" to the one of that gender; else nobody.
- "He"/"she" is first the subject of the sentence before it in its paragraph, when that is a person
  of its gender (or none known) and no one else who could be meant is named after them ("Its
  salvage master, Piet Janssen, was more cautious. "...," he said."; "Mendes and Reyes met. She
  said ..." is the woman of the two); else the person named last before it in this or the previous
  paragraph, if that person is the only one named there or the speaker of a quote, or the only one
  its own paragraph names;
  any name we cannot tell is a person ("Riga") in between leaves the pronoun unresolved; an
  organisation's name ("the University of Hamburg") does not, and a name with ", who" or a role in
  apposition ("Marcus Feld, a fisheries scientist") is a person. Gender, when the text says it
  ("Mrs.", "spokeswoman", a common given name, an earlier resolved "he"), skips over a person of
  the other one ("she" after Sofia Reyes and Thomas Becker is Reyes) and never overrides the rule
  above with a guess; "she" after a man and one person of unknown gender, nobody else named in its
  paragraph, is that person. "The minister said" resolves only when exactly one person in the
  document has that title.
- A quote never crosses a paragraph (a line break), except that an unclosed quote runs to the end
  of its paragraph and the next paragraph's opening quote continues it.
- One Quotation per contiguous quote span (not per sentence); a direct quote's text excludes the
  quote marks and a trailing comma, a reported one is its clause to the end of the sentence.

The parts: spans.py finds the quotes, people.py the people of a document (names from
`index.names`, word lists from lexicon.py) and organisations.py its organisations, rules.py holds
the attribution rules, each a named `Rule`, attribution.py applies them next to a direct quote and
reported.py sentence by sentence, bodies.py finds organisations speaking without their name by the
verb ("the company", "It said", "its owners said"), continuation.py continues quotes, pronouns.py
resolves "he"/"she" (mentions.py lists the names they may point back to), extract.py puts it
together, scoring.py checks predictions against hand labels.
"""

from ..names import normalise_speaker, same_speaker, split_title
from .extract import Quotation, extract_quotations
from .rules import Rule
from .scoring import AttributionCheck, check_attributions

__all__ = [
    "AttributionCheck", "Quotation", "Rule", "check_attributions", "extract_quotations", "normalise_speaker",
    "same_speaker", "split_title",
]
