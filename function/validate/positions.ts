/**
 * Source positions from the one js-yaml parse (issue 12 item 2): js-yaml's `listener` reports the
 * start and end of every node while it parses, so the values and a light position table come out
 * of a single pass, and a finding is located without parsing the source a second time with the
 * `yaml` package (several times slower, and the cost of a 4 MB file was that second parse).
 *
 * The listener runs for every node of every source, valid or not, so it only writes numbers into
 * flat arrays (pre-order: a node's descendants follow it up to its `end`); the child lists and
 * key indexes a lookup needs are built on the first lookup, for the nodes on the path of a finding
 * only. A node object and a child array per node cost a third of the parse on a 4 MB map.
 *
 * The table answers exactly what `locate` in documents.ts answers on the `yaml` node tree (a test
 * compares both at every path of the corpus). Where it cannot answer the same (an alias to
 * follow, a key that is a collection), `locateFast` returns undefined and the caller falls back to
 * the `yaml` package.
 */
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import type { PathSegment } from '../schema/issues.js';
import type { LocateOptions, Position } from './documents.js';

/** js-yaml's node kinds; NONE is its null: an empty node or an alias. */
const NONE = 0;
const SCALAR = 1;
const SEQUENCE = 2;
const MAPPING = 3;

/** A mapping's lookups, built on demand: its key nodes in order, and how far they are indexed. */
interface MappingIndex {
  readonly children: readonly number[];
  readonly keys: Map<string, number>;
  /** Children before this index are in `keys`. */
  indexed: number;
}

/** Every node of one parse, in the order js-yaml opened them; a node is its index. */
export interface NodeTable {
  /** Offset (in the original text) where js-yaml started composing the node, before separation space and properties. */
  readonly starts: Int32Array;
  /** One past the index of the node's last descendant. */
  readonly ends: Int32Array;
  readonly kinds: Uint8Array;
  readonly results: readonly unknown[];
  /** Child lists of the nodes a lookup reached (mappings with their key index). */
  readonly children: Map<number, readonly number[] | MappingIndex>;
  readonly text: string;
}

export interface FastDocument {
  readonly index: number;
  readonly value: unknown;
  /** The document's node in the table. */
  readonly root: number;
}

export interface FastSource {
  readonly text: string;
  readonly documents: readonly FastDocument[];
  readonly nodes: NodeTable;
  /** Offsets of line starts, for offset -> line:column; computed on the first position asked. */
  lineStarts: readonly number[] | undefined;
}

interface ListenerState {
  readonly position: number;
  readonly kind: string | null;
  readonly result: unknown;
}

/** How many times loadFast has parsed a source (pinned by a test: one parse per validate). */
export const parseCount = { value: 0 };

const kindCode = (kind: string | null): number => (kind === 'scalar' ? SCALAR : kind === 'mapping' ? MAPPING : kind === 'sequence' ? SEQUENCE : NONE);

function grown<T extends Int32Array | Uint8Array>(array: T, make: (n: number) => T): T {
  const next = make(array.length * 2);
  next.set(array);
  return next;
}

/**
 * Values and position tables of every document, or undefined when js-yaml refuses the source (the
 * caller then reports it with the `yaml` package's syntax errors).
 */
export function loadFast(text: string): FastSource | undefined {
  parseCount.value++;
  // js-yaml drops a leading byte-order mark before parsing; the `yaml` package counts it.
  const shift = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  // A short plain scalar and its line break are about 8 characters: one growth at most, usually.
  let capacity = Math.max(64, text.length >> 3);
  let starts = new Int32Array(capacity);
  let ends = new Int32Array(capacity);
  let kinds = new Uint8Array(capacity);
  const results: unknown[] = [];
  const roots: number[] = [];
  const open: number[] = [];
  let count = 0;
  const listener = (event: 'open' | 'close', state: ListenerState) => {
    if (event === 'open') {
      if (count === capacity) {
        starts = grown(starts, (n) => new Int32Array(n));
        ends = grown(ends, (n) => new Int32Array(n));
        kinds = grown(kinds, (n) => new Uint8Array(n));
        capacity *= 2;
      }
      if (open.length === 0) roots.push(count);
      starts[count] = state.position + shift;
      results.push(undefined);
      open.push(count++);
      return;
    }
    const node = open.pop();
    if (node === undefined) return;
    ends[node] = count;
    kinds[node] = kindCode(state.kind);
    results[node] = state.result;
  };
  let values: unknown[];
  try {
    // CORE_SCHEMA: no timestamps or other YAML 1.1 types, like the `yaml` package's default.
    values = loadAll(text, undefined, { schema: CORE_SCHEMA, listener } as Parameters<typeof loadAll>[2]);
  } catch {
    return undefined;
  }
  if (roots.length !== values.length) return undefined;
  const nodes: NodeTable = { starts, ends, kinds, results, children: new Map(), text };
  return { text, nodes, lineStarts: undefined, documents: values.map((value, index) => ({ index, value, root: roots[index] as number })) };
}

function lineStartsOf(source: FastSource): readonly number[] {
  if (source.lineStarts !== undefined) return source.lineStarts;
  const { text } = source;
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  source.lineStarts = starts;
  return starts;
}

/** The `yaml` package's LineCounter.linePos, clamped to 1 as toPosition does. */
export function positionAt(source: FastSource, offset: number): Position {
  const starts = lineStartsOf(source);
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: Math.max(lo + 1, 1), col: Math.max(offset - (starts[lo] as number) + 1, 1) };
}

/** Where the node's own text begins: after separation space, comments and its anchor or tag. */
function contentStart(text: string, from: number): number {
  let i = from;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
    else if (c === 0x23 /* # */) {
      const eol = text.indexOf('\n', i);
      i = eol === -1 ? text.length : eol;
    } else if (c === 0x26 /* & */ || c === 0x21 /* ! */) {
      while (i < text.length && !/[\s]/.test(text[i] as string)) i++;
    } else return i;
  }
}

/**
 * The node whose children stand for `node`'s: js-yaml composes a block node once as a possible
 * mapping key and keeps that result when no `:` follows, so the same node comes twice, nested (an
 * only child of the same kind and result). One of them is enough.
 */
function collapsed(nodes: NodeTable, node: number): number {
  let at = node;
  for (;;) {
    const only = at + 1;
    if (only < (nodes.ends[at] as number) && nodes.ends[only] === nodes.ends[at] && nodes.kinds[only] === nodes.kinds[at] && nodes.results[only] === nodes.results[at]) at = only;
    else return at;
  }
}

/** A `---` or `...` line starts at this offset. */
function atDocumentMarker(text: string, offset: number): boolean {
  if (offset !== 0 && text.charCodeAt(offset - 1) !== 0x0a) return false;
  const marker = text.slice(offset, offset + 3);
  if (marker !== '---' && marker !== '...') return false;
  const after = text.charCodeAt(offset + 3);
  return Number.isNaN(after) || after === 0x20 || after === 0x09 || after === 0x0a || after === 0x0d;
}

function childList(nodes: NodeTable, node: number): readonly number[] {
  const known = nodes.children.get(node);
  if (known !== undefined) return Array.isArray(known) ? known : (known as MappingIndex).children;
  const parent = collapsed(nodes, node);
  const list: number[] = [];
  for (let child = parent + 1; child < (nodes.ends[parent] as number); child = nodes.ends[child] as number) list.push(child);
  // A block mapping followed by another document: js-yaml tries the `---` line as one more key
  // and reports an empty node there, which is no node of the document (every document but the
  // last would otherwise go to the `yaml` package to be located).
  const last = list[list.length - 1];
  if (nodes.kinds[node] === MAPPING && list.length % 2 === 1 && last !== undefined && nodes.kinds[last] === NONE && atDocumentMarker(nodes.text, nodes.starts[last] as number)) list.pop();
  nodes.children.set(node, list);
  return list;
}

/**
 * Index (in the mapping's child list) of the key node named `name` (the first one, as `find`
 * takes), null when the mapping has no such key, undefined when this table cannot answer (then
 * the `yaml` package says).
 *
 * The mapping is checked once (every pair seen as two nodes, no collection key); its keys go into
 * the index only as far as lookups reach: the 100 findings of a document of 300,000 unknown fields
 * are its first keys, and indexing the rest cost more than the lookups.
 */
function keyIndex(nodes: NodeTable, node: number, name: string): { readonly index: MappingIndex; readonly key: number | null } | undefined {
  let index = nodes.children.get(node);
  if (index === undefined || Array.isArray(index)) {
    const children = childList(nodes, node);
    const result = nodes.results[node];
    if (children.length % 2 !== 0 || typeof result !== 'object' || result === null) return undefined;
    if (children.length / 2 !== Object.keys(result).length) return undefined;
    for (let k = 0; k + 1 < children.length; k += 2) {
      const key = children[k] as number;
      const keyResult = nodes.results[key];
      if (nodes.kinds[key] !== SCALAR && typeof keyResult === 'object' && keyResult !== null) return undefined;
    }
    index = { children, keys: new Map(), indexed: 0 };
    nodes.children.set(node, index);
  }
  const mapping = index as MappingIndex;
  const known = mapping.keys.get(name);
  if (known !== undefined) return { index: mapping, key: known };
  const { children, keys } = mapping;
  let k = mapping.indexed;
  for (; k + 1 < children.length; k += 2) {
    const key = children[k] as number;
    if (nodes.kinds[key] !== SCALAR) continue;
    const keyName = String(nodes.results[key]);
    if (keys.has(keyName)) continue;
    keys.set(keyName, k);
    if (keyName === name) {
      mapping.indexed = k + 2;
      return { index: mapping, key: k };
    }
  }
  mapping.indexed = k;
  return { index: mapping, key: null };
}

/**
 * `locate` of documents.ts on the js-yaml table: the value for a scalar, the key for a collection
 * under a map key, the item for a sequence entry; for a missing field, the nearest ancestor.
 * Undefined where only the `yaml` package can say (aliases, collection keys).
 */
export function locateFast(source: FastSource, doc: FastDocument, path: readonly PathSegment[], options: LocateOptions = {}): Position | undefined {
  const { text, nodes } = source;
  let node = doc.root;
  // An empty document: the `yaml` package puts it right after `---`, js-yaml after the space that follows.
  if (nodes.kinds[node] === NONE) return undefined;
  let offset = contentStart(text, nodes.starts[node] as number);
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    const kind = nodes.kinds[node];
    const result = nodes.results[node];
    // An alias: the `yaml` package follows it into the anchored node, which this table does not link.
    if (kind === NONE && result !== null && typeof result === 'object') return undefined;
    if (kind === MAPPING) {
      const found = keyIndex(nodes, node, String(segment));
      if (found === undefined) return undefined;
      if (found.key === null) break;
      const key = found.index.children[found.key] as number;
      const value = found.index.children[found.key + 1] as number;
      const last = i === path.length - 1;
      // NONE: an empty value (`key:`) or an alias, neither a scalar to point at.
      const useKey = nodes.kinds[value] !== SCALAR || (last && options.atKey === true);
      offset = contentStart(text, nodes.starts[useKey ? key : value] as number);
      node = value;
    } else if (kind === SEQUENCE && typeof segment === 'number') {
      const items = childList(nodes, node);
      // js-yaml reports no node for an empty item (`-` alone): positions would shift.
      if (!Array.isArray(result) || items.length !== result.length) return undefined;
      const item = items[segment];
      if (item === undefined) break;
      // An empty item (`-` alone): where its zero-length scalar sits is the `yaml` package's call.
      if (nodes.kinds[item] === NONE) return undefined;
      offset = contentStart(text, nodes.starts[item] as number);
      node = item;
    } else {
      break;
    }
  }
  return positionAt(source, offset);
}
