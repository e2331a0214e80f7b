"""What saved searches cost after a sync: ``qa.alerts.after_sync`` against the sync itself.

An index over the bundled releases; ``--searches`` saved questions (the workload below:
typical alert questions, not labels of any release); then ``--releases`` archive releases
(drawn with ``random.Random(11)`` from the extracted archive outside the held-out and wide
sets) are synced in, and every saved search is run over them. The table gives both times
in the same run, the ratio, the cost per (search, release), and how many releases each
question alerted on (a count, not a quality measure: nobody labelled these).

    nice -n 10 python benchmarks/alerts.py --releases 40 --searches 5
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from pathlib import Path

if not __package__:  # run as a script
    import _repo_path  # noqa: F401

from index import get_encoder, sync  # noqa: E402
from qa.alerts import after_sync, save_search  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
ARCHIVE = Path("/tmp/arch_ok")
SHARED = REPO.parent / "shared" / "eval"
QUESTIONS = [
    "Which company announced an acquisition?",
    "Who was appointed chief executive officer?",
    "Which product received FDA approval?",
    "How much funding did the company raise?",
    "Which companies announced a partnership?",
    "What were the quarterly revenues?",
    "Which company launched a new mobile app?",
    "Where is the company opening a new office?",
]


def _listed(path: Path) -> set[str]:
    if not path.exists():
        return set()
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def archive_sample(n: int) -> list[Path]:
    skip = _listed(SHARED / "heldout_archive_paths.txt")
    skip |= _listed(REPO / "benchmarks" / "data" / "blind" / "wide_archive.txt")
    paths = sorted(p for p in ARCHIVE.rglob("*.md") if str(p.relative_to(ARCHIVE)) not in skip)
    return sorted(random.Random(11).sample(paths, n))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=40)
    parser.add_argument("--searches", type=int, default=5)
    parser.add_argument(
        "--show", action="store_true", help="print each alert's headline and sentence"
    )
    args = parser.parse_args()
    encoder = get_encoder()
    work = Path(tempfile.mkdtemp(prefix="alerts-bench-"))
    try:
        index_dir, news = work / "idx", work / "news"
        sync([REPO / "data" / "releases"], index_dir, encoder=encoder)
        questions = QUESTIONS[: args.searches]
        for q in questions:
            save_search(index_dir, q)
        news.mkdir()
        for i, path in enumerate(archive_sample(args.releases)):
            shutil.copy(path, news / f"{i:04d}-{path.name}")
        started = time.perf_counter()
        report = sync([news], index_dir, encoder=encoder)
        sync_s = time.perf_counter() - started
        started = time.perf_counter()
        found = after_sync(index_dir, report, encoder=encoder)
        alerts_s = time.perf_counter() - started
    finally:
        shutil.rmtree(work, ignore_errors=True)
    pairs = len(questions) * len(report.added)
    print(
        f"{len(report.added)} releases added ({report.chunks_embedded} chunks embedded), "
        f"{len(questions)} saved searches\n"
    )
    print("| step | seconds | vs the sync | ms per (search, release) |")
    print("|---|---|---|---|")
    print(f"| sync (parse, embed, publish) | {sync_s:.1f} | 1.00 | - |")
    print(
        f"| after_sync (every saved search) | {alerts_s:.1f} | {alerts_s / sync_s:.2f} | "
        f"{1000 * alerts_s / max(pairs, 1):.0f} |"
    )
    print()
    for q in questions:
        mine = [a for a in found if a.question == q]
        print(f"- {q!r}: {len(mine)} of {len(report.added)} releases alerted")
        for a in mine if args.show else ():
            print(f"    {a.score:.2f} {a.title[:90]!r}: {' '.join(a.answer.split())[:160]!r}")


if __name__ == "__main__":
    main()
