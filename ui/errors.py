"""Every error is JSON `{"error": message}` a developer can act on, with the right status; never a
stack trace. The exception handlers cover our routes; `JsonErrors` rewrites what other layers
answer (Gradio's own routes, Starlette's 404 and 405) into the same shape.
"""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant import NoIndexError, QuestionError, StoreUnavailableError
from assistant.errors import BusyError, UnknownCollectionError, UnknownDocumentError, UploadError

from .access import CollectionForbiddenError

log = logging.getLogger(__name__)

_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
_PARSE_ERRORS = ("json_invalid", "json_type", "value_error.jsondecode")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(QuestionError)
    async def _bad_question(_: Request, exc: QuestionError):
        return JSONResponse(status_code=422, content={"error": str(exc)})

    @app.exception_handler(CollectionForbiddenError)
    async def _forbidden(_: Request, exc: CollectionForbiddenError):
        return JSONResponse(status_code=403, content={"error": str(exc)})

    @app.exception_handler(UnknownCollectionError)
    @app.exception_handler(UnknownDocumentError)
    async def _unknown(_: Request, exc: Exception):
        return JSONResponse(status_code=404, content={"error": str(exc)})

    @app.exception_handler(UploadError)
    async def _bad_upload(_: Request, exc: UploadError):
        return JSONResponse(status_code=exc.status, content={"error": str(exc)})

    @app.exception_handler(BusyError)
    async def _busy(_: Request, exc: BusyError):
        return JSONResponse(status_code=409, content={"error": str(exc)}, headers={"Retry-After": "2"})

    @app.exception_handler(NoIndexError)
    async def _no_index(_: Request, exc: NoIndexError):
        return JSONResponse(status_code=503, content={"error": str(exc)})

    @app.exception_handler(StoreUnavailableError)
    async def _store_down(_: Request, exc: StoreUnavailableError):
        return JSONResponse(status_code=503, content={"error": str(exc)}, headers={"Retry-After": "5"})

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError):
        errors = exc.errors()
        if any(e.get("type") in _PARSE_ERRORS for e in errors):
            # The body is not JSON at all (bad UTF-8, bad syntax): the request is malformed, not invalid.
            return JSONResponse(status_code=400, content={"error": "the request body is not valid JSON (UTF-8); "
                                                          "send a JSON object with Content-Type: application/json"})
        problems = [f"{'.'.join(str(p) for p in e['loc'] if p != 'body') or 'body'}: {e['msg']}" for e in errors]
        return JSONResponse(status_code=422, content={"error": "invalid request: " + "; ".join(problems)})

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException):
        detail = exc.detail
        if exc.status_code == 400 and detail == "There was an error parsing the body":
            detail = "the request body could not be parsed (invalid JSON, or nested too deep); send a plain JSON object"
        return JSONResponse(status_code=exc.status_code, content={"error": detail}, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _internal(_: Request, exc: Exception):
        log.exception("internal error")
        return JSONResponse(status_code=500, content={"error": "internal error; the server log has the details"})


def install_api_fallback(app: FastAPI, prefixes: tuple[str, ...] = ("/api", "/v1")) -> None:
    """Under our API prefixes, a path no route serves is a 404 and a known path asked with the wrong
    method a 405 with `Allow`, instead of falling through to the chat mounted at `/`."""

    def fallback(request: Request) -> JSONResponse:
        method, path = request.method, request.url.path
        routes = [
            r for r in app.router.routes if getattr(r, "endpoint", None) is not fallback and not isinstance(r, Mount)
        ]
        allowed = [
            other for other in _METHODS
            if other != method and any(r.matches({**request.scope, "method": other})[0] is Match.FULL for r in routes)
        ]
        if allowed:
            return JSONResponse(status_code=405, headers={"Allow": ", ".join(allowed)},
                                content={"error": f"{method} is not allowed on {path}; use {' or '.join(allowed)}"})
        message = f"no such route: {method} {path}; the API is listed at /docs"
        return JSONResponse(status_code=404, content={"error": message})

    for prefix in prefixes:
        app.add_api_route(f"{prefix}/{{rest:path}}", fallback, methods=_METHODS, include_in_schema=False)


class JsonErrors:
    """ASGI middleware: an error response (status >= 400) in JSON `{"detail": ...}` or plain text,
    from any layer, becomes `{"error": message}`. Gradio's own API keeps `detail` beside it, since
    its page reads that key."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: Message | None = None
        chunks: list[bytes] = []

        async def rewriting_send(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                kind = Headers(raw=message.get("headers", [])).get("content-type", "")
                if message["status"] >= 400 and kind.startswith(("application/json", "text/plain")):
                    held = message
                    return
            elif message["type"] == "http.response.body" and held is not None:
                chunks.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body = _error_body(b"".join(chunks), held["status"], scope)
                headers = MutableHeaders(scope=held)
                headers["content-type"] = "application/json"
                headers["content-length"] = str(len(body))
                await send(held)
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, rewriting_send)


def _error_body(body: bytes, status: int, scope: Scope) -> bytes:
    """`{"error": ...}` for an error response's body.

    >>> _error_body(b'{"detail": "Not Found"}', 404, {"method": "GET", "path": "/x"})
    b'{"error": "no such route: GET /x"}'
    """
    try:
        data = json.loads(body)
    except ValueError:
        data = body.decode("utf-8", "replace").strip()
    if isinstance(data, dict) and "error" in data:
        return body
    detail = data.get("detail", data) if isinstance(data, dict) else data
    message = detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False)
    if status == 404 and message in ("Not Found", ""):
        message = f"no such route: {scope['method']} {scope['path']}"
    elif status == 405 and message in ("Method Not Allowed", ""):
        message = f"{scope['method']} is not allowed on {scope['path']}"
    out: dict = {"error": message}
    if "/gradio_api/" in scope["path"] and isinstance(data, dict) and "detail" in data:
        out["detail"] = data["detail"]
    return json.dumps(out, ensure_ascii=False).encode()
