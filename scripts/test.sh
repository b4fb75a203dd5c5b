#!/usr/bin/env bash
# Runs every test: installs what is missing, checks the Bicep (build + lint, zero warnings), then the
# domain and API tests. The API tests start their own Azurite and Cosmos server on free loopback ports
# (scripts/local-stack.mjs) and stop them when they finish.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source "$root/scripts/setup.sh"

echo "== Bicep: build + lint"
bash "$root/scripts/bicep.sh"

echo "== Local stack: the Cosmos server's query fix and indexes keep every result"
node --test "$root/scripts/cosmos-query-fix.test.mjs" "$root/scripts/cosmos-index.test.mjs"

echo "== Build (warnings are errors)"
dotnet build HomeService.Functions.sln --no-restore --nologo -v quiet

echo "== Tests"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
dotnet test HomeService.Functions.sln --no-build --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
rm -rf "$root"/.local/test-azurite-* 2>/dev/null || true

# One closing line for the whole run, summed over the test assemblies.
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
echo "${passed} passed, ${failed} failed"
if [ "$status" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
