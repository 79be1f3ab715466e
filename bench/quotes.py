"""Quotation attribution: precision and recall of `index.quotes.extract_quotations` speakers on the
hand-labelled sets in tests/data/quotes (written articles, RGB news snippets, the seed article, the
gap articles, and held-out batches written after the rules, each reported on its own row), and
pairwise precision and recall of `index.speakers.group_speakers` on the speaker-merge labels.

    .venv/bin/python bench/quotes.py [--out docs/BENCHMARKS.md] [--last-held-out FILE ... [--show-heldout-errors]]

A prediction is right when it overlaps a labelled quote of the same speaker (a surname matches its
full name); precision = right / predicted, recall = labelled quotes with a speaker found / all such.
The freshest held-out batches (heldout26.jsonl, heldout27.jsonl) are scored only when named, and their errors are
listed only when asked, so that running the bench while writing rules does not turn them into development data.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections import defaultdict
from pathlib import Path

import common

from index.names import normalise_speaker, split_title
from index.quotes import AttributionCheck, check_attributions, extract_quotations
from index.records import SpeakerRow
from index.speakers import group_speakers

DATA = common.PROJECT_ROOT / "tests" / "data" / "quotes"
LABELS = DATA / "articles.jsonl"
GAPS = DATA / "gaps.jsonl"  # four articles for each known weakness; development data
# Written after the rules, each blind to the round of rules before it and run once after it, then
# looked at for the next round: reported apart, never in "all".
HELD_OUT = [DATA / f"heldout{n}.jsonl" for n in ("", *map(str, range(2, 26)))]
# Written blind at the end of the thirteenth round: scored only when named, errors hidden.
LAST_HELD_OUT = [DATA / "heldout26.jsonl", DATA / "heldout27.jsonl"]
# Written and labelled blind like the held-out batches but for development from the start: in "all".
DEV = sorted(DATA.glob("dev*.jsonl"))
MERGES = DATA / "merges.jsonl"
GAP_KINDS = ("organisation", "surname", "pronoun", "time")
HELD_OUT_GROUPS = ("held-out", *(f"held-out {n}" for n in range(2, 28)))
DEV_GROUPS = tuple(f"dev {n}" for n in range(1, 10))
GROUPS = ("written", "rgb", "seed", "gaps", *(f"gaps: {k}" for k in GAP_KINDS), *DEV_GROUPS, "all", *HELD_OUT_GROUPS)


def group_of(record: dict) -> str:
    origin = record["origin"]
    if origin.startswith("written-heldout"):  # "written-heldout3" -> "held-out 3"
        return f"held-out {origin.removeprefix('written-heldout')}".strip()
    if origin.startswith("written-dev"):  # "written-dev2" -> "dev 2"
        return f"dev {origin.removeprefix('written-dev')}"
    if origin == "written-gaps":
        return f"gaps: {record.get('gap', '?')}"
    return "seed" if origin.startswith("seeds/") else "rgb" if origin.startswith("rgb_") else "written"


def document_text(record: dict) -> str:
    return record["text"] if "text" in record else (common.PROJECT_ROOT / record["origin"]).read_text(encoding="utf-8")


def score(checks: list[AttributionCheck]) -> dict[str, float | int | None]:
    right, wrong = sum(len(c.right) for c in checks), sum(len(c.wrong) for c in checks)
    found, missed = sum(len(c.found) for c in checks), sum(len(c.missed) for c in checks)
    return {
        "predicted": right + wrong, "labelled": found + missed,
        "precision": right / (right + wrong) if right + wrong else None,
        "recall": found / (found + missed) if found + missed else None,
    }


def checks_of(by_group: dict[str, list[AttributionCheck]], name: str) -> list[AttributionCheck]:
    """The checks a row covers: "gaps" is its four kinds, "all" every development group."""
    if name == "all":
        return [c for group, checks in by_group.items() if group not in HELD_OUT_GROUPS for c in checks]
    if name == "gaps":
        return [c for group, checks in by_group.items() if group.startswith("gaps: ") for c in checks]
    return by_group.get(name, [])


def measure_news_speed(repeats: int = 5) -> tuple[float, int]:
    """Seconds to extract from every spent held-out article, one document at a time (as at ingest),
    `repeats` times, and their total length: wire stories are denser in quotes than the seed."""
    texts = [record["text"] for path in HELD_OUT for record in common.read_jsonl(path)] * repeats
    began = time.perf_counter()
    for text in texts:
        extract_quotations(text)
    return time.perf_counter() - began, sum(map(len, texts))


def measure_speed(repeats: int = 100) -> tuple[float, int]:
    """Seconds to extract from the seed article repeated `repeats` times, and its length."""
    text = "\n".join([document_text({"origin": "seeds/lithuania-critical-minerals.txt"})] * repeats)
    began = time.perf_counter()
    extract_quotations(text)
    return time.perf_counter() - began, len(text)


# -- speaker merging ---------------------------------------------------------------------------


def merge_rows(line: dict) -> list[SpeakerRow]:
    """One speaker row per entry of a merges.jsonl line, as the extractor would store it: a title
    before the name split off (`split_title`: "Prime Minister Keir Starmer" is Keir Starmer, titled),
    the key `normalise_speaker` of the rest, its surname key the key's last word."""
    rows = []
    for i, entry in enumerate(line["speakers"]):
        title, bare = split_title(entry["name"])
        name = bare or entry["name"]
        key = normalise_speaker(name)
        rows.append(SpeakerRow(key, key.split()[-1], name, title, tuple(entry["forms"]), f"{line['id']}/{i}.txt", 1))
    return rows


def merge_pairs(line: dict) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """(predicted, gold) pairs of entries of one line that are one speaker."""
    rows = merge_rows(line)
    group_of_key = {k: g for g, speaker in enumerate(group_speakers(rows)) for k in speaker.keys}
    entries = line["speakers"]
    groups = [group_of_key.get(row.speaker_key) for row in rows]
    pairs = list(itertools.combinations(range(len(entries)), 2))
    predicted = {(i, j) for i, j in pairs if groups[i] is not None and groups[i] == groups[j]}
    gold = {(i, j) for i, j in pairs if entries[i]["person"] == entries[j]["person"]}
    return predicted, gold


def merge_section(lines: list[dict]) -> list[str]:
    """The speaker-merge part of the report: pairwise figures and every wrong or missed merge."""
    right = predicted = gold = 0
    errors = []
    for line in lines:
        guessed, truth = merge_pairs(line)
        right, predicted, gold = right + len(guessed & truth), predicted + len(guessed), gold + len(truth)
        names = [e["name"] for e in line["speakers"]]
        errors += [f"- wrong merge, {line['id']}: {names[i]!r} + {names[j]!r}" for i, j in sorted(guessed - truth)]
        errors += [f"- missed merge, {line['id']}: {names[i]!r} + {names[j]!r}" for i, j in sorted(truth - guessed)]
    row = [len(lines), sum(len(line["speakers"]) for line in lines), gold, predicted,
           common.fmt(right / predicted if predicted else None), common.fmt(right / gold if gold else None)]
    return [
        "### Speaker merging",
        "",
        "`index.speakers.group_speakers` on `tests/data/quotes/merges.jsonl`: each line a mini-collection, "
        "one speaker row per entry as the extractor stores it (a title before the name split off by `split_title`, "
        "the key `normalise_speaker` of the rest, surname key its last word, its forms, its own document, one "
        "quotation). Pairwise: precision = pairs put in one speaker that are one person "
        "/ pairs put together; recall = same-person pairs put together / all same-person pairs.",
        "",
        common.markdown_table(["lines", "entries", "same-person pairs", "pairs merged", "precision", "recall"], [row]),
        "",
        f"Merge errors ({len(errors)}):",
        "",
        *(errors or ["None."]),
    ]


# -- the report --------------------------------------------------------------------------------


def render(by_group: dict[str, list[AttributionCheck]], errors: list[str], seconds: float, chars: int,
           news_seconds: float, news_chars: int, merges: list[dict], argv) -> str:
    rows = []
    for name in GROUPS:
        checks = checks_of(by_group, name)
        if not checks:
            continue
        s = score(checks)
        rows.append([f"**{name}**" if name == "all" else name, len(checks), s["labelled"], s["predicted"],
                     common.fmt(s["precision"]), common.fmt(s["recall"])])
    lines = [
        "## Quotation attribution",
        "",
        f"Produced by `{common.command_line('quotes.py', argv)}`. {common.run_note()}",
        "",
        "Who said what, by `index.quotes.extract_quotations` (rules, no model) on the hand-labelled sets in "
        "`tests/data/quotes`: short articles written around tricky attributions, quoted snippets of the "
        "rgb_en_fact corpus, the seed article, and the gap articles (four for each known weakness: "
        "organisations speaking, people named by surname alone, he/she after a man and a woman, the same "
        "speakers over time), and development batches written blind in styles the wire stories lack (local TV, "
        "tabloid, sport, courts, parliaments, profiles, markets). Organisations that speak are speakers; "
        "countries, unnamed and joint speakers and scare quotes are labelled with no speaker. A prediction is "
        "right when it overlaps a labelled quote "
        "of the same speaker (a surname matches the full name). Precision = right / predicted; recall = labelled "
        "quotes with a speaker that a right prediction overlaps / all of them (quotes labelled with no speaker "
        "count only against precision). **all** is the development data: every row above it.",
        "",
        "The rules were written while looking at the development documents, so their figures are optimistic. "
        "The held-out articles (`heldout.jsonl`) were written and labelled afterwards; their first run gave "
        "precision 1.000 (10 predicted) and recall 0.500 (10 of 20), and the misses then led to general fixes, "
        "so that row is no longer fully held out. `heldout2.jsonl` was written, blind to the rules, before the "
        "organisation, surname and pronoun rules: its first run gave precision 0.840 (25 predicted) and recall "
        "0.467 (21 of 45); after those rules, still unseen, 0.886 (35 predicted) and 0.689 (31 of 45). Its "
        "errors then led to a second round of general fixes, so it is no longer held out either. "
        "`heldout3.jsonl`, written blind after the first round, ran once after the second: precision 0.969 (32 "
        "predicted), recall 0.674 (31 of 46); its errors led to a third round. `heldout4.jsonl`, written blind "
        "during the third round, ran once after it: precision 0.949 (39 predicted), recall 0.755 (37 of 49); "
        "its errors led to a fourth. `heldout5.jsonl`, written blind during the fourth round, ran once after it: "
        "precision 0.846 (39 predicted), recall 0.702 (33 of 47); its errors led to a fifth. `heldout6.jsonl` and "
        "`heldout7.jsonl`, written blind before the fifth round, ran once after it: precision 0.761 and 0.707, "
        "recall 0.797 and 0.791, but most of the wrong were reported statements their writers had not labelled; "
        "with those labels completed (by a labeller who never ran the extractor) the same code scores precision "
        "0.985 (67 predicted) and 0.947 (75), recall 0.724 (71 of 98) and 0.712 (74 of 104). Their errors led to a "
        "sixth round. `heldout8.jsonl` and `heldout9.jsonl` (reported speech labelled from the start), written "
        "blind during the sixth round, ran once after it: precision 0.983 (58 predicted) and 0.969 (64), recall "
        "0.679 (57 of 84) and 0.738 (62 of 84); their errors led to a seventh round. `heldout10.jsonl` and "
        "`heldout11.jsonl`, written blind during the seventh round, ran once after it: precision 0.952 (62 "
        "predicted) and 0.952 (63), recall 0.738 (62 of 84) and 0.762 (61 of 80); their errors led to an eighth. "
        "`heldout12.jsonl` and `heldout13.jsonl`, written blind during the eighth round, ran once after it: "
        "precision 0.971 (69 predicted) and 1.000 (72), recall 0.827 (67 of 81) and 0.824 (70 of 85); their errors "
        "led to a ninth. `heldout14.jsonl` and `heldout15.jsonl`, written blind during the ninth round, ran once "
        "after it: precision 1.000 (69 predicted) and 0.957 (70), recall 0.863 (69 of 80) and 0.798 (67 of 84); "
        "their errors led to a tenth. `heldout16.jsonl` and `heldout17.jsonl`, written blind during the tenth "
        "round, ran once after it: precision 0.904 (73 predicted) and 0.959 (74), recall 0.783 (65 of 83) and 0.855 "
        "(71 of 83); most of their wrong were the right person under a glued word ('Challenger Katarzyna "
        "Nowicka'), which a last fix removed. `heldout18.jsonl` and `heldout19.jsonl`, written blind after the "
        "tenth round, ran once after it: precision 0.985 (66 predicted) and 0.987 (76), recall 0.783 (65 of 83) "
        "and 0.871 (74 of 85); "
        "their errors led to an eleventh round. `heldout20.jsonl` and `heldout21.jsonl`, written blind before the "
        "eleventh round, ran once after it: precision 0.924 (79 predicted) and 0.967 (90), recall 0.787 (74 of 94) "
        "and 0.873 (89 of 102); their errors, a hostile review and four development batches written blind in new "
        "styles (`dev1.jsonl` to `dev4.jsonl`, in **all**; each one's first run is recorded in "
        "`tests/data/quotes/README.md`) led to a twelfth round. `heldout22.jsonl` and `heldout23.jsonl`, written "
        "blind during the eleventh round, ran once after the twelfth: precision 0.977 (86 predicted) and 0.954 "
        "(87), recall 0.811 (86 of 106) and 0.848 (89 of 105); their errors led to a thirteenth round in the same "
        "session. `heldout24.jsonl` and `heldout25.jsonl`, written blind during the twelfth round, ran once after "
        "the thirteenth: precision 0.959 (98 predicted) and 0.955 (89), recall 0.870 (94 of 108) and 0.822 (83 of "
        "101); their errors led to a fourteenth round. `heldout26.jsonl` and `heldout27.jsonl` were written blind "
        "at the end of the thirteenth round and run once, after the fourteenth (their errors are not listed; "
        "`--show-heldout-errors` prints them): read their rows as the honest estimate, from a small sample.",
        "",
        common.markdown_table(
            ["origin", "documents", "labelled (with speaker)", "predicted", "precision", "recall"], rows
        ),
        "",
        f"Speed: {chars / max(seconds, 1e-9) / 1e6:.1f} million characters per second on one core, over the seed "
        f"article repeated into one {chars / 1e6:.1f} MB document; "
        f"{news_chars / max(news_seconds, 1e-9) / 1e6:.2f} million over the spent held-out articles, one at a time "
        f"({news_seconds / max(news_chars, 1) * 1300 * 1000:.1f} ms for a 1,300-character article).",
        "",
        f"### Errors ({len(errors)}, all but the last held-out batch)",
        "",
        *(errors or ["None."]),
        "",
        *(merge_section(merges) if merges else []),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for flag, default in (("--labels", LABELS), ("--gaps", GAPS), ("--merges", MERGES)):
        parser.add_argument(flag, type=Path, default=default,
                            help=f"default: {default.relative_to(common.PROJECT_ROOT)}")
    parser.add_argument("--show-heldout-errors", action="store_true",
                        help="also list the errors of the last held-out batches, on stderr")
    parser.add_argument("--held-out", type=Path, nargs="*", default=HELD_OUT,
                        help="the held-out batches looked at already (default: heldout.jsonl to heldout25.jsonl)")
    parser.add_argument("--last-held-out", type=Path, nargs="*", default=[],
                        help="the last held-out batches, scored only when named: "
                        + ", ".join(p.name for p in LAST_HELD_OUT))
    parser.add_argument("--out", type=Path, default=common.DEFAULT_REPORT,
                        help="report to update (its 'quotes' section)")
    args = parser.parse_args(argv)

    def read(path: Path) -> list[dict]:
        return common.read_jsonl(path) if path.is_file() else []

    by_group: dict[str, list[AttributionCheck]] = defaultdict(list)
    errors, hidden = [], []
    last = [record for path in args.last_held_out for record in read(path)]
    seen = [record for path in args.held_out for record in read(path)]
    for record in [*read(args.labels), *read(args.gaps), *(r for path in DEV for r in read(path)), *seen, *last]:
        text = document_text(record)
        check = check_attributions(text, extract_quotations(text), record["quotes"])
        group = group_of(record)
        by_group[group].append(check)
        listed = hidden if record in last else errors
        listed += [f"- wrong, {record['id']}: {q.speaker!r} for “{q.text[:90]}”" for q in check.wrong]
        listed += [f"- missed, {record['id']}: {label['speaker']!r} for “{label['quote'][:90]}”"
                   for label in check.missed]
    body = render(by_group, errors, *measure_speed(), *measure_news_speed(), read(args.merges), argv)
    common.publish_section(args.out, "quotes", body)
    if args.show_heldout_errors:
        names = ", ".join(map(str, args.last_held_out))
        print("\n".join([f"\n{names} errors ({len(hidden)}):", *hidden]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
