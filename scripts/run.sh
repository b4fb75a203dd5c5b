#!/usr/bin/env bash
# Starts Azurite and the Cosmos DB server on loopback, seeds demo data and runs the app on the local host
# (functions/HomeService.LocalHost: the function app's services, HTTP function, timers and queue functions on
# Kestrel; Development).
#   PORT=5080 bash scripts/run.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/setup.sh"
port="${PORT:-5080}"
mkdir -p "$root/.local"
stack_out="$root/.local/stack.json"
rm -f "$stack_out"
# Local data survives: Azurite keeps its files in .local/azurite, the Cosmos server snapshots to .local/cosmos.json
# (within ~1 s of a change and at stop, restored at start). --parent-pid: if this script is killed outright, the
# stack still stops cleanly (final snapshot) instead of lingering.
node "$root/scripts/local-stack.mjs" --keep-stdin-open --data "$root/.local/azurite" \
  --cosmos-data "$root/.local/cosmos.json" --parent-pid $$ > "$stack_out" &
stack_pid=$!
trap 'kill $stack_pid 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 300); do [ -s "$stack_out" ] && break; sleep 0.1; done
[ -s "$stack_out" ] || { echo "The local stack did not start." >&2; exit 1; }
setting() { node -e "process.stdout.write(JSON.parse(require('fs').readFileSync(process.argv[1],'utf8'))[process.argv[2]])" "$stack_out" "$1"; }

export ASPNETCORE_ENVIRONMENT=Development
export Cosmos__Endpoint="$(setting cosmosEndpoint)" Cosmos__Key="$(setting cosmosKey)" Cosmos__CreateIfNotExists=true Cosmos__LocalServer=true
export Storage__ConnectionString="$(setting storageConnectionString)"
export Hosting__CreateQueues=true Seed__Demo=true Money__PayoutProvider=Sandbox
export Auth__Sms__Provider=Sandbox Auth__WeChat__Provider=Sandbox
export Auth__BootstrapAdminPhones__0="${ADMIN_PHONE:-13800000000}"
# Tokens outlive a restart: the Development signing key is kept in .local/ (git-ignored).
export Auth__SigningKeyFile="$root/.local/jwt-signing-key"
# The payment sandbox's RSA keys likewise (generating them costs ~0.5 s of CPU at every start).
export Payments__Sandbox__KeyFile="$root/.local/wechatpay-sandbox-keys.json"

echo "HomeService API:   http://127.0.0.1:$port/api"
echo "API documentation: http://127.0.0.1:$port/api/docs   (OpenAPI: /api/openapi/v1.json)"
echo "Log in as admin:   POST /api/auth/sms/send {\"phone\":\"${ADMIN_PHONE:-13800000000}\"}, read the code at GET /api/dev/sms/${ADMIN_PHONE:-13800000000}"
dotnet run --project "$root/functions/HomeService.LocalHost" --no-restore --no-launch-profile -- --urls "http://127.0.0.1:$port"
