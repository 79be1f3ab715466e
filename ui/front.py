"""The front of `assistant serve --workers N`: the ASGI app on the public port, which picks a worker
for every request and forwards it to that worker's Unix socket, streaming (the workers: `ui.workers`).

A Gradio chat keeps its queue and `gr.State` in one process, so a request naming a session
(`session_hash` in the query or in a JSON body, `/gradio_api/heartbeat/<hash>`, a `/call` event id)
always goes to the same worker; any other request goes to the worker with the fewest in flight.
The front adds no route and checks nothing itself: every request meets the access gate, the body
limit and the headers of `ui.security` in a worker, as with one process.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import zlib
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol
from urllib.parse import parse_qs

import httpx
from starlette.responses import JSONResponse
from starlette.types import Message, Receive, Scope, Send

log = logging.getLogger(__name__)
WORKER_HEADER = "x-assistant-worker"
# Hop-by-hop headers (RFC 9110 7.6.1) are the connection's, not the message's; the forwarding ones
# the front writes itself, so a client cannot forge the address the workers see.
_NOT_FORWARDED = frozenset({b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer",
                            b"transfer-encoding", b"upgrade", b"x-forwarded-for", b"x-forwarded-proto"})
_NOT_RETURNED = _NOT_FORWARDED | {b"date", b"server"}  # the front's own uvicorn writes these


class Backend(Protocol):
    """What the front needs of a worker (`ui.workers.Worker`): which it is, whether it serves, its load, its client."""

    index: int
    ready: bool
    in_flight: int
    client: httpx.AsyncClient


class Backends(Protocol):
    """What the front needs of its workers (`ui.workers.WorkerPool`): the list, a watch to run, a stop."""

    @property
    def workers(self) -> Sequence[Backend]: ...

    async def watch(self) -> None: ...

    def stop(self) -> None: ...


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


class Front:
    """The ASGI app of the public port: picks a worker and forwards the request to it, streaming."""

    def __init__(self, pool: Backends, max_body: int):
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

    def pick(self, session: str | None, event: str | None) -> tuple[Backend | None, str]:
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

    async def _exchange(self, worker: Backend, scope: Scope, receive: Receive, send: Send, body: bytes, more: bool,
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

    def _remember_event(self, worker: Backend, content: bytes) -> None:
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
