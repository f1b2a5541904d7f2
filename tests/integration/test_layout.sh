#!/usr/bin/env bash
# The library's module layout (docs/ARCHITECTURE.md): scripts/check-includes.py
# passes on the tree and fails, naming file and line, on an include that
# crosses the allowed direction, on a relative include, and on a directory
# that is no module; scripts/check-cycles.py finds no call cycle between the
# built library's files (but the store's vtable) and fails on one;
# scripts/check-length.py finds no function over 100 lines outside its
# allow-list and fails on one, and on an allow-list entry no longer long.
# Usage: test_layout.sh JOINDOTS SOURCE_ROOT
JD=$1 SRC=$2
. "$SRC/tests/integration/lib.sh"
scratch
CHECK="$SRC/scripts/check-includes.py"

python3 "$CHECK" "$SRC/src/lib" >"$SCRATCH/out" 2>&1
ok $? "the library's includes all go in the allowed direction"

for m in util text store ingest resolve screen analyse network concern access query tools; do
  [ -d "$SRC/src/lib/$m" ]; ok $? "module $m has its directory"
done

cp -r "$SRC/src/lib" "$SCRATCH/lib"
printf '#include "analyse/analyse_internal.h"\n' >>"$SCRATCH/lib/util/buf.c"
python3 "$CHECK" "$SCRATCH/lib" >"$SCRATCH/out" 2>&1
[ $? -eq 1 ]; ok $? "util including analyse is refused"
grep -q 'util/buf.c:[0-9]*: module util may not include analyse/analyse_internal.h' "$SCRATCH/out"
ok $? "the refusal names the file, the line and the include"

rm -rf "$SCRATCH/lib"; cp -r "$SRC/src/lib" "$SCRATCH/lib"
printf '#include "network/network.h"\n' >>"$SCRATCH/lib/analyse/analyse.c"
python3 "$CHECK" "$SCRATCH/lib" >"$SCRATCH/out" 2>&1
[ $? -eq 1 ]; ok $? "analyse including network (the old cycle) is refused"

rm -rf "$SCRATCH/lib"; cp -r "$SRC/src/lib" "$SCRATCH/lib"
printf '#include "../util/internal.h"\n' >>"$SCRATCH/lib/text/norm.c"
python3 "$CHECK" "$SCRATCH/lib" >"$SCRATCH/out" 2>&1
[ $? -eq 1 ] && grep -q 'relative path' "$SCRATCH/out"; ok $? "a relative include is refused"

rm -rf "$SCRATCH/lib"; cp -r "$SRC/src/lib" "$SCRATCH/lib"
mkdir "$SCRATCH/lib/misc"; printf 'int x;\n' >"$SCRATCH/lib/misc/x.c"
python3 "$CHECK" "$SCRATCH/lib" >"$SCRATCH/out" 2>&1
[ $? -eq 1 ] && grep -q 'not a known module' "$SCRATCH/out"; ok $? "a directory that is no module is refused"

rm -rf "$SCRATCH/lib"; cp -r "$SRC/src/lib" "$SCRATCH/lib"
printf '#include "screen/rules.h"\n' >>"$SCRATCH/lib/ingest/ingest.c"
python3 "$CHECK" "$SCRATCH/lib" >"$SCRATCH/out" 2>&1
[ $? -eq 1 ] && grep -q 'module ingest may not include screen/rules.h' "$SCRATCH/out"
ok $? "ingest including screen (above it) is refused; screen reads ingest's event types"

rm -rf "$SCRATCH/lib"; cp -r "$SRC/src/lib" "$SCRATCH/lib"
printf '#include "concern/concern_internal.h"\n' >>"$SCRATCH/lib/tools/demo.c"
python3 "$CHECK" "$SCRATCH/lib" >"$SCRATCH/out" 2>&1
ok $? "tools, on top, may include any module"

python3 "$CHECK" "$SCRATCH/nowhere" >"$SCRATCH/out" 2>&1
[ $? -eq 2 ]; ok $? "a missing directory is an error, not a pass"

LENGTH="$SRC/scripts/check-length.py"
python3 "$LENGTH" "$SRC/src" >"$SCRATCH/out" 2>&1
ok $? "no function is over 100 lines but the allow-listed ones (state machines, others' to split)"

rm -rf "$SCRATCH/src"; cp -r "$SRC/src" "$SCRATCH/src"
{ printf 'int just_long(int x)\n{\n'; for i in $(seq 96); do printf '    x += %d;\n' "$i"; done
  printf '    return x;\n}\n'; } >>"$SCRATCH/src/lib/util/buf.c"
python3 "$LENGTH" "$SCRATCH/src" >"$SCRATCH/out" 2>&1
ok $? "a function of 100 lines is within the limit"
{ printf 'int too_long(int x)\n{\n'; for i in $(seq 97); do printf '    x += %d;\n' "$i"; done
  printf '    return x;\n}\n'; } >>"$SCRATCH/src/lib/util/buf.c"
python3 "$LENGTH" "$SCRATCH/src" >"$SCRATCH/out" 2>&1
[ $? -eq 1 ] && grep -q '^src/lib/util/buf.c:[0-9]*: too_long 101 lines (limit 100)' "$SCRATCH/out" &&
  ! grep -q just_long "$SCRATCH/out"
ok $? "a function of 101 lines is refused, naming file, line, name and length"

rm -rf "$SCRATCH/src"; cp -r "$SRC/src" "$SCRATCH/src"
rm "$SCRATCH/src/lib/util/csv.c"
python3 "$LENGTH" "$SCRATCH/src" >"$SCRATCH/out" 2>&1
[ $? -eq 1 ] && grep -q 'jd_csv__next is no longer over 100 lines' "$SCRATCH/out"
ok $? "an allow-list entry no longer long fails, so the list only shrinks"

python3 "$LENGTH" --limit x >"$SCRATCH/out" 2>&1
[ $? -eq 2 ]; ok $? "check-length: a bad --limit is an error"

BUILD=$(dirname "$(dirname "$(dirname "$JD")")")
CYCLES="$SRC/scripts/check-cycles.py"
python3 "$CYCLES" "$BUILD/src/lib/libjoindots.a.p" "$BUILD/src/server/libjdserver.a.p" \
  >"$SCRATCH/out" 2>&1
ok $? "no two files of the library or the server call each other in a cycle, no mutable file-scope state"

mkdir "$SCRATCH/obj"
printf 'int b(int);\nint a(int x) { return x ? b(x - 1) : 0; }\n' >"$SCRATCH/a.c"
printf 'int a(int);\nint b(int x) { return x ? a(x - 1) : 1; }\n' >"$SCRATCH/b.c"
printf 'int a(int);\nint c(int x) { return a(x); }\n' >"$SCRATCH/c.c"
cc -c -o "$SCRATCH/obj/analyse_a.c.o" "$SCRATCH/a.c" &&
  cc -c -o "$SCRATCH/obj/network_b.c.o" "$SCRATCH/b.c" &&
  cc -c -o "$SCRATCH/obj/concern_c.c.o" "$SCRATCH/c.c"
python3 "$CYCLES" "$SCRATCH/obj" >"$SCRATCH/out" 2>&1
[ $? -eq 1 ] && grep -q 'call cycle between analyse_a.c.o, network_b.c.o' "$SCRATCH/out" &&
  ! grep -q concern_c "$SCRATCH/out"
ok $? "a deliberate call cycle is refused, naming its files (a caller outside it is not)"

printf 'static const int *ctx;\nint d(const int *p) { ctx = p; return *ctx; }\n' >"$SCRATCH/d.c"
cc -c -o "$SCRATCH/obj/analyse_d.c.o" "$SCRATCH/d.c"
python3 "$CYCLES" "$SCRATCH/obj" >"$SCRATCH/out" 2>&1
[ $? -eq 1 ] && grep -q 'analyse_d.c.o: mutable state at file scope: ctx' "$SCRATCH/out"
ok $? "a comparator context kept at file scope is refused"

python3 "$CYCLES" "$SCRATCH/nowhere" >"$SCRATCH/out" 2>&1
[ $? -eq 2 ]; ok $? "no object files is an error, not a pass"

ls "$SRC"/src/lib/*.c >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "no source file is left in the flat src/lib"
done_testing
