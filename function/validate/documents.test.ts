import { describe, expect, it } from 'vitest';
import { locate, parseSource, syntaxMessage } from './documents.js';

const SOURCE = `# comment
apiVersion: asya.sh/v1alpha1
kind: AsyncActor
metadata:
  name: a
spec:
  stateProxy:
    - name: weights
      mount:
        path: /state/weights
      connector: {image: img, env: [{name: A, value: b}]}
  empty:
---
kind: ConfigMap
`;

describe('parseSource', () => {
  it('parses every document with its index and start position', () => {
    const parsed = parseSource(SOURCE);
    expect(parsed.errors).toEqual([]);
    expect(parsed.documents.map((d) => [d.index, d.position.line])).toEqual([
      [0, 2],
      [1, 14],
    ]);
    expect((parsed.documents[1]!.value as { kind: string }).kind).toBe('ConfigMap');
  });

  it('reports syntax errors with line and column, and keeps the other documents', () => {
    const parsed = parseSource('a: 1\n---\nb: [1, 2\nc: d\n---\ne: f\n');
    expect(parsed.errors.length).toBeGreaterThan(0);
    expect(parsed.errors[0]).toMatchObject({ index: 1 });
    expect(parsed.errors[0]!.position.line).toBeGreaterThanOrEqual(3);
    expect(parsed.documents[2]!.value).toEqual({ e: 'f' });
  });

  it('reports an unclosed [ or { or quote where it opens, not on the line where parsing gave up', () => {
    // Line 7 has the typo; the yaml package notices on line 8 (issue 15: "line 7 reported at 8:3").
    const source = 'apiVersion: asya.sh/v1alpha1\nkind: AsyncActor\nmetadata:\n  name: a\nspec:\n  image: x\n  handler: [a, b\n  foo: 1\n';
    const [flowSeq] = parseSource(source).errors;
    expect(flowSeq).toMatchObject({ index: 0, position: { line: 7, col: 12 } });
    expect(flowSeq!.message).toBe('Flow sequence in block collection must be sufficiently indented and end with a ]: the [ opened here is still open at line 8, column 3');
    const nested = parseSource('a: 1\nb:\n  c: {x: [1, 2}\n  d: 2\n').errors;
    expect(nested.map((e) => [e.position, e.message.split(':')[0]])).toEqual([
      [{ line: 3, col: 10 }, 'Flow sequence in block collection must be sufficiently indented and end with a ]'],
      [{ line: 3, col: 6 }, 'Flow map in block collection must be sufficiently indented and end with a }'],
    ]);
    const [quote] = parseSource('a: 1\nb: "abc\nc: 2\n').errors;
    expect(quote).toMatchObject({ position: { line: 2, col: 4 } });
    expect(quote!.message).toMatch(/^Missing closing "quote: the double quote opened here is still open at line 4, column 1$/);
  });

  it('keeps the reported position of other errors', () => {
    expect(parseSource('a:\n  b: 1\n c: 2\n').errors[0]).toMatchObject({ position: { line: 3, col: 1 }, message: 'All mapping items must start at the same column' });
  });

  it('flags duplicate keys as errors', () => {
    const parsed = parseSource('a: 1\na: 2\n');
    expect(parsed.errors[0]).toMatchObject({ index: 0, position: { line: 2, col: 1 } });
    expect(parsed.errors[0]!.message).toMatch(/unique/);
  });

  it('handles empty input and one-line input', () => {
    expect(parseSource('').documents).toEqual([]);
    expect(parseSource('a: 1').documents[0]!.position).toEqual({ line: 1, col: 1 });
  });

  it('syntaxMessage drops the position suffix and the excerpt', () => {
    expect(syntaxMessage('Map keys must be unique at line 2, column 1:\n\na: 2\n^\n')).toBe('Map keys must be unique');
  });
});

describe('locate', () => {
  const parsed = parseSource(SOURCE);
  const doc = parsed.documents[0]!.doc;
  const at = (path: (string | number)[], atKey = false) => locate(doc, path, parsed.lineCounter, { atKey });

  it('points at scalar values', () => {
    expect(at(['spec', 'stateProxy', 0, 'mount', 'path'])).toEqual({ line: 10, col: 15 });
    expect(at(['spec', 'stateProxy', 0, 'name'])).toEqual({ line: 8, col: 13 });
  });

  it('points at the key of a collection and at sequence items', () => {
    expect(at(['spec', 'stateProxy'])).toEqual({ line: 7, col: 3 });
    expect(at(['spec', 'stateProxy', 0])).toEqual({ line: 8, col: 7 });
  });

  it('works inside flow collections', () => {
    expect(at(['spec', 'stateProxy', 0, 'connector', 'image'])).toEqual({ line: 11, col: 26 });
    expect(at(['spec', 'stateProxy', 0, 'connector', 'env', 0, 'value'])).toEqual({ line: 11, col: 54 });
  });

  it('points at the key when asked (unknown fields) and for null values', () => {
    expect(at(['metadata', 'name'], true)).toEqual({ line: 5, col: 3 });
    expect(at(['spec', 'empty'])).toEqual({ line: 12, col: 3 });
  });

  it('falls back to the nearest existing ancestor for missing fields', () => {
    expect(at(['spec', 'stateProxy', 0, 'connector', 'resources', 'limits'])).toEqual({ line: 11, col: 7 });
    expect(at(['spec', 'stateProxy', 5, 'name'])).toEqual({ line: 7, col: 3 });
    expect(at(['spec', 'handler'])).toEqual({ line: 6, col: 1 });
    expect(at([])).toEqual({ line: 2, col: 1 });
  });
});
