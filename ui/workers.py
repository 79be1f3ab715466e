"""`assistant serve --workers N`: N worker processes, each running today's app on a private Unix
socket, behind one small async front on the public port that forwards every request, streaming.

This module starts, watches, restarts and stops the workers and serves the front; the front itself
(which worker a request goes to, and how it is forwarded) is `ui.front`.
"""

from __future__ import annotations

import asyncio
import atexit
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
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from assistant import AssistantError, Settings

from .front import Front

log = logging.getLogger(__name__)
MAX_DEFAULT_WORKERS = 4  # each worker holds its own model and index handles (docs/DEPLOYMENT.md, "Workers")
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

    from assistant import AssistantError, StoreUnavailableError
    from assistant.factory import open_assistant

    from .server import create_app

    try:
        assistant = open_assistant(settings)
    except (AssistantError, StoreUnavailableError) as exc:  # one line, as `assistant serve` says it
        print(f"error: {exc}", file=sys.stderr, flush=True)
        sys.exit(1)
    # Only the front can reach the socket (its folder is 0700), so its forwarding headers are trusted.
    uvicorn.run(create_app(assistant), uds=path, log_level="warning", forwarded_allow_ips="*",
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
