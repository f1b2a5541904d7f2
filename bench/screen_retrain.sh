#!/usr/bin/env bash
# Retrains one shipped screen model with its thresholds kept (only the
# weights learnt, `screen-train --keep-thresholds`) on the tune parts of
# every labelled corpus, and compares it with the shipped model on their
# held-out parts (numbers only): per corpus, the pool heldout2..N, how many
# corpora rise and fall, the codes that move most. docs/internals/screen.md,
# "The models retrained with their thresholds kept".
#
# usage: bench/screen_retrain.sh off|lang|ind [BUILD_DIR] [OUT_DIR]
#
# Run from the repository root on the rules the model will ship with (a
# model's features name the rules' patterns). Writes OUT_DIR/screen_model_KIND.json
# (default OUT_DIR: /tmp/screen_retrain); ship it by copying it over
# data/rules/screen_model_KIND.json only when the pool gains and most corpora
# do not fall, and the default's unit cases (test_screen_engine, test_screen_model)
# still hold.
set -euo pipefail
kind=${1:?usage: bench/screen_retrain.sh off|lang|ind [BUILD_DIR] [OUT_DIR]}
build=${2:-build}
out=${3:-/tmp/screen_retrain}
case $kind in off | lang | ind) ;; *) echo "screen_retrain: kind is off, lang or ind" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
bin="$build/src/cli/joindots"
[ -x "$bin" ] || { echo "screen_retrain: no $bin (build first)" >&2; exit 1; }
corpora=(../shared/data/notes/dev.jsonl tests/data/notes/heldout.jsonl)
mapfile -t -O 2 corpora < <(ls tests/data/notes/heldout[0-9]*.jsonl | sort -V)
mkdir -p "$out/shipped" "$out/retrained"
nice -n 10 /usr/bin/time -f "train: %U s user, %S s sys, %e s wall, %M KB" \
  "$bin" screen-train --keep-thresholds "data/rules/screen_model_$kind.json" \
  --out "$out/screen_model_$kind.json" --kinds "$kind" --family "$kind" --l2 0.00001 \
  "${corpora[@]}"
# the retrained kind joined with the other two shipped files: the default's three
others=()
for k in off lang ind; do [ "$k" = "$kind" ] || others+=("data/rules/screen_model_$k.json"); done
python3 - "$out/joined.json" "$out/screen_model_$kind.json" "${others[@]}" <<'PY'
import json, sys
root = json.load(open(sys.argv[2]))
for p in sys.argv[3:]:
    root["kinds"].update(json.load(open(p))["kinds"])
json.dump(root, open(sys.argv[1], "w"), sort_keys=True)
PY
for c in "${corpora[@]}"; do
  b=$(basename "$c")
  nice -n 10 "$bin" screen --batch "$c" >"$out/shipped/$b"
  nice -n 10 "$bin" screen --model "$out/joined.json" --batch "$c" >"$out/retrained/$b"
done
python3 "$here/screen_compare.py" --kind "$kind" --part heldout "$out/shipped" "$out/retrained" \
  "${corpora[@]}"
