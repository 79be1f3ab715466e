"""LLM answers through the real pipeline: how many supported sentences are kept, and how many
unsupported ones leak into `answer`, on the labelled support set (tests/data/support).

    .venv/bin/python bench/llm_support.py [--out docs/BENCHMARKS.md] [--splits dev heldout]

Each item's corpus is indexed (seed: seeds/, rgb and squad: the shared eval corpora, the indexes
of bench/evaluate.py reused). The Assistant runs with ASSISTANT_LLM=openai:... pointed at a
scripted OpenAI-compatible server on loopback (tests/scripted_llm.py, a stand-in for the hosted
model only), through the real langchain-openai client. For each item the question is its claim
(or, when that does not retrieve the labelled span, its quote); the scripted reply holds the
claims (2-4) of items of the same document whose spans are among the passages the model is shown,
each ending with [n], n the passage holding its span (a connective item opens the reply uncited; a
lone claim is paired with a verbatim sentence of another passage, not counted). Items whose span
is not retrieved either way are skipped and counted.

Kept: the claim is in the final `answer`. Leaked: an unsupported claim kept; for `wrong_span` (a
claim the document makes elsewhere than the cited span) only when it is still cited to the
labelled span: re-cited to the sentence that says it, it is kept rightly (counted apart).
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import common

from assistant import Settings
from assistant.factory import make_embedder, open_assistant
from index import load_document, split_sentences

if TYPE_CHECKING:
    from assistant import Assistant
    from index.embedding import SentenceEmbedder

DATA = common.PROJECT_ROOT / "tests" / "data" / "support"
SCRIPTED_LLM = common.PROJECT_ROOT / "tests" / "scripted_llm.py"  # the loopback stand-in for a hosted model
CORPORA = {
    "seed": ("seed", common.PROJECT_ROOT / "seeds"), "rgb": ("rgb_en_fact", None), "squad": ("squad_v1.1_dev", None),
}
MAX_CLAIMS = 4


@dataclass
class Outcome:
    item: dict
    status: str  # kept | dropped | skipped | gated (refused before the model was asked)
    cites_span: bool = False  # kept and cited to a unit overlapping the labelled span
    reason: str = ""


@dataclass
class Tally:
    items: int = 0
    skipped: int = 0
    kept: int = 0
    kept_on_span: int = 0
    gated: int = 0
    reasons: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def scripted_llm_server():
    """tests/scripted_llm.py's server, loaded by path: tests/ is not an installed package."""
    spec = importlib.util.spec_from_file_location("scripted_llm", SCRIPTED_LLM)
    if spec is None or spec.loader is None:
        raise SystemExit(f"error: cannot load {SCRIPTED_LLM}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.scripted_llm_server()


def corpus_dir(corpus: str, eval_dir: Path) -> Path:
    name, local = CORPORA[corpus]
    return local or eval_dir / name / "corpus"


def open_corpus(corpus: str, eval_dir: Path, embedder: SentenceEmbedder, llm_url: str) -> Assistant:
    """An Assistant with the LLM over the corpus's index (evaluate.py's cache, built when missing)."""
    name, _ = CORPORA[corpus]
    if corpus == "seed":
        index_dir = common.PROJECT_ROOT / "bench" / ".cache" / "llm_support-seed" / "index"
        plain = open_assistant(Settings(index_dir=index_dir), embedder=embedder)
        plain.ingest([corpus_dir(corpus, eval_dir)])
    else:
        from evaluate import open_set_index

        plain, _ = open_set_index(name, corpus_dir(corpus, eval_dir), embedder, rebuild=False)
        index_dir = plain.settings.index_dir
    plain.close()
    settings = Settings(index_dir=index_dir, llm="openai:bench-model", llm_base_url=llm_url, llm_timeout=30.0)
    return open_assistant(settings, embedder=embedder)


def holds(passage, item: dict) -> bool:
    """Whether a retrieved passage (Document or Passage) contains the item's labelled span."""
    meta = getattr(passage, "metadata", None)
    if meta:
        source, start, end = meta["source"], meta["start"], meta["end"]
    else:
        source, start, end = passage.source, passage.start, passage.end
    return Path(source).name == item["file"] and start <= item["start"] and item["end"] <= end


def sentence(claim: str, n: int | None) -> str:
    """The claim as the model would write it: "[n]" before its final stop; uncited when n is None."""
    claim = claim.strip()
    if n is None:
        return claim
    body, stop = (claim[:-1], claim[-1]) if claim[-1] in ".!?" else (claim, ".")
    return f"{body} [{n}]{stop}"


def filler(passages, taken: set[int]) -> str | None:
    """A verbatim sentence of a passage not cited yet, cited to it (not counted)."""
    for n, passage in enumerate(passages, start=1):
        if n in taken:
            continue
        spans = split_sentences(passage.page_content)
        text = passage.page_content[spans[0].start : spans[0].end] if spans else ""
        if len(text.split()) >= 6 and text[-1:] in ".!?":
            return sentence(text, n)
    return None


def normalise(text: str) -> str:
    return " ".join(re.sub(r"\[\d+\]", " ", text).split()).rstrip(".:!? ").replace(" .", ".")


def run_batch(assistant: Assistant, server, question: str, batch: list[tuple[dict, int]], passages) -> list[Outcome]:
    connectives = [item for item, _ in batch if item["label"] == "connective"]
    cited = [(item, n) for item, n in batch if item["label"] != "connective"]
    parts = [sentence(item["claim"], None) for item in connectives]
    parts += [sentence(item["claim"], n) for item, n in cited]
    if len(batch) == 1:
        extra = filler(passages, {n for _, n in batch})
        if extra:
            parts.append(extra)
    reply = ""
    for part in parts:
        reply += ("\n" if reply.endswith(":") else " " if reply else "") + part
    server.script = {"reply": reply}
    requests_before = len(server.requests)
    answer = assistant.ask(question)
    gated = len(server.requests) == requests_before
    shown = normalise(answer.answer)
    outcomes = []
    for item, n in batch:
        if answer.passages and n and not holds(answer.passages[n - 1], item):
            outcomes.append(Outcome(item, "skipped"))  # what the model was shown differs from what we scripted for
            continue
        if gated:
            outcomes.append(Outcome(item, "gated"))
            continue
        kept = normalise(item["claim"]) in shown
        on_span = kept and any(
            Path(c.source).name == item["file"] and c.start < item["end"] and item["start"] < c.end
            for c in answer.citations
        )
        claim = normalise(item["claim"])
        reason = next((r.reason for r in answer.verification.removed if normalise(r.text) == claim), "")
        outcomes.append(Outcome(item, "kept" if kept else "dropped", on_span, reason))
    return outcomes


def measure(items: list[dict], eval_dir: Path, embedder: SentenceEmbedder) -> list[Outcome]:
    by_corpus: dict[str, list[dict]] = defaultdict(list)
    for item in items:
        by_corpus[item["corpus"]].append(item)
    outcomes: list[Outcome] = []
    with scripted_llm_server() as server:
        url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        for corpus, corpus_items in by_corpus.items():
            assistant = open_corpus(corpus, eval_dir, embedder, url)
            root = corpus_dir(corpus, eval_dir)
            by_file: dict[str, list[dict]] = defaultdict(list)
            for item in corpus_items:
                text = load_document(root / item["file"]).text
                if text[item["start"] : item["end"]] != item["quote"]:
                    print(f"  {item['id']}: quote differs from the document text, skipped", file=sys.stderr)
                    outcomes.append(Outcome(item, "skipped"))
                    continue
                by_file[item["file"]].append(item)
            for queue in by_file.values():
                while queue:
                    first = queue[0]
                    for question in (first["claim"], first["quote"]):
                        passages = assistant.retrieve(question).passages
                        n = next((i for i, p in enumerate(passages, start=1) if holds(p, first)), None)
                        if n:
                            break
                    if not n:
                        outcomes.append(Outcome(queue.pop(0), "skipped"))
                        continue
                    batch = [(queue.pop(0), n)]
                    for other in list(queue):
                        m = next((i for i, p in enumerate(passages, start=1) if holds(p, other)), None)
                        if m and len(batch) < MAX_CLAIMS and not (
                            other["label"] == "connective" and any(i["label"] == "connective" for i, _ in batch)
                        ):
                            batch.append((other, m))
                            queue.remove(other)
                    outcomes += run_batch(assistant, server, question, batch, passages)
                    print(f"  {corpus}: {len(outcomes)} items", file=sys.stderr, end="\r")
            assistant.close()
    print(file=sys.stderr)
    return outcomes


def tally(outcomes: list[Outcome]) -> dict[tuple[str, str], Tally]:
    rows: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for o in outcomes:
        for key in ((o.item["label"], o.item["kind"]), (o.item["label"], "all")):
            t = rows[key]
            t.items += 1
            t.skipped += o.status == "skipped"
            t.gated += o.status == "gated"
            t.kept += o.status == "kept"
            t.kept_on_span += o.cites_span
            if o.status == "dropped" and o.reason:
                t.reasons[o.reason.split(",")[0][:40]] += 1
    return rows


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}% ({part}/{whole})" if whole else "n/a"


def render(results: dict[str, list[Outcome]], seconds: float, argv: list[str]) -> str:
    lines = [
        "## LLM answers: supported sentences kept, unsupported ones leaked",
        "",
        f"`{common.command_line('llm_support.py', argv)}` ({seconds:.0f} s)",
        "",
        "Every labelled sentence of tests/data/support goes through the real pipeline (`Assistant.ask`, "
        "hybrid retrieval over its corpus, `ASSISTANT_LLM=openai:...` with the real langchain-openai client) "
        "as part of a scripted reply of 2-4 claims from a loopback OpenAI-compatible server, each claim "
        "cited to the passage holding its labelled span. **Kept**: the claim is in the final `answer`. "
        "**Leaked**: an unsupported claim kept (for `wrong_span`, only when still cited to the labelled "
        "span; re-cited to the sentence that does say it, it is kept rightly and counted under 'kept, "
        "other span'). Gated: refused by the evidence threshold before the model was asked. Skipped: "
        "the span's document was not retrieved for the claim nor for its quote. Targets: supported kept "
        ">= 85%, unsupported leaked <= 5%.",
        "",
    ]
    headers = ["split", "label", "kind", "items", "skipped", "gated", "kept", "kept, other span", "leaked",
               "why removed (top)"]
    rows = []
    for split, outcomes in results.items():
        tallies = tally(outcomes)
        for (label, kind), t in sorted(tallies.items(), key=lambda kv: (kv[0][0], kv[0][1] == "all", kv[0][1])):
            asked = t.items - t.skipped
            if label == "unsupported":
                leaked = t.kept_on_span if kind == "wrong_span" else t.kept
                if kind == "all":
                    leaked = sum(
                        (tallies[(label, k)].kept_on_span if k == "wrong_span" else tallies[(label, k)].kept)
                        for (lab, k) in tallies if lab == label and k != "all"
                    )
                kept_cell, other_cell, leak_cell = "", "", pct(leaked, asked)
                if kind in ("wrong_span", "all"):
                    other_cell = str(t.kept - leaked)
            else:
                kept_cell, other_cell, leak_cell = pct(t.kept, asked), "", ""
            top = ", ".join(f"{r} ({c})" for r, c in sorted(t.reasons.items(), key=lambda rc: -rc[1])[:2])
            name = f"**{kind}**" if kind == "all" else kind
            rows.append([split, label, name, t.items, t.skipped, t.gated, kept_cell, other_cell, leak_cell, top])
    lines += [common.markdown_table(headers, rows), "", common.run_note()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=common.DEFAULT_REPORT, help="the report to write the section into")
    parser.add_argument("--eval-dir", type=Path, default=common.DEFAULT_EVAL_DIR)
    parser.add_argument("--data", type=Path, default=DATA, help="folder of the labelled <split>.jsonl files")
    parser.add_argument("--splits", nargs="+", default=["dev", "heldout"])
    args = parser.parse_args(argv)
    embedder = make_embedder(Settings())
    t0 = time.perf_counter()
    results = {}
    for split in args.splits:
        print(f"{split}:", file=sys.stderr)
        results[split] = measure(common.read_jsonl(args.data / f"{split}.jsonl"), args.eval_dir, embedder)
    body = render(results, time.perf_counter() - t0, argv)
    print(body)
    if args.out:
        common.write_report_section(args.out, "llm_support", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
