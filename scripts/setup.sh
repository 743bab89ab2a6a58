#!/usr/bin/env bash
# Sets up a fresh machine for credcheck. `setup.sh` installs what the CLI and the build need;
# `setup.sh --test` also installs what the whole test suite needs (native opa, moto, code-server, Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_TESTS=0
[[ "${1:-}" == "--test" ]] && WITH_TESTS=1

# --- npm modules (section: core) ---
npm ci --no-audit --no-fund

# --- build (section: core) ---
npm run build
