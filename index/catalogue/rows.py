"""What both catalogue backends write and match the same way: a document's quotation rows, and
the LIKE pattern of a title."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..names import normalise_speaker
from ..quotes import Quotation
from ..records import SpeakerRow


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


def titled(mark: str) -> str:
    """A title key that is the title or ends with " " + it (the arguments: title, ending_in(title))."""
    return f"(title_key = {mark} OR title_key LIKE {mark} ESCAPE '\\')"


def speaker_rows_query(surname: str | None, title: str | None, mark: str) -> tuple[str, tuple[str, ...]]:
    """The query behind `Catalogue.speaker_rows` (placeholders `mark`: "?" or "%s") and its arguments:
    quotation counts by speaker form and document, for all speakers or those sharing a surname key
    with a quotation of that surname, or of that title (so a lone surname can join its fuller name)."""
    condition: str
    args: tuple[str, ...]
    if surname is not None:
        condition, args = f"surname_key = {mark}", (surname,)
    elif title is not None:
        condition, args = titled(mark), (title, ending_in(title))
    else:
        condition, args = "", ()
    where = f"WHERE surname_key IN (SELECT surname_key FROM quotations WHERE {condition})" if condition else ""
    return (f"""SELECT speaker_key, surname_key, speaker, title, forms, path, count(*) FROM quotations {where}
                GROUP BY speaker_key, surname_key, speaker, title, forms, path""", args)


def speaker_row(row: Sequence) -> SpeakerRow:
    key, surname, name, title, forms, path, count = row
    return SpeakerRow(key, surname, name, title, tuple(json.loads(forms)), path, count)
