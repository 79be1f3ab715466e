"""One FastAPI app: the Gradio chat at `/`, a small REST API under `/api`."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from assistant import Answer, Assistant, NoIndexError, QuestionError, Settings

log = logging.getLogger(__name__)


class AskRequest(BaseModel):
    question: str = Field(..., description="The question to answer.")
    k: int | None = Field(None, ge=1, le=50, description="Passages to retrieve.")


def create_app(assistant: Assistant) -> FastAPI:
    import gradio as gr

    from .chat import build_chat

    app = FastAPI(title="Cited answers", description="Questions about your documents, answered with citations.")

    @app.exception_handler(QuestionError)
    async def _bad_question(_: Request, exc: QuestionError):
        return JSONResponse(status_code=422, content={"error": str(exc)})

    @app.exception_handler(NoIndexError)
    async def _no_index(_: Request, exc: NoIndexError):
        return JSONResponse(status_code=503, content={"error": str(exc)})

    @app.exception_handler(Exception)
    async def _internal(_: Request, exc: Exception):
        log.exception("internal error")
        return JSONResponse(status_code=500, content={"error": "internal error; see the server log"})

    @app.get("/api/health")
    def health() -> dict:
        return {"status": "ok", "documents": len(assistant.store.documents()), "chunks": assistant.store.chunk_count()}

    @app.post("/api/ask", response_model=Answer)
    def ask(request: AskRequest) -> Answer:
        return assistant.ask(request.question, k=request.k)

    return gr.mount_gradio_app(app, build_chat(assistant), path="/", footer_links=["api"])


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860) -> None:
    import uvicorn

    assistant = Assistant(settings)
    print(f"serving the chat on http://{host}:{port}/ (index: {settings.index_dir})", flush=True)
    uvicorn.run(create_app(assistant), host=host, port=port, log_level="warning")
