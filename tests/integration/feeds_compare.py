#!/usr/bin/env python3
"""Compare a county fed in slices with the same county loaded at once (issue 17).

Usage: feeds_compare.py BATCH_IDS BATCH_ALERTS SLICES_IDS SLICES_ALERTS

Person ids are numbered in the order identities are first seen and kept for
life, so the two stores name the same identity differently: each person id
is replaced by the identity's first ref (agency:person_ref), and the refs
inside a document are sorted (they follow the order rows were ingested), as
are the members of a network (in time order, ties by person id).
Prints one line per check: "ok NAME" or "not ok NAME: what differs".
"""
import json
import re
import sys


def identities(path):
    ids = [json.loads(line) for line in open(path, encoding='utf-8')]
    name = {i['person_id']: min(r['agency'] + ':' + r['person_ref'] for r in i['refs'])
            for i in ids}
    return ids, name


def canon(x, name):
    if isinstance(x, dict):
        out = {}
        for k, v in x.items():
            v = canon(v, name)
            if k in ('refs', 'members') and isinstance(v, list):
                v = sorted(v, key=lambda r: json.dumps(r, sort_keys=True))
            out[k] = v
        return out
    if isinstance(x, list):
        return [canon(v, name) for v in x]
    if isinstance(x, str):
        return re.sub(r'\bP\d{6,}\b', lambda m: name.get(m.group(0), m.group(0)), x)
    return x


def lines(ids, name):
    return sorted(json.dumps(canon(i, name), sort_keys=True) for i in ids)


def main():
    bi, bn = identities(sys.argv[1])
    si, sn = identities(sys.argv[3])
    ba = [json.loads(line) for line in open(sys.argv[2], encoding='utf-8')]
    sa = [json.loads(line) for line in open(sys.argv[4], encoding='utf-8')]
    sid = {key: pid for pid, key in sn.items()}
    renamed = sum(1 for i in bi if sid.get(bn[i['person_id']]) != i['person_id'])
    print('# %d identities, %d of them with another person_id in the slices store'
          % (len(bi), renamed))
    b, s = lines(bi, bn), lines(si, sn)
    if b == s:
        print('ok identities')
    else:
        d = sorted(set(b) ^ set(s))
        print('not ok identities: %d differ, e.g. %s' % (len(d), d[0][:300]))
    b = sorted(json.dumps(canon(a, bn), sort_keys=True) for a in ba if a['kind'] != 'escalation')
    s = sorted(json.dumps(canon(a, sn), sort_keys=True) for a in sa if a['kind'] != 'escalation')
    print('# %d analysis alerts in the batch store, %d in the slices store' % (len(b), len(s)))
    if b == s:
        print('ok alerts')
    else:
        d = sorted(set(b) ^ set(s))
        print('not ok alerts: %d differ, e.g. %s' % (len(d), d[0][:300]))
    be = {canon(a, bn)['id'] for a in ba if a['kind'] == 'escalation'}
    se = {canon(a, sn)['id'] for a in sa if a['kind'] == 'escalation'}
    missing = sorted(be - se)
    print('# escalations: %d in the batch store, %d in the slices store' % (len(be), len(se)))
    if missing:
        print('not ok escalations: %d of the batch missing, e.g. %s' % (len(missing), missing[0]))
    else:
        print('ok escalations')


main()
