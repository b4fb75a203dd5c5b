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
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const itemsPath = require.resolve("@vercel/cosmosdb-server/lib/account/items");
const Items = require(itemsPath).default;

const primitive = (v) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";
/** Index key of a primitive: its type and value, as the engine's equality (same type, ===) and IN (SameValueZero) compare them. */
const keyOf = (v) => `${typeof v}:${Object.is(v, -0) ? 0 : v}`;

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

function conjuncts(node, out = []) {
  if (node?.type === "scalar_binary_expression" && node.operator === "AND") {
    conjuncts(node.left, out);
    conjuncts(node.right, out);
  } else if (node) {
    out.push(node);
  }
  return out;
}

/**
 * The indexable terms of a query: { kind: "value" | "element", path, values: [sources], many } — "value" terms match documents
 * whose value at path equals one of the values, "element" terms those whose array at path has one as an element.
 */
export function termsOf(ast) {
  const alias = rootAlias(ast);
  const condition = ast.body?.where?.condition;
  if (!alias || !condition) return [];
  const terms = [];
  for (const node of conjuncts(condition)) {
    if (node.type === "scalar_binary_expression" && node.operator === "=") {
      for (const [member, other] of [[node.left, node.right], [node.right, node.left]]) {
        const path = pathOf(member, alias);
        const value = valueOf(other);
        if (path && value) {
          terms.push({ kind: "value", path, values: [value], many: false });
          break;
        }
      }
    } else if (node.type === "scalar_in_expression" && !node.not) {
      const path = pathOf(node.value, alias);
      const values = (node.list ?? []).map(valueOf);
      if (path && values.length > 0 && values.every((v) => v && !Array.isArray(v.constant))) {
        terms.push({ kind: "value", path, values, many: false });
      }
    } else if (node.type === "scalar_function_expression" && node.name?.name?.toUpperCase() === "ARRAY_CONTAINS" && node.arguments?.length === 2) {
      const [array, item] = node.arguments;
      const memberArray = pathOf(array, alias);
      const memberItem = pathOf(item, alias);
      if (memberItem && !memberArray) {
        const values = valueOf(array);
        if (values) terms.push({ kind: "value", path: memberItem, values: [values], many: true });
      } else if (memberArray && !memberItem) {
        const value = valueOf(item);
        if (value && !Array.isArray(value.constant)) terms.push({ kind: "element", path: memberArray, values: [value], many: false });
      }
    }
  }
  return terms;
}

/** The primitive values a term asks for, or null when one of them is not a string, number or boolean (no lookup then). */
function wanted(term, parameters) {
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

/** The documents the query can return (a superset), in the container's order; null when no term of it can use an index. */
export function candidates(items, ast, parameterList) {
  if (!ast.__terms) Object.defineProperty(ast, "__terms", { value: termsOf(ast) });
  if (ast.__terms.length === 0) return null;
  const parameters = new Map((parameterList ?? []).map(({ name, value }) => [name, value]));
  let best = null;
  for (const term of ast.__terms) {
    const values = wanted(term, parameters);
    if (!values) continue;
    const index = indexFor(items, term.kind, term.path);
    const rids = new Set();
    for (const v of values) for (const rid of index.byKey.get(keyOf(v)) ?? []) rids.add(rid);
    if (!best || rids.size < best.size) best = rids;
    if (best.size === 0) break;
  }
  if (!best) return null;
  const seq = order(items).byRid;
  return [...best].map((rid) => items._data.get(rid)).filter(Boolean)
    .sort((a, b) => (seq.get(a.read()._rid) ?? 0) - (seq.get(b.read()._rid) ?? 0))
    .map((item) => item.read());
}

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
    return stored;
  };
  Items.prototype.delete = function indexedDelete(idOrRid, partition) {
    const rid = this._item("/id", idOrRid, partition).read()?._rid;
    remove.call(this, idOrRid, partition);
    if (rid !== undefined) {
      order(this).byRid.delete(rid);
      for (const index of indexes(this).values()) index.remove(rid);
    }
  };
  Items.prototype.query = function indexedQuery(params, options) {
    if (!this._parent.read()) return null;
    const q = this._getQuery(params.query);
    const data = candidates(this, q.ast, params.parameters);
    if (!data) return scanQuery.call(this, params, options);
    const parent = this._parent.read();
    try {
      return q.exec(data, {
        parameters: params.parameters,
        udf: this._userDefinedFunctions(),
        maxItemCount: options.maxItemCount,
        continuation: options.continuation,
        compositeIndexes: (parent.indexingPolicy ? parent.indexingPolicy.compositeIndexes : null) || [],
      });
    } catch (err) {
      err.badRequest = true;
      throw err;
    }
  };
  Object.defineProperty(Items.prototype, "__indexed", { value: true });
  return true;
}
