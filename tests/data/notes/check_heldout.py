#!/usr/bin/env python3
"""Validate a blind notes file (heldout.jsonl, ids H0001...; heldout2.jsonl, ids
B0001...) and print its label counts.

Stdlib only. Usage: python3 tests/data/notes/check_heldout.py [path] [--scan]
Exit status 1 if any hard check fails. --scan also lists notes whose text
contains a slug-like word without that slug (for a human to read and confirm).
"""
import collections
import json
import os
import re
import sys

KEYS = ["id", "agency", "event_type", "child_age", "child_gender", "crime_recorded",
        "text", "offences", "language", "indicators", "traps", "why"]
AGENCIES = ["police", "call_handling", "csc", "school", "health_ae", "sexual_health", "gp",
            "school_nursing", "care_provider", "youth_service", "substance_service", "housing"]
EVENTS = ["call_for_service", "missing_report", "missing_return", "return_interview", "case_note",
          "referral", "strategy_meeting", "welfare_concern", "absence", "exclusion", "ae_attendance",
          "clinic_visit", "gp_consultation", "stop_check", "intelligence", "found_with_adult",
          "placement_change", "other"]
OFFENCES = ["C%d" % i for i in range(1, 21)]
SLUGS = ["prostitution", "consent", "sexually_active", "sexual_activity_with_adult", "boyfriend",
         "putting_self_at_risk", "lifestyle_choice", "streetwise", "promiscuous", "contacting_adults",
         "exchanging_sex", "absconded", "recruiting", "refused_to_engage", "asking_for_it", "own_accord",
         "enjoys", "sexually_available", "rent_boy", "out_of_control", "experimenting"]
INDICATORS = (["V%02d" % i for i in range(1, 8)] + ["M%02d" % i for i in range(1, 14)]
              + ["S%02d" % i for i in range(1, 13)])
TRAPS = ["negated", "hypothetical", "historical", "other_person", "quoted_challenge", "innocent_injury",
         "property_taken", "similar_words", "peer_same_age", "adult_context", "family_missing",
         "professional_language"]
CRIME_REF = re.compile(r"\b\d{2,}[/-]\d{3,}[/-]\d{2}\b|crime(d| recorded| report| ref| no| number)", re.I)

# rough stems for the keyword scan (not a classifier; hits are read by hand)
SCAN = {
    "prostitution": r"prostitut|sell(ing|s)? (sex|herself|himself)|on the game|sex work|soliciting",
    "consent": r"consen|willing",
    "sexually_active": r"sexually active",
    "boyfriend": r"boyfriend|girlfriend|partner|relationship",
    "putting_self_at_risk": r"(putting|puts|put|places|placing) (her|him)self",
    "lifestyle_choice": r"lifestyle|risk-taking|her choice|his choice",
    "streetwise": r"street ?wise|street-?smart|savvy|wilful|knows (exactly )?what|look after (her|him)self|knows the score",
    "promiscuous": r"promiscu",
    "exchanging_sex": r"(exchang|trad|swap)\w* (sex|sexual)|transactional",
    "absconded": r"abscond|awol",
    "recruiting": r"recruit",
    "refused_to_engage": r"engage|non-?complian|uncooperative",
    "asking_for_it": r"asking for|brought it on|own fault|to blame|had it coming|leading (him|them) on",
    "own_accord": r"own accord|voluntar|volition|free will|own bat|by choice",
    "enjoys": r"enjoy|laps it up|buzz",
    "sexually_available": r"sleeps around|sexually available|\beasy\b|go with anyone",
    "rent_boy": r"rent boy|hustl|rent scene",
    "out_of_control": r"out of control|beyond (parental )?control|uncontrollable",
    "experimenting": r"experiment|exploring (her|his) sexuality",
}


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    path = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "heldout.jsonl")
    scan = "--scan" in sys.argv
    errors = []
    notes = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                errors.append("line %d: blank line" % n)
                continue
            try:
                notes.append(json.loads(line))
            except ValueError as exc:
                errors.append("line %d: does not parse: %s" % (n, exc))
    texts = {}
    # the id letters of the file's first note (H: heldout.jsonl, B: heldout2.jsonl; once all 26
    # single letters were taken, two: AA for heldout26)
    m = re.match(r"[A-Z]+", str(notes[0].get("id", "H"))) if notes else None
    prefix = m.group(0) if m else "H"
    for i, r in enumerate(notes, 1):
        rid = r.get("id", "?")

        def err(msg):
            errors.append("%s: %s" % (rid, msg))
        if list(r.keys()) != KEYS:
            err("keys/order %s" % list(r.keys()))
            continue
        want = "%s%04d" % (prefix, i)
        if rid != want:
            err("id not sequential (expected %s)" % want)
        if r["agency"] not in AGENCIES:
            err("agency %r" % r["agency"])
        if r["event_type"] not in EVENTS:
            err("event_type %r" % r["event_type"])
        age = r["child_age"]
        if not isinstance(age, int) or not 0 <= age <= 17:
            err("child_age %r" % age)
            continue
        if r["child_gender"] not in ("F", "M"):
            err("child_gender %r" % r["child_gender"])
        for key, valid in (("offences", OFFENCES), ("language", SLUGS), ("indicators", INDICATORS),
                           ("traps", TRAPS)):
            vals = r[key]
            if not isinstance(vals, list):
                err("%s not a list" % key)
                continue
            for v in vals:
                if v not in valid:
                    err("%s: invalid code %r" % (key, v))
            if len(set(vals)) != len(vals):
                err("%s: duplicate code" % key)
        if len(r["language"]) > 2:
            err("more than two slugs")
        off = r["offences"]
        cr = r["crime_recorded"]
        if off and cr not in ("Y", "N"):
            err("offences present but crime_recorded=%r" % cr)
        if not off and cr != "":
            err("no offences but crime_recorded=%r" % cr)
        if cr == "Y" and not CRIME_REF.search(r["text"]):
            err("crime_recorded Y but no crime reference in text")
        if cr == "N" and CRIME_REF.search(r["text"]):
            print("review: %s crime_recorded N but the text has a crime reference (is it for this offence?)" % rid)
        if ("V07" in r["indicators"]) != (age < 13):
            err("V07 inconsistent with age %d" % age)
        if "C2" in off and not 13 <= age <= 15:
            err("C2 at age %d" % age)
        for c in ("C3", "C5", "C6"):
            if c in off and age >= 16:
                err("%s at age %d" % (c, age))
        if "C15" in off and age >= 16 and "V01" not in r["indicators"]:
            err("C15 at %d without V01 (looked after)" % age)
        if "C1" in off and age < 13 and "C11" in off:
            err("under-13: C1 alone, not also C11")
        if "C1" in off and age >= 13:
            print("review: %s C1 at age %d (must be abuse disclosed from under 13)" % (rid, age))
        if age < 13 and "C2" in off:
            err("under 13 should be C1 not C2")
        if not isinstance(r["text"], str) or len(r["text"]) < 20:
            err("text too short")
        key = re.sub(r"\s+", " ", r["text"].strip().lower())
        if key in texts:
            err("duplicate text of %s" % texts[key])
        texts[key] = rid
        if not r["why"].strip():
            err("empty why")
        if scan:
            low = r["text"].lower()
            for slug, pat in SCAN.items():
                if re.search(pat, low) and slug not in r["language"]:
                    print("scan: %s has /%s/-like wording without %s (traps=%s)"
                          % (rid, slug, slug, ",".join(r["traps"]) or "-"))
    for e in errors:
        print("ERROR", e)
    report(notes, os.path.basename(path))
    if errors:
        print("%d error(s)" % len(errors))
        return 1
    return 0


def report(notes, name):
    total = len(notes)
    if not total:
        return
    pct = lambda k: "%d (%d%%)" % (k, round(100.0 * k / total))
    c = collections.Counter
    withoff = [r for r in notes if r["offences"]]
    withlang = [r for r in notes if r["language"]]
    withtrap = [r for r in notes if r["traps"]]
    print("## %s: %d notes" % (name, total))
    print("- notes with offences: %s; crime_recorded Y=%d, N=%d" % (
        pct(len(withoff)), sum(r["crime_recorded"] == "Y" for r in notes),
        sum(r["crime_recorded"] == "N" for r in notes)))
    print("- notes with victim-blaming language: %s; with two or more slugs: %d" % (
        pct(len(withlang)), sum(len(r["language"]) >= 2 for r in notes)))
    print("- notes using a trap device: %s; of which with no offence and no language label: %s" % (
        pct(len(withtrap)), pct(sum(1 for r in withtrap if not r["offences"] and not r["language"]))))
    print("- notes with no offence, no language and no trap (indicator-only or neutral): %d" % sum(
        1 for r in notes if not r["offences"] and not r["language"] and not r["traps"]))

    def line(label, counter, order):
        print("- %s: %s" % (label, ", ".join("%s %d" % (k, counter.get(k, 0)) for k in order)))
    line("offences", c(x for r in notes for x in r["offences"]), OFFENCES)
    line("language", c(x for r in notes for x in r["language"]), SLUGS)
    line("indicators", c(x for r in notes for x in r["indicators"]), INDICATORS)
    line("traps", c(x for r in notes for x in r["traps"]), TRAPS)
    ag = c(r["agency"] for r in notes)
    line("agency", ag, sorted(ag))
    ev = c(r["event_type"] for r in notes)
    line("event_type", ev, sorted(ev))
    g = c(r["child_gender"] for r in notes)
    a = c(r["child_age"] for r in notes)
    print("- gender: F %d, M %d; age: %s" % (g.get("F", 0), g.get("M", 0),
                                            ", ".join("%d: %d" % (k, a[k]) for k in sorted(a))))


if __name__ == "__main__":
    sys.exit(main())
