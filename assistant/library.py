"""What the index holds, read without the model: documents, the people quoted and their quotations,
the index's health. The CLI's `quotes` and `ingest --check` use it on its own; an `Assistant` reads
through one too. Nobody outside `assistant` reaches into the store.
"""

from __future__ import annotations

from datetime import date

import index
from prompts import load_prompt

from .config import Settings
from .errors import AssistantError, NoIndexError
from .factory import open_catalogue, shared_collections
from .quotations import lookup_speakers
from .quote_digest import PAGE_SIZE, SpeakerInfo, SpeakerQuotes, date_range, page_offset, speaker_info, speaker_quotes


class Library:
    """Read access to one index. `with_vectors` opens Chroma too (for the health check); without it
    only the catalogue is opened."""

    def __init__(self, settings: Settings, *, store: index.IndexStore | None = None, with_vectors: bool = False):
        self.settings = settings
        if store is None:
            require_index(settings)
            folder = settings.collection_dir()
            client = index.open_chroma_client(folder, settings.chroma_url) if with_vectors else None
            store = index.IndexStore(folder, client, None, settings.chroma_collection(),
                                     catalogue=open_catalogue(settings))
        self.store = store

    def close(self) -> None:
        """Release the index (its catalogue connections and Chroma client)."""
        self.store.close()

    def documents(self) -> list[index.DocumentRecord]:
        """The indexed documents, in catalogue order."""
        return self.store.documents()

    def chunk_count(self) -> int:
        return self.store.chunk_count()

    def sample_texts(self, limit: int) -> list[str]:
        """Up to `limit` chunk texts, for example questions."""
        return self.store.sample_texts(limit)

    def speakers(self) -> list[SpeakerInfo]:
        """The people quoted in the documents, most quoted first."""
        return [speaker_info(s) for s in self.store.speakers()]

    def speaker_quotations(self, name: str, *, offset: int | None = None, page: int | None = None,
                           limit: int = PAGE_SIZE, since: date | None = None,
                           until: date | None = None) -> list[SpeakerQuotes]:
        """A page of the quotations of everyone `name` may mean (a full name, a surname, or a title
        only one person bears), newest document first, from documents dated `since` to `until` when
        given; UnknownSpeakerError (listing close names) when nobody is quoted, QuestionError for a
        bad page."""
        start = page_offset(offset, page, limit)
        when = date_range(since, until)
        return [speaker_quotes(s, self.store.quotations(s), start, limit, when)
                for s in lookup_speakers(self.store, name)]

    def quotation_backlog(self) -> int:
        """How many documents were indexed before quotations were stored (re-ingest adds theirs)."""
        return len(self.store.quotation_backlog())

    def health(self, *, wait: bool = True) -> index.IndexHealth:
        """The index's consistency, read under the writer lock (a live writer's half-written batch is
        not damage); AssistantError when another process holds it and `wait` is False."""
        try:
            with self.store.exclusively(wait=wait):
                return self.store.health()
        except (index.IndexBusyError, index.IndexDirError) as exc:
            raise AssistantError(str(exc)) from exc


def require_index(settings: Settings) -> None:
    """NoIndexError, saying what to run, when nothing was ever ingested where `settings` point."""
    if settings.shared_catalogue:
        if settings.collection not in shared_collections(settings):
            raise NoIndexError(load_prompt("no_index"))
    elif not settings.chroma_url and not index.catalogue_exists(settings.collection_dir()):
        raise NoIndexError(load_prompt("no_index"))
