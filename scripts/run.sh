#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (as root):
#   scripts/run.sh demo   install dependencies, build, run `joindots demo`
#   scripts/run.sh test   install dependencies, build, run every test
# Extra arguments after `demo` are passed to `joindots demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-demo}
shift || true

bash scripts/install-deps.sh

build=${JD_BUILD_DIR:-build}
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" --buildtype=debugoptimized >/dev/null
fi
# ninja reports compile errors on stdout: keep the log quiet unless it fails.
if ! ninja -C "$build" >"$build/ninja-last.log" 2>&1; then
  cat "$build/ninja-last.log" >&2
  echo "build failed" >&2
  exit 1
fi

case "$mode" in
  demo)
    exec "$build/src/cli/joindots" demo "$@"
    ;;
  test)
    exec bash scripts/test.sh "$build"
    ;;
  *)
    echo "usage: scripts/run.sh demo|test" >&2
    exit 2
    ;;
esac
