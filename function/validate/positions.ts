/**
 * Source positions from the one js-yaml parse (issue 12 item 2): js-yaml's `listener` reports the
 * start and end of every node while it parses, so the values and a light position tree come out of
 * a single pass, and a finding is located without parsing the source a second time with the `yaml`
 * package (several times slower, and the cost of a 4 MB file was that second parse).
 *
 * The tree answers exactly what `locate` in documents.ts answers on the `yaml` node tree (a test
 * compares both at every path of the corpus). Where the tree cannot answer the same (an alias to
 * follow, a key that is a collection), `locateFast` returns undefined and the caller falls back to
 * the `yaml` package.
 */
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import type { PathSegment } from '../schema/issues.js';
import type { LocateOptions, Position } from './documents.js';

/** One node as js-yaml composed it. */
export interface NodeFrame {
  /** Offset (in the original text) where js-yaml started composing the node, before separation space and properties. */
  start: number;
  /** 'scalar' | 'sequence' | 'mapping'; null for an empty node or an alias. */
  kind: string | null;
  result: unknown;
  /** A mapping: key, value, key, value...; a sequence: its items. */
  children: NodeFrame[];
  /** A mapping's key -> child index, filled as far as lookups reach (findings on 400,000 keys stay linear). */
  keys?: Map<string, number>;
  /** Children before this index are in `keys`. */
  indexed?: number;
}

export interface FastDocument {
  readonly index: number;
  readonly value: unknown;
  readonly root: NodeFrame;
}

export interface FastSource {
  readonly text: string;
  readonly documents: readonly FastDocument[];
  /** Offsets of line starts, for offset -> line:column. */
  readonly lineStarts: readonly number[];
}

interface ListenerState {
  readonly position: number;
  readonly kind: string | null;
  readonly result: unknown;
}

/** How many times loadFast has parsed a source (pinned by a test: one parse per validate). */
export const parseCount = { value: 0 };

/**
 * Values and position trees of every document, or undefined when js-yaml refuses the source (the
 * caller then reports it with the `yaml` package's syntax errors).
 */
export function loadFast(text: string): FastSource | undefined {
  parseCount.value++;
  // js-yaml drops a leading byte-order mark before parsing; the `yaml` package counts it.
  const shift = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const roots: NodeFrame[] = [];
  const stack: NodeFrame[] = [];
  const listener = (event: 'open' | 'close', state: ListenerState) => {
    if (event === 'open') {
      stack.push({ start: state.position + shift, kind: null, result: undefined, children: [] });
      return;
    }
    const frame = stack.pop();
    if (frame === undefined) return;
    frame.kind = state.kind;
    frame.result = state.result;
    // js-yaml composes a block node once as a possible mapping key and keeps that result when no
    // `:` follows: the same node twice, nested. One of them is enough.
    const only = frame.children.length === 1 ? frame.children[0] : undefined;
    if (only !== undefined && only.result === frame.result && only.kind === frame.kind) frame.children = only.children;
    const parent = stack[stack.length - 1];
    if (parent === undefined) roots.push(frame);
    else parent.children.push(frame);
  };
  let values: unknown[];
  try {
    // CORE_SCHEMA: no timestamps or other YAML 1.1 types, like the `yaml` package's default.
    values = loadAll(text, undefined, { schema: CORE_SCHEMA, listener } as Parameters<typeof loadAll>[2]);
  } catch {
    return undefined;
  }
  if (roots.length !== values.length) return undefined;
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  return { text, lineStarts, documents: values.map((value, index) => ({ index, value, root: roots[index] as NodeFrame })) };
}

/** The `yaml` package's LineCounter.linePos, clamped to 1 as toPosition does. */
export function positionAt(source: FastSource, offset: number): Position {
  const starts = source.lineStarts;
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
 * Index of the key node named `name` (the first one, as `find` takes), null when the mapping has
 * no such key, undefined when this tree cannot answer (then the `yaml` package says).
 *
 * The mapping is checked once (every pair seen as two nodes, no collection key); its keys go into
 * the index only as far as lookups reach: the 100 findings of a document of 300,000 unknown fields
 * are its first keys, and indexing the rest cost more than the lookups.
 */
function keyIndex(node: NodeFrame, name: string): number | null | undefined {
  if (node.keys === undefined) {
    if (node.children.length % 2 !== 0 || typeof node.result !== 'object' || node.result === null) return undefined;
    if (node.children.length / 2 !== Object.keys(node.result).length) return undefined;
    for (let k = 0; k + 1 < node.children.length; k += 2) {
      const key = node.children[k] as NodeFrame;
      if (key.kind !== 'scalar' && typeof key.result === 'object' && key.result !== null) return undefined;
    }
    node.keys = new Map();
    node.indexed = 0;
  }
  const keys = node.keys;
  const known = keys.get(name);
  if (known !== undefined) return known;
  let k = node.indexed ?? 0;
  for (; k + 1 < node.children.length; k += 2) {
    const key = node.children[k] as NodeFrame;
    if (key.kind !== 'scalar') continue;
    const keyName = String(key.result);
    if (keys.has(keyName)) continue;
    keys.set(keyName, k);
    if (keyName === name) {
      node.indexed = k + 2;
      return k;
    }
  }
  node.indexed = k;
  return null;
}

/**
 * `locate` of documents.ts on the js-yaml tree: the value for a scalar, the key for a collection
 * under a map key, the item for a sequence entry; for a missing field, the nearest ancestor.
 * Undefined where only the `yaml` package can say (aliases, collection keys).
 */
export function locateFast(source: FastSource, doc: FastDocument, path: readonly PathSegment[], options: LocateOptions = {}): Position | undefined {
  const { text } = source;
  let node: NodeFrame | undefined = doc.root;
  // An empty document: the `yaml` package puts it right after `---`, js-yaml after the space that follows.
  if (node.kind === null) return undefined;
  let offset = contentStart(text, node.start);
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    if (node === undefined) break;
    // An alias: the `yaml` package follows it into the anchored node, which this tree does not link.
    if (node.kind === null && node.result !== null && typeof node.result === 'object') return undefined;
    if (node.kind === 'mapping') {
      const found = keyIndex(node, String(segment));
      if (found === undefined) return undefined;
      if (found === null) break;
      const key = node.children[found] as NodeFrame;
      const value = node.children[found + 1] as NodeFrame;
      const last = i === path.length - 1;
      // kind null: an empty value (`key:`) or an alias, neither a scalar to point at.
      const useKey = value.kind !== 'scalar' || (last && options.atKey === true);
      offset = contentStart(text, useKey ? key.start : value.start);
      node = value;
    } else if (node.kind === 'sequence' && typeof segment === 'number') {
      // js-yaml reports no node for an empty item (`-` alone): positions would shift.
      if (!Array.isArray(node.result) || node.children.length !== node.result.length) return undefined;
      const item: NodeFrame | undefined = node.children[segment];
      if (item === undefined) break;
      // An empty item (`-` alone): where its zero-length scalar sits is the `yaml` package's call.
      if (item.kind === null) return undefined;
      offset = contentStart(text, item.start);
      node = item;
    } else {
      break;
    }
  }
  return positionAt(source, offset);
}
