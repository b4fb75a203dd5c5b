#!/usr/bin/env node
// Starts the local Azure stack on loopback: Azurite (Blob, Queue, Table) and a Cosmos DB compatible server
// (@vercel/cosmosdb-server, run in this process). Prints ONE line of JSON with the settings the app needs,
// then runs until SIGINT/SIGTERM, until its stdin closes (so a test process that dies never leaves
// emulators behind) or, with --parent-pid, until that process is gone.
//
//   node scripts/local-stack.mjs [--data DIR] [--ephemeral] [--cosmos-data FILE] [--parent-pid PID]
//                                [--cosmos-port N] [--blob-port N] [--queue-port N] [--keep-stdin-open]
//
// --data DIR         Azurite's data folder (default .local/azurite-<pid>).
// --ephemeral        deletes the Azurite data folder (--data DIR) when the stack stops (tests), and nothing
//                    else: a --cosmos-data FILE outside DIR is kept (one inside DIR goes with it; a note says so).
// --cosmos-data FILE keeps the Cosmos data across restarts: restored from FILE at start (if FILE exists),
//                    written to FILE (atomically: FILE.tmp, fsync, rename) within ~1 s after a change and
//                    once more when the stack stops. A FILE that cannot be read or restored stops the start
//                    with an error and is left untouched. Format: see scripts/cosmos-store.mjs.
//                    What can be lost at most: the writes of the last ~1 s if this process itself is killed
//                    with SIGKILL (or the machine dies); nothing on a clean stop (signal, stdin closed,
//                    parent gone) or when only the app dies.
//                    Without --cosmos-data the Cosmos data lives in memory only and is gone at stop.
// --parent-pid PID   stops (cleanly, as above) when process PID is gone; checked every 500 ms. For callers
//                    that run the stack in the background with --keep-stdin-open (scripts/run.sh) and may
//                    be killed with SIGKILL, so their own clean-up never runs.
//
// A clean stop writes the final snapshot first, then asks Azurite to close and waits for it (at most 3 s,
// then SIGKILL) before removing an --ephemeral folder and exiting.
//
// Ports default to free ones. A random account key is generated per run: no key lives in the repo.
import { spawn } from "node:child_process";
import { createServer, connect } from "node:net";
import { createServer as createHttpServer } from "node:http";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readSnapshot, restore, writeSnapshot } from "./cosmos-store.mjs";
import { applyCosmosQueryFix } from "./cosmos-query-fix.mjs";
import { applyCosmosIndex } from "./cosmos-index.mjs";

const require = createRequire(import.meta.url);
// The Cosmos server's query engine copies its row list once per document (O(N²) in a container's size); see the file.
if (!applyCosmosQueryFix()) console.error("local-stack: the Cosmos query fix did not apply (engine changed?); queries over big containers are slow");
// The Cosmos server scans every document of a container per query; Cosmos DB looks equality terms up in its index (see the file).
if (!applyCosmosIndex()) console.error("local-stack: the Cosmos index did not apply; every query scans its container");
const Account = require("@vercel/cosmosdb-server/lib/account").default;
const cosmosRoute = require("@vercel/cosmosdb-server/lib/routes").default;

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = args[i + 1];
  if (value === undefined || value.startsWith("--")) die(`${name} needs a value`);
  return value;
};
function die(message) {
  console.error(`local-stack: ${message}`);
  process.exit(1);
}

const data = resolve(opt("--data", join(root, ".local", `azurite-${process.pid}`)));
const ephemeral = args.includes("--ephemeral");
const cosmosData = opt("--cosmos-data") === undefined ? undefined : resolve(opt("--cosmos-data"));
const parentPid = opt("--parent-pid") === undefined ? undefined : Number(opt("--parent-pid"));
if (parentPid !== undefined && !(Number.isSafeInteger(parentPid) && parentPid > 0)) die("--parent-pid needs a process id");

// Read the snapshot before anything starts: a damaged one must stop the start, not be replaced.
let snap;
if (cosmosData) {
  try {
    snap = readSnapshot(cosmosData);
  } catch (err) {
    die(err.message);
  }
  const rel = relative(data, cosmosData);
  if (ephemeral && rel && !rel.startsWith("..") && !isAbsolute(rel)) {
    console.error(`local-stack: note: --cosmos-data ${cosmosData} is inside the --ephemeral data folder and is deleted with it at stop`);
  }
}

let cosmos; // the Cosmos server's account (all its data)
let persist = false; // true once the snapshot (if any) is restored: only then may FILE be written
let dirty = false; // a Cosmos request that may have changed data arrived since the last snapshot
let lastPersistError;
const saveCosmos = () => {
  if (!persist) return;
  try {
    writeSnapshot(cosmosData, cosmos);
    lastPersistError = undefined;
  } catch (err) {
    dirty = true; // retry at the next tick
    if (err.message !== lastPersistError) console.error(`local-stack: could not write the Cosmos snapshot ${cosmosData}: ${err.message}`);
    lastPersistError = err.message;
  }
};

const children = [];
let cosmosServer;
let stopping = false;
const removeEphemeral = () => {
  if (ephemeral) {
    try { rmSync(data, { recursive: true, force: true }); } catch { /* best effort */ }
  }
};
// Synchronous part of stopping, also run on any exit: stop taking Cosmos requests, final snapshot, ask
// Azurite to close. Run again (at exit), it only writes what a request still in flight changed since.
const stopNow = () => {
  if (stopping) {
    if (dirty) saveCosmos();
    return;
  }
  stopping = true;
  if (cosmosServer) cosmosServer.close();
  dirty = false;
  saveCosmos();
  for (const c of children) {
    try { c.kill("SIGTERM"); } catch { /* already gone */ }
  }
};
// A clean stop: the above, then wait (at most 3 s, then SIGKILL) until Azurite has closed, so its data is
// flushed and --ephemeral removes a folder nobody writes to any more.
let shuttingDown;
const shutdown = () => (shuttingDown ??= (async () => {
  stopNow();
  const running = () => children.filter((c) => c.exitCode === null && c.signalCode === null);
  const until = Date.now() + 3000;
  while (running().length && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  for (const c of running()) {
    try { c.kill("SIGKILL"); } catch { /* already gone */ }
  }
  removeEphemeral();
  process.exit(0);
})());
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, shutdown);
process.on("exit", () => {
  stopNow();
  if (!ephemeral) return;
  // Exiting without waiting (crash, startup error): Azurite's data is thrown away anyway, so kill it now
  // rather than let it write into the folder after it is removed.
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      try { c.kill("SIGKILL"); } catch { /* already gone */ }
    }
  }
  removeEphemeral();
});

if (parentPid !== undefined) {
  // When PID is our own parent, being re-parented also means it is gone: a killed parent whose own parent
  // does not reap it stays a zombie, and signal 0 still reaches zombies.
  const ourParent = process.ppid === parentPid;
  const alive = () => {
    if (ourParent && process.ppid !== parentPid) return false;
    try { process.kill(parentPid, 0); return true; } catch (err) { return err.code === "EPERM"; }
  };
  if (!alive()) die(`--parent-pid ${parentPid}: no such process`);
  setInterval(() => {
    if (alive()) return;
    console.error(`local-stack: parent process ${parentPid} is gone, stopping`);
    shutdown();
  }, 500).unref();
}

mkdirSync(data, { recursive: true });
const cosmosPort = Number(opt("--cosmos-port", 0)) || (await freePort());
const blobPort = Number(opt("--blob-port", 0)) || (await freePort());
const queuePort = Number(opt("--queue-port", 0)) || (await freePort());
const tablePort = await freePort();
const account = "homeservicelocal";
const key = randomBytes(64).toString("base64");

// Same account as lib/index.js creates for a server listening on 127.0.0.1:cosmosPort.
cosmos = new Account("127.0.0.1", cosmosPort);
if (snap !== undefined) {
  try {
    restore(cosmos, snap);
  } catch (err) {
    die(`The Cosmos snapshot ${cosmosData} cannot be restored (${err.message}). ` +
      "Fix or move the file away to start with an empty Cosmos store; it was left untouched.");
  }
}
if (cosmosData) {
  persist = true;
  setInterval(() => {
    if (!dirty) return;
    dirty = false;
    saveCosmos();
  }, 1000).unref();
}

const start = (cmd, argv, env) => {
  if (stopping) return undefined; // stopped while starting up (parent gone, signal)
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

// --disableTelemetry: offline, Azurite's pending telemetry would keep it alive for long after it closed.
start(bin("azurite"), [
  "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--disableProductStyleUrl", "--location", data,
  "--blobHost", "127.0.0.1", "--blobPort", String(blobPort),
  "--queueHost", "127.0.0.1", "--queuePort", String(queuePort),
  "--tableHost", "127.0.0.1", "--tablePort", String(tablePort),
], { AZURITE_ACCOUNTS: `${account}:${key}` });

// The Cosmos server, in this process. Why not its CLI or lib/index.js's createHttpServer: they keep the
// Account in a closure, out of reach for snapshots. This is lib/index.js's generateRequestHandler +
// createHttpServer (http, i.e. the CLI's --no-ssl, keep-alive off) with the same headers and status
// handling, plus the dirty flag. Any non-GET request marks the data dirty (queries too), at its start
// and again once handled, so a snapshot taken in between does not swallow the change.
cosmosServer = createHttpServer((req, res) => {
  const write = req.method !== "GET";
  if (write) dirty = true;
  const route = cosmosRoute(req);
  (async () => {
    let body;
    if (route) {
      const [params, handler] = route;
      try {
        body = await handler(cosmos, req, res, params);
      } catch (err) {
        console.error(err);
        body = { message: err.message };
        res.statusCode = 500;
      } finally {
        if (write) dirty = true;
      }
      if (res.statusCode > 399 && !body.message) {
        body.message = "";
      }
    } else {
      res.statusCode = 400;
      body = { message: "no route" };
    }
    if (body && body._etag) {
      res.setHeader("etag", body._etag);
    }
    res.setHeader("content-type", "application/json");
    res.setHeader("content-location", `https://${req.headers.host}${req.url}`);
    res.setHeader("connection", "close");
    res.setHeader("x-ms-activity-id", randomUUID());
    res.setHeader("x-ms-request-charge", "1");
    if (req.headers["x-ms-documentdb-populatequerymetrics"]) {
      res.setHeader("x-ms-documentdb-query-metrics", "totalExecutionTimeInMs=0.00;queryCompileTimeInMs=0.00;queryLogicalPlanBuildTimeInMs=0.00;queryPhysicalPlanBuildTimeInMs=0.00;queryOptimizationTimeInMs=0.00;VMExecutionTimeInMs=0.00;indexLookupTimeInMs=0.00;documentLoadTimeInMs=0.00;systemFunctionExecuteTimeInMs=0.00;userFunctionExecuteTimeInMs=0.00;retrievedDocumentCount=0;retrievedDocumentSize=0;outputDocumentCount=1;outputDocumentSize=0;writeOutputTimeInMs=0.00;indexUtilizationRatio=0.00");
    }
    if (req.headers["a-im"] && res.statusCode === 200) {
      if (req.headers["if-none-match"]) {
        res.statusCode = 304;
      }
      res.setHeader("etag", "1");
    }
    res.end(JSON.stringify(body));
  })().catch((err) => {
    console.error(err);
    if (!res.writableEnded) {
      res.statusCode = 500;
      res.end("");
    }
  });
});
await new Promise((ok) => {
  cosmosServer.once("error", (err) => die(`Cosmos server: ${err.message}`));
  cosmosServer.listen(cosmosPort, "127.0.0.1", ok);
});

await Promise.all([waitForPort(blobPort), waitForPort(queuePort), waitForPort(tablePort)]);

const settings = {
  cosmosEndpoint: `http://127.0.0.1:${cosmosPort}/`,
  // The local Cosmos server accepts any key; a fresh one per run keeps keys out of the repo.
  cosmosKey: randomBytes(64).toString("base64"),
  storageConnectionString:
    `DefaultEndpointsProtocol=http;AccountName=${account};AccountKey=${key};` +
    `BlobEndpoint=http://127.0.0.1:${blobPort}/${account};QueueEndpoint=http://127.0.0.1:${queuePort}/${account};` +
    `TableEndpoint=http://127.0.0.1:${tablePort}/${account};`,
  azuriteData: data,
};
process.stdout.write(JSON.stringify(settings) + "\n");

if (!args.includes("--keep-stdin-open")) {
  // Parent gone (stdin closed) → stop the emulators.
  process.stdin.on("end", shutdown);
  process.stdin.resume();
}

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

function waitForPort(port, ms = 30000) {
  return new Promise((ok, fail) => {
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
}
