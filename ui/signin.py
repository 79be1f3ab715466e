"""The routes that issue credentials: the chat's sign-in (`/login`, `/logout`) and the embed
tokens portals mint for `/embed` (`POST /api/embed-tokens`). What the credentials are, and the gate
that checks them, are in `ui.auth`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, field_validator

from assistant.config import check_origin
from prompts import load_prompt

from .access import AccessDep, CollectionsDep
from .auth import EMBED_PREFIX, MAX_EMBED_MINUTES, SESSION_COOKIE, cookie_header, login_page, safe_next
from .dependencies import ApiKeyDep, CredentialsDep

router = APIRouter()


class EmbedTokenRequest(BaseModel):
    origin: str = Field(
        ..., description="The portal's origin (scheme://host[:port]): the only one allowed to frame the chat.",
        examples=["https://portal.example.com"],
    )
    minutes: float | None = Field(None, gt=0, le=MAX_EMBED_MINUTES,
                                  description="Lifetime; default ASSISTANT_EMBED_TOKEN_MINUTES, at most a day.")
    collection: str | None = Field(
        None, description="The one collection the embedded chat answers from (it must be one the key may use); "
        "default: the key's collections, as for /api/ask.", examples=["news"])

    @field_validator("origin")
    @classmethod
    def _is_origin(cls, origin: str) -> str:
        return check_origin(origin)


class EmbedToken(BaseModel):
    token: str
    url: str = Field(..., description="The path to load in the portal's iframe.")
    origin: str
    expires_at: datetime
    collection: str | None


@router.get("/login", include_in_schema=False)
def login_form(next: str | None = None) -> HTMLResponse:
    return HTMLResponse(login_page(safe_next(next)))


@router.post("/login", include_in_schema=False)
async def login(request: Request, credentials: CredentialsDep) -> Response:
    form = await request.form()
    key, target = str(form.get("key", "")), safe_next(str(form.get("next", "/")))
    key_id = credentials.key_id(key) if credentials.required else None
    if key_id is None:
        await asyncio.sleep(0.5)  # slows guessing; keys should be long and random anyway
        message = load_prompt("auth_wrong_key") if credentials.required else load_prompt("auth_not_needed")
        return HTMLResponse(login_page(target, message), status_code=401 if credentials.required else 400)
    response = RedirectResponse(target, status_code=303)
    response.headers.append(
        "Set-Cookie", cookie_header(request.scope, SESSION_COOKIE, credentials.new_session(key_id),
                                    credentials.session_seconds, "/"),
    )
    return response


@router.get("/logout", include_in_schema=False)
def logout(request: Request) -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.headers.append("Set-Cookie", cookie_header(request.scope, SESSION_COOKIE, "", 0, "/"))
    return response


@router.post(
    "/api/embed-tokens", response_model=EmbedToken, status_code=201, tags=["api"],
    summary="A short-lived token that opens /embed/ for one portal origin",
    description="Call it from the portal's backend with the API key; put `url` in the page's iframe. "
    "No secret ever sits in the portal's page. See docs/EMBEDDING.md.",
)
def embed_token(
    body: EmbedTokenRequest, credentials: CredentialsDep, key_id: ApiKeyDep, collections: CollectionsDep,
    access: AccessDep,
) -> EmbedToken:
    if key_id is None:  # no keys configured: nothing to sign with, nothing to protect
        raise HTTPException(status_code=400, detail=load_prompt("auth_not_needed"))
    if body.collection is not None:
        access.assistant(collections, body.collection)  # 403 for a collection the key may not use, 404 for none
    token, grant = credentials.new_embed_token(key_id, body.origin, body.minutes, body.collection)
    return EmbedToken(token=token, url=f"{EMBED_PREFIX}/?token={token}", origin=grant.origin,
                      expires_at=datetime.fromtimestamp(grant.expires_at, tz=UTC), collection=grant.collection)
