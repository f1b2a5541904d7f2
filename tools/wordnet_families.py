#!/usr/bin/env python3
"""Propose word families for the screen rules from WordNet (stdlib only).

usage: tools/wordnet_families.py [--pos verb|noun|adj] [--hyponyms] [--rules FILE] WORD...

For each WORD, prints the other words of each of its WordNet senses (and with
--hyponyms the words of the senses below them: "hit" -> punch, slap, kick...),
one sense a line with its gloss, so a reviewer can pick the senses that mean
the act and leave the others ("hit" the target, a hit record). With --rules
(data/rules/screen.json), a word already written somewhere in the rules is
marked "=", a new one "+". Nothing here is used at run time: the families a
reviewer keeps are committed to data/rules/screen.json as ordinary words.

Needs Debian's wordnet-base (WordNet 3.0 database files under
/usr/share/wordnet); WNHOME overrides the directory.
"""
import os
import re
import sys

POS = {"verb": "verb", "noun": "noun", "adj": "adj"}


def wn_dir():
    d = os.environ.get("WNHOME", "/usr/share/wordnet")
    if os.path.exists(os.path.join(d, "dict", "index.verb")):
        return os.path.join(d, "dict")
    return d


def load_index(pos):
    """lemma -> list of synset offsets, from index.POS."""
    idx = {}
    with open(os.path.join(wn_dir(), "index." + pos), encoding="latin-1") as f:
        for line in f:
            if line.startswith(" "):
                continue
            p = line.split()
            lemma, n_ptr = p[0], int(p[3])
            n_syn = int(p[2])
            idx[lemma] = p[6 + n_ptr:6 + n_ptr + n_syn]
    return idx


def read_synset(pos, offset, cache={}):
    """(words, gloss, hyponym offsets) of the synset at byte offset."""
    key = (pos, offset)
    if key in cache:
        return cache[key]
    with open(os.path.join(wn_dir(), "data." + pos), encoding="latin-1") as f:
        f.seek(int(offset))
        line = f.readline()
    body, _, gloss = line.partition(" | ")
    p = body.split()
    n_words = int(p[3], 16)
    words = [p[4 + 2 * i].lower() for i in range(n_words)]
    k = 4 + 2 * n_words
    n_ptr = int(p[k])
    hypo = []
    for i in range(n_ptr):
        sym, off, ppos = p[k + 1 + 4 * i], p[k + 2 + 4 * i], p[k + 3 + 4 * i]
        if sym == "~" and ppos == pos[0]:
            hypo.append(off)
    words = [re.sub(r"\(.*\)$", "", w) for w in words]
    cache[key] = (words, gloss.strip(), hypo)
    return cache[key]


def main():
    args = sys.argv[1:]
    pos, hyponyms, rules = "verb", False, None
    words = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--pos":
            pos = POS.get(args[i + 1])
            i += 2
            if not pos:
                print(__doc__, file=sys.stderr)
                return 2
            continue
        if a == "--hyponyms":
            hyponyms = True
        elif a == "--rules":
            rules = open(args[i + 1], encoding="utf-8").read().lower()
            i += 1
        elif a.startswith("-"):
            print(__doc__, file=sys.stderr)
            return 2
        else:
            words.append(a.lower())
        i += 1
    if not words:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        idx = load_index(pos)
    except OSError as e:
        print("wordnet_families: %s (install wordnet-base)" % e, file=sys.stderr)
        return 1

    def mark(w):
        if rules is None:
            return w
        return ("=" if re.search(r"(?<![a-z])%s(?![a-z])" % re.escape(w), rules) else "+") + w

    for w in words:
        offs = idx.get(w.replace(" ", "_"))
        if not offs:
            print("%s: not in WordNet (%s)" % (w, pos))
            continue
        print("%s (%s)" % (w, pos))
        for off in offs:
            syn, gloss, hypo = read_synset(pos, off)
            fam = [x for x in syn if x != w]
            if hyponyms:
                for h in hypo:
                    fam += read_synset(pos, h)[0]
            fam = sorted(set(fam) - {w})
            if fam:
                print("  [%s] %s" % (gloss[:70], " ".join(mark(x) for x in fam)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
