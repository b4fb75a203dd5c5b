#!/usr/bin/env node
// Starts the local Azure stack on loopback: Azurite (Blob, Queue) and a Cosmos DB compatible server.
// Prints ONE line of JSON with the settings the app needs, then runs until SIGINT/SIGTERM or until its
// stdin closes (so a test process that dies never leaves emulators behind).
//
//   node scripts/local-stack.mjs [--data DIR] [--ephemeral] [--cosmos-port N] [--blob-port N] [--queue-port N] [--keep-stdin-open]
//
// --ephemeral deletes the Azurite data folder when the stack stops (tests).
//
// Ports default to free ones. A random account key is generated per run: no key lives in the repo.
import { spawn } from "node:child_process";
import { createServer, connect } from "node:net";
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};

const freePort = () =>
  new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });

const waitForPort = (port, ms = 30000) =>
  new Promise((ok, fail) => {
    const until = Date.now() + ms;
    const attempt = () => {
      const c = connect(port, "127.0.0.1");
      c.once("connect", () => { c.destroy(); ok(); });
      c.once("error", () => {
        c.destroy();
        if (Date.now() > until) fail(new Error(`port ${port} did not open`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });

const children = [];
const stop = () => {
  for (const c of children) {
    try { c.kill("SIGTERM"); } catch { /* already gone */ }
  }
  if (args.includes("--ephemeral") && typeof data === "string") {
    try { rmSync(data, { recursive: true, force: true }); } catch { /* best effort */ }
  }
};
process.on("SIGINT", () => { stop(); process.exit(0); });
process.on("SIGTERM", () => { stop(); process.exit(0); });
process.on("exit", stop);

const data = resolve(opt("--data", join(root, ".local", `azurite-${process.pid}`)));
mkdirSync(data, { recursive: true });
const cosmosPort = Number(opt("--cosmos-port", 0)) || (await freePort());
const blobPort = Number(opt("--blob-port", 0)) || (await freePort());
const queuePort = Number(opt("--queue-port", 0)) || (await freePort());
const tablePort = await freePort();
const account = "homeservicelocal";
const key = randomBytes(64).toString("base64");

const start = (cmd, argv, env) => {
  const child = spawn(cmd, argv, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] });
  child.on("exit", (code) => {
    if (!stopping) {
      console.error(`${cmd} exited with ${code}`);
      process.exit(1);
    }
  });
  children.push(child);
  return child;
};
let stopping = false;
process.on("exit", () => { stopping = true; });

start(bin("azurite"), [
  "--silent", "--skipApiVersionCheck", "--disableProductStyleUrl", "--location", data,
  "--blobHost", "127.0.0.1", "--blobPort", String(blobPort),
  "--queueHost", "127.0.0.1", "--queuePort", String(queuePort),
  "--tableHost", "127.0.0.1", "--tablePort", String(tablePort),
], { AZURITE_ACCOUNTS: `${account}:${key}` });
start(bin("cosmosdb-server"), ["--no-ssl", "--host", "127.0.0.1", "-p", String(cosmosPort)], {});

await Promise.all([waitForPort(cosmosPort), waitForPort(blobPort), waitForPort(queuePort)]);

const settings = {
  cosmosEndpoint: `http://127.0.0.1:${cosmosPort}/`,
  // The local Cosmos server accepts any key; a fresh one per run keeps keys out of the repo.
  cosmosKey: randomBytes(64).toString("base64"),
  storageConnectionString:
    `DefaultEndpointsProtocol=http;AccountName=${account};AccountKey=${key};` +
    `BlobEndpoint=http://127.0.0.1:${blobPort}/${account};QueueEndpoint=http://127.0.0.1:${queuePort}/${account};`,
  azuriteData: data,
};
process.stdout.write(JSON.stringify(settings) + "\n");

if (!args.includes("--keep-stdin-open")) {
  // Parent gone (stdin closed) → stop the emulators.
  process.stdin.on("end", () => { stop(); process.exit(0); });
  process.stdin.resume();
}
