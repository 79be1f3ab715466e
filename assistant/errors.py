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


class UnknownCollectionError(AssistantError):
    """No collection by that name (the API answers 404)."""


class UnknownDocumentError(AssistantError):
    """No document with that id in the collections the caller may see (the API answers 404)."""


class BusyError(AssistantError):
    """Another writer (on another host, over a shared catalogue) is writing the same document; the
    API answers 409 and the request may be sent again in a moment."""


class UploadError(AssistantError):
    """An uploaded file cannot be ingested as sent; `status` is the HTTP status the API answers
    (415: an unsupported or disguised type, 413: over the size limit, 422: unreadable content)."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


# The index's own: a store (a Chroma server) that cannot be reached right now; later requests
# retry. The CLI says it in one line, the API answers 503 with Retry-After.
StoreUnavailableError = index.StoreUnavailableError
