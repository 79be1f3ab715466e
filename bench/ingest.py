"""Ingest throughput: the whole pipeline against the encoder alone, on the same chunk texts; with
--baseline, also this version's `assistant ingest` against an earlier checkout's.

The pipeline is `Assistant.ingest` into a fresh on-disk index (read, load, chunk, embed, write
Chroma and the SQLite catalogue). The baseline is plain `SentenceTransformer.encode` of exactly
the texts the pipeline embeds, with the same batch size, on the same loaded model. Rounds
alternate baseline and pipeline so that the machine's noise hits both; the report gives each
round's chunks/s and the pipeline's share of the encoder's speed (target: at least 0.90).

With `--baseline DIR` (a checkout with its own .venv, see bench/baseline.py), each round also runs
`assistant ingest CORPUS` into a fresh index as a process of its own, for the baseline and for this
version, in alternating order, and reports each one's chunks/s (wall clock of the command, process
start and model load included) and the ratio current / baseline (target: at least 0.7, issue 13),
in a section of its own ("ingest-baseline").

    .venv/bin/python bench/ingest.py [--rounds 3] [--squad-docs 12] [--baseline DIR [--skip-encoder]]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import common
from baseline import Checkout

from assistant import Settings
from assistant.factory import make_embedder, open_assistant
from index import chunk_document, load_document
from index.embedding import SentenceEmbedder
from index.ingest import embedding_input

TARGET = 0.90
BASELINE_TARGET = 0.7  # issue 13: this version's `assistant ingest` at least 0.7x the chunks/s of 5d65ca0's


def build_corpus(folder: Path, eval_dir: Path, squad_docs: int, rgb_docs: int | None = None) -> list[Path]:
    """The rgb snippets (many short documents; all, or the first rgb_docs) and the first squad
    articles (few long ones)."""
    files = sorted((eval_dir / "rgb_en_fact" / "corpus").glob("*.txt"))[:rgb_docs]
    files += sorted((eval_dir / "squad_v1.1_dev" / "corpus").glob("*.txt"))[:squad_docs]
    for file in files:
        shutil.copy(file, folder / f"{file.parent.parent.name}-{file.name}")
    return sorted(folder.iterdir())


def embedding_inputs(files: list[Path], settings: Settings) -> list[str]:
    texts = []
    for file in files:
        doc = load_document(file)
        chunks = chunk_document(doc, max_words=settings.chunk_words, overlap_sentences=settings.chunk_overlap_sentences)
        texts += [embedding_input(doc.title, not doc.title_from_filename, c.text) for c in chunks]
    return texts


def time_encoder(embedder: SentenceEmbedder, texts: list[str]) -> float:
    t0 = time.perf_counter()
    embedder.model.encode(texts, batch_size=embedder.batch_size, normalize_embeddings=True, convert_to_numpy=True)
    return time.perf_counter() - t0


def time_pipeline(embedder: SentenceEmbedder, corpus: Path, work: Path, round_: int) -> tuple[float, int]:
    settings = Settings(index_dir=work / f"index-{round_}")
    assistant = open_assistant(settings, embedder=embedder)
    t0 = time.perf_counter()
    report = assistant.ingest([corpus])
    seconds = time.perf_counter() - t0
    assistant.close()
    shutil.rmtree(settings.index_dir, ignore_errors=True)
    return seconds, report.chunks_embedded


def compare_cli(checkouts: list[Checkout], corpus: Path, work: Path, rounds: int) -> list[dict[str, tuple[float, int]]]:
    """Per round, each checkout's (seconds, chunks) of `assistant ingest CORPUS` into a fresh index;
    rounds alternate which goes first."""
    results = []
    for round_ in range(1, rounds + 1):
        result = {}
        for checkout in checkouts if round_ % 2 else checkouts[::-1]:
            index_dir = work / f"cli-index-{round_}"
            result[checkout.label] = checkout.ingest(corpus, index_dir)
            shutil.rmtree(index_dir, ignore_errors=True)
            seconds, chunks = result[checkout.label]
            print(f"round {round_}: {checkout.label} {chunks / seconds:.1f} chunks/s", file=sys.stderr)
        results.append(result)
    return results


def compare_encoder(corpus: Path, files: list[Path], work: Path, rounds: int) -> tuple[list[tuple], int, int]:
    """Per round (round, encoder chunks/s, pipeline chunks/s); the chunks and the batch size."""
    settings = Settings()
    embedder = make_embedder(settings)
    texts = embedding_inputs(files, settings)
    embedder.encode(texts[:64])  # warm-up: first batches pay for lazy initialisation
    rows = []
    for round_ in range(1, rounds + 1):
        encoder_s = time_encoder(embedder, texts)
        pipeline_s, chunks = time_pipeline(embedder, corpus, work, round_)
        if chunks != len(texts):
            raise SystemExit(f"the pipeline embedded {chunks} chunks, the baseline {len(texts)}: not the same work")
        rows.append((round_, len(texts) / encoder_s, len(texts) / pipeline_s))
        print(f"round {round_}: encoder {rows[-1][1]:.1f} chunks/s, pipeline {rows[-1][2]:.1f} chunks/s",
              file=sys.stderr)
    return rows, len(texts), embedder.batch_size


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--squad-docs", type=int, default=12, help="squad articles added to the rgb snippets")
    parser.add_argument("--rgb-docs", type=int, help="only the first N rgb snippets (default: all; for trial runs)")
    parser.add_argument("--eval-dir", type=Path, default=common.DEFAULT_EVAL_DIR)
    parser.add_argument("--baseline", type=Path, metavar="DIR",
                        help="also time `assistant ingest` of the checkout in DIR (with its own .venv) against ours")
    parser.add_argument("--skip-encoder", action="store_true", help="skip the pipeline-against-encoder comparison")
    parser.add_argument("--out", type=Path, default=common.DEFAULT_REPORT)
    parser.add_argument("--no-write", action="store_true", help="print the sections, leave --out as it is")
    args = parser.parse_args(argv)
    if args.skip_encoder and not args.baseline:
        parser.error("--skip-encoder leaves nothing to measure without --baseline")
    checkouts = [Checkout.baseline(args.baseline), Checkout.current()] if args.baseline else []

    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        work = Path(tmp)
        (work / "corpus").mkdir()
        files = build_corpus(work / "corpus", args.eval_dir, args.squad_docs, args.rgb_docs)
        squad = sum(f.name.startswith("squad") for f in files)
        corpus_note = f"{len(files)} files ({len(files) - squad} rgb snippets, {squad} squad articles)"
        if not args.skip_encoder:
            rows, chunks, batch = compare_encoder(work / "corpus", files, work, args.rounds)
            body = encoder_report(rows, chunks, batch, corpus_note, argv)
            common.publish_section(args.out, "ingest", body, write=not args.no_write)
        if checkouts:
            results = compare_cli(checkouts, work / "corpus", work, args.rounds)
            body = baseline_report(checkouts, results, corpus_note, argv)
            common.publish_section(args.out, "ingest-baseline", body, write=not args.no_write)
    return 0


def encoder_report(rows: list[tuple], chunks: int, batch: int, corpus_note: str, argv: list[str]) -> str:
    ratios = [pipeline / encoder for _, encoder, pipeline in rows]
    median = statistics.median(ratios)
    verdict = "meets" if median >= TARGET else "misses"
    return "\n".join([
        "## Ingest throughput",
        "",
        f"Produced by `{common.command_line('ingest.py', argv)}`. {common.run_note()}",
        "",
        f"Corpus: {corpus_note}, {chunks} chunks. Encoder: `SentenceTransformer.encode` of the same {chunks} "
        f"texts the pipeline embeds (batch {batch}, normalised), on the same loaded model. Pipeline: "
        "`Assistant.ingest` into a fresh on-disk index (read, load, chunk, embed, Chroma and SQLite writes). "
        "Rounds alternate the two.",
        "",
        common.markdown_table(
            ["round", "encoder chunks/s", "pipeline chunks/s", "pipeline / encoder"],
            ([r, common.fmt(e, 1), common.fmt(p, 1), common.fmt(p / e, 2)] for r, e, p in rows),
        ),
        "",
        f"Median pipeline / encoder: **{median:.2f}**; it {verdict} the target of {TARGET:.2f}.",
    ])


def baseline_report(checkouts: list[Checkout], results: list[dict], corpus_note: str, argv: list[str]) -> str:
    baseline, current = (c.label for c in checkouts)

    def speed(result: dict, label: str) -> float:
        seconds, chunks = result[label]
        return chunks / seconds

    ratios = [speed(r, current) / speed(r, baseline) for r in results]
    median = statistics.median(ratios)
    verdict = "meets" if median >= BASELINE_TARGET else "misses"
    counts = sorted({chunks for r in results for _, chunks in r.values()})
    same = (f"both embedded {counts[0]} chunks" if len(counts) == 1 else
            f"the versions chunk it differently ({', '.join(map(str, counts))} chunks): each one's chunks/s "
            "counts its own")
    return "\n".join([
        "## Ingest throughput against the baseline",
        "",
        f"Produced by `{common.command_line('ingest.py', argv)}`. {common.run_note()}",
        "",
        f"Corpus: {corpus_note}; {same}. Each round runs `assistant ingest CORPUS` into a fresh index as a "
        "process of its own, once with each checkout's CLI and default settings; rounds alternate which goes "
        "first. Seconds are the command's wall clock: process start and model load included.",
        "",
        common.markdown_table(
            ["round", f"{baseline} s", f"{baseline} chunks/s", f"{current} s", f"{current} chunks/s",
             "current / baseline"],
            ([i, common.fmt(r[baseline][0], 1), common.fmt(speed(r, baseline), 1), common.fmt(r[current][0], 1),
              common.fmt(speed(r, current), 1), common.fmt(ratio, 2)]
             for i, (r, ratio) in enumerate(zip(results, ratios, strict=True), start=1)),
        ),
        "",
        f"Median current / baseline: **{median:.2f}**; it {verdict} the target of {BASELINE_TARGET:g}×.",
    ])


if __name__ == "__main__":
    sys.exit(main())
