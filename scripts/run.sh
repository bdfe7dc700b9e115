#!/usr/bin/env bash
# The main job: install, build, and run worthit on the seed study's cases.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
build/worthit fit --seed
build/worthit advise --preset seed-author
build/worthit report --preset seed-author --html build/report.html
