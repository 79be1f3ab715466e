"""API keys, CORS, framing rules, request limits, and the refusal to serve the world unprotected.

- With API keys set, the access gate of `ui.auth` guards every route; `/api/*` (but health) and
  `/v1/*` also check `Authorization: Bearer <key>` themselves (`ui.dependencies.api_key_id`).
- Request bodies are limited in size (413 JSON): ASSISTANT_MAX_REQUEST_KB, or for an upload
  ASSISTANT_MAX_FILE_MB and its multipart wrapping.
- Browsers may call the API from `allowed_origins` only (CORS), and only those origins (and the
  server itself) may put the pages in an iframe (CSP `frame-ancestors`).
- Bound to a non-loopback address with no API key, the server does not start unless `allow_open`.
"""

from __future__ import annotations

import ipaddress

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant import AssistantError, Settings

from .auth import AccessGate, Credentials


def frame_ancestors(settings: Settings) -> str:
    """The CSP value that decides who may frame our pages (an embed token narrows it to its origin).

    >>> frame_ancestors(Settings(allowed_origins=["https://portal.example"]))
    "frame-ancestors 'self' https://portal.example"
    """
    return " ".join(["frame-ancestors", "'self'", *settings.allowed_origins])


class SecurityHeaders:
    """ASGI middleware: framing policy and hardening headers on every response, errors included."""

    def __init__(self, app: ASGIApp, policy: str):
        self.app = app
        self.headers = {"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff",
                        "Referrer-Policy": "same-origin"}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


# The routes that take files (ours, and Gradio's under each mount): their bodies may reach the
# file limit (ASSISTANT_MAX_FILE_MB) plus what multipart wraps around a file.
UPLOAD_PATHS = frozenset({"/api/documents", "/gradio_api/upload", "/embed/gradio_api/upload"})
MULTIPART_OVERHEAD = 64 * 1024


class BodyLimit:
    """ASGI middleware: a request body over `max_bytes` (over `upload_bytes` for a POST to one of
    `upload_paths`) is refused with 413 before it is all read, whether it announces its length or
    streams it in chunks."""

    def __init__(self, app: ASGIApp, max_bytes: int, upload_bytes: int | None = None,
                 upload_paths: frozenset[str] = UPLOAD_PATHS):
        self.app = app
        self.max_bytes = max_bytes
        self.upload_bytes = upload_bytes
        self.upload_paths = upload_paths

    def _upload_limit(self, scope: Scope) -> int | None:
        """`upload_bytes` for a request that sends a file, else None."""
        is_upload = scope["method"] == "POST" and scope["path"] in self.upload_paths
        return self.upload_bytes if is_upload else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._upload_limit(scope) or self.max_bytes
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(scope, receive, send)
            return
        seen = 0
        refused = started = False

        async def counting_receive() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request" and not refused:
                seen += len(message.get("body", b""))
                if seen > limit:
                    # Answer now, then tell the app the client is gone: it stops reading and what it
                    # may still try to send is dropped.
                    refused = True
                    if not started:
                        await self._refuse(scope, receive, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if not refused:
                started = started or message["type"] == "http.response.start"
                await send(message)

        await self.app(scope, counting_receive, guarded_send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        upload_bytes = self._upload_limit(scope)
        if upload_bytes:
            limit_mb = (upload_bytes - MULTIPART_OVERHEAD) / 2**20
            message = (f"the upload is larger than the server accepts (files up to {limit_mb:.3g} MB); send a "
                       "smaller file, or raise ASSISTANT_MAX_FILE_MB on the server")
        else:
            message = (f"the request body is larger than the server accepts ({self.max_bytes // 1024} KB); send "
                       "less, or raise ASSISTANT_MAX_REQUEST_KB on the server")
        await JSONResponse({"error": message}, status_code=413)(scope, receive, send)


def install_security(app: FastAPI, settings: Settings) -> Credentials:
    """The middleware stack, outermost first: hardening headers, CORS, the access gate, the body
    limit. CORS is always installed (with no allowed origins it approves none), which also turns
    off Gradio's own CORS middleware, lenient to localhost origins. Returns the credentials the gate
    checks, for the routes that issue them."""
    credentials = Credentials(settings)
    # Starlette runs the middleware added last first.
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_kb * 1024,
                       upload_bytes=int(settings.max_file_mb * 2**20) + MULTIPART_OVERHEAD)
    app.add_middleware(AccessGate, credentials=credentials)
    app.add_middleware(
        CORSMiddleware, allow_origins=settings.allowed_origins, allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type"], allow_credentials=False,
    )
    app.add_middleware(SecurityHeaders, policy=frame_ancestors(settings))
    return credentials


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
