#!/usr/bin/env python3
"""Fails when a C function is longer than a limit (issue 13: functions a
person can hold in their head).

A function is counted from the line of its name to its closing brace. The
house style opens a function's body with a `{` alone in column 0 and closes
it with a `}` in column 0 (docs/../shared/STYLE.md), so the scan is by lines:
a `{` in column 0 whose preceding line(s) end a signature `name(...)` starts
a function, the next `}` in column 0 ends it.

The allow-list below names the functions that may stay longer, each with
why. It must shrink, not grow: a split function leaves the list.

Usage: check-length.py [--limit N] [--list] [DIR...]
  (default: src/ beside this script, limit 100 lines: issue 13's "about
  100")
  --list  print every function over the limit, allowed or not
Exit 0 when no function outside the allow-list is over the limit and every
entry of the allow-list is still over it (a function split leaves the list:
an entry that is no longer long fails too, so the list only shrinks); 1 with
one line per long function (file:line: name N lines) or stale entry; 2 on a
bad call. Entries are checked only for the directories scanned.
"""
import os
import re
import sys

# file (relative to the scanned directory's parent, e.g. src/lib/...) and
# function name -> why it may stay long
ALLOW = {
    # state machines, clearer whole (issue 13)
    ('src/lib/util/csv.c', 'jd_csv__next'): 'the CSV reader, a state machine',
    ('src/lib/text/phonetic.c', 'jd_phon__double_metaphone_n'): 'Double Metaphone, a state machine',
}

SIG_END = re.compile(r'\)\s*(?:__attribute__\s*\(\(.*\)\)\s*)?$')
NAME = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)\s*\(')


def functions(path):
    """Yields (name, first line, length) for each function of a C file."""
    with open(path, encoding='utf-8', errors='replace') as f:
        lines = f.read().split('\n')
    i = 0
    while i < len(lines):
        if lines[i].rstrip() == '{' and i > 0:
            # walk back over the signature to the line that holds the name
            j = i - 1
            sig = lines[j].rstrip()
            if not SIG_END.search(sig) or sig.startswith(('#', ' *', '/*')):
                i += 1
                continue
            text = sig
            while j > 0 and text.count('(') < text.count(')'):
                j -= 1
                text = lines[j].rstrip() + ' ' + text
            if text.count('(') != text.count(')') or '=' in text.split('(')[0]:
                i += 1
                continue
            head = text.split('(')[0] + '('
            m = None
            for m in NAME.finditer(head):
                pass
            if not m or m.group(1) in ('if', 'for', 'while', 'switch', 'return', 'sizeof'):
                i += 1
                continue
            k = i + 1
            while k < len(lines) and not lines[k].startswith('}'):
                k += 1
            yield m.group(1), j + 1, k - j + 1
            i = k
        i += 1


def main(argv):
    limit = 100
    show_all = False
    dirs = []
    args = list(argv[1:])
    while args:
        a = args.pop(0)
        if a == '--limit':
            if not args or not args[0].isdigit():
                print('check-length.py: --limit takes a number', file=sys.stderr)
                return 2
            limit = int(args.pop(0))
        elif a == '--list':
            show_all = True
        elif a.startswith('-'):
            print('usage: check-length.py [--limit N] [--list] [DIR...]', file=sys.stderr)
            return 2
        else:
            dirs.append(a)
    if not dirs:
        dirs = [os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src')]
    bad = 0
    seen_allowed = set()
    scanned = []
    for d in dirs:
        if not os.path.isdir(d):
            print(f'check-length.py: {d}: no such directory', file=sys.stderr)
            return 2
        root = os.path.dirname(os.path.normpath(os.path.abspath(d)))
        scanned.append(os.path.basename(os.path.normpath(os.path.abspath(d))))
        for dirpath, dirnames, filenames in os.walk(d):
            dirnames.sort()
            for fn in sorted(filenames):
                if not fn.endswith('.c'):
                    continue
                path = os.path.join(dirpath, fn)
                rel = os.path.relpath(os.path.abspath(path), root)
                for name, line, n in functions(path):
                    if n <= limit:
                        continue
                    why = ALLOW.get((rel, name))
                    if why:
                        seen_allowed.add((rel, name))
                        if show_all:
                            print(f'{rel}:{line}: {name} {n} lines (allowed: {why})')
                        continue
                    print(f'{rel}:{line}: {name} {n} lines (limit {limit})')
                    bad += 1
    for (rel, name), why in sorted(ALLOW.items()):
        if (rel, name) in seen_allowed or not any(rel.startswith(s + os.sep) for s in scanned):
            continue
        print(f'{rel}: {name} is no longer over {limit} lines (or gone): '
              'remove it from the allow-list of check-length.py')
        bad += 1
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
