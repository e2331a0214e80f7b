"""Check a blind question set as its writer did: every answerable question's evidence is
verbatim in its release and holds each answer (case-insensitively), ids are unique, kinds
known, every release exists and is a candidate; then the set's counts.

    python benchmarks/data/validate_blind.py benchmarks/data/blind7 CORPUS

``CORPUS`` is the folder the releases' paths are relative to (the writers used a copy of the
``wide`` corpus: the archive's wires, the biopharma and the bundled releases). The last line
is ``ERRORS n``. blind5, blind6 and blind7's writers each ran a copy of this check with their
folder written in.
"""

import collections
import json
import sys
from pathlib import Path

KINDS = {"number", "who", "date", "where", "fact", "relation", "yesno", "list"}
FIELDS = ["id", "question", "answers", "doc", "names_company", "kind", "evidence"]


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]


def main() -> int:
    folder, corpus = Path(sys.argv[1]), Path(sys.argv[2])
    questions = rows(folder / "pr_questions.jsonl")
    unanswerable = rows(folder / "pr_unanswerable.jsonl")
    ids: set[str] = set()
    errs = 0

    def error(*what: object) -> None:
        nonlocal errs
        print(*what)
        errs += 1

    for o in questions:
        for k in FIELDS:
            if k not in o:
                error("missing", k, o.get("id"))
        if o["id"] in ids:
            error("dup id", o["id"])
        ids.add(o["id"])
        if o["kind"] not in KINDS:
            error("bad kind", o["id"])
        if o["kind"] == "yesno" and o.get("yesno_answer") not in ("yes", "no"):
            error("yesno", o["id"])
        release = corpus / o["doc"]
        if not release.is_file():
            error("no doc", o["id"])
            continue
        if o["evidence"] not in release.read_text():
            error("evidence not verbatim", o["id"])
        for a in o["answers"]:
            if a.lower() not in o["evidence"].lower():
                error("answer not in evidence", o["id"], a)
    for o in unanswerable:
        if o["id"] in ids:
            error("dup id", o["id"])
        ids.add(o["id"])
        if not (corpus / o["near_miss_of"]).is_file():
            error("no near_miss doc", o["id"])
    count = collections.Counter
    docs = count(o["doc"] for o in questions)
    most = max(docs.values())
    print("answerable", len(questions), "releases", len(docs), "max per release", most)
    print("unanswerable", len(unanswerable))
    print("kinds", dict(count(o["kind"] for o in questions)))
    print("names_company", dict(count(o["names_company"] for o in questions)))
    print("wire (questions)", dict(count(o["doc"].split("/")[0] for o in questions)))
    print("wire (releases)", dict(count(d.split("/")[0] for d in docs)))
    print("wire (unanswerable)", dict(count(o["near_miss_of"].split("/")[0] for o in unanswerable)))
    cand = {line.strip() for line in open(folder / "candidates.txt") if line.strip()}
    print(
        "docs not in candidates",
        [d for d in docs if d not in cand],
        [o["near_miss_of"] for o in unanswerable if o["near_miss_of"] not in cand],
    )
    print("ERRORS", errs)
    return 1 if errs else 0


if __name__ == "__main__":
    raise SystemExit(main())
