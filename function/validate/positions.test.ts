import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { exampleFiles, invalidFiles, validFiles } from '../../test/corpus/corpus.js';
import type { PathSegment } from '../schema/issues.js';
import { locate, parseSource } from './documents.js';
import { loadFast, locateFast } from './positions.js';

/** Every path of a value, plus a missing child under each collection. */
function paths(value: unknown, at: PathSegment[] = [], out: PathSegment[][] = []): PathSegment[][] {
  out.push(at);
  if (Array.isArray(value)) {
    value.forEach((v, i) => paths(v, [...at, i], out));
    out.push([...at, value.length]);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
    out.push([...at, 'missing', 'deeper']);
  }
  return out;
}

/** Sources with the YAML features that move a node's start: comments, anchors, tags, flow, empty values, quotes, a BOM. */
const tricky = [
  'a: 1\nb:\n  - x\n  - {c: d, e: [f]}\nempty:\ng: &an\n  h: 2\n',
  '\uFEFFapiVersion: v1 # comment\nspec:\n  # a comment\n  list:\n  -   a\n  - !!str 3\n  - &x\n    k: v\n  - ? \n  - "quoted": \'single\'\n    n: ~\n    m: null\n---\n# second\n---\nx: [ {a: 1}, [ 2 ] ]\n',
  '- a\n-\n  - b\n  -\n- c: d\n  e:\n    f: [1,\n      2]\n',
  'k: |\n  block\n  text\nl: >-\n  folded\nm: plain\n  continued\n',
];

describe('locateFast answers what locate answers on the yaml tree', () => {
  const sources = [...validFiles(), ...invalidFiles(), ...exampleFiles()].map((f) => f.text).concat(tricky);
  it('at every path of every corpus document, at the key and at the value', () => {
    let compared = 0;
    for (const text of sources) {
      const fast = loadFast(text);
      const parsed = parseSource(text);
      if (fast === undefined || parsed.errors.length > 0) continue;
      expect(fast.documents.length).toBe(parsed.documents.length);
      for (const source of parsed.documents) {
        const doc = fast.documents[source.index];
        if (doc === undefined) throw new Error('document missing');
        // Where the two parsers read different values (js-yaml nests `-` then `- b` oddly), the
        // paths of one do not exist in the other; validate reports on js-yaml's values.
        if (!isDeepStrictEqual(doc.value, source.value)) continue;
        for (const path of paths(source.value)) {
          for (const atKey of [false, true]) {
            const mine = locateFast(fast, doc, path, { atKey });
            if (mine === undefined) continue;
            expect({ text: text.slice(0, 40), path, atKey, at: mine }).toEqual({ text: text.slice(0, 40), path, atKey, at: locate(source.doc, path, parsed.lineCounter, { atKey }) });
            compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(5000);
  });
});
