#!/usr/bin/env python3
"""Count individual test cases across a meson test log.

cmocka programs print "[ RUN      ] name" per case and "[       OK ] name"
when it passed, "[  SKIPPED ] name" when it does not apply (a SQLite-only
case in the PostgreSQL run: neither passed nor failed);
integration scripts print "ok N ..." / "not ok N ..." (TAP; "ok N - ... # SKIP
why" is a check that does not apply, e.g. SQLite-only in the PostgreSQL run,
and counts neither way). A test program
that crashed or timed out before printing counts as one failure.
Prints "N passed, N failed" as the last line and exits 1 if anything failed.
"""
import json
import re
import sys

passed = failed = 0
for path in sys.argv[1:]:
  with open(path, encoding="utf-8") as f:
    for line in f:
        t = json.loads(line)
        out = (t.get("stdout", "") or "") + (t.get("stderr", "") or "")
        ran = len(re.findall(r"^\[ RUN      \] ", out, re.M))
        p = len(re.findall(r"^\[       OK \] ", out, re.M))
        skipped = len(set(re.findall(r"^\[  SKIPPED \] (\S+)$", out, re.M)))
        fl = ran - p - skipped
        p += len(re.findall(r"^ok \d+(?!.*# SKIP)", out, re.M))
        fl += len(re.findall(r"^not ok \d+", out, re.M))
        if t.get("result") not in ("OK", "EXPECTEDFAIL", "SKIP") and fl == 0:
            fl = 1
        passed += p
        failed += fl
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
