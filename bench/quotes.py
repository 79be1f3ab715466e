"""Quotation attribution: precision and recall of `index.quotes.extract_quotations` speakers on the
hand-labelled set in tests/data/quotes (written articles, RGB news snippets, the seed article).

    .venv/bin/python bench/quotes.py [--out docs/BENCHMARKS.md]

A prediction is right when it overlaps a labelled quote of the same speaker (a surname matches its
full name); precision = right / predicted, recall = labelled quotes with a speaker found / all such.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

from common import DEFAULT_REPORT, PROJECT_ROOT, command_line, fmt, markdown_table, read_jsonl, run_note, write_report_section

from index.quotes import AttributionCheck, check_attributions, extract_quotations

LABELS = PROJECT_ROOT / "tests" / "data" / "quotes" / "articles.jsonl"


def group_of(origin: str) -> str:
    return "seed" if origin.startswith("seeds/") else "rgb" if origin.startswith("rgb_") else "written"


def document_text(record: dict) -> str:
    return record["text"] if "text" in record else (PROJECT_ROOT / record["origin"]).read_text(encoding="utf-8")


def score(checks: list[AttributionCheck]) -> dict[str, float | int | None]:
    right, wrong = sum(len(c.right) for c in checks), sum(len(c.wrong) for c in checks)
    found, missed = sum(len(c.found) for c in checks), sum(len(c.missed) for c in checks)
    return {
        "predicted": right + wrong, "labelled": found + missed,
        "precision": right / (right + wrong) if right + wrong else None,
        "recall": found / (found + missed) if found + missed else None,
    }


def render(by_group: dict[str, list[AttributionCheck]], errors: list[str], seconds: float, chars: int, argv) -> str:
    everything = [c for checks in by_group.values() for c in checks]
    rows = []
    for name in ("written", "rgb", "seed", "all"):
        checks = everything if name == "all" else by_group.get(name, [])
        s = score(checks)
        rows.append([f"**{name}**" if name == "all" else name, len(checks), s["labelled"], s["predicted"],
                     fmt(s["precision"]), fmt(s["recall"])])
    lines = [
        "## Quotation attribution",
        "",
        f"Produced by `{command_line('quotes.py', argv)}`. {run_note()}",
        "",
        "Who said what, by `index.quotes.extract_quotations` (rules, no model) on the hand-labelled set "
        "`tests/data/quotes/articles.jsonl`: short articles written around tricky attributions, quoted "
        "snippets of the rgb_en_fact corpus, and the seed article. A prediction is right when it overlaps "
        "a labelled quote of the same speaker (a surname matches the full name). Precision = right / "
        "predicted; recall = labelled quotes with a speaker that a right prediction overlaps / all of them "
        "(quotes labelled with no speaker, such as scare quotes and organisations, count only against "
        "precision).",
        "",
        markdown_table(["origin", "documents", "labelled (with speaker)", "predicted", "precision", "recall"], rows),
        "",
        f"Speed: {chars / max(seconds, 1e-9) / 1e6:.1f} million characters per second, one core.",
        "",
        f"### Errors ({len(errors)})",
        "",
        *(errors or ["None."]),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=Path, default=LABELS, help=f"default: {LABELS.relative_to(PROJECT_ROOT)}")
    parser.add_argument("--out", type=Path, default=DEFAULT_REPORT, help="report to update (its 'quotes' section)")
    args = parser.parse_args(argv)

    by_group: dict[str, list[AttributionCheck]] = defaultdict(list)
    errors, seconds, chars = [], 0.0, 0
    for record in read_jsonl(args.labels):
        text = document_text(record)
        began = time.perf_counter()
        predicted = extract_quotations(text)
        seconds += time.perf_counter() - began
        chars += len(text)
        check = check_attributions(text, predicted, record["quotes"])
        by_group[group_of(record["origin"])].append(check)
        errors += [f"- wrong, {record['id']}: {q.speaker!r} for “{q.text[:90]}”" for q in check.wrong]
        errors += [f"- missed, {record['id']}: {label['speaker']!r} for “{label['quote'][:90]}”" for label in check.missed]
    report = render(by_group, errors, seconds, chars, argv)
    write_report_section(args.out, "quotes", report)
    print(report)
    print(f"\nwrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
