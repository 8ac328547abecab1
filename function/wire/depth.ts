/**
 * How deeply a JSON value nests, found without recursion, with the path to the deepest point so
 * that a refusal can name the field.
 */
import type { PathSegment } from '../schema/issues.js';

export interface Deepest {
  /** Objects and arrays on the way down, the root included; 0 for a scalar. */
  readonly depth: number;
  readonly path: readonly PathSegment[];
}

interface Node {
  readonly value: unknown;
  readonly depth: number;
  readonly parent: Node | undefined;
  readonly key: PathSegment | undefined;
}

/** Stops descending once `limit` is exceeded, so a hostile value costs at most its size. */
export function deepest(root: unknown, limit = Number.POSITIVE_INFINITY): Deepest {
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
