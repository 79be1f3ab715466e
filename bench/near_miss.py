"""Near misses refused, their twins answered: tests/data/near_miss/{dev,heldout}.jsonl over the
indexes bench/evaluate.py builds (bench/.cache/<set>/index) and the seed.

A near miss counts as refused when `refused` is true; a twin as answered when it is not refused,
and as right when a gold answer appears in the answer. Run as
`.venv/bin/python bench/near_miss.py`; writes the "near-miss" section of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

import common

from assistant import Settings
from assistant.evaluation import contains_gold, share
from assistant.factory import make_embedder, open_assistant

if TYPE_CHECKING:
    from assistant import Assistant
    from index.embedding import SentenceEmbedder

DATA = common.PROJECT_ROOT / "tests" / "data" / "near_miss"
INDEXES = {"rgb": "rgb_en_fact", "squad": "squad_v1.1_dev"}


def assistants(embedder: SentenceEmbedder, seed_dir: Path) -> dict[str, Assistant]:
    out = {}
    for corpus, name in INDEXES.items():
        index_dir = common.CACHE_DIR / name / "index"
        if not index_dir.is_dir():
            sys.exit(f"no index at {index_dir}: run bench/evaluate.py first")
        out[corpus] = open_assistant(Settings(index_dir=index_dir), embedder=embedder)
    seed = open_assistant(Settings(index_dir=seed_dir), embedder=embedder)
    seed.ingest([common.PROJECT_ROOT / "seeds"])
    out["seed"] = seed
    return out


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=common.DEFAULT_REPORT)
    args = parser.parse_args(argv)
    embedder = make_embedder(Settings())
    rows = []
    with tempfile.TemporaryDirectory() as seed_dir:
        by_corpus = assistants(embedder, Path(seed_dir))
        for split in ("dev", "heldout"):
            items = common.read_jsonl(DATA / f"{split}.jsonl")
            counts: dict[str, list[tuple[bool, bool, bool]]] = defaultdict(list)
            for item in items:
                assistant = by_corpus[item["corpus"]]
                near = assistant.ask(item["question"])
                twin = assistant.ask(item["twin"])
                right = not twin.refused and contains_gold(twin.answer, item["twin_answers"])
                outcome = (near.refused, not twin.refused, right)
                counts[item["differs"]].append(outcome)
                counts["all"].append(outcome)
            for kind in sorted(counts, key=lambda k: (k == "all", k)):
                results = counts[kind]
                rows.append([split, kind, len(results), *(common.fmt(share(r[i] for r in results)) for i in range(3))])
            print(f"{split}: refused {common.fmt(share(r[0] for r in counts['all']))}, twins answered "
                  f"{common.fmt(share(r[1] for r in counts['all']))}", file=sys.stderr)
    body = "\n".join([
        "## Near misses (issue 12)",
        "",
        f"Produced by `{common.command_line('near_miss.py', argv)}`. {common.run_note()}",
        "",
        "Each near miss looks answerable but one constraint differs from what its corpus says (checked by search "
        "over the whole corpus, tests/data/near_miss/README.md); its twin is the answerable question. Targets: "
        "near misses refused >= 0.80, twins answered >= 0.90.",
        "",
        common.markdown_table(["split", "differs", "questions", "near misses refused", "twins answered",
                        "twins answered with gold"], rows),
    ])
    common.publish_section(args.out, "near-miss", body)


if __name__ == "__main__":
    main(sys.argv[1:])
