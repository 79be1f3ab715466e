"""Ingest throughput: the whole pipeline against the encoder alone, on the same chunk texts.

The pipeline is `Assistant.ingest` into a fresh on-disk index (read, load, chunk, embed, write
Chroma and the SQLite catalogue). The baseline is plain `SentenceTransformer.encode` of exactly
the texts the pipeline embeds, with the same batch size, on the same loaded model. Rounds
alternate baseline and pipeline so that the machine's noise hits both; the report gives each
round's chunks/s and the pipeline's share of the encoder's speed (target: at least 0.90).

    .venv/bin/python bench/ingest.py [--rounds 3] [--squad-docs 12]
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

from assistant import Settings
from assistant.factory import make_embedder, open_assistant
from index import chunk_document, load_document
from index.embedding import SentenceEmbedder
from index.ingest import embedding_input

TARGET = 0.90


def build_corpus(folder: Path, eval_dir: Path, squad_docs: int) -> list[Path]:
    """All rgb snippets (many short documents) and the first squad articles (few long ones)."""
    files = sorted((eval_dir / "rgb_en_fact" / "corpus").glob("*.txt"))
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


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--squad-docs", type=int, default=12, help="squad articles added to the rgb snippets")
    parser.add_argument("--eval-dir", type=Path, default=common.DEFAULT_EVAL_DIR)
    parser.add_argument("--out", type=Path, default=common.DEFAULT_REPORT)
    args = parser.parse_args(argv)

    settings = Settings()
    embedder = make_embedder(settings)
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        work = Path(tmp)
        (work / "corpus").mkdir()
        files = build_corpus(work / "corpus", args.eval_dir, args.squad_docs)
        texts = embedding_inputs(files, settings)
        embedder.encode(texts[:64])  # warm-up: first batches pay for lazy initialisation
        rows = []
        for round_ in range(1, args.rounds + 1):
            encoder_s = time_encoder(embedder, texts)
            pipeline_s, chunks = time_pipeline(embedder, work / "corpus", work, round_)
            if chunks != len(texts):
                raise SystemExit(f"the pipeline embedded {chunks} chunks, the baseline {len(texts)}: not the same work")
            rows.append((round_, len(texts) / encoder_s, len(texts) / pipeline_s))
            print(f"round {round_}: encoder {rows[-1][1]:.1f} chunks/s, pipeline {rows[-1][2]:.1f} chunks/s",
                  file=sys.stderr)

    ratios = [pipeline / encoder for _, encoder, pipeline in rows]
    median = statistics.median(ratios)
    verdict = "meets" if median >= TARGET else "misses"
    body = "\n".join([
        "## Ingest throughput",
        "",
        f"Produced by `{common.command_line('ingest.py', argv)}`. {common.run_note()}",
        "",
        f"Corpus: {len(files)} files ({len(files) - args.squad_docs} rgb snippets, {args.squad_docs} squad articles), "
        f"{len(texts)} chunks. Encoder: `SentenceTransformer.encode` of the same {len(texts)} texts the pipeline "
        f"embeds (batch {embedder.batch_size}, normalised), on the same loaded model. Pipeline: `Assistant.ingest` "
        "into a fresh on-disk index (read, load, chunk, embed, Chroma and SQLite writes). Rounds alternate the two.",
        "",
        common.markdown_table(
            ["round", "encoder chunks/s", "pipeline chunks/s", "pipeline / encoder"],
            ([r, common.fmt(e, 1), common.fmt(p, 1), common.fmt(p / e, 2)] for r, e, p in rows),
        ),
        "",
        f"Median pipeline / encoder: **{median:.2f}**; it {verdict} the target of {TARGET:.2f}.",
    ])
    common.publish_section(args.out, "ingest", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
