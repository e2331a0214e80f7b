"""What adding ten releases to a large index costs: time per step and disk while publishing.

An update copies the published store, applies its changes, brings the derived tables up
to date, writes the vectors and publishes a new generation (``index.writer``). This
benchmark adds ``--add`` releases to the scale benchmark's indexes
(``benchmarks/scale_build.py``: real archive text, synthetic vectors of real geometry, so
embedding costs nothing here and the table is the update's own work), then removes them
again, and prints per size and step where the time goes, and the disk the update takes
beyond the published index at its peak (free space sampled every 20 ms).

The baseline, in the same run and on the same index, is the same update with the derived
tables recomputed from every row (the writer before they were kept in proportion to the
change; ``incremental`` off in the table).

    python benchmarks/update_cost.py                       # 10^5 and 10^6 chunks
    python benchmarks/update_cost.py --sizes 100000        # quicker
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
if not __package__:  # run as a script: import the helpers as ``benchmarks.*``
    import _repo_path  # noqa: F401

from benchmarks.scale_build import (  # noqa: E402
    ARCHIVE,
    OUT,
    JitterEncoder,
    build,
    disk_size,
    prepared_archive,
    real_vector_pool,
)

STEPS = (
    ("check", "index.writer", "full_check"),
    ("copy store", "index.fileops", "copy_store"),
    ("terms", "index.derived", "TermChanges.apply"),
    ("repeats", "index.derived", "RepeatChanges.apply"),
    ("groups", "index.groups", "GroupChanges.apply"),
    ("terms", "index.writer", "update_terms"),
    ("repeats", "index.writer", "update_repeats"),
    ("groups", "index.writer", "update_groups"),
    ("fit vectors", "index.vectors", "VectorIndex.fitted"),
    ("write vectors", "index.fileops", "write_vectors"),
    ("checksums", "index.writer", "digest_files"),
    ("publish", "index.writer", "publish"),
)


@contextlib.contextmanager
def timed_steps() -> Iterator[dict[str, float]]:
    """Wrap each step of :data:`STEPS` so its seconds add up in the dict yielded."""
    import importlib

    spent: dict[str, float] = {}
    undo: list[Callable[[], None]] = []
    for label, module_name, attr in STEPS:
        module = importlib.import_module(module_name)
        owner, name = (module, attr)
        if "." in attr:
            cls, name = attr.split(".")
            owner = getattr(module, cls)
        real = getattr(owner, name)

        def wrapper(*a, _real=real, _label=label, **k):
            t = time.perf_counter()
            try:
                return _real(*a, **k)
            finally:
                spent[_label] = spent.get(_label, 0.0) + time.perf_counter() - t

        setattr(owner, name, wrapper)
        undo.append(lambda o=owner, n=name, r=real: setattr(o, n, r))
    try:
        yield spent
    finally:
        for u in reversed(undo):
            u()


class DiskPeak:
    """The most disk the filesystem of ``path`` lost while running (sampled)."""

    def __init__(self, path: Path, every: float = 0.02) -> None:
        self._path, self._every = path, every
        self._stop = threading.Event()
        self.peak = 0

    def _free(self) -> int:
        st = os.statvfs(self._path)
        return st.f_bavail * st.f_frsize

    def __enter__(self) -> DiskPeak:
        self._start = self._free()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self.peak = max(self.peak, self._start - self._free())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def update(index_dir: Path, encoder, releases, *, remove: bool, incremental: bool) -> dict:
    """Add (or remove) ``releases`` in one update; seconds per step, total, disk peak."""
    from index.writer import IndexWriter
    from ingest.chunking import ChunkSettings
    from ingest.prepare import EMBED_TEMPLATE

    size = disk_size(index_dir)
    with timed_steps() as spent, DiskPeak(index_dir) as disk:
        started = time.perf_counter()
        with IndexWriter(
            index_dir,
            encoder,
            chunking={**ChunkSettings().__dict__},
            embed_template=EMBED_TEMPLATE,
        ) as writer:
            if not incremental:
                writer._changes = None  # the baseline: derived tables from every row
            for doc, chunks in releases:
                if remove:
                    writer.remove(doc.path)
                else:
                    writer.add(doc, chunks)
            writer.commit()
        total = time.perf_counter() - started
    steps = {k: round(v, 2) for k, v in spent.items()}
    steps["other"] = round(total - sum(spent.values()), 2)
    return {
        "total_s": round(total, 2),
        "steps": steps,
        "index_mb": round(size / 1e6),
        "peak_extra_mb": round(disk.peak / 1e6),
        "disk_ratio": round((size + disk.peak) / size, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--add", type=int, default=10, help="releases per update")
    parser.add_argument("--data", type=Path, default=HERE.parents[1] / "shared" / "eval" / "data")
    args = parser.parse_args(argv)
    if not (args.data / ARCHIVE).exists():
        print(f"skipped: {args.data / ARCHIVE} not found (needs ../shared/eval/data)")
        return 0

    from benchmarks.scale_build import _copy
    from index import get_encoder

    real = get_encoder()
    pool, note = real_vector_pool()
    prepared = prepared_archive(args.data, real)
    encoder = JitterEncoder(real, pool)
    # releases no index holds: archive releases under new paths, with distinct texts
    fresh = [_copy(doc, chunks, 9000 + i) for i, (doc, chunks) in enumerate(prepared[: args.add])]
    print(f"vectors: {note}; {args.add} releases, {sum(len(c) for _, c in fresh)} chunks an update")
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        index_dir = OUT / f"scale-{size}"
        info = build(size, prepared, encoder, index_dir)
        for incremental in (False, True):
            for remove in (False, True):
                result = update(index_dir, encoder, fresh, remove=remove, incremental=incremental)
                row = {
                    "size": size,
                    "chunks": info["chunks"],
                    "incremental": incremental,
                    "change": f"{'remove' if remove else 'add'} {args.add}",
                    **result,
                }
                print(json.dumps(row), flush=True)
                rows.append(row)
    labels = sorted(
        {k for r in rows for k in r["steps"]}, key=[s[0] for s in STEPS + (("other",),)].index
    )
    print()
    print(
        "| chunks | incremental | change | total s | "
        + " | ".join(labels)
        + " | index MB | peak extra MB | disk x |"
    )
    print("|---|---|---|---|" + "---|" * len(labels) + "---|---|---|")
    for r in rows:
        cells = [str(r["steps"].get(k, "-")) for k in labels]
        print(
            f"| {r['chunks']:,} | {'yes' if r['incremental'] else 'no'} | {r['change']} | "
            f"{r['total_s']} | "
            + " | ".join(cells)
            + f" | {r['index_mb']:,} | {r['peak_extra_mb']:,} | {r['disk_ratio']} |"
        )
    print()
    for size in sorted({r["size"] for r in rows}):
        base = {
            r["change"]: r["total_s"] for r in rows if r["size"] == size and not r["incremental"]
        }
        new = {r["change"]: r["total_s"] for r in rows if r["size"] == size and r["incremental"]}
        ratios = ", ".join(f"{c}: {new[c] / base[c]:.2f}x" for c in base)
        print(f"{size:,} chunks, incremental / from every row: {ratios}")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (OUT / f"update_cost_{stamp}.json").write_text(json.dumps(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
