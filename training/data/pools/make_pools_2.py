"""Release lists for the second round of annotators (pools 8-11), seeded.

Replays ``make_pools.py`` exactly (same seed, same order; its pools 1-7 come out unchanged,
checked against the committed files), then deals the next archive releases and biopharma
releases to four more annotators. Left out besides what ``make_pools.py`` leaves out: every
release an evaluation set uses (``benchmarks/data`` and its ``fresh``, ``blind``, ``blind3``,
``blind4`` sets, their candidate lists), the issuer and list-question labelling samples, and
the releases of pools 1-7. Run from the repository root with the archive extracted at
``/tmp/arch/newsworthy-press-releases`` (held-out releases may be absent: they are never used).
"""

import collections
import json
import pathlib
import random
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/arch/newsworthy-press-releases")
out = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else "/tmp/pools")
repo = pathlib.Path(__file__).resolve().parents[3]
shared = repo.parent / "shared" / "eval"
held = {
    line.strip()
    for line in open(shared / "heldout_archive_paths.txt")
    if line.strip() and not line.startswith("#")
}
allp = sorted(str(p.relative_to(root)) for p in root.rglob("*.md"))
bio = [
    json.loads(line)
    for line in open(shared / "data/press_releases_newsworthy/biopharma_press_releases.jsonl")
]
biop = {r["path"] for r in bio}
used = set()
for f in ["benchmarks/data/pr_questions.jsonl", "benchmarks/data/fresh/pr_questions.jsonl"]:
    for line in open(repo / f):
        used.add(json.loads(line)["doc"])


def ok(p):
    return len((root / p).read_text(errors="replace").split()) >= 180


rng = random.Random(2027)
cand = [p for p in allp if p not in held and p not in biop]
rng.shuffle(cand)
wide = cand[:3000]
rest = cand[3000:]
train_arch = [p for p in rest if ok(p)]
train_bio = sorted(biop - used - held)
rng.shuffle(train_bio)
pools = []
for i in range(7):
    chunk = train_arch[i * 190 : (i + 1) * 190] + train_bio[i * 40 : (i + 1) * 40]
    rng.shuffle(chunk)
    pools.append(chunk)
for i, chunk in enumerate(pools):
    committed = (repo / f"training/data/pools/train_{i + 1}.txt").read_text().split()
    assert committed == chunk, f"pool {i + 1} does not replay"

# second round: nothing any evaluation or labelling set touches
banned = set(held) | set(wide)
data = repo / "benchmarks" / "data"
for f in data.rglob("*.jsonl"):
    for line in open(f):
        if line.strip():
            r = json.loads(line)
            for key in ("doc", "near_miss_of", "path"):
                if isinstance(r.get(key), str):
                    banned.add(r[key])
for f in data.rglob("*.txt"):
    banned.update(line.strip() for line in open(f) if line.strip())
for f in ("issuers", "lists"):
    for p in (data / f).rglob("*"):
        if p.is_file() and p.suffix == ".md":
            banned.add(str(p.relative_to(data / f)))
banned.update(p for chunk in pools for p in chunk)
arch2 = [p for p in train_arch[7 * 190 :] if p not in banned]
bio2 = [p for p in train_bio[7 * 40 :] if p not in banned]
out.mkdir(parents=True, exist_ok=True)
for i in range(4):
    chunk = arch2[i * 160 : (i + 1) * 160] + bio2[i * 30 : (i + 1) * 30]
    rng.shuffle(chunk)
    (out / f"train_{i + 8}.txt").write_text("\n".join(chunk) + "\n")
    wires = collections.Counter(p.split("/")[0] for p in chunk)
    print(f"train_{i + 8}", len(chunk), wires.most_common(5))
print("archive left", len(arch2) - 640, "bio left", len(bio2) - 120)
