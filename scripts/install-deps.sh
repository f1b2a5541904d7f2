#!/usr/bin/env bash
# Installs every Debian package joindots needs to build, test and run.
# Idempotent; run as root on Debian 12 (bookworm). wordnet-base is read only by
# tools/wordnet_families.py (proposing word families for the screen rules), and
# wbritish (a dictionary) only by tools/spelling_variants.py (misspellings that
# are no English word, for the rules' "spellings").
set -euo pipefail
pkgs=(
  build-essential meson ninja-build pkg-config clang libclang-rt-14-dev
  libsqlite3-dev libjansson-dev libsodium-dev libutf8proc-dev libigraph-dev
  libmicrohttpd-dev libhpdf-dev libpq-dev postgresql libcmocka-dev libstemmer-dev sqlite3 valgrind
  chromium curl nodejs wrk
  wordnet-base wbritish
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: need root to install: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm comes with nodejs from nodesource; Debian's own nodejs needs the npm package.
if ! command -v npm >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm
fi
# Browser tests: playwright-core drives Debian's chromium, pinned in
# package.json. The web application itself has no front-end library (the
# network is drawn as plain SVG) and makes no external request.
cd "$(dirname "$0")/.."
if [ ! -f node_modules/playwright-core/package.json ]; then
  npm install --no-audit --no-fund --silent
fi
