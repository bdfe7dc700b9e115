#!/usr/bin/env bash
# Installs, builds and runs every test: the GoogleTest suite through ctest, the fit benchmark
# (speed target: one fit under 5 ms), and the GGUF reader's libFuzzer target for 60 seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
build/worthit_bench --benchmark_min_time=0.2 --benchmark_filter=BM_Fit
bash scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
ctest --test-dir build --output-on-failure -j "$(nproc)"
