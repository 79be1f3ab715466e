"""The one settings object: `ASSISTANT_*` environment variables (and CLI flags that override them)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    index_dir: Path = Field(Path(".assistant/index"), description="Where the on-disk index lives.")
    chroma_url: str = Field("", description="A Chroma server URL; empty means the on-disk Chroma in index_dir.")
    collection: str = Field("documents", pattern=r"^[a-zA-Z0-9._-]{3,512}$")
    embedding_model: str = Field("", description="Path or name of a sentence-transformers model; empty = packaged MiniLM.")
    embedding_backend: Literal["torch", "onnx", "onnx-int8"] = Field(
        "torch", description="How the embedding model runs: torch; onnx (same vectors, ~2x faster on CPU, needs the "
        "onnx extra); onnx-int8 (quantised, faster again, vectors slightly off). See docs/DEPLOYMENT.md."
    )
    llm: str = Field(
        "", description="A LangChain chat model as provider:model, e.g. openai:gpt-4o-mini or ollama:llama3.2; "
        "empty = the built-in extractive answerer. See docs/LLM.md."
    )
    llm_base_url: str = Field("", description="OpenAI-compatible server URL (vLLM, llama.cpp, LM Studio), ending in /v1.")
    llm_api_key: SecretStr = Field(SecretStr(""), description="LLM API key; empty = OPENAI_API_KEY or none.")
    llm_timeout: float = Field(30.0, gt=0, le=600, description="Seconds to wait for the LLM before falling back.")
    seeds_dir: Path = Path("seeds")

    chunk_words: int = Field(120, ge=20, le=400)
    chunk_overlap_sentences: int = Field(1, ge=0, le=5)
    max_file_mb: float = Field(
        20.0, gt=0, description="Files larger than this many MB are skipped at ingest, with a warning."
    )

    k: int = Field(5, ge=1, le=50, description="Passages handed to the answerer.")
    candidates: int = Field(30, ge=1, le=500, description="Hits taken from each of dense and lexical search.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant.")
    rerank_depth: int = Field(10, ge=1, le=100, description="Fused candidates reranked by sentence evidence.")

    # Calibrated on ../shared/eval with bench/calibrate_refusal.py; see docs/BENCHMARKS.md.
    refusal_threshold: float = Field(0.49, ge=0.0, le=1.0)
    max_answer_units: int = Field(3, ge=1, le=10)
    max_answer_words: int = Field(120, ge=10)
    max_question_chars: int = Field(2000, ge=10)

    # Serving (see docs/EMBEDDING.md).
    feedback_path: Path = Field(Path(".assistant/feedback.jsonl"), description="Thumbs up/down log (JSONL).")
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins allowed to call the API from a browser (CORS) and to frame the pages (CSP "
        "frame-ancestors); comma-separated in the environment.",
    )
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list, description="Bearer tokens accepted by /api and /v1; comma-separated."
    )
    allow_open: bool = Field(False, description="Serve on a non-loopback address without API keys.")

    @field_validator("allowed_origins", "api_keys", mode="before")
    @classmethod
    def _comma_separated(cls, value):
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _origins_are_origins(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            if origin != "*" and not origin.startswith(("http://", "https://")) or origin.endswith("/"):
                raise ValueError(
                    f"{origin!r} is not an origin; write it as scheme://host[:port] without a path, "
                    "e.g. https://portal.example.com"
                )
        return origins

