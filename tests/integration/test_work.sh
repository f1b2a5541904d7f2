#!/usr/bin/env bash
# Integration tests of the work queues and the board's routes (issue 18,
# src/server/api_work.c), over HTTP on loopback with curl: the alert queue
# paged, sorted and filtered on the server, with names and the concern each
# alert has; bad parameters refused; "Raise a concern" twice for one alert
# gives one concern (also through POST /api/concerns); taking an alert puts
# its child in "my children" and the counts; a practitioner cannot assign to
# someone else; the board's agenda after `joindots demo` with titles that
# name nobody and its decision log; the menu from /api/me; search for
# "Eva Wilson", "Ava W" and a name with a date of birth, and paging.
# Usage: test_work.sh JOINDOTS SOURCE_ROOT
JD=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
scratch
"$JD" demo --dir "$SCRATCH/demo" >/dev/null 2>&1
is $? 0 "joindots demo runs"
DB=$(store_adopt "$SCRATCH/demo/joindots.db" w)
n_agenda=$("$JD" concern agenda --db "$DB" 2>/dev/null | grep -c .)
[ "$n_agenda" -ge 1 ]; is $? 0 "joindots demo runs the escalation engine: the board's agenda holds $n_agenda items"
for r in practitioner analyst manager board auditor; do
  ag=""; [ "$r" = practitioner ] && ag="--agency csc"; [ "$r" = manager ] && ag="--agency police"
  echo "password-of-$r-1" | "$JD" user add --db "$DB" --role "$r" $ag --password-stdin "$r" 2>/dev/null
done
echo "password-of-other-1" | "$JD" user add --db "$DB" --role practitioner --agency csc --password-stdin other 2>/dev/null
# JD_CONCERN_SNAP_CHECK: each open-concern snapshot built from the one before
# is compared with one built from nothing (checked at the end)
JD_CONCERN_SNAP_CHECK=1 "$JD" serve --db "$DB" --listen 127.0.0.1:0 --port-file "$SCRATCH/port" 2>"$SCRATCH/serve.log" &
SPID=$!
trap 'kill -TERM $SPID 2>/dev/null; wait $SPID 2>/dev/null; rm -rf "$SCRATCH"' EXIT
for _ in $(seq 1 600); do [ -s "$SCRATCH/port" ] && break; sleep 0.1; done
B="http://127.0.0.1:$(cat "$SCRATCH/port")"
login() {
  curl -s -c "$SCRATCH/$1.jar" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"password-of-$1-1\"}" "$B/api/login" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])' > "$SCRATCH/$1.csrf" 2>/dev/null
}
as() { local r=$1; shift; curl -s -b "$SCRATCH/$r.jar" "$@"; }
asc() { local r=$1; shift; curl -s -o /dev/null -w '%{http_code}' -b "$SCRATCH/$r.jar" "$@"; }
postj() { local r=$1 p=$2 d=$3; curl -s -b "$SCRATCH/$r.jar" -w '\n%{http_code}' \
  -H 'Content-Type: application/json' -H "X-CSRF-Token: $(cat "$SCRATCH/$r.csrf")" -d "$d" "$B$p"; }
py() { python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }
for r in practitioner analyst manager board auditor other; do login "$r"; done

# ---- the menu comes from the server ----
is "$(as board "$B/api/me" | py 'print(",".join(m["label"] for m in d["menu"]), "person" in d["routes"])')" \
  "Dashboard,Agenda False" "the board's menu from /api/me: dashboard and agenda, and no person page among its routes"
as practitioner "$B/api/me" | py 'assert "person" in d["routes"] and any(m["route"] == "caseload" for m in d["menu"])'
is $? 0 "a practitioner's routes include the person page and the menu 'My children'"

# ---- the alert queue ----
total=$(as analyst "$B/api/alerts?limit=1" | py 'print(d["total"])')
[ "$total" -gt 200 ]; is $? 0 "the analyst's queue holds every alert ($total), not the first 500 or 200"
ids=$(for off in 0 100 200; do as analyst "$B/api/alerts?limit=100&offset=$off&sort=oldest" | py 'print("\n".join(a["id"] for a in d["alerts"]))'; done)
is "$(echo "$ids" | sort -u | wc -l | tr -d ' ')" 300 "three pages of 100 give 300 different alerts (server-side paging)"
as analyst "$B/api/alerts?limit=200&sort=oldest" | py '
t = [a["raised_at"] for a in d["alerts"]]
assert t == sorted(t), "not oldest first"'
is $? 0 "sort=oldest orders by date raised"
as analyst "$B/api/alerts?limit=200&sort=level" | py '
L = {"low": 1, "medium": 2, "high": 3, "critical": 4}
v = [L.get(a["level"], 0) for a in d["alerts"]]
assert v == sorted(v, reverse=True)'
is $? 0 "sort=level puts the highest level first"
as analyst "$B/api/alerts?limit=200&kind=overdue_return_interview&level=high" | py '
assert d["alerts"] and all(a["kind"] == "overdue_return_interview" and a["level"] == "high" for a in d["alerts"])'
is $? 0 "filters by kind and level are applied on the server"
as analyst "$B/api/alerts?limit=200&q=wilson" | py '
assert d["alerts"] and all("wilson" in a["subject_name"].lower() for a in d["alerts"])'
is $? 0 "filter by the name of whom the alert is about"
as analyst "$B/api/alerts?limit=50" | py '
assert all(a["subject_name"] for a in d["alerts"] if a.get("subject", {}).get("person_id"))'
is $? 0 "every alert about a person carries the person's name"
for bad in "limit=201" "limit=-1" "offset=x" "sort=worst" "kind=nonsense" "level=severe" "assigned=you"; do
  is "$(asc analyst "$B/api/alerts?$bad")" 400 "a bad parameter is refused with 400: $bad"
done
is "$(asc board "$B/api/alerts")" 403 "the board cannot read the alert queue"
is "$(asc auditor "$B/api/caseload")" 403 "an auditor has no caseload"

# ---- a concern raised once per alert ----
AID=$(as practitioner "$B/api/alerts?limit=200&sort=oldest" | py 'print(next(a["id"] for a in d["alerts"] if not a["concern"]))')
[ -n "$AID" ]; is $? 0 "a practitioner's queue has an alert without a concern"
AIDQ=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$AID")
n0=$("$JD" concern list --db "$DB" 2>/dev/null | grep -c .)
before=$(as practitioner "$B/api/counts" | py 'print(d["alerts"], d["children"])')
r1=$(postj practitioner "/api/alerts/$AIDQ/concern" '{}')
r2=$(postj practitioner "/api/alerts/$AIDQ/concern" '{}')
r3=$(postj practitioner "/api/concerns" "{\"from_alert\":\"$AID\"}")
is "$(echo "$r1" | tail -1) $(echo "$r2" | tail -1) $(echo "$r3" | tail -1)" "201 200 200" \
  "Raise a concern twice for one alert (and once more through /api/concerns): 201, then 200 with the same concern"
k1=$(echo "$r1" | head -1 | py 'print(d["id"])'); k2=$(echo "$r2" | head -1 | py 'print(d["id"], d["existing"])')
k3=$(echo "$r3" | head -1 | py 'print(d["id"])')
is "$k2 $k3" "$k1 True $k1" "the second and third raise return the first concern"
n1=$("$JD" concern list --db "$DB" 2>/dev/null | grep -c .)
is "$((n1 - n0))" 1 "the store holds one more concern ($n0 -> $n1), not three"
got=$(as practitioner "$B/api/alerts?limit=200&sort=oldest" | py "print(next(a['concern']['id'] for a in d['alerts'] if a['id'] == '$AID'))")
is "$got" "$k1" "the alert row shows the concern it already has"
as practitioner "$B/api/concerns?all=1" | py "
c = next(c for c in d['concerns'] if c['id'] == '$k1')
assert c['title'] and not c['title'].startswith(('auto:', 'child_at_risk:', 'escalation:')), c['title']
assert c.get('subject_name') is None or 'P0' not in c['subject_name']"
is $? 0 "the concern raised from an alert has a title in words, not the alert id"
as analyst "$B/api/concerns?all=1" | py "
nets = [c for c in d['concerns'] if c['subject'].startswith('exploitation_network:N')]
assert nets, 'no network concern'
assert all(c.get('subject_name', '').startswith('Network around ') and 'P0' not in c['subject_name'] for c in nets), nets"
is $? 0 "a network's concern is named after the person its alert was found around (network ids name nobody)"

# ---- taking an alert: my alerts, my children, the counts ----
out=$(postj practitioner "/api/alerts/$AIDQ/concern" '{"assign_to":"practitioner"}')
is "$(echo "$out" | tail -1)" 200 "the practitioner takes the alert (its concern is assigned to them)"
as practitioner "$B/api/alerts?assigned=me" | py "assert [a['id'] for a in d['alerts']] and all(a['concern']['owner'] == 'practitioner' for a in d['alerts'])"
is $? 0 "assigned=me lists the alerts whose concern the practitioner owns"
as practitioner "$B/api/caseload" | py 'assert d["total"] >= 1 and all(c["name"] and c["concern"]["id"] for c in d["children"])'
is $? 0 "the child of the alert is in 'my children', by name, with its concern"
after=$(as practitioner "$B/api/counts" | py 'print(d["alerts"], d["children"])')
[ "$before" != "$after" ]; is $? 0 "the menu counts change ($before -> $after)"
is "$(as other "$B/api/caseload" | py 'print(d["total"])')" 0 "another practitioner's caseload stays empty"
# The queue reads the open concerns from a snapshot kept while the concerns'
# change counter stands: a change made by another process shows at once.
"$JD" concern assign "$k1" --db "$DB" --by tom --as team_manager --to carol >/dev/null 2>&1
is $? 0 "the CLI assigns the concern to carol"
got=$(as practitioner "$B/api/alerts?limit=200&sort=oldest" | py "print(next(a['concern']['owner'] for a in d['alerts'] if a['id'] == '$AID'))")
is "$got" carol "the queue shows the CLI's assignment at the next request"
out=$(postj practitioner "/api/alerts/$AIDQ/concern" '{"assign_to":"other"}')
is "$(echo "$out" | tail -1)" 403 "a practitioner cannot assign an alert to someone else"
is "$(postj practitioner "/api/alerts/no-such-alert/concern" '{}' | tail -1)" 404 "an unknown alert is 404"
is "$(asc analyst "$B/api/caseload?sort=bogus")" 400 "a bad caseload sort is refused"

# ---- the board ----
as board "$B/api/board" | py '
import re
assert d["items"], "no items"
for i in d["items"]:
    assert i["title"] and not re.search(r"P\d{6}|auto:|_", i["title"]), i["title"]
    assert i["reached_at"] >= "2000" and i["age_days"] > 0
    assert i["due_at"] is None or not i["due_at"].startswith("1970")'
is $? 0 "the board's agenda: titles without ids or codes, real dates and ages, no 1970 due dates"
ages() { as board "$B/api/dashboard" | py 'print(sum(d["open_strategic_items_by_age"].values()))'; }
is "$(ages)" "$n_agenda" "the dashboard counts the agenda's $n_agenda open strategic items"
BID=$(as board "$B/api/board" | py 'print(d["items"][0]["id"])')
is "$(postj board "/api/concerns/$BID/decide" '{"decision":"Commission a problem profile","decision_maker":"Chair, J. Smith","text":"Two schools report the same men."}' | tail -1)" 200 \
  "the board records a decision"
as board "$B/api/board" | py "
assert not any(i['id'] == '$BID' for i in d['items'])
dl = next(x for x in d['decisions'] if x['id'] == '$BID')
assert dl['decision'] == 'Commission a problem profile' and dl['decision_maker'] == 'Chair, J. Smith' and dl['reason'] and dl['decided_at']"
is $? 0 "the decided item leaves the agenda and stays in the decision log"
is "$(ages)" "$((n_agenda - 1))" "and the dashboard's count drops by one at once"
is "$(asc practitioner "$B/api/board")" 403 "a practitioner cannot read the board's agenda"

# ---- the hotspot map (analysts) ----
as analyst "$B/api/hotspots/map" | py '
import re
assert d["children_at_risk"] > 0 and d["districts"]
for x in d["districts"]:
    assert re.fullmatch(r"[A-Z]{1,2}[0-9][0-9A-Z]?", x["district"]), x["district"]
    assert x["children"] >= 1 and x["events"] >= x["children"] and x["postcodes"]
    assert sum(p["events"] for p in x["postcodes"]) == x["events"]
assert "name" not in json.dumps(d) and not re.search(r"P\d{6}", json.dumps(d))'
is $? 0 "the hotspot map: postcode districts with counts of children and events, no names or ids"
for r in practitioner manager board; do
  is "$(asc "$r" "$B/api/hotspots/map")" 403 "$r cannot read the hotspot map (analysts only)"
done

# ---- search ----
for q in "Eva%20Wilson" "Ava%20W" "ava%20wilson%2029/12/1991"; do
  as analyst "$B/api/search?q=$q" | py 'assert any(r["name"] == "Ava Wilson" for r in d["results"])'
  is $? 0 "search for '$(python3 -c 'import sys,urllib.parse; print(urllib.parse.unquote(sys.argv[1]))' "$q")' finds Ava Wilson"
done
as analyst "$B/api/search?q=ava%20wilson%2001/01/1991" | py 'assert not any(r["name"] == "Ava Wilson" for r in d["results"])'
is $? 0 "a name with another date of birth does not find her"
p1=$(as analyst "$B/api/search?q=Wilson" | py 'print(len(d["results"]), d["more"], d["total"] > 25)')
is "$p1" "25 True True" "a search with more than 25 answers says there are more"
p2=$(as analyst "$B/api/search?q=Wilson&offset=25" | py 'print(d["offset"], len(d["results"]) > 0)')
is "$p2" "25 True" "the next 25 come with offset=25"
is "$(asc analyst "$B/api/search?q=Wilson&limit=51")" 400 "a search limit over 50 is refused"

# ---- the open concerns' snapshot: only what changed simulated again ----
checks=$(grep 'concern snapshot check' "$SCRATCH/serve.log")
echo "$checks" | grep -q 'DIFFERENT FROM'; is $? 1 "no open-concern snapshot differs from one built from nothing"
echo "$checks" | awk '{n = $6; s = $8} n > 0 && s < n {k++} END {exit !(k >= 2)}'
is $? 0 "snapshots after a concern write simulated only some of the concerns ($(echo "$checks" | wc -l) builds)"

done_testing
