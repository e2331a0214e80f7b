"""Precision and recall of the release grouping (wire copies, duplicates) on labelled pairs.

Every release of the shared archive outside ``heldout_archive_paths.txt`` is loaded and
prepared as ``pressroom ingest`` does (:func:`ingest.loaders.load_file`, normalised,
parsed, :func:`ingest.copies.fingerprint`), grouped with :func:`ingest.copies.group_releases`
over the whole archive (so copies joined through a third release count), and each labelled
pair of ``benchmarks/data/duplicates/pairs.jsonl`` is predicted "copy" when its two releases
share a group. ``--sample`` draws a new, seeded set of candidate pairs to label instead.

Usage:
    python benchmarks/duplicates.py                     # ~2 minutes: prints the table
    python benchmarks/duplicates.py --sample 120 --out /tmp/candidates.jsonl
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

if not __package__:  # run as a script
    import _repo_path  # noqa: F401

from ingest.copies import (  # noqa: E402
    Member,
    candidate_pairs,
    fingerprint,
    group_releases,
    similarity,
)
from ingest.loaders import load_file  # noqa: E402
from ingest.normalize import normalize_text  # noqa: E402
from ingest.release import parse_release  # noqa: E402
from ingest.types import LoadError  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "eval"
ARCHIVE = SHARED / "data" / "press_releases_newsworthy" / "all-releases-markdown.tar.gz"
HELDOUT = SHARED / "heldout_archive_paths.txt"
PAIRS = REPO / "benchmarks" / "data" / "duplicates" / "pairs.jsonl"
PAIRS_TEST = PAIRS.with_name("pairs_test.jsonl")
ROOT_NAME = "newsworthy-press-releases"


@dataclass(frozen=True)
class Release:
    path: str  # under newsworthy-press-releases/
    member: Member
    figures: tuple[str, ...]
    date: str | None


def heldout() -> set[str]:
    lines = HELDOUT.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def extract(folder: Path) -> Path:
    """The archive extracted under ``folder`` (once)."""
    root = folder / ROOT_NAME
    if not root.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        with tarfile.open(ARCHIVE) as tar:
            tar.extractall(folder, filter="data")
    return root


def load_releases(root: Path) -> list[Release]:
    """Every release outside the held-out list, fingerprinted as ingest does."""
    skip = heldout()
    files = sorted(p for p in root.rglob("*.md") if str(p.relative_to(root)) not in skip)
    out = []
    for i, path in enumerate(files):
        try:
            text = normalize_text(load_file(path).text)
        except LoadError:
            continue
        if not text:
            continue
        meta = parse_release(text, path=str(path))
        found = fingerprint(text, meta)
        title = meta.headline.value if meta.headline else path.stem.replace("-", " ")
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        date = meta.date.value if meta.date else None
        rel = str(path.relative_to(root))
        out.append(
            Release(
                rel,
                Member(i, digest, found.signature, title, found.figures, date),
                found.figures,
                date,
            )
        )
    return out


def sample(releases: list[Release], n: int, seed: int) -> list[dict]:
    """Candidate pairs to label: a quarter predicted copies, the rest from the LSH
    candidates at every similarity and from releases with near-identical headlines."""
    rng = random.Random(seed)
    by_id = {r.member.doc_id: r for r in releases}
    groups = group_releases([r.member for r in releases])
    cands = sorted(candidate_pairs([r.member for r in releases]))
    same = [p for p in cands if groups[p[0]] == groups[p[1]]]
    other = [p for p in cands if groups[p[0]] != groups[p[1]]]
    strata = {
        "predicted copy": same,
        "LSH candidate, similarity >= 0.5": [
            p
            for p in other
            if similarity(by_id[p[0]].member.signature, by_id[p[1]].member.signature) >= 0.5
        ],
        "LSH candidate, similarity < 0.5": [
            p
            for p in other
            if similarity(by_id[p[0]].member.signature, by_id[p[1]].member.signature) < 0.5
        ],
    }
    by_title: dict[str, list[int]] = {}
    for r in releases:
        key = " ".join(sorted(set((r.member.title or "").lower().split())))
        by_title.setdefault(key, []).append(r.member.doc_id)
    cand_set = set(cands)
    strata["same headline, not an LSH candidate"] = [
        (a, b)
        for ids in by_title.values()
        for i, a in enumerate(ids)
        for b in ids[i + 1 :]
        if (a, b) not in cand_set
    ]
    shares = {
        "predicted copy": 0.35,
        "LSH candidate, similarity >= 0.5": 0.3,
        "LSH candidate, similarity < 0.5": 0.15,
        "same headline, not an LSH candidate": 0.2,
    }
    out = []
    for name, pairs in strata.items():
        for a, b in rng.sample(pairs, min(len(pairs), round(n * shares[name]))):
            ra, rb = by_id[a], by_id[b]
            out.append({"a": ra.path, "b": rb.path, "stratum": name})
    return out


def evaluate(releases: list[Release], labels: list[dict]) -> dict:
    groups = group_releases([r.member for r in releases])
    by_path = {r.path: r for r in releases}
    tp = fp = fn = tn = 0
    misses = []
    for row in labels:
        a, b = by_path[row["a"]], by_path[row["b"]]
        predicted = groups[a.member.doc_id] == groups[b.member.doc_id]
        if predicted and row["copy"]:
            tp += 1
        elif predicted:
            fp += 1
            misses.append(("false copy", row))
        elif row["copy"]:
            fn += 1
            misses.append(("missed copy", row))
        else:
            tn += 1
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "misses": misses}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--extract-to", type=Path, default=Path("/tmp/pressroom-archive"))
    p.add_argument("--labels", type=Path, nargs="+", default=[PAIRS, PAIRS_TEST])
    p.add_argument("--sample", type=int, default=0, help="draw this many pairs to label")
    p.add_argument("--seed", type=int, default=16)
    p.add_argument("--out", type=Path, default=None, help="where --sample writes its pairs")
    args = p.parse_args(argv)
    started = time.perf_counter()
    releases = load_releases(extract(args.extract_to))
    loaded = time.perf_counter() - started
    if args.sample:
        rows = sample(releases, args.sample, args.seed)
        text = "".join(json.dumps(r) + "\n" for r in rows)
        (args.out.write_text(text) if args.out else sys.stdout.write(text))
        return 0
    print(f"releases fingerprinted: {len(releases)} in {loaded:.1f} s")
    print("| labelled pairs | copies | not | precision | recall | tp | fp | fn | tn |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    misses = []
    for path in args.labels:
        labels = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        result = evaluate(releases, labels)
        tp, fp, fn, tn = result["tp"], result["fp"], result["fn"], result["tn"]
        precision = tp / (tp + fp) if tp + fp else float("nan")
        recall = tp / (tp + fn) if tp + fn else float("nan")
        print(
            f"| {path.name} | {tp + fn} | {fp + tn} | {precision:.3f} | {recall:.3f} "
            f"| {tp} | {fp} | {fn} | {tn} |"
        )
        misses += [(path.name, kind, row) for kind, row in result["misses"]]
    for name, kind, row in misses:
        print(f"{name}: {kind}: {row['a']} ~ {row['b']} ({row.get('note', '')})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
