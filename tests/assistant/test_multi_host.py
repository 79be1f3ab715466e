"""Stateless workers on many hosts (issue 15), end to end with real processes: the catalogue in the
session's PostgreSQL, the vectors on one `chroma run`, and each "host" an index directory of its own
that nothing is written to.

Two ingest runs over one folder split it, embedding every document once; two `assistant serve`
workers answer alike, see each other's uploads and deletes, answer 503 while PostgreSQL is down and
again once it is back, without a restart; an ingest killed with -9 leaves only whole documents,
and the next run completes the index.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from ..helpers import OFFLINE_ENV, ROOT, SEEDS, free_port, run_cli
from ..servers import CHROMA, ChromaServer, wait_for

pytestmark = pytest.mark.slow

BUDRYS = "What did Budrys say?"
# An upload's fact, in none of the other documents (and about nothing they are about).
LIGHTHOUSE = (
    "Zorbulon lighthouse repainted\n\n"
    "The Zorbulon lighthouse on Kettle Island was painted violet in 1987 by its keeper, Marta Quill. "
    "Visitors still climb its 212 steps to see the violet lantern room."
)
LIGHTHOUSE_QUESTION = "What colour was the Zorbulon lighthouse painted?"
TOWNS = [
    "Ashford", "Brindlemoor", "Corvale", "Dunmere", "Elmstead", "Farrowgate", "Glenhollow", "Harwick", "Ivybridge",
    "Jarrowfield", "Kelsworth", "Larkhaven", "Marlowe", "Northwick", "Oakhurst", "Pendlebury", "Quarrytown",
    "Rosedale", "Stonebarrow", "Thistlecombe", "Umberleigh", "Valemount", "Westerfold", "Yarrowby", "Zennor",
    "Ambleside", "Brackenridge", "Coldharbour", "Dewsbury", "Edgecombe",
]
FACILITIES = ["library", "swimming pool", "bakery", "tram line", "orchard", "museum", "market hall", "cinema",
              "rowing club", "observatory"]


def generated_document(i: int, town: str) -> str:
    """A small news item about one town, distinct from every other; every third quotes Jane Doe."""
    facility = FACILITIES[i % len(FACILITIES)]
    text = (
        f"{town} opens a new {facility}\n\n"
        f"The new {facility} in {town} opened on a Tuesday morning after {3 + i % 7} years of planning. "
        f"The council of {town} spent {120 + 17 * i} thousand pounds on it, raised partly by a local lottery. "
        f"In its first week it welcomed {400 + 31 * i} visitors, many of them from the villages around {town}. "
        f"The {facility} will be open from {7 + i % 3} in the morning until {8 + i % 4} in the evening.\n"
    )
    if i % 3 == 0:
        text += (f'"The {facility} gives {town} a reason to gather again," Jane Doe said. '
                 f"She has lived in {town} for {20 + i} years.\n")
    return text


def summary_counts(stdout: str) -> dict[str, int]:
    """The counts of an ingest's summary line (IngestReport.summary); 0 for a part it leaves out."""
    line = next((line for line in stdout.splitlines() if line.startswith("ingested into")), None)
    assert line is not None, f"no summary line in the ingest's output:\n{stdout}"
    counts = {}
    for name, label in (("added", "added"), ("updated", "updated"), ("unchanged", "unchanged"),
                        ("skipped", "skipped"), ("chunks", "chunks embedded"),
                        ("elsewhere", "left to another ingest run"), ("restored", "missing vectors restored"),
                        ("orphans", "orphan vectors removed")):
        found = re.search(rf"(\d+) {label}", line)
        counts[name] = int(found.group(1)) if found else 0
    return counts


class Host:
    """One host of the deployment: an index directory of its own (which must stay empty), the shared
    URLs and collection in its environment."""

    def __init__(self, folder: Path, catalogue_url: str, chroma_url: str, collection: str, **settings: str):
        self.index_dir = folder / "index"  # not created: a stateless worker must not need it
        self.env = {**os.environ, **OFFLINE_ENV, "ASSISTANT_INDEX_DIR": str(self.index_dir),
                    "ASSISTANT_CATALOGUE_URL": catalogue_url, "ASSISTANT_CHROMA_URL": chroma_url,
                    "ASSISTANT_COLLECTION": collection, **settings}
        self.log_dir = folder

    def start(self, name: str, *args: str) -> tuple[subprocess.Popen, Path, Path]:
        """`python -m assistant.cli ARGS` running on this host, its stdout and stderr in files."""
        out, err = self.log_dir / f"{name}.out", self.log_dir / f"{name}.err"
        with out.open("wb") as stdout, err.open("wb") as stderr:
            process = subprocess.Popen([sys.executable, "-m", "assistant.cli", *args], cwd=ROOT, env=self.env,
                                       stdout=stdout, stderr=stderr)
        return process, out, err

    def ingest(self, name: str, folder: Path, timeout: float = 300) -> tuple[int, str, str]:
        """Run an ingest of `folder` to its end: (exit code, stdout, stderr)."""
        process, out, err = self.start(name, "ingest", str(folder))
        process.wait(timeout=timeout)
        return process.returncode, out.read_text(), err.read_text()

    def written(self) -> list[str]:
        """What this host's index directory holds (it should hold nothing)."""
        if not self.index_dir.exists():
            return []
        return sorted(str(p.relative_to(self.index_dir)) for p in self.index_dir.rglob("*"))


@pytest.fixture(scope="module")
def chroma(tmp_path_factory):
    if not CHROMA.exists():
        pytest.skip(f"no chroma command at {CHROMA}")
    server = ChromaServer(tmp_path_factory.mktemp("multi-host-chroma"))
    server.start()
    yield server
    if server.running:
        server.stop()


@pytest.fixture(scope="module")
def deployment(postgres_server, chroma, tmp_path_factory):
    """The shared servers and a collection no other test uses: (catalogue URL, Chroma URL, collection)."""
    return postgres_server.url, chroma.url, f"hosts{uuid.uuid4().hex[:10]}"


def host(deployment, tmp_path_factory, name: str, collection: str | None = None, **settings: str) -> Host:
    """A new host of the deployment; `settings` are more ASSISTANT_* variables for its processes."""
    catalogue_url, chroma_url, default = deployment
    return Host(tmp_path_factory.mktemp(name), catalogue_url, chroma_url, collection or default, **settings)


def open_catalogue(deployment, collection: str | None = None):
    import index

    return index.PostgresCatalogue(deployment[0], collection=collection or deployment[2])


def chroma_ids(chroma_url: str, collection: str) -> set[str]:
    """Every vector id of the collection's Chroma collection on the server."""
    import chromadb

    from assistant import Settings

    client = chromadb.HttpClient(host="127.0.0.1", port=int(chroma_url.rsplit(":", 1)[1]))
    found = client.get_collection(Settings(collection=collection).chroma_collection()).get(include=[])
    return set(found["ids"])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("multi-host-corpus")
    for seed in SEEDS.glob("*.txt"):
        shutil.copy(seed, folder / seed.name)
    for i, town in enumerate(TOWNS):
        (folder / f"{town.lower()}.txt").write_text(generated_document(i, town), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def two_ingests(deployment, corpus, tmp_path_factory):
    """Two ingest runs of the corpus started at once on two hosts: their (exit code, stdout, stderr) and hosts."""
    hosts = [host(deployment, tmp_path_factory, f"ingest-host-{n}") for n in (1, 2)]
    started = time.monotonic()
    runs = [h.start("ingest", "ingest", str(corpus)) for h in hosts]
    results = []
    for process, out, err in runs:
        process.wait(timeout=300)
        results.append((process.returncode, out.read_text(), err.read_text()))
    print(f"two ingests of {len(list(corpus.iterdir()))} documents: {time.monotonic() - started:.1f} s")
    return results, hosts


def test_two_ingest_runs_split_the_folder_and_embed_each_document_once(deployment, corpus, two_ingests,
                                                                        tmp_path_factory):
    results, hosts = two_ingests
    for code, stdout, stderr in results:
        assert code == 0, f"an ingest failed ({code}):\n{stdout}\n{stderr}"
        assert "Traceback" not in stderr, stderr
    counts = [summary_counts(stdout) for _, stdout, _ in results]
    documents = len(list(corpus.iterdir()))
    catalogue = open_catalogue(deployment)
    try:
        assert catalogue.document_count() == documents
        chunks = catalogue.chunk_count()
        chunk_ids = catalogue.chunk_ids()
    finally:
        catalogue.close()

    assert sum(c["added"] for c in counts) == documents, counts  # each document added by one run only
    for c in counts:  # each run saw every document: its own, the other's (claimed or stored), none skipped
        assert c["added"] + c["unchanged"] + c["elsewhere"] == documents and not c["skipped"], counts
    assert sum(c["elsewhere"] for c in counts) > 0, f"the runs did not overlap: {counts}"
    assert sum(c["chunks"] for c in counts) == chunks, counts  # no document embedded twice
    assert chroma_ids(deployment[1], deployment[2]) == chunk_ids  # one vector per chunk: none twice, no orphans

    third = host(deployment, tmp_path_factory, "ingest-host-3")
    code, stdout, stderr = third.ingest("ingest", corpus)
    assert code == 0, stderr
    again = summary_counts(stdout)
    assert again["unchanged"] == documents and again["chunks"] == 0, stdout
    assert not (again["added"] or again["updated"] or again["restored"] or again["orphans"]), stdout
    assert chroma_ids(deployment[1], deployment[2]) == chunk_ids

    for h in [*hosts, third]:  # stateless: no catalogue.sqlite3, chroma folder or writer.lock, nothing at all
        assert h.written() == [], f"{h.index_dir} holds {h.written()}"


@pytest.fixture(scope="module")
def workers(deployment, two_ingests, tmp_path_factory):
    """Two `assistant serve` workers on two hosts: their URLs (each worker's stderr is in its host's folder)."""
    hosts = [host(deployment, tmp_path_factory, f"serve-host-{n}") for n in (1, 2)]
    ports = [free_port(), free_port()]
    started = [h.start("serve", "serve", "--port", str(port), "--workers", "1")
               for h, port in zip(hosts, ports, strict=True)]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url, (_, _, err) in zip(urls, started, strict=True):
            try:
                wait_for(f"{url}/api/health", timeout=240)
            except AssertionError:
                raise AssertionError(f"{url} did not start:\n{err.read_text()[-4000:]}") from None
        yield Workers(urls, [err for _, _, err in started], hosts)
    finally:
        for process, _, _ in started:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


class Workers:
    def __init__(self, urls: list[str], logs: list[Path], hosts: list[Host]):
        self.urls, self.logs, self.hosts = urls, logs, hosts

    def log_tails(self) -> str:
        return "\n".join(f"--- {log}:\n{log.read_text(errors='replace')[-6000:]}" for log in self.logs)

    def tracebacks(self) -> str:
        """The workers' logs where they hold a traceback (an error the API answered 500), else ""."""
        return "\n".join(f"--- {log}:\n{log.read_text(errors='replace')[-6000:]}" for log in self.logs
                         if "Traceback" in log.read_text(errors="replace"))


def ask(url: str, question: str = BUDRYS) -> httpx.Response:
    return httpx.post(f"{url}/api/ask", json={"question": question}, timeout=120)


def answered(response: httpx.Response) -> dict:
    """What two workers must agree on: the answer and its citations (not the timings)."""
    assert response.status_code == 200, response.text
    data = response.json()
    return {"answer": data["answer"], "refused": data["refused"], "citations": data["citations"]}


def test_two_workers_answer_identically_with_every_quotation(deployment, workers):
    import index

    first, second = (answered(ask(url)) for url in workers.urls)
    assert first == second
    assert not first["refused"] and "bilaterally" in first["answer"]

    catalogue = open_catalogue(deployment)
    try:
        speakers = index.SpeakerDirectory(catalogue).find("Budrys")
        assert speakers, "Budrys is not in the catalogue's quotations"
        quotations = [q for s in speakers for q in index.SpeakerDirectory(catalogue).quotations(s)]
    finally:
        catalogue.close()
    cited = {(c["source"], c["start"], c["end"]) for c in first["citations"]}
    missing = [q for q in quotations if (q.source, q.start, q.end) not in cited]
    assert quotations and not missing, f"quotations not cited: {missing}; citations: {sorted(cited)}"


def test_an_upload_on_one_worker_is_answered_by_the_other_and_a_delete_seen_by_both(workers):
    a, b = workers.urls
    uploaded = httpx.post(f"{a}/api/documents", files={"file": ("zorbulon.txt", LIGHTHOUSE.encode(), "text/plain")},
                          timeout=180)
    assert uploaded.status_code == 201, uploaded.text
    doc = uploaded.json()

    answer = answered(ask(b, LIGHTHOUSE_QUESTION))
    assert not answer["refused"] and "violet" in answer["answer"], answer
    assert doc["source"] in {c["source"] for c in answer["citations"]}, answer
    assert httpx.get(f"{b}/api/documents/{doc['id']}", timeout=30).status_code == 200

    deleted = httpx.delete(f"{b}/api/documents/{doc['id']}", timeout=60)
    assert deleted.status_code == 200, deleted.text
    assert httpx.get(f"{a}/api/documents/{doc['id']}", timeout=30).status_code == 404
    refusal = answered(ask(a, LIGHTHOUSE_QUESTION))
    assert refusal["refused"] and not refusal["citations"], refusal


def test_workers_answer_503_while_postgres_is_down_and_recover_without_a_restart(postgres_server, workers):
    questions = [BUDRYS, "How many visitors did the new library in Ashford welcome in its first week?"]
    before = {(url, q): answered(ask(url, q)) for url in workers.urls for q in questions}
    try:
        postgres_server.stop()
        for url in workers.urls:
            for question in questions:
                response = ask(url, question)
                assert response.status_code == 503, (
                    f"{url} answered {response.status_code} to {question!r} with PostgreSQL down: "
                    f"{response.text}\n{workers.log_tails()}")
                assert "PostgreSQL" in response.json()["error"], response.text
                assert response.headers.get("retry-after"), dict(response.headers)
    finally:
        postgres_server.start()
    for (url, question), expected in before.items():
        deadline = time.monotonic() + 60
        while (response := ask(url, question)).status_code == 503 and time.monotonic() < deadline:
            time.sleep(1)
        assert answered(response) == expected, f"{url}, {question!r}"
    assert not workers.tracebacks()


def test_an_ingest_killed_midway_leaves_whole_documents_and_the_next_run_completes(deployment, tmp_path_factory):
    collection = f"{deployment[2]}-killed"
    folder = tmp_path_factory.mktemp("killed-corpus")
    for i in range(40):
        town = f"{TOWNS[i % len(TOWNS)]} {i}"
        # Long enough to take several batches of chunks, so that the kill falls between two of them.
        text = "\n".join(generated_document(i * 7 + n, f"{town} ward {n}") for n in range(8))
        (folder / f"doc-{i:02}.txt").write_text(text, encoding="utf-8")
    # Short chunks: a corpus of a few batches (1024 chunks each) that the model embeds in a minute.
    killed = host(deployment, tmp_path_factory, "killed-host", collection, ASSISTANT_CHUNK_WORDS="20")
    catalogue = open_catalogue(deployment, collection)
    try:
        process, _, err = killed.start("ingest", "ingest", str(folder))
        deadline = time.monotonic() + 240
        while process.poll() is None and catalogue.document_count() == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process.poll() is None, f"the ingest ended before it could be killed:\n{err.read_text()}"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        committed = catalogue.documents()
        assert 0 < len(committed) < 40, len(committed)
        vectors = chroma_ids(deployment[1], collection)
        chunks_of: dict[str, set[str]] = {}
        for chunk in catalogue.chunks_to_embed(sorted(catalogue.chunk_ids())):
            chunks_of.setdefault(chunk.path, set()).add(chunk.chunk_id)
        for record in committed:  # every committed document is whole: its chunks, and their vectors
            ids = chunks_of.get(record.path, set())
            assert len(ids) == record.chunks, record
            assert ids <= vectors, f"{record.source}: {len(ids - vectors)} chunks without a vector"

        code, stdout, stderr = killed.ingest("ingest-again", folder)
        assert code == 0, stderr
        counts = summary_counts(stdout)
        assert counts["unchanged"] == len(committed) and counts["added"] == 40 - len(committed), stdout
        result = run_cli("ingest", "--check", env=killed.env, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        assert catalogue.document_count() == 40
        assert chroma_ids(deployment[1], collection) == catalogue.chunk_ids()  # no orphan, none missing
    finally:
        catalogue.close()
