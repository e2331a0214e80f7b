import json,os,collections
C='/work/labels/blind7/corpus/'
ids=set(); errs=0
Q=[json.loads(l) for l in open('/work/labels/blind7/pr_questions.jsonl')]
U=[json.loads(l) for l in open('/work/labels/blind7/pr_unanswerable.jsonl')]
KINDS={"number","who","date","where","fact","relation","yesno","list"}
for o in Q:
    for k in ["id","question","answers","doc","names_company","kind","evidence"]:
        if k not in o: print('missing',k,o.get('id')); errs+=1
    if o['id'] in ids: print('dup id',o['id']); errs+=1
    ids.add(o['id'])
    if o['kind'] not in KINDS: print('bad kind',o['id']); errs+=1
    if o['kind']=='yesno' and o.get('yesno_answer') not in ('yes','no'): print('yesno',o['id']); errs+=1
    p=C+o['doc']
    if not os.path.isfile(p): print('no doc',o['id']); errs+=1; continue
    if o['evidence'] not in open(p).read(): print('evidence not verbatim',o['id']); errs+=1
    for a in o['answers']:
        if a.lower() not in o['evidence'].lower(): print('answer not in evidence',o['id'],a); errs+=1
for o in U:
    if o['id'] in ids: print('dup id',o['id']); errs+=1
    ids.add(o['id'])
    if not os.path.isfile(C+o['near_miss_of']): print('no near_miss doc',o['id']); errs+=1
docs=collections.Counter(o['doc'] for o in Q)
print('answerable',len(Q),'releases',len(docs),'max per release',max(docs.values()))
print('unanswerable',len(U))
print('kinds',dict(collections.Counter(o['kind'] for o in Q)))
print('names_company',dict(collections.Counter(o['names_company'] for o in Q)))
print('wire (questions)',dict(collections.Counter(o['doc'].split('/')[0] for o in Q)))
print('wire (releases)',dict(collections.Counter(d.split('/')[0] for d in docs)))
print('wire (unanswerable)',dict(collections.Counter(o['near_miss_of'].split('/')[0] for o in U)))
cand=[l.strip() for l in open('/work/labels/blind7/candidates.txt')]
print('docs not in candidates',[d for d in docs if d not in cand], [o['near_miss_of'] for o in U if o['near_miss_of'] not in cand])
print('ERRORS',errs)
