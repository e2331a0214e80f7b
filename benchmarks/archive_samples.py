"""Seeded samples of the shared archive for labelling (issuers, list questions).

Both samples are drawn from the archive's markdown releases outside
``heldout_archive_paths.txt`` (reserved for evaluation) and outside the ``wide`` set's
3,000 releases (``benchmarks/data/blind/wide_archive.txt``), so no label is written on a
release that some other measurement already spends:

* ``issuers``: 220 releases drawn uniformly (``random.Random(2026)``), for labelling the
  issuing company and its tickers (``benchmarks/data/issuers``);
* ``lists``: 500 releases dated 2024-07-01 to 2025-12-31 (``random.Random(7)``), the corpus
  slice over which list questions and their complete answer sets are labelled
  (``benchmarks/data/lists``);
* ``issuers-train``: 300 more releases drawn uniformly (``random.Random(2031)``) outside the
  two samples above and the answer model's training pools, labelled like ``issuers`` to train
  the issuer scorer (``benchmarks/data/issuers_train``); the ``issuers`` sample's test half
  stays the measurement;
* ``lists2``: a second 500-release slice of 2024-07-01 to 2025-12-31 (``random.Random(71)``)
  outside all of the above, for a second, blind set of list questions
  (``benchmarks/data/lists2``);
* ``issuers3``: 200 releases drawn uniformly (``random.Random(2043)``) outside all of the
  above, the fourth blind QA set's candidate releases (``benchmarks/data/blind4``; the third's
  are ``wide`` releases) and
  the duplicate pairs' releases, for a third, blind issuer set (``benchmarks/data/issuers3``):
  the measurement after the ``issuers`` test half had been read many times.

    python benchmarks/archive_samples.py issuers > sample.txt
"""

from __future__ import annotations

import argparse
import json
import random
import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "eval"
TARBALL = SHARED / "data" / "press_releases_newsworthy" / "all-releases-markdown.tar.gz"
PREFIX = "newsworthy-press-releases/"


def _listed(path: Path) -> set[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def candidates(tarball: Path = TARBALL) -> list[str]:
    """Archive paths (relative to the archive root) that may be labelled, sorted."""
    skip = _listed(SHARED / "heldout_archive_paths.txt")
    skip |= _listed(REPO / "benchmarks" / "data" / "blind" / "wide_archive.txt")
    with tarfile.open(tarball) as tar:
        names = [m.name for m in tar if m.isfile() and m.name.endswith(".md")]
    paths = (n.removeprefix(PREFIX) for n in names if n.startswith(PREFIX))
    return sorted(p for p in paths if p not in skip)


def _date(path: str) -> str:
    parts = path.split("/")
    return f"{parts[1]}-{parts[2][:2]}-{parts[2][2:4]}" if len(parts) >= 4 else ""


def _taken() -> set[str]:
    """Releases the first two samples and the answer model's training pools hold."""
    data = REPO / "benchmarks" / "data"
    pools = REPO / "training" / "data" / "pools"
    taken = _listed(data / "issuers" / "sample.txt") | _listed(data / "lists" / "sample.txt")
    for f in sorted(pools.glob("train_*.txt")):
        taken |= _listed(f)
    return taken


def _pair_paths(path: Path) -> set[str]:
    """Both releases of every labelled duplicate pair in ``path`` (JSON lines)."""
    out: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out |= {row["a"], row["b"]}
    return out


def sample(kind: str, paths: list[str]) -> list[str]:
    """The ``kind`` sample of ``paths`` (see the module's doc), sorted."""
    if kind == "issuers3":
        data = REPO / "benchmarks" / "data"
        taken = _taken() | set(sample("issuers-train", paths)) | set(sample("lists2", paths))
        taken |= _listed(data / "blind4" / "candidates.txt")  # blind3's are in wide_archive
        for f in sorted((data / "duplicates").glob("pairs*.jsonl")):
            taken |= _pair_paths(f)
        rest = [p for p in paths if p not in taken]
        return sorted(random.Random(2043).sample(rest, 200))
    if kind in ("issuers-train", "lists2"):
        taken = _taken()
        rest = [p for p in paths if p not in taken]
        if kind == "issuers-train":
            return sorted(random.Random(2031).sample(rest, 300))
        issuers_train = set(sample("issuers-train", paths))
        window = [
            p for p in rest if "2024-07-01" <= _date(p) <= "2025-12-31" and p not in issuers_train
        ]
        return sorted(random.Random(71).sample(window, 500))
    if kind == "issuers":
        return sorted(random.Random(2026).sample(paths, 220))
    if kind == "lists":
        window = [p for p in paths if "2024-07-01" <= _date(p) <= "2025-12-31"]
        return sorted(random.Random(7).sample(window, 500))
    raise ValueError(f"unknown sample {kind!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("issuers", "lists", "issuers-train", "lists2", "issuers3"))
    args = parser.parse_args()
    print("\n".join(sample(args.kind, candidates())))


if __name__ == "__main__":
    main()
