"""The watched folder: from a file saved into the folder to the release being answerable.

An index over ``--base`` releases of the Newsworthy archive (every k-th markdown file in
path order, none of the held-out evaluation paths), then, in one process with the model
loaded:

1. **baseline**: ``--drops`` other releases copied into the folder one at a time, each
   indexed by a direct ``index.sync([file])`` (what ``pressroom ingest FILE`` does);
2. **watcher**: a :class:`watch.Watcher` on the folder (default settings); ``--drops``
   more releases saved into the folder one at a time, each timed from the write to the
   watcher's report that indexed it, and to ``qa.retrieve`` returning it for its headline;
3. **burst**: ``--burst`` releases saved at once, timed to the last one indexed, with the
   number of syncs (generations) they took; its ratio is against the baseline's median
   times the number of files (each synced on its own).

Prints a Markdown table.

    python benchmarks/watch_latency.py                     # 300 releases, 10 drops, 20 at once
    python benchmarks/watch_latency.py --base 1000 --drops 20
"""

from __future__ import annotations

import argparse
import queue
import shutil
import statistics
import tempfile
import time
from pathlib import Path

if not __package__:  # run as a script
    import _repo_path  # noqa: F401

from benchmarks._repo_path import REPO

ARCHIVE = Path("/tmp/arch_ok")  # the archive, extracted, held-out releases removed
HELDOUT = REPO.parent / "shared" / "eval" / "heldout_archive_paths.txt"


def releases(archive: Path, n: int) -> list[Path]:
    """``n`` archive releases, every k-th in path order, none of the held-out paths."""
    lines = HELDOUT.read_text(encoding="utf-8").splitlines()
    skip = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    paths = sorted(p for p in archive.rglob("*.md") if str(p.relative_to(archive)) not in skip)
    step = max(1, len(paths) // n)
    return paths[::step][:n]


def _flat(path: Path, archive: Path) -> str:
    return str(path.relative_to(archive)).replace("/", "_")


def _q(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=int, default=300, help="releases indexed first")
    parser.add_argument("--drops", type=int, default=10, help="releases saved one at a time")
    parser.add_argument("--burst", type=int, default=20, help="releases saved at once")
    parser.add_argument("--archive", type=Path, default=ARCHIVE)
    args = parser.parse_args()

    from index import get_encoder, open_reader, sync
    from qa import retrieve
    from watch import DEFAULT_SETTLE, Watcher

    files = releases(args.archive, args.base + 2 * args.drops + args.burst)
    base, rest = files[: args.base], files[args.base :]
    direct, watched = rest[: args.drops], rest[args.drops : 2 * args.drops]
    burst = rest[2 * args.drops :]
    work = Path(tempfile.mkdtemp(prefix="watch-bench-"))
    folder, index_dir = work / "releases", work / "index"
    folder.mkdir()
    for p in base:
        shutil.copy2(p, folder / _flat(p, args.archive))
    encoder = get_encoder()
    started = time.perf_counter()
    report = sync([folder], index_dir, encoder=encoder)
    print(
        f"index: {report.documents} releases, {report.chunks} chunks "
        f"in {time.perf_counter() - started:.0f} s"
    )

    rows = []
    times = []
    for p in direct:
        target = folder / _flat(p, args.archive)
        t0 = time.perf_counter()
        shutil.copyfile(p, target)
        sync([target], index_dir, encoder=encoder)
        times.append(time.perf_counter() - t0)
    rows.append(("baseline: copy, then `index.sync([file])`", times, None, args.drops))
    baseline = statistics.median(times)

    reports: queue.Queue = queue.Queue()
    watcher = Watcher(folder, index_dir, encoder=encoder, on_sync=lambda r, s: reports.put(r))
    t0 = time.perf_counter()
    watcher.start()
    caught_up = reports.get(timeout=600)
    catch_up = time.perf_counter() - t0
    indexed, answerable, found = [], [], 0
    for p in watched:
        target = folder / _flat(p, args.archive)
        t0 = time.perf_counter()
        shutil.copyfile(p, target)  # a new file: written now, its mtime fresh
        while str(target) not in reports.get(timeout=60).added:
            pass
        indexed.append(time.perf_counter() - t0)
        doc = next(d for d in open_reader(index_dir).documents() if d.path == str(target))
        hits = retrieve(doc.title or target.stem, k=5, index_dir=index_dir)
        answerable.append(time.perf_counter() - t0)
        found += any(h.source == str(target) for h in hits)
    rows.append(("watcher: saved into the folder -> indexed", indexed, None, args.drops))
    rows.append(("watcher: saved -> returned by `retrieve`", answerable, None, args.drops))

    t0 = time.perf_counter()
    targets = set()
    for p in burst:
        target = folder / _flat(p, args.archive)
        shutil.copyfile(p, target)
        targets.add(str(target))
    syncs = 0
    while targets:
        r = reports.get(timeout=600)
        syncs += 1
        targets -= set(r.added)
    rows.append((f"burst: {args.burst} saved at once -> all indexed", [time.perf_counter() - t0],
                 syncs, args.burst))  # fmt: skip
    watcher.stop()

    print(
        f"\n{report.documents} releases indexed first; settle {DEFAULT_SETTLE:g} s; "
        f"the watcher's catch-up at start (nothing changed): {catch_up:.2f} s "
        f"(its sync {caught_up.seconds:.2f} s); {found} of {len(watched)} dropped releases "
        "were among the first 5 results for their own headline\n"
    )
    print("| step | files | p50 s | p95 s | max s | syncs | vs baseline |")
    print("|---|---|---|---|---|---|---|")
    for name, values, n_syncs, n in rows:
        med = statistics.median(values)
        # the burst against its files synced one by one (n x the baseline's median)
        ratio = med / (baseline * (n if n_syncs is not None else 1))
        print(
            f"| {name} | {n} | {med:.2f} | {_q(values, 0.95):.2f} | {max(values):.2f} | "
            f"{n_syncs if n_syncs is not None else '-'} | {ratio:.2f} |"
        )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
