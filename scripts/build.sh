#!/usr/bin/env bash
# Configures and builds worthit (the app, tests and benchmarks) into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWORTHIT_WERROR=ON > build.log 2>&1 || { cat build.log; exit 1; }
cmake --build build -j "$(nproc)"
