// Equality indexes for the local Cosmos server (@vercel/cosmosdb-server), applied in the process that runs it
// (scripts/local-stack.mjs). Local stack only: Azure runs real Cosmos DB, which indexes every path by default.
//
// The server answers every query by running the compiled query over every document of the container: a query that reads
// 40 workers near an address costs as much as the city has documents (at 20,000 workers ~150 ms of server CPU per
// availability call), so on the local stack the cost of any query grows with the container, never with what it reads.
// Cosmos DB looks such queries up in its index instead. This gives the local server the same kind of lookup for the
// conditions that can use one, and nothing else:
//
//   c.path = value · value = c.path · c.path IN (values) · ARRAY_CONTAINS(values, c.path) · ARRAY_CONTAINS(c.path, value)
//
// where `values` / `value` are constants or parameters of strings, numbers or booleans, and the condition is one of the
// AND-ed terms at the top of the WHERE clause (so every row the query can return satisfies it). For such a query the
// server runs the same compiled query, unchanged, over the documents the most selective of those terms lets through
// instead of over all of them — the same rows in the same order (the engine sorts rows by _rid or by ORDER BY, and the
// documents are handed over in the container's own order). A query without such a term runs over every document as before.
// Indexes are built per container and path on first use and kept up to date by every write (create, replace, upsert,
// patch and delete all store through Items._set and Items.delete).
//
// A one-page `SELECT TOP n … ORDER BY c.path` (ascending, or no ORDER BY) runs over growing prefixes of its candidates in
// the engine's order and stops once n rows come back. When its terms let many documents through (a 3 × 3 block of cells
// in a city of 20,000 workers), the prefixes come from walking an order of the container by that path, kept sorted by
// every write, instead of sorting every candidate — so such a query costs about the rows it returns, as on Cosmos DB.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const itemsPath = require.resolve("@vercel/cosmosdb-server/lib/account/items");
const Items = require(itemsPath).default;

const primitive = (v) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";
/** Index key of a primitive: its type and value, as the engine's equality (same type, ===) and IN (SameValueZero) compare them. */
const keyOf = (v) => `${typeof v}:${Object.is(v, -0) ? 0 : v}`;
const MISSING = "missing";

/** The alias of the container in FROM (`FROM c`, `FROM root r`), or null when the rows come from inside documents. */
function rootAlias(ast) {
  const source = ast.body?.from?.source;
  if (source?.expression?.type !== "collection_expression") return null;
  return source.alias?.name ?? source.expression.expression?.name ?? null;
}

/** `c.a.b` → ["a", "b"] when the expression is a plain member path from the root alias. */
function pathOf(node, alias) {
  const names = [];
  while (node?.type === "scalar_member_expression") {
    if (node.computed || node.property?.type !== "identifier") return null;
    names.unshift(node.property.name);
    node = node.object;
  }
  return node?.type === "identifier" && node.name === alias && names.length > 0 ? names : null;
}

/** A value source: a constant, or a parameter resolved at query time. */
function valueOf(node) {
  switch (node?.type) {
    case "string_constant":
    case "number_constant":
    case "boolean_constant":
      return { constant: node.value };
    case "array_constant":
      return node.elements?.every((e) => ["string_constant", "number_constant", "boolean_constant"].includes(e.type))
        ? { constant: node.elements.map((e) => e.value) }
        : null;
    case "parameter_name":
      return { parameter: node.name };
    default:
      return null;
  }
}

/** The operands of a chain of one binary operator (`a AND b AND c` → [a, b, c]). */
function operands(node, operator, out = []) {
  if (node?.type === "scalar_binary_expression" && node.operator === operator) {
    operands(node.left, operator, out);
    operands(node.right, operator, out);
  } else if (node) {
    out.push(node);
  }
  return out;
}

const conjuncts = (node) => operands(node, "AND");
const disjuncts = (node) => operands(node, "OR");

/**
 * One lookup: { kind: "value" | "element" | "missing", path, values: [sources], many } — "value" matches documents whose value
 * at path equals one of the values, "element" those whose array at path has one as an element, "missing" those with no value
 * at path (`NOT IS_DEFINED(c.path)`).
 */
function leafOf(node, alias) {
  if (node.type === "scalar_binary_expression" && node.operator === "=") {
    for (const [member, other] of [[node.left, node.right], [node.right, node.left]]) {
      const path = pathOf(member, alias);
      const value = valueOf(other);
      if (path && value) return { kind: "value", path, values: [value], many: false };
    }
  } else if (node.type === "scalar_in_expression") {
    const path = pathOf(node.value, alias);
    const values = (node.list ?? []).map(valueOf);
    if (path && values.length > 0 && values.every((v) => v && !Array.isArray(v.constant))) return { kind: "value", path, values, many: false };
  } else if (node.type === "scalar_function_expression" && node.name?.name?.toUpperCase() === "ARRAY_CONTAINS" && node.arguments?.length === 2) {
    const [array, item] = node.arguments;
    const memberArray = pathOf(array, alias);
    const memberItem = pathOf(item, alias);
    if (memberItem && !memberArray) {
      const values = valueOf(array);
      if (values) return { kind: "value", path: memberItem, values: [values], many: true };
    } else if (memberArray && !memberItem) {
      const value = valueOf(item);
      if (value && !Array.isArray(value.constant)) return { kind: "element", path: memberArray, values: [value], many: false };
    }
  } else if (node.type === "scalar_unary_expression" && node.operator === "NOT") {
    const inner = node.argument;
    if (inner?.type === "scalar_function_expression" && inner.name?.name?.toUpperCase() === "IS_DEFINED" && inner.arguments?.length === 1) {
      const path = pathOf(inner.arguments[0], alias);
      if (path) return { kind: "missing", path, values: [], many: false };
    }
  }
  return null;
}

/**
 * The indexable terms of a query: the AND-ed conditions at the top of its WHERE that are one lookup, or an OR of lookups
 * (`NOT IS_DEFINED(c.cells) OR ARRAY_CONTAINS(c.cells, @a) OR …`), as { any: [lookups] } — a row satisfies at least one.
 */
export function termsOf(ast) {
  const alias = rootAlias(ast);
  const condition = ast.body?.where?.condition;
  if (!alias || !condition) return [];
  const terms = [];
  for (const node of conjuncts(condition)) {
    const any = disjuncts(node).map((d) => leafOf(d, alias));
    if (any.every(Boolean)) terms.push({ any });
  }
  return terms;
}

/** The primitive values a term asks for, or null when one of them is not a string, number or boolean (no lookup then). */
function wanted(term, parameters) {
  if (term.kind === "missing") return [undefined];
  const out = [];
  for (const source of term.values) {
    let v = "constant" in source ? source.constant : parameters.get(source.parameter);
    if (term.many) {
      if (!Array.isArray(v)) return null;
    } else {
      v = [v];
    }
    for (const x of v) {
      if (!primitive(x)) return null;
      out.push(x);
    }
  }
  return out;
}

function valueAt(doc, path) {
  let v = doc;
  for (const name of path) {
    if (typeof v !== "object" || v === null) return undefined;
    v = v[name];
  }
  return v;
}

function keysOf(doc, kind, path) {
  const v = valueAt(doc, path);
  if (kind === "missing") return v === undefined ? [MISSING] : [];
  if (kind === "value") return primitive(v) ? [keyOf(v)] : [];
  return Array.isArray(v) ? [...new Set(v.filter(primitive).map(keyOf))] : [];
}

class Index {
  constructor(kind, path) {
    this.kind = kind;
    this.path = path;
    this.byKey = new Map();
    this.keysByRid = new Map();
  }

  add(doc) {
    const keys = keysOf(doc, this.kind, this.path);
    if (keys.length === 0) return;
    this.keysByRid.set(doc._rid, keys);
    for (const key of keys) {
      let rids = this.byKey.get(key);
      if (!rids) this.byKey.set(key, (rids = new Set()));
      rids.add(doc._rid);
    }
  }

  remove(rid) {
    for (const key of this.keysByRid.get(rid) ?? []) {
      const rids = this.byKey.get(key);
      rids?.delete(rid);
      if (rids?.size === 0) this.byKey.delete(key);
    }
    this.keysByRid.delete(rid);
  }
}

function indexes(items) {
  if (!items.__indexes) Object.defineProperty(items, "__indexes", { value: new Map() });
  return items.__indexes;
}

function indexFor(items, kind, path) {
  const all = indexes(items);
  const name = `${kind}:${path.join(".")}`;
  let index = all.get(name);
  if (!index) {
    index = new Index(kind, path);
    for (const item of items._data.values()) index.add(item.read());
    all.set(name, index);
  }
  return index;
}

/** The container's order of a document (the order Items keeps them in, which the full scan hands to the engine). */
function order(items) {
  if (!items.__order) Object.defineProperty(items, "__order", { value: { next: 0, byRid: new Map() } });
  return items.__order;
}

/**
 * The query's terms as the index sets that satisfy them: per term, the sets of its lookups (a document satisfies the term when
 * one of them has it) and an upper bound of how many documents that is. Smallest first; null when no term can use an index.
 * The index's own sets are used, not copies: a term's cost is then the documents it is asked about, not the documents it has.
 */
export function termSets(items, ast, parameterList) {
  if (!ast.__terms) Object.defineProperty(ast, "__terms", { value: termsOf(ast) });
  if (ast.__terms.length === 0) return null;
  const parameters = new Map((parameterList ?? []).map(({ name, value }) => [name, value]));
  const out = [];
  terms: for (const term of ast.__terms) {
    const sets = [];
    for (const leaf of term.any) {
      const values = wanted(leaf, parameters);
      if (!values) continue terms;
      const index = indexFor(items, leaf.kind, leaf.path);
      for (const v of values) {
        const rids = index.byKey.get(leaf.kind === "missing" ? MISSING : keyOf(v));
        if (rids && !sets.includes(rids)) sets.push(rids);
      }
    }
    out.push({ sets, size: sets.reduce((n, s) => n + s.size, 0) });
  }
  if (out.length === 0) return null;
  return out.sort((a, b) => a.size - b.size);
}

const holds = (term, rid) => term.sets.some((s) => s.has(rid));

/** The rids of the smallest term that every other term holds too (each once). */
function matching([smallest, ...others]) {
  const found = [];
  const each = smallest.sets.length > 1 ? new Set(smallest.sets.flatMap((s) => [...s])) : (smallest.sets[0] ?? []);
  for (const rid of each) if (others.every((t) => holds(t, rid))) found.push(rid);
  return found;
}

/**
 * The documents the query can return (a superset), in the container's order — or in any order when the caller sorts them
 * itself; null when no term of it can use an index.
 */
export function candidates(items, ast, parameterList, inContainerOrder = true) {
  const terms = termSets(items, ast, parameterList);
  if (!terms) return null;
  return docsOf(items, matching(terms), inContainerOrder);
}

function docsOf(items, rids, inContainerOrder) {
  if (inContainerOrder) {
    const seq = order(items).byRid;
    rids.sort((a, b) => (seq.get(a) ?? 0) - (seq.get(b) ?? 0));
  }
  return rids.map((rid) => items._data.get(rid)?.read()).filter(Boolean);
}

// The engine's order of values (lib/helpers.js `comparator`): by type in this order, then by value; objects all equal.
const TYPE_ORDER = ["undefined", "null", "boolean", "number", "string", "array", "object"];
const typeOf = (v) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);
function compare(a, b) {
  if (a === b) return 0;
  const ta = typeOf(a);
  const tb = typeOf(b);
  if (ta === tb) return ta === "object" ? 0 : a < b ? -1 : 1;
  return TYPE_ORDER.indexOf(ta) - TYPE_ORDER.indexOf(tb) < 0 ? -1 : 1;
}

/**
 * For `SELECT TOP n … [ORDER BY c.path [ASC|DESC]]` (no JOIN, no aggregate): the order the engine returns rows in — by the
 * ORDER BY value, then by _rid — as { path, desc, top }; else null. Such a query's n rows are among the first documents in
 * that order that match, so it can run over growing prefixes of the documents in that order and stop once n rows come
 * back, as Cosmos DB stops reading its index then.
 */
export function topOrderOf(q) {
  const { ast } = q;
  const body = ast.body;
  const top = body?.top?.value;
  if (top?.type !== "number_constant" || !(top.value > 0) || (body.from?.joins?.length ?? 0) > 0 || q.code.includes("$a.")) return null;
  const alias = rootAlias(ast);
  const sorts = body.orderBy?.expressions ?? [];
  if (!alias || sorts.length > 1) return null;
  if (sorts.length === 0) return { path: null, desc: false, top: top.value };
  const path = pathOf(sorts[0].expression, alias);
  return path ? { path, desc: sorts[0].order === "DESC", top: top.value } : null;
}

function runTop(q, docs, topOrder, run) {
  const { path, desc, top } = topOrder;
  const keyed = docs.map((d) => [path ? valueAt(d, path) : undefined, d._rid, d]);
  keyed.sort((a, b) => {
    const r = path ? compare(a[0], b[0]) : 0;
    return r !== 0 ? (desc ? -r : r) : compare(a[1], b[1]);
  });
  for (let end = Math.min(keyed.length, 4 * top); ; end = Math.min(keyed.length, 4 * end)) {
    const page = run(keyed.slice(0, end).map((k) => k[2]));
    if (page.result.length >= top || end === keyed.length) return page;
  }
}

/**
 * The container's documents in the engine's order for an ascending ORDER BY path (by its value, then _rid; path null: by _rid),
 * as rids, kept sorted by every write — or null when a document holds an object or array there (the engine compares those
 * loosely, and a patch can change them in place). Built on first use.
 */
export function sortedBy(items, path) {
  if (!items.__sorted) Object.defineProperty(items, "__sorted", { value: new Map() });
  const name = path ? path.join(".") : "";
  let sorted = items.__sorted.get(name);
  if (!sorted) {
    sorted = { path, rids: [], valueByRid: new Map(), broken: false };
    const docs = [...items._data.values()].map((item) => item.read());
    for (const doc of docs) track(sorted, doc);
    sorted.rids.sort((a, b) => orderOf(sorted, a, b));
    items.__sorted.set(name, sorted);
  }
  return sorted.broken ? null : sorted;
}

const sortable = (v) => v === undefined || v === null || primitive(v);

/** Notes a document's value; a value that cannot be kept in order (an object or array) marks the order broken. */
function track(sorted, doc) {
  const v = sorted.path ? valueAt(doc, sorted.path) : undefined;
  if (!sortable(v)) sorted.broken = true;
  sorted.valueByRid.set(doc._rid, v);
  sorted.rids.push(doc._rid);
}

function orderOf(sorted, a, b) {
  return compare(sorted.valueByRid.get(a), sorted.valueByRid.get(b)) || compare(a, b);
}

/** The first position in the order whose document does not come before (value, rid). */
function positionOf(sorted, value, rid) {
  let lo = 0;
  let hi = sorted.rids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const other = sorted.rids[mid];
    if ((compare(sorted.valueByRid.get(other), value) || compare(other, rid)) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function unsort(sorted, rid) {
  if (!sorted.valueByRid.has(rid)) return;
  let at = positionOf(sorted, sorted.valueByRid.get(rid), rid);
  if (sorted.rids[at] !== rid) at = sorted.rids.indexOf(rid); // never expected: JSON values compare consistently
  if (at >= 0) sorted.rids.splice(at, 1);
  sorted.valueByRid.delete(rid);
}

function resort(sorted, doc) {
  if (sorted.broken) return;
  const v = sorted.path ? valueAt(doc, sorted.path) : undefined;
  if (!sortable(v)) {
    sorted.broken = true;
    return;
  }
  if (sorted.valueByRid.has(doc._rid) && compare(sorted.valueByRid.get(doc._rid), v) === 0) return;
  unsort(sorted, doc._rid);
  sorted.rids.splice(positionOf(sorted, v, doc._rid), 0, doc._rid);
  sorted.valueByRid.set(doc._rid, v);
}

/**
 * TOP n in an ascending order: the documents every term holds, taken in that order, over growing prefixes until n rows come
 * back — the same prefixes runTop hands the engine, found by walking the kept order instead of sorting every candidate.
 */
function walkTop(items, terms, sorted, top, run) {
  const picked = [];
  let i = 0;
  for (let end = 4 * top; ; end *= 4) {
    while (picked.length < end && i < sorted.rids.length) {
      const rid = sorted.rids[i++];
      const item = (!terms || terms.every((t) => holds(t, rid))) && items._data.get(rid);
      if (item) picked.push(item.read());
    }
    const page = run(picked);
    if (page.result.length >= top || i >= sorted.rids.length) return page;
  }
}

/**
 * Whether walking the kept order is the cheaper way to a TOP n: the walk looks at about 4n × N / S documents (S the smallest
 * term's documents, N the container's) when the terms' documents are spread over the order, the lookup at S, then sorts them.
 */
export const walkPays = (items, terms, top) => !terms || terms[0].size * terms[0].size > 4 * top * items._data.size;

/** The server's own query, as it was: every document of the container. */
export const scanQuery = Items.prototype.query;

/** Installs the indexes into every container of the server in this process. Returns whether it applied (once). */
export function applyCosmosIndex() {
  if (Items.prototype.__indexed) return false;
  const set = Items.prototype._set;
  const remove = Items.prototype.delete;
  Items.prototype._set = function indexedSet(data) {
    const stored = set.call(this, data);
    const o = order(this);
    o.byRid.set(stored._rid, o.next++);
    for (const index of indexes(this).values()) {
      index.remove(stored._rid);
      index.add(stored);
    }
    for (const sorted of this.__sorted?.values() ?? []) resort(sorted, stored);
    return stored;
  };
  Items.prototype.delete = function indexedDelete(idOrRid, partition) {
    const rid = this._item("/id", idOrRid, partition).read()?._rid;
    remove.call(this, idOrRid, partition);
    if (rid !== undefined) {
      order(this).byRid.delete(rid);
      for (const index of indexes(this).values()) index.remove(rid);
      for (const sorted of this.__sorted?.values() ?? []) unsort(sorted, rid);
    }
  };
  Items.prototype.query = function indexedQuery(params, options) {
    if (!this._parent.read()) return null;
    const q = this._getQuery(params.query);
    if (!q.__topOrder) Object.defineProperty(q, "__topOrder", { value: { of: topOrderOf(q) } });
    const topOrder = q.__topOrder.of;
    // TOP over prefixes only when the whole answer is one page (no continuation asked or to be given).
    const onePage = topOrder && !options.continuation && !(options.maxItemCount > 0 && options.maxItemCount < topOrder.top);
    const terms = termSets(this, q.ast, params.parameters);
    if (!terms && !onePage) return scanQuery.call(this, params, options);
    // Ascending TOP: walk the kept order when that looks at fewer documents than the lookup would sort.
    const sorted = onePage && !topOrder.desc && walkPays(this, terms, topOrder.top) ? sortedBy(this, topOrder.path) : null;
    const parent = this._parent.read();
    const run = (data) => q.exec(data, {
      parameters: params.parameters,
      udf: this._userDefinedFunctions(),
      maxItemCount: options.maxItemCount,
      continuation: options.continuation,
      compositeIndexes: (parent.indexingPolicy ? parent.indexingPolicy.compositeIndexes : null) || [],
    });
    try {
      if (sorted) return walkTop(this, terms, sorted, topOrder.top, run);
      // runTop sorts the documents itself.
      const data = terms ? docsOf(this, matching(terms), !onePage) : [...this._data.values()].map((item) => item.read());
      return onePage ? runTop(q, data, topOrder, run) : run(data);
    } catch (err) {
      err.badRequest = true;
      throw err;
    }
  };
  Object.defineProperty(Items.prototype, "__indexed", { value: true });
  return true;
}
