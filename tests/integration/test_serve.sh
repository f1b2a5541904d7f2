#!/usr/bin/env bash
# Integration tests of `joindots serve` (issue 8), over HTTP on loopback with
# curl: the OpenAPI file describes every route; every role is checked on the
# server (direct API calls refused with 403); need-to-know and reasons; CSRF;
# sessions and logout; login lock-out and rate limiting; security headers;
# path traversal; oversized requests; script and SQL text kept as text;
# board sees no names; the audit log records failed logins and detects
# tampering; SIGTERM finishes a request in flight; timing of the child's
# page (2,000 events) and a short load run.
# Usage: test_serve.sh JOINDOTS SOURCE_ROOT
JD=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
scratch
OUT=${JD_TEST_OUT:-$SCRATCH}

# ---- data: the oxford demo, plus Zara (2,000 events) and an adult ----
"$JD" demo --dir "$SCRATCH/demo" >/dev/null 2>&1
DB=$(store_adopt "$SCRATCH/demo/joindots.db" w)
python3 "$SRC/tests/integration/make_web_bundle.py" "$SCRATCH/zq" 2000
"$JD" ingest --db "$DB" --quiet "$SCRATCH/zq" >/dev/null 2>&1
is $? 0 "ingest of the web bundle"
"$JD" resolve --db "$DB" >/dev/null 2>&1 && "$JD" analyse --db "$DB" >/dev/null 2>&1
is $? 0 "resolve and analyse"
ROLES="practitioner analyst manager board auditor admin"
for r in $ROLES; do
  ag=""; [ "$r" = practitioner ] && ag="--agency csc"; [ "$r" = manager ] && ag="--agency police"
  echo "password-of-$r-1" | "$JD" user add --db "$DB" --role "$r" $ag --password-stdin "$r" 2>/dev/null
done
for u in teamlead:manager:north pnorth:practitioner:north southlead:manager:south; do
  IFS=: read -r name role team <<< "$u"
  echo "password-of-$name-1" | "$JD" user add --db "$DB" --role "$role" --agency csc --team "$team" --password-stdin "$name" 2>/dev/null
done
echo "password-of-outsider-1" | "$JD" user add --db "$DB" --role practitioner --agency nowhere --password-stdin outsider 2>/dev/null
echo "password-of-victim-1" | "$JD" user add --db "$DB" --role practitioner --agency csc --password-stdin victim 2>/dev/null
"$JD" user add --db "$DB" --role admin gen >"$SCRATCH/gen.pw" 2>/dev/null
is "$(wc -c <"$SCRATCH/gen.pw" | tr -d ' ')" 21 "user add without --password-stdin prints a generated password once"
"$JD" user list --db "$DB" | grep -q "^practitioner .*csc"
is $? 0 "user list"
echo short | "$JD" user add --db "$DB" --role board --password-stdin tooshort 2>/dev/null
is $? 3 "a short password is refused"
"$JD" user add --db "$DB" --role practitioner --password-stdin nag </dev/null 2>/dev/null
is $? 2 "a practitioner needs an agency"
err=$("$JD" serve --db "$DB" --threads 5x 2>&1 >/dev/null)
is $? 2 "serve --threads 5x is a usage error (the whole number is read, not its start)"
is "$err" "joindots: --threads takes a number from 1 to 64" "and the message names the option and its range"
"$JD" serve --db "$DB" --escalate-every '' 2>/dev/null
is $? 2 "an empty --escalate-every is a usage error"

# ---- the routes and the OpenAPI file ----
"$JD" serve --routes > "$SCRATCH/routes"
python3 - "$SRC/docs/openapi.yaml" "$SCRATCH/routes" <<'PY'
import sys, yaml
spec = yaml.safe_load(open(sys.argv[1]))
assert spec['openapi'].startswith('3.')
routes = [l.split()[:2] for l in open(sys.argv[2]) if l.strip()]
missing = [m + ' ' + p for m, p in routes if m.lower() not in spec['paths'].get(p, {})]
extra = [m.upper() + ' ' + p for p, ops in spec['paths'].items() for m in ops
         if [m.upper(), p] not in routes]
print('\n'.join('# not in openapi.yaml: ' + x for x in missing))
print('\n'.join('# in openapi.yaml, not served: ' + x for x in extra))
sys.exit(1 if missing or extra else 0)
PY
is $? 0 "docs/openapi.yaml describes every route the server registers, and no other"

# ---- start the server ----
"$JD" serve --db "$DB" --listen 127.0.0.1:0 --port-file "$SCRATCH/port" 2>"$SCRATCH/serve.log" &
SPID=$!
PORT=$(wait_port "$SCRATCH/port" "$SPID")
[ -n "$PORT" ]; is $? 0 "serve starts on a free loopback port"
B="http://127.0.0.1:$PORT"
export B
echo "$B" > "$OUT/serve-url" 2>/dev/null || true

code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
login() { # ROLE -> cookie jar $SCRATCH/ROLE.jar, csrf in $SCRATCH/ROLE.csrf
  curl -s -c "$SCRATCH/$1.jar" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"password-of-$1-1\"}" "$B/api/login" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])' > "$SCRATCH/$1.csrf" 2>/dev/null
}
as() { local r=$1; shift; curl -s -b "$SCRATCH/$r.jar" "$@"; }
asc() { local r=$1; shift; curl -s -o /dev/null -w '%{http_code}' -b "$SCRATCH/$r.jar" "$@"; }
post() { local r=$1 p=$2 d=$3; curl -s -o /dev/null -w '%{http_code}' -b "$SCRATCH/$r.jar" \
  -H 'Content-Type: application/json' -H "X-CSRF-Token: $(cat "$SCRATCH/$r.csrf")" -d "$d" "$B$p"; }

is "$(code "$B/api/me")" 401 "no session: /api/me is 401"
is "$(code "$B/api/alerts")" 401 "no session: /api/alerts is 401"
is "$(code -H 'Content-Type: application/json' -d '{"username":"analyst","password":"wrong-password-1"}' "$B/api/login")" 401 \
  "a wrong password is refused"
for r in $ROLES; do
  login "$r"
  got=$(as "$r" "$B/api/me" | python3 -c 'import json,sys; print(json.load(sys.stdin)["role"])' 2>/dev/null)
  is "$got" "$r" "log in as $r"
done
hdrs=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
  -d '{"username":"board","password":"password-of-board-1"}' "$B/api/login")
echo "$hdrs" | grep -qi '^Set-Cookie: jd_session=.*HttpOnly.*SameSite=Strict'
is $? 0 "the session cookie is HttpOnly and SameSite=Strict"
echo "$hdrs" | grep -qi "^Content-Security-Policy: default-src 'self'.*frame-ancestors 'none'" &&
  echo "$hdrs" | grep -qi '^X-Content-Type-Options: nosniff'
is $? 0 "security headers: CSP default-src 'self', frame-ancestors 'none', nosniff"

# ---- every role against every route (the server decides, not the menu) ----
ZQ=$(as analyst "$B/api/search?q=Zara%20Quill" | python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["person_id"])')
[ -n "$ZQ" ]; is $? 0 "analyst finds Zara Quill by name"
as analyst "$B/api/search?q=Zarah%20Quil" | grep -q "\"$ZQ\""
is $? 0 "search matches a misspelt name"
as analyst "$B/api/search?q=14/03/1996" | grep -q "\"$ZQ\""
is $? 0 "search by date of birth"
as analyst "$B/api/search?q=csc:C-ZQ1" | grep -q "\"$ZQ\""
is $? 0 "search by agency reference"
bad=""
while read -r m p roles; do
  [ "$m" = GET ] || continue
  case "$p" in *'{id}'*) continue ;; esac
  for r in $ROLES; do
    want=403
    case " $roles " in *" $r "*) want=200 ;; esac
    q=""; [ "$p" = /api/search ] && q="?q=zara"; [ "$p" = /api/profile ] && q="?subject=vehicle:none&reason=test"
    got=$(asc "$r" "$B$p$q")
    [ "$p" = /api/profile ] && [ "$want" = 200 ] && case $got in 400|404) want=$got ;; esac
    [ "$got" = "$want" ] || bad="$bad $r:$m:$p=$got(want $want)"
  done
done < "$SCRATCH/routes"
is "${bad:-none}" none "every GET route answers 200 to its roles and 403 to the others"
for r in board auditor admin; do
  is "$(asc "$r" "$B/api/persons/$ZQ?reason=looking")" 403 "$r cannot open a child's page by a direct API call"
done
for r in board auditor practitioner analyst; do
  is "$(post "$r" "/api/users" '{"username":"sneaky","role":"admin"}')" 403 "$r cannot make accounts"
done

# ---- need to know, reasons ----
is "$(asc practitioner "$B/api/persons/$ZQ")" 428 "opening a child's page without a reason is refused (428)"
is "$(asc practitioner "$B/api/persons/$ZQ?reason=strategy%20meeting")" 200 "a csc practitioner opens a child known to csc, with a reason"
VV=$(as analyst "$B/api/search?q=Victor%20Vole" | python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["person_id"])')
is "$(asc practitioner "$B/api/persons/$VV?reason=curious")" 404 "a csc practitioner cannot open an adult known only to the police (404, as for no such person)"
as practitioner "$B/api/search?q=Victor%20Vole" | grep -q "$VV"
is $? 1 "nor find him in a search"
is "$(asc manager "$B/api/persons/$VV?reason=investigation")" 200 "a police manager can"
n_all=$(as analyst "$B/api/alerts" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
n_csc=$(as practitioner "$B/api/alerts" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
[ "$n_csc" -gt 0 ] && [ "$n_csc" -le "$n_all" ]
is $? 0 "a practitioner's alert queue is their agency's ($n_csc of $n_all)"

# ---- the child's page: script is text; 2,000 events fast ----
as practitioner "$B/api/persons/$ZQ?reason=review" > "$SCRATCH/zq.json"
python3 - "$SCRATCH/zq.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ev = d['events']
assert len(ev) >= 2000, len(ev)
assert any('<script>window.__xss=1</script>' in e['narrative'] for e in ev)
assert any("DROP TABLE event" in e['narrative'] for e in ev)
assert any(f['rule'].startswith('L') for e in ev for f in e['findings'])
assert any(a['kind'] == 'child_at_risk' for a in d['alerts'])
PY
is $? 0 "the chronology has 2,000+ events, script and SQL text kept as text, language flags, the risk alert"
grep -q '<script>' "$SCRATCH/zq.json" && curl -s -D - -o /dev/null -b "$SCRATCH/practitioner.jar" "$B/api/persons/$ZQ?reason=review" \
  | grep -qi '^Content-Type: application/json'
is $? 0 "API answers are application/json (never HTML)"
best=9
for _ in 1 2 3 4 5; do
  t=$(curl -s -o /dev/null -w '%{time_total}' -b "$SCRATCH/practitioner.jar" "$B/api/persons/$ZQ?reason=timing")
  best=$(python3 -c "print(min($best, $t))")
done
echo "# child's page with $(python3 -c "import json; print(len(json.load(open('$SCRATCH/zq.json'))['events']))") events: best of 5 ${best}s"
# Speed targets are met in benchmarks (tests/integration/load.mjs), not in
# timed tests: the 300 ms target is reported above and failed here only
# under load or a sanitizer. What is asserted is a guard against a hang or a
# quadratic blow-up, which would take seconds on 2,000 events; a sanitizer
# build's time factor (scripts/test-tsan.sh) scales the guard with the build.
python3 -c "import sys; sys.exit(0 if $best < 5 * ${JD_TEST_TIME_FACTOR:-1} else 1)"
is $? 0 "the child's page for a child with 2,000 events is served whole, not hanging (best of 5: ${best}s; target 0.3 s in the load bench)"

# ---- CSRF ----
AID=$(as practitioner "$B/api/alerts" | python3 -c 'import json,sys; print(json.load(sys.stdin)["alerts"][0]["id"])')
AIDQ=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$AID")
is "$(asc practitioner -H 'Content-Type: application/json' -d '{"note":"seen"}' "$B/api/alerts/$AIDQ/ack")" 403 \
  "acknowledging without a CSRF token is refused"
is "$(asc practitioner -H 'Content-Type: application/json' -H 'X-CSRF-Token: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' -d '{"note":"seen"}' "$B/api/alerts/$AIDQ/ack")" 403 \
  "acknowledging with a wrong CSRF token is refused"
is "$(asc practitioner -H 'Content-Type: application/json' -H "X-CSRF-Token: $(cat "$SCRATCH/analyst.csrf")" -d '{"note":"seen"}' "$B/api/alerts/$AIDQ/ack")" 403 \
  "another session's CSRF token is refused"
is "$(asc practitioner -H 'Content-Type: text/plain' -H "X-CSRF-Token: $(cat "$SCRATCH/practitioner.csrf")" -d '{"note":"seen"}' "$B/api/alerts/$AIDQ/ack")" 415 \
  "a state change that is not JSON (a cross-site form) is refused (415)"
is "$(asc practitioner -H 'Content-Type: application/json' -H 'Origin: http://evil.example' -H "X-CSRF-Token: $(cat "$SCRATCH/practitioner.csrf")" -d '{"note":"seen"}' "$B/api/alerts/$AIDQ/ack")" 403 \
  "a state change from another origin is refused"
is "$(code -H 'Content-Type: text/plain' -d '{"username":"analyst","password":"password-of-analyst-1"}' "$B/api/login")" 415 \
  "a login posted by a cross-site form (not JSON) is refused (login CSRF, 415)"
is "$(post practitioner "/api/alerts/$AIDQ/ack" '{}')" 400 "acknowledging needs a note"
is "$(post practitioner "/api/alerts/$AIDQ/ack" '{"note":"Spoke to the school; strategy meeting booked."}')" 200 \
  "acknowledge an alert with a note"
as practitioner "$B/api/alerts" | grep -q 'strategy meeting booked'
is $? 0 "the acknowledgement shows in the queue"

# ---- concerns: raise from an alert, escalate; the board's agenda ----
CID=$(as practitioner -H 'Content-Type: application/json' -H "X-CSRF-Token: $(cat "$SCRATCH/practitioner.csrf")" \
  -d "{\"from_alert\":\"$AID\",\"why\":\"pattern over three agencies\"}" "$B/api/concerns" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null)
[ -n "$CID" ]; is $? 0 "a practitioner raises a concern from an alert ($CID)"
as practitioner "$B/api/concerns?all=1" | grep -q "\"$CID\""
is $? 0 "the concern is listed"
rung0=$(as practitioner "$B/api/concerns?all=1" | python3 -c "import json,sys; print([c['rung'] for c in json.load(sys.stdin)['concerns'] if c['id']=='$CID'][0])")
is "$(post practitioner "/api/concerns/$CID/escalate" '{}')" 400 "escalating needs a reason"
is "$(asc practitioner -H 'Content-Type: application/json' -d '{"text":"x"}' "$B/api/concerns/$CID/escalate")" 403 "escalating without a CSRF token is refused"
is "$(post practitioner "/api/concerns/$CID/escalate" '{"text":"Missing again; no response from the team."}')" 200 "a practitioner escalates it"
rung1=$(as practitioner "$B/api/concerns?all=1" | python3 -c "import json,sys; print([c['rung'] for c in json.load(sys.stdin)['concerns'] if c['id']=='$CID'][0])")
[ "$rung0" != "$rung1" ]; is $? 0 "it is one rung up ($rung0 -> $rung1)"
is "$(post board "/api/concerns" "{\"from_alert\":\"$AID\"}")" 403 "a board user cannot raise a case concern"
is "$(asc board "$B/api/agenda")" 200 "the board reads its agenda"
as board "$B/api/agenda" | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(1 if any("subject" in i or "title" in i for i in d["items"]) else 0)'
is $? 0 "the board's agenda has no subject and no title"

# ---- concerns: comment, reassign, close (reason, sign-off), the board's decision ----
jpost() { local r=$1 p=$2 d=$3; curl -s -b "$SCRATCH/$r.jar" -H 'Content-Type: application/json' \
  -H "X-CSRF-Token: $(cat "$SCRATCH/$r.csrf")" -d "$d" "$B$p"; }
hist() { as "$1" "$B/api/concerns?all=1" | python3 -c "import json,sys; c=[c for c in json.load(sys.stdin)['concerns'] if c['id']=='$2']; print(json.dumps(c[0]) if c else 'gone')"; }
as practitioner "$B/api/close-reasons" | python3 -c 'import json,sys; r={x["code"]: x for x in json.load(sys.stdin)["reasons"]}; sys.exit(0 if "safe" in r and r["no_further_action"]["signoff_on_disclosure"] else 1)'
is $? 0 "the close reasons come from the ladder (no further action needs a sign-off on a disclosure)"
is "$(post practitioner "/api/concerns/$CID/comment" '{}')" 400 "a comment needs text"
is "$(post practitioner "/api/concerns/$CID/comment" '{"text":"School says she was collected by a man in a grey car."}')" 200 "a practitioner comments on a concern"
hist practitioner "$CID" | grep -q 'collected by a man in a grey car'
is $? 0 "the comment is in the concern's history"
is "$(post board "/api/concerns/$CID/comment" '{"text":"x"}')" 403 "a board user cannot comment on a case concern"
is "$(post practitioner "/api/concerns/$CID/assign" '{"to":"manager"}')" 403 "a practitioner cannot reassign (managers and analysts do)"
is "$(post analyst "/api/concerns/$CID/assign" '{"to":"board"}')" 400 "reassigning to an account without a case role is refused"
is "$(post analyst "/api/concerns/$CID/assign" '{"to":"no-such-user"}')" 400 "reassigning to nobody is refused"
is "$(post analyst "/api/concerns/$CID/assign" '{"to":"outsider"}')" 403 "reassigning to someone whose agency does not know the child is refused"
is "$(post analyst "/api/concerns/$CID/assign" '{"to":"practitioner","text":"yours: you know the family"}')" 200 "an analyst reassigns the concern"
hist practitioner "$CID" | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["owner"]=="practitioner" else 1)'
is $? 0 "its owner is now the practitioner"
ZREC=$(db_query "$DB" "SELECT record_id FROM person_mention WHERE agency = 'csc' AND person_ref = 'C-ZQ1' LIMIT 1")
C2=$(jpost practitioner /api/concerns "{\"kind\":\"child\",\"subject\":\"$ZQ\",\"level\":\"high\",\"title\":\"seen with Victor\",\"records\":[{\"agency\":\"csc\",\"record_id\":\"$ZREC\"}]}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null)
[ -n "$C2" ]; is $? 0 "a practitioner raises a high concern by hand ($C2)"
is "$(post practitioner "/api/concerns/$C2/close" '{"text":"all fine now"}')" 400 "closing without a reason code is refused"
is "$(post practitioner "/api/concerns/$C2/close" '{"reason_code":"safe"}')" 400 "closing without a note is refused"
is "$(post practitioner "/api/concerns/$C2/close" '{"reason_code":"because","text":"all fine"}')" 400 "closing with a reason not on the list is refused"
is "$(post practitioner "/api/concerns/$C2/close" '{"reason_code":"safe","text":"placed with her aunt"}')" 403 \
  "closing a high concern without a manager's sign-off is refused"
is "$(post practitioner "/api/concerns/$C2/close" '{"reason_code":"safe","text":"placed with her aunt","signoff_username":"practitioner","signoff_password":"password-of-practitioner-1"}')" 403 \
  "a practitioner cannot sign off (nor sign off their own closure)"
is "$(post practitioner "/api/concerns/$C2/close" '{"reason_code":"safe","text":"placed with her aunt","signoff_username":"manager","signoff_password":"not-the-password"}')" 403 \
  "a sign-off with the wrong password is refused"
is "$(audit_query "$DB" "SELECT count(*) FROM audit_log WHERE action = 'concern.signoff' AND ok = 0 AND target = 'account:manager' AND detail LIKE 'denied: %'")" 1 \
  "and audited against the manager's account"
is "$(asc practitioner -H 'Content-Type: application/json' -d '{"reason_code":"safe","text":"x"}' "$B/api/concerns/$C2/close")" 403 "closing without a CSRF token is refused"
is "$(post practitioner "/api/concerns/$C2/close" '{"reason_code":"safe","text":"placed with her aunt; strategy meeting agreed","signoff_username":"manager","signoff_password":"password-of-manager-1"}')" 200 \
  "closing a high concern with a reason and a manager's sign-off (their password)"
is "$(hist practitioner "$C2")" gone "the closed concern has left the open list"
C3=$(jpost practitioner /api/concerns "{\"kind\":\"child\",\"subject\":\"$ZQ\",\"level\":\"medium\",\"disclosure\":true,\"title\":\"disclosed at school\",\"records\":[{\"agency\":\"csc\",\"record_id\":\"$ZREC\"}]}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null)
is "$(post practitioner "/api/concerns/$C3/close" '{"reason_code":"no_further_action","text":"she withdrew it"}')" 403 \
  "closing a disclosure with no further action needs a manager's sign-off, even at medium"
is "$(post practitioner "/api/concerns/$C3/close" '{"reason_code":"referred","text":"police investigation holds it"}')" 200 \
  "a medium disclosure closed as referred on needs none"
# A manager's inbox holds their team's work (accounts with the same team).
CT=$(jpost practitioner /api/concerns "{\"kind\":\"child\",\"subject\":\"$ZQ\",\"title\":\"team work\",\"records\":[{\"agency\":\"csc\",\"record_id\":\"$ZREC\"}]}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null)
is "$(post analyst "/api/concerns/$CT/assign" '{"to":"pnorth"}')" 200 "a concern is assigned to a member of team north"
login teamlead; login southlead
as teamlead "$B/api/concerns" | python3 -c "import json,sys; c=[c for c in json.load(sys.stdin)['concerns'] if c['id']=='$CT']; sys.exit(0 if c and c[0].get('team')=='pnorth' else 1)"
is $? 0 "team north's manager finds it in their inbox (their team's work)"
as southlead "$B/api/concerns" | grep -q "\"$CT\""
is $? 1 "team south's manager does not"
as manager "$B/api/concerns" | grep -q "\"$CT\""
is $? 1 "nor a manager without a team"
is "$(post practitioner "/api/concerns/$C2/comment" '{"text":"for the record"}')" 200 "a closed concern still takes comments"
is "$(post practitioner "/api/concerns/$C2/ack" '{}')" 409 "but no other action"
SI=$("$JD" concern raise --db "$DB" --by lead --as exploitation_meeting --kind pattern \
  --subject "group of men at the takeaway" --title "organised group" --strategic \
  --records "[{\"agency\":\"csc\",\"record_id\":\"$ZREC\"}]" 2>/dev/null | tail -1)
[ -n "$SI" ]; is $? 0 "a strategic item is put on the board's agenda ($SI)"
# The board knows items only by opaque ids; an analyst sees which is which.
SIB=$(as analyst "$B/api/agenda" | python3 -c "import json,sys; print([i['id'] for i in json.load(sys.stdin)['items'] if i.get('concern_id')=='$SI'][0])" 2>/dev/null)
as board "$B/api/agenda" | grep -q "\"$SIB\""
is $? 0 "the board sees it on the agenda (by its opaque id $SIB)"
is "$(post analyst "/api/concerns/$SI/decide" '{"decision":"x","decision_maker":"y","text":"z"}')" 403 "only the board records a board decision"
is "$(post analyst "/api/concerns/$SI/close" '{"reason_code":"safe","text":"sorted"}')" 403 "a strategic item cannot be closed other than by a board decision"
is "$(post board "/api/concerns/$CID/decide" '{"decision":"x","decision_maker":"y","text":"z"}')" 404 "the board cannot decide on a case concern (not on its agenda)"
is "$(post board "/api/concerns/$SIB/decide" '{"decision":"commission a problem profile","text":"two schools report it"}')" 400 \
  "a board decision without a decision-maker is refused"
is "$(post board "/api/concerns/$SIB/decide" '{"decision":"commission a problem profile","decision_maker":"Chair, J. Smith"}')" 400 \
  "a board decision without a reason is refused"
is "$(asc board -H 'Content-Type: application/json' -d '{"decision":"a","decision_maker":"b","text":"c"}' "$B/api/concerns/$SIB/decide")" 403 \
  "a board decision without a CSRF token is refused"
is "$(post board "/api/concerns/$SIB/decide" '{"decision":"commission a problem profile; disruption plan to the police","decision_maker":"Chair, J. Smith","text":"two schools and the takeaway report the same men"}')" 200 \
  "the board records a decision with its decision-maker and reason"
as board "$B/api/agenda" | grep -q "\"$SIB\""
is $? 1 "the item has left the agenda"
"$JD" concern show "$SI" --db "$DB" 2>/dev/null | grep -q 'Chair, J. Smith'
is $? 0 "the decision and its decision-maker are in the item's history"
"$JD" audit list --db "$DB" > "$SCRATCH/audit-c.txt"
awk -F'\t' '$4=="concern.close" && $6=="ok"' "$SCRATCH/audit-c.txt" | grep -q 'signoff=manager'
is $? 0 "the closure is audited with its sign-off"
awk -F'\t' '$4=="concern.close" && $6=="refused"' "$SCRATCH/audit-c.txt" | grep -q practitioner
is $? 0 "refused closures are audited"
awk -F'\t' '$4=="concern.decide" && $3=="board" && $6=="ok"' "$SCRATCH/audit-c.txt" | grep -q 'Chair, J. Smith'
is $? 0 "the board's decision is audited"
awk -F'\t' '$4=="concern.assign" && $3=="analyst" && $6=="ok"' "$SCRATCH/audit-c.txt" | grep -q 'to=practitioner'
is $? 0 "the reassignment is audited"

# ---- language check ----
as practitioner -H 'Content-Type: application/json' -H "X-CSRF-Token: $(cat "$SCRATCH/practitioner.csrf")" \
  -d '{"text":"She is prostituting herself and is streetwise."}' "$B/api/language-check" > "$SCRATCH/lang.json"
python3 -c "import json,sys; d=json.load(open('$SCRATCH/lang.json')); sys.exit(0 if len(d['language'])>=1 and d['language'][0].get('advice') else 1)"
is $? 0 "the language check marks victim-blaming wording and offers the alternative"

# ---- board: aggregates only, never a name ----
as board "$B/api/dashboard" > "$SCRATCH/board.json"
as analyst "$B/api/search?q=a" >/dev/null
python3 - "$SCRATCH/board.json" "$DB" <<'PY'
import collections, json, re, jdq, sys
d = json.loads(open(sys.argv[1]).read())
db = jdq.connect(sys.argv[2])
# Equality monitoring, recomputed from the store: resolved children by their
# most frequent recorded ethnicity, and those with a child_at_risk alert at
# high or critical. The labels are recorded ethnicities (categories, not
# names: "White British" beside a surname White); they are checked here and
# left out of the name check below.
risk = {s for (s,) in db.execute("SELECT subject FROM alert WHERE kind = 'child_at_risk'"
                                 " AND level IN ('high', 'critical')")}
eth = collections.defaultdict(collections.Counter)
kids = set()
for pid, e in db.execute("SELECT i.person_id, trim(pm.ethnicity) FROM identity i JOIN identity_ref r"
                         " ON r.identity_id = i.id LEFT JOIN person_mention pm ON pm.agency = r.agency"
                         " AND pm.person_ref = r.person_ref WHERE i.is_child = 1"):
    kids.add(pid)
    if e: eth[pid][e] += 1
want = collections.defaultdict(lambda: [0, 0])
for k in kids:
    e = sorted(eth[k].items(), key=lambda x: (-x[1], x[0]))[0][0] if eth[k] else 'not recorded'
    want[e][0] += 1
    want[e][1] += k in risk
got = {g['ethnicity']: [g['children'], g['high_or_critical']] for g in d['equality_monitoring']}
assert got == dict(want), (got, dict(want))
assert all(abs(g['rate'] - g['high_or_critical'] / g['children']) < 1e-9 for g in d['equality_monitoring'])
assert sum(v[1] for v in got.values()) > 0, 'no child at high or critical'
assert len(got) >= 3, got
for g in d['equality_monitoring']: g['ethnicity'] = ''
# Return interviews held within 72 hours as a share of returns; disclosed
# offences against crimes recorded: consistent with the alerts.
ri, cr, kinds = d['return_interviews'], d['disclosed_vs_recorded'], d['alerts_by_kind']
assert ri['returns'] > 0 and 0 < ri['within_72_hours'] < ri['returns'], ri
assert ri['returns'] - ri['within_72_hours'] == kinds.get('overdue_return_interview', 0), (ri, kinds)
assert abs(ri['share'] - ri['within_72_hours'] / ri['returns']) < 1e-9
assert cr['offences_disclosed'] > 0 and cr['crimes_recorded'] <= cr['offences_disclosed'], cr
assert cr['offences_disclosed'] - cr['crimes_recorded'] == kinds.get('unrecorded_crime', 0), (cr, kinds)
assert d['not_yet_available'] == [], d['not_yet_available']
# Capacity (issue 15 item 6): children at high or critical by each year's end
# per 1,000 children known, consistent with the levels over time.
cap = d['capacity']
assert cap['children_known'] > 0, cap
lot = {y['year']: y['high'] + y['critical'] for y in d['levels_over_time']}
assert [c['year'] for c in cap['high_per_1000_by_year']] == sorted(lot), cap
for c in cap['high_per_1000_by_year']:
    assert c['high_or_critical'] == lot[c['year']], (c, lot)
    assert abs(c['per_1000_children'] - 1000.0 * c['high_or_critical'] / cap['children_known']) < 1e-9
print('# equality groups: %d; returns %d, in time %d; disclosed %d, recorded %d' % (
    len(got), ri['returns'], ri['within_72_hours'], cr['offences_disclosed'], cr['crimes_recorded']))
board = json.dumps(d)
assert not re.search(r'"P\d{6}"|U:[a-z_]+:', board), 'a person id in the board view'
names = set()
for sn, fn in db.execute("SELECT DISTINCT surname, forenames FROM person_mention WHERE surname IS NOT NULL"):
    if sn and len(sn) > 3: names.add(sn)
    if fn and len(fn) > 3: names.add(fn)
found = [n for n in names if n in board]
print('# names in the board view: %s' % found[:5])
sys.exit(1 if found else 0)
PY
is $? 0 "the board's dashboard (equality monitoring, return interviews in 72 hours, disclosed vs recorded crimes) is right and holds no name or person id"
is "$(asc board "$B/api/search?q=Zara")" 403 "a board user asking for a name (search) is refused"
is "$(asc board "$B/api/alerts")" 403 "a board user cannot read alerts (they name children)"
is "$(asc board "$B/api/network")" 403 "nor the network"

# ---- SQL metacharacters in every input ----
sqlbad=0
for q in "'" "' OR '1'='1" "\"; DROP TABLE account;--" "%27%20OR%201=1--" "Robert'); DROP TABLE event;--"; do
  e=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$q")
  for u in "/api/search?q=$e" "/api/persons/$e?reason=$e" "/api/alerts?kind=$e&level=$e" "/api/profile?subject=$e&reason=$e"; do
    c=$(asc analyst "$B$u"); case $c in 200|403|404|400|428) ;; *) sqlbad=1; echo "# $u -> $c" ;; esac
  done
  c=$(code -H 'Content-Type: application/json' -d "$(python3 -c 'import json,sys; print(json.dumps({"username":sys.argv[1],"password":sys.argv[1]}))' "$q")" "$B/api/login")
  [ "$c" = 401 ] || [ "$c" = 429 ] || { sqlbad=1; echo "# login $q -> $c"; }
  c=$(post admin /api/users "$(python3 -c 'import json,sys; print(json.dumps({"username":sys.argv[1],"role":"board"}))' "$q")")
  [ "$c" = 400 ] || { sqlbad=1; echo "# user add $q -> $c"; }
  c=$(post practitioner "/api/alerts/$AIDQ/ack" "$(python3 -c 'import json,sys; print(json.dumps({"note":sys.argv[1]}))' "$q")")
  [ "$c" = 200 ] || { sqlbad=1; echo "# ack $q -> $c"; }
done
is $sqlbad 0 "SQL metacharacters in every input are answered normally (no 500)"
db_query "$DB" "SELECT count(*) FROM account; SELECT count(*) FROM event" | tr '\n' ' ' | grep -q '^[0-9]* [0-9]* $'
is $? 0 "the tables are all still there"
as practitioner "$B/api/alerts" | grep -qF "Robert'); DROP TABLE event;--"
is $? 0 "a note with SQL in it is stored as text"

# ---- static files: traversal, oversized ----
is "$(code "$B/")" 200 "the web application is served"
is "$(code "$B/js/app.js")" 200 "its scripts are served"
is "$(code "$B/favicon.ico")" 200 "the favicon is served (no 404 on every page)"
trav=0
for p in "/../../../../etc/passwd" "/%2e%2e/%2e%2e/etc/passwd" "/js/../../meson.build" "/..%2f..%2fmeson.build" \
         "/js/%2e%2e/%2e%2e/meson.build" "/.git/config" "//etc/passwd" "/js/..%5c..%5cmeson.build"; do
  body=$(curl -s --path-as-is -w ' %{http_code}' "$B$p")
  c=${body##* }
  case $c in 400|404) ;; *) trav=1; echo "# $p -> $c" ;; esac
  case $body in *root:*|*"project("*) trav=1; echo "# $p leaked" ;; esac
done
is $trav 0 "path traversal on static files is refused (404/400, nothing leaked)"
head -c 200000 /dev/zero | tr '\0' 'a' > "$SCRATCH/big"
is "$(code -H 'Content-Type: application/json' --data-binary @"$SCRATCH/big" "$B/api/login")" 413 "an oversized request is refused (413)"
is "$(code -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary @"$SCRATCH/big" "$B/api/login")" 413 \
  "an oversized chunked request is refused (413)"
is "$(code "$B/api/me")" 401 "the server still answers after them"

# ---- logout, lock-out, rate limit ----
login victim 2>/dev/null || true
is "$(post practitioner /api/logout '{}')" 200 "log out"
is "$(asc practitioner "$B/api/me")" 401 "the session has ended"
# Issue 19 item 7: failures throttle this address for this account (429),
# never lock the account itself.
for i in 1 2 3 4 5; do code -H 'Content-Type: application/json' -d '{"username":"victim","password":"not-the-password"}' "$B/api/login" >/dev/null; done
is "$(code -H 'Content-Type: application/json' -d '{"username":"victim","password":"password-of-victim-1"}' "$B/api/login")" 429 \
  "five failed logins throttle this address for this account (429, even the right password waits)"
is "$(code --interface 127.0.0.2 -H 'Content-Type: application/json' -d '{"username":"victim","password":"password-of-victim-1"}' "$B/api/login")" 200 \
  "the right password from another address still works (no lock-out)"
"$JD" user list --db "$DB" | grep -q '^victim .*active failed=0'
is $? 0 "user list shows the account active, its failures cleared by the success"
echo "password-of-victim-2" | "$JD" user reset --db "$DB" --password-stdin victim 2>/dev/null
is $? 0 "user reset"
is "$(code --interface 127.0.0.2 -H 'Content-Type: application/json' -d '{"username":"victim","password":"password-of-victim-2"}' "$B/api/login")" 200 \
  "after a reset the new password works"
"$JD" user disable --db "$DB" victim 2>/dev/null
is "$(code --interface 127.0.0.2 -H 'Content-Type: application/json' -d '{"username":"victim","password":"password-of-victim-2"}' "$B/api/login")" 401 \
  "a disabled account cannot log in"
# 20 failures a minute per address: 45 tries reach the limit even when the
# minute turns over part-way (a bounded loop that stops at the first 429)
rl=0
for i in $(seq 1 45); do
  c=$(code -H 'Content-Type: application/json' -d '{"username":"nobody","password":"whatever-it-is"}' "$B/api/login")
  if [ "$c" = 429 ]; then rl=1; break; fi
done
is $rl 1 "failed logins from one address are rate-limited (429)"

# ---- the audit log ----
as auditor "$B/api/audit/verify" | grep -q '"intact":true'
is $? 0 "the auditor verifies the chain over HTTP"
"$JD" audit list --db "$DB" | awk -F'\t' '$4=="login" && $6=="refused"' | grep -q 'account:victim'
is $? 0 "failed logins are in the audit log"
"$JD" audit list --db "$DB" | awk -F'\t' '$4=="view" && $5 ~ /^person:/ && $7=="strategy meeting"' | grep -q practitioner
is $? 0 "a record view is audited with who and why"
"$JD" audit list --db "$DB" | awk -F'\t' '$4=="denied"' | grep -q board
is $? 0 "refused API calls are audited"
"$JD" link reject --db "$DB" --reason "a girl and the adult who abused her" --user tester csc:C-ZQ1 police:N-VV9 >/dev/null 2>&1
"$JD" audit list --db "$DB" | awk -F'\t' '$4=="link.reject" && $3=="tester"' | grep -q 'a girl and the adult'
is $? 0 "a link decision is audited with who and why"
USER=alice "$JD" export identities --db "$DB" --reason "quarterly return to the partnership" > "$SCRATCH/ids.jsonl" 2>/dev/null
is $? 0 "export identities"
"$JD" audit list --db "$DB" | awk -F'\t' '$4=="export" && $5=="export:identities" && $6=="ok" && $3=="alice"' \
  | grep -q 'quarterly return to the partnership'
is $? 0 "an export of identities is audited: who (\$USER), what and why"
env -u USER "$JD" export alerts --db "$DB" --user bob > "$SCRATCH/alerts.jsonl" 2>/dev/null
"$JD" audit list --db "$DB" | awk -F'\t' '$4=="export" && $5=="export:alerts" && $3=="bob"' | grep -q .
is $? 0 "an export of alerts is audited with --user"
env -u USER "$JD" export identities --db "$DB" >/dev/null 2>&1
"$JD" audit list --db "$DB" | tail -1 | awk -F'\t' '$3=="cli" && $4=="export"' | grep -q .
is $? 0 "without --user or \$USER the actor is cli"
n_before=$("$JD" audit list --db "$DB" | wc -l)
"$JD" export identities --db "$DB" --reason "$(head -c 9000 /dev/zero | tr '\0' x)" > "$SCRATCH/none.jsonl" 2>/dev/null
st=$?
[ $st -ne 0 ] && [ ! -s "$SCRATCH/none.jsonl" ] && [ "$("$JD" audit list --db "$DB" | wc -l)" = "$n_before" ]
is $? 0 "an export whose audit entry cannot be written is refused and writes nothing (exit $st)"

# ---- load: the child's page and the search ----
if command -v node >/dev/null 2>&1; then
  node "$SRC/tests/integration/load.mjs" "$B" "$SCRATCH/analyst.jar" "$ZQ" > "$SCRATCH/load.txt" 2>&1
  st=$?
  sed 's/^/# /' "$SCRATCH/load.txt"
  cp "$SCRATCH/load.txt" "$OUT/load.txt" 2>/dev/null || true
  is $st 0 "load run against loopback (requests per second, p99)"
fi

# ---- SIGTERM finishes the request in flight ----
curl -s -o /dev/null -w '%{http_code}' -b "$SCRATCH/analyst.jar" "$B/api/network" > "$SCRATCH/inflight" &
CPID=$!
# TERM once curl's connection is open (up to 5 s; 50 ms was not always enough
# for curl to start on a loaded machine), then 0.2 s for the request to arrive.
python3 - "$PORT" <<'PY'
import sys, time
port = '%04X' % int(sys.argv[1])
end = time.time() + 5
while time.time() < end:
    with open('/proc/net/tcp') as f:
        rows = [l.split() for l in f.readlines()[1:]]
    if any(r[2].endswith(':' + port) and r[3] == '01' for r in rows):
        break
    time.sleep(0.01)
PY
sleep 0.2
kill -TERM $SPID
wait $CPID
is "$(cat "$SCRATCH/inflight")" 200 "a request in flight at SIGTERM is finished"
wait $SPID
is $? 0 "serve exits 0 after SIGTERM"
grep -q stopped "$SCRATCH/serve.log"
is $? 0 "and says it stopped"
grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' "$SCRATCH/serve.log" | head -3 | sed 's/^/# /'
grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error' "$SCRATCH/serve.log"
is $? 1 "no memory error or leak reported by the server (under sanitizers)"

# ---- tampering is detected ----
"$JD" audit verify --db "$DB" >/dev/null
is $? 0 "audit verify: intact"
audit_query "$DB" "UPDATE audit_log SET reason='nothing to see' WHERE seq=3" 2>/dev/null
[ $? -ne 0 ]; is $? 0 "the log refuses an UPDATE (append-only)"
audit_query "$DB" "$(drop_trigger audit_log_no_update audit_log); UPDATE audit_log SET reason='nothing to see' WHERE seq=3"
"$JD" audit verify --db "$DB" > "$SCRATCH/verify.txt"
is $? 5 "audit verify detects an edited entry (exit 5)"
grep -q 'entry 3' "$SCRATCH/verify.txt"
is $? 0 "and names the entry"
W2=$(store_copy "$DB" w2)
audit_query "$W2" "$(drop_trigger audit_log_no_delete audit_log); DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)"
"$JD" audit verify --db "$W2" >/dev/null
is $? 5 "audit verify detects a deleted entry"

# ---- TLS: the cookie is Secure ----
if command -v openssl >/dev/null 2>&1 &&
   openssl req -x509 -newkey rsa:2048 -nodes -keyout "$SCRATCH/key.pem" -out "$SCRATCH/cert.pem" \
     -days 1 -subj "/CN=127.0.0.1" >/dev/null 2>&1; then
  rm -f "$SCRATCH/port"
  "$JD" serve --db "$DB" --listen 127.0.0.1:0 --port-file "$SCRATCH/port" --tls-cert "$SCRATCH/cert.pem" \
    --tls-key "$SCRATCH/key.pem" 2>"$SCRATCH/tls.log" &
  TPID=$!
  wait_port "$SCRATCH/port" "$TPID" >/dev/null
  h=$(curl -sk -D - -o /dev/null -H 'Content-Type: application/json' \
    -d '{"username":"analyst","password":"password-of-analyst-1"}' "https://127.0.0.1:$(cat "$SCRATCH/port")/api/login")
  echo "$h" | grep -qi '^Set-Cookie: jd_session=.*HttpOnly.*SameSite=Strict.*Secure'
  is $? 0 "under TLS the session cookie is also Secure"
  echo "$h" | grep -qi '^Strict-Transport-Security'
  is $? 0 "and HSTS is sent"
  kill -TERM $TPID; wait $TPID
fi

# ---- joindots demo ends by serving (only at a terminal) ----
# The demo analyses its county: under ThreadSanitizer on the loaded CI
# machine (JD_TEST_TIME_FACTOR, scripts/test-tsan.sh) that took 125 s, over
# the 120 s a normal build is given.
dt=$((120 * (${JD_TEST_TIME_FACTOR:-1} > 1 ? 4 : 1)))
timeout $dt "$JD" demo --dir "$SCRATCH/d2" </dev/null > "$SCRATCH/d2.out" 2>&1
is $? 0 "demo without a terminal ends by itself (CI never blocks)"
grep -q 'web application is at' "$SCRATCH/d2.out"
is $? 1 "and does not serve"
if command -v script >/dev/null 2>&1; then
  timeout $dt script -qfc "$JD demo --dir $SCRATCH/d3 --listen 127.0.0.1:0" "$SCRATCH/d3.out" >/dev/null 2>&1 &
  DEMO_JOB=$!
  for _ in $(seq 1 $((dt * 2))); do
    grep -q 'Stop with' "$SCRATCH/d3.out" 2>/dev/null || ! kill -0 "$DEMO_JOB" 2>/dev/null && break; sleep 0.5
  done
  URL=$(grep -o 'http://127.0.0.1:[0-9]*/' "$SCRATCH/d3.out" | head -1)
  n_acc=$(grep -c '^  [a-z]* *demo-[a-z]* *password ' "$SCRATCH/d3.out")
  is "$n_acc" 6 "demo at a terminal serves and prints a demo account for each role"
  ok=0
  for r in practitioner analyst manager board auditor admin; do
    pw=$(grep " demo-$r " "$SCRATCH/d3.out" | awk '{print $4}' | tr -d '\r')
    got=$(curl -s -H 'Content-Type: application/json' -d "{\"username\":\"demo-$r\",\"password\":\"$pw\"}" "${URL}api/login" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["role"])' 2>/dev/null)
    [ "$got" = "$r" ] || ok=1
  done
  is $ok 0 "every demo account logs in with the printed password"
  DPID=$(ps -eo pid,args | awk -v d="$SCRATCH/d3" '$2 ~ /joindots$/ && $3 == "demo" && index($0, d) {print $1}' | head -1)
  [ -n "$DPID" ] && kill -TERM "$DPID"
  # its stop, or the end of `script` (the file then whole), at most 120 s:
  # a loaded machine's stop is waited for
  for _ in $(seq 1 1200); do
    grep -q 'serve: stopped' "$SCRATCH/d3.out" && break
    kill -0 "$DEMO_JOB" 2>/dev/null || break
    sleep 0.1
  done
  grep -q 'serve: stopped' "$SCRATCH/d3.out"
  is $? 0 "the demo server stops on SIGTERM"
fi
done_testing
