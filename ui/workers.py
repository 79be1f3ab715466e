"""`assistant serve --workers N`: N worker processes, each running today's app on a private Unix
socket, behind one small async front on the public port that forwards every request, streaming.

A Gradio chat keeps its queue and `gr.State` in one process, so a request naming a session
(`session_hash` in the query or in a JSON body, `/gradio_api/heartbeat/<hash>`, a `/call` event id)
always goes to the same worker; any other request goes to the worker with the fewest in flight.
The front adds no route and checks nothing itself: every request meets the access gate, the body
limit and the headers of `ui.security` in a worker, as with one process.
"""

from __future__ import annotations

import asyncio
import atexit
import itertools
import json
import logging
import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

import httpx
from starlette.responses import JSONResponse
from starlette.types import Message, Receive, Scope, Send

from assistant import AssistantError, Settings

log = logging.getLogger(__name__)
MAX_DEFAULT_WORKERS = 4  # each worker holds its own model and index handles (docs/DEPLOYMENT.md, "Workers")
WORKER_HEADER = "x-assistant-worker"
# Hop-by-hop headers (RFC 9110 7.6.1) are the connection's, not the message's; the forwarding ones
# the front writes itself, so a client cannot forge the address the workers see.
_NOT_FORWARDED = frozenset({b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer",
                            b"transfer-encoding", b"upgrade", b"x-forwarded-for", b"x-forwarded-proto"})
_NOT_RETURNED = _NOT_FORWARDED | {b"date", b"server"}  # the front's own uvicorn writes these
_STARTUP_S = 300.0
_STOP_S = 10.0


def available_cores() -> int:
    """The cores this process may run on (its affinity), not all the machine's."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def default_workers() -> int:
    return max(1, min(available_cores(), MAX_DEFAULT_WORKERS))


def session_of(path: str, query: bytes, body: bytes = b"") -> str | None:
    """The Gradio session a request belongs to, if it names one.

    >>> session_of("/gradio_api/queue/data", b"session_hash=ab12")
    'ab12'
    >>> session_of("/embed/gradio_api/heartbeat/cd34", b"")
    'cd34'
    >>> session_of("/gradio_api/queue/join", b"", b'{"data": [], "session_hash": "ef56"}')
    'ef56'
    >>> session_of("/api/ask", b"", b'{"question": "?"}') is None
    True
    """
    found = parse_qs(query.decode("latin-1")).get("session_hash")
    if found:
        return found[0]
    head, _, tail = path.partition("/gradio_api/heartbeat/")
    if tail:
        return tail.strip("/")
    if body and "/gradio_api/" in path:
        try:
            data = json.loads(body)
        except ValueError:
            return None
        value = data.get("session_hash") if isinstance(data, dict) else None
        return value if isinstance(value, str) and value else None
    return None


@dataclass
class Worker:
    """One worker process: its socket, its process (restarted when it dies), and its load."""

    index: int
    socket: Path
    process: subprocess.Popen | None = None
    ready: bool = False
    in_flight: int = 0
    started_at: float = 0.0
    restarts: int = 0
    client: httpx.AsyncClient = field(init=False)

    def __post_init__(self) -> None:
        self.client = _client(self.socket)


def _client(socket: Path) -> httpx.AsyncClient:
    # Answers and event streams take as long as they take: only connecting is bounded.
    transport = httpx.AsyncHTTPTransport(uds=str(socket), limits=httpx.Limits(max_connections=None))
    return httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(None, connect=5.0))


class WorkerPool:
    """Starts N workers on sockets in a private (0700) folder, watches them, stops them."""

    def __init__(self, settings: Settings, count: int):
        self.settings = settings
        self.folder = Path(tempfile.mkdtemp(prefix="assistant-workers-"))  # mode 0700: only this user connects
        self.workers = [Worker(i, self.folder / f"worker-{i}.sock") for i in range(count)]
        self.threads = max(1, available_cores() // count)
        self.stopping = False

    def spawn(self, worker: Worker) -> None:
        worker.socket.unlink(missing_ok=True)
        env = {**os.environ, "ASSISTANT_MODEL_THREADS": str(self.threads), "ASSISTANT_WORKER_INDEX": str(worker.index)}
        worker.process = subprocess.Popen(
            [sys.executable, "-m", "ui.workers", str(worker.socket), str(os.getpid())],
            stdin=subprocess.PIPE, env=env, start_new_session=True,  # the front decides when workers stop
        )
        assert worker.process.stdin is not None
        worker.process.stdin.write(pickle.dumps(self.settings))  # the parent's own Settings, flags included
        worker.process.stdin.close()
        worker.ready, worker.started_at = False, time.monotonic()

    def start(self) -> None:
        """Start every worker and wait until each answers; a worker that dies first is an error."""
        for worker in self.workers:
            self.spawn(worker)
        deadline = time.monotonic() + _STARTUP_S
        while not all(w.ready for w in self.workers):
            for w in self.workers:
                assert w.process is not None
                if w.process.poll() is not None:
                    raise AssistantError(f"worker {w.index} exited with code {w.process.returncode} before it was "
                                         "ready (its error is above)")
                w.ready = w.ready or _listening(w.socket)
            if time.monotonic() > deadline:
                raise AssistantError(f"the workers were not ready within {_STARTUP_S:.0f} s")
            time.sleep(0.2)

    async def watch(self) -> None:
        """Restart a worker that died (waiting longer after each quick death), mark it ready when it answers."""
        while not self.stopping:
            for w in self.workers:
                assert w.process is not None
                code = w.process.poll()
                if code is not None and not self.stopping:
                    w.ready = False
                    quick = time.monotonic() - w.started_at < 60
                    w.restarts = w.restarts + 1 if quick else 1
                    delay = min(30.0, 2.0 ** (w.restarts - 1)) if quick else 0.0
                    log.warning("worker %d (pid %d) exited with code %s; restarting it in %.0f s; its chat sessions "
                                "are lost", w.index, w.process.pid, code, delay)
                    await asyncio.sleep(delay)
                    if not self.stopping:
                        self.spawn(w)
                elif not w.ready and code is None and _listening(w.socket):
                    w.ready = True
                    log.warning("worker %d (pid %d) is serving again", w.index, w.process.pid)
            await asyncio.sleep(0.5)

    def stop(self) -> None:
        """SIGTERM every worker, SIGKILL what is left after a while, remove the sockets (once)."""
        if self.stopping and not self.folder.exists():
            return
        self.stopping = True
        running = [w.process for w in self.workers if w.process and w.process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + _STOP_S
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _listening(path: Path) -> bool:
    """Whether a worker accepts connections: uvicorn binds its socket once the app has started."""
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(str(path))
            return True
        except OSError:
            return False


class Front:
    """The ASGI app of the public port: picks a worker and forwards the request to it, streaming."""

    def __init__(self, pool: WorkerPool, max_body: int):
        self.pool = pool
        self.max_body = max_body  # bodies of Gradio POSTs are read this far to find their session
        self._turn = itertools.count()
        self._events: OrderedDict[str, int] = OrderedDict()  # `/call` event id -> worker

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "websocket":
            # Gradio 6 talks over server-sent events and no route of ours takes a WebSocket: closing before
            # the handshake answers 403, as one process does. (A JSON denial body makes uvicorn 0.54 log an error.)
            await send({"type": "websocket.close", "code": 1008, "reason": "no WebSocket routes"})
        else:
            await self._forward(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        watcher: asyncio.Task | None = None
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                watcher = asyncio.create_task(self.pool.watch())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if watcher:
                    watcher.cancel()
                # Here, not after uvicorn.run: uvicorn re-raises SIGTERM once it has stopped, ending this process.
                await asyncio.to_thread(self.pool.stop)
                await send({"type": "lifespan.shutdown.complete"})
                return

    def pick(self, session: str | None, event: str | None) -> tuple[Worker | None, str]:
        workers = self.pool.workers
        if event is not None and event in self._events:
            worker = workers[self._events[event]]
        elif session is not None:
            worker = workers[zlib.crc32(session.encode()) % len(workers)]
        else:
            live = [w for w in workers if w.ready]
            if not live:
                return None, "no worker is ready (they are starting or restarting); try again in a few seconds"
            turn = next(self._turn)
            return min(live, key=lambda w: (w.in_flight, (w.index - turn) % len(workers))), ""
        if not worker.ready:
            return None, (f"worker {worker.index}, which holds this chat session, is restarting; the session is "
                          "lost: reload the page")
        return worker, ""

    async def _forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        path, query = scope["path"], scope.get("query_string", b"")
        body, more = b"", _has_body(scope)
        if more and scope["method"] == "POST" and "/gradio_api/" in path:
            body, more = await _read_up_to(receive, self.max_body)
        parts = path.split("/gradio_api/call/", 1)
        event = parts[1].rstrip("/").rpartition("/")[2] if len(parts) == 2 and scope["method"] == "GET" else None
        worker, problem = self.pick(session_of(path, query, body), event)
        if worker is None:
            await JSONResponse({"error": problem}, status_code=503, headers={"Retry-After": "5"})(scope, receive, send)
            return
        worker.in_flight += 1
        try:
            await self._exchange(worker, scope, receive, send, body, more, remember=len(parts) == 2 and not event)
        finally:
            worker.in_flight -= 1

    async def _exchange(self, worker: Worker, scope: Scope, receive: Receive, send: Send, body: bytes, more: bool,
                        remember: bool) -> None:
        async def request_body():
            if body:
                yield body
            tail = more
            while tail:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                yield message.get("body", b"")
                tail = message.get("more_body", False)

        # ...and so are the headers that `Connection` names.
        connection = {name.strip() for k, v in scope["headers"] if k == b"connection" for name in v.lower().split(b",")}
        headers = [(k, v) for k, v in scope["headers"] if k not in _NOT_FORWARDED and k not in connection]
        if scope.get("client"):
            headers.append((b"x-forwarded-for", scope["client"][0].encode("latin-1")))
        headers.append((b"x-forwarded-proto", scope["scheme"].encode("latin-1")))
        raw_path = scope.get("raw_path") or scope["path"].encode()
        target = httpx.URL("http://worker", raw_path=raw_path + (b"?" + scope["query_string"] if scope.get(
            "query_string") else b""))
        content = request_body() if (body or more) else None
        request = httpx.Request(scope["method"], target, headers=headers, content=content)
        try:
            response = await worker.client.send(request, stream=True)
        except httpx.TransportError as exc:
            log.warning("worker %d did not answer %s %s: %s", worker.index, scope["method"], scope["path"], exc)
            await JSONResponse({"error": f"worker {worker.index} did not answer; try again in a few seconds"},
                               status_code=503, headers={"Retry-After": "5"})(scope, receive, send)
            return
        try:
            out = [(k, v) for k, v in response.headers.raw if k.lower() not in _NOT_RETURNED]
            out.append((WORKER_HEADER.encode(), str(worker.index).encode()))
            await send({"type": "http.response.start", "status": response.status_code, "headers": out})
            if remember and response.status_code == 200:
                self._remember_event(worker, await response.aread())
                await send({"type": "http.response.body", "body": response.content})
                return
            await _stream_until_disconnect(response, receive, send)
        finally:
            await response.aclose()

    def _remember_event(self, worker: Worker, content: bytes) -> None:
        # `POST .../call/<api>` answers an event id whose result `GET .../call/<api>/<id>` then reads.
        try:
            event = json.loads(content).get("event_id")
        except (ValueError, AttributeError):
            return
        if isinstance(event, str):
            self._events[event] = worker.index
            while len(self._events) > 10_000:
                self._events.popitem(last=False)


def _has_body(scope: Scope) -> bool:
    headers = dict(scope["headers"])
    return headers.get(b"content-length", b"0") not in (b"0", b"") or b"transfer-encoding" in headers


async def _read_up_to(receive: Receive, limit: int) -> tuple[bytes, bool]:
    """The body's first `limit` bytes or more (all of it if shorter), and whether more is to come."""
    chunks: list[bytes] = []
    size, more = 0, True
    while more and size <= limit:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks), False
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        more = message.get("more_body", False)
    return b"".join(chunks), more


async def _stream_until_disconnect(response: httpx.Response, receive: Receive, send: Send) -> None:
    """Pass the worker's body on as it comes (server-sent events included); stop if the client leaves."""

    async def relay() -> None:
        async for chunk in response.aiter_raw():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    async def client_gone() -> None:
        message: Message = {}
        while message.get("type") != "http.disconnect":
            message = await receive()

    tasks = [asyncio.create_task(relay()), asyncio.create_task(client_gone())]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    for task in done:
        failure = None if task.cancelled() else task.exception()
        if failure is not None and not isinstance(failure, httpx.TransportError):  # a worker that died mid-answer
            raise failure


class _Terminated(BaseException):
    """SIGTERM, raised where the front is so that its workers are stopped and its folder removed."""


def _terminated(signum: int, frame: object) -> None:
    raise _Terminated


def serve_workers(settings: Settings, host: str, port: int, count: int) -> None:
    """Start `count` workers, then serve the front on host:port until SIGTERM/SIGINT; stop the workers."""
    import uvicorn

    # uvicorn handles SIGTERM while it serves, then restores this handler and raises the signal again.
    signal.signal(signal.SIGTERM, _terminated)
    pool = WorkerPool(settings, count)
    atexit.register(pool.stop)  # whatever way this process ends short of a signal it does not handle
    terminated = False
    try:
        pool.start()
        print(f"serving the chat on http://{host}:{port}/ with {count} workers (index: {settings.index_dir})",
              flush=True)
        # Open event streams would hold a graceful shutdown forever: give them a few seconds.
        uvicorn.run(Front(pool, settings.max_request_kb * 1024), host=host, port=port, log_level="warning",
                    timeout_graceful_shutdown=5)
    except _Terminated:
        terminated = True
    finally:
        pool.stop()
    if terminated:  # end as one process does on SIGTERM: by the signal
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.raise_signal(signal.SIGTERM)


def _run_worker(path: str, parent: int) -> None:
    """A worker: today's app, on its socket, with the Settings its parent sent on stdin."""
    _die_with_parent(parent)
    settings = pickle.loads(sys.stdin.buffer.read())  # from our own parent, over a pipe
    import uvicorn

    from assistant.factory import open_assistant

    from .server import create_app

    # Only the front can reach the socket (its folder is 0700), so its forwarding headers are trusted.
    uvicorn.run(create_app(open_assistant(settings)), uds=path, log_level="warning", forwarded_allow_ips="*",
                timeout_graceful_shutdown=5)


def _die_with_parent(parent: int) -> None:
    """Ask Linux to SIGTERM this worker when its parent dies, even by SIGKILL (elsewhere: nothing)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request was made
        os.kill(os.getpid(), signal.SIGTERM)


if __name__ == "__main__":
    _run_worker(sys.argv[1], int(sys.argv[2]))
