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
DB="$SCRATCH/w.db"
OUT=${JD_TEST_OUT:-$SCRATCH}

# ---- data: the oxford demo, plus Zara (2,000 events) and an adult ----
"$JD" demo --dir "$SCRATCH/demo" >/dev/null 2>&1
mv "$SCRATCH/demo/joindots.db" "$DB"
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
echo "password-of-victim-1" | "$JD" user add --db "$DB" --role practitioner --agency csc --password-stdin victim 2>/dev/null
"$JD" user add --db "$DB" --role admin gen >"$SCRATCH/gen.pw" 2>/dev/null
is "$(wc -c <"$SCRATCH/gen.pw" | tr -d ' ')" 21 "user add without --password-stdin prints a generated password once"
"$JD" user list --db "$DB" | grep -q "^practitioner .*csc"
is $? 0 "user list"
echo short | "$JD" user add --db "$DB" --role board --password-stdin tooshort 2>/dev/null
is $? 3 "a short password is refused"
"$JD" user add --db "$DB" --role practitioner --password-stdin nag </dev/null 2>/dev/null
is $? 2 "a practitioner needs an agency"

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
for _ in $(seq 1 100); do [ -s "$SCRATCH/port" ] && break; sleep 0.1; done
PORT=$(cat "$SCRATCH/port" 2>/dev/null)
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
is "$(asc practitioner "$B/api/persons/$VV?reason=curious")" 403 "a csc practitioner cannot open an adult known only to the police"
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
python3 -c "import sys; sys.exit(0 if $best < 0.3 else 1)"
is $? 0 "the child's page for a child with 2,000 events takes under 300 ms (${best}s)"

# ---- CSRF ----
AID=$(as practitioner "$B/api/alerts" | python3 -c 'import json,sys; print(json.load(sys.stdin)["alerts"][0]["id"])')
AIDQ=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$AID")
is "$(asc practitioner -H 'Content-Type: application/json' -d '{"note":"seen"}' "$B/api/alerts/$AIDQ/ack")" 403 \
  "acknowledging without a CSRF token is refused"
is "$(asc practitioner -H 'Content-Type: application/json' -H 'X-CSRF-Token: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' -d '{"note":"seen"}' "$B/api/alerts/$AIDQ/ack")" 403 \
  "acknowledging with a wrong CSRF token is refused"
is "$(asc practitioner -H 'Content-Type: application/json' -H "X-CSRF-Token: $(cat "$SCRATCH/analyst.csrf")" -d '{"note":"seen"}' "$B/api/alerts/$AIDQ/ack")" 403 \
  "another session's CSRF token is refused"
is "$(asc practitioner -H 'Content-Type: text/plain' -H "X-CSRF-Token: $(cat "$SCRATCH/practitioner.csrf")" -d '{"note":"seen"}' "$B/api/alerts/$AIDQ/ack")" 403 \
  "a state change that is not JSON (a cross-site form) is refused"
is "$(asc practitioner -H 'Content-Type: application/json' -H 'Origin: http://evil.example' -H "X-CSRF-Token: $(cat "$SCRATCH/practitioner.csrf")" -d '{"note":"seen"}' "$B/api/alerts/$AIDQ/ack")" 403 \
  "a state change from another origin is refused"
is "$(code -H 'Content-Type: text/plain' -d '{"username":"analyst","password":"password-of-analyst-1"}' "$B/api/login")" 403 \
  "a login posted by a cross-site form (not JSON) is refused (login CSRF)"
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

# ---- language check ----
as practitioner -H 'Content-Type: application/json' -H "X-CSRF-Token: $(cat "$SCRATCH/practitioner.csrf")" \
  -d '{"text":"She is prostituting herself and is streetwise."}' "$B/api/language-check" > "$SCRATCH/lang.json"
python3 -c "import json,sys; d=json.load(open('$SCRATCH/lang.json')); sys.exit(0 if len(d['language'])>=1 and d['language'][0].get('advice') else 1)"
is $? 0 "the language check marks victim-blaming wording and offers the alternative"

# ---- board: aggregates only, never a name ----
as board "$B/api/dashboard" > "$SCRATCH/board.json"
as analyst "$B/api/search?q=a" >/dev/null
python3 - "$SCRATCH/board.json" "$DB" <<'PY'
import json, sqlite3, sys
board = open(sys.argv[1]).read()
json.loads(board)
db = sqlite3.connect(sys.argv[2])
names = set()
for sn, fn in db.execute("SELECT DISTINCT surname, forenames FROM person_mention WHERE surname IS NOT NULL"):
    if sn and len(sn) > 3: names.add(sn)
    if fn and len(fn) > 3: names.add(fn)
found = [n for n in names if n in board]
print('# names in the board view: %s' % found[:5])
sys.exit(1 if found else 0)
PY
is $? 0 "the board's dashboard holds no name of any person in the store"
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
sqlite3 "$DB" "SELECT count(*) FROM account; SELECT count(*) FROM event" | tr '\n' ' ' | grep -q '^[0-9]* [0-9]* $'
is $? 0 "the tables are all still there"
as practitioner "$B/api/alerts" | grep -qF "Robert'); DROP TABLE event;--"
is $? 0 "a note with SQL in it is stored as text"

# ---- static files: traversal, oversized ----
is "$(code "$B/")" 200 "the web application is served"
is "$(code "$B/js/app.js")" 200 "its scripts are served"
is "$(code "$B/vendor/cytoscape.esm.min.mjs")" 200 "cytoscape is served locally"
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
for i in 1 2 3 4 5; do code -H 'Content-Type: application/json' -d '{"username":"victim","password":"not-the-password"}' "$B/api/login" >/dev/null; done
is "$(code -H 'Content-Type: application/json' -d '{"username":"victim","password":"password-of-victim-1"}' "$B/api/login")" 401 \
  "five failed logins lock the account (the right password is refused)"
"$JD" user list --db "$DB" | grep -q '^victim .*locked'
is $? 0 "user list shows the lock"
echo "password-of-victim-2" | "$JD" user reset --db "$DB" --password-stdin victim 2>/dev/null
is $? 0 "user reset"
is "$(code -H 'Content-Type: application/json' -d '{"username":"victim","password":"password-of-victim-2"}' "$B/api/login")" 200 \
  "after a reset the new password works"
"$JD" user disable --db "$DB" victim 2>/dev/null
is "$(code -H 'Content-Type: application/json' -d '{"username":"victim","password":"password-of-victim-2"}' "$B/api/login")" 401 \
  "a disabled account cannot log in"
rl=0
for i in $(seq 1 12); do
  c=$(code -H 'Content-Type: application/json' -d '{"username":"nobody","password":"whatever-it-is"}' "$B/api/login")
  [ "$c" = 429 ] && rl=1
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
sleep 0.05
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
sqlite3 "$DB" "UPDATE audit_log SET reason='nothing to see' WHERE seq=3" 2>/dev/null
[ $? -ne 0 ]; is $? 0 "the log refuses an UPDATE (append-only)"
sqlite3 "$DB" "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET reason='nothing to see' WHERE seq=3"
"$JD" audit verify --db "$DB" > "$SCRATCH/verify.txt"
is $? 5 "audit verify detects an edited entry (exit 5)"
grep -q 'entry 3' "$SCRATCH/verify.txt"
is $? 0 "and names the entry"
cp "$DB" "$SCRATCH/w2.db"
sqlite3 "$SCRATCH/w2.db" "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)"
"$JD" audit verify --db "$SCRATCH/w2.db" >/dev/null
is $? 5 "audit verify detects a deleted entry"

# ---- TLS: the cookie is Secure ----
if command -v openssl >/dev/null 2>&1 &&
   openssl req -x509 -newkey rsa:2048 -nodes -keyout "$SCRATCH/key.pem" -out "$SCRATCH/cert.pem" \
     -days 1 -subj "/CN=127.0.0.1" >/dev/null 2>&1; then
  rm -f "$SCRATCH/port"
  "$JD" serve --db "$DB" --listen 127.0.0.1:0 --port-file "$SCRATCH/port" --tls-cert "$SCRATCH/cert.pem" \
    --tls-key "$SCRATCH/key.pem" 2>"$SCRATCH/tls.log" &
  TPID=$!
  for _ in $(seq 1 100); do [ -s "$SCRATCH/port" ] && break; sleep 0.1; done
  h=$(curl -sk -D - -o /dev/null -H 'Content-Type: application/json' \
    -d '{"username":"analyst","password":"password-of-analyst-1"}' "https://127.0.0.1:$(cat "$SCRATCH/port")/api/login")
  echo "$h" | grep -qi '^Set-Cookie: jd_session=.*HttpOnly.*SameSite=Strict.*Secure'
  is $? 0 "under TLS the session cookie is also Secure"
  echo "$h" | grep -qi '^Strict-Transport-Security'
  is $? 0 "and HSTS is sent"
  kill -TERM $TPID; wait $TPID
fi

# ---- joindots demo ends by serving (only at a terminal) ----
timeout 120 "$JD" demo --dir "$SCRATCH/d2" </dev/null > "$SCRATCH/d2.out" 2>&1
is $? 0 "demo without a terminal ends by itself (CI never blocks)"
grep -q 'web application is at' "$SCRATCH/d2.out"
is $? 1 "and does not serve"
if command -v script >/dev/null 2>&1; then
  timeout 120 script -qfc "$JD demo --dir $SCRATCH/d3 --listen 127.0.0.1:0" "$SCRATCH/d3.out" >/dev/null 2>&1 &
  for _ in $(seq 1 240); do grep -q 'Stop with' "$SCRATCH/d3.out" 2>/dev/null && break; sleep 0.5; done
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
  for _ in $(seq 1 40); do grep -q 'serve: stopped' "$SCRATCH/d3.out" && break; sleep 0.25; done
  grep -q 'serve: stopped' "$SCRATCH/d3.out"
  is $? 0 "the demo server stops on SIGTERM"
fi
done_testing
