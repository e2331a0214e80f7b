"""List questions: recall@20 and precision of ``qa.list_releases`` on labelled answer sets.

Usage:
    nice -n 10 .venv/bin/python benchmarks/lists.py
    nice -n 10 .venv/bin/python benchmarks/lists.py --data benchmarks/data/lists2
    nice -n 10 .venv/bin/python benchmarks/lists.py --data benchmarks/data/lists2 --index-only
    .venv/bin/python benchmarks/lists.py --releases ../labels/lists/releases \
        --questions benchmarks/data/lists/questions.jsonl --index /tmp/lists_index

The corpus is the 500-release slice of ``benchmarks/archive_samples.py lists`` (the
archive's releases dated 2024-07-01 to 2025-12-31, ``random.Random(7)``; listed in
``benchmarks/data/lists/sample.txt``, read from ``--releases`` or, when that folder is
missing, extracted from the archive tarball into ``benchmarks/out/lists_releases``); the
questions and their complete answer sets were written over it by a separate labeller who
saw no code (``benchmarks/data/lists/README.md``). The slice is indexed into ``--index`` (the
incremental ``sync``: a second run only reads it).

Per question: the first page (20 rows) of ``list_releases``; recall@20 is the share of the
labelled answers listed, precision the share of listed releases that are answers, a
borderline release counting neither way; matching is by release group (a wire copy of an
answer is that answer). "period" says whether the period read from the question is the
labelled one. Macro averages over the questions and micro totals are printed, and the
whole run is written to ``--out``.

``--data DIR`` picks another labelled slice (its ``sample.txt`` and ``questions.jsonl``; the
releases by default from ``../labels/<DIR's name>/releases``, the index
``benchmarks/out/index_<DIR's name>``); ``--index-only`` builds the slice's index from its
``sample.txt`` and releases and reads no question (a blind set's index is built before its
labels are opened).
"""

from __future__ import annotations

import argparse
import json
import sys
import tarfile
import time
from pathlib import Path

if not __package__:  # run as a script
    import _repo_path  # noqa: F401

from benchmarks.archive_samples import PREFIX, TARBALL  # noqa: E402
from index import get_encoder, open_reader, sync  # noqa: E402
from qa import list_releases  # noqa: E402

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "lists"


def _relative(path: str, root: Path) -> str:
    p = Path(path)
    try:
        return p.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return p.as_posix()


def extract_slice(sample: Path, folder: Path, tarball: Path = TARBALL) -> Path:
    """The slice's releases (the paths of ``sample``) out of the archive tarball into
    ``folder`` (once; a second call finds them there)."""
    wanted = [p.strip() for p in sample.read_text().splitlines() if p.strip()]
    missing = [p for p in wanted if not (folder / p).is_file()]
    if missing:
        names = {PREFIX + p for p in missing}
        with tarfile.open(tarball) as tar:
            for member in tar:
                if member.name in names:
                    target = folder / member.name.removeprefix(PREFIX)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(tar.extractfile(member).read())
    return folder


def _groups(index_dir: Path, root: Path) -> dict[str, int]:
    """Each indexed file (relative to ``root``) and its release group."""
    reader = open_reader(index_dir)
    return {_relative(d.path, root): d.group_id or d.doc_id for d in reader.documents()}


def score_question(
    listed: list[str], answers: set[str], borderline: set[str], group: dict[str, int]
) -> dict:
    """Recall and precision of one question's listed files (pure; by release group)."""

    def g(path: str) -> int | str:
        return group.get(path, path)

    answer_groups = {g(p) for p in answers}
    border_groups = {g(p) for p in borderline} - answer_groups
    listed_groups = [g(p) for p in listed]
    counted = [x for x in listed_groups if x not in border_groups]
    right = {x for x in counted if x in answer_groups}
    wrong = [x for x in counted if x not in answer_groups]
    return {
        "answers": len(answer_groups),
        "listed": len(listed_groups),
        "borderline_listed": len(listed_groups) - len(counted),
        "found": len(right),
        "wrong": len(wrong),
        "recall": len(right) / len(answer_groups) if answer_groups else None,
        "precision": len(right) / len(counted) if counted else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the labelled slice's folder")
    parser.add_argument("--releases", type=Path, help="default ../labels/<data name>/releases")
    parser.add_argument("--questions", type=Path, help="default <data>/questions.jsonl")
    parser.add_argument("--index", type=Path, help="default benchmarks/out/index_<data name>")
    parser.add_argument("--out", type=Path, help="default benchmarks/out/<data name>_latest.json")
    parser.add_argument("--page-size", type=int, default=20)
    parser.add_argument("--index-only", action="store_true", help="build the index, no questions")
    args = parser.parse_args()
    name = args.data.name
    args.releases = args.releases or HERE.parents[1] / "labels" / name / "releases"
    args.questions = args.questions or args.data / "questions.jsonl"
    args.index = args.index or HERE / "out" / f"index_{name}"
    args.out = args.out or HERE / "out" / f"{name}_latest.json"
    if not args.releases.is_dir():  # the slice from the archive, by its file list
        print(f"{args.releases} is missing: extracting the slice from {TARBALL}", file=sys.stderr)
        args.releases = extract_slice(args.data / "sample.txt", HERE / "out" / f"{name}_releases")
    encoder = get_encoder()
    report = sync([args.releases], args.index, encoder=encoder)
    if report.failed:
        print(f"{len(report.failed)} files failed to index: {report.failed[:3]}", file=sys.stderr)
    if args.index_only:
        print(f"{args.index}: {len(_groups(args.index, args.releases))} releases indexed")
        return 0
    group = _groups(args.index, args.releases)
    questions = [
        json.loads(line) for line in args.questions.read_text().splitlines() if line.strip()
    ]
    rows, started = [], time.perf_counter()
    print(
        "| id | question | answers | listed | found | wrong | border | recall@20 | "
        "precision | period read | seconds |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for q in questions:
        t = time.perf_counter()
        found = list_releases(q["question"], args.index, page_size=args.page_size, encoder=encoder)
        seconds = time.perf_counter() - t
        listed = [_relative(r.source, args.releases) for r in found.rows]
        answers = {a["path"] for a in q.get("answers", [])}
        borderline = {b["path"] for b in q.get("borderline", [])}
        s = score_question(listed, answers, borderline, group)
        label = q.get("period") or {}
        want = (label.get("from"), label.get("to"))
        got = (found.period.date_from, found.period.date_to) if found.period else (None, None)
        period = (
            "-"
            if want == (None, None) and got == (None, None)
            else ("yes" if want == got else f"no ({got[0]}..{got[1]})")
        )
        s.update(
            id=q.get("id"),
            question=q["question"],
            period=period,
            seconds=seconds,
            total=found.total,
            listed_paths=listed,
        )
        rows.append(s)
        fmt = lambda v: "-" if v is None else f"{v:.2f}"  # noqa: E731
        print(
            f"| {s['id']} | {q['question']} | {s['answers']} | {s['listed']} | {s['found']} | "
            f"{s['wrong']} | {s['borderline_listed']} | {fmt(s['recall'])} | "
            f"{fmt(s['precision'])} | {period} | {seconds:.1f} |"
        )
    recalls = [r["recall"] for r in rows if r["recall"] is not None]
    precisions = [r["precision"] for r in rows if r["precision"] is not None]
    found_n = sum(r["found"] for r in rows)
    answers_n = sum(r["answers"] for r in rows)
    counted_n = sum(r["found"] + r["wrong"] for r in rows)
    periods = [r["period"] for r in rows if r["period"] != "-"]
    summary = {
        "questions": len(rows),
        "macro_recall_at_20": sum(recalls) / len(recalls) if recalls else None,
        "macro_precision": sum(precisions) / len(precisions) if precisions else None,
        "micro_recall_at_20": found_n / answers_n if answers_n else None,
        "micro_precision": found_n / counted_n if counted_n else None,
        "period_read": f"{sum(p == 'yes' for p in periods)}/{len(periods)}",
        "seconds": time.perf_counter() - started,
    }
    print()
    print(
        "| questions | recall@20 (macro) | precision (macro) | recall@20 (micro) | "
        "precision (micro) | period read |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    m = {k: ("-" if v is None else f"{v:.3f}") for k, v in summary.items() if k != "period_read"}
    print(
        f"| {len(rows)} | {m['macro_recall_at_20']} | {m['macro_precision']} | "
        f"{m['micro_recall_at_20']} | {m['micro_precision']} | {summary['period_read']} |"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"summary": summary, "questions": rows}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
