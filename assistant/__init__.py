"""The question-answering core: settings, hybrid retrieval, the extractive answerer, the CLI.

`Assistant(settings).ask(question)` returns an `Answer` whose every [n] marker has a citation
pointing at the exact characters of the source it came from. The names below are imported on
first use, so that `assistant --help` (and any command) starts without loading LangChain.
"""

import importlib

import index  # noqa: F401  (sets the offline environment before any model or Chroma import)

_EXPORTS = {
    "Settings": ".config", "Assistant": ".core", "clean_question": ".pipeline", "AssistantError": ".errors",
    "NoIndexError": ".errors", "QuestionError": ".errors", "StoreUnavailableError": ".errors",
    "Answer": ".models", "Citation": ".models", "Passage": ".models", "RemovedSentence": ".models",
    "Verification": ".models", "Library": ".library", "Turn": ".turn", "Answerer": ".turn",
    "QuestionPipeline": ".pipeline", "make_embedder": ".factory", "open_assistant": ".factory",
    "Evidence": ".support", "SupportChecker": ".support", "Verdict": ".support",
    # What the UI shows of documents (it reaches the index only through these).
    "DocumentRecord": ".documents", "DocumentView": ".core", "page_of": ".documents", "UPLOAD_SUFFIXES": ".documents",
    "Collections": ".collections",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    globals()[name] = value
    return value
