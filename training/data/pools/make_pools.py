import json, random, pathlib, collections
root = pathlib.Path('/tmp/arch/newsworthy-press-releases')
held = {l.strip() for l in open('/work/shared/eval/heldout_archive_paths.txt') if l.strip() and not l.startswith('#')}
allp = sorted(str(p.relative_to(root)) for p in root.rglob('*.md'))
bio = [json.loads(l) for l in open('/work/shared/eval/data/press_releases_newsworthy/biopharma_press_releases.jsonl')]
biop = {r['path'] for r in bio}
used = set()
for f in ['/work/main/benchmarks/data/pr_questions.jsonl', '/work/main/benchmarks/data/fresh/pr_questions.jsonl']:
    for l in open(f):
        used.add(json.loads(l)['doc'])
print('archive', len(allp), 'held', len(held), 'held in archive', len(held & set(allp)), 'bio', len(biop), 'bio held', len(biop & held), 'bio in archive', len(biop & set(allp)), 'used', len(used))
def ok(p):
    t = (root / p).read_text(errors='replace')
    return len(t.split()) >= 180
rng = random.Random(2027)
cand = [p for p in allp if p not in held and p not in biop]
rng.shuffle(cand)
wide = cand[:3000]
rest = cand[3000:]
# blind-eval candidates from the wide sample: spread over wires
bywire = collections.defaultdict(list)
for p in wide:
    if ok(p): bywire[p.split('/')[0]].append(p)
blind = []
while len(blind) < 160:
    for w in sorted(bywire):
        if bywire[w]: blind.append(bywire[w].pop(0))
blind = blind[:160]
pathlib.Path('/tmp/pools/wide_archive.txt').write_text('\n'.join(sorted(wide)) + '\n')
pathlib.Path('/tmp/pools/blind_candidates.txt').write_text('\n'.join(blind) + '\n')
train_arch = [p for p in rest if ok(p)]
train_bio = [p for p in sorted(biop - used - held)]
rng.shuffle(train_bio)
print('train arch ok', len(train_arch), 'train bio', len(train_bio))
n = 7
for i in range(n):
    chunk = train_arch[i*190:(i+1)*190] + train_bio[i*40:(i+1)*40]
    rng.shuffle(chunk)
    pathlib.Path(f'/tmp/pools/train_{i+1}.txt').write_text('\n'.join(chunk) + '\n')
print(collections.Counter(p.split('/')[0] for p in blind))
