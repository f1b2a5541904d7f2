#!/usr/bin/env python3
"""Propose misspellings of the screen rules' key words (stdlib only).

usage: tools/spelling_variants.py [--min N] [--rules FILE] WORD...

For each WORD (a key word of a rule: "promiscuous", "absconded"), prints as
JSON the one-slip misspellings a hurried writer makes: a letter left out, two
neighbouring letters swapped, a consonant doubled or undoubled, a vowel or a
common ending confused ("-ious"/"-ous", "-ible"/"-able", "ie"/"ei",
"sc"/"c"), each mapped to the word. A form is kept only when it is no word
of the dictionary (Debian's wbritish, /usr/share/dict/british-english, with
its inflections), no other key word's form, no word of --rules
(data/rules/screen.json) and none that the normalisation map of
src/lib/screen/screen.c (and misspell.c) already rewrites; the first two letters are never changed, and words
shorter than --min letters (default 7) are skipped, because their slips are
too often other words ("rsk", "sx"). A reviewer pastes the output into the
"spellings" object of the rules. Nothing here runs with the screen.

Needs the wbritish package (only for this tool); DICT overrides the file.
"""
import json
import os
import re
import sys

VOWELS = "aeiou"
ENDINGS = [("ious", "ous"), ("ous", "ious"), ("ible", "able"), ("able", "ible"),
           ("ance", "ence"), ("ence", "ance"), ("ant", "ent"), ("ent", "ant")]
INNER = [("ie", "ei"), ("ei", "ie"), ("sc", "c"), ("ph", "f"), ("ns", "nc"), ("nc", "ns"),
         ("ns", "nt"), ("tion", "tition"), ("ll", "l"), ("ss", "s"),
         ("tt", "t"), ("cc", "c"), ("rr", "r"), ("mm", "m"), ("nn", "n")]


def dictionary():
    path = os.environ.get("DICT", "/usr/share/dict/british-english")
    if not os.path.exists(path):
        sys.exit("spelling_variants: no dictionary at %s (apt-get install wbritish)" % path)
    with open(path, encoding="utf-8", errors="replace") as f:
        return {w.strip().lower().replace("'", "") for w in f if w.strip()}


def rule_words(path):
    words = set()
    if not path:
        return words
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for w in re.findall(r"[a-z]+", text.lower()):
        words.add(w)
    return words


def norm_map_words():
    """The words the engine's own normalisation map rewrites (norm_map)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "lib", "screen",
                        "screen.c")
    words = set()
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        m = re.search(r"norm_map\[\]\[2\] = \{(.*?)\n\};", text, re.S)
        if m:
            words |= set(re.findall(r'\{"([^"]+)", "[^"]+"\}', m.group(1)))
    miss = os.path.join(os.path.dirname(path), "misspell.c")  # scr-offence's table
    if os.path.exists(miss):
        with open(miss, encoding="utf-8") as f:
            words |= set(re.findall(r'\{"([^"]+)", "[^"]+"\}', f.read()))
    return words


def variants(word):
    out = set()
    n = len(word)
    for i in range(2, n):  # a letter left out
        out.add(word[:i] + word[i + 1:])
    for i in range(2, n - 1):  # neighbours swapped
        out.add(word[:i] + word[i + 1] + word[i] + word[i + 2:])
    for i in range(2, n):  # a consonant doubled
        if word[i] not in VOWELS and (i + 1 >= n or word[i + 1] != word[i]):
            out.add(word[:i + 1] + word[i] + word[i + 1:])
    for i in range(2, n):  # a vowel confused
        if word[i] in VOWELS:
            for v in VOWELS:
                if v != word[i]:
                    out.add(word[:i] + v + word[i + 1:])
    for a, b in ENDINGS:
        if word.endswith(a):
            out.add(word[:-len(a)] + b)
    for a, b in INNER:
        j = word.find(a, 2)
        while j >= 0:
            out.add(word[:j] + b + word[j + len(a):])
            j = word.find(a, j + 1)
    out.discard(word)
    return {v for v in out if len(v) >= 4}


def main(argv):
    minlen = 7
    rules = None
    words = []
    i = 0
    while i < len(argv):
        if argv[i] == "--min":
            minlen = int(argv[i + 1])
            i += 2
        elif argv[i] == "--rules":
            rules = argv[i + 1]
            i += 2
        else:
            words.append(argv[i].lower())
            i += 1
    if not words:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    known = dictionary() | rule_words(rules) | set(words) | norm_map_words()
    seen = {}
    clash = set()
    for w in words:
        if len(w) < minlen:
            continue
        for v in variants(w):
            if v in known:
                continue
            if v in seen and seen[v] != w:
                clash.add(v)
            seen[v] = w
    out = {v: w for v, w in sorted(seen.items(), key=lambda x: (x[1], x[0])) if v not in clash}
    print(json.dumps(out, indent=1, ensure_ascii=False, sort_keys=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
