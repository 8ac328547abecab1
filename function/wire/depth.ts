/**
 * How deeply a JSON value nests, with the path to the deepest point so that a refusal can name
 * the field.
 *
 * The request guard runs on every call, so the common case (nothing too deep) allocates nothing:
 * a recursive walk that stops descending past `limit`, so a hostile value costs at most its size
 * and the recursion at most `limit + 1` frames. The path is found by a second walk, only when
 * asked for. A limit beyond RECURSION_CAP (or none) is walked iteratively instead.
 */
import type { PathSegment } from '../schema/issues.js';

export interface Deepest {
  /** Objects and arrays on the way down, the root included; 0 for a scalar. */
  readonly depth: number;
  readonly path: readonly PathSegment[];
}

/**
 * Upper bounds on the depth of objects the Struct decoder built, which counts nesting as it
 * goes. A WeakMap: the bound lives exactly as long as its object.
 */
const bounds = new WeakMap<object, number>();

/** Records that `root` nests at most `depth` deep (root included); only for objects nothing has changed since. */
export function recordDepthBound(root: object, depth: number): void {
  bounds.set(root, depth);
}

/** The recorded bound of `root`, if any (for merging two decoded Structs into one). */
export const depthBound = (root: object): number | undefined => bounds.get(root);

/**
 * Whether `root` nests deeper than `limit`: free when the decoder recorded a bound within the
 * limit (the usual case), else the walk of nestingDepth. The bound is only a bound, so a
 * "too deep" answer always comes from the walk.
 */
export function nestsDeeperThan(root: unknown, limit: number): boolean {
  if (typeof root !== 'object' || root === null) return false;
  const bound = bounds.get(root);
  if (bound !== undefined && bound <= limit) return false;
  return nestingDepth(root, limit) > limit;
}

/** Deepest recursion the walks allow themselves: far below Node's default stack (about 10,000 frames). */
const RECURSION_CAP = 2048;

/**
 * The nesting depth of `root`, or the first depth beyond `limit` met (then `limit + 1`): enough
 * to tell whether `root` is too deep, without the path.
 */
export function nestingDepth(root: unknown, limit = Number.POSITIVE_INFINITY): number {
  if (typeof root !== 'object' || root === null) return 0;
  if (limit > RECURSION_CAP) return deepestIteratively(root, limit).depth;
  return depthFrom(root, 1, limit);
}

/** The depth, and the path to the first point (in key order) at that depth; stops past `limit` as nestingDepth does. */
export function deepest(root: unknown, limit = Number.POSITIVE_INFINITY): Deepest {
  if (limit > RECURSION_CAP) return deepestIteratively(root, limit);
  const depth = nestingDepth(root, limit);
  const path: PathSegment[] = [];
  if (depth > 0) pathTo(root as object, 1, depth, path);
  return { depth, path };
}

/** `v` sits at `depth`; the deepest depth below it, or the first beyond `limit`. */
function depthFrom(v: object, depth: number, limit: number): number {
  if (depth > limit) return depth;
  let max = depth;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const child: unknown = v[i];
      if (typeof child !== 'object' || child === null) continue;
      const d = depthFrom(child, depth + 1, limit);
      if (d > max) {
        max = d;
        if (max > limit) return max;
      }
    }
    return max;
  }
  const obj = v as Record<string, unknown>;
  // for-in allocates no key array (Object.keys would, per object); inherited keys are skipped.
  for (const key in obj) {
    const child = obj[key];
    if (typeof child !== 'object' || child === null || !Object.hasOwn(obj, key)) continue;
    const d = depthFrom(child, depth + 1, limit);
    if (d > max) {
      max = d;
      if (max > limit) return max;
    }
  }
  return max;
}

/** Fills `path` with the way to the first object at `target` below `v` (at `depth`); false when there is none. */
function pathTo(v: object, depth: number, target: number, path: PathSegment[]): boolean {
  if (depth === target) return true;
  const keys: readonly PathSegment[] = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
  for (const key of keys) {
    const child: unknown = (v as Record<PathSegment, unknown>)[key];
    if (typeof child !== 'object' || child === null) continue;
    path.push(key);
    if (pathTo(child, depth + 1, target, path)) return true;
    path.pop();
  }
  return false;
}

interface Node {
  readonly value: unknown;
  readonly depth: number;
  readonly parent: Node | undefined;
  readonly key: PathSegment | undefined;
}

/** Without recursion, for limits too deep to recurse to (and none at all). */
function deepestIteratively(root: unknown, limit: number): Deepest {
  let best: Node | undefined;
  const stack: Node[] = [{ value: root, depth: 1, parent: undefined, key: undefined }];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    const v = node.value;
    if (typeof v !== 'object' || v === null) continue;
    if (best === undefined || node.depth > best.depth) best = node;
    if (node.depth > limit) break;
    const entries: Array<[PathSegment, unknown]> = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i] as [PathSegment, unknown];
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: node.depth + 1, parent: node, key });
    }
  }
  if (best === undefined) return { depth: 0, path: [] };
  const path: PathSegment[] = [];
  for (let n: Node | undefined = best; n?.key !== undefined; n = n.parent) path.push(n.key);
  return { depth: best.depth, path: path.reverse() };
}
