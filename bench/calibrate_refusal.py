"""Choose the extractive answerer's refusal threshold from the unit scores bench/evaluate.py dumped.

The answerer refuses when its best unit scores below the threshold (or there is no unit at all),
so each threshold is replayed on the dumped best scores without running any model. Recommended:
the threshold with the highest refusal accuracy on unanswerable questions (only squad has them)
whose false-refusal rate on answerable questions, pooled over the sets, stays within the budget;
ties go to fewer false refusals, then to the lower threshold.

    .venv/bin/python bench/calibrate_refusal.py [--sets squad_v1.1_dev rgb_en_fact] [--out docs/BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import common

from assistant import Settings
from assistant.evaluation import share
from assistant.scoring import refuses

THRESHOLDS = [c / 100 for c in range(20, 71)]  # 0.20 .. 0.70 in steps of 0.01
MAX_FALSE_REFUSALS = 0.10
COMPACT_EVERY = 5  # hundredths: the report shows every 0.05 (plus the chosen and current values)


@dataclass
class SweepRow:
    threshold: float
    refusal_accuracy: float | None  # refused / unanswerable, all sets pooled
    false_refusals: dict[str, float | None]  # per set, and "pooled": refused / answerable
    balanced_accuracy: float | None  # mean of refusal accuracy and (1 - pooled false refusals)
    top_unit_correct: float | None  # answerable, not refused, and the best unit holds a gold answer


def sweep_row(records: dict[str, list[dict]], threshold: float) -> SweepRow:
    def refused(record: dict) -> bool:
        return refuses(record["top_unit_score"], threshold)

    pooled = [r for rs in records.values() for r in rs]
    answerable = [r for r in pooled if r["answerable"]]
    refusal_accuracy = share(refused(r) for r in pooled if not r["answerable"])
    false_refusals = {name: share(refused(r) for r in rs if r["answerable"]) for name, rs in records.items()}
    false_refusals["pooled"] = share(map(refused, answerable))
    balanced = (
        (refusal_accuracy + 1 - false_refusals["pooled"]) / 2
        if refusal_accuracy is not None and false_refusals["pooled"] is not None else None
    )
    correct = share(not refused(r) and r["top_unit_hit"] for r in answerable)
    return SweepRow(threshold, refusal_accuracy, false_refusals, balanced, correct)


def choose(rows: list[SweepRow], max_false_refusals: float = MAX_FALSE_REFUSALS) -> SweepRow | None:
    """Best refusal accuracy within the false-refusal budget; None if no threshold fits it (or
    there are no unanswerable questions to measure refusals on)."""
    allowed = [
        (r.refusal_accuracy, pooled, r) for r in rows
        if r.refusal_accuracy is not None and (pooled := r.false_refusals["pooled"]) is not None
        and pooled <= max_false_refusals
    ]
    if not allowed:
        return None
    return min(allowed, key=lambda a: (-a[0], a[1], a[2].threshold))[2]


def sweep_table(rows: list[SweepRow], set_names: list[str], chosen: SweepRow | None, current: float) -> str:
    headers = ["threshold", "refusal acc. (unanswerable)", *(f"false refusals {n}" for n in set_names),
               "false refusals pooled", "balanced acc.", "answered, best unit has gold"]

    def cells(row: SweepRow) -> list[str]:
        marks = [m for m, on in (("chosen", row is chosen), ("current", math.isclose(row.threshold, current))) if on]
        label = f"{row.threshold:.2f}" + (f" ({', '.join(marks)})" if marks else "")
        return [label, common.fmt(row.refusal_accuracy), *(common.fmt(row.false_refusals[n]) for n in set_names),
                common.fmt(row.false_refusals["pooled"]), common.fmt(row.balanced_accuracy),
                common.fmt(row.top_unit_correct)]

    return common.markdown_table(headers, map(cells, rows))


def recommendation(chosen: SweepRow | None, current: float) -> str:
    if chosen is None:
        return (
            f"No recommendation: no threshold has both unanswerable questions to refuse and pooled false refusals "
            f"<= {MAX_FALSE_REFUSALS:.2f}; keep {current:.2f}."
        )
    return (
        f"Recommended refusal threshold: **{chosen.threshold:.2f}** (current setting {current:.2f}): "
        f"refusal accuracy {common.fmt(chosen.refusal_accuracy)} on unanswerable questions, pooled false refusals "
        f"{common.fmt(chosen.false_refusals['pooled'])} (budget {MAX_FALSE_REFUSALS:.2f}), "
        f"balanced accuracy {common.fmt(chosen.balanced_accuracy)}."
    )


def render(
    rows: list[SweepRow], records: dict[str, list[dict]], chosen: SweepRow | None, current: float, argv: list[str]
) -> str:
    counts = ", ".join(
        f"{name}: {sum(r['answerable'] for r in rs)} answerable / "
        f"{sum(not r['answerable'] for r in rs)} unanswerable"
        for name, rs in records.items()
    )
    compact = [
        r for r in rows
        if round(r.threshold * 100) % COMPACT_EVERY == 0 or r is chosen or math.isclose(r.threshold, current)
    ]
    return "\n".join([
        "## Refusal threshold calibration",
        "",
        f"Produced by `{common.command_line('calibrate_refusal.py', argv)}` from the unit scores dumped by the "
        f"evaluate run above (bench/.cache/<set>/unit_scores.jsonl). {common.run_note()}",
        "",
        f"Questions: {counts}. Refusal accuracy rests on squad's unanswerable questions alone, so one question "
        "moves it by about 0.02. A question is refused when its best unit (`EvidenceScorer.score_units`) scores "
        "below the threshold. The last column is the share of answerable questions that are answered and whose "
        f"best unit contains a gold answer. Rule: maximise refusal accuracy subject to pooled false refusals <= "
        f"{MAX_FALSE_REFUSALS:.2f}; the full sweep (0.20 to 0.70 by 0.01) is printed by the command.",
        "",
        sweep_table(compact, list(records), chosen, current),
        "",
        recommendation(chosen, current),
    ])


def load_records(set_names: list[str]) -> dict[str, list[dict]]:
    missing = [name for name in set_names if not common.unit_scores_path(name).is_file()]
    if missing:
        raise SystemExit(
            f"error: no unit scores for {', '.join(missing)}; "
            f"run .venv/bin/python bench/evaluate.py --sets {' '.join(missing)} first"
        )
    return {name: common.read_jsonl(common.unit_scores_path(name)) for name in set_names}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="+", default=list(common.DEFAULT_SETS), help="sets whose dumps to pool")
    parser.add_argument("--out", type=Path, default=common.DEFAULT_REPORT,
                        help="report to update (its 'calibrate' section)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    records = load_records(args.sets)
    current = Settings().refusal_threshold
    rows = [sweep_row(records, t) for t in THRESHOLDS]
    chosen = choose(rows)
    print(sweep_table(rows, list(records), chosen, current))
    print()
    print(recommendation(chosen, current))
    common.write_report_section(args.out, "calibrate", render(rows, records, chosen, current, argv))
    print(f"\nwrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
