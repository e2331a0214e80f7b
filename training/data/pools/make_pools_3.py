"""Release lists for the third round of annotators (pools 12-17), seeded.

Pools 1-11 are read as committed (``make_pools.py``, ``make_pools_2.py``). The third round
deals archive releases of at least 180 words and biopharma releases that no pool, no
evaluation or labelling set (every path in ``benchmarks/data``'s files, the ``wide`` corpus,
the issuer and list-question samples) and no line of ``../shared/eval/heldout_archive_paths.txt``
holds, shuffled with ``random.Random(2029)``: 160 archive and 30 biopharma releases to each of
six annotators. Run from the repository root with the archive extracted (held-out releases
removed or not; they are never dealt):

    python training/data/pools/make_pools_3.py /tmp/arch_ok /tmp/pools
"""

import collections
import json
import pathlib
import random
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/arch_ok")
out = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else "/tmp/pools")
repo = pathlib.Path(__file__).resolve().parents[3]
shared = repo.parent / "shared" / "eval"
held = {
    line.strip()
    for line in open(shared / "heldout_archive_paths.txt")
    if line.strip() and not line.startswith("#")
}
bio = [
    json.loads(line)
    for line in open(shared / "data/press_releases_newsworthy/biopharma_press_releases.jsonl")
]
biop = {r["path"] for r in bio}
banned = set(held)
data = repo / "benchmarks" / "data"
for f in data.rglob("*.jsonl"):
    for line in open(f):
        if line.strip():
            r = json.loads(line)
            for key in ("doc", "near_miss_of", "path", "a", "b"):
                if isinstance(r.get(key), str):
                    banned.add(r[key])
for f in data.rglob("*.txt"):
    banned.update(line.strip() for line in open(f) if line.strip())
for p in data.rglob("*.md"):
    for top in ("issuers", "lists", "issuers3", "issuers_train", "lists2"):
        if (data / top) in p.parents:
            banned.add(str(p.relative_to(data / top)))
for f in sorted((repo / "training/data/pools").glob("train_*.txt")):
    banned.update(f.read_text().split())


def ok(p: str) -> bool:
    return len((root / p).read_text(errors="replace").split()) >= 180


arch = sorted(
    str(p.relative_to(root))
    for p in root.rglob("*.md")
    if str(p.relative_to(root)) not in banned and str(p.relative_to(root)) not in biop
)
rng = random.Random(2029)
rng.shuffle(arch)
bio3 = sorted(biop - banned)
rng.shuffle(bio3)
arch3 = []
for p in arch:
    if len(arch3) == 6 * 160:
        break
    if ok(p):
        arch3.append(p)
out.mkdir(parents=True, exist_ok=True)
for i in range(6):
    chunk = arch3[i * 160 : (i + 1) * 160] + bio3[i * 30 : (i + 1) * 30]
    rng.shuffle(chunk)
    (out / f"train_{i + 12}.txt").write_text("\n".join(chunk) + "\n")
    wires = collections.Counter(p.split("/")[0] for p in chunk)
    print(f"train_{i + 12}", len(chunk), wires.most_common(5))
print("biopharma left", len(bio3) - 180)
