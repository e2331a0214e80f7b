"""Check an annotator's file: python validate_train.py /work/labels/train_N/part_N.jsonl"""

import collections
import json
import os
import sys

ROOT = "/tmp/arch_ok/"
path = sys.argv[1]
pool = set(open(os.path.join(os.path.dirname(path), "pool.txt")).read().split())
KINDS = {"number", "who", "date", "where", "fact", "relation", "yesno", "list"}
errs, ids, n_a, n_u, docs = 0, set(), 0, 0, collections.Counter()
for ln, line in enumerate(open(path), 1):
    if not line.strip():
        continue
    try:
        o = json.loads(line)
    except Exception as e:
        print(f"line {ln}: not JSON: {e}")
        errs += 1
        continue
    rid = o.get("id")
    if rid in ids:
        print("duplicate id", rid)
        errs += 1
    ids.add(rid)
    if o.get("doc") not in pool:
        print(rid, "doc not in your pool.txt")
        errs += 1
        continue
    text = open(ROOT + o["doc"], encoding="utf-8", errors="replace").read()
    if o.get("kind") not in KINDS:
        print(rid, "bad kind", o.get("kind"))
        errs += 1
    if o.get("answerable") is True:
        n_a += 1
        docs[o["doc"]] += 1
        for k in ("question", "answers", "evidence", "names_company"):
            if k not in o:
                print(rid, "missing", k)
                errs += 1
        ev = o.get("evidence", "")
        if ev not in text:
            print(rid, "evidence is not an exact substring of the release")
            errs += 1
        ans = o.get("answers") or []
        if not (1 <= len(ans) <= 3):
            print(rid, "answers must hold 1-3 strings")
            errs += 1
        for a in ans:
            if a not in ev:
                print(rid, "answer not an exact substring of evidence:", repr(a))
                errs += 1
            if len(a.split()) > 10:
                print(rid, "answer longer than 10 words:", repr(a))
                errs += 1
        if o.get("kind") == "yesno" and o.get("yes_no") not in ("yes", "no"):
            print(rid, "yesno needs yes_no")
            errs += 1
    elif o.get("answerable") is False:
        n_u += 1
        for k in ("question", "about", "probes"):
            if k not in o:
                print(rid, "missing", k)
                errs += 1
        if not (2 <= len(o.get("probes") or []) <= 6):
            print(rid, "record 2-4 probes")
            errs += 1
    else:
        print(rid, "answerable must be true or false")
        errs += 1
print(
    f"answerable {n_a} over {len(docs)} releases, unanswerable {n_u}, kinds",
    dict(collections.Counter(json.loads(x)["kind"] for x in open(path) if x.strip())),
)
print("ERRORS", errs)
