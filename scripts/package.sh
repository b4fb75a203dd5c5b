#!/usr/bin/env bash
# Builds the deployable package of the isolated-worker function app:
#
#   artifacts/package/                 what azd deploys (azure.yaml: dist) and what the zip holds: the
#                                      `dotnet publish` output of functions/HomeService.Functions —
#     host.json                        the repo's host.json (linked into the build), unchanged
#     functions.metadata               every function and its bindings, written by the Worker.Sdk
#     worker.config.json               how the host starts the worker (dotnet HomeService.Functions.dll)
#     extensions.json, .azurefunctions/  the host-side extensions the Worker.Sdk compiled for the triggers
#     HomeService.Functions.dll, …     the app and its dependencies (framework-dependent: Flex runs .NET 10)
#   artifacts/homeservice-functions.zip  the same tree, for `az functionapp deploy --type zip`
#
# The output is deleted first, so stale files never ship; re-running gives the same layout. Works from any cwd.
#
# ReadyToRun (linux-x64) is on by default: precompiled code shortens Flex cold starts at the cost of a larger
# package and a slower publish. PACKAGE_FAST=1 skips it (same layout, quicker publish; used by PackageTests).
# PACKAGE_ZIP=zip|python|node forces the zip tool (default: the first one found).

# azd's posix hook may run this with sh: re-run under bash.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
project="$root/functions/HomeService.Functions"
package_dir="$root/artifacts/package"
zip_path="$root/artifacts/homeservice-functions.zip"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

command -v dotnet >/dev/null || { echo "package.sh: the .NET 10 SDK is required (dotnet on PATH)" >&2; exit 1; }

rm -rf "$package_dir" "$zip_path"
mkdir -p "$package_dir"

ready_to_run=true
if [[ "${PACKAGE_FAST:-}" == "1" ]]; then
  ready_to_run=false
fi

echo "package.sh: dotnet publish (Release, linux-x64, framework-dependent, ReadyToRun=$ready_to_run)"
publish_start=$SECONDS
publish_log="$(mktemp)"
trap 'rm -f "$publish_log" "${zip_tmp:-}"' EXIT
if ! dotnet publish "$project" -c Release -r linux-x64 --self-contained false \
    -p:PublishReadyToRun=$ready_to_run -o "$package_dir" >"$publish_log" 2>&1; then
  cat "$publish_log" >&2
  echo "package.sh: dotnet publish failed" >&2
  exit 1
fi
echo "package.sh: published in $((SECONDS - publish_start)) s"

for required in host.json functions.metadata worker.config.json extensions.json HomeService.Functions.dll; do
  [[ -f "$package_dir/$required" ]] || { echo "package.sh: $required missing from the publish output" >&2; exit 1; }
done
[[ -d "$package_dir/.azurefunctions" ]] || { echo "package.sh: .azurefunctions/ missing from the publish output" >&2; exit 1; }

# Zip the folder's contents (entries relative to artifacts/package, host.json at the root, hidden
# .azurefunctions/ included) with the unix modes kept.
zip_tool="${PACKAGE_ZIP:-}"
if [[ -z "$zip_tool" ]]; then
  if command -v zip >/dev/null; then zip_tool=zip
  elif command -v python3 >/dev/null; then zip_tool=python
  else zip_tool=node
  fi
fi

zip_tmp="$root/artifacts/.homeservice-functions.zip.tmp"
rm -f "$zip_tmp"
echo "package.sh: zip with $zip_tool"
case "$zip_tool" in
  zip)
    # -X: no extra time/uid fields; unix permissions are stored by zip on Unix.
    (cd "$package_dir" && zip -q -r -X "$zip_tmp" .)
    ;;
  python)
    # ZipFile.write stores st_mode in external_attr (the CLI `-m zipfile -c` would not compress).
    python3 - "$package_dir" "$zip_tmp" <<'PY'
import os, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            zf.write(path, os.path.relpath(path, src))
PY
    ;;
  node)
    node - "$package_dir" "$zip_tmp" <<'JS'
// Minimal zip writer (deflate, unix modes in the external attributes, no zip64: < 4 GB, < 65535 files).
const fs = require('fs'), path = require('path'), zlib = require('zlib');
const [src, out] = process.argv.slice(2);
const table = Array.from({ length: 256 }, (_, n) => { for (let k = 0; k < 8; k++) n = n & 1 ? 0xedb88320 ^ (n >>> 1) : n >>> 1; return n >>> 0; });
const crc32 = (buf) => { let c = 0xffffffff; for (const b of buf) c = table[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
const files = [];
const walk = (dir) => { for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name < b.name ? -1 : 1)) { const p = path.join(dir, e.name); e.isDirectory() ? walk(p) : files.push(p); } };
walk(src);
const fd = fs.openSync(out, 'w'); const central = []; let offset = 0;
const write = (buf) => { fs.writeSync(fd, buf); offset += buf.length; };
for (const file of files) {
  const name = Buffer.from(path.relative(src, file).split(path.sep).join('/'));
  const stat = fs.statSync(file), data = fs.readFileSync(file), packed = zlib.deflateRawSync(data, { level: 6 });
  const d = stat.mtime, dosTime = (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1);
  const dosDate = ((Math.max(d.getFullYear(), 1980) - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate();
  const crc = crc32(data), start = offset;
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(0x0800, 6); local.writeUInt16LE(8, 8);
  local.writeUInt16LE(dosTime, 10); local.writeUInt16LE(dosDate, 12); local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(packed.length, 18); local.writeUInt32LE(data.length, 22); local.writeUInt16LE(name.length, 26);
  write(local); write(name); write(packed);
  const entry = Buffer.alloc(46);
  entry.writeUInt32LE(0x02014b50, 0); entry.writeUInt16LE((3 << 8) | 20, 4); entry.writeUInt16LE(20, 6); entry.writeUInt16LE(0x0800, 8);
  entry.writeUInt16LE(8, 10); entry.writeUInt16LE(dosTime, 12); entry.writeUInt16LE(dosDate, 14); entry.writeUInt32LE(crc, 16);
  entry.writeUInt32LE(packed.length, 20); entry.writeUInt32LE(data.length, 24); entry.writeUInt16LE(name.length, 28);
  entry.writeUInt32LE(((stat.mode & 0xffff) << 16) >>> 0, 38); entry.writeUInt32LE(start, 42);
  central.push(Buffer.concat([entry, name]));
}
const cdStart = offset; for (const c of central) write(c);
const end = Buffer.alloc(22);
end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(central.length, 8); end.writeUInt16LE(central.length, 10);
end.writeUInt32LE(offset - cdStart, 12); end.writeUInt32LE(cdStart, 16);
write(end); fs.closeSync(fd);
JS
    ;;
  *)
    echo "package.sh: PACKAGE_ZIP must be zip, python or node, not '$zip_tool'" >&2
    exit 1
    ;;
esac
mv "$zip_tmp" "$zip_path"

size_bytes="$(wc -c <"$zip_path" | tr -d ' ')"
echo "package.sh: OK -> $zip_path ($((size_bytes / 1024 / 1024)) MB, $size_bytes bytes); unzipped tree: $package_dir"
