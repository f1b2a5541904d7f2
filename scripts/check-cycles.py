#!/usr/bin/env python3
"""Fails when source files of the built library call each other in a cycle,
or keep mutable state at file scope.

check-includes.py keeps the modules' includes one way; this keeps the calls
one way too, file by file, across and inside modules (issue 13: analyse.c
<-> network.c, concern.c <-> escalate.c and the server's api.c <->
api_concern.c were cycles). It reads the object files with `nm`: a file
calls another when it uses a function (a text symbol) the other defines.
Data (route tables, constants) is not a call.

One group is a cycle by design and allowed: the store's vtable, where
store.c opens a backend and the backends use store.c's shared helpers.

Mutable state (STYLE.md section 5): an object in .data or .bss, thread-local
ones too (a static comparator context, a static buffer), found with
`objdump -t`; names starting with "__" are the implementation's (the
sanitizers' __odr_asan markers) and are not ours. Constant tables live in .rodata or .data.rel.ro and pass. Three
objects are allowed: jd_global_init's once flag; network.c's igraph_lock
(libigraph keeps process-wide state, its RNG and error handlers, so every
thread's igraph calls must go through one process-wide lock: a lock in a
handle would not serialise two handles); and screen.c's compiled-in model
(screen_builtin with its lock screen_builtin_mu: parsed once a process, 400M
instructions, then only read; each screen gets its own scratch).

Usage: check-cycles.py OBJECT_DIR...   (e.g. build/src/lib/libjoindots.a.p)
Exit 0 when there is no other cycle and no such state, 1 with one line per
cycle or object, 2 when no object file was found.
"""
import collections
import os
import subprocess
import sys

ALLOWED = [{'store.c', 'sqlite.c', 'pg.c'}]
ALLOWED_STATE = {'sq_global_once', 'igraph_lock', 'screen_builtin', 'screen_builtin_mu'}
MUTABLE_SECTIONS = {'.data', '.bss', '.tdata', '.tbss'}


def source_name(obj):
    """store_sqlite.c.o -> sqlite.c (meson prefixes the module folder)."""
    base = os.path.basename(obj)[:-2]
    return base.split('_', 1)[1] if '_' in base and base.split('_', 1)[0] in MODULES else base


MODULES = {'util', 'text', 'store', 'ingest', 'resolve', 'screen', 'analyse', 'network',
           'concern', 'access', 'query', 'tools'}


def graph(dirs):
    defs, uses = {}, collections.defaultdict(set)
    nobj = 0
    for d in dirs:
        for dp, _, files in os.walk(d):
            for f in sorted(files):
                if not f.endswith('.o'):
                    continue
                nobj += 1
                path = os.path.join(dp, f)
                name = os.path.relpath(path, d)
                out = subprocess.run(['nm', path], capture_output=True, text=True,
                                     check=True).stdout
                for line in out.splitlines():
                    p = line.split()
                    if len(p) == 3 and p[1] == 'T':
                        defs[p[2]] = name
                    elif len(p) == 2 and p[0] == 'U':
                        uses[name].add(p[1])
    g = collections.defaultdict(set)
    for f, us in uses.items():
        for u in us:
            if u in defs and defs[u] != f:
                g[f].add(defs[u])
    return g, nobj


def mutable_state(dirs):
    """(object file, symbol) of every object in a writable data section."""
    out = []
    for d in dirs:
        for dp, _, files in os.walk(d):
            for f in sorted(files):
                if not f.endswith('.o'):
                    continue
                path = os.path.join(dp, f)
                text = subprocess.run(['objdump', '-t', path], capture_output=True, text=True,
                                      check=True).stdout
                for line in text.splitlines():
                    # 0000000000000000 l     O .bss\t0000000000000004 name
                    if ' O ' not in line or '\t' not in line:
                        continue
                    sect = line.split(' O ', 1)[1].split('\t', 1)[0].strip()
                    name = line.split()[-1]
                    if name.startswith('__'):
                        continue  # the implementation's own (sanitizers: __odr_asan...)
                    if sect in MUTABLE_SECTIONS and name.split('.')[0] not in ALLOWED_STATE:
                        out.append((os.path.relpath(path, d), name))
    return out


def cycles(g):
    """Strongly connected components of more than one file (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(g[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(100000)
    for v in sorted(list(g)):
        if v not in index:
            visit(v)
    return out


def main():
    dirs = sys.argv[1:]
    if not dirs:
        print(__doc__.strip().splitlines()[-4], file=sys.stderr)
        return 2
    g, nobj = graph(dirs)
    if nobj == 0:
        print('no object files under ' + ' '.join(dirs), file=sys.stderr)
        return 2
    bad = []
    for comp in cycles(g):
        names = {source_name(c) for c in comp}
        if names in ALLOWED:
            continue
        edges = [f'{a} -> {b}' for a in comp for b in sorted(g[a]) if b in comp]
        bad.append('call cycle between ' + ', '.join(comp) + ': ' + '; '.join(edges))
    for obj, name in mutable_state(dirs):
        bad.append(f'{obj}: mutable state at file scope: {name.split(".")[0]} '
                   f'(pass a context, e.g. qsort_r, or keep it in a handle)')
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
