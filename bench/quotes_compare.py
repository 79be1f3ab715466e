"""Quotation extraction of this checkout against another one (a git worktree of an earlier commit):
time over the spent held-out articles, one document at a time, in alternating pairs; and every
speaker that differs over the rgb_en_fact corpus, with its context, to read for regressions.

    git worktree add /tmp/old <commit>
    .venv/bin/python bench/quotes_compare.py /tmp/old [--pairs 3] [--corpus ../shared/eval/rgb_en_fact/corpus]

Each checkout runs in a process of its own (so both import their own `index`); prints, does not
write docs/.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import common
import quotes

# Run inside the child process: python -c CHILD <checkout> <mode> <corpus>
CHILD = r"""
import glob, json, sys, time
sys.path.insert(0, sys.argv[1])
from index.quotes import extract_quotations
mode, corpus = sys.argv[2], sys.argv[3]
if mode == "time":
    texts = json.load(sys.stdin)
    began = time.perf_counter()
    for text in texts:
        extract_quotations(text)
    print(json.dumps(time.perf_counter() - began))
else:
    out = {}
    for path in sorted(glob.glob(corpus + "/*.txt")):
        text = open(path, encoding="utf-8", errors="replace").read()
        out[path] = sorted({(q.start, q.speaker) for q in extract_quotations(text)})
    print(json.dumps(out))
"""


def run(checkout: Path, mode: str, corpus: Path, stdin: str = "") -> object:
    done = subprocess.run([sys.executable, "-c", CHILD, str(checkout), mode, str(corpus)], input=stdin,
                          capture_output=True, text=True, check=True, cwd="/")
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("other", type=Path, help="the other checkout (a git worktree)")
    parser.add_argument("--pairs", type=int, default=3, help="timed pairs, alternating which goes first")
    parser.add_argument("--corpus", type=Path, default=common.PROJECT_ROOT.parent / "shared/eval/rgb_en_fact/corpus")
    args = parser.parse_args(argv)
    this = common.PROJECT_ROOT
    texts = json.dumps([r["text"] for path in quotes.HELD_OUT for r in common.read_jsonl(path)])
    for i in range(args.pairs):
        order = [this, args.other] if i % 2 == 0 else [args.other, this]
        seconds = {str(c): run(c, "time", args.corpus, texts) for c in order}
        print(f"pair {i + 1}: this {seconds[str(this)]:.2f} s, other {seconds[str(args.other)]:.2f} s, "
              f"ratio {seconds[str(this)] / seconds[str(args.other)]:.2f}")
    new, old = run(this, "speakers", args.corpus), run(args.other, "speakers", args.corpus)
    assert isinstance(new, dict) and isinstance(old, dict)
    changed = 0
    for path, found in new.items():
        now, before = {tuple(x) for x in found}, {tuple(x) for x in old.get(path, [])}
        if now != before:
            changed += 1
            text = Path(path).read_text(encoding="utf-8", errors="replace")
            for tag, side in (("new ", now - before), ("gone", before - now)):
                for start, speaker in sorted(side):
                    context = text[max(0, start - 110):start + 50].replace("\n", " / ")
                    print(f"{tag} {Path(path).name} {speaker!r} | {context}")
    print(f"{changed} of {len(new)} documents differ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
