"""The PostgreSQL catalogue's reads of the quotation index: counts, the backlog, speakers by
surname or title, a document's direct quotations, a speaker's quotations (newest first)."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from ..records import QuotationSpan, SpeakerRow, StoredQuotation
from .rows import ending_in, speaker_row, speaker_rows_query, titled


class QuotationReads:
    """Mixed into `PostgresCatalogue`, whose `_rows` and `_one` run a query on a pooled connection."""

    def _rows(self, sql: str, args: Any = ()) -> list[tuple]:
        raise NotImplementedError

    def _one(self, sql: str, args: Any = ()) -> Any:
        raise NotImplementedError

    # -- quotations ------------------------------------------------------------------------------

    def quotation_count(self) -> int:
        return self._one("SELECT count(*) FROM quotations")

    def quotation_backlog(self) -> set[str]:
        return {path for (path,) in self._rows("SELECT path FROM quotation_backlog")}

    def speaker_rows(self, surname: str | None = None, title: str | None = None) -> list[SpeakerRow]:
        return [speaker_row(row) for row in self._rows(*speaker_rows_query(surname, title, "%s"))]

    def titled_speaker_keys(self, title: str) -> set[str]:
        rows = self._rows(f"SELECT DISTINCT speaker_key FROM quotations WHERE {titled('%s')}",
                          (title, ending_in(title)))
        return {key for (key,) in rows}

    def quotation_spans(self, paths: Collection[str]) -> dict[str, list[QuotationSpan]]:
        wanted = list(dict.fromkeys(paths))
        spans: dict[str, list[QuotationSpan]] = {path: [] for path in wanted}
        if not wanted:
            return spans
        rows = self._rows(
            """SELECT path, start, "end", speaker_key FROM quotations
               WHERE kind = 'direct' AND path = ANY(%s) ORDER BY path, start""",
            (wanted,),
        )
        for path, start, end, speaker_key in rows:
            spans[path].append(QuotationSpan(start, end, speaker_key))
        return spans

    def quotations_of(self, speaker_keys: Collection[str]) -> list[StoredQuotation]:
        keys = list(speaker_keys)
        if not keys:
            return []
        rows = self._rows(
            """SELECT q.path, d.source, d.title, d.date, q.ordinal, q.speaker, q.speaker_key, q.forms, q.title,
                      q.kind, q.start, q."end", q.text
               FROM quotations q JOIN documents d ON d.path = q.path
               WHERE q.speaker_key = ANY(%s)
               ORDER BY d.date IS NULL, d.date DESC, d.source COLLATE "C", q.start""",
            (keys,),
        )
        return [
            StoredQuotation(path, source, doc_title, date, ordinal, speaker, key, tuple(json.loads(forms)), title, kind,
                            start, end, text)
            for path, source, doc_title, date, ordinal, speaker, key, forms, title, kind, start, end, text in rows
        ]
