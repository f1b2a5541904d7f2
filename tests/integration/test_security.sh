#!/usr/bin/env bash
# Integration tests of the library/CLI/store hardening of issue 19:
#   item 1   a place with an en dash (and other pasted characters) ends
#   item 8   the audit log keyed with a MAC and anchored outside the store:
#            a cut tail, a wiped log and a rewritten, re-chained log (with the
#            triggers dropped) all fail `audit verify`; an untampered one passes
#   CLI      chronology, profile and concern show are audited, fail closed
#   r/o      read-only commands work on a read-only file, audited ones refuse
#   damage   a damaged database file is refused at open, naming the file
#   WAL      a failed ingest leaves no large WAL behind
# Usage: test_security.sh JOINDOTS SOURCE_ROOT
JD=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
scratch
unset JD_AUDIT_KEY_FILE
DB=$(store_at "$SCRATCH/s.db")
"$JD" ingest --db "$DB" --quiet "$SRC/tests/data/bundles/network" >/dev/null 2>&1
is $? 0 "ingest of the network bundle"
"$JD" resolve --db "$DB" >/dev/null 2>&1
is $? 0 "resolve"

# ---- item 1: pasted characters in a place never hang ----
for ch in '–' '—' '‘' '’' '“' '”' '…' '€' $'\xff' $'\xe2' $'\xe2\x80'; do
  timeout 20 "$JD" profile --db "$DB" "place:Cowley ${ch} Road" >/dev/null 2>&1
  rc=$?
  ok $(( rc == 124 )) "profile of a place with $(printf '%q' "$ch") ends (rc $rc)"
done
timeout 60 "$JD" analyse --db "$DB" >/dev/null 2>&1
ok $(( $? == 124 )) "analyse ends"

# serve honours SIGTERM while it loads (it used to block the signal until
# it listened: minutes on a county store)
"$JD" synth --seed 5 --events 60000 --out "$SCRATCH/mid" >/dev/null 2>&1
"$JD" ingest --db "$(store_at "$SCRATCH/mid.db")" --quiet "$SCRATCH/mid" >/dev/null 2>&1
"$JD" serve --db "$(store_at "$SCRATCH/mid.db")" --listen 127.0.0.1:0 --port-file "$SCRATCH/port" \
  2>"$SCRATCH/serve.err" &
spid=$!
sleep 0.3
if [ -s "$SCRATCH/port" ]; then
  kill -TERM "$spid"; wait "$spid"
  TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - # SKIP the store loaded before the signal was sent"
else
  t0=$(date +%s%N)
  kill -TERM "$spid"
  wait "$spid"
  rc=$?
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  ok $(( rc != 143 || ms > 2000 )) "serve stops on SIGTERM while loading (rc $rc after $ms ms)"
fi
grep -q "stopped while loading" "$SCRATCH/serve.err"
ok $(( $? != 0 && rc == 143 )) "and says so"
rm -rf "$SCRATCH/mid" "$SCRATCH/mid.db"*

# ---- CLI views are audited, and fail closed ----
audit_count() { "$JD" audit list --db "$1" 2>/dev/null | wc -l; }
n0=$(audit_count "$DB")
pid=$("$JD" export identities --db "$DB" --reason setup 2>/dev/null | python3 -c \
  'import json,sys; print(json.loads(sys.stdin.readline())["person_id"])')
"$JD" chronology --db "$DB" --user ann --reason "s47 enquiry" "$pid" >/dev/null 2>&1
is $? 0 "chronology of $pid"
"$JD" audit list --db "$DB" | tail -1 | grep -q "ann	view	person:$pid	ok	s47 enquiry"
is $? 0 "chronology wrote an audit entry: who, what, why"
"$JD" profile --db "$DB" --user bob --reason mapping 'place:Cowley – Road' >/dev/null 2>&1
"$JD" audit list --db "$DB" | tail -1 | grep -q "bob	view	profile:place:Cowley – Road	ok	mapping"
is $? 0 "profile wrote an audit entry"
"$JD" profile --db "$DB" --hotspots >/dev/null 2>&1
"$JD" audit list --db "$DB" | tail -1 | grep -q "	view	hotspots	ok"
is $? 0 "profile --hotspots wrote an audit entry"
rec=$(sed -n 2p "$SRC/tests/data/bundles/network/events.csv" | cut -d, -f1,2)
C=$("$JD" concern raise --db "$DB" --by alice --as practitioner --kind place \
  --subject "Cowley Road" --title "seen at night" \
  --records "[{\"agency\":\"${rec%%,*}\",\"record_id\":\"${rec#*,}\"}]" 2>"$SCRATCH/err")
is $? 0 "raise a concern ($C) $(head -c 100 "$SCRATCH/err")"
"$JD" concern show "$C" --db "$DB" --by carol --reason review >/dev/null 2>&1
is $? 0 "concern show"
"$JD" audit list --db "$DB" | tail -1 | grep -q "carol	view	concern:$C	ok	review"
is $? 0 "concern show wrote an audit entry"
# fail closed: an audit field over the cap means no audit entry, so nothing shown
long=$(head -c 9000 /dev/zero | tr '\0' x)
out=$("$JD" chronology --db "$DB" --reason "$long" "$pid" 2>"$SCRATCH/err")
rc=$?
ok $(( rc == 0 || ${#out} != 0 )) "chronology refused without an audit entry, printed nothing (rc $rc)"
grep -q "cannot write the audit log, so nothing is shown" "$SCRATCH/err"
is $? 0 "and says why"
out=$("$JD" profile --db "$DB" --reason "$long" 'place:Cowley Road' 2>/dev/null)
ok $(( $? == 0 || ${#out} != 0 )) "profile refused without an audit entry, printed nothing"
out=$("$JD" concern show "$C" --db "$DB" --reason "$long" 2>/dev/null)
ok $(( $? == 0 || ${#out} != 0 )) "concern show refused without an audit entry, printed nothing"

# ---- damaged database files are refused at open, naming the file ----
if on_pg; then
  for c in "a truncated store is refused" "the error names the file" "a store with an overwritten header is refused" \
           "the error names the file" "a store with a damaged schema page is refused" "the error names the file"; do
    skip "$c" "SQLite-only: damage to a database file; PostgreSQL's files are the server's"
  done
else
cp "$DB" "$SCRATCH/trunc.db"; cp "$DB-audit" "$SCRATCH/trunc.db-audit"
truncate -s $(( $(stat -c %s "$DB") / 2 )) "$SCRATCH/trunc.db"
"$JD" rejects --db "$SCRATCH/trunc.db" >/dev/null 2>"$SCRATCH/err"
ok $(( $? == 0 )) "a truncated store is refused"
grep -q "trunc.db is damaged" "$SCRATCH/err"
is $? 0 "the error names the file: $(head -c 160 "$SCRATCH/err")"
cp "$DB" "$SCRATCH/head.db"; cp "$DB-audit" "$SCRATCH/head.db-audit"
printf 'this is not sqlite at all' | dd of="$SCRATCH/head.db" conv=notrunc 2>/dev/null
"$JD" chronology --db "$SCRATCH/head.db" "$pid" >/dev/null 2>"$SCRATCH/err"
ok $(( $? == 0 )) "a store with an overwritten header is refused"
grep -q "head.db is damaged or not a joindots database" "$SCRATCH/err"
is $? 0 "the error names the file"
cp "$DB" "$SCRATCH/mid.db"; cp "$DB-audit" "$SCRATCH/mid.db-audit"
python3 - "$SCRATCH/mid.db" <<'EOF'
import sys
# overwrite the second to the fifth page (sqlite_master's b-tree and the
# first tables) with bytes that are no b-tree page
with open(sys.argv[1], 'r+b') as f:
    ps = int.from_bytes(open(sys.argv[1], 'rb').read(18)[16:18], 'big') or 65536
    f.seek(0)
    page1 = bytearray(f.read(ps))
    page1[100:ps] = bytes([0xA5]) * (ps - 100)
    f.seek(0)
    f.write(page1)
EOF
"$JD" rejects --db "$SCRATCH/mid.db" >/dev/null 2>"$SCRATCH/err"
ok $(( $? == 0 )) "a store with a damaged schema page is refused"
grep -q "mid.db is damaged" "$SCRATCH/err"
is $? 0 "the error names the file: $(head -c 160 "$SCRATCH/err")"
fi

# ---- read-only database file ----
if on_pg; then
  why="SQLite-only: file and folder modes; who may write a PostgreSQL store is the server's roles"
  for c in "rejects" "audit verify" "audit list" "concern list"; do skip "$c works on a read-only store" "$why"; done
  for c in "chronology" "profile" "concern show" "export identities"; do
    skip "$c on a read-only store: refused, nothing shown" "$why"; skip "  with a clear message" "$why"
  done
  skip "nothing was written beside the read-only store" "$why"
else
# Root ignores file modes, so the read-only checks run as nobody.
RO="$SCRATCH/ro"
mkdir "$RO" && cp "$DB" "$RO/r.db" && cp "$DB-audit" "$RO/r.db-audit"
chmod 0444 "$RO/r.db" "$RO/r.db-audit"
chmod 0555 "$RO"
chmod 0755 "$SCRATCH"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  AS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
else
  AS=()
fi
for c in "rejects" "audit verify" "audit list" "concern list"; do
  "${AS[@]}" "$JD" $c --db "$RO/r.db" >/dev/null 2>"$SCRATCH/err"
  is $? 0 "$c works on a read-only store in a read-only folder $(head -c 120 "$SCRATCH/err")"
done
for c in "chronology $pid" "profile place:x" "concern show $C" "export identities"; do
  out=$("${AS[@]}" "$JD" $c --db "$RO/r.db" 2>"$SCRATCH/err")
  rc=$?
  ok $(( rc == 0 || ${#out} != 0 )) "$c on a read-only store: refused, nothing shown (rc $rc)"
  grep -q "audit" "$SCRATCH/err"
  is $? 0 "  with a clear message: $(head -c 140 "$SCRATCH/err")"
done
ls "$RO" | grep -q -- '-wal\|-shm'
ok $(( $? == 0 )) "nothing was written beside the read-only store"
chmod 0755 "$RO"
fi

# ---- item 8: the keyed, anchored audit log ----
K="$SCRATCH/keys/audit.key"
mkdir -m 0700 "$SCRATCH/keys"
A="$SCRATCH/keys/anchors"
"$JD" --audit-key "$K" chronology --db "$DB" --reason keyed "$pid" >/dev/null 2>&1
is $? 0 "a writable open with --audit-key creates the key"
is "$(stat -c %a "$K")" 600 "the key file is mode 0600"
"$JD" audit list --db "$DB" | grep -q "audit-key		ok		keyed from here; $n0" ; ok $(( $? > 1 )) "adoption entry written"
for i in 1 2 3; do
  JD_AUDIT_KEY_FILE="$K" "$JD" profile --db "$DB" --reason "r$i" 'place:Cowley Road' >/dev/null 2>&1
done
"$JD" audit anchor --db "$DB" --audit-key "$K" --out "$A" >/dev/null
is $? 0 "audit anchor"
is "$(stat -c %a "$A")" 600 "the anchor file is mode 0600"
JD_AUDIT_KEY_FILE="$K" "$JD" profile --db "$DB" --reason after 'place:Cowley Road' >/dev/null 2>&1
out=$("$JD" audit verify --db "$DB" --audit-key "$K" --anchor "$A")
is $? 0 "an untampered keyed log passes with key and anchor: $out"
echo "$out" | grep -q "unkeyed (written before the audit key)"
is $? 0 "entries before the key are reported as unkeyed, not tampered"
"$JD" profile --db "$DB" 'place:Cowley Road' >/dev/null 2>&1
is $? 5 "a keyed log takes no entry written without the key (fail closed)"
chmod 0644 "$K"
"$JD" audit verify --db "$DB" --audit-key "$K" >/dev/null 2>&1
is $? 5 "a key file others may read is refused"
chmod 0600 "$K"
"$JD" audit verify --db "$DB" --audit-key "$SCRATCH/keys/none" >/dev/null 2>&1
is $? 4 "a missing key is not created by verify (read-only)"

# tamper CASE: an attacker with the file but not the key, triggers dropped
tamper() {
  python3 - "$1" "$2" <<'EOF'
import hashlib, jdq, sys
db, case = sys.argv[1], sys.argv[2]
c = jdq.connect_audit(db)
c.text_factory = lambda b: b.decode('utf-8', 'surrogateescape')
if c.pg:
    c.execute("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")
else:
    c.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    c.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
def f(h, s):
    b = s.encode('utf-8', 'surrogateescape')
    h.update(len(b).to_bytes(8, 'little')); h.update(b)
def chain(prev, r):
    seq, at, ok, actor, action, target, reason, detail = r
    h = hashlib.blake2b(digest_size=32)
    for s in ("jd-audit-1", prev, str(seq), str(at), "1" if ok else "0",
              actor, action, target, reason, detail):
        f(h, s)
    return h.hexdigest()
n = c.execute("SELECT max(seq) FROM audit_log").fetchone()[0]
if case == "cut":
    c.execute("DELETE FROM audit_log WHERE seq > ?", (n - 2,))
    seq, h, m = c.execute("SELECT seq, hash, mac FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    c.execute("UPDATE audit_head SET seq = ?, hash = ?, mac = ?", (seq, h, m))
elif case == "wipe":
    c.execute("DELETE FROM audit_log")
    c.execute("UPDATE audit_head SET seq = 0, hash = ?, mac = ''", ("0" * 64,))
elif case == "strip_first":
    # MACs are not in the chain hash: strip those of the first keyed entries
    first = c.execute("SELECT min(seq) FROM audit_log WHERE mac != ''").fetchone()[0]
    c.execute("UPDATE audit_log SET mac = '' WHERE seq = ?", (first,))
elif case == "strip_first2":
    first = c.execute("SELECT min(seq) FROM audit_log WHERE mac != ''").fetchone()[0]
    c.execute("UPDATE audit_log SET mac = '' WHERE seq IN (?, ?)", (first, first + 1))
elif case in ("rewrite", "strip"):
    if case == "rewrite":
        c.execute("UPDATE audit_log SET reason = 'nothing to see' WHERE seq = ?", (n - 1,))
    else:
        c.execute("UPDATE audit_log SET mac = ''")
    prev = "0" * 64
    for r in c.execute("SELECT seq, at, ok, actor, action, target, reason, detail"
                       " FROM audit_log ORDER BY seq").fetchall():
        h = chain(prev, r)
        c.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, h, r[0]))
        prev = h
    c.execute("UPDATE audit_head SET seq = ?, hash = ?" + (", mac = ''" if case == "strip" else ""),
              (n, prev))
c.commit()
EOF
}
for case in cut wipe rewrite strip strip_first strip_first2; do
  T=$(store_copy "$DB" t)
  tamper "$T" $case
  "$JD" audit verify --db "$T" >/dev/null 2>&1
  plain=$?
  out=$("$JD" audit verify --db "$T" --audit-key "$K")
  is $? 5 "$case: fails verify with the key ($out)"
  out=$("$JD" audit verify --db "$T" --anchor "$A")
  is $? 5 "$case: fails verify with the anchor alone ($out)"
  "$JD" audit verify --db "$T" --audit-key "$K" --anchor "$A" >/dev/null
  is $? 5 "$case: fails verify with key and anchor (without either: exit $plain)"
done
# a rollback to an older copy: only the anchor can tell
OLD=$(store_copy "$DB" old)
JD_AUDIT_KEY_FILE="$K" "$JD" profile --db "$DB" --reason later 'place:Cowley Road' >/dev/null 2>&1
"$JD" audit anchor --db "$DB" --audit-key "$K" --out "$A" >/dev/null
"$JD" audit verify --db "$OLD" --audit-key "$K" --anchor "$A" >/dev/null
is $? 5 "a store rolled back to an older copy fails verify with the newer anchor"
# a forged anchor line
tail -1 "$A" | python3 -c 'import sys; l = sys.stdin.read().rstrip("\n")
print(l[:-1] + ("1" if l[-1] == "0" else "0"))' > "$SCRATCH/forged"
"$JD" audit verify --db "$DB" --audit-key "$K" --anchor "$SCRATCH/forged" >/dev/null
is $? 5 "an anchor line not signed with the key is refused"
"$JD" audit verify --db "$DB" --audit-key "$K" --anchor "$A" >/dev/null
is $? 0 "the live store still passes against every anchor"

# ---- a failed ingest leaves no large WAL behind ----
# A real full disk: a 3 MB tmpfs (needs root and mount); while another
# connection (the server, here a python reader) holds the store open, the
# WAL of the failed transaction used to stay, filling the disk.
FS="$SCRATCH/fs"
mkdir "$FS"
if on_pg; then
  for c in "an ingest onto a full disk fails" "and leaves no large WAL behind while another connection is open" \
           "the store is still readable"; do
    skip "$c" "SQLite-only: a full disk under the store file and its WAL; PostgreSQL's disk is the server's"
  done
# 3,500 KiB: the first ingest (store, its WAL until the checkpoint at close,
# and the audit log's file with its WAL and -shm) fits, the second does not.
# At 3 MiB the audit file's ~60 KiB left the first ingest's checkpoint short
# of space (the store then read as truncated at the next open).
elif [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=3500k tmpfs "$FS" 2>/dev/null; then
  trap 'umount "$FS" 2>/dev/null; rm -rf "$SCRATCH"' EXIT
  "$JD" synth --seed 3 --events 5000 --out "$SCRATCH/big" >/dev/null 2>&1
  W="$FS/w.db"
  "$JD" ingest --db "$W" --quiet "$SRC/tests/data/bundles/network" >/dev/null 2>&1
  python3 -c "
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1]); c.execute('SELECT count(*) FROM event').fetchall()
time.sleep(6)" "$W" &
reader=$!
  sleep 0.5
  "$JD" ingest --db "$W" --quiet "$SCRATCH/big" >/dev/null 2>"$SCRATCH/err"
  rc=$?
  ok $(( rc == 0 )) "an ingest onto a full disk fails (rc $rc: $(head -c 100 "$SCRATCH/err"))"
  wal=$(stat -c %s "$W-wal" 2>/dev/null || echo 0)
  ok $(( wal > 65536 )) "and leaves no large WAL behind while another connection is open ($wal bytes)"
  "$JD" rejects --db "$W" >/dev/null 2>&1
  is $? 0 "the store is still readable"
  kill "$reader" 2>/dev/null
  wait "$reader" 2>/dev/null
  umount "$FS"
else
  TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - # SKIP no tmpfs: cannot mount a small file system here"
fi

done_testing
