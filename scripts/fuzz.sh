#!/usr/bin/env bash
# Builds the GGUF reader's libFuzzer target with clang (ASan + UBSan) and runs it for $1 seconds
# (default 60) on the seed corpus in fuzz/corpus. Fails on any crash, leak or sanitizer report.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DWORTHIT_FUZZ=ON -DWORTHIT_BUILD_TESTS=OFF -DWORTHIT_BUILD_BENCH=OFF > build-fuzz.log 2>&1 \
  || { cat build-fuzz.log; exit 1; }
cmake --build build-fuzz --target gguf_fuzz
work="$(mktemp -d)"
cp -r fuzz/corpus/. "$work/"
build-fuzz/gguf_fuzz -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 "$work" 2>&1 | tail -n 5
rm -rf "$work"
