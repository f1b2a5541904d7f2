#!/usr/bin/env bash
# Integration tests of `joindots screen`: text and JSON output, --batch (one
# result line per input line, in order, bad lines reported in place), the
# corpus scorer, and an unrecorded_crime alert that names offence, ages and
# words. Usage: test_screen.sh JOINDOTS SOURCE_ROOT
JD=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
scratch

out=$("$JD" screen --age 14 "She has been sleeping with a man aged 24 and it is consensual." 2>&1)
ok $? "screen prints findings for one text"
echo "$out" | grep -q "C2" ; ok $? "the text names C2 for a 14-year-old and a man of 24"
echo "$out" | grep -q "write instead" ; ok $? "wording comes with what to write instead"

json=$("$JD" screen --format json --age 14 "Her phone was snatched by a man." 2>&1)
python3 - "$json" <<'PY'
import json, sys
o = json.loads(sys.argv[1])
sys.exit(0 if o["offences"] == [] and set(o) >= {"id", "offences", "language", "indicators"} else 1)
PY
ok $? "a phone snatched is no offence against the child (JSON output)"

cat >"$SCRATCH/in.jsonl" <<'JL'
{"id": "A1", "text": "She says she had sex with Dean (31) at his flat. NFA - consensual.", "event_type": "case_note", "child_age": 14}
{"id": "A2", "text": "Dad drives her to netball on Thursdays.", "event_type": "case_note", "child_age": 14}
not json
{"id": "A4", "text": "She says a man aged 30 had sex with her. Crime ref 33/40011/24.", "event_type": "case_note", "child_age": 14, "crime_recorded": "Y"}
{"id": "A5", "text": "He absconded from the unit and is streetwise.", "child_age": 15}
{"id": "A6", "text": "A man aged 30 punched her and had sex with her. The assault was crimed, 33/40011/24.", "event_type": "case_note", "child_age": 14, "crime_recorded": "N"}
JL
"$JD" screen --batch "$SCRATCH/in.jsonl" >"$SCRATCH/out.jsonl" 2>"$SCRATCH/err.txt"
is "$?" "3" "a batch with a bad line exits 3 (data)"
is "$(wc -l <"$SCRATCH/out.jsonl")" "6" "one result line per input line"
python3 - "$SCRATCH/out.jsonl" <<'PY'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
ids = [x.get("id") for x in r]
assert ids == ["A1", "A2", None, "A4", "A5", "A6"], ids
c2 = [o for o in r[0]["offences"] if o["code"] == "C2"]
assert c2 and c2[0]["recorded"] is False and c2[0]["words"] and c2[0]["span"][1] > c2[0]["span"][0]
assert "31" in c2[0]["age_basis"], c2[0]["age_basis"]
assert "consent" in [o["slug"] for o in r[0]["language"]]
assert r[1]["offences"] == [] and r[1]["language"] == []
assert "error" in r[2]
assert all(o["recorded"] for o in r[3]["offences"]) and r[3]["offences"]
slugs = {o["slug"] for o in r[4]["language"]}
assert {"absconded", "streetwise"} <= slugs, slugs
# the record's "N" outranks the crime reference in the text (another crime of the event)
c2 = [o for o in r[5]["offences"] if o["code"] == "C2"]
assert c2 and c2[0]["recorded"] is False, r[5]["offences"]
PY
ok $? "batch results carry codes, slugs, words, spans, ages and recorded flags in order"
grep -q "line 3" "$SCRATCH/err.txt"; ok $? "the bad line is named on stderr"

# the scorer: a corpus in the notes schema scored against itself is perfect
python3 - "$SCRATCH/out.jsonl" "$SCRATCH/gold.jsonl" <<'PY'
import json, sys
with open(sys.argv[2], "w") as g:
    for l in open(sys.argv[1]):
        r = json.loads(l)
        if "error" in r:
            continue
        g.write(json.dumps({"id": r["id"], "crime_recorded": "",
                            "offences": [o["code"] for o in r["offences"] if not o["recorded"]],
                            "language": [o["slug"] for o in r["language"]],
                            "indicators": [o["code"] for o in r["indicators"]], "traps": []}) + "\n")
PY
grep -v '"error"' "$SCRATCH/out.jsonl" >"$SCRATCH/pred.jsonl"
python3 "$SRC/bench/screen_score.py" "$SCRATCH/gold.jsonl" "$SCRATCH/pred.jsonl" >"$SCRATCH/score.txt"
grep -E "^MICRO" "$SCRATCH/score.txt" | awk '{ if ($7 != "1.00") bad=1 } END { exit bad }'
ok $? "the corpus scorer gives F1 1.00 for a perfect run"

# other_age: the age of the suspect linked in the person records, when the text gives none
printf '%s\n' '{"id": "a", "text": "She says she has been having sex with him at his flat.", "child_age": 14, "other_age": 24}' \
  '{"id": "b", "text": "She says she has been having sex with him at his flat.", "child_age": 14}' \
  >"$SCRATCH/linked.jsonl"
"$JD" screen --batch "$SCRATCH/linked.jsonl" >"$SCRATCH/linked.out"
python3 - "$SCRATCH/linked.out" <<'PY'
import json, sys
a, b = [json.loads(l) for l in open(sys.argv[1])]
c2 = [o for o in a["offences"] if o["code"] == "C2"]
assert c2 and "linked person record" in c2[0]["age_basis"], a
assert not [o for o in b["offences"] if o["code"] in ("C2", "C3")], b
PY
ok $? "--batch other_age: a linked suspect of 24 makes it C2, and the basis says so; without it, no C2"

# the analysis reads the suspect's age from the person records when the note gives none
mkdir -p "$SCRATCH/linked"
cat >"$SCRATCH/linked/events.csv" <<'CSV'
agency,record_id,event_type,occurred_at,reported_at,location,postcode,narrative,crime_recorded,crime_ref,outcome,author_role,risk_grade
police,LK1,intelligence,2005-06-01T10:00,,,OX4 1AA,She says she has been having sex with him at his flat.,,,,PC,
police,LK2,intelligence,2005-06-01T11:00,,,OX4 1AB,She says she has been having sex with him at his flat.,,,,PC,
CSV
cat >"$SCRATCH/linked/persons.csv" <<'CSV'
agency,record_id,person_ref,role,surname,forenames,dob,gender,postcode,ethnicity
police,LK1,N1,subject,Hart,Amy,1991-01-01,F,OX4 1AA,White British
police,LK1,N2,suspect,Cole,Dean,1981-01-01,M,OX4 1AA,White British
police,LK2,N3,subject,Reed,Beth,1991-02-01,F,OX4 1AB,White British
police,LK2,N4,suspect,Wood,Carl,,M,OX4 1AB,White British
CSV
"$JD" ingest --db "$(store_at "$SCRATCH/linked.db")" --quiet "$SCRATCH/linked" >/dev/null 2>&1 &&
  "$JD" resolve --db "$(store_at "$SCRATCH/linked.db")" >/dev/null 2>&1 &&
  "$JD" analyse --db "$(store_at "$SCRATCH/linked.db")" >/dev/null 2>&1 &&
  "$JD" export alerts --db "$(store_at "$SCRATCH/linked.db")" >"$SCRATCH/linked.alerts" 2>/dev/null
python3 - "$SCRATCH/linked.alerts" <<'PY'
import json, sys
u = {}
for l in open(sys.argv[1]):
    x = json.loads(l)
    if x["kind"] == "unrecorded_crime":
        u[x["records"][0]["record_id"]] = x
assert "LK1" in u and u["LK1"]["rule"] == "C2", u
assert "linked person record" in u["LK1"]["age_basis"], u["LK1"]["age_basis"]
assert "LK2" not in u, u.get("LK2")  # the suspect's age is nowhere: no offence named on it
PY
ok $? "analyse: a suspect's date of birth (24) makes 'having sex with him' at 14 a C2; without one, none"

# screen-train: a tiny corpus one word separates; the model vetoes the rule's
# match on the other word and says why; --no-model is the rules alone
python3 - "$SCRATCH/syn.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(36):
        pos = i % 2 == 0
        f.write(json.dumps({"id": "%s%04d" % ("AB"[i // 18], i + 1), "agency": "police",
                            "event_type": "case_note", "child_age": 15, "child_gender": "F",
                            "crime_recorded": "",
                            "text": "YP went of her own accord with the %s team today." %
                                    ("alpha" if pos else "bravo"),
                            "offences": [], "language": ["own_accord"] if pos else [],
                            "indicators": []}) + "\n")
PY
"$JD" screen-train --cv --kinds lang --out "$SCRATCH/m.json" "$SCRATCH/syn.jsonl" >"$SCRATCH/cv.txt" 2>&1
ok $? "screen-train trains on a labelled corpus"
grep -q "^set A .*lang 0.50/1.00 -> 1.00/1.00" "$SCRATCH/cv.txt"
ok $? "screen-train --cv: leave-one-set-out, rules alone -> rules and model"
"$JD" screen --model "$SCRATCH/m.json" --all --age 15 --format json \
  "YP went of her own accord with the bravo team today." >"$SCRATCH/veto.json" &&
  "$JD" screen --no-model --age 15 --format json \
  "YP went of her own accord with the bravo team today." >"$SCRATCH/rules.json"
python3 - "$SCRATCH/veto.json" "$SCRATCH/rules.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
r = json.load(open(sys.argv[2]))
assert not v["language"], v
m = v["not_counted"][0]
assert m["slug"] == "own_accord" and m["model"]["p"] < m["model"]["threshold"], m
assert "bravo" in m["model"]["features"] and "the model" in m["why"], m
assert [x["slug"] for x in r["language"]] == ["own_accord"] and "model" not in r["language"][0], r
PY
ok $? "screen --model: a veto with its probability and features; --no-model: the rules alone"

# the indicators model (data/rules/screen_model_ind.json, the built-in default): a match it
# decides names its probability and the features that weighed most; a
# --cv-sets LOSO runs only the sets asked for
"$JD" screen --model "$SRC/data/rules/screen_model_ind.json" --age 14 --format json \
  "She was picked up from school by older males in a car and came home with a new phone." \
  >"$SCRATCH/ind.json"
python3 - "$SCRATCH/ind.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
m = [x for x in v["indicators"] if "model" in x]
assert m, v
assert all(x["model"]["p"] >= x["model"]["threshold"] and "weighed most" in x["model"]["features"]
           for x in m), m
PY
ok $? "screen --model screen_model_ind.json: modelled indicators name p and features"
# the wording model (data/rules/screen_model_lang.json, opt-in): a slug it
# decides names its probability and its word families; a quoted challenge
# counts nothing
"$JD" screen --model "$SRC/data/rules/screen_model_lang.json" --age 14 --format json \
  "Kayla went to the flat under her own steam." >"$SCRATCH/lang.json" &&
  "$JD" screen --model "$SRC/data/rules/screen_model_lang.json" --age 14 --format json \
    'Mum says "she went of her own accord"; this is grooming by adults.' >"$SCRATCH/langq.json" &&
  "$JD" screen --model "$SRC/data/rules/screen_model_lang.json" --age 14 --format json \
    "Mum says 'she went of her own accord'; this is grooming by adults." >"$SCRATCH/langq1.json" &&
  "$JD" screen --model "$SRC/data/rules/screen_model_lang.json" --age 14 --format json \
    "Mum says ‘she went of her own accord’; this is grooming by adults." >"$SCRATCH/langq2.json" &&
  "$JD" screen --model "$SRC/data/rules/screen_model_lang.json" --age 14 --format json \
    "Kayla's gone to the flat at 3 o'clock under her own steam." >"$SCRATCH/langa.json"
python3 - "$SCRATCH/lang.json" "$SCRATCH/langq.json" "$SCRATCH/langq1.json" \
  "$SCRATCH/langq2.json" "$SCRATCH/langa.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
m = [x for x in v["language"] if x["slug"] == "own_accord" and "model" in x]
assert m and m[0]["model"]["p"] >= m[0]["model"]["threshold"], v
assert "lex:volition" in m[0]["model"]["features"], m
for q in sys.argv[2:5]:  # double, single and curly single quotes: quoted speech
    assert json.load(open(q))["language"] == [], q
# apostrophes inside words ("Kayla's", "o'clock") open no quotation
a = [x for x in json.load(open(sys.argv[5]))["language"] if x["slug"] == "own_accord"]
assert a and "lex:volition" in a[0]["model"]["features"], a
PY
ok $? "screen --model screen_model_lang.json: a modelled slug names p and its word families"
# the wording model's veto floor: an adult "seeing" the child with his age given
# (the synthetic county's DOMAIN 6 "relationship with an older male") stays
# counted whatever the model's p, the why naming the floor; without an age,
# with only a bystander's age, or with the age of another person named after
# the man (his mate's, an uncle's), the model still vetoes it
for t in "Amy says she is seeing a man called Dean Smith, aged about 24." \
  "Amy says she is seeing a man called Dean Smith." \
  "Amy says she is seeing a man, her mum (41) told staff." \
  "She is seeing a man called Dean and his mate (45) drives them about." \
  "She is seeing a man called Dean, whose uncle (45) drives them about."; do
  "$JD" screen --model "$SRC/data/rules/screen_model_lang.json" --age 14 --all --format json "$t"
done >"$SCRATCH/floor.json"
python3 - "$SCRATCH/floor.json" <<'PY'
import json, sys
dec = json.JSONDecoder()
s, vs, i = open(sys.argv[1]).read(), [], 0
while i < len(s):
    if s[i].isspace():
        i += 1
        continue
    v, i = dec.raw_decode(s, i)
    vs.append(v)
def slug(v, key):
    return [x for x in v[key] if x.get("slug") == "boyfriend"]
aged, bare, mum, mate, uncle = vs
a = slug(aged, "language")
assert a and "model" in a[0], aged
assert a[0]["model"]["p"] < a[0]["model"]["threshold"], a  # the model would veto
assert "may not veto an adult named with an age" in a[0]["why"], a
for v in (bare, mum, mate, uncle):
    b = slug(v, "not_counted")
    assert not slug(v, "language") and b and "not counted: the model" in b[0]["why"], v
PY
ok $? "screen --model screen_model_lang.json: the veto floor keeps an adult named with an age"
# words of two-byte letters longer than a word's 63 bytes: the model's
# explanation is cut at a character boundary and stays in the JSON
long=""
for l in ø æ ð þ ł đ; do long="$long $(printf "$l%.0s" $(seq 35))"; done
"$JD" screen --age 14 --all --format json "She came home with a new phone$long and cash." \
  >"$SCRATCH/long.json"
python3 - "$SCRATCH/long.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
m = [x for x in v["indicators"] if x["code"] == "M03"]
assert m and all("model" in x and "weighed most" in x["model"]["features"] for x in m), m
PY
ok $? "screen: long words of two-byte letters keep the model's explanation in the JSON"
# the offences model (data/rules/screen_model_off.json, opt-in): every offence
# it counts names its probability and what weighed most, and has words to show
"$JD" screen --model "$SRC/data/rules/screen_model_off.json" --age 14 --format json \
  "Found at a trap house in another town with wraps on her; she said she owed them money." \
  >"$SCRATCH/off.json"
python3 - "$SCRATCH/off.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
m = [x for x in v["offences"] if "model" in x]
assert m, v
assert all(x["model"]["p"] >= x["model"]["threshold"] and "weighed most" in x["model"]["features"]
           and x.get("words") for x in m), m
PY
ok $? "screen --model screen_model_off.json: modelled offences name p, features and words"
"$JD" screen-train --cv --cv-sets B --kinds lang "$SCRATCH/syn.jsonl" >"$SCRATCH/cvb.txt" 2>&1 &&
  grep -q "^set B" "$SCRATCH/cvb.txt" && ! grep -q "^set A" "$SCRATCH/cvb.txt"
ok $? "screen-train --cv --cv-sets B: only set B left out, no --out needed"
# --cv-raise: the fold's model also never vetoing; counts per fold pool
"$JD" screen-train --cv --cv-raise --cv-sets A --kinds lang "$SCRATCH/syn.jsonl" >"$SCRATCH/cvr.txt" 2>&1 &&
  grep -q "^set A model .*lang 0.50/1.00 -> 1.00/1.00 ([0-9]*/[0-9]*/0 -> [0-9]*/0/0)" "$SCRATCH/cvr.txt" &&
  grep -q "^set A raise .*lang 0.50/1.00 -> 0.50/1.00" "$SCRATCH/cvr.txt" &&
  grep -q "^set A weak " "$SCRATCH/cvr.txt" && grep -q "^pooled raise.8 " "$SCRATCH/cvr.txt"
ok $? "screen-train --cv-raise: the model's vetoes gone in the raise use, tp/fp/fn per fold"
"$JD" screen-train --cv-raise --kinds lang --out "$SCRATCH/mr.json" "$SCRATCH/syn.jsonl" >/dev/null 2>&1
is "$?" "2" "screen-train --cv-raise without --cv is a usage error"
# a model file that is not there: its name once in the message
"$JD" screen-train --kinds lang --keep-thresholds "$SCRATCH/nonexist.json" \
  --out "$SCRATCH/mk.json" "$SCRATCH/syn.jsonl" >/dev/null 2>"$SCRATCH/keep.err"
[ $? -ne 0 ] && [ "$(grep -o 'nonexist.json' "$SCRATCH/keep.err" | wc -l)" = 1 ] &&
  grep -q "cannot open" "$SCRATCH/keep.err"
ok $? "screen-train --keep-thresholds: a missing file is named once (not 'f: f: cannot open')"
"$JD" screen-train --cv --cv-sets BZ --kinds lang "$SCRATCH/syn.jsonl" >"$SCRATCH/cvz.txt" 2>&1
is "$?" "2" "screen-train --cv-sets with a letter no set has is a usage error"
grep -q "no set Z" "$SCRATCH/cvz.txt" && ! grep -q "^pooled" "$SCRATCH/cvz.txt"
ok $? "screen-train --cv-sets Z names the letter and prints no pooled line"
# a set is an id's leading capitals: AA0001 is set AA, not set A
sed 's/"id": "B/"id": "AA/' "$SCRATCH/syn.jsonl" >"$SCRATCH/synaa.jsonl"
"$JD" screen-train --cv --kinds lang "$SCRATCH/synaa.jsonl" >"$SCRATCH/cvaa.txt" 2>&1 &&
  grep -q "^set A " "$SCRATCH/cvaa.txt" && grep -q "^set AA " "$SCRATCH/cvaa.txt"
ok $? "screen-train: ids AA... are a set of their own beside A..."
"$JD" screen-train --cv --cv-sets AA --kinds lang "$SCRATCH/synaa.jsonl" >"$SCRATCH/cvaa1.txt" 2>&1 &&
  grep -q "^set AA " "$SCRATCH/cvaa1.txt" && ! grep -q "^set A " "$SCRATCH/cvaa1.txt" &&
  "$JD" screen-train --cv --cv-sets A,AA --kinds lang --weight AA=2 "$SCRATCH/synaa.jsonl" \
    >"$SCRATCH/cvaa2.txt" 2>&1 &&
  grep -q "^set A " "$SCRATCH/cvaa2.txt" && grep -q "^set AA " "$SCRATCH/cvaa2.txt"
ok $? "screen-train --cv-sets AA / A,AA and --weight AA=2 name two-letter sets"
"$JD" screen-train --cv --cv-sets A,AB --kinds lang "$SCRATCH/synaa.jsonl" >"$SCRATCH/cvab.txt" 2>&1
is "$?" "2" "screen-train --cv-sets naming a set no id has (AB) is a usage error"
grep -q "no set AB" "$SCRATCH/cvab.txt" && ! grep -q "^set" "$SCRATCH/cvab.txt"
ok $? "screen-train --cv-sets AB names the set and leaves nothing out"
for w in 2=1 A= A=0 A=x a=1; do
  "$JD" screen-train --cv --weight "$w" --kinds lang "$SCRATCH/synaa.jsonl" >/dev/null 2>&1
  is "$?" "2" "screen-train --weight $w is a usage error"
done
"$JD" screen-train --cv-sets B --kinds lang --out "$SCRATCH/mb.json" "$SCRATCH/syn.jsonl" \
  >/dev/null 2>&1
is "$?" "2" "screen-train --cv-sets without --cv is a usage error"
test ! -e "$SCRATCH/mb.json"
ok $? "screen-train --cv-sets without --cv writes no model"
# --keep-thresholds: the kept model's thresholds (other than the ones the
# trainer chose) come out unchanged, and the weights are learnt anew
python3 - "$SCRATCH/m.json" "$SCRATCH/kept.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
k = m["kinds"]["language"]
k["threshold"], k["thresholds"] = 0.3, {"own_accord": 0.85, "consent": "rules"}
k["weights"], k["words"] = {"counted": 0.5}, {}
json.dump(m, open(sys.argv[2], "w"))
PY
"$JD" screen-train --keep-thresholds "$SCRATCH/kept.json" --out "$SCRATCH/mk.json" \
  "$SCRATCH/syn.jsonl" >/dev/null 2>&1
ok $? "screen-train --keep-thresholds trains (the kept model's kinds when --kinds is not given)"
python3 - "$SCRATCH/mk.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
assert list(m["kinds"]) == ["language"], m["kinds"].keys()
k = m["kinds"]["language"]
assert k["threshold"] == 0.3 and k["thresholds"] == {"own_accord": 0.85, "consent": "rules"}, k
assert any("bravo" in w or w.isdigit() for w in list(k["weights"]) + list(k["words"])), k
assert k["weights"] != {"counted": 0.5}, k
PY
ok $? "screen-train --keep-thresholds: thresholds kept, weights learnt"
"$JD" screen-train --keep-thresholds "$SCRATCH/kept.json" --kinds ind --out "$SCRATCH/mki.json" \
  "$SCRATCH/syn.jsonl" >"$SCRATCH/mki.txt" 2>&1
is "$?" "3" "screen-train --keep-thresholds with a model that lacks the kind asked for is refused"
grep -q "indicators" "$SCRATCH/mki.txt" && test ! -e "$SCRATCH/mki.json"
ok $? "screen-train --keep-thresholds: the refusal names the kind and writes no model"
"$JD" screen-train --keep-thresholds /nonexistent/kept.json --out "$SCRATCH/mkn.json" \
  "$SCRATCH/syn.jsonl" >/dev/null 2>&1
is "$?" "1" "screen-train --keep-thresholds with a missing file is an I/O failure"
"$JD" screen --model /nonexistent/m.json "text" >/dev/null 2>&1
is "$?" "1" "a missing model file is an I/O failure"

"$JD" screen --rules /nonexistent.json "text" >/dev/null 2>&1
is "$?" "3" "a missing rules file is a data error"
"$JD" screen --format xml "text" >/dev/null 2>&1
is "$?" "2" "an unknown format is a usage error"

# an unrecorded_crime alert names the offence, the ages and the words
"$JD" synth --out "$SCRATCH/c" --seed 5 --children 300 >/dev/null 2>&1 &&
  "$JD" ingest --db "$(store_at "$SCRATCH/c.db")" --quiet "$SCRATCH/c" >/dev/null 2>&1 &&
  "$JD" resolve --db "$(store_at "$SCRATCH/c.db")" >/dev/null 2>&1 &&
  "$JD" analyse --db "$(store_at "$SCRATCH/c.db")" >/dev/null 2>&1 &&
  "$JD" export alerts --db "$(store_at "$SCRATCH/c.db")" >"$SCRATCH/alerts.jsonl" 2>/dev/null
ok $? "a county is analysed"
python3 - "$SCRATCH/alerts.jsonl" <<'PY'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
u = [x for x in a if x.get("kind") == "unrecorded_crime"]
assert u, "no unrecorded_crime alerts"
for x in u:
    d = x.get("doc", x)
    assert d["rule"].startswith("C") and d["words"] and d["age_basis"].startswith("child"), d
    assert any("discloses it in the words" in e for e in d["explanation"]), d["explanation"]
PY
ok $? "unrecorded_crime alerts name the offence, the age basis and the words"
done_testing
