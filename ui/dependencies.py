"""What the routes take from the app they run in, as FastAPI dependencies: the `Assistant` and the
`Credentials` that `create_app` put in `app.state`, and the Bearer key a request carries.

Routes declare `assistant: AssistantDep`; tests swap a part with `app.dependency_overrides`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials

from assistant import Assistant
from prompts import load_prompt

from .auth import BEARER, Credentials


def get_assistant(request: Request) -> Assistant:
    return request.app.state.assistant


def get_credentials(request: Request) -> Credentials:
    return request.app.state.credentials


AssistantDep = Annotated[Assistant, Depends(get_assistant)]
CredentialsDep = Annotated[Credentials, Depends(get_credentials)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]


def api_key_id(credentials: CredentialsDep, bearer: BearerDep) -> str | None:
    """The id of the API key the request was sent with; None when the server needs none. Without a
    valid key where one is needed: 401 (the access gate refuses it first; kept so a route is safe
    on its own)."""
    if not credentials.required:
        return None
    key_id = credentials.key_id(bearer.credentials) if bearer else None
    if key_id is None:
        raise HTTPException(
            status_code=401, detail=load_prompt("auth_missing_key"), headers={"WWW-Authenticate": "Bearer"}
        )
    return key_id


ApiKeyDep = Annotated[str | None, Depends(api_key_id)]
# For `dependencies=` of a route or router that needs the key but not its id.
REQUIRE_API_KEY = Depends(api_key_id)
