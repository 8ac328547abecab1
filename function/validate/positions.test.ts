import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { exampleFiles, invalidFiles, validFiles } from '../../test/corpus/corpus.js';
import type { PathSegment } from '../schema/issues.js';
import { checkPositioned, checkSource } from './check.js';
import { locate, parseSource, yamlParseCount } from './documents.js';
import { loadFast, locateFast, parseCount } from './positions.js';
import { defaultValidator } from './schema-file.js';

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

describe('validate reads a source once', () => {
  const validator = defaultValidator();
  const mounts = (n: number, path: (i: number) => string) =>
    Array.from({ length: n }, (_, i) => `    - {name: m${i}, mount: {path: ${path(i)}}, connector: {image: i}}\n`).join('');
  const source = (list: string) => `apiVersion: asya.sh/v1alpha1\nkind: AsyncActor\nmetadata:\n  name: demo\nspec:\n  image: img\n  handler: h.p\n  stateProxy:\n${list}`;

  it('one js-yaml parse and no yaml-package parse, valid or not, with the yaml package\'s positions', () => {
    const cases = [
      source(mounts(3, (i) => `/state/m${i}`)),
      // Over the 32 limit, with nested paths the pairwise overlap rule would compare n^2 times.
      source(mounts(2000, (i) => `/a${'/a'.repeat(i % 50)}`)),
      source(mounts(2, () => '/')),
      // Every document of a stream, not only the last: errors, and a valid one with render's warnings.
      `${source(mounts(2, () => '/'))}---\n${source(mounts(1, () => '/'))}...\n---\n${source(mounts(1, () => '/x'))}`,
      `${source('    - {name: m, mount: {path: /x}, connector: {image: ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww:v1, env: [{name: STATE_BUCKET, value: b}]}}\n')}---\n${source(mounts(1, () => '/x'))}`,
    ];
    for (const text of cases) {
      const before = { fast: parseCount.value, yaml: yamlParseCount.value };
      const report = checkSource(text, 'f.yaml', validator);
      expect({ fast: parseCount.value - before.fast, yaml: yamlParseCount.value - before.yaml }).toEqual({ fast: 1, yaml: 0 });
      expect(report).toEqual(checkPositioned(text, 'f.yaml', validator));
    }
  });

  it('falls back to the yaml package for a syntax error, once', () => {
    const before = { fast: parseCount.value, yaml: yamlParseCount.value };
    const report = checkSource('a: [1\n', 'f.yaml', validator);
    expect(report.syntaxErrors).toHaveLength(1);
    expect({ fast: parseCount.value - before.fast, yaml: yamlParseCount.value - before.yaml }).toEqual({ fast: 1, yaml: 1 });
  });
});

describe('a document with thousands of problems', () => {
  it('reports the first 100 and how many more, as the function does', () => {
    const unknown = Array.from({ length: 5000 }, (_, i) => `  x${i}: 1\n`).join('');
    const text = `apiVersion: asya.sh/v1alpha1\nkind: AsyncActor\nmetadata:\n  name: demo\nspec:\n  image: img\n  handler: h.p\n${unknown}`;
    const report = checkSource(text, 'f.yaml', defaultValidator());
    expect(report.findings).toHaveLength(101);
    expect(report.findings[0]).toMatchObject({ line: 1, col: 1, path: '(root)', rule: 'more-issues', message: 'and 4900 more problems not shown (fix the ones above first)' });
    expect(report.findings[100]).toMatchObject({ line: 107, col: 3, path: 'spec.x99', message: 'unknown field "x99"' });
  });
});
