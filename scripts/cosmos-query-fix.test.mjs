// node --test scripts/cosmos-query-fix.test.mjs — the local Cosmos server's query fix changes speed, never results.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { linearFrom } from "./cosmos-query-fix.mjs";

const require = createRequire(import.meta.url);
const fromServer = createRequire(require.resolve("@vercel/cosmosdb-server/lib/account/items"));
const cosmosQuery = fromServer("@zeit/cosmosdb-query").default;
const execute = fromServer("@zeit/cosmosdb-query/lib/executor").default;

const docs = Array.from({ length: 300 }, (_, i) => ({
  id: `w${String((i * 7919) % 300).padStart(3, "0")}`, _rid: `r${i}`, type: i % 3 ? "worker" : "plan", workerId: `w${i % 50}`,
  rating: { average: (i % 50) / 10 }, cells: [`c${i % 4}`, `c${(i + 1) % 4}`],
  reservations: Array.from({ length: i % 4 }, (_, k) => ({ start: `2026-12-0${k + 1}`, end: `2026-12-0${k + 2}` })),
}));
const parameters = [{ name: "@cell", value: "c2" }, { name: "@ids", value: ["w1", "w2", "w3"] }, { name: "@from", value: "2026-12-02" }];
const queries = [
  "SELECT * FROM c",
  "SELECT * FROM c WHERE c.type = 'worker' AND ARRAY_CONTAINS(c.cells, @cell)",
  "SELECT TOP 40 c.id, c.rating FROM c WHERE c.type = 'worker' ORDER BY c.id",
  "SELECT TOP 5 * FROM c WHERE NOT ARRAY_CONTAINS(@ids, c.workerId) ORDER BY c.rating.average DESC",
  "SELECT c.id, ARRAY(SELECT VALUE r FROM r IN c.reservations WHERE r.start >= @from) AS later FROM c WHERE ARRAY_CONTAINS(@ids, c.workerId)",
  "SELECT c.id, r.start FROM c JOIN r IN c.reservations WHERE r.start > @from",
  "SELECT VALUE COUNT(1) FROM c WHERE c.type = 'plan'",
  "SELECT f.id FROM Families f WHERE f.type = 'plan'",
];

test("the rewrite applies to the FROM of plain queries", () => {
  const code = cosmosQuery("SELECT * FROM c").code;
  assert.notEqual(linearFrom(code), code);
  assert.doesNotMatch(linearFrom(code), /\[\.\.\.\$, \{/);
});

for (const sql of queries) {
  test(`same rows, same order: ${sql}`, () => {
    const code = cosmosQuery(sql).code;
    const run = (c) => execute(docs, { code: c, parameters, maxItemCount: 1000 }).result;
    assert.deepEqual(run(linearFrom(code)), run(code));
  });
}
