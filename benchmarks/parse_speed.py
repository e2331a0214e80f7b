"""Parse-only ingest speed: load, normalise and parse N archive releases (no embedding).

What the issuer reader adds to ingest is parsing time, and the model's time is the same
either way, so this times the part that changes: :func:`ingest.load_file`,
:func:`ingest.normalize.normalize_text` and :func:`ingest.release.parse_release` over the
first N releases of a folder in path order, best of ``--repeat`` runs. ``--repo`` times
another checkout's code (e.g. ``main``) in the same run, for a ratio against a baseline;
the checkouts take turns, each run in a fresh interpreter. ``--cpu`` times the process's CPU
time instead of the wall clock, which other work on a shared machine moves less.

    nice -n 10 python benchmarks/parse_speed.py --folder benchmarks/out/corpus_wide -n 2000 \
        --repo /work/main
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

_CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from ingest.loaders import load_file
from ingest.normalize import normalize_text
from ingest.release import parse_release
paths = json.loads(sys.stdin.read())
clock = time.process_time if sys.argv[3] == "cpu" else time.perf_counter
best = None
for _ in range(int(sys.argv[2])):
    t0 = clock()
    for p in paths:
        parse_release(normalize_text(load_file(p).text), path=p)
    took = clock() - t0
    best = took if best is None else min(best, took)
print(json.dumps({"seconds": best}))
"""


def _time(repo: Path, paths: list[str], repeat: int, clock: str = "wall") -> float:
    """Best parse time of ``paths`` with the code of ``repo`` (in a fresh interpreter)."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(repo), str(repeat), clock],
        input=json.dumps(paths),
        capture_output=True,
        text=True,
        check=True,
        cwd=repo,
    )
    return json.loads(out.stdout)["seconds"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, default=REPO / "benchmarks" / "out" / "corpus_wide")
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--repo", type=Path, action="append", default=[], help="baseline code")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="time the process's CPU time, not the wall clock (steadier on a busy machine)",
    )
    args = parser.parse_args(argv)
    paths = sorted(str(p) for p in args.folder.rglob("*.md"))[: args.n]
    repos = [(str(r), r.resolve()) for r in args.repo] + [("this checkout", REPO)]
    best: dict[str, float] = {}
    for _ in range(args.repeat):  # the checkouts take turns: a busy machine slows both alike
        for name, repo in repos:
            took = _time(repo, paths, 1, "cpu" if args.cpu else "wall")
            best[name] = min(best.get(name, took), took)
    rows = [(name, best[name]) for name, _ in repos]
    base = rows[0][1]
    print(
        f"{len(paths)} releases, parse only (load + normalise + parse_release), best of "
        f"{args.repeat}{', CPU time' if args.cpu else ''}"
    )
    print(f"| code | seconds | ms/release | ratio to {rows[0][0]} |")
    print("|---|---|---|---|")
    for name, secs in rows:
        print(f"| {name} | {secs:.2f} | {1000 * secs / len(paths):.2f} | {secs / base:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
