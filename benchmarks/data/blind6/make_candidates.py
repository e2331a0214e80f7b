"""The sixth blind set's 200 candidate releases, seeded (``random.Random(666)``).

Drawn round-robin over the wires from the ``wide`` corpus's archive releases
(``../blind/wide_archive.txt``) that no earlier blind set uses or had as candidates
(``blind``, ``blind3``, ``blind4``, ``blind5``); none is in
``../shared/eval/heldout_archive_paths.txt`` (``wide_archive.txt`` excludes them). Run from
the repository root: ``python benchmarks/data/blind6/make_candidates.py > candidates.txt``.

The next set's candidates come from the same script with its seed and the sets to leave out:
``python benchmarks/data/blind6/make_candidates.py 777 blind blind3 blind4 blind5 blind6``
(``blind7``).
"""

import collections
import json
import pathlib
import random
import sys

data = pathlib.Path(__file__).resolve().parents[1]
held = {
    line.strip()
    for line in open(data.parents[2] / "shared" / "eval" / "heldout_archive_paths.txt")
    if line.strip() and not line.startswith("#")
}
wide = [line.strip() for line in open(data / "blind" / "wide_archive.txt") if line.strip()]
taken: set[str] = set()
seed = int(sys.argv[1]) if len(sys.argv) > 1 else 666
names = sys.argv[2:] or ["blind", "blind3", "blind4", "blind5"]
for name in names:
    for f in (data / name).glob("*"):
        if f.suffix == ".jsonl":
            for line in open(f):
                if line.strip():
                    row = json.loads(line)
                    taken |= {row.get("doc"), row.get("near_miss_of")}
        elif f.suffix == ".txt" and f.name != "wide_archive.txt":
            taken |= {line.strip() for line in open(f) if line.strip()}
rest = sorted(p for p in wide if p not in taken and p not in held)
rng = random.Random(seed)
rng.shuffle(rest)
by_wire: dict[str, list[str]] = collections.defaultdict(list)
for p in rest:
    by_wire[p.split("/")[0]].append(p)
picked: list[str] = []
while len(picked) < 200:
    for wire in sorted(by_wire):
        if by_wire[wire] and len(picked) < 200:
            picked.append(by_wire[wire].pop())
print("\n".join(picked))
