#!/usr/bin/env bash
# Build tools/print-reference.cpp against Debian's libtorch (libtorch-dev)
# and regenerate tests/testthat/ref/print-reference.txt.
# Usage: tools/print-reference.sh [output-file]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
out="${1:-$root/tests/testthat/ref/print-reference.txt}"
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT

g++ -std=c++17 -O0 -o "$build/print-reference" "$here/print-reference.cpp" \
  -I/usr/include -ltorch -ltorch_cpu -lc10

mkdir -p "$(dirname "$out")"
"$build/print-reference" > "$out" 2> "$build/stderr.txt"
echo "wrote $(grep -c '^#case ' "$out") cases to $out"
