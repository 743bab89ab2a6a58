#!/usr/bin/env bash
# Sets up a fresh machine for credcheck. `setup.sh` installs what the CLI and the build need;
# `setup.sh --test` also installs what the whole test suite needs (native opa, moto, sqlite3, code-server, Chromium);
# `setup.sh --bench` what `npm run bench` compares against besides (DuckDB for Python, in .tools/venv). Both may be given.
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_TESTS=0
WITH_BENCH=0
for argument in "$@"; do
  case "$argument" in
    --test) WITH_TESTS=1 ;;
    --bench) WITH_BENCH=1 ;;
    *) echo "setup: unknown option ${argument} (expected --test and/or --bench)" >&2; exit 2 ;;
  esac
done

# --- npm modules (section: core) ---
npm ci --no-audit --no-fund

# --- Go toolchain check (section: compiler) ---
# The embedded Rego compiler (compiler/) is Go built to wasm: it needs a `go` at least as new as compiler/go.mod's
# go directive (OPA v1.22.0 declares go 1.26.0). Modules come from the Go module proxy during the build.
go_wanted="$(sed -n 's/^go \([0-9.]*\)$/\1/p' compiler/go.mod)"
if ! command -v go >/dev/null; then
  echo "setup: Go ${go_wanted} or newer is required to build compiler/ (https://go.dev/dl/); \`go\` is not on PATH" >&2
  exit 1
fi
go_have="$(go env GOVERSION | sed 's/^go//')"
if [[ "$(printf '%s\n%s\n' "$go_wanted" "$go_have" | sort -V | head -n1)" != "$go_wanted" ]]; then
  echo "setup: compiler/go.mod needs Go ${go_wanted} or newer, but \`go\` is ${go_have} ($(command -v go))" >&2
  exit 1
fi

# --- native opa for tests (section: compiler) ---
# The same OPA version as compiler/go.mod, as an oracle for the differential tests and for `opa test`.
if [[ "$WITH_TESTS" == 1 ]]; then
  opa_version="$(sed -n 's/^\(require\)\{0,1\}[[:space:]]*github\.com\/open-policy-agent\/opa \(v[0-9.]*\).*$/\2/p' compiler/go.mod | head -n1)"
  if ! .tools/bin/opa version 2>/dev/null | grep -x "Version: ${opa_version#v}" >/dev/null; then
    GOBIN="$PWD/.tools/bin" go install "github.com/open-policy-agent/opa@${opa_version}"
  fi
fi

# --- Regal, the Rego linter, for tests (section: policies) ---
# test/unit/policies/regoTools.test.ts runs `regal lint policies queries` (configured in .regal/config.yaml). v0.35.1 is
# the newest release published as github.com/styrainc/regal (later ones are github.com/open-policy-agent/regal). It is
# built from a throwaway module because `go install …@version` first looks up the module's deprecation notice and
# fails where the proxy does not list versions; the -X flag makes `regal version` print the version this step checks.
if [[ "$WITH_TESTS" == 1 ]]; then
  regal_version="v0.35.1"
  if ! .tools/bin/regal version 2>/dev/null | grep -x "Version: *${regal_version}" >/dev/null; then
    regal_module="$(mktemp -d)"
    tools_bin="$PWD/.tools/bin"
    (
      cd "$regal_module"
      go mod init credcheck-tools >/dev/null 2>&1
      go get "github.com/styrainc/regal@${regal_version}"
      GOBIN="$tools_bin" go install -ldflags "-X github.com/styrainc/regal/pkg/version.Version=${regal_version}" github.com/styrainc/regal
    )
    rm -rf "$regal_module"
  fi
fi

# --- moto for fetch tests, junitparser for the CI recipe test (section: fetch) ---
# A real IAM endpoint for test/unit/fetch (moto_server on loopback), in its own venv so no system Python is touched.
# Needs python3 with the venv module and pip's bootstrap (Debian ships them apart, as python3-venv).
if [[ "$WITH_TESTS" == 1 ]]; then
  moto_version="5.2.5"
  if ! .tools/venv/bin/python -m pip show moto 2>/dev/null | grep -x "Version: ${moto_version}" >/dev/null; then
    if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
      apt-get update
      DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv
    fi
    python3 -m venv .tools/venv
    .tools/venv/bin/python -m pip install --quiet --disable-pip-version-check "moto[server]==${moto_version}"
  fi
  # A real JUnit parser for the README's GitLab CI recipe test (test/unit/cli/ciRecipes.test.ts).
  junitparser_version="5.0.3"
  if ! .tools/venv/bin/python -m pip show junitparser 2>/dev/null | grep -x "Version: ${junitparser_version}" >/dev/null; then
    .tools/venv/bin/python -m pip install --quiet --disable-pip-version-check "junitparser==${junitparser_version}"
  fi
fi

# --- the benchmark's peers (section: bench) ---
# `npm run bench` (bench/run.mjs, issue 18) times `credcheck query` against DuckDB on the same CSV, from Python, and
# `credcheck check` against the same checks as SQL in sqlite3 (bench/sqlBaseline.sql; test/unit/bench checks that SQL,
# so --test installs sqlite3 too). Without DuckDB the bench marks that goal as not measured.
if [[ "$WITH_TESTS" == 1 || "$WITH_BENCH" == 1 ]]; then
  if ! command -v sqlite3 >/dev/null; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y sqlite3
  fi
fi
if [[ "$WITH_BENCH" == 1 ]]; then
  duckdb_version="2.0.0"
  if ! .tools/venv/bin/python -m pip show duckdb 2>/dev/null | grep -x "Version: ${duckdb_version}" >/dev/null; then
    if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
      apt-get update
      DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv
    fi
    [[ -x .tools/venv/bin/python ]] || python3 -m venv .tools/venv
    .tools/venv/bin/python -m pip install --quiet --disable-pip-version-check "duckdb==${duckdb_version}"
  fi
fi

# --- build (section: core) ---
npm run build

# --- real VS Code for integration tests (section: integration) ---
# code-server (VS Code 1.100.3 served to a browser) driven by Debian's headless Chromium; see scripts/install-code-server.sh.
if [[ "$WITH_TESTS" == 1 ]]; then
  integration_packages=()
  command -v chromium >/dev/null || integration_packages+=(chromium)
  command -v rg >/dev/null || integration_packages+=(ripgrep)
  dpkg -s libkrb5-dev >/dev/null 2>&1 || integration_packages+=(libkrb5-dev)
  if (( ${#integration_packages[@]} )); then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${integration_packages[@]}"
  fi
  scripts/install-code-server.sh
fi
