// Snapshot / restore of the in-memory account of @vercel/cosmosdb-server (pinned 1.0.1), used by
// local-stack.mjs --cosmos-data FILE so local Cosmos data survives restarts of the stack.
//
// The server keeps everything in nested `Items` collections (lib/account/items.js): `_data` is a Map of
// rid → Item (whose `read()` is the stored JSON, `_etag`/`_rid`/`_self`/`_ts` included), `_index` maps
// unique keys to rids and `_ridCount` numbers new resources. A snapshot stores every item's JSON in Map
// order plus each `_ridCount`; restoring goes through the package's own `_set`, which rebuilds `_index`
// (and, for databases and collections, the nested child collections), so nothing is re-created: rids,
// etags and timestamps come back exactly and new resources never reuse a rid.
//
// Format (one JSON file):
//   { "version": 1, "server": "@vercel/cosmosdb-server@1.0.1", "savedAt": ISO-8601,
//     "databases": { "ridCount": n, "items": [ {
//       "data": {database JSON},
//       "collections": { "ridCount": n, "items": [ {
//         "data": {collection JSON: partitionKey, indexingPolicy, uniqueKeyPolicy, …},
//         "documents":            { "ridCount": n, "items": [ {document JSON}, … ] },
//         "partitionKeyRanges":   { "ridCount": n, "items": [ {range JSON}, … ] },
//         "userDefinedFunctions": { "ridCount": n, "items": [ {id, body, _etag, …}, … ] } } ] } } ] } }
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export const SNAPSHOT_VERSION = 1;
const SERVER = "@vercel/cosmosdb-server@1.0.1";

const dump = (items, children) => ({
  ridCount: items._ridCount,
  items: [...items._data.values()].map((item) => (children ? { data: item.read(), ...children(item) } : item.read())),
});

/** The account's databases, collections, documents, partition key ranges and UDFs as plain JSON. */
export function snapshot(account) {
  return {
    version: SNAPSHOT_VERSION,
    server: SERVER,
    savedAt: new Date().toISOString(),
    databases: dump(account.databases, (db) => ({
      collections: dump(db.collections, (coll) => ({
        documents: dump(coll.documents),
        partitionKeyRanges: dump(coll.partitionKeyRanges),
        userDefinedFunctions: dump(coll.userDefinedFunctions),
      })),
    })),
  };
}

const fail = (what) => {
  throw new Error(what);
};

const checkList = (list, where) => {
  if (!list || typeof list !== "object" || !Array.isArray(list.items)) fail(`${where}: missing "items" list`);
  if (!Number.isSafeInteger(list.ridCount) || list.ridCount < 0) fail(`${where}: invalid "ridCount"`);
  return list;
};

const checkItem = (data, where) => {
  if (!data || typeof data !== "object" || Array.isArray(data)) fail(`${where}: not an object`);
  if (typeof data.id !== "string" && typeof data.id !== "number") fail(`${where}: missing "id"`);
  if (typeof data._rid !== "string" || !data._rid) fail(`${where}: missing "_rid"`);
  return data;
};

// Puts every item of a snapshot list into `items` through the package's own `_set` (rebuilds the
// unique-key index) and restores the rid counter. Returns the restored Item objects in order.
const load = (items, list, where, eachData = (d) => d) => {
  checkList(list, where);
  const restored = list.items.map((entry, i) => {
    const data = checkItem(eachData(entry), `${where}[${i}]`);
    if (items._data.has(data._rid)) fail(`${where}[${i}]: duplicate _rid ${data._rid}`);
    items._set(data);
    return [entry, items._data.get(data._rid)];
  });
  items._ridCount = list.ridCount;
  return restored;
};

// Same as user-defined-functions.js `define` (not exported there): how the server turns a UDF body into
// the function its queries call.
// eslint-disable-next-line no-new-func
const defineUdf = (body) => new Function(`"use strict";return (${body})`)();

/** Restores a snapshot (as returned by `snapshot`) into a fresh, empty account. Throws on bad input. */
export function restore(account, snap) {
  if (!snap || typeof snap !== "object") fail("not a JSON object");
  if (snap.version !== SNAPSHOT_VERSION) fail(`unsupported snapshot version ${JSON.stringify(snap.version)} (expected ${SNAPSHOT_VERSION})`);
  if (account.databases._data.size !== 0) fail("the account is not empty");
  for (const [dbEntry, db] of load(account.databases, snap.databases, "databases", (e) => e && e.data)) {
    const dbWhere = `database ${JSON.stringify(dbEntry.data.id)}`;
    for (const [collEntry, coll] of load(db.collections, dbEntry.collections, `${dbWhere} collections`, (e) => e && e.data)) {
      const where = `${dbWhere} collection ${JSON.stringify(collEntry.data.id)}`;
      load(coll.documents, collEntry.documents, `${where} documents`);
      // The Collection constructor created a fresh partition key range (new _etag/_ts); put back the saved ones.
      coll.partitionKeyRanges._data.clear();
      coll.partitionKeyRanges._index.clear();
      load(coll.partitionKeyRanges, collEntry.partitionKeyRanges, `${where} partitionKeyRanges`);
      for (const [udf] of load(coll.userDefinedFunctions, collEntry.userDefinedFunctions, `${where} userDefinedFunctions`)) {
        try {
          coll.userDefinedFunctions.functions[udf.id] = defineUdf(udf.body);
        } catch (err) {
          fail(`${where} user-defined function ${JSON.stringify(udf.id)}: ${err.message}`);
        }
      }
    }
  }
}

/**
 * Reads and parses FILE. Returns undefined when FILE does not exist; throws an Error naming FILE for
 * anything else (unreadable, empty, not JSON) so a damaged snapshot never gets replaced by an empty one.
 */
export function readSnapshot(file) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if (err.code === "ENOENT") return undefined;
    throw new Error(`Cannot read the Cosmos snapshot ${file}: ${err.message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`The Cosmos snapshot ${file} is not valid JSON (${err.message}). ` +
      "Fix or move the file away to start with an empty Cosmos store; it was left untouched.");
  }
}

/** Writes the account to FILE atomically: FILE.tmp, fsync, rename over FILE, fsync of the folder. */
export function writeSnapshot(file, account) {
  const text = JSON.stringify(snapshot(account));
  const tmp = `${file}.tmp`;
  mkdirSync(dirname(file), { recursive: true });
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeFileSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  try {
    const dir = openSync(dirname(file), "r");
    try { fsyncSync(dir); } finally { closeSync(dir); }
  } catch { /* folder fsync is best effort (not supported everywhere) */ }
}
