#!/usr/bin/env bash
# Installs code-server (a real VS Code served to a browser) for `npm run test:integration`.
# VS Code desktop cannot be downloaded on our build machines; code-server from the npm registry can.
# It goes into its own package folder, .cache/code-server/, so it never enters the project's
# node_modules, package-lock.json or the .vsix. Recipe: ../shared/docs/real-vscode-tests.md.
#
# Needs: Node 20 (code-server 4.100.x refuses newer majors), and the Debian packages libkrb5-dev
# (the `kerberos` native module) and ripgrep (stands in for a GitHub download); scripts/setup.sh --test
# installs those. Idempotent: does nothing when the pinned version is already installed.
set -euo pipefail
cd "$(dirname "$0")/.."

CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.100.3}"
# @vscode/ripgrep's postinstall looks for its download in a cache before going to GitHub; these names
# come from lib/postinstall.js of the @vscode/ripgrep version code-server 4.100.3 depends on.
RIPGREP_PACKAGE_VERSION="1.15.11"
RIPGREP_RELEASE="v13.0.0-10"

install_dir="$PWD/.cache/code-server"
entry="$install_dir/node_modules/code-server/out/node/entry.js"
installed_version="$(node -p "require('$install_dir/node_modules/code-server/package.json').version" 2>/dev/null || true)"
if [[ -f "$entry" && "$installed_version" == "$CODE_SERVER_VERSION" ]]; then
  echo "code-server $CODE_SERVER_VERSION already installed in $install_dir"
  exit 0
fi

rg_binary="$(command -v rg || true)"
if [[ -z "$rg_binary" ]]; then
  echo "install-code-server: ripgrep (rg) is missing; run: apt-get install -y ripgrep" >&2
  exit 1
fi

mkdir -p "$install_dir/tmp"
# A private TMPDIR keeps the fake ripgrep download (and npm's scratch files) out of the shared /tmp.
export TMPDIR="$install_dir/tmp"
ripgrep_cache="$TMPDIR/vscode-ripgrep-cache-$RIPGREP_PACKAGE_VERSION"
mkdir -p "$ripgrep_cache"
tar -czf "$ripgrep_cache/ripgrep-$RIPGREP_RELEASE-x86_64-unknown-linux-musl.tar.gz" -C "$(dirname "$rg_binary")" rg

[[ -f "$install_dir/package.json" ]] || \
  echo '{ "name": "credcheck-code-server", "private": true, "description": "code-server for integration tests" }' > "$install_dir/package.json"

echo "installing code-server $CODE_SERVER_VERSION into $install_dir (about 1.5 minutes, 300 MB)"
# --unsafe-perm: CI runs as root; npm_config_yes: a native module's postinstall calls `npx node-gyp`.
(cd "$install_dir" && npm_config_yes=true npm install --unsafe-perm --no-audit --no-fund --no-save \
  "code-server@$CODE_SERVER_VERSION")

test -f "$entry" || { echo "install-code-server: $entry missing after install" >&2; exit 1; }
echo "code-server $(node -p "require('$install_dir/node_modules/code-server/package.json').version") installed"
