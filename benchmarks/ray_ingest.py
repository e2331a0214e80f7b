"""Ingest on a local Ray cluster (2 embedding workers) against the single-process sync.

Same files, same cores: N releases of the Newsworthy archive (every k-th markdown file in
path order, none of the held-out evaluation paths), each run into an empty index, the two
paths alternating so the VM's drift falls on both. Both times include loading the model
(the single process loads it once, each Ray worker once) and publishing; the Ray time does
not include starting the local cluster, which is timed on its own (a joined cluster,
``--ray ADDRESS``, costs nothing to start). Prints a table in Markdown.

    python benchmarks/ray_ingest.py                 # 300 releases, 2 rounds
    python benchmarks/ray_ingest.py --releases 100 --rounds 1
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tarfile
import tempfile
import time
from pathlib import Path

if not __package__:  # run as a script
    import _repo_path  # noqa: F401

from benchmarks._repo_path import REPO

ARCHIVE = "press_releases_newsworthy/all-releases-markdown.tar.gz"
PREFIX = "newsworthy-press-releases/"
OUT = REPO / "benchmarks" / "out" / "ray_ingest"


def heldout(data: Path) -> set[str]:
    lines = (data.parent / "heldout_archive_paths.txt").read_text().splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def sample_releases(data: Path, n: int) -> Path:
    """Every k-th archive release not held out, extracted once under ``benchmarks/out``."""
    target = OUT / f"releases_{n}"
    if (target / ".complete").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    skip = heldout(data)
    with tarfile.open(data / ARCHIVE, "r:gz") as tar:
        members = sorted(
            (m for m in tar if m.isfile() and m.name.endswith(".md")), key=lambda m: m.name
        )
        members = [m for m in members if m.name.removeprefix(PREFIX) not in skip]
        step = max(1, len(members) // n)
        chosen = members[::step][:n]
        assert not {m.name.removeprefix(PREFIX) for m in chosen} & skip
        tar.extractall(target, members=chosen, filter="data")
    (target / ".complete").write_text(str(len(chosen)))
    return target


def run_single(corpus: Path, index_dir: Path) -> tuple[float, int]:
    from index import sync
    from index.encoder import LazyEncoder, _load

    encoder = LazyEncoder(
        "sentence-transformers/all-MiniLM-L6-v2", lambda: _load(encoder.name, "onnx")
    )
    started = time.perf_counter()
    report = sync([corpus], index_dir, encoder=encoder)
    assert not report.failed, report.failed
    return time.perf_counter() - started, report.chunks


def run_ray(corpus: Path, index_dir: Path, workers: int) -> tuple[float, int]:
    from index.cluster import ClusterEncoder, cluster_sync

    started = time.perf_counter()
    report = cluster_sync([corpus], index_dir, encoder=ClusterEncoder(workers=workers))
    assert not report.failed, report.failed
    return time.perf_counter() - started, report.chunks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "eval" / "data")
    parser.add_argument("--releases", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from index.cluster import import_ray

    ray = import_ray()
    corpus = sample_releases(args.data, args.releases)
    n_files = sum(1 for _ in corpus.rglob("*.md"))
    started = time.perf_counter()
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        object_store_memory=512 * 1024 * 1024,
    )
    ray_start = time.perf_counter() - started
    times: dict[str, list[float]] = {"single": [], "ray": []}
    chunks: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="ray-ingest-") as tmp:
        for r in range(args.rounds):
            for name in ("single", "ray"):
                index_dir = Path(tmp) / f"{name}-{r}"
                if name == "single":
                    seconds, n = run_single(corpus, index_dir)
                else:
                    seconds, n = run_ray(corpus, index_dir, args.workers)
                times[name].append(seconds)
                chunks[name] = n
                print(f"round {r + 1} {name}: {seconds:.1f} s, {n} chunks", file=sys.stderr)
                shutil.rmtree(index_dir)
    ray.shutdown()
    assert chunks["single"] == chunks["ray"], chunks

    base = statistics.median(times["single"])
    print(
        f"\n{n_files} archive releases, {chunks['single']} chunks, 2 cores; "
        f"local Ray cluster start {ray_start:.1f} s (not in the Ray times)\n"
    )
    print(
        "| path | embedding workers | runs, s | median s | chunks/s | chunks/s per core "
        "| time vs single |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, label, workers in (
        ("single", "single process (`index.sync`, ONNX on 2 threads)", "1 (2 threads)"),
        ("ray", "Ray local (`--ray local`), 2 CPUs", f"{args.workers} (1 thread each)"),
    ):
        med = statistics.median(times[name])
        rate = chunks[name] / med
        runs = ", ".join(f"{t:.1f}" for t in times[name])
        print(
            f"| {label} | {workers} | {runs} | {med:.1f} | {rate:.1f} | {rate / 2:.1f} | "
            f"{med / base:.2f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
