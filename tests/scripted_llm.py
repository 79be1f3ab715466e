"""A test double of an outside LLM service: an OpenAI-compatible server (POST /v1/chat/completions,
streaming and not) on 127.0.0.1, answering what the test scripts. Reached through the real
langchain-openai client, it tests the wire without any hosted model.
"""

from __future__ import annotations

import json
import re
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ScriptedLLM(BaseHTTPRequestHandler):
    """POST /v1/chat/completions answering with `server.script`: reply text, status, delay (seconds)."""

    def do_POST(self):
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


@contextmanager
def scripted_llm_server():
    """The server on a free loopback port; set `.script` ({"reply", "status", "delay"}), read `.requests`."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), ScriptedLLM)
    server.daemon_threads = True
    server.requests, server.script = [], {}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
