#!/bin/sh
# Builds tools/asan-scan/harness.c (native/scan.c's walk) with AddressSanitizer and UBSan and
# feeds it $1 mutated frames (default 3,000,000); any out-of-bounds read or undefined
# behaviour stops it with a report and a non-zero exit.
set -e
here=$(dirname "$0")
nodeinc=$(node -p "require('path').join(process.execPath, '../../include/node')")
out=$(mktemp -d)
gcc -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -I"$nodeinc" "$here/harness.c" -o "$out/harness"
"$out/harness" "${1:-3000000}"
rm -rf "$out"
