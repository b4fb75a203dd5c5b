# Shared by run.sh and test.sh: install what a fresh clone lacks (npm packages, NuGet restore).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v dotnet >/dev/null || { echo "The .NET 10 SDK is required (dotnet on PATH)." >&2; exit 1; }
command -v node >/dev/null || { echo "Node.js and npm are required." >&2; exit 1; }
if [ ! -x "$root/node_modules/.bin/azurite" ] || [ ! -x "$root/node_modules/.bin/cosmosdb-server" ] \
   || [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
  echo "Installing the local stack (Azurite, Cosmos DB server) from npm…"
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
fi
dotnet restore "$root/HomeService.Functions.sln" --verbosity quiet
