#!/usr/bin/env bash
# Integration tests of the child's page routes (issue 18; src/server/api_person.c):
# the summary, the paged chronology, the PDF export and notes, over HTTP on
# loopback with curl, on the demo's busiest girl (Ava Wilson, 495 events).
# Access control as GET /api/persons/{id} (the board and a practitioner of
# another agency refused), bad parameters, audit of every view and export,
# the second look at flagged wording.
# Usage: test_child.sh JOINDOTS SOURCE_ROOT
JD=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
scratch

"$JD" demo --dir "$SCRATCH/demo" --no-serve >/dev/null 2>&1
DB=$(store_adopt "$SCRATCH/demo/joindots.db" w)
for u in analyst:analyst: board:board: police:practitioner:police housing:practitioner:housing \
         mgr:manager:csc auditor:auditor:; do
  IFS=: read -r name role ag <<< "$u"
  a=""; [ -n "$ag" ] && a="--agency $ag"
  echo "password-of-$name-1" | "$JD" user add --db "$DB" --role "$role" $a --password-stdin "$name" 2>/dev/null
done
# the busiest child: the most events
PID=$(db_query "$DB" "SELECT i.person_id FROM identity i JOIN identity_ref r ON r.identity_id = i.id
  JOIN person_mention m ON m.agency = r.agency AND m.person_ref = r.person_ref WHERE i.is_child = 1
  GROUP BY i.id ORDER BY count(DISTINCT m.event_id) DESC LIMIT 1")
is "$(db_query "$DB" "SELECT display_name FROM identity WHERE person_id = '$PID'")" "Ava Wilson" \
  "the demo's busiest girl is Ava Wilson"

"$JD" serve --db "$DB" --listen 127.0.0.1:0 --port-file "$SCRATCH/port" 2>"$SCRATCH/serve.log" &
SPID=$!
trap 'kill -TERM $SPID 2>/dev/null; wait $SPID 2>/dev/null; rm -rf "$SCRATCH"' EXIT
for _ in $(seq 1 100); do [ -s "$SCRATCH/port" ] && break; sleep 0.1; done
B="http://127.0.0.1:$(cat "$SCRATCH/port")"

login() {
  curl -s -c "$SCRATCH/$1.jar" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"password-of-$1-1\"}" "$B/api/login" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])' > "$SCRATCH/$1.csrf" 2>/dev/null
}
as() { local r=$1; shift; curl -s -b "$SCRATCH/$r.jar" "$@"; }
code() { local r=$1; shift; curl -s -o /dev/null -w '%{http_code}' -b "$SCRATCH/$r.jar" "$@"; }
post() { local r=$1 p=$2 d=$3; curl -s -o "$SCRATCH/post.out" -w '%{http_code}' -b "$SCRATCH/$r.jar" \
  -H 'Content-Type: application/json' -H "X-CSRF-Token: $(cat "$SCRATCH/$r.csrf")" -d "$d" "$B$p"; }
jq_() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
for r in analyst board police housing mgr auditor; do login $r; done
P="$B/api/persons/$PID"
R="reason=strategy+meeting"

# ---- access control, as GET /api/persons/{id} ----
for route in summary alerts chronology chronology/pdf; do
  is "$(code board "$P/$route?$R")" 403 "board: /$route is refused by role"
  is "$(code auditor "$P/$route?$R")" 403 "auditor: /$route is refused by role"
  is "$(code housing "$P/$route?$R")" 404 "a practitioner of an agency that does not know her: /$route is 404"
  is "$(code housing "$B/api/persons/P999999/$route?$R")" 404 "an unknown person: /$route is the same 404"
  is "$(code police "$P/$route")" 428 "no reason: /$route asks for one (428)"
  is "$(code police "$P/$route?$R")" 200 "a police practitioner (police know her): /$route"
done
is "$(curl -s -o /dev/null -w '%{http_code}' "$P/summary?$R")" 401 "no session: 401"
is "$(code board "$B/api/persons/$PID?$R")" 403 "(today's person route refuses the board the same way)"

# ---- the summary: plain words, no rule code, no id, UK dates, ages ----
# py_checks FILE: runs the python on stdin over FILE; each printed line "1 desc"
# or "0 desc" becomes one TAP case.
py_checks() {
  local f=$1
  python3 - "$f" > "$SCRATCH/checks" 2>&1
  while read -r v desc; do
    if [ "$v" = 1 ]; then ok 0 "$desc"; else ok 1 "$desc :: $(head -c 400 "$f" | tr -cd '[:print:]')"; fi
  done < "$SCRATCH/checks"
}
as analyst "$P/summary?$R" > "$SCRATCH/sum.json"
py_checks "$SCRATCH/sum.json" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
text = ' '.join(s['text'] for s in d['summary'])
checks = [
    (3 <= len(d['summary']) <= 5, '3 to 5 sentences (%d)' % len(d['summary'])),
    (d['name'] == 'Ava Wilson' and 'Ava' in text, 'it names her'),
    (d['level'] == 'critical' and 'critical' in text, 'it says her level, critical'),
    (not re.search(r'\b[VMSTCL]\d\d\b|\bM-R\d|\bR-C\d|\bT\d\b', text), 'no rule code in the text'),
    (not re.search(r'P0\d{4}|auto:|[A-Z]{1,3}\d{2}-\d{6}|CH\d{7}|C-\d{7}|_', text), 'no id, record id or code word'),
    (not re.search(r'\d{4}-\d\d-\d\d', text) and re.search(r'\b\d\d/\d\d/\d{4}\b', text), 'UK dates only'),
    (re.search(r'aged 1\d', text), 'her age at each event'),
    ('held, locked in, kept or taken by adults' in text, 'the fact behind critical: held by adults'),
    ('07/11/2006' in text and '01/09/2004' in text, 'when she reached high and critical'),
    ('went missing' in text and 'return interview' in text, 'going missing and the return interviews not held'),
    ('not recorded as crimes' in text, 'disclosures not recorded as crimes'),
    (any('T2' in s['codes'] for s in d['summary']), 'the codes are on demand beside the sentences'),
    ([c['level'] for c in d['level_changes']] == ['high', 'critical'], 'level changes: high, then critical'),
    (all(c['reason'] and not re.search(r'\b[SMT]\d\d\b', c['reason']) for c in d['level_changes']), 'each change has a reason in words'),
    (len(d['agencies']) >= 8 and all('_' not in a['label'] for a in d['agencies']), 'agencies that know her, by name'),
    (d['events'] == 495 and d['age_now'] is not None, 'her records counted, her age now'),
]
for good, desc in checks:
    print(1 if good else 0, 'summary: ' + desc)
PY

# ---- the chronology, paged on the server ----
as analyst "$P/chronology?$R&limit=500" > "$SCRATCH/all.json"
as analyst "$P/chronology?$R&limit=50&offset=0&order=newest" > "$SCRATCH/new.json"
as analyst "$P/chronology?$R&limit=50&offset=445" > "$SCRATCH/old_last.json"
as analyst "$P/chronology?$R&limit=50&significant=1" > "$SCRATCH/sig.json"
as analyst "$P/chronology?$R&limit=500&agency=police,csc&from=01/01/2005&to=31/12/2005" > "$SCRATCH/pol.json"
as analyst "$P/chronology?$R&limit=500&q=TAKEAWAY" > "$SCRATCH/q.json"
as analyst "$P/chronology?$R&limit=500&indicator=S03" > "$SCRATCH/ind.json"
as analyst "$P/chronology?$R&limit=10&offset=600" > "$SCRATCH/beyond.json"
py_checks "$SCRATCH/all.json" <<'PY'
import json, os, sys
d = os.path.dirname(sys.argv[1])
L = lambda n: json.load(open(os.path.join(d, n)))
a, new, old, sig, pol, q, ind, beyond = (L(n) for n in ['all.json', 'new.json', 'old_last.json', 'sig.json',
                                                        'pol.json', 'q.json', 'ind.json', 'beyond.json'])
ev = a['events']
print(int(a['total'] == 495 and len(ev) == 495), 'chronology: 495 events, oldest first by default (%d)' % a['total'])
print(int(all(ev[i]['occurred_at'] <= ev[i + 1]['occurred_at'] for i in range(len(ev) - 1))), 'chronology: in time order')
print(int([e['record_id'] for e in new['events']] == [e['record_id'] for e in reversed(old['events'])]),
      'newest first, page 1 is oldest first, last page reversed')
print(int(new['total'] == 495 and len(new['events']) == 50 and new['order'] == 'newest'), 'a page holds the limit; total given')
print(int(sig['total'] < 495 and all(e['significant'] for e in sig['events'])
          and all(any(f['rule'][0] in 'STC' for f in e['findings']) for e in sig['events'])),
      'significant only: each has a significant sign, trigger or offence (%d)' % sig['total'])
print(int(pol['total'] > 0 and all(e['agency'] in ('police', 'csc') and e['occurred_at'][:4] == '2005' for e in pol['events'])),
      'filter by agency and date range (%d)' % pol['total'])
print(int(q['total'] > 0 and all('takeaway' in (e['narrative'] + e['location']).lower() for e in q['events'])),
      'filter by text, any case (%d)' % q['total'])
print(int(ind['total'] > 0 and all(any(f['rule'] == 'S03' for f in e['findings']) for e in ind['events'])),
      'filter by sign (%d)' % ind['total'])
print(int(beyond['total'] == 495 and beyond['events'] == []), 'an offset past the end is an empty page')
e = ev[0]
print(int(e['age'] == 12 and e['agency_label'] == "Children's social care" and e['type_label'] == 'Case note'),
      'each event: her age, the agency and the type in words')
print(int(any(f['offset'] >= 0 and f['length'] > 0 for x in ev for f in x['findings'] if f['rule'].startswith('L'))),
      'flagged wording is marked with its span')
print(int(all('person_id' not in p and 'person_ref' not in p for x in ev for p in x['parties'])),
      'other people by name and role, without internal ids')
PY
for bad in "offset=-1" "offset=x" "offset=99999999" "limit=0" "limit=501" "limit=1e3" "agency=POLICE;" \
           "indicator=S01%27" "from=31/02/2005x" "from=2005-13-40" "from=01/01/2006&to=01/01/2005" \
           "significant=yes" "order=sideways" "q=$(printf 'a%.0s' $(seq 1 101))"; do
  is "$(code analyst "$P/chronology?$R&$bad")" 400 "chronology: bad parameter $bad is 400"
done
is "$(code analyst "$P/chronology/pdf?$R&redact_all=2")" 400 "pdf: bad redact_all is 400"

# ---- the PDF: filtered to significant events, sources, redaction, pages, audit ----
curl -s -b "$SCRATCH/analyst.jar" -D "$SCRATCH/pdf.h" -o "$SCRATCH/sig.pdf" \
  "$P/chronology/pdf?reason=strategy+meeting+on+Monday&significant=1&redact_all=1"
grep -qi '^content-type: application/pdf' "$SCRATCH/pdf.h"; is $? 0 "pdf: served as application/pdf"
grep -qi '^content-disposition: attachment' "$SCRATCH/pdf.h"; is $? 0 "pdf: as an attachment"
curl -s -b "$SCRATCH/analyst.jar" -o "$SCRATCH/named.pdf" \
  "$P/chronology/pdf?reason=strategy+meeting&significant=1&redact=Wayne+Hussain|Tariq+Dogar"
curl -s -b "$SCRATCH/analyst.jar" -o "$SCRATCH/plain.pdf" "$P/chronology/pdf?reason=strategy+meeting&significant=1"
py_checks "$SCRATCH/sig.pdf" <<'PY'
import os, re, sys, zlib
d = os.path.dirname(sys.argv[1])
def text(n):
    b = open(os.path.join(d, n), 'rb').read()
    out = []
    for s in re.findall(rb'stream\r?\n(.*?)\r?\nendstream', b, re.S):
        try:
            out.append(zlib.decompress(s).decode('cp1252'))
        except Exception:
            pass
    t = '\n'.join(out)
    t = re.sub(r'\\(\d{3})', lambda m: chr(int(m.group(1), 8)), t)
    return b, t.replace('\\(', '(').replace('\\)', ')')
b, t = text('sig.pdf')
pages = len(re.findall(rb'/Type /Page\b', b))
print(int(b.startswith(b'%PDF-')), 'pdf: a PDF')
print(int(0 < pages < 30), 'pdf: her significant events print in under 30 pages (%d)' % pages)
print(int('Page 1 of %d' % pages in t and 'Page %d of %d' % (pages, pages) in t), 'pdf: page N of M on every page')
print(int('Prepared for' in t and 'analyst' in t and 'strategy meeting on Monday' in t and 'significant events only' in t),
      'pdf: a cover page with who, why and the filters')
print(int('held, locked in, kept or taken by adults' in t), 'pdf: the summary on the cover says what the page says')
print(int('IR05-' in t and 'Police' in t and 'Care home' in t), 'pdf: each event gives its source (agency, record id)')
print(int('[redacted]' in t and 'Wayne Hussain' not in t and 'Ava' in t and 'Wilson' in t),
      'pdf: every other person redacted, her own name kept')
_, tn = text('named.pdf')
_, tp = text('plain.pdf')
print(int('Wayne Hussain' in tp and 'Wayne Hussain' not in tn and 'Tariq Dogar' not in tn and 'Hussain' not in tn),
      'pdf: the third parties the user chose are redacted, and only when asked')
print(int(('Dean Hall' in tn) == ('Dean Hall' in tp)), 'pdf: people not chosen are left as they are')
PY
"$JD" audit list --db "$DB" > "$SCRATCH/audit.txt" 2>/dev/null
grep -c "export.*person:$PID" "$SCRATCH/audit.txt" > "$SCRATCH/n_exp"
[ "$(cat "$SCRATCH/n_exp")" -ge 3 ]; is $? 0 "every export is in the audit log ($(cat "$SCRATCH/n_exp"))"
grep "export.*person:$PID" "$SCRATCH/audit.txt" | grep -q "strategy meeting on Monday"
is $? 0 "the export's audit row has who and why"
grep -q "chronology offset=0" "$SCRATCH/audit.txt"; is $? 0 "each view of the chronology is audited with its filters"
grep -q "summary denied: not found\|summary denied: need to know" "$SCRATCH/audit.txt"; is $? 0 "refusals are audited"

# ---- notes: saved, attached to her, in her chronology; flagged wording gets a second look ----
is "$(post police "/api/persons/$PID/notes" '{"text":"Spoke to Ava; she is prostituting herself."}')" 409 \
  "a note with wording that blames her is not saved without a second look (409)"
grep -q '"wording_flagged"' "$SCRATCH/post.out" && grep -q '"language"' "$SCRATCH/post.out"
is $? 0 "the answer names the wording and what to write instead"
is "$(post police "/api/persons/$PID/notes" '{"text":"Spoke to Ava; concern that adults are sexually exploiting her. Strategy discussion booked."}')" 201 \
  "a note in plain words is saved"
is "$(post police "/api/persons/$PID/notes" '{"text":"Saw Ava at the station; she is prostituting herself again.","confirmed":true}')" 201 \
  "after a second look it can be saved as written"
is "$(post housing "/api/persons/$PID/notes" '{"text":"a note"}')" 404 "a practitioner of another agency cannot attach a note (404)"
is "$(post board "/api/persons/$PID/notes" '{"text":"a note"}')" 403 "the board cannot (403)"
is "$(post police "/api/persons/$PID/notes" '{"text":""}')" 400 "an empty note is refused (400)"
is "$(post police "/api/persons/$PID/notes" "{\"text\":\"$(printf 'x%.0s' $(seq 1 4001))\"}")" 400 "a note over 4000 bytes is refused (400)"
as analyst "$P/chronology?$R&limit=5&order=newest&agency=joindots" > "$SCRATCH/notes.json"
py_checks "$SCRATCH/notes.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ev = d['events']
print(int(d['total'] == 2 and all(e['agency'] == 'joindots' and e['event_type'] == 'note' for e in ev)),
      'the notes are in her chronology as joindots notes (%d)' % d['total'])
print(int(ev and 'Strategy discussion booked' in ev[-1]['narrative'] and ev[0]['agency_label'] == 'joindots note'),
      'with their text, newest first')
print(int(any(f['rule'].startswith('L') for f in ev[0]['findings'])), 'the saved wording is still marked in the chronology')
PY
as analyst "$P/chronology?$R&limit=500" | jq_ "d['total']" > "$SCRATCH/n_all"
is "$(cat "$SCRATCH/n_all")" 497 "the chronology counts the notes with the events"
grep -q "saved after a second look" <("$JD" audit list --db "$DB" 2>/dev/null); is $? 0 "a note saved after a second look is audited as such"

# ---- an acknowledgement with flagged wording gets a second look ----
AID=$(as police "$B/api/alerts?kind=overdue_return_interview&limit=200&q=Ava" | jq_ "[a['id'] for a in d['alerts'] if a.get('subject',{}).get('person_id')=='$PID'][0]")
is "$(post police "/api/alerts/$AID/ack" '{"note":"She is prostituting herself again."}')" 409 \
  "an acknowledgement with flagged wording asks for a second look (409)"
is "$(post police "/api/alerts/$AID/ack" '{"note":"She is prostituting herself again.","confirmed":true}')" 200 \
  "and is saved when confirmed"
is "$(post police "/api/alerts/$AID/ack" '{"note":"Return interview booked for Friday."}')" 200 \
  "a plain acknowledgement is saved at once"

done_testing
