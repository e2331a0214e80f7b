"""Build the answer model's data set from the questions the annotators wrote (seeded).

Reads ``training/data/raw/part_*.jsonl`` (written by separate annotators who saw neither
Pressroom's code nor any results; see ``training/data/README.md``), checks every record
against its release, drops what could leak into an evaluation, and splits the rest by
company into ``train``, ``dev`` and ``test``:

- the releases of the evaluation sets (``benchmarks/data`` and its ``fresh``, ``blind``,
  ``blind3`` ... ``blind7`` sets) and of ``../shared/eval/heldout_archive_paths.txt`` are
  never used;
- nor are releases of a company that one of those releases is about, nor near-copies of them
  (the same announcement on another wire: 5-word shingles, Jaccard >= 0.5);
- a company's releases all go to one split (hash of its name, seeded).

Usage:
    python training/build_dataset.py --archive /tmp/arch_ok

``--archive`` is the extracted archive (``all-releases-markdown.tar.gz`` unpacked, its
``newsworthy-press-releases`` folder); without it the releases are read from the tarball.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tarfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ingest.analysis import words  # noqa: E402
from ingest.companies import name_words  # noqa: E402
from ingest.normalize import normalize_text  # noqa: E402
from ingest.release import parse_release  # noqa: E402

DATA = REPO / "training" / "data"
SHARED = REPO.parent / "shared" / "eval"
TARBALL = SHARED / "data" / "press_releases_newsworthy" / "all-releases-markdown.tar.gz"
BENCH = REPO / "benchmarks" / "data"
BLIND_SETS = ("blind", "blind3", "blind4", "blind5", "blind6", "blind7")
EVAL_SETS = [BENCH / "pr_questions.jsonl", BENCH / "fresh" / "pr_questions.jsonl"] + [
    BENCH / name / f for name in BLIND_SETS for f in ("pr_questions.jsonl", "pr_unanswerable.jsonl")
]
SPLITS = (("test", 0.1), ("dev", 0.1), ("train", 0.8))
SEED = "pressroom-answer-model-1"


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def release_texts(paths: Iterable[str], archive: Path | None) -> dict[str, str]:
    """The raw markdown of each release path (relative to the archive's root folder)."""
    wanted = set(paths)
    if archive is not None:
        return {p: (archive / p).read_text(encoding="utf-8") for p in wanted}
    out = {}
    with tarfile.open(TARBALL) as tar:
        for member in tar:
            rel = member.name.split("/", 1)[-1]
            if rel in wanted:
                out[rel] = tar.extractfile(member).read().decode("utf-8")
    return out


def company_key(text: str, path: str) -> str:
    """Who a release is about: its issuer's name words, else its headline's first words."""
    meta = parse_release(normalize_text(text), path=path)
    name = meta.company.value if meta.company else ""
    key = " ".join(name_words(name)[:3])
    if not key and meta.headline:
        key = "headline:" + " ".join(words(meta.headline.value)[:2])
    return key or f"path:{path}"


def shingles(text: str, n: int = 5) -> set[int]:
    tokens = words(text)
    return {hash(tuple(tokens[i : i + n])) for i in range(max(len(tokens) - n + 1, 1))}


def split_of(company: str) -> str:
    """The split of a company: a seeded hash of its key, so one company is in one split."""
    x = int(hashlib.sha256(f"{SEED}:{company}".encode()).hexdigest()[:8], 16) / 16**8
    total = 0.0
    for name, share in SPLITS:
        total += share
        if x < total:
            return name
    return SPLITS[-1][0]


def check(record: dict, text: str) -> str | None:
    """Why a record is unusable, or None."""
    if record.get("answerable"):
        if not record.get("answers") or not record.get("evidence"):
            return "no answers or evidence"
        if record["evidence"] not in text:
            return "evidence not in the release"
        if not all(a in text and a in record["evidence"] for a in record["answers"]):
            return "an answer not in the release or outside its evidence"
    if not record.get("question", "").strip():
        return "no question"
    return None


def build(archive: Path | None) -> dict[str, list[dict]]:
    records = [r for part in sorted((DATA / "raw").glob("part_*.jsonl")) for r in read_jsonl(part)]
    held = {
        line.strip()
        for line in (SHARED / "heldout_archive_paths.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    eval_docs = {r.get("doc") or r.get("near_miss_of") for f in EVAL_SETS for r in read_jsonl(f)}
    eval_docs = {d for d in eval_docs if d and "/" in d}
    texts = release_texts({r["doc"] for r in records} | eval_docs, archive)
    eval_companies = {company_key(texts[d], d) for d in eval_docs}
    eval_shingles = [shingles(texts[d]) for d in eval_docs]
    dropped: Counter[str] = Counter()
    companies: dict[str, str] = {}
    usable: dict[str, bool] = {}
    for doc in sorted({r["doc"] for r in records}):
        companies[doc] = company_key(texts[doc], doc)
        mine = shingles(texts[doc])
        near = any(len(mine & s) / max(len(mine | s), 1) >= 0.5 for s in eval_shingles)
        reason = (
            "held out for evaluation"
            if doc in held
            else "an evaluation release"
            if doc in eval_docs
            else "a company of an evaluation release"
            if companies[doc] in eval_companies
            else "a near-copy of an evaluation release"
            if near
            else None
        )
        usable[doc] = reason is None
        if reason:
            dropped[f"release: {reason}"] += 1
    out: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        problem = check(r, texts[r["doc"]])
        if problem or not usable[r["doc"]]:
            dropped[f"question: {problem or 'its release is not used'}"] += 1
            continue
        split = split_of(companies[r["doc"]])
        out[split].append({**r, "company": companies[r["doc"]], "split": split})
    for reason, n in sorted(dropped.items()):
        print(f"dropped {n}: {reason}", file=sys.stderr)
    return out


def summary(splits: Mapping[str, list[dict]]) -> str:
    lines = [
        "| split | answerable | unanswerable | releases | companies |",
        "|---|---|---|---|---|",
    ]
    for name, _ in SPLITS:
        rows = splits.get(name, [])
        ans = sum(1 for r in rows if r["answerable"])
        lines.append(
            f"| {name} | {ans} | {len(rows) - ans} | {len({r['doc'] for r in rows})} | "
            f"{len({r['company'] for r in rows})} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archive", type=Path, default=None, help="the extracted archive folder")
    args = parser.parse_args(argv)
    splits = build(args.archive)
    for name, _ in SPLITS:
        path = DATA / f"{name}.jsonl"
        rows = sorted(splits.get(name, []), key=lambda r: r["id"])
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    print(summary(splits))
    return 0


if __name__ == "__main__":
    sys.exit(main())
