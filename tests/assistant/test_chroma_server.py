"""Scale-out on a real Chroma server (`chroma run`, from the chromadb package) on loopback.

Two `assistant serve` processes share the server (and the index directory's SQLite catalogue);
the server is stopped and started again mid-way: the assistants answer 503 with a clear message
while it is down, and answer again once it is back, without being restarted.
"""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from ..helpers import ROOT, SEEDS, free_port, run_cli
from ..servers import CHROMA, ChromaServer, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    if not CHROMA.exists():
        pytest.skip(f"no chroma command at {CHROMA}")
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server"))
    server.start()
    yield server
    if server.running:
        server.stop()


@pytest.fixture(scope="module")
def two_assistants(chroma_server, embedder, tmp_path_factory):
    from assistant import Assistant, Settings

    index_dir = tmp_path_factory.mktemp("server-index")
    report = Assistant(Settings(index_dir=index_dir, chroma_url=chroma_server.url), embedder=embedder).ingest([SEEDS])
    assert report.added and report.chunks_embedded > 0
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(index_dir), "ASSISTANT_CHROMA_URL": chroma_server.url}
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)], cwd=ROOT, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for port in ports
    ]
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url in urls:
            wait_for(f"{url}/api/health", timeout=180)
        yield urls
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


def ask(url: str) -> httpx.Response:
    return httpx.post(f"{url}/api/ask", json={"question": "What did Budrys say?"}, timeout=60)


def test_two_assistants_share_the_server_and_survive_its_restart(chroma_server, two_assistants):
    for url in two_assistants:
        response = ask(url)
        assert response.status_code == 200 and "bilaterally" in response.json()["answer"]

    chroma_server.stop()
    for url in two_assistants:
        response = ask(url)
        assert response.status_code == 503
        assert "Chroma server is unreachable" in response.json()["error"]
        assert httpx.get(f"{url}/api/health", timeout=5).status_code == 200  # still serving

    chroma_server.start()
    for url in two_assistants:
        response = ask(url)
        assert response.status_code == 200 and "bilaterally" in response.json()["answer"]


def test_cli_says_when_no_server_answers(tmp_path):
    env = {**os.environ, "ASSISTANT_CHROMA_URL": f"http://127.0.0.1:{free_port()}"}
    result = run_cli("ingest", "seeds/", index_dir=tmp_path, env=env, timeout=120)
    assert result.returncode == 1
    assert "no Chroma server answers" in result.stderr and "Traceback" not in result.stderr
