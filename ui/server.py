"""One FastAPI app: the chat at `/`, the compact chat at `/embed`, the REST API at `/api`, the
OpenAI-compatible API at `/v1`, and OpenAPI docs at `/docs` (served offline, no CDN)."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from fastapi_offline import FastAPIOffline

from assistant import Assistant, NoIndexError, QuestionError, Settings, StoreUnavailableError

from . import api, openai_api
from .chat import CSS, build_chat, suggest_questions
from .security import check_exposure, install_security

log = logging.getLogger(__name__)


def create_app(assistant: Assistant) -> FastAPI:
    import gradio as gr

    app = FastAPIOffline(
        title="Cited answers",
        description="Questions about your documents, answered with a citation for every claim.",
        version="0.1.0",
    )
    _install_error_handlers(app)
    install_security(app, assistant.settings)
    app.include_router(api.build_router(assistant))
    app.include_router(openai_api.build_router(assistant))
    @app.get("/gradio.js", include_in_schema=False)
    def _web_component() -> FileResponse:
        # Gradio's own loader for the <gradio-app> web component: it imports this server's assets,
        # so portals need no CDN.
        return FileResponse(Path(gr.__file__).parent / "templates" / "frontend" / "gradio.js",
                            media_type="text/javascript")

    @app.get("/embed", include_in_schema=False)
    def _embed_slash() -> RedirectResponse:
        return RedirectResponse("/embed/")

    examples = suggest_questions(assistant)
    embed = build_chat(assistant, compact=True, examples=examples)
    app = gr.mount_gradio_app(app, embed, path="/embed", css=CSS, footer_links=[])
    return gr.mount_gradio_app(app, build_chat(assistant, examples=examples), path="/", css=CSS, footer_links=["api"])


def _install_error_handlers(app: FastAPI) -> None:
    """Every error is JSON `{"error": message}` a developer can act on; never a stack trace."""

    @app.exception_handler(QuestionError)
    async def _bad_question(_: Request, exc: QuestionError):
        return JSONResponse(status_code=422, content={"error": str(exc)})

    @app.exception_handler(NoIndexError)
    async def _no_index(_: Request, exc: NoIndexError):
        return JSONResponse(status_code=503, content={"error": str(exc)})

    @app.exception_handler(StoreUnavailableError)
    async def _store_down(_: Request, exc: StoreUnavailableError):
        return JSONResponse(status_code=503, content={"error": str(exc)}, headers={"Retry-After": "5"})

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError):
        problems = [
            f"{'.'.join(str(p) for p in e['loc'] if p != 'body') or 'body'}: {e['msg']}" for e in exc.errors()
        ]
        return JSONResponse(status_code=422, content={"error": "invalid request: " + "; ".join(problems)})

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException):
        return JSONResponse(status_code=exc.status_code, content={"error": exc.detail}, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _internal(_: Request, exc: Exception):
        log.exception("internal error")
        return JSONResponse(status_code=500, content={"error": "internal error; the server log has the details"})


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860) -> None:
    import uvicorn

    check_exposure(settings, host)
    assistant = Assistant(settings)
    print(f"serving the chat on http://{host}:{port}/ (index: {settings.index_dir})", flush=True)
    uvicorn.run(create_app(assistant), host=host, port=port, log_level="warning")
