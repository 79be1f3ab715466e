"""One FastAPI app: the chat at `/`, the compact chat at `/embed`, the REST API at `/api`, the
OpenAI-compatible API at `/v1`, OpenAPI docs at `/docs` (served offline, no CDN), and, with API
keys set, the sign-in at `/login`; every route stands behind the access gate of `ui.auth`."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, RedirectResponse
from fastapi_offline import FastAPIOffline

from assistant import Assistant, Settings
from assistant.collections import Collections
from assistant.factory import open_assistant

from . import api, documents_api, openai_api, signin, viewer
from .chat import CSS, build_chat
from .errors import JsonErrors, install_api_fallback, install_error_handlers
from .security import check_exposure, install_security

log = logging.getLogger(__name__)


def create_app(assistant: Assistant) -> FastAPI:
    import gradio as gr

    settings = assistant.settings
    app = FastAPIOffline(
        title="Cited answers",
        description="Questions about your documents, answered with a citation for every claim.",
        version="0.1.0",
    )
    install_error_handlers(app)
    # What the routes' dependencies (ui.dependencies) take; tests swap them with app.dependency_overrides.
    app.state.assistant = assistant  # the default collection's
    app.state.collections = Collections(settings, first=assistant)
    app.state.credentials = install_security(app, settings)
    unknown = app.state.credentials.named_collections() - set(app.state.collections.names())
    if unknown:  # a typo, or a key from before collections that holds a ":" (keys may not)
        log.warning("ASSISTANT_API_KEYS limits keys to collections that do not exist (yet): %s; a key is written "
                    "key or key:collection+collection, so a key may not contain ':'", ", ".join(sorted(unknown)))
    app.add_middleware(JsonErrors)  # outermost: it also reshapes the gate's and Gradio's errors
    app.include_router(signin.router)
    app.include_router(api.router)
    app.include_router(documents_api.router)
    app.include_router(openai_api.router)
    app.include_router(viewer.router)  # before the mounts: /embed/documents/ is ours, not Gradio's
    install_api_fallback(app)

    @app.get("/gradio.js", include_in_schema=False)
    def _web_component() -> FileResponse:
        # Gradio's own loader for the <gradio-app> web component: it imports this server's assets,
        # so portals need no CDN.
        return FileResponse(Path(gr.__file__).parent / "templates" / "frontend" / "gradio.js",
                            media_type="text/javascript")

    @app.get("/embed", include_in_schema=False)
    def _embed_slash(request: Request) -> RedirectResponse:
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"/embed/{query}")

    examples = [] if settings.api_keys else assistant.example_questions()
    signed_in = bool(settings.api_keys)
    collections, credentials = app.state.collections, app.state.credentials
    embed = build_chat(assistant, compact=True, examples=examples, collections=collections, credentials=credentials)
    # Gradio never serves or takes a file of the index (catalogues, uploads of any collection).
    blocked = [str(settings.index_dir.resolve())]
    app = gr.mount_gradio_app(app, embed, path="/embed", css=CSS, footer_links=[], blocked_paths=blocked)
    # With keys set, "Use via API" is hidden: the REST API with a Bearer key is the way in.
    page = build_chat(assistant, examples=examples, sign_out=signed_in, collections=collections,
                      credentials=credentials)
    app = gr.mount_gradio_app(app, page, path="/", css=CSS, footer_links=[] if signed_in else ["api"],
                              blocked_paths=blocked)
    for blocks in (embed, page):
        # Gradio accepts a file in an event only if this user uploaded it, but checks so only for
        # Blocks that were launched, which mounted ones never are: without this, an event could name
        # any server path as "its" file (the Documents tab would index it, the chat would hand it back).
        blocks.has_launched = True
    return app


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860, workers: int = 1) -> None:
    """One process serving the app; with `workers` > 1, that many behind one front (`ui.workers`)."""
    import uvicorn

    check_exposure(settings, host)
    if workers > 1:
        from .workers import serve_workers

        serve_workers(settings, host, port, workers)
        return
    assistant = open_assistant(settings)
    print(f"serving the chat on http://{host}:{port}/ (index: {settings.index_dir})", flush=True)
    uvicorn.run(create_app(assistant), host=host, port=port, log_level="warning")
