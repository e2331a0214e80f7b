"""Keep the blind7 questions whose release's company the answer model never trained on.

blind7's candidates were drawn after answer model v3 was trained, so some are releases of
companies whose other releases are in ``training/data`` (train, dev or test: the company
key of ``training/build_dataset.py``). Their questions are dropped here, so the set measures
v3 on companies it has not read. Run from the repository root with the archive extracted:

    python benchmarks/data/blind7/keep_unseen.py /work/labels/blind7 /tmp/arch_ok
"""

import json
import sys
from pathlib import Path

repo = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(repo / "training"))
from build_dataset import company_key, release_texts  # noqa: E402

written, archive = Path(sys.argv[1]), Path(sys.argv[2])
here = Path(__file__).resolve().parent
trained = {
    json.loads(line)["company"]
    for split in ("train", "dev", "test")
    for line in open(repo / "training" / "data" / f"{split}.jsonl")
    if line.strip()
}
for name, key in (("pr_questions.jsonl", "doc"), ("pr_unanswerable.jsonl", "near_miss_of")):
    rows = [json.loads(line) for line in open(written / name) if line.strip()]
    texts = release_texts({r[key] for r in rows}, archive)
    kept = [r for r in rows if company_key(texts[r[key]], r[key]) not in trained]
    with open(here / name, "w", encoding="utf-8") as out:
        out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in kept)
    print(f"{name}: kept {len(kept)} of {len(rows)}")
