// A fix for the local Cosmos server's query engine (@zeit/cosmosdb-query, used by @vercel/cosmosdb-server), applied in
// the process that runs the server (scripts/local-stack.mjs). Local stack only: Azure runs real Cosmos DB.
//
// The engine compiles every query to JavaScript whose FROM clause builds its list of rows as
//   $c.reduce(($, c) => typeof c !== "undefined" ? [...$, { c: c }] : $, [])
// which copies the list once per document: O(N²) in the size of the container. A query over 5,000 documents took
// ~0.25 s, over 20,000 ~3 s, whatever it matched — so on the local stack every cross-partition query's cost grew with
// the square of the city rather than with what it reads. This rewrites that one expression to build the same rows, in
// the same order, in place (O(N)). Any other generated code is left as it is; if a future version of the engine
// generates something else, the pattern simply does not match and nothing changes.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const fromServer = createRequire(require.resolve("@vercel/cosmosdb-server/lib/account/items"));
const cosmosQuery = fromServer("@zeit/cosmosdb-query").default;

const quadratic = /\$c\.reduce\(\(\$, (\w+)\) => typeof \1 !== "undefined" \? \[\.\.\.\$, \{\s*(\w+): \1\s*\}\] : \$, \[\]\)/g;

/** The generated code with the FROM clause's row list built in place. */
export function linearFrom(code) {
  return code.replace(quadratic, (_, item, alias) =>
    `$c.reduce(($, ${item}) => { if (typeof ${item} !== "undefined") $.push({ ${alias}: ${item} }); return $; }, [])`);
}

/** Patches the engine's Query class (shared by every query the server runs in this process). Returns whether it applied. */
export function applyCosmosQueryFix() {
  const prototype = Object.getPrototypeOf(cosmosQuery("SELECT * FROM c"));
  const descriptor = Object.getOwnPropertyDescriptor(prototype, "code");
  if (!descriptor?.get || prototype.__linearFrom) return false;
  const original = descriptor.get;
  Object.defineProperty(prototype, "code", {
    configurable: true,
    get() {
      if (!this.__linearCode) this.__linearCode = linearFrom(original.call(this));
      return this.__linearCode;
    },
  });
  Object.defineProperty(prototype, "__linearFrom", { value: true });
  return linearFrom(cosmosQuery("SELECT * FROM c").code) !== original.call(cosmosQuery("SELECT * FROM c"));
}
