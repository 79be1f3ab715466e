"""Which collections a request may see, and the `Assistant` that answers it.

The gate (`ui.auth.AccessGate`) decides whether a request comes in at all; this decides what it
may see once in: a key limited to collections (`ASSISTANT_API_KEYS="key1:news,admin"`) sees those
only, through any credential made from it (the Bearer key, its chat sign-in, an embed token, which
may be narrowed to one collection). Every route that answers, lists or shows documents takes its
`Assistant` from `Access.assistant`, so nothing outside the allowed collections is ever retrieved,
listed or cited: a collection named but not allowed is a 403, an allowed one that does not exist a 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from starlette.requests import HTTPConnection

from assistant import Assistant, AssistantError
from assistant.collections import Collections
from prompts import load_prompt

from .auth import EMBED_COOKIE, EMBED_PREFIX, SESSION_COOKIE, Credentials


class CollectionForbiddenError(AssistantError):
    """The credential may not use that collection (the API answers 403)."""


@dataclass(frozen=True)
class Access:
    """What one request may see: `collections` None means every collection."""

    key_id: str | None
    collections: frozenset[str] | None

    def allows(self, name: str) -> bool:
        return self.collections is None or name in self.collections

    def visible(self, collections: Collections) -> list[str]:
        """The collections there are that this request may use, the default first."""
        return [name for name in collections.names() if self.allows(name)]

    def default(self, collections: Collections) -> str:
        """The collection a request that names none uses: the server's default when allowed, else
        the first the credential allows."""
        if self.allows(collections.default):
            return collections.default
        return min(self.collections or {collections.default})

    def assistant(self, collections: Collections, name: str | None = None, *, create: bool = False) -> Assistant:
        """The assistant of collection `name` (default: `default`), or CollectionForbiddenError /
        UnknownCollectionError; `create` opens a new collection (an upload into it)."""
        name = name or self.default(collections)
        if not self.allows(name):
            raise CollectionForbiddenError(load_prompt("collection_forbidden").format(
                name=name, allowed=", ".join(sorted(self.collections or ()))))
        return collections.get(name, create=create)


def access_of(connection: HTTPConnection, credentials: Credentials, *, embed: bool | None = None) -> Access:
    """The access of a request, from its credential: a Bearer key, else the chat's sign-in cookie,
    else (for /embed, or `embed` True) an embed token's cookie or query token. Without keys
    configured, everything; with keys and no valid credential, nothing (the gate refused it already)."""
    if embed is None:
        path = connection.url.path
        embed = path == EMBED_PREFIX or path.startswith(EMBED_PREFIX + "/")
    return access_from(connection.headers, connection.cookies, connection.query_params, credentials, embed=embed)


def access_from(
    headers: Mapping[str, str], cookies: Mapping[str, str], query: Mapping[str, str], credentials: Credentials,
    *, embed: bool,
) -> Access:
    """`access_of` from a request's parts (a Gradio event has them as plain mappings)."""
    if not credentials.required:
        return Access(None, None)
    scheme, _, key = (headers.get("authorization") or "").partition(" ")
    key_id = credentials.key_id(key.strip()) if scheme.lower() == "bearer" and key.strip() else None
    if key_id is None:
        key_id = credentials.session(cookies.get(SESSION_COOKIE))
    if key_id is not None:
        return Access(key_id, credentials.scope(key_id))
    if embed:
        grant = credentials.embed_grant(query.get("token")) or credentials.embed_grant(cookies.get(EMBED_COOKIE))
        if grant is not None:
            scope = credentials.scope(grant.key_id)
            if grant.collection is not None:
                scope = frozenset({grant.collection}) & scope if scope is not None else frozenset({grant.collection})
            return Access(grant.key_id, scope)
    return Access(None, frozenset())


def gradio_access(request: Any, credentials: Credentials, *, embed: bool) -> Access:
    """The access of a Gradio event's request (`gr.Request`: the HTTP request, or, once queued, its
    headers, cookies and query as mappings)."""
    if request is None:
        return access_from({}, {}, {}, credentials, embed=embed)
    if getattr(request, "request", None) is not None:
        return access_of(request.request, credentials, embed=embed)
    parts = getattr(request, "kwargs", {})
    return access_from(dict(parts.get("headers") or {}), dict(parts.get("cookies") or {}),
                       dict(parts.get("query_params") or {}), credentials, embed=embed)


def get_collections(request: Request) -> Collections:
    return request.app.state.collections


def request_access(request: Request) -> Access:
    return access_of(request, request.app.state.credentials)


CollectionsDep = Annotated[Collections, Depends(get_collections)]
# The `?collection=` of the routes that read one collection (default: as for /api/ask).
CollectionQuery = Annotated[str | None, Query(description="The collection (default: as for /api/ask).")]
AccessDep = Annotated[Access, Depends(request_access)]
