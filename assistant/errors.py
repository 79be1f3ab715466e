"""Errors a person can act on: each says what was wrong and what to do."""

import index


class AssistantError(Exception):
    """Base class; the CLI prints the message and exits non-zero, the API answers 4xx."""

    exit_code = 1


class QuestionError(AssistantError):
    """The question cannot be asked as given (empty, too long)."""

    exit_code = 2


class NoIndexError(AssistantError):
    """There is nothing to search yet."""


# The index's own: a store (a Chroma server) that cannot be reached right now; later requests
# retry. The CLI says it in one line, the API answers 503 with Retry-After.
StoreUnavailableError = index.StoreUnavailableError
