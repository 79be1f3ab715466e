"""The catalogue in PostgreSQL against the SQLite default (issue 15), side by side in one run:
- recall: retrieval recall@1/@5 on the shared eval sets (hybrid, RRF only, dense-only, BM25-only),
  each set indexed twice with the project's own ingestion and the default model, once per backend;
  and PostgreSQL ranked by `ts_rank_cd` instead of BM25 (a variant that lives in this bench only);
- latency: warm `lexical_search` p50/p95 at 10k and 100k chunks, catalogues filled directly;
- ingest: one `assistant ingest` process, and two at once, against one PostgreSQL and `chroma run`.

Each part keeps its figures in bench/.cache/catalogue/<part>.md; the report's section is made of
the latest of each, so `--parts` reruns one part without losing the others' figures.

    .venv/bin/python bench/catalogue.py [--parts recall latency ingest] [--out docs/BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import itertools
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import common

sys.path.insert(0, str(common.PROJECT_ROOT))  # the tests' real servers: tests.postgres, tests.servers

import index
from assistant import Settings, evaluation
from assistant.errors import QuestionError
from assistant.factory import make_embedder, open_assistant
from assistant.pipeline import clean_question
from index.catalogue.postgres_schema import query_lexemes, tsquery_literal
from tests import postgres as test_postgres

try:
    from tests.servers import ChromaServer
except ImportError:  # before the tests' servers had a module of their own
    from tests.assistant.test_chroma_server import ChromaServer

SECTION = "catalogue"
TITLE = "## Catalogue backends: SQLite and PostgreSQL (issue 15)"
PARTS = ("recall", "latency", "ingest")
PART_DIR = common.CACHE_DIR / "catalogue"
MODES = list(evaluation.RETRIEVERS)
LEXICAL_MODES = ["hybrid", "hybrid, RRF only", "BM25-only"]  # the modes that read the lexical ranking
SQLITE, POSTGRES, TS_RANK_CD = "SQLite", "PostgreSQL", "PostgreSQL, ts_rank_cd"
TARGET_POINTS = 1.0  # PostgreSQL's hybrid recall within this many points of SQLite's, on every set
WARM_UP_QUERIES = 10

# The variant: PostgreSQL's own ranking over the same tsvector column and GIN index. Weights are
# {D, C, B, A}: a text word 1.0, a title word 0.5, as the BM25 ranking weighs them.
_TS_RANK_CD = """
SELECT chunk_id, ts_rank_cd('{1.0, 0.2, 0.4, 0.5}', terms, %(query)s::tsquery) AS score
FROM chunks WHERE terms @@ %(query)s::tsquery ORDER BY score DESC, id LIMIT %(k)s
"""


def ts_rank_cd_search(catalogue: index.PostgresCatalogue, terms: Sequence[str], k: int) -> list[tuple[str, float]]:
    """`PostgresCatalogue.lexical_search` ranked by ts_rank_cd: no IDF, no length against the mean."""
    words = query_lexemes(list(terms))
    if not words or k <= 0:
        return []
    rows = catalogue._rows(_TS_RANK_CD, {"query": tsquery_literal(words), "k": k})
    return [(cid, float(score)) for cid, score in rows]


@contextmanager
def ranked_by_ts_rank_cd(catalogue: index.PostgresCatalogue) -> Iterator[None]:
    """The retriever over `catalogue` ranks lexical hits by ts_rank_cd while inside."""
    catalogue.lexical_search = types.MethodType(ts_rank_cd_search, catalogue)
    try:
        yield
    finally:
        del catalogue.lexical_search


class DurablePostgres(test_postgres.PostgresServer):
    """The tests' throwaway server with PostgreSQL's default durability (fsync, synchronous commit):
    the SQLite catalogue commits durably, and the tests' server turns durability off."""

    def start(self) -> None:
        fast, test_postgres._FAST = test_postgres._FAST, ""
        try:
            super().start()
        finally:
            test_postgres._FAST = fast


@contextmanager
def postgres_server(folder: Path) -> Iterator[DurablePostgres]:
    server = DurablePostgres(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def server_settings(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as db:
        version = db.execute("SHOW server_version").fetchone()[0]
        durability = {name: db.execute(f"SHOW {name}").fetchone()[0] for name in ("fsync", "synchronous_commit")}
    return f"PostgreSQL {version.split()[0]} on loopback TCP, " + ", ".join(f"{k}={v}" for k, v in durability.items())


def sqlite_settings(path: Path) -> str:
    import sqlite3

    with sqlite3.connect(path) as db:
        mode = db.execute("PRAGMA journal_mode").fetchone()[0]
        synchronous = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[db.execute("PRAGMA synchronous").fetchone()[0]]
    return f"SQLite {sqlite3.sqlite_version} ({mode}, synchronous={synchronous})"


@functools.cache
def code_version() -> str:
    """The commit measured, and whether the code had uncommitted changes (others work in this tree):
    as at the start of the run, when the code was imported (main calls it first)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=common.PROJECT_ROOT, capture_output=True, text=True).stdout.strip()

    changed = git("status", "--porcelain", "--", "index", "assistant")
    return f"Code: commit {git('rev-parse', '--short', 'HEAD')}" + (
        " with uncommitted changes to index/ or assistant/." if changed else ".")


def ratio(value: float | None, baseline: float | None, decimals: int = 2) -> str:
    return "n/a" if value is None or not baseline else f"{value / baseline:.{decimals}f}×"


def collection_name(*parts: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]+", "_", "_".join(parts)).strip("_")


# -- part 1: retrieval recall per backend -------------------------------------------------------------


@dataclass
class Build:
    docs: int
    chunks: int
    seconds: float

    @property
    def chunks_per_second(self) -> float:
        return self.chunks / self.seconds


@dataclass
class SetRecall:
    name: str
    questions: list[evaluation.EvalQuestion]
    builds: dict[str, Build] = field(default_factory=dict)
    ranks: dict[str, dict[str, dict[str, int | None]]] = field(default_factory=dict)  # backend -> id -> mode -> rank
    lexical: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # backend -> id -> BM25 top 30 chunk ids
    answer_ms: dict[str, list[float]] = field(default_factory=dict)  # backend -> warm `ask` wall times
    same_answers: int = 0  # questions whose answer (text, refusal, citations) is the same on both backends

    def recall(self, backend: str, mode: str, k: int) -> float | None:
        outcomes = [evaluation.Outcome(id=qid, question="", answerable=True, ranks=ranks)
                    for qid, ranks in self.ranks.get(backend, {}).items()]
        return evaluation.retrieval_metrics(outcomes, mode)["recall_at_k"][k] if outcomes else None


def backend_settings(backend: str, work_dir: Path, set_name: str, url: str) -> Settings:
    folder = work_dir / "recall" / backend.lower() / set_name
    shutil.rmtree(folder, ignore_errors=True)
    if backend == SQLITE:
        return Settings(index_dir=folder)
    return Settings(index_dir=folder, catalogue_url=url, collection=collection_name("recall", set_name))


def build_index(settings: Settings, corpus: Path, embedder) -> tuple:
    """An Assistant over a fresh index of `corpus`, and what building it took."""
    assistant = open_assistant(settings, embedder=embedder)
    t0 = time.perf_counter()
    report = assistant.ingest([corpus])
    seconds = time.perf_counter() - t0
    if report.skipped:
        print(f"  {len(report.skipped)} files skipped, e.g. {report.skipped[0]}", file=sys.stderr)
    return assistant, Build(len(assistant.documents()), assistant.chunk_count(), seconds)


def rank_questions(assistant, questions: Sequence[evaluation.EvalQuestion], modes: Sequence[str]) -> dict:
    """question id -> retriever -> rank of its first evidence passage (None: not in the top 10)."""
    functions = evaluation.retriever_functions(assistant, modes)
    assistant.retrieve(evaluation.WARM_UP_QUESTION)
    ranks = {}
    for item in questions:
        question = clean_question(item.question, assistant.settings.max_question_chars)
        ranks[item.id] = {
            name: evaluation.evidence_rank(retrieve(question, evaluation.RANK_DEPTH), item.evidence_docs)
            for name, retrieve in functions.items()
        }
    return ranks


def lexical_tops(assistant, questions: Sequence[evaluation.EvalQuestion], k: int) -> dict[str, list[str]]:
    """question id -> the chunk ids of its top k lexical hits, as the retriever asks for them."""
    max_chars = assistant.settings.max_question_chars
    return {item.id: [cid for cid, _ in assistant.store.lexical_search(clean_question(item.question, max_chars), k)]
            for item in questions}


def answerable_questions(set_dir: Path) -> list[evaluation.EvalQuestion]:
    """The questions retrieval is measured on (as `assistant eval` counts them)."""
    kept = []
    for item in evaluation.load_questions(set_dir / "questions.jsonl"):
        if not (item.answerable and item.evidence_docs):
            continue
        try:
            clean_question(item.question, Settings().max_question_chars)
        except QuestionError:
            continue
        kept.append(item)
    return kept


ANSWERED = 60  # questions per set whose `ask` is timed on each backend


def time_answers(result: SetRecall, opened: dict) -> None:
    """`Assistant.ask` on each backend, warm, the backends taking turns question by question; and
    whether both give the same answer (text, refusal, the cited passages)."""
    for assistant in opened.values():
        assistant.ask(evaluation.WARM_UP_QUESTION)
    questions = result.questions[:: max(1, len(result.questions) // ANSWERED)][:ANSWERED]
    for n, item in enumerate(questions):
        answers = {}
        for backend in (SQLITE, POSTGRES) if n % 2 == 0 else (POSTGRES, SQLITE):
            t0 = time.perf_counter()
            answer = opened[backend].ask(item.question)
            result.answer_ms.setdefault(backend, []).append((time.perf_counter() - t0) * 1000)
            answers[backend] = (answer.answer, answer.refused,
                                [(c.source, c.start, c.end) for c in answer.citations])
        result.same_answers += answers[SQLITE] == answers[POSTGRES]


def answers_table(results: list[SetRecall]) -> str:
    rows = []
    for r in results:
        base = statistics.median(r.answer_ms[SQLITE])
        for backend in (SQLITE, POSTGRES):
            times = sorted(r.answer_ms[backend])
            p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
            rows.append([r.name, backend, len(times), common.fmt(statistics.median(times), 1), common.fmt(p95, 1),
                         ratio(statistics.median(times), base),
                         f"{r.same_answers}/{len(times)}" if backend == POSTGRES else ""])
    return common.markdown_table(
        ["set", "backend", "questions", "ask p50 ms", "ask p95 ms", "p50 / SQLite's", "same answer as SQLite"], rows)


def measure_recall(args: argparse.Namespace, url: str) -> list[SetRecall]:
    embedder = make_embedder(Settings())
    embedder.query_vector("a first sentence, so that neither backend's ingest pays for loading the model")
    results = []
    for number, name in enumerate(args.sets):
        set_dir = args.eval_dir / name
        result = SetRecall(name, answerable_questions(set_dir))
        # Alternate which backend builds first, so that neither always has the quieter machine.
        opened = {}
        for backend in (SQLITE, POSTGRES) if number % 2 == 0 else (POSTGRES, SQLITE):
            settings = backend_settings(backend, args.work_dir, name, url)
            print(f"{name}: indexing with the {backend} catalogue", file=sys.stderr, flush=True)
            assistant, result.builds[backend] = build_index(settings, set_dir / "corpus", embedder)
            build = result.builds[backend]
            print(f"  {build.docs} docs, {build.chunks} chunks in {build.seconds:.1f} s; retrieving", file=sys.stderr)
            result.ranks[backend] = rank_questions(assistant, result.questions, MODES)
            result.lexical[backend] = lexical_tops(assistant, result.questions, Settings().candidates)
            if backend == POSTGRES:
                with ranked_by_ts_rank_cd(assistant.store.catalogue):
                    result.ranks[TS_RANK_CD] = rank_questions(assistant, result.questions, LEXICAL_MODES)
            opened[backend] = assistant
        print(f"{name}: answering with both backends, in turns", file=sys.stderr, flush=True)
        time_answers(result, opened)
        for assistant in opened.values():
            assistant.close()
        results.append(result)
    PART_DIR.mkdir(parents=True, exist_ok=True)  # every rank and lexical top, for a look at single questions
    (PART_DIR / "recall.json").write_text(json.dumps(
        [{"set": r.name, "builds": {k: asdict(v) for k, v in r.builds.items()}, "ranks": r.ranks, "lexical": r.lexical}
         for r in results], indent=1))
    return results


def points(value: float | None, baseline: float | None) -> str:
    return "n/a" if value is None or baseline is None else f"{(value - baseline) * 100:+.1f}"


def render_recall(results: list[SetRecall], argv: list[str], postgres: str) -> str:
    lines = [
        "### Retrieval recall per backend",
        "",
        f"Produced by `{common.command_line('catalogue.py', argv)}`. {common.run_note()} {code_version()} The "
        f"machine is shared (other tests ran at the same time): times are compared within the run only. {postgres}.",
        "",
        "Each set's corpus is indexed twice with `Assistant.ingest` and the default model: once with the SQLite "
        "catalogue, once with `catalogue_url` set (its own index folder, so its own on-disk Chroma; the model is "
        "deterministic, so the vectors are the same). Then every answerable question goes through each retriever "
        "as `assistant eval` runs them (`evaluation.retriever_functions`); recall@k: an evidence document's "
        "passage among the top k. The ts_rank_cd column is the PostgreSQL index again, its lexical search "
        "replaced (in this bench only) by `ts_rank_cd(terms, query)` over the same tsvector and GIN index.",
        "",
        common.markdown_table(
            ["set", "backend", "docs", "chunks", "ingest s", "chunks/s", "ingest time / SQLite's"],
            ([r.name, backend, b.docs, b.chunks, common.fmt(b.seconds, 1), common.fmt(b.chunks_per_second, 1),
              ratio(b.seconds, r.builds[SQLITE].seconds)]
             for r in results for backend, b in r.builds.items()),
        ),
    ]
    for k in (1, 5):
        rows = []
        for r in results:
            for mode in MODES:
                sqlite, pg = r.recall(SQLITE, mode, k), r.recall(POSTGRES, mode, k)
                variant = r.recall(TS_RANK_CD, mode, k) if mode in LEXICAL_MODES else None
                rows.append([r.name, mode, common.fmt(sqlite), common.fmt(pg), points(pg, sqlite),
                             common.fmt(variant), points(variant, sqlite)])
        lines += [
            "", f"recall@{k} ({', '.join(f'{r.name}: {len(r.questions)} questions' for r in results)}):", "",
            common.markdown_table(
                ["set", "retriever", "SQLite (FTS5 bm25)", "PostgreSQL (BM25 in SQL)", "points",
                 "PostgreSQL, ts_rank_cd", "points"], rows),
        ]
    misses = [f"{r.name} recall@{k} {points(r.recall(POSTGRES, 'hybrid', k), r.recall(SQLITE, 'hybrid', k))}"
              for r in results for k in (1, 5)
              if abs(r.recall(POSTGRES, "hybrid", k) - r.recall(SQLITE, "hybrid", k)) * 100 > TARGET_POINTS]
    lines += ["", (f"PostgreSQL's hybrid recall within {TARGET_POINTS:g} point of SQLite's on every set: "
                   + ("**yes**." if not misses else f"**no** ({'; '.join(misses)} points)."))]
    lines += ["", "How far the two BM25 rankings agree (top lexical hits of each question, as the retriever asks "
              "for them):", "", agreement_table(results), "", differing_examples(results)]
    lines += ["", ts_rank_cd_reading(results)]
    if all(r.answer_ms for r in results):
        lines += ["", "### Answers per backend", "",
                  f"`Assistant.ask` on up to {ANSWERED} questions of each set (spread over the set), warm, on the two "
                  "indexes above, the backends taking turns question by question; the same answer means the same "
                  "text, refusal and cited passages.", "", answers_table(results)]
    return "\n".join(lines)


def agreement_table(results: list[SetRecall]) -> str:
    rows = []
    for r in results:
        sqlite, pg = r.lexical[SQLITE], r.lexical[POSTGRES]
        ids = list(sqlite)
        same_order = sum(sqlite[q][:5] == pg[q][:5] for q in ids)
        same_set = sum(set(sqlite[q][:5]) == set(pg[q][:5]) for q in ids)
        overlap = [len(set(sqlite[q]) & set(pg[q])) / max(len(sqlite[q]), len(pg[q]), 1) for q in ids]
        rank_moved = sum(r.ranks[SQLITE][q]["BM25-only"] != r.ranks[POSTGRES][q]["BM25-only"] for q in ids)
        rows.append([r.name, len(ids), f"{same_order} ({same_order / len(ids):.0%})",
                     f"{same_set} ({same_set / len(ids):.0%})",
                     common.fmt(sum(overlap) / len(overlap), 2), rank_moved])
    return common.markdown_table(
        ["set", "questions", "same top 5, same order", "same top 5 (any order)", "mean shared share of the top 30",
         "BM25-only evidence rank differs"], rows)


def differing_examples(results: list[SetRecall], limit: int = 6) -> str:
    """Questions whose BM25-only evidence rank differs between the backends, then (to fill `limit`)
    questions whose lexical top 5 differs although the evidence rank does not."""
    moved, reordered = [], []
    for r in results:
        for item in r.questions:
            a, b = r.ranks[SQLITE][item.id]["BM25-only"], r.ranks[POSTGRES][item.id]["BM25-only"]
            top_a, top_b = r.lexical[SQLITE][item.id][:5], r.lexical[POSTGRES][item.id][:5]
            if a == b and top_a == top_b:
                continue
            question = item.question if len(item.question) < 90 else item.question[:87] + "..."
            row = [r.name, question, a or "> 10", b or "> 10", f"{len(set(top_a) & set(top_b))} of 5",
                   " ".join(index.lexical_terms(item.question))]
            (moved if a != b else reordered).append(row)
    if not moved and not reordered:
        return "Every question's lexical top 5 is the same, in the same order, on both backends."
    return "\n".join([
        f"Questions whose BM25-only evidence rank differs: {len(moved)}; whose lexical top 5 differs with the same "
        f"evidence rank: {len(reordered)}. Examples, the first kind first:", "",
        common.markdown_table(["set", "question", "SQLite rank", "PostgreSQL rank", "top 5 shared", "lexical terms"],
                              (moved + reordered)[:limit]),
    ])


def ts_rank_cd_reading(results: list[SetRecall]) -> str:
    parts = []
    for r in results:
        for mode in ("BM25-only", "hybrid"):
            variant, bm25 = r.recall(TS_RANK_CD, mode, 1), r.recall(POSTGRES, mode, 1)
            parts.append(f"{r.name} {mode} recall@1 {common.fmt(variant)} against BM25's {common.fmt(bm25)} "
                         f"({points(variant, bm25)} points)")
    return ("The ranking: BM25 as FTS5 computes it, from the tsvector's term frequencies; ts_rank/ts_rank_cd have no "
            "IDF and no length normalisation against the mean. Measured: " + "; ".join(parts) + ".")


# -- part 2: lexical search latency at 10k and 100k chunks --------------------------------------------


def base_documents(eval_dir: Path, sets: Sequence[str]) -> list[index.Document]:
    docs = []
    for name in sets:
        for path in sorted((eval_dir / name / "corpus").rglob("*")):
            if path.is_file():
                try:
                    docs.append(index.load_document(path))
                except index.LoadError:
                    continue
    return docs


def variants(docs: Sequence[index.Document], settings: Settings) -> Iterator[tuple[index.Document, list]]:
    """The documents, then copies of them without end, each copy under its own path with a word of
    its own appended (so ids and hashes differ), with its chunks."""
    for copy in itertools.count():
        for doc in docs:
            text = f"{doc.text}\n\nvariant{copy}" if copy else doc.text
            variant = replace(doc, text=text, path=f"{doc.path}#{copy}", source=f"{doc.source}#{copy}",
                              sha256=hashlib.sha256(text.encode()).hexdigest())
            yield variant, index.chunk_document(variant, settings.chunk_words, settings.chunk_overlap_sentences)


@dataclass
class Fill:
    chunks: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def fill_to(catalogues: dict[str, object], documents: Iterator, target: int, fill: Fill) -> None:
    """Store documents into every catalogue until each holds `target` chunks; the order alternates."""
    facts = index.DocumentFacts()
    names = list(catalogues)
    while fill.chunks < target:
        doc, chunks = next(documents)
        names.reverse()
        for name in names:
            t0 = time.perf_counter()
            catalogues[name].store_document(doc, chunks, facts, time.time(), units=None)
            fill.seconds[name] = fill.seconds.get(name, 0.0) + time.perf_counter() - t0
        fill.chunks += len(chunks)


def query_terms(eval_dir: Path, sets: Sequence[str], limit: int) -> list[list[str]]:
    """The questions of the sets as IndexStore.lexical_search passes them to the catalogue, `limit`
    of them taken evenly across the sets' questions."""
    terms = []
    for name in sets:
        for item in evaluation.load_questions(eval_dir / name / "questions.jsonl"):
            if found := list(dict.fromkeys(index.lexical_terms(item.question))):
                terms.append(found)
    step = max(len(terms) / limit, 1.0)
    return [terms[int(i * step)] for i in range(min(limit, len(terms)))]


def median_hits(catalogue: index.PostgresCatalogue, queries: list[list[str]]) -> float:
    """The median number of chunks holding any of a query's words: what a ranking query must score."""
    counts = [catalogue._one("SELECT count(*) FROM chunks WHERE terms @@ %s::tsquery",
                             (tsquery_literal(query_lexemes(terms)),)) for terms in queries]
    return evaluation.percentile(counts, 50)


def time_searches(searches: dict[str, Callable], queries: list[list[str]], rounds: int) -> dict[str, list[float]]:
    """Milliseconds of each search per query, interleaved (the order rotates from query to query)."""
    for terms in queries[:WARM_UP_QUERIES]:
        for search in searches.values():
            search(terms)
    names = list(searches)
    times: dict[str, list[float]] = {name: [] for name in names}
    for i, terms in enumerate(queries * rounds):
        for name in names[i % len(names):] + names[:i % len(names)]:
            t0 = time.perf_counter()
            searches[name](terms)
            times[name].append((time.perf_counter() - t0) * 1000)
    return times


def pg_size_mb(url: str, schema: str) -> float:
    import psycopg

    with psycopg.connect(url) as db:
        total = db.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind IN ('r', 't', 'm')", (schema,)
        ).fetchone()[0]
    return float(total) / 1e6


def sqlite_size_mb(folder: Path) -> float:
    """The catalogue file and its write-ahead log."""
    return sum(p.stat().st_size for p in folder.glob(index.CATALOGUE_FILE + "*")) / 1e6


def analyze(url: str, schema: str) -> None:
    """What autovacuum does soon after a bulk load: planner statistics for the new rows."""
    import psycopg

    with psycopg.connect(url, autocommit=True, options=f"-c search_path={schema}") as db:
        db.execute("ANALYZE")


@dataclass
class SizeRow:
    chunks: int
    documents: int
    fill: dict[str, tuple[int, float]]  # backend -> (chunks stored in this step, seconds)
    times: dict[str, list[float]]
    disk_mb: dict[str, float]
    hits: float


def measure_latency(args: argparse.Namespace, url: str) -> tuple[list[SizeRow], int, str]:
    settings = Settings()
    folder = args.work_dir / "latency"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    sqlite = index.SQLiteCatalogue(folder / index.CATALOGUE_FILE)
    pg = index.PostgresCatalogue(url, collection=collection_name("latency", str(time.time_ns())))
    catalogues = {SQLITE: sqlite, POSTGRES: pg}
    k = settings.candidates
    searches = {SQLITE: lambda t: sqlite.lexical_search(t, k), POSTGRES: lambda t: pg.lexical_search(t, k),
                TS_RANK_CD: lambda t: ts_rank_cd_search(pg, t, k)}
    queries = query_terms(args.eval_dir, args.sets, args.latency_queries)
    documents = variants(base_documents(args.eval_dir, args.sets), settings)
    fill, rows = Fill(), []
    for size in sorted(args.sizes):
        before, seconds_before = fill.chunks, dict(fill.seconds)
        print(f"filling both catalogues to {size} chunks", file=sys.stderr, flush=True)
        fill_to(catalogues, documents, size, fill)
        analyze(url, pg.schema)
        print(f"  {fill.chunks} chunks; {len(queries)} queries x {args.rounds} rounds", file=sys.stderr, flush=True)
        times = time_searches(searches, queries, args.rounds)
        rows.append(SizeRow(
            fill.chunks, sqlite.document_count(),
            {name: (fill.chunks - before, fill.seconds[name] - seconds_before.get(name, 0.0)) for name in catalogues},
            times, {SQLITE: sqlite_size_mb(folder), POSTGRES: pg_size_mb(url, pg.schema)}, median_hits(pg, queries),
        ))
    stores = f"{sqlite_settings(folder / index.CATALOGUE_FILE)}; {server_settings(url)}"
    sqlite.close()
    pg.close()
    return rows, len(queries), stores


def render_latency(rows: list[SizeRow], queries: int, rounds: int, argv: list[str], stores: str) -> str:
    p = evaluation.percentile
    table = []
    for row in rows:
        base50, base95 = p(row.times[SQLITE], 50), p(row.times[SQLITE], 95)
        for name, times in row.times.items():
            table.append([row.chunks, f"{row.hits:.0f}", name, common.fmt(p(times, 50), 2),
                          common.fmt(p(times, 95), 2), ratio(p(times, 50), base50), ratio(p(times, 95), base95)])
    fills = []
    for row in rows:
        sqlite_rate = row.fill[SQLITE][0] / row.fill[SQLITE][1]
        for name, (chunks, seconds) in row.fill.items():
            fills.append([row.chunks, name, chunks, common.fmt(seconds, 1), common.fmt(chunks / seconds, 0),
                          ratio(chunks / seconds, sqlite_rate), common.fmt(row.disk_mb[name], 1)])
    return "\n".join([
        "### Lexical search latency at 10k and 100k chunks",
        "",
        f"Produced by `{common.command_line('catalogue.py', argv)}`. {common.run_note()} {code_version()} The "
        f"machine is shared: read the ratios, measured in the same run, rather than the milliseconds. {stores}.",
        "",
        "Both catalogues are filled directly with `store_document` (no embedding) from the eval corpora's documents, "
        "chunked as ingest chunks them, then copied under new paths with a word of their own appended until the "
        "size is reached (so a word's document frequency grows with the copies, as a larger corpus's would); "
        "PostgreSQL's table is ANALYZEd after each fill, as autovacuum would. Queries: every question of the eval "
        f"sets through `lexical_terms` ({queries} taken evenly from both sets, {rounds} round(s)), k = "
        f"{Settings().candidates} "
        f"(`Settings.candidates`), after {WARM_UP_QUERIES} warm-up queries; the backends take turns query by query. "
        "`PostgreSQL, ts_rank_cd` is the same table ranked by ts_rank_cd (the bench's variant). Median hits: the "
        "chunks holding any of a query's words, every one of which a ranking query scores.",
        "",
        common.markdown_table(["chunks", "median hits per query", "backend", "p50 ms", "p95 ms", "p50 / SQLite's",
                               "p95 / SQLite's"], table),
        "",
        "Filling (`store_document`, one transaction per document; documents alternate between the backends; "
        "catalogue size on disk at the end of the step, PostgreSQL's being its schema's tables, indexes and TOAST):",
        "",
        common.markdown_table(
            ["chunks", "backend", "chunks stored", "seconds", "chunks/s", "chunks/s / SQLite's", "catalogue MB"],
            fills),
        "",
        latency_reading(rows),
    ])


def latency_reading(rows: list[SizeRow]) -> str:
    p = evaluation.percentile
    parts = []
    for row in rows:
        sqlite = p(row.times[SQLITE], 50)
        parts.append(f"at {row.chunks} chunks PostgreSQL's BM25 p50 is {ratio(p(row.times[POSTGRES], 50), sqlite)} "
                     f"SQLite's ({common.fmt(p(row.times[POSTGRES], 50), 1)} against {common.fmt(sqlite, 1)} ms), "
                     f"ts_rank_cd's {ratio(p(row.times[TS_RANK_CD], 50), sqlite)}")
    return ("Reading: " + "; ".join(parts) + ". Both PostgreSQL rankings score every chunk that holds any query word "
            "(the median hits column), so their time grows with the hits, as FTS5's does, but from a higher base; the "
            "BM25 query also reads each hit's term frequencies out of its tsvector.")


# -- part 3: ingest from one and from two processes ---------------------------------------------------


@dataclass
class IngestRun:
    processes: int
    wall: float
    each: list[dict]  # per process: seconds, added, embedded, elsewhere, summary
    chunks: int  # in the catalogue afterwards
    documents: int
    vectors: int  # in Chroma afterwards


_COUNTS = {  # in the summary line of `assistant ingest`
    "added": r"(\d+) added", "embedded": r"(\d+) chunks embedded", "elsewhere": r"(\d+) left to another ingest run",
}


def run_ingest(processes: int, corpus: Path, work_dir: Path, url: str, chroma_url: str, collection: str) -> IngestRun:
    """`processes` `assistant ingest CORPUS` started at once, each with its own index folder (a host
    of its own), all into one collection of the PostgreSQL catalogue and the Chroma server."""
    started = []
    t0 = time.perf_counter()
    for n in range(processes):
        folder = work_dir / "ingest" / f"{collection}-host{n}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        env = common.cli_env(folder, ASSISTANT_CATALOGUE_URL=url, ASSISTANT_CHROMA_URL=chroma_url,
                             ASSISTANT_COLLECTION=collection)
        out, err = (folder / "stdout").open("w"), (folder / "stderr").open("w")
        process = subprocess.Popen([*common.assistant_command(), "ingest", str(corpus)], cwd=common.PROJECT_ROOT,
                                   env=env, stdout=out, stderr=err)
        started.append((process, folder, out, err))
    ends: dict[int, float] = {}
    while len(ends) < processes:
        for n, (process, *_rest) in enumerate(started):
            if n not in ends and process.poll() is not None:
                ends[n] = time.perf_counter() - t0
        time.sleep(0.05)
    each = []
    for n, (process, folder, out, err) in enumerate(started):
        out.close()
        err.close()
        stdout = (folder / "stdout").read_text()
        if process.returncode != 0:
            raise SystemExit(f"ingest failed ({process.returncode}): {(folder / 'stderr').read_text()[-2000:]}")
        summary = next(line for line in stdout.splitlines() if line.startswith("ingested into"))
        counts = {key: int(m.group(1)) if (m := re.search(pattern, summary)) else 0 for key, pattern in _COUNTS.items()}
        each.append({"seconds": ends[n], **counts, "summary": summary.split(": ", 1)[1]})
    catalogue = index.PostgresCatalogue(url, collection=collection)
    chunks, documents = catalogue.chunk_count(), catalogue.document_count()
    catalogue.close()
    vectors = index.VectorIndex(index.open_chroma_client(work_dir, chroma_url),
                                Settings().chroma_collection(collection)).count()
    return IngestRun(processes, max(ends.values()), each, chunks, documents, vectors)


def measure_ingest(args: argparse.Namespace, url: str) -> list[tuple[int, IngestRun]]:
    runs = []
    with tempfile.TemporaryDirectory(prefix="catalogue-chroma-") as chroma_dir:
        chroma = ChromaServer(Path(chroma_dir))
        chroma.start()
        try:
            stamp = time.strftime("%H%M%S")
            for round_ in range(1, args.ingest_rounds + 1):
                # Alternate which goes first in a round.
                for processes in (1, 2) if round_ % 2 else (2, 1):
                    name = collection_name("ingest", stamp, f"r{round_}", f"p{processes}")
                    print(f"ingest round {round_}: {processes} process(es) into {name}", file=sys.stderr, flush=True)
                    run = run_ingest(processes, args.ingest_corpus, args.work_dir, url, chroma.url, name)
                    runs.append((round_, run))
        finally:
            chroma.stop()
    return runs


def render_ingest(runs: list[tuple[int, IngestRun]], corpus: Path, argv: list[str], postgres: str) -> str:
    singles = {round_: run for round_, run in runs if run.processes == 1}
    rows, checks = [], []
    for round_, run in runs:
        base = singles[round_]
        split = " + ".join(f"{p['added']} added ({p['embedded']} chunks), {p['elsewhere']} left to another"
                           for p in run.each)
        rows.append([round_, run.processes, common.fmt(run.wall, 1),
                     " / ".join(common.fmt(p["seconds"], 1) for p in run.each),
                     common.fmt(run.chunks / run.wall, 1), ratio(run.wall, base.wall), split])
        embedded = sum(p["embedded"] for p in run.each)
        ok = run.chunks == base.chunks and embedded == base.chunks and run.vectors == base.vectors
        checks.append(f"round {round_}, {run.processes} process(es): {run.documents} documents, {run.chunks} chunks in "
                      f"the catalogue, {run.vectors} vectors in Chroma, {embedded} chunks embedded in all"
                      + ("" if run.processes == 1 else f" ({'equal to' if ok else '**not** equal to'} one process's)"))
    shown = str(corpus)
    for root, prefix in ((common.PROJECT_ROOT, ""), (common.PROJECT_ROOT.parent, "../")):
        if corpus.resolve().is_relative_to(root):
            shown = prefix + corpus.resolve().relative_to(root).as_posix()
            break
    return "\n".join([
        "### Ingest from one and from two processes",
        "",
        f"Produced by `{common.command_line('catalogue.py', argv)}`. {common.run_note()} {code_version()} "
        f"{postgres}; vectors on "
        "`chroma run` (tests/servers.py's ChromaServer).",
        "",
        f"Corpus: `{shown}`. Each run is `assistant ingest CORPUS` as processes of their own into a fresh collection "
        "(ASSISTANT_COLLECTION) of the same PostgreSQL catalogue and Chroma server; two processes start at once, "
        "each with its own ASSISTANT_INDEX_DIR (standing for two hosts). Seconds are wall clock from start to exit: "
        "process start and model load included. On this 2-core machine, shared with other work, two processes "
        "mostly share the same CPU, so two are not expected to be faster: the point is that the claims split the "
        "documents and none is embedded twice.",
        "",
        common.markdown_table(["round", "processes", "wall s", "each s", "chunks/s", "wall / one process's",
                               "each process's summary"], rows),
        "",
        "Checks: " + "; ".join(checks) + ".",
    ])


# -- the report -----------------------------------------------------------------------------------


def section(parts: dict[str, str]) -> str:
    lines = [
        TITLE,
        "",
        "`ASSISTANT_CATALOGUE_URL=postgresql://...` puts the catalogue (documents, chunks, lexical search, "
        "quotations) in PostgreSQL (`index.PostgresCatalogue`), whose lexical search matches through a tsvector "
        "column with a GIN index and ranks by BM25 computed in SQL as FTS5's bm25() computes it (k1 = 1.2, "
        "b = 0.75, title weight 0.5), over words split and stemmed as FTS5's `porter unicode61 "
        "remove_diacritics 2` tokenizer does (letters and digits, folded, Porter's stemmer), so both backends "
        "find the same chunks and give them the same scores (to 1e-9; ties may come in another order). "
        "Why not PostgreSQL's own rankings: `ts_rank` and `ts_rank_cd` know neither how rare a word is across "
        "the chunks nor how long a chunk is against the mean, and the recall table below shows what that "
        "costs. The parts below were run separately (`--parts`); each says when.",
    ]
    for part in PARTS:
        lines += ["", parts.get(part) or f"### {part}\n\n_Not run yet._"]
    return "\n".join(lines)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    parser.add_argument("--out", type=Path, default=common.DEFAULT_REPORT,
                        help=f"report to update (its '{SECTION}' section)")
    parser.add_argument("--no-write", action="store_true", help="print the section, leave the report and the cache")
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="where the indexes and servers' data go (default: a temporary folder)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000], help="latency: chunks")
    parser.add_argument("--rounds", type=int, default=1, help="latency: passes over the queries at each size")
    parser.add_argument("--latency-queries", type=int, default=200,
                        help="latency: questions taken evenly from the sets' questions")
    parser.add_argument("--ingest-corpus", type=Path, default=common.DEFAULT_EVAL_DIR / "rgb_en_fact" / "corpus")
    parser.add_argument("--ingest-rounds", type=int, default=2)
    return common.parse_set_args(parser, argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    code_version()
    with tempfile.TemporaryDirectory(prefix="bench-catalogue-") as scratch:
        args.work_dir = (args.work_dir or Path(scratch)).resolve()
        new: dict[str, str] = {}
        with postgres_server(args.work_dir / "postgres") as server:
            described = server_settings(server.url)
            if "recall" in args.parts:
                new["recall"] = render_recall(measure_recall(args, server.url), argv, described)
            if "latency" in args.parts:
                rows, queries, stores = measure_latency(args, server.url)
                new["latency"] = render_latency(rows, queries, args.rounds, argv, stores)
            if "ingest" in args.parts:
                new["ingest"] = render_ingest(measure_ingest(args, server.url), args.ingest_corpus, argv, described)
    if code_version.__wrapped__() != code_version():
        print(f"warning: the code changed during the run: {code_version.__wrapped__()}", file=sys.stderr)
    if not args.no_write:
        PART_DIR.mkdir(parents=True, exist_ok=True)
        for part, text in new.items():
            (PART_DIR / f"{part}.md").write_text(text + "\n", encoding="utf-8")
    parts = {part: (PART_DIR / f"{part}.md").read_text(encoding="utf-8").strip()
             for part in PARTS if (PART_DIR / f"{part}.md").is_file()}
    common.publish_section(args.out, SECTION, section({**parts, **new}), write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
