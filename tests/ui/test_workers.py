"""`assistant serve --workers 2` as a real process over a real index of seeds/, with API keys set:
requests spread over both workers, a Gradio chat session stays on its worker, keys, cookies and
embed tokens hold in every worker, a killed worker comes back, and SIGTERM stops them all.
The forwarding headers are checked on the front alone, against a worker that echoes them."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from assistant import Settings
from prompts import load_prompt
from ui.front import WORKER_HEADER, Front
from ui.workers import WorkerPool

from ..helpers import OFFLINE_ENV, ROOT, free_port, run_cli

KEY = "workers-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
QUESTION = "What did Budrys say?"


def children(pid: int) -> set[int]:
    return {int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


def wait_until(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if found := check():
                return found
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{what} within {timeout:.0f} s")


class Served:
    def __init__(self, process: subprocess.Popen, url: str):
        self.process, self.url = process, url

    def workers_seen(self, n: int = 8) -> set[str]:
        return {httpx.get(f"{self.url}/api/health", timeout=10).headers[WORKER_HEADER] for _ in range(n)}


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Served]:
    index_dir = tmp_path_factory.mktemp("workers-index")
    ingest = run_cli("ingest", "seeds/", index_dir=index_dir)
    assert ingest.returncode == 0, ingest.stderr
    port = free_port()
    env = {**os.environ, **OFFLINE_ENV, "ASSISTANT_INDEX_DIR": str(index_dir), "ASSISTANT_API_KEYS": KEY}
    process = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--workers", "2", "--port", str(port)],
                               cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    server = Served(process, f"http://127.0.0.1:{port}")
    try:
        wait_until(lambda: server.workers_seen() == {"0", "1"}, 180, "both workers did not answer /api/health")
        yield server
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


@pytest.mark.slow
def test_requests_spread_over_both_workers(served):
    def call(i: int) -> httpx.Response:
        if i % 2:
            return httpx.post(f"{served.url}/api/ask", json={"question": QUESTION}, headers=AUTH, timeout=120)
        body = {"messages": [{"role": "user", "content": QUESTION}]}
        return httpx.post(f"{served.url}/v1/chat/completions", json=body, headers=AUTH, timeout=120)

    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(call, range(16)))
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses if r.status_code != 200]
    assert all("bilaterally" in r.text for r in responses)
    for path in ("/api/ask", "/v1/chat/completions"):
        assert {r.headers[WORKER_HEADER] for r in responses if r.url.path == path} == {"0", "1"}, path
    assert len(children(served.process.pid)) == 2


@pytest.mark.slow
def test_an_answer_streams_through_the_front(served):
    with httpx.stream("POST", f"{served.url}/api/ask/stream", json={"question": QUESTION}, headers=AUTH,
                      timeout=120) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        chunks = list(response.iter_raw())
    text = b"".join(chunks).decode()
    assert "event: delta" in text and "event: answer" in text and len(chunks) > 1


@pytest.mark.slow
def test_a_gradio_chat_session_stays_on_its_worker(served):
    config = httpx.get(f"{served.url}/config", headers=AUTH, timeout=30).json()
    chat = next(d for d in config["dependencies"] if d.get("api_name") == "chat")
    used = set()
    for session in ("chat-0", "chat-4", "chat-1", "chat-5"):  # crc32 % 2: 0, 1, 0, 1
        join = httpx.post(f"{served.url}/gradio_api/queue/join", headers=AUTH, timeout=30, json={
            "data": [QUESTION, [], None, None], "fn_index": chat["id"], "trigger_id": None, "session_hash": session,
            "event_data": None})
        assert join.status_code == 200, join.text
        with httpx.stream("GET", f"{served.url}/gradio_api/queue/data", params={"session_hash": session},
                          headers=AUTH, timeout=120) as stream:
            assert stream.headers[WORKER_HEADER] == join.headers[WORKER_HEADER]
            messages = [json.loads(line[5:]) for line in stream.iter_lines() if line.startswith("data:")]
        done = next(m for m in messages if m["msg"] == "process_completed")
        assert done["msg"] == "process_completed" and done["success"], done
        assert "bilaterally" in json.dumps(done["output"]["data"][1][-1])
        used.add(join.headers[WORKER_HEADER])
    assert used == {"0", "1"}


@pytest.mark.slow
def test_keys_cookies_and_embed_tokens_hold_in_every_worker(served):
    bare = [httpx.post(f"{served.url}/api/ask", json={"question": QUESTION}, timeout=30) for _ in range(4)]
    assert {r.status_code for r in bare} == {401} and {r.headers[WORKER_HEADER] for r in bare} == {"0", "1"}
    assert all(r.json() == {"error": load_prompt("auth_missing_key")} for r in bare)
    assert "Budrys" not in httpx.get(f"{served.url}/config", timeout=30).text

    with httpx.Client(base_url=served.url, timeout=30) as browser:
        assert browser.post("/login", data={"key": KEY, "next": "/"}).status_code == 303
        pages = [browser.get("/config") for _ in range(4)]
    assert {r.status_code for r in pages} == {200} and {r.headers[WORKER_HEADER] for r in pages} == {"0", "1"}

    token = httpx.post(f"{served.url}/api/embed-tokens", json={"origin": "https://portal.example"}, headers=AUTH,
                       timeout=30).json()
    embeds = [httpx.get(f"{served.url}{token['url']}", timeout=30) for _ in range(4)]
    assert {r.status_code for r in embeds} == {200} and {r.headers[WORKER_HEADER] for r in embeds} == {"0", "1"}


@pytest.mark.slow
def test_limits_and_websockets_are_refused_as_by_one_process(served):
    big = b"x" * (1024 * 1024 + 1)
    declared = httpx.post(f"{served.url}/api/ask", content=big, headers=AUTH, timeout=30)
    streamed = httpx.post(f"{served.url}/gradio_api/queue/join", content=iter([big[:70_000]] * 16), headers=AUTH,
                          timeout=30)
    for response in (declared, streamed):
        assert response.status_code == 413 and "larger than the server accepts" in response.json()["error"]
    upgrade = httpx.get(f"{served.url}/gradio_api/queue/data", timeout=10, headers={
        "Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
    assert upgrade.status_code == 403


@pytest.mark.slow
def test_a_killed_worker_is_restarted(served):
    before = children(served.process.pid)
    victim = min(before)
    environ = Path(f"/proc/{victim}/environ").read_bytes().split(b"\0")
    index = next(int(v.split(b"=")[1]) for v in environ if v.startswith(b"ASSISTANT_WORKER_INDEX="))
    its_session = next(f"session-{n}" for n in range(8) if zlib.crc32(f"session-{n}".encode()) % 2 == index)
    os.kill(victim, signal.SIGKILL)
    # Its sessions are refused clearly while it is away; the other worker goes on serving the rest.
    refused = httpx.get(f"{served.url}/gradio_api/queue/data", params={"session_hash": its_session}, headers=AUTH,
                        timeout=10)
    assert refused.status_code == 503 and refused.json()["error"]
    time.sleep(1)  # the front has noticed (it looks twice a second); the new worker is still loading
    assert {httpx.get(f"{served.url}/api/health", timeout=10).headers[WORKER_HEADER] for _ in range(4)} == {
        str(1 - index)}
    wait_until(lambda: len(children(served.process.pid) - before) == 1, 30, "no new worker was started")
    wait_until(lambda: served.workers_seen() == {"0", "1"}, 180, "the new worker did not serve")
    assert victim not in children(served.process.pid)


@pytest.mark.slow
def test_sigterm_stops_every_worker(served):
    workers = children(served.process.pid)
    folders = {Path(Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[3].decode()).parent for pid in workers}
    assert len(folders) == 1 and oct(next(iter(folders)).stat().st_mode & 0o777) == "0o700"
    served.process.send_signal(signal.SIGTERM)
    served.process.wait(timeout=60)
    assert all(not Path(f"/proc/{pid}").exists() for pid in workers)
    assert not any(folder.exists() for folder in folders)  # the sockets' folder is removed
    assert served.process.returncode in (0, -signal.SIGTERM)
    assert "Traceback" not in served.process.stderr.read()


def test_the_front_writes_the_forwarding_headers_itself(tmp_path):
    """A client's X-Forwarded-For / -Proto never reach a worker: the front writes the address it saw."""
    import uvicorn

    async def echo(scope, receive, send):
        if scope["type"] != "http":
            return
        body = json.dumps([[k.decode(), v.decode()] for k, v in scope["headers"]]).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})

    pool = WorkerPool(Settings(index_dir=tmp_path), 1)
    worker = pool.workers[0]
    server = uvicorn.Server(uvicorn.Config(echo, uds=str(worker.socket), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(worker.socket.exists, 10, "the echo worker did not listen")
        worker.ready = True
        transport = httpx.ASGITransport(app=Front(pool, 1024), client=("203.0.113.7", 4000))

        async def call() -> httpx.Response:
            async with httpx.AsyncClient(transport=transport, base_url="http://front.example") as client:
                return await client.get("/api/health", headers={
                    "X-Forwarded-For": "10.9.9.9", "X-Forwarded-Proto": "https", "Connection": "close, x-secret",
                    "X-Secret": "hop"})

        response = asyncio.run(call())
        sent = response.json()
        assert [v for k, v in sent if k == "x-forwarded-for"] == ["203.0.113.7"]
        assert [v for k, v in sent if k == "x-forwarded-proto"] == ["http"]
        assert not [k for k, _ in sent if k in ("x-secret", "connection")]
        assert ["host", "front.example"] in sent and response.headers[WORKER_HEADER] == "0"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        pool.stop()
