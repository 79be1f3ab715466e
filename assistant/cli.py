"""The `assistant` command: ingest, ask, quotes, eval, serve, migrate-catalogue.

Errors a person can fix (no index, empty question, unknown file) print one line to stderr and
exit non-zero; they never print a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import shlex
import sys
import time
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from .config import Settings
from .errors import AssistantError, StoreUnavailableError
from .quote_digest import MAX_PAGE_SIZE, PAGE_SIZE, dates_phrase

# Short names on the command line for evaluation.RETRIEVERS.
_RETRIEVER_NAMES = {"hybrid": "hybrid", "hybrid-rrf": "hybrid, RRF only", "dense": "dense-only", "bm25": "BM25-only"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant", description="Answer questions about your documents, citing the exact passages."
    )
    parser.add_argument(
        "--index-dir", type=Path, help="index directory (default: $ASSISTANT_INDEX_DIR or .assistant/index)"
    )
    parser.add_argument(
        "--collection", metavar="NAME",
        help="the collection to ingest into, ask or list (default: $ASSISTANT_COLLECTION or documents); `serve` "
        "serves every collection and answers from this one when a request names none",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("ingest", help="add or update documents in the index (incremental)")
    p.add_argument("paths", nargs="*", type=Path, help="files or folders (default: seeds/)")
    p.add_argument("--prune", action="store_true", help="remove indexed documents whose files are gone")
    p.add_argument(
        "--no-wait", action="store_true",
        help="exit with an error instead of waiting while another process writes the index",
    )
    p.add_argument(
        "--check", action="store_true",
        help="report whether every indexed chunk has its vector and every vector its chunk; change nothing; "
        "exit 1 when not (the next ingest repairs it)",
    )

    p = commands.add_parser("ask", help="answer a question with citations")
    p.add_argument("question", nargs="?", help="the question (omit with --batch)")
    p.add_argument("--json", action="store_true", help="print the Answer JSON")
    p.add_argument("-k", type=int, help="number of passages to retrieve")
    p.add_argument("--batch", type=Path, metavar="FILE.jsonl", help='questions, one {"id", "question"} per line')

    p = commands.add_parser(
        "quotes", help="list the people quoted in the documents, or one person's quotations",
        description="Without SPEAKER: everyone quoted in the indexed documents, most quoted first. With SPEAKER "
        "(full name or surname; case and accents do not matter): a page of their quotations, newest document "
        "first, by document, with offsets, and how many more there are.",
    )
    p.add_argument("speaker", nargs="?", help='e.g. "Budrys" or "Inga Ruginienė"')
    p.add_argument("--json", action="store_true", help="print JSON (as GET /api/speakers[/NAME/quotes] returns)")
    paging = p.add_mutually_exclusive_group()
    paging.add_argument("--page", type=int, help="the page of quotations to show, from 1 (default 1)")
    paging.add_argument("--offset", type=int, help="start at this quotation (from 0), instead of --page")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--limit", type=int, default=PAGE_SIZE, help=f"quotations a page (default {PAGE_SIZE})")
    size.add_argument("--all", action="store_true", help=f"every quotation, {MAX_PAGE_SIZE} a page")
    p.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD", help="documents dated on or after")
    p.add_argument("--until", type=date.fromisoformat, metavar="YYYY-MM-DD", help="documents dated on or before")

    p = commands.add_parser(
        "eval", help="measure retrieval, answers, refusals and latency on a question set with gold answers",
        description="Measure the assistant on QUESTIONS.jsonl (one {\"id\", \"question\", \"answers\", "
        "\"evidence_docs\", \"answerable\"} per line; only \"question\" is required). Prints a summary and "
        "writes report.json, recall_at_k.png and latency.png to --out.",
    )
    p.add_argument("questions", type=Path, metavar="QUESTIONS.jsonl")
    p.add_argument(
        "--corpus", type=Path, metavar="DIR",
        help="index this folder first, into its own index (.assistant/eval/<name>-<hash>/ unless --index-dir is "
        "given; incremental, so a second run only checks hashes); without it, the configured index is evaluated",
    )
    p.add_argument("--out", type=Path, metavar="DIR", help="report folder (default: eval-reports/<set>-<file stem>)")
    p.add_argument(
        "--retrievers", nargs="+", choices=list(_RETRIEVER_NAMES), default=list(_RETRIEVER_NAMES),
        help="retrievers to rank evidence with (default: all four; hybrid is the one `ask` uses)",
    )
    p.add_argument("--json", action="store_true", help="print the JSON report instead of the summary")

    p = commands.add_parser("serve", help="serve the chat UI and the REST API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)
    p.add_argument("--open", action="store_true", help="allow serving a non-loopback address without API keys")
    p.add_argument(
        "--workers", type=_worker_count, default=None, metavar="N",
        help="worker processes behind one port, each with its own model (default: the cores available, at most 4; "
        "1: a single process, no front)",
    )
    p = commands.add_parser(
        "migrate-catalogue", help="copy the collection's SQLite catalogue into PostgreSQL (nothing is embedded again)",
        description="Copy every document, chunk, quotation and stored vector of the collection's SQLite catalogue "
        "into the PostgreSQL database at --to, in one transaction; --chroma-to also copies its vectors from the "
        "on-disk Chroma to a Chroma server.",
    )
    p.add_argument("--to", required=True, metavar="postgresql://USER@HOST:PORT/DB", help="the PostgreSQL database")
    p.add_argument("--chroma-to", default="", metavar="http://HOST:PORT", help="a Chroma server to copy the vectors to")
    p.add_argument("--replace", action="store_true", help="replace what the collection holds there already")
    for command in commands.choices.values():  # `assistant ingest --collection hr` works as well as before the command
        command.add_argument("--collection", metavar="NAME", default=argparse.SUPPRESS,
                             help="the collection (as --collection before the command)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s", stream=sys.stderr)
    overrides: dict = {"index_dir": args.index_dir} if args.index_dir else {}
    if args.collection:
        overrides["collection"] = args.collection
    if getattr(args, "open", False):
        overrides["allow_open"] = True
    try:
        settings = Settings(**overrides)
        commands = {"ingest": _ingest, "ask": _ask, "quotes": _quotes, "eval": _eval, "serve": _serve,
                    "migrate-catalogue": _migrate_catalogue}
        return commands[args.command](args, settings)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except StoreUnavailableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ValidationError as exc:
        problems = "; ".join(f"ASSISTANT_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        print(f"error: invalid setting: {problems}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _ingest(args, settings: Settings) -> int:
    from index.documents import shown

    from .factory import open_assistant

    if args.check:
        return _check_index(args, settings)
    # Progress lines every few seconds when stderr is not a terminal (a log, a service).
    logging.getLogger("index.ingest.progress").setLevel(logging.INFO)
    paths = args.paths or [settings.seeds_dir]
    missing = [shown(str(p)) for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise AssistantError(f"no such file or folder: {', '.join(missing)}. Check the path and run again.")
    report = open_assistant(settings).ingest(paths, prune=args.prune, wait=not args.no_wait)
    print(f"ingested into {_index_place(settings)} (collection {settings.collection}): {report.summary()}")
    return 0


def _index_place(settings: Settings) -> str:
    """Where the index is, for a person: its directory, or the catalogue's PostgreSQL (never its password).

    >>> _index_place(Settings(index_dir="/srv/ix"))
    '/srv/ix'
    >>> _index_place(Settings(catalogue_url="postgresql://me:pw@db:5433/a", chroma_url="http://c:8000"))
    'PostgreSQL at db:5433/a and the Chroma server at http://c:8000'
    """
    from index.catalogue.postgres_locks import where
    from index.documents import shown

    if not settings.shared_catalogue:
        return shown(str(settings.index_dir))
    vectors = f"the Chroma server at {settings.chroma_url}" if settings.chroma_url else shown(str(settings.index_dir))
    return f"{where(settings.shared_catalogue)} and {vectors}"


def _check_index(args, settings: Settings) -> int:
    """`ingest --check`: the index's consistency, read under the writer lock (a live writer's
    half-written batch is not damage); no model is loaded and nothing is changed."""

    from .library import Library

    if args.paths or args.prune:
        raise AssistantError("--check reports on the index as it is: give it no paths and no --prune.")
    health = Library(settings, with_vectors=True).health(wait=not args.no_wait)
    print(f"index {_index_place(settings)}: {health.summary()}")
    if not health.consistent:
        print("run `assistant ingest` on the index's folders to repair it", file=sys.stderr)
    return 0 if health.consistent else 1


def _ask(args, settings: Settings) -> int:
    if args.k is not None and not 1 <= args.k <= 50:
        raise AssistantError(f"-k must be between 1 and 50, not {args.k}.")
    if args.batch:
        return _ask_batch(args, settings)
    if args.question is None:
        raise AssistantError('give a question, e.g. assistant ask "What did Budrys say?", or --batch FILE.jsonl')
    from .library import require_index
    from .pipeline import clean_question

    clean_question(args.question, settings.max_question_chars)  # fail fast, before loading the model
    require_index(settings)
    from .factory import open_assistant

    answer = open_assistant(settings).ask(args.question, k=args.k)
    if args.json:
        print(answer.model_dump_json())
        return 0
    print(answer.answer)
    if answer.citations:
        from prompts import load_prompt

        print(f"\n{load_prompt('sources_heading')}:")
        for c in answer.citations:
            print(load_prompt("source_label").format(n=c.n, title=c.title, source=c.source, start=c.start, end=c.end))
            print(f"    {' '.join(c.quote.split())}")
    return 0


def _quotes(args, settings: Settings) -> int:
    from .library import Library
    from .quotations import speaker_label

    library = Library(settings)  # the catalogue is enough: no model, no Chroma
    if args.speaker is None:
        speakers = library.speakers()
        if args.json:
            print(json.dumps([s.model_dump() for s in speakers], ensure_ascii=False))
            return 0
        for s in speakers:
            others = [f for f in s.forms if f != s.name]
            also = f"  (also: {', '.join(others)})" if others else ""
            print(f"{s.quotations:>5}  {speaker_label(s)}{also}")
        if not speakers:
            print("No one is quoted in the indexed documents.")
        backlog = library.quotation_backlog()
        if backlog:
            print(f"({backlog} documents were indexed before quotations were stored: run `assistant ingest` "
                  "on their folders to add theirs.)", file=sys.stderr)
        return 0
    limit = MAX_PAGE_SIZE if args.all else args.limit
    found = library.speaker_quotations(args.speaker, offset=args.offset, page=args.page, limit=limit,
                                       since=args.since, until=args.until)
    if args.json:
        print(json.dumps([s.model_dump() for s in found], ensure_ascii=False))
        return 0
    for i, speaker in enumerate(found):
        if i:
            print()
        dates = f" dated {dates_phrase(args.since, args.until)}" if args.since or args.until else ""
        print(f"{speaker_label(speaker)}: {_count(speaker.quotations, 'quotation')} "
              f"in {_count(speaker.documents, 'document')}"
              + (f"; {speaker.total} in documents{dates}" if dates else ""))
        if speaker.total > sum(len(d.quotations) for d in speaker.by_document):
            shown = sum(len(d.quotations) for d in speaker.by_document)
            first = speaker.offset + 1
            print(f"Quotations {first}-{speaker.offset + shown} of {speaker.total}, newest document first." if shown
                  else f"No quotations from {first}: there are {speaker.total}.")
        for doc in speaker.by_document:
            date_text = f", {doc.date}" if doc.date else ""
            as_title = f" — as {doc.speaker_title}" if doc.speaker_title and doc.speaker_title != speaker.title else ""
            print(f"\n{doc.title} ({doc.source}{date_text}){as_title}")
            for q in doc.quotations:
                text = " ".join(q.text.split())
                shown_text = f"“{text}”" if q.kind == "direct" else f"(paraphrased) {text}"
                print(f"  {q.start}-{q.end}  {shown_text}")
        if speaker.next_offset is not None:
            page = f"--page {speaker.next_offset // limit + 1}" if speaker.next_offset % limit == 0 else (
                f"--offset {speaker.next_offset}")
            rest = f"{_count(speaker.remaining, 'more quotation')} in {_count(speaker.remaining_documents, 'document')}"
            print(f"\n{rest}: assistant quotes {shlex.quote(args.speaker)} {page}{_options(args, limit)}"
                  + ("" if args.all else " (or --all)"))
    return 0


def _options(args, limit: int) -> str:
    """The options of `assistant quotes` that the next page keeps: --limit, --since, --until."""
    kept = ["--all"] if args.all else [f"--limit {limit}"] if limit != PAGE_SIZE else []
    kept += [f"--since {args.since}"] if args.since else []
    kept += [f"--until {args.until}"] if args.until else []
    return "".join(f" {option}" for option in kept)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _ask_batch(args, settings: Settings) -> int:
    from .errors import QuestionError
    from .factory import open_assistant
    from .library import require_index

    if not args.batch.is_file():
        raise AssistantError(f"no such file: {args.batch}. Give a JSONL file of {{\"id\", \"question\"}} lines.")
    lines = args.batch.read_text(encoding="utf-8").splitlines()
    requests = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            requests.append((item.get("id", number), item["question"]))
        except (json.JSONDecodeError, KeyError, AttributeError, TypeError):
            raise AssistantError(
                f"{args.batch}:{number}: not a JSON object with a \"question\" field; fix that line and run again."
            ) from None
    require_index(settings)
    assistant = open_assistant(settings)
    for qid, question in requests:
        t0 = time.perf_counter()
        try:
            record = assistant.ask(question, k=args.k).model_dump()
        except QuestionError as exc:
            record = {"question": question, "error": str(exc)}
        record = {"id": qid, **record, "latency_ms": round((time.perf_counter() - t0) * 1000, 2)}
        print(json.dumps(record, ensure_ascii=False), flush=True)
    return 0


def _eval(args, settings: Settings) -> int:
    from . import eval_report, evaluation
    from .factory import open_assistant
    from .library import require_index

    retrievers = [_RETRIEVER_NAMES[name] for name in args.retrievers]
    questions = evaluation.load_questions(args.questions)  # fail fast, before loading the model
    if args.corpus is not None:
        if not args.corpus.is_dir():
            raise AssistantError(f"no such folder: {args.corpus}. --corpus takes the folder of documents to index.")
        if args.index_dir is None:
            settings = settings.model_copy(update={"index_dir": _eval_index_dir(settings, args.corpus)})
    else:
        require_index(settings)
    out = args.out or Path("eval-reports") / f"{args.questions.resolve().parent.name}-{args.questions.stem}"
    assistant = open_assistant(settings)
    if args.corpus is not None:
        t0 = time.perf_counter()
        report = assistant.ingest([args.corpus], prune=True)
        print(f"indexed {args.corpus} into {settings.index_dir} in {time.perf_counter() - t0:.1f} s: "
              f"{report.summary()}", file=sys.stderr)
    outcomes = evaluation.run_evaluation(assistant, questions, retrievers, progress=eval_report.print_progress)
    result = eval_report.build_report(outcomes, settings, args.questions, args.corpus, retrievers)
    written = eval_report.write_report(result, out)
    print(result.to_json() if args.json else eval_report.format_summary(result))
    print(f"wrote {', '.join(map(str, written))}", file=sys.stderr)
    return 0


def _eval_index_dir(settings: Settings, corpus: Path) -> Path:
    """A corpus's own index beside the default one, named after the folder it indexes."""
    import hashlib

    corpus = corpus.resolve()
    digest = hashlib.sha256(str(corpus).encode()).hexdigest()[:10]
    name = corpus.name if corpus.name != "corpus" else f"{corpus.parent.name}-corpus"
    return settings.index_dir.parent / "eval" / f"{name}-{digest}"


def _migrate_catalogue(args, settings: Settings) -> int:
    from .migrate import migrate_collection

    report = migrate_collection(
        settings, args.to, chroma_to=args.chroma_to, replace=args.replace,
        on_progress=lambda table, rows: print(f"  {table}: {rows} rows", file=sys.stderr),
    )
    print(report.summary())
    print(report.next_steps(settings.collection_dir()))
    return 0


def _worker_count(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of worker processes, at least 1; got {value!r}")
    return int(value)


def _serve(args, settings: Settings) -> int:
    from ui.server import serve
    from ui.workers import default_workers

    serve(settings, host=args.host, port=args.port, workers=args.workers or default_workers())
    return 0


if __name__ == "__main__":
    sys.exit(main())
