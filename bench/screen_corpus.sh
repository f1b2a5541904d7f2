#!/usr/bin/env bash
# Scores the text screen on a labelled corpus of notes (schema: the corpus
# README, e.g. ../shared/data/notes/README.md): precision, recall and F1 per
# offence code, language slug and indicator, micro totals, note level, and per
# trap class the share of trap notes with a false match.
#
# usage: bench/screen_corpus.sh CORPUS.jsonl [BUILD_DIR]
#
# The corpus is split by a fixed rule written in bench/screen_score.py: notes
# whose id number is divisible by 3 are held out (never used for tuning), the
# rest are the tuning part. Both parts and the whole are reported.
set -euo pipefail
corpus=${1:?usage: bench/screen_corpus.sh CORPUS.jsonl [BUILD_DIR]}
build=${2:-build}
here=$(cd "$(dirname "$0")" && pwd)
bin="$build/src/cli/joindots"
[ -x "$bin" ] || { echo "screen_corpus: no $bin (build first)" >&2; exit 1; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
start=$(date +%s.%N)
"$bin" screen --batch "$corpus" >"$out"
end=$(date +%s.%N)
n=$(wc -l <"$corpus")
echo "screened $n notes in $(echo "$end - $start" | bc) s"
for part in tune heldout all; do
  echo
  echo "================ part: $part ================"
  python3 "$here/screen_score.py" "$corpus" "$out" --part "$part"
done
