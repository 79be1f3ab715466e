"""`Assistant`: the Python API the CLI and the UI share. Builds the parts once and answers questions
through the one pipeline (`assistant/pipeline.py`).

    >>> from assistant import Assistant, Settings                      # doctest: +SKIP
    >>> Assistant(Settings()).ask("What did Budrys say?").answer       # doctest: +SKIP
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.runnables import Runnable

import index
from index import IndexStore, IngestReport, ingest, open_chroma_client
from index.embedding import SentenceEmbedder
from index.ingest import UPLOAD_KEY_PREFIX
from index.records import document_id
from prompts import load_prompt

from .answering import ExtractiveAnswerer
from .config import Settings
from .errors import AssistantError, BusyError, UnknownDocumentError, UploadError
from .factory import make_embedder, open_catalogue
from .library import Library
from .models import Answer
from .pipeline import QuestionPipeline
from .quotations import QuotationAnswerer
from .retrieval import HybridRetriever
from .turn import Turn
from .uploads import UPLOADS_FOLDER, validated_upload

if TYPE_CHECKING:
    from .llm import LLMAnswerer




@dataclass(frozen=True)
class DocumentView:
    """A document as the viewer shows it: what the catalogue knows of it, and its text."""

    record: index.DocumentRecord
    text: str


class Assistant(Library):
    """Retriever + answerers over one index, and everything a `Library` reads of it (documents,
    speakers and their quotations). Expensive parts may be passed in to share them."""

    def __init__(self, settings: Settings | None = None, *, embedder: SentenceEmbedder | None = None,
                 chroma_client=None):
        settings = settings or Settings()
        folder = settings.collection_dir()  # the collection's own index (vectors, catalogue, uploads)
        if not settings.stateless:  # a stateless worker writes nothing there
            try:  # before the model loads: an unwritable index directory is said at once, in one line
                index.ensure_index_dir(folder)
            except index.IndexDirError as exc:
                raise AssistantError(str(exc)) from exc
        catalogue = open_catalogue(settings)  # before the model loads too: a PostgreSQL that is down is said at once
        self.embedder = embedder or make_embedder(settings)
        client = chroma_client or open_chroma_client(folder, settings.chroma_url)
        # An on-disk Chroma this process opened is opened again when another process writes it.
        reopen = None if chroma_client is not None or settings.chroma_url else (lambda: open_chroma_client(folder))
        store = IndexStore(folder, client, self.embedder, settings.chroma_collection(), catalogue=catalogue,
                           reopen=reopen)
        super().__init__(settings, store=store)
        self.retriever = HybridRetriever(
            store=self.store, embedder=self.embedder, k=max(settings.k, settings.rerank_depth),
            candidates=settings.candidates, rrf_k=settings.rrf_k,
        )
        self.answerer = ExtractiveAnswerer(
            self.embedder, refusal_threshold=settings.refusal_threshold, max_units=settings.max_answer_units,
            max_words=settings.max_answer_words, document_lead=self.store.document_lead,
            word_vectors=self.store.word_vectors,
        )
        self.llm: LLMAnswerer | None = None
        if settings.llm:
            from .llm import LLMAnswerer, make_chat_model

            chat_model = make_chat_model(
                settings.llm, base_url=settings.llm_base_url, timeout=settings.llm_timeout,
                api_key=settings.llm_api_key.get_secret_value(),
            )
            self.llm = LLMAnswerer(chat_model, self.answerer, refusal_threshold=settings.refusal_threshold)
        self.quotations = QuotationAnswerer(self.store, self.embedder)
        self.pipeline = QuestionPipeline(settings, self.store, self.retriever, self.answerer, self.quotations, self.llm)
        self._ingest_lock = threading.RLock()  # an upload holds it around its file and its ingest
        self._examples: tuple[tuple[int, int], list[str]] | None = None  # ((generation, limit), questions)

    # --- answering: every entry point runs the same pipeline --------------------------------------

    def ask(self, question: str, k: int | None = None, history: Sequence[dict] | None = None) -> Answer:
        """Answer one question with citations; QuestionError / NoIndexError say what to fix.

        `history` holds the earlier turns of the conversation, oldest first, as
        {"role": "user" | "assistant", "content": text}; a follow-up is read in their light.
        A question about what someone said ("What did Budrys say?") is answered from the
        quotation index when that person is quoted; any other goes through retrieval.
        """
        return self.pipeline.run(question, k, history)

    def ask_stream(
        self, question: str, k: int | None = None, history: Sequence[dict] | None = None
    ) -> Iterator[str | Answer]:
        """Pieces of the answer text as they come (from the LLM, when one is configured), then the
        final, validated Answer, which is authoritative: it may replace what was streamed."""
        return self.pipeline.run_stream(question, k, history)

    @property
    def chain(self) -> Runnable:
        """question (or {"question", "k", "history"}) -> Answer, as a LangChain runnable: the same
        stages as `ask`, so it cleans, routes, refuses and fails exactly as `ask` does."""
        return self.pipeline.runnable()

    def retrieve(self, question: str, k: int | None = None, history: Sequence[dict] | None = None) -> Turn:
        """A turn up to its answer: cleaned, routed, its passages retrieved and reranked (with their
        scored units), and the time each stage took. Any answerer can answer it."""
        return self.pipeline.prepare(question, k, history)

    def answer(self, turn: Turn) -> Answer:
        """The Answer to a turn from `retrieve`, exactly as `ask` would give it."""
        return self.pipeline.answer(turn)

    # --- what the UI and the CLI may read of the index: Library's methods, and -------------------

    def example_questions(self, limit: int = 4) -> list[str]:
        """Questions the documents answer: "What did X say?" for the people most quoted in them (by
        the shortest name they go by), then "What is <title> about?"; an index built before quotations
        were stored finds its speakers in a sample of its chunks. Kept until the index is written
        again (the chat asks on every page load, for the visitor's collection)."""
        key = (self.store.catalogue.generation(), limit)
        if self._examples is not None and self._examples[0] == key:
            return list(self._examples[1])
        names = [min(s.forms, key=len) for s in self.speakers()[:limit]]
        if not names:
            counts: dict[str, int] = {}
            for text in self.sample_texts(200):
                for quotation in index.extract_quotations(text):
                    counts[quotation.speaker] = counts.get(quotation.speaker, 0) + 1
            names = sorted(counts, key=lambda name: -counts[name])
        questions = [f"What did {name} say?" for name in names]
        questions += [f"What is “{d.title}” about?" for d in self.documents()[:limit]]
        self._examples = (key, questions[:limit])
        return questions[:limit]

    # --- writing -------------------------------------------------------------------------------

    @property
    def collection(self) -> str:
        """The name of the collection this assistant answers from."""
        return self.settings.collection

    def ingest(
        self, paths: list[str | Path] | None = None, *, prune: bool = False, wait: bool = True,
        on_progress: Callable[[str], None] | None = None, keys: dict[Path, str] | None = None,
    ) -> IngestReport:
        """Ingest `paths` (default: the seeds) under the index's writer lock: while another process
        writes the index this waits for it, or with `wait` False raises AssistantError. `on_progress`
        hears each step as it starts."""
        with self._ingest_lock:
            try:
                return ingest(
                    paths or [self.settings.seeds_dir], self.store, self.embedder, prune=prune,
                    max_words=self.settings.chunk_words, overlap_sentences=self.settings.chunk_overlap_sentences,
                    max_file_mb=self.settings.max_file_mb, wait=wait,
                    # A Chroma server may hold other hosts' vectors, which their own catalogues list (a
                    # shared catalogue lists every host's).
                    remove_orphans=not self.settings.chroma_url or self.store.shared, on_progress=on_progress,
                    keys=keys,
                )
            except index.IndexBusyError as exc:
                raise AssistantError(str(exc)) from exc

    @property
    def uploads_dir(self) -> Path:
        """The managed folder uploaded files are kept in (one per collection, inside its index)."""
        return self.store.index_dir / UPLOADS_FOLDER

    def upload(
        self, filename: str, data: bytes, *, on_progress: Callable[[str], None] | None = None
    ) -> index.DocumentRecord:
        """Add a file sent by a client, under a safe version of its name in `uploads_dir`, through
        the same incremental ingest as the CLI; a file of the same name is replaced. UploadError
        (415 type, 413 size, 422 content) leaves the index and the folder as they were."""
        name = validated_upload(filename, data, int(self.settings.max_file_mb * 2**20))  # before anything changes
        if self.store.shared:
            path, report = self._upload_shared(name, data, on_progress)
        else:
            path, report = self._upload_here(name, data, on_progress)
        if report.elsewhere:
            raise UploadError(f"{name} is being written by another worker right now; send it again in a moment",
                              status=409)
        record = self.store.document(document_id(path))
        if record is None:
            reason = report.skipped[0][1] if report.skipped else "was not indexed"
            raise UploadError(f"{name} {reason}", status=422)
        return record

    def _upload_here(
        self, name: str, data: bytes, on_progress: Callable[[str], None] | None
    ) -> tuple[str, IngestReport]:
        """Keep the file in `uploads_dir` and ingest it from there; its path is its key."""
        folder = index.ensure_index_dir(self.uploads_dir)
        target = folder / name
        incoming = folder / f".incoming-{os.getpid()}-{threading.get_ident()}-{name}"
        incoming.write_bytes(data)
        try:
            # The file and its index entry change together, one upload or ingest at a time.
            with self._ingest_lock, self.store.writing():
                os.replace(incoming, target)
                report = self.ingest([target], on_progress=on_progress)
        finally:
            incoming.unlink(missing_ok=True)
        return str(target.resolve()), report

    def _upload_shared(
        self, name: str, data: bytes, on_progress: Callable[[str], None] | None
    ) -> tuple[str, IngestReport]:
        """A shared catalogue keeps the upload's text itself, for every worker: the file is read
        from a temporary folder under the key `upload:NAME`, which every worker gives that name."""
        key = f"{UPLOAD_KEY_PREFIX}{name}"
        with tempfile.TemporaryDirectory(prefix="assistant-upload-") as folder:
            file = Path(folder) / name
            file.write_bytes(data)
            with self._ingest_lock:
                report = self.ingest([file], on_progress=on_progress, keys={file.resolve(): key})
        return key, report

    def document(self, doc_id: str) -> DocumentView:
        """A document and its text (every offset points into it); UnknownDocumentError when it is not here."""
        record = self.store.document(doc_id)
        text = self.store.document_text(record.path) if record else None
        if record is None or text is None:
            raise UnknownDocumentError(load_prompt("unknown_document").format(doc_id=doc_id))
        return DocumentView(record, text)

    def delete_document(self, doc_id: str) -> index.DocumentRecord:
        """Remove a document from the index (and its file, when it was uploaded); a document that was
        ingested from a folder comes back at the next ingest of that folder unless its file is gone."""
        record = self.store.document(doc_id)
        if record is None:
            raise UnknownDocumentError(load_prompt("unknown_document").format(doc_id=doc_id))
        with self.store.writing():
            try:
                self.store.remove_documents([record.path])
            except index.IndexBusyError as exc:
                raise BusyError(str(exc)) from None
            path = Path(record.path)
            if not self.store.shared and path.parent == self.uploads_dir.resolve():
                path.unlink(missing_ok=True)
        return record
