"""What both catalogue backends write and match the same way: a document's quotation rows, and
the LIKE pattern of a title."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..names import normalise_speaker
from ..quotes import Quotation


def quotation_rows(path: str, quotations: Sequence[Quotation]) -> list[tuple]:
    """The rows of a document's quotations (path, ordinal, speaker, speaker_key, surname_key, forms,
    title, title_key, kind, start, end, text): keys normalised, the surname key the last word of
    the speaker's, the forms as JSON."""
    rows = []
    for ordinal, q in enumerate(quotations):
        key = normalise_speaker(q.speaker)
        rows.append((
            path, ordinal, q.speaker, key, key.split()[-1] if key else "",
            json.dumps(list(q.forms), ensure_ascii=False), q.title, normalise_speaker(q.title), q.kind, q.start, q.end,
            q.text,
        ))
    return rows


def ending_in(title: str) -> str:
    r"""A LIKE pattern (escape character \) for title keys ending in " " + `title`, its own % and _
    taken literally (both backends use it).

    >>> ending_in("vice_president 100%")
    '% vice\\_president 100\\%'
    """
    return "% " + title.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
