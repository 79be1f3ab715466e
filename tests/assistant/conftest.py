"""Fixtures for the LLM tests: an OpenAI-compatible server of the tests' own on 127.0.0.1, a test
double for an outside LLM service (scripted per test), reached through the real langchain-openai
client, and the seed index with ASSISTANT_LLM pointed at it.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant.llm import make_chat_model


class ScriptedLLM(BaseHTTPRequestHandler):
    """POST /v1/chat/completions answering with `server.script`: reply text, status, delay (seconds)."""

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
        self.server.requests.append(body)
        script = self.server.script
        try:
            time.sleep(script.get("delay", 0))
            if self.path != "/v1/chat/completions":
                return self._json(404, {"error": {"message": "not found"}})
            if script.get("status", 200) != 200:
                return self._json(script["status"], {"error": {"message": "scripted failure", "type": "server_error"}})
            if body.get("stream"):
                return self._stream(script["reply"])
            self._json(200, {
                "id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": body.get("model"),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": script["reply"]},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            })
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout)

    def _json(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, reply):
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.end_headers()

        def event(delta, finish=None):
            chunk = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 0, "model": "test-model",
                     "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()

        event({"role": "assistant", "content": ""})
        for piece in re.split(r"(\s+)", reply):
            if piece:
                event({"content": piece})
        event({}, "stop")
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def llm_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), ScriptedLLM)
    server.daemon_threads = True
    server.requests, server.script = [], {}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def served(llm_server):
    """Script the server's next replies; returns a real ChatOpenAI pointed at it (timeout 1 s)."""

    def script(reply: str = "", status: int = 200, delay: float = 0.0):
        llm_server.script = {"reply": reply, "status": status, "delay": delay}
        llm_server.requests.clear()
        return make_chat_model("openai:test-model", base_url=f"http://127.0.0.1:{llm_server.server_address[1]}/v1",
                               timeout=1.0)

    return script


@pytest.fixture
def llm_assistant(seed_assistant, llm_server):
    """The seed index with ASSISTANT_LLM pointed at the local test double of an OpenAI-compatible server."""
    from assistant import Assistant, Settings

    settings = Settings(
        index_dir=seed_assistant.settings.index_dir, llm="openai:test-model", llm_timeout=2.0,
        llm_base_url=f"http://127.0.0.1:{llm_server.server_address[1]}/v1",
    )
    return Assistant(settings, embedder=seed_assistant.embedder)
