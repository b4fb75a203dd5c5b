// node --test scripts/cosmos-index.test.mjs — the local Cosmos server's indexes change which documents a query looks at,
// never what it answers: every query gives the same rows, in the same order, pages and continuations as a full scan,
// before and after creates, replaces, upserts, patches and deletes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { applyCosmosIndex, candidates, scanQuery, sortedBy, termSets, termsOf, topOrderOf, walkPays } from "./cosmos-index.mjs";
import { applyCosmosQueryFix } from "./cosmos-query-fix.mjs";

const require = createRequire(import.meta.url);
const fromServer = createRequire(require.resolve("@vercel/cosmosdb-server/lib/account/items"));
const Account = fromServer("@vercel/cosmosdb-server/lib/account").default;
const cosmosQuery = fromServer("@zeit/cosmosdb-query").default;

applyCosmosQueryFix();
applyCosmosIndex();

const account = new Account("localhost", 8081);
account.databases.create({ id: "db" });
account.database("db").collections.create({ id: "workers", partitionKey: { paths: ["/workerId"], kind: "Hash" } });
const items = account.database("db").collection("workers").documents;

const cells = ["wtw3s", "wtw3t", "wtw3u", "wtw3v", "wtw6h"];
function doc(i, version = 0) {
  return {
    id: `w${String((i * 7919) % 997).padStart(4, "0")}`, workerId: `w${String((i * 7919) % 997).padStart(4, "0")}`,
    type: i % 5 === 0 ? "plan" : "worker", status: (i + version) % 4 ? "approved" : "suspended", accepting: (i + version) % 3 !== 0,
    homeCell5: cells[(i + version) % cells.length], level: (i + version) % 7, rating: { average: ((i * 13) % 50) / 10, count: i % 9 },
    geoCells: [cells[i % cells.length], cells[(i + 2 + version) % cells.length]], ...(i % 3 === 1 ? {} : { optional: [cells[(i + version) % cells.length]] }), mixed: i % 2 ? "1" : 1, nested: { city: i % 2 ? "sh" : "bj" },
  };
}
for (let i = 0; i < 400; i++) items.create(doc(i));

const parameters = [
  { name: "@cell", value: "wtw3t" }, { name: "@cells", value: ["wtw3s", "wtw3v"] }, { name: "@ids", value: ["w0000", "w0940", "w0883", "nope"] },
  { name: "@after", value: "w0300" }, { name: "@type", value: "worker" }, { name: "@one", value: 1 }, { name: "@obj", value: { a: 1 } },
  { name: "@b", value: true }, { name: "@c5a", value: "wtw3s" }, { name: "@c5b", value: "wtw6h" },
];
const queries = [
  "SELECT * FROM c WHERE c.type = 'worker'",
  "SELECT * FROM c WHERE c.type = @type AND ARRAY_CONTAINS(c.geoCells, @cell) AND c.status = 'approved' AND c.accepting = true",
  "SELECT TOP 40 c.id, c.rating FROM c WHERE c.homeCell5 IN (@c5a, @c5b) AND ARRAY_CONTAINS(c.geoCells, @cell) AND c.id > @after ORDER BY c.id",
  "SELECT * FROM c WHERE ARRAY_CONTAINS(@ids, c.workerId)",
  "SELECT * FROM c WHERE ARRAY_CONTAINS(@ids, c.workerId) AND c.type IN ('plan', 'calendar')",
  "SELECT * FROM c WHERE ARRAY_CONTAINS(['w0001', 'w0002'], c.id) OR c.level = 3",
  "SELECT * FROM c WHERE (c.level = 3 OR c.level = 4) AND c.nested.city = 'sh'",
  "SELECT * FROM c WHERE c.mixed = @one",
  "SELECT * FROM c WHERE c.mixed = '1'",
  "SELECT * FROM c WHERE c.mixed IN (1)",
  "SELECT * FROM c WHERE c.nested = @obj",
  "SELECT * FROM c WHERE c.accepting = @b ORDER BY c.rating.average DESC",
  "SELECT VALUE COUNT(1) FROM c WHERE c.status = 'approved'",
  "SELECT VALUE MAX(c.level) FROM c WHERE c.type = 'worker' AND c.homeCell5 = @cell",
  "SELECT c.id, g FROM c JOIN g IN c.geoCells WHERE c.status = 'suspended' AND g = @cell",
  "SELECT * FROM c WHERE c.type = 'nothing'",
  "SELECT * FROM c WHERE c.missing = 'x' AND c.type = 'worker'",
  "SELECT * FROM c WHERE NOT (c.type = 'worker')",
  "SELECT TOP 7 * FROM c WHERE c.type = 'worker'",
  "SELECT f.id FROM Families f WHERE f.type = 'plan' AND f.level = 2",
  // TOP over growing prefixes in the engine's order (ORDER BY value, then _rid)
  "SELECT TOP 3 c.id, c.rating FROM c WHERE c.status = 'suspended' AND c.level = 6 ORDER BY c.rating.average DESC",
  "SELECT TOP 5 * FROM c WHERE c.accepting = true",
  "SELECT TOP 10 c.id FROM c ORDER BY c.nested.city",
  "SELECT TOP 40 c.id, c.mixed FROM c WHERE c.level > 2 ORDER BY c.mixed",
  "SELECT TOP 2 c.id FROM c WHERE c.missing = 1 ORDER BY c.id",
  "SELECT TOP 4 c.id FROM c ORDER BY c.missing",
  "SELECT TOP 7 c.id FROM c WHERE c.level > 5 AND NOT ARRAY_CONTAINS(@ids, c.id) ORDER BY c.id DESC",
  "SELECT TOP 1 VALUE COUNT(1) FROM c WHERE c.type = 'worker'",
  "SELECT TOP 20 c.id, g FROM c JOIN g IN c.geoCells WHERE g = @cell ORDER BY c.id",
  // ORs of lookups, with documents lacking the path
  "SELECT * FROM c WHERE c.type = 'worker' AND (NOT IS_DEFINED(c.optional) OR ARRAY_CONTAINS(c.optional, @cell) OR c.level = 2)",
  "SELECT TOP 9 c.id FROM c WHERE (NOT IS_DEFINED(c.optional) OR ARRAY_CONTAINS(c.optional, 'wtw3u')) AND c.status = 'approved' ORDER BY c.id",
  "SELECT * FROM c WHERE NOT IS_DEFINED(c.nested.town) AND c.level IN (1, 2)",
  "SELECT * FROM c WHERE c.type = 'worker' AND NOT (c.level IN (1, 2))",
  // ascending TOP by walking the kept order (terms that match many documents), and where it cannot (an object path)
  "SELECT TOP 40 c.id FROM c WHERE c.type = 'worker' AND c.status = 'approved' AND NOT ARRAY_CONTAINS(@ids, c.id) ORDER BY c.id",
  "SELECT TOP 12 c.id, c.homeCell5 FROM c WHERE c.accepting = true AND c.homeCell5 IN (@c5a, @c5b) ORDER BY c.homeCell5",
  "SELECT TOP 6 c.id FROM c WHERE c.type = 'worker' ORDER BY c.rating",
  "SELECT TOP 90 c.id, c.level FROM c WHERE c.level > 5 ORDER BY c.id", // fewer rows than TOP: the walk grows to the end
];

const run = (query, impl, maxItemCount = 1000, continuation) =>
  impl.call(items, { query, parameters }, { maxItemCount, continuation });
const indexedQuery = items.query;

/** Every page of the query, through the continuation tokens, as the SDK would read them. */
function pages(query, impl, maxItemCount) {
  const out = [];
  let continuation;
  do {
    const page = run(query, impl, maxItemCount, continuation);
    out.push(page.result);
    continuation = page.continuation ?? undefined;
  } while (continuation && out.length < 500);
  assert.ok(!continuation, "pages end");
  return out;
}

function checkAll(label) {
  for (const sql of queries) {
    assert.deepEqual(run(sql, indexedQuery).result, run(sql, scanQuery).result, `${label}: ${sql}`);
    assert.deepEqual(pages(sql, indexedQuery, 7), pages(sql, scanQuery, 7), `${label}, pages of 7: ${sql}`);
  }
}

test("the lookups are the AND-ed equality, IN and ARRAY_CONTAINS terms, and nothing else", () => {
  const terms = (sql) => termsOf(cosmosQuery(sql).ast).map((t) => t.any.map((l) => `${l.kind}:${l.path.join(".")}`).join("|"));
  assert.deepEqual(terms(queries[1]), ["value:type", "element:geoCells", "value:status", "value:accepting"]);
  assert.deepEqual(terms(queries[2]), ["value:homeCell5", "element:geoCells"]);
  assert.deepEqual(terms(queries[3]), ["value:workerId"]);
  assert.deepEqual(terms(queries[5]), ["value:id|value:level"]); // an OR of lookups: the union of their documents
  assert.deepEqual(terms(queries[6]), ["value:level|value:level", "value:nested.city"]);
  assert.deepEqual(terms("SELECT * FROM c WHERE c.a = 1 AND (NOT IS_DEFINED(c.geoCells) OR ARRAY_CONTAINS(c.geoCells, @cell) OR c.b > 2)"), ["value:a"]);
  assert.deepEqual(terms("SELECT * FROM c WHERE (NOT IS_DEFINED(c.geoCells) OR ARRAY_CONTAINS(c.geoCells, @cell))"), ["missing:geoCells|element:geoCells"]);
  assert.deepEqual(terms(queries[17]), []);
  assert.deepEqual(terms("SELECT * FROM c IN root.arr WHERE c = 1"), []);
  assert.deepEqual(terms("SELECT * FROM c WHERE ARRAY_CONTAINS(c.geoCells, @cell, true)"), []);
  assert.deepEqual(terms("SELECT * FROM c WHERE NOT (c.level IN (1, 2)) AND c.type = 'worker'"), ["value:type"]);
});

test("a lookup reads only the documents its term lets through", () => {
  const q = cosmosQuery(queries[3]);
  assert.equal(candidates(items, q.ast, parameters).length, 3);
  assert.equal(candidates(items, cosmosQuery("SELECT * FROM c WHERE c.level > 3").ast, parameters), null);
  assert.equal(candidates(items, cosmosQuery(queries[10]).ast, parameters), null); // an object value: scanned
});

test("TOP runs over prefixes only when it can: one ORDER BY path or none, no JOIN, no aggregate", () => {
  const shape = (sql) => topOrderOf(cosmosQuery(sql));
  assert.deepEqual(shape(queries[2]), { path: ["id"], desc: false, top: 40 });
  assert.deepEqual(shape(queries[20]), { path: ["rating", "average"], desc: true, top: 3 });
  assert.deepEqual(shape(queries[21]), { path: null, desc: false, top: 5 });
  assert.equal(shape(queries[27]), null);
  assert.equal(shape(queries[28]), null);
  assert.equal(shape(queries[0]), null);
});

/** The kept order of a path, as it must be: every document by its value there, then _rid, in the engine's comparison. */
function expectedOrder(path) {
  const docs = [...items._data.values()].map((i) => i.read());
  const rank = (v) => ["undefined", "null", "boolean", "number", "string"].indexOf(v === null ? "null" : typeof v);
  const cmp = (a, b) => (a === b ? 0 : rank(a) !== rank(b) ? rank(a) - rank(b) : a < b ? -1 : 1);
  const at = (d) => path.reduce((v, n) => (v == null ? undefined : v[n]), d);
  return docs.sort((a, b) => cmp(at(a), at(b)) || cmp(a._rid, b._rid)).map((d) => d._rid);
}

test("an ascending TOP walks the kept order when its terms match many documents, and the order follows every write", () => {
  const walks = (sql, top) => walkPays(items, termSets(items, cosmosQuery(sql).ast, parameters), top);
  assert.ok(walkPays(items, null, 40)); // no term: walking beats sorting every document
  assert.ok(walks(queries[33], 40) && walks(queries[34], 12) && walks(queries[36], 90));
  assert.ok(!walks(queries[2], 40)); // two cells and one cell: the lookup is smaller than the walk
  assert.equal(sortedBy(items, ["rating"]), null); // objects: the engine compares them loosely, so no kept order
  assert.deepEqual(sortedBy(items, ["id"]).rids, expectedOrder(["id"]));
  assert.deepEqual(sortedBy(items, ["homeCell5"]).rids, expectedOrder(["homeCell5"]));
});

test("same rows, same order, same pages as a full scan", () => checkAll("as created"));

test("writes keep the indexes true: replace, upsert, patch-style replace, delete, create", () => {
  checkAll("indexes built");
  for (let i = 0; i < 400; i += 3) {
    const current = items._item("/id", doc(i).id, doc(i).workerId).read();
    items.replace({ ...doc(i, 1), _etag: current._etag }, current);
  }
  checkAll("after replaces");
  for (let i = 1; i < 400; i += 5) items.upsert(doc(i, 2));
  // The server's patch hands replace a copy whose nested arrays are the stored ones, changed in place.
  for (let i = 2; i < 400; i += 7) {
    const current = items._item("/id", doc(i).id, doc(i).workerId).read();
    current.geoCells.push("wtw9z");
    items.replace({ ...current, homeCell5: "wtw9z" }, current);
  }
  checkAll("after upserts and patches");
  for (let i = 0; i < 400; i += 4) {
    const { id, workerId } = doc(i);
    if (items._item("/id", id, workerId).read()) items.delete(id, workerId);
  }
  for (let i = 400; i < 460; i++) items.create(doc(i));
  checkAll("after deletes and creates");
  assert.deepEqual(sortedBy(items, ["id"]).rids, expectedOrder(["id"]), "the kept order after every kind of write");
  assert.deepEqual(sortedBy(items, ["homeCell5"]).rids, expectedOrder(["homeCell5"]), "the kept order after every kind of write");
  const q = cosmosQuery("SELECT * FROM c WHERE c.homeCell5 = 'wtw9z'");
  assert.deepEqual(run(q._query, indexedQuery).result, run(q._query, scanQuery).result);
  assert.ok(run(q._query, indexedQuery).result.length > 0);
});
