"""The company list a user sees, before and after: issuers of a folder of releases.

Parses every release of a folder with this checkout's code and, with ``--repo``, with
another checkout's (e.g. ``main``) in the same run, and prints for each: the releases with
an issuer, with tickers, and the entries of the company list (the UI's company filter).
Before issue 16 the list held one entry per distinct spelling; now one per merged company
(:func:`qa.companies.company_directory`). The top of each list is printed, with how many
releases each entry has, so that junk and split companies show; "not a name" counts the
entries :func:`ingest.identity.plausible_name` rejects (this checkout's own rule, so a rough
check of the old list, not a measurement of the new one).

    nice -n 10 python benchmarks/company_list.py --folder benchmarks/out/corpus_wide \
        --repo /work/main --exclude benchmarks/data/issuers/sample.txt
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

_CHILD = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from ingest.loaders import load_file
from ingest.normalize import normalize_text
from ingest.release import parse_release
out = []
for p in json.loads(sys.stdin.read()):
    m = parse_release(normalize_text(load_file(p).text), path=p)
    company = m.company.value if m.company else None
    out.append([company, [t.value for t in m.tickers], m.date.value if m.date else None])
print(json.dumps(out))
"""


def parse_all(repo: Path, paths: list[str]) -> list[tuple[str | None, tuple[str, ...], str | None]]:
    """(company, tickers, date) per release, parsed with the code of ``repo``."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(repo)],
        input=json.dumps(paths),
        capture_output=True,
        text=True,
        check=True,
        cwd=repo,
    )
    return [(c, tuple(t), d) for c, t, d in json.loads(done.stdout)]


def spelling_list(rows: list) -> list[tuple[str, int]]:
    """The old company list: one entry per spelling (or first ticker), with its releases."""
    counts = Counter((c or "").strip() or (t[0] if t else "") for c, t, _ in rows)
    counts.pop("", None)
    return counts.most_common()


def merged_list(rows: list) -> list[tuple[str, int]]:
    """The company list now: one entry per merged company, with its releases."""
    from qa.companies import company_directory

    d = company_directory((i, c, t, day) for i, (c, t, day) in enumerate(rows))
    return sorted(((c.label(), len(c.doc_ids)) for c in d.companies), key=lambda x: -x[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, default=REPO / "benchmarks" / "out" / "corpus_wide")
    parser.add_argument("--repo", type=Path, help="a baseline checkout (one entry per spelling)")
    parser.add_argument("--exclude", type=Path, help="a file of relative paths to leave out")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    skip = set(args.exclude.read_text().split()) if args.exclude else set()
    paths = [
        str(p)
        for p in sorted(args.folder.rglob("*.md"))
        if str(p.relative_to(args.folder)) not in skip
    ]
    runs = []
    if args.repo:
        rows = parse_all(args.repo.resolve(), paths)
        runs.append((f"{args.repo} (one entry per spelling)", rows, spelling_list(rows)))
    rows = parse_all(REPO, paths)
    runs.append(("this checkout (merged companies)", rows, merged_list(rows)))
    print(f"{len(paths)} releases of {args.folder}")
    from ingest.identity import plausible_name

    print("| code | with an issuer | with tickers | company list entries | of them not a name |")
    print("|---|---|---|---|---|")
    for name, rows, listed in runs:
        issuer = sum(1 for c, _, _ in rows if c)
        tick = sum(1 for _, t, _ in rows if t)
        n = len(rows)
        odd = sum(1 for label, _ in listed if not plausible_name(label.split(" (")[0]))
        print(
            f"| {name} | {issuer} ({issuer / n:.0%}) | {tick} ({tick / n:.0%}) | {len(listed)} "
            f"| {odd} |"
        )
    for name, _, listed in runs:
        print(f"\nTop {args.top} of the list, {name}:")
        for label, count in listed[: args.top]:
            print(f"  {count:4d}  {label}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
