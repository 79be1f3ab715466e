"""API keys, CORS and framing rules, and the refusal to serve the world unprotected.

- `/api/*` (but health) and `/v1/*` need `Authorization: Bearer <key>` when API keys are set.
- Browsers may call the API from `allowed_origins` only (CORS), and only those origins (and the
  server itself) may put the pages in an iframe (CSP `frame-ancestors`).
- Bound to a non-loopback address with no API key, the server does not start unless `allow_open`.
"""

from __future__ import annotations

import ipaddress
import secrets

from fastapi import FastAPI, HTTPException, Request
from fastapi.middleware.cors import CORSMiddleware

from assistant import AssistantError, Settings


def require_api_key(settings: Settings):
    """A FastAPI dependency checking the bearer token against the configured keys."""
    keys = [key.get_secret_value().encode() for key in settings.api_keys]

    def check(request: Request) -> None:
        if not keys:
            return
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not any(secrets.compare_digest(token.strip().encode(), k) for k in keys):
            raise HTTPException(
                status_code=401,
                detail="missing or invalid API key: send the header 'Authorization: Bearer <key>'",
                headers={"WWW-Authenticate": "Bearer"},
            )

    return check


def frame_ancestors(settings: Settings) -> str:
    """The CSP value that decides who may frame our pages.

    >>> frame_ancestors(Settings(allowed_origins=["https://portal.example"]))
    "frame-ancestors 'self' https://portal.example"
    """
    return " ".join(["frame-ancestors", "'self'", *settings.allowed_origins])


def install_security(app: FastAPI, settings: Settings) -> None:
    policy = frame_ancestors(settings)

    @app.middleware("http")
    async def _frame_policy(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    if settings.allowed_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.allowed_origins, allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type"], allow_credentials=False,
        )


def is_loopback(host: str) -> bool:
    """
    >>> [is_loopback(h) for h in ["127.0.0.1", "localhost", "::1", "0.0.0.0", "10.0.0.5"]]
    [True, True, True, False, False]
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_exposure(settings: Settings, host: str) -> None:
    """Refuse to listen beyond this machine with nothing protecting the API."""
    if not is_loopback(host) and not settings.api_keys and not settings.allow_open:
        raise AssistantError(
            f"refusing to serve on {host} without an API key: anyone who can reach this address could use "
            "the API. Set ASSISTANT_API_KEYS=<key>[,<key>...] (clients send 'Authorization: Bearer <key>'), "
            "or, if it is really meant to be open, pass --open (or ASSISTANT_ALLOW_OPEN=true)."
        )
