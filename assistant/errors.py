"""Errors a person can act on: each says what was wrong and what to do."""


class AssistantError(Exception):
    """Base class; the CLI prints the message and exits non-zero, the API answers 4xx."""

    exit_code = 1


class QuestionError(AssistantError):
    """The question cannot be asked as given (empty, too long)."""

    exit_code = 2


class NoIndexError(AssistantError):
    """There is nothing to search yet."""


class StoreUnavailableError(AssistantError):
    """The vector store (a Chroma server) cannot be reached right now; later requests retry."""
