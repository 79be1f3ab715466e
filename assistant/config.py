"""The one settings object: `ASSISTANT_*` environment variables (and CLI flags that override them)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from index.chunking import CHUNK_WORDS, OVERLAP_SENTENCES
from index.ingest import DEFAULT_MAX_FILE_MB

DEFAULT_COLLECTION = "documents"  # the collection an index held before there were several; it lives in index_dir
COLLECTION_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62}[A-Za-z0-9])?$"  # (Chroma: ends in a letter or digit)
_ORIGIN = re.compile(r"^https?://(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")


def check_origin(origin: str) -> str:
    """`origin` if it is a web origin (scheme://host[:port], nothing else), else a ValueError saying how to write it.

    >>> check_origin("https://portal.example.com:8443")
    'https://portal.example.com:8443'
    """
    if not _ORIGIN.match(origin):
        raise ValueError(
            f"{origin!r} is not an origin; write it as scheme://host[:port] without a path, "
            "e.g. https://portal.example.com"
        )
    return origin


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    index_dir: Path = Field(Path(".assistant/index"), description="Where the on-disk index lives.")
    chroma_url: str = Field("", description="A Chroma server URL; empty means the on-disk Chroma in index_dir.")
    catalogue_url: SecretStr = Field(
        SecretStr(""), description="A PostgreSQL URL (postgresql://user@host:port/db) for the catalogue: documents, "
        "chunks, lexical search, quotations. Empty means the SQLite file in index_dir. With it and chroma_url set, "
        "workers on any number of hosts share one index and keep nothing of their own (docs/DEPLOYMENT.md)."
    )
    collection: str = Field(
        DEFAULT_COLLECTION, pattern=COLLECTION_PATTERN, description="The collection used when a command or request "
        "names none (1-64 letters, digits, - and _, starting and ending with a letter or digit). `documents` lives "
        "in the index directory itself, any other in its collections/NAME/ (docs/EMBEDDING.md)."
    )
    embedding_model: str = Field(
        "", description="Path or name of a sentence-transformers model; empty = packaged MiniLM."
    )
    embedding_backend: Literal["torch", "onnx", "onnx-int8"] = Field(
        "onnx", description="How the embedding model runs: onnx (the model exported once, offline, to ONNX: torch's "
        "vectors, a question encoded up to 10x faster; torch is used when the export cannot run); torch; onnx-int8 "
        "(quantised, faster again, vectors slightly off). See docs/DEPLOYMENT.md."
    )
    model_threads: int = Field(
        0, ge=0, description="Threads one call of the embedding model may use; 0 = one per core. `assistant serve "
        "--workers N` gives each worker cores // N."
    )
    model_cache: Path = Field(
        Path("~/.cache/cited-assistant/onnx"), description="Where the onnx backends keep the model's local export."
    )
    llm: str = Field(
        "", description="A LangChain chat model as provider:model, e.g. openai:gpt-4o-mini or ollama:llama3.2; "
        "empty = the built-in extractive answerer. See docs/LLM.md."
    )
    llm_base_url: str = Field(
        "", description="OpenAI-compatible server URL (vLLM, llama.cpp, LM Studio), ending in /v1."
    )
    llm_api_key: SecretStr = Field(SecretStr(""), description="LLM API key; empty = OPENAI_API_KEY or none.")
    llm_timeout: float = Field(30.0, gt=0, le=600, description="Seconds to wait for the LLM before falling back.")
    seeds_dir: Path = Field(Path("seeds"), description="What `assistant ingest` indexes when given no path.")

    chunk_words: int = Field(CHUNK_WORDS, ge=20, le=400, description="Maximum words per chunk.")
    chunk_overlap_sentences: int = Field(
        OVERLAP_SENTENCES, ge=0, le=5, description="Sentences a chunk repeats from the previous one."
    )
    max_file_mb: float = Field(
        DEFAULT_MAX_FILE_MB, gt=0, description="Files larger than this many MB are skipped at ingest, with a warning."
    )

    k: int = Field(5, ge=1, le=50, description="Passages handed to the answerer.")
    candidates: int = Field(30, ge=1, le=500, description="Hits taken from each of dense and lexical search.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant.")
    rerank_depth: int = Field(10, ge=1, le=100, description="Fused candidates reranked by sentence evidence.")

    # Calibrated on ../shared/eval with bench/calibrate_refusal.py; see docs/BENCHMARKS.md.
    refusal_threshold: float = Field(
        0.49, ge=0.0, le=1.0, description="Below this evidence score the assistant refuses (calibrated, see "
        "docs/BENCHMARKS.md)."
    )
    max_answer_units: int = Field(3, ge=1, le=10, description="Sentences (or quotations) an extractive answer holds.")
    max_answer_words: int = Field(120, ge=10, description="Words an extractive answer holds.")
    max_question_chars: int = Field(2000, ge=10, description="Longer questions are rejected with a message.")

    # Serving (see docs/EMBEDDING.md).
    feedback_path: Path = Field(Path(".assistant/feedback.jsonl"), description="Thumbs up/down log (JSONL).")
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins allowed to call the API from a browser (CORS) and to frame the pages (CSP "
        "frame-ancestors); comma-separated in the environment.",
    )
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list, description="Keys, comma-separated; with any set, every route needs a credential: "
        "a Bearer key, a chat sign-in or an embed token (docs/SECURITY.md). `key:news` limits a key to the "
        "collection news, `key:news+hr` to two; no suffix = all collections."
    )
    allow_open: bool = Field(False, description="Serve on a non-loopback address without API keys.")
    session_secret: SecretStr = Field(
        SecretStr(""), description="Signs chat sign-in cookies and embed tokens; empty = derived from the API keys "
        "(so every worker agrees, and changing the keys ends every session)."
    )
    session_hours: float = Field(12.0, gt=0, le=24 * 30, description="How long a chat sign-in lasts.")
    embed_token_minutes: float = Field(
        60.0, gt=0, le=24 * 60, description="Default lifetime of an embed token (POST /api/embed-tokens); "
        "a portal may ask for less, never more than a day."
    )

    # Limits on what a request may carry (see docs/SECURITY.md).
    max_request_kb: int = Field(1024, ge=1, description="Largest request body the server reads; larger is a 413.")
    max_history_turns: int = Field(50, ge=0, le=10_000, description="Earlier turns a question may come with.")
    max_history_chars: int = Field(
        50_000, ge=0, description="Characters of all earlier turns together; the chat keeps its latest turns within it."
    )

    @field_validator("allowed_origins", "api_keys", mode="before")
    @classmethod
    def _comma_separated(cls, value):
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _origins_are_origins(cls, origins: list[str]) -> list[str]:
        return [origin if origin == "*" else check_origin(origin) for origin in origins]


    def collection_dir(self, name: str | None = None) -> Path:
        """Where a collection's index lives: the default collection (`documents`) in `index_dir`
        itself, as every index did before collections, any other in `index_dir/collections/NAME`."""
        name = name or self.collection
        return self.index_dir if name == DEFAULT_COLLECTION else self.index_dir / "collections" / name

    def chroma_collection(self, name: str | None = None) -> str:
        """The collection's name in Chroma (3-512 characters there; a Chroma server holds all of them).

        >>> Settings().chroma_collection(), Settings().chroma_collection("hr")
        ('documents', 'collection-hr')
        """
        name = name or self.collection
        return name if name == DEFAULT_COLLECTION else f"collection-{name}"

    @property
    def shared_catalogue(self) -> str:
        """The PostgreSQL URL of the catalogue, or "" for the SQLite file in the index directory."""
        return self.catalogue_url.get_secret_value().strip()

    @property
    def stateless(self) -> bool:
        """Whether this worker keeps nothing of its own: vectors on a Chroma server, catalogue in PostgreSQL."""
        return bool(self.chroma_url and self.shared_catalogue)

    def for_collection(self, name: str) -> Settings:
        """These settings with `name` as the collection (ValueError for a name that cannot be one)."""
        if not re.fullmatch(COLLECTION_PATTERN, name):
            raise ValueError(
                f"{name!r} is not a collection name: use 1-64 letters, digits, - and _, starting and ending with a "
                "letter or digit"
            )
        return self if name == self.collection else self.model_copy(update={"collection": name})


def settings_table() -> str:
    """The README's table of settings, from the fields above (`make readme` writes it; a test checks it).

    >>> settings_table().splitlines()[2].startswith("| `ASSISTANT_INDEX_DIR` | `.assistant/index` |")
    True
    """
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        if isinstance(default, SecretStr):
            default = default.get_secret_value()
        if isinstance(default, list):
            default = ",".join(map(str, default))
        text = str(default).lower() if isinstance(default, bool) else default
        shown = "empty" if default in ("", None) else f"`{text}`"
        meaning = (field.description or "").replace("|", "\\|")
        rows.append(f"| `ASSISTANT_{name.upper()}` | {shown} | {meaning} |")
    return "\n".join(rows)


TABLE_START, TABLE_END = "<!-- settings table: generated by `make readme` -->", "<!-- end of settings table -->"


def with_settings_table(readme: str) -> str:
    """`readme` with the text between the table's markers replaced by `settings_table()`."""
    head, start, rest = readme.partition(TABLE_START)
    _, end, tail = rest.partition(TABLE_END)
    if not start or not end:
        raise ValueError(f"the README lacks the markers {TABLE_START!r} ... {TABLE_END!r}")
    return f"{head}{TABLE_START}\n{settings_table()}\n{TABLE_END}{tail}"


if __name__ == "__main__":  # python -m assistant.config README.md: rewrite the README's table
    import sys

    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    path.write_text(with_settings_table(path.read_text(encoding="utf-8")), encoding="utf-8")
