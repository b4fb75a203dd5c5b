#!/usr/bin/env bash
# Builds and lints infra/main.bicep with the Bicep CLI restored from NuGet
# (Azure.Bicep.CommandLine.linux-x64, pinned in tools/bicep/bicep.csproj).
# Writes the ARM template to artifacts/bicep/main.json (read by BicepConsistencyTests).
# Fails on any error and on any warning.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="0.49.2"
out_dir="$root/artifacts/bicep"

if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
  echo "bicep.sh: the pinned Bicep package is linux-x64; this is $(uname -s)-$(uname -m)" >&2
  exit 1
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

restore_log="$(mktemp)"
trap 'rm -f "$restore_log" "${build_log:-}" "${lint_log:-}" "${json_tmp:-}"' EXIT
if ! dotnet restore "$root/tools/bicep/bicep.csproj" >"$restore_log" 2>&1; then
  cat "$restore_log" >&2
  echo "bicep.sh: restoring Azure.Bicep.CommandLine.linux-x64 $version failed" >&2
  exit 1
fi

packages="$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: *//p')"
bicep="${packages%/}/azure.bicep.commandline.linux-x64/$version/tools/bicep"
if [[ ! -f "$bicep" ]]; then
  echo "bicep.sh: $bicep not found after restore" >&2
  exit 1
fi
chmod +x "$bicep"
echo "bicep.sh: $("$bicep" --version)"

mkdir -p "$out_dir"
build_log="$(mktemp)"
lint_log="$(mktemp)"
json_tmp="$(mktemp)"
status=0

echo "bicep.sh: build infra/main.bicep"
"$bicep" build "$root/infra/main.bicep" --stdout >"$json_tmp" 2>"$build_log" || status=1
cat "$build_log"

echo "bicep.sh: lint infra/main.bicep"
"$bicep" lint "$root/infra/main.bicep" >"$lint_log" 2>&1 || status=1
cat "$lint_log"

# Bicep exits 0 on warnings; this gate does not.
if grep -qiE '\b(warning|error)\b' "$build_log" "$lint_log"; then
  status=1
fi

if [[ $status -ne 0 ]]; then
  echo "bicep.sh: FAILED (errors or warnings above)" >&2
  exit 1
fi

# Move into place only on success, so a consumer never reads a stale or partial template.
chmod 644 "$json_tmp"
mv "$json_tmp" "$out_dir/main.json"
echo "bicep.sh: OK, 0 errors, 0 warnings -> artifacts/bicep/main.json"
