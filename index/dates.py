"""A document's publication date, when its first lines state one ("Feb 14, 2026", "2026-02-14").

Only the text is read: a file's modification time says when it was copied, not when it was
written, so a document without a dateline has no date (None) rather than a wrong one.
"""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_PATTERNS = [
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mnum>[01]\d)-(?P<day>[0-3]\d)(?!\d)"),  # 2026-02-14(T09:30)
    re.compile(rf"\b{_MONTH}\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)\b", re.I),  # Feb 14, 2026
    # 14 February 2026
    re.compile(rf"\b(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+{_MONTH}\s+(?P<year>(?:19|20)\d\d)\b", re.I),
]
_HEAD_LINES = 5
_HEAD_CHARS = 600


def document_date(text: str) -> str | None:
    """The first date in the document's first lines, as YYYY-MM-DD, or None.

    >>> document_date("Lithuania eyes a deal\\nFeb 14, 2026 - Vilnius is signalling ...")
    '2026-02-14'
    >>> document_date("Budrys spoke in Munich.") is None
    True
    """
    head = "\n".join(text[:_HEAD_CHARS].split("\n")[:_HEAD_LINES])
    found = []
    for pattern in _PATTERNS:
        for m in pattern.finditer(head):
            fields = m.groupdict()
            month = int(fields["mnum"]) if fields.get("mnum") else _MONTHS[fields["month"].lower()]
            try:
                found.append((m.start(), date(int(m.group("year")), month, int(m.group("day"))).isoformat()))
            except ValueError:
                continue  # "Feb 30, 2026" is not a date
    return min(found)[1] if found else None
