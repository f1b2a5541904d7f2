#!/usr/bin/env python3
"""Fails when a file of src/lib includes a header of a module it may not use.

The library is split by domain (docs/ARCHITECTURE.md). A module may include
its own headers and those of the modules listed for it below, never the
other way round, so the dependency graph has no cycles:

    util <- text <- store <- ingest, resolve <- screen <- analyse <- network
         <- concern;  access and query beside (on store); tools on top.

Internal headers are included as "module/file.h" (src/lib is on the include
path); public headers (<joindots/...>) are the library's API and are free.

Usage: check-includes.py [SRC_LIB_DIR]   (default: src/lib beside this script)
Exit 0 when clean, 1 with one line per wrong include (file:line: ...).
"""
import os
import re
import sys

LOWER = {
    'util': [],
    'text': ['util'],
    'store': ['util', 'text'],
    'ingest': ['util', 'text', 'store'],
    'resolve': ['util', 'text', 'store'],
    'screen': ['util', 'text', 'store', 'ingest'],
    'analyse': ['util', 'text', 'store', 'ingest', 'resolve', 'screen'],
    'network': ['util', 'text', 'store', 'ingest', 'resolve', 'screen', 'analyse'],
    'concern': ['util', 'text', 'store', 'ingest', 'resolve', 'screen', 'analyse',
                'network'],
    'access': ['util', 'text', 'store'],
    'query': ['util', 'text', 'store', 'resolve', 'screen', 'analyse'],
    'tools': ['util', 'text', 'store', 'ingest', 'resolve', 'screen', 'analyse',
              'network', 'concern', 'access', 'query'],
}

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def check(root):
    bad = []
    for mod in sorted(os.listdir(root)):
        mdir = os.path.join(root, mod)
        if not os.path.isdir(mdir):
            continue
        if mod not in LOWER:
            bad.append(f'{mdir}: directory is not a known module; add it to '
                       f'scripts/check-includes.py and docs/ARCHITECTURE.md')
            continue
        for dp, _, files in os.walk(mdir):
            for f in sorted(files):
                if not f.endswith(('.c', '.h')):
                    continue
                path = os.path.join(dp, f)
                with open(path, encoding='utf-8', errors='replace') as fh:
                    for n, line in enumerate(fh, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        inc = m.group(1)
                        if '/' not in inc:
                            if not os.path.exists(os.path.join(dp, inc)):
                                bad.append(f'{path}:{n}: "{inc}" names no module; '
                                           f'write "module/{inc}"')
                            continue
                        target = inc.split('/')[0]
                        if target in ('..', '.'):
                            bad.append(f'{path}:{n}: "{inc}": include as "module/file.h", '
                                       f'not by a relative path')
                        elif target == mod or target not in LOWER:
                            continue
                        elif target not in LOWER[mod]:
                            bad.append(f'{path}:{n}: module {mod} may not include {inc} '
                                       f'(module {target} sits above or beside it)')
    return bad


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, '..', 'src', 'lib')
    if not os.path.isdir(root):
        print(f'check-includes: {root}: not a directory', file=sys.stderr)
        return 2
    bad = check(root)
    for b in bad:
        print(b)
    if bad:
        print(f'check-includes: {len(bad)} include(s) cross the allowed direction',
              file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
