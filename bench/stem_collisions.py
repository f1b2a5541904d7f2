#!/usr/bin/env python3
"""List the stem collisions of the screen's rule words (stdlib only; libstemmer via ctypes).

usage: stem_collisions.py [--rules FILE] [--dict FILE] [--min N] [--all] [CORPUS.jsonl...]
       stem_collisions.py --matches CORPUS.jsonl RESULTS.jsonl
       stem_collisions.py --ruled-out CORPUS.jsonl RESULTS.jsonl

The second form audits what fired: RESULTS is `joindots screen --all --batch
CORPUS` (give it a TUNE part only); for every counted match, a written word
whose stem is a rule word's but which is no inflection of it ("lone" for
"lonely", "initially" for "initiates") is listed with how often the match's
label was in the gold (tp) or not (fp), fp first.

The third form audits recall: for every gold label of a TUNE note (ids whose
number is not divisible by 3; the held-out notes are skipped, never printed)
that no counted match gave but a match ruled out had, it counts the cue that
ruled it out as the explanation names it ("not counted: quoted or attributed
(attribution: \"Mum says\")", the engine's why_cue), most costly first, with
an example id: a `sense` cue or a cue word in another sense is a collision
that costs recall. RESULTS is `joindots screen --all --batch CORPUS`.

Every word of data/rules/screen.json (patterns, unless, keep, sets, lists, cues;
prefix terms `word*` are read as written and skipped) is stemmed with the
engine's stemmer (Snowball English, Debian libstemmer). For each stem, the other
words that reduce to it are looked up in a word list: the dictionary
(/usr/share/dict/words) and the words of the corpora's TUNE parts (ids whose
number is not divisible by 3; held-out text is never read). A stem is flagged
when another word of it is no inflection of a rule word of that stem (not the
word plus -s, -es, -ed, -ing, -'s, or y -> ies/ied, e dropped before -ed/-ing,
consonant doubled): "officer" for "office", "pastoral" for "pastor", "manager"
for "manages" are derivations with a sense of their own. The rules' "senses"
and "spellings" maps and the engine's normalisation map already keep some
apart (a word rewritten before stemming is listed as split).

Rule words of one stem that are no inflections of one another are flagged too
("(rule)designer" beside "designated"): each rule's word matches the other's.

Output, one line a flagged stem, most frequent in the notes first:
  stem  rule words  other words (tune frequency)  [split: words already kept apart]
"""
import ctypes
import json
import re
import sys
from collections import Counter, defaultdict

from screen_score import part_of  # the split: the first run of digits

RULE_KEYS = ("patterns", "unless", "keep", "needs")


class Stemmer:
    def __init__(self):
        lib = ctypes.CDLL("libstemmer.so.0d")
        lib.sb_stemmer_new.restype = ctypes.c_void_p
        lib.sb_stemmer_new.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        lib.sb_stemmer_stem.restype = ctypes.c_void_p
        lib.sb_stemmer_stem.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        lib.sb_stemmer_length.restype = ctypes.c_int
        lib.sb_stemmer_length.argtypes = [ctypes.c_void_p]
        self.lib = lib
        self.st = lib.sb_stemmer_new(b"english", None)
        if not self.st:
            raise SystemExit("stem_collisions: no English stemmer in libstemmer")
        self.memo = {}

    def stem(self, w):
        s = self.memo.get(w)
        if s is None:
            b = w.encode()
            p = self.lib.sb_stemmer_stem(self.st, b, len(b))
            n = self.lib.sb_stemmer_length(self.st)
            s = ctypes.string_at(p, n).decode()
            self.memo[w] = s
        return s


def pattern_words(text):
    """The stemmed words of one pattern string (no prefixes, sets, lists, numbers)."""
    for term in text.split():
        if term.startswith("~"):
            continue
        for alt in term.split("|"):
            if alt.endswith("*") or alt[:1] in "@=#":
                continue
            for w in alt.split("_"):
                w = w.lower()
                if re.fullmatch(r"[a-z]+", w):
                    yield w


def walk(node, out, key=""):
    """Every rule string of the rules file (skipping prose: about, name, document)."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("about", "name", "version", "spellings", "senses", "code"):
                continue
            walk(v, out, k)
    elif isinstance(node, list):
        for v in node:
            walk(v, out, key)
    elif isinstance(node, str):
        out.append(node)


def rule_words(rules):
    strings = []
    walk(rules, strings)
    words = Counter()
    for s in strings:
        words.update(pattern_words(s))
    return words


def tune_words(paths):
    freq = Counter()
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                note = json.loads(line)
                if part_of(note.get("id")) == "heldout":
                    continue  # held out: never read
                freq.update(re.findall(r"[a-z]+", note.get("text", "").lower()))
    return freq


def inflections(w):
    """The regular inflections of w (and w itself)."""
    out = {w, w + "s", w + "es", w + "ed", w + "ing", w + "d"}
    if w.endswith("e"):
        out |= {w[:-1] + "ing", w[:-1] + "ed"}
    if w.endswith("y"):
        out |= {w[:-1] + "ies", w[:-1] + "ied"}
    if len(w) > 2 and w[-1] not in "aeiouwxy" and w[-2] in "aeiou":
        out |= {w + w[-1] + "ed", w + w[-1] + "ing"}
    return out


def bases(w):
    """Words w may be an inflection of (w itself included)."""
    out = {w}
    for suf in ("s", "es", "ed", "d", "ing"):
        if w.endswith(suf) and len(w) > len(suf) + 2:
            b = w[:-len(suf)]
            out |= {b, b + "e"}
            if len(b) > 2 and b[-1] == b[-2]:
                out.add(b[:-1])
    for suf, rep in (("ies", "y"), ("ied", "y")):
        if w.endswith(suf):
            out.add(w[:-3] + rep)
    return out


def related(a, b):
    """True when a and b are inflections of one word."""
    return bool(bases(a) & bases(b)) or b in inflections(a) or a in inflections(b)


def split_words(rules):
    """Written forms the rules' maps rewrite before stemming."""
    out = set()
    for key in ("senses", "spellings"):
        out |= {k for k in rules.get(key, {}) if k != "about"}
    return out


def audit_matches(corpus, results):
    """Matches that fired through a derived word of a rule word's stem, tp and fp."""
    st = Stemmer()
    gold = {}
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            n = json.loads(line)
            gold[n["id"]] = (set(n.get("offences", [])) | set(n.get("language", [])) |
                             set(n.get("indicators", [])))
    res = defaultdict(lambda: [0, 0])
    example = {}
    with open(results, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            for kind in ("offences", "language", "indicators"):
                for m in r.get(kind, []):
                    code = m.get("code") or m.get("slug")
                    alts = set(re.findall(r"[a-z]+", m.get("rule", "").lower().replace("_", " ")))
                    for w in re.findall(r"[a-z]+", m.get("words", "").lower()):
                        same = [a for a in alts if w not in alts and st.stem(a) == st.stem(w)]
                        if same and not any(related(a, w) for a in same):
                            key = (w, "|".join(sorted(same)))
                            hit = code in gold.get(r.get("id"), set())
                            res[key][0 if hit else 1] += 1
                            example.setdefault(key, (r.get("id"), code))
    for (w, same), (tp, fp) in sorted(res.items(), key=lambda x: (-x[1][1], -x[1][0])):
        print("%s\t%s\ttp %d\tfp %d\t%s %s" % ((w, same, tp, fp) + example[(w, same)]))


def audit_ruled_out(corpus, results):
    """Gold labels of tune notes lost to a ruled-out match, by cue and its words."""
    cost, example = Counter(), {}
    with open(corpus, encoding="utf-8") as fc, open(results, encoding="utf-8") as fr:
        for gline, rline in zip(fc, fr):
            g, r = json.loads(gline), json.loads(rline)
            if part_of(g.get("id")) == "heldout":
                continue  # held out: never read
            gold = set(g.get("language", [])) | set(g.get("indicators", []))
            if g.get("crime_recorded") != "Y":
                gold |= set(g.get("offences", []))
            got = {m.get("code") or m.get("slug") for k in ("offences", "language", "indicators")
                   for m in r.get(k, [])}
            seen = set()
            for m in r.get("not_counted", []):
                code = m.get("code") or m.get("slug")
                if code not in gold or code in got or code in seen:
                    continue
                seen.add(code)
                why = m.get("why", "").replace("not counted: ", "")
                cues = re.findall(r"\((\w+): \"([^\"]*)\"\)", why) or [("", "")]
                for kind, words in cues:
                    key = (re.sub(r" \(.*", "", why), kind, words.lower())
                    cost[key] += 1
                    example.setdefault(key, (g["id"], code))
    for (why, kind, words), n in cost.most_common():
        print("%d\t%s\t%s\t%s\t%s %s" % ((n, why, kind, words) + example[(why, kind, words)]))


def main():
    args = sys.argv[1:]
    if args[:1] == ["--matches"]:
        if len(args) != 3:
            raise SystemExit("usage: stem_collisions.py --matches CORPUS.jsonl RESULTS.jsonl")
        audit_matches(args[1], args[2])
        return
    if args[:1] == ["--ruled-out"]:
        if len(args) != 3:
            raise SystemExit("usage: stem_collisions.py --ruled-out CORPUS.jsonl RESULTS.jsonl")
        audit_ruled_out(args[1], args[2])
        return
    opts = {"--rules": "data/rules/screen.json", "--dict": "/usr/share/dict/words", "--min": "1"}
    show_all = "--all" in args
    args = [a for a in args if a != "--all"]
    corpora = []
    i = 0
    while i < len(args):
        if args[i] in opts and i + 1 < len(args):
            opts[args[i]] = args[i + 1]
            i += 2
        else:
            corpora.append(args[i])
            i += 1
    with open(opts["--rules"], encoding="utf-8") as f:
        rules = json.load(f)
    st = Stemmer()
    rw = rule_words(rules)
    freq = tune_words(corpora)
    vocab = set(freq)
    try:
        with open(opts["--dict"], encoding="utf-8") as f:
            vocab |= {w.strip() for w in f if re.fullmatch(r"[a-z]+", w.strip())}
    except OSError:
        print("stem_collisions: no dictionary, notes' words only", file=sys.stderr)
    by_stem = defaultdict(set)
    for w in vocab:
        by_stem[st.stem(w)].add(w)
    split = split_words(rules)
    rows = []
    for s in sorted({st.stem(w) for w in rw}):
        mine = sorted(w for w in rw if st.stem(w) == s)
        others = sorted(w for w in by_stem.get(s, ()) if w not in rw)
        derived = [w for w in others if not any(related(m, w) for m in mine)]
        # rule words of one stem that are no inflections of each other
        # ("designated" and "designer"): each rule's word may match the other's
        clash = [w for w in mine[1:] if not any(related(m, w) for m in mine if m != w)]
        if clash and len(mine) > 1:
            derived += ["(rule)" + w for w in clash]
        if not derived and not show_all:
            continue
        seen = sum(freq[w.replace("(rule)", "")] for w in derived)
        if seen < int(opts["--min"]) and not show_all:
            continue
        rows.append((seen, s, mine, derived, [w for w in derived if w in split]))
    rows.sort(key=lambda r: (-r[0], r[1]))
    for seen, s, mine, derived, done in rows:
        fq = lambda w: freq[w.replace("(rule)", "")]
        other = " ".join("%s(%d)" % (w, fq(w)) for w in sorted(derived, key=lambda w: -fq(w)))
        line = "%s\t%s\t%s" % (s, "|".join(mine), other)
        if done:
            line += "\t[split: %s]" % " ".join(done)
        print(line)
    print("%d rule words, %d stems flagged" % (len(rw), len(rows)), file=sys.stderr)


if __name__ == "__main__":
    main()
