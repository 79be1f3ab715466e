"""The question-answering core: settings, hybrid retrieval, the extractive answerer, the CLI.

`Assistant(settings).ask(question)` returns an `Answer` whose every [n] marker has a citation
pointing at the exact characters of the source it came from.
"""

import index  # noqa: F401  (sets the offline environment before any model or Chroma import)

from .config import Settings
from .core import Assistant, clean_question
from .errors import AssistantError, NoIndexError, QuestionError, StoreUnavailableError
from .models import Answer, Citation, Passage

__all__ = [
    "Answer", "Assistant", "AssistantError", "Citation", "NoIndexError", "Passage", "QuestionError", "Settings",
    "StoreUnavailableError",
    "clean_question",
]
