import { describe, expect, it } from 'vitest';
import { type FieldIssue, formatPath } from '../schema/issues.js';
import { MAX_REPORTED_ISSUES, MORE_ISSUES_RULE, moreIssues, validateAsyncActor } from '../schema/validate.js';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkAsyncActor, checkPositioned, checkSource, exitCode, formatFinding, formatSyntaxError, humanize, mergeCapped, mergeIssues, select, selectYamlFiles, toJsonReport } from './check.js';
import { ajvErrorsToIssues, compileDocumentSchema, createAjv, pointerToPath, readAjvErrors, withoutTrivialPropertyNames } from './json-schema.js';
import { loadDocumentSchema } from './schema-file.js';
import { loadAll } from 'js-yaml';
import { defaultValidator } from './schema-file.js';

const validator = defaultValidator();

const actor = (stateProxy: string) => `apiVersion: asya.sh/v1alpha1
kind: AsyncActor
metadata:
  name: demo
spec:
  image: img
  handler: h.p
  stateProxy:
${stateProxy}`;

describe('checkSource', () => {
  it('reports each problem once, one line each, with file, line:col, document and field', () => {
    const text = `${actor(`    - name: a
      mount:
        path: /state/a;b
        writemode: passthrough
      connector:
        image: i
    - name: b
      mount: {path: /state/a;b/c}
      connector: {}
`)}---
kind: ConfigMap
apiVersion: v1
---
${actor(`    - name: c
      mount: {path: /}
      connector: {image: i}
`)}`;
    const report = checkSource(text, 'x.yaml', validator);
    expect(report.checked).toBe(2);
    expect(report.invalid).toBe(2);
    expect(report.notices).toEqual(['x.yaml: document 1: skipped, kind ConfigMap (v1)']);
    expect(report.findings.map(formatFinding)).toEqual([
      `x.yaml:11:15: document 0: spec.stateProxy[0].mount.path: mount path "/state/a;b" must not contain ';' (the runtime splits ASYA_STATE_PROXY_MOUNTS on ';')`,
      'x.yaml:12:9: document 0: spec.stateProxy[0].mount.writemode: unknown field "writemode"',
      `x.yaml:16:21: document 0: spec.stateProxy[1].mount.path: mount path "/state/a;b/c" must not contain ';' (the runtime splits ASYA_STATE_PROXY_MOUNTS on ';')`,
      'x.yaml:16:21: document 0: spec.stateProxy[1].mount.path: mount path /state/a;b/c is inside spec.stateProxy[0] (/state/a;b); the runtime matches the first mount, so one would shadow the other',
      'x.yaml:17:7: document 0: spec.stateProxy[1].connector.image: required field is missing',
      'x.yaml:31:21: document 2: spec.stateProxy[0].mount.path: mount path "/" must not be / (it would capture every file, including the runtime itself)',
    ]);
  });

  it('reports syntax errors and still checks the other documents', () => {
    const report = checkSource(`a: [1\n---\n${actor('    - {name: a, mount: {path: /x}, connector: {image: i}}\n')}`, 'y.yaml', validator);
    expect(report.syntaxErrors.length).toBeGreaterThan(0);
    expect(formatSyntaxError('y.yaml', report.syntaxErrors[0]!)).toMatch(/^y\.yaml:\d+:\d+: document 0: YAML syntax error: /);
    expect(report.checked).toBe(1);
    expect(report.findings).toEqual([]);
    expect(exitCode([report], [])).toBe(2);
  });

  it('checks an AsyncActor of a wrong version of our group, skips other groups', () => {
    expect(select({ kind: 'AsyncActor', apiVersion: 'asya.sh/v1' })).toMatchObject({ check: true });
    expect(select({ kind: 'AsyncActor', apiVersion: 'example.com/v1' })).toMatchObject({ check: false });
    expect(select(null)).toEqual({ check: false });
    expect(select([1])).toEqual({ check: false, why: 'not a mapping' });
  });
});

describe('mergeIssues', () => {
  const rule = (path: (string | number)[], r: string, message: string): FieldIssue => ({ path, rule: r, message });
  it('prefers the semantic rule over the JSON Schema pattern at the same path', () => {
    const merged = mergeIssues(
      [rule(['spec', 'x'], 'mount-path-format', 'must not contain ;')],
      [rule(['spec', 'x'], 'json-schema', 'must match pattern "..."'), rule(['spec', 'y'], 'json-schema', 'must match pattern "..."')],
    );
    expect(merged.map((i) => `${i.rule} ${i.path.join('.')}`)).toEqual(['mount-path-format spec.x', 'json-schema spec.y']);
  });
  it('prefers zod over ajv at the same path and drops exact repeats', () => {
    const merged = mergeIssues(
      [rule(['a'], 'schema', 'unknown field "a"'), rule(['a'], 'schema', 'unknown field "a"')],
      [rule(['a'], 'json-schema', 'unknown field "a"')],
    );
    expect(merged).toEqual([rule(['a'], 'schema', 'unknown field "a"')]);
  });
  it('humanize rewrites zod missing-field messages', () => {
    expect(humanize(rule(['a'], 'schema', 'Invalid input: expected string, received undefined')).message).toBe('required field is missing');
    expect(humanize(rule(['a'], 'schema', 'Invalid input: expected string, received number')).message).toMatch(/received number/);
  });
});

describe('ajv errors', () => {
  it('pointerToPath keeps array indices as numbers and unescapes ~0 ~1', () => {
    expect(pointerToPath('/spec/stateProxy/0/a~1b~0c', { spec: { stateProxy: [{}] } })).toEqual(['spec', 'stateProxy', 0, 'a/b~c']);
    expect(pointerToPath('/m/0', { m: { '0': 1 } })).toEqual(['m', '0']);
    expect(pointerToPath('', {})).toEqual([]);
  });
  it('unknown and missing keys are reported at their own path; anyOf branches fold', () => {
    const v = compileDocumentSchema({
      type: 'object',
      required: ['r'],
      properties: { r: { type: 'string' }, q: { anyOf: [{ type: 'string' }, { type: 'number' }] }, e: { enum: ['x'] } },
      additionalProperties: false,
    });
    const doc = { u: 1, q: true, e: 'y' };
    expect(v(doc)).toBe(false);
    expect(ajvErrorsToIssues(v.errors, doc).map((i) => `${i.path.join('.')}: ${i.message}`).sort()).toEqual([
      'e: must be one of: "x"',
      'q: must match a schema in anyOf',
      'r: required field is missing',
      'u: unknown field "u"',
    ]);
  });
});

/**
 * checkAsyncActor as it was before mergeCapped: every ajv issue built, everything merged, then
 * capped. The reference mergeCapped must equal.
 */
function mergeThenCap(rules: readonly FieldIssue[], fromJsonSchema: readonly FieldIssue[]): FieldIssue[] {
  const merged = mergeIssues(rules, fromJsonSchema);
  if (merged.length <= MAX_REPORTED_ISSUES + 1) return merged;
  const real = merged.filter((i) => i.rule !== MORE_ISSUES_RULE);
  const hiddenBefore = merged.reduce((n, i) => n + (i.rule === MORE_ISSUES_RULE ? Number(/^and (\d+) more problem/.exec(i.message)?.[1] ?? 0) : 0), 0);
  return [...real.slice(0, MAX_REPORTED_ISSUES), moreIssues(Math.max(real.length - MAX_REPORTED_ISSUES, hiddenBefore))];
}

describe('mergeCapped', () => {
  const reference = (value: unknown) => {
    const fromRules = validateAsyncActor(value);
    const rules = fromRules.ok ? [] : fromRules.issues.map(humanize);
    return mergeThenCap(rules, validator(value) ? [] : ajvErrorsToIssues(validator.errors, value));
  };
  const base = { apiVersion: 'asya.sh/v1alpha1', kind: 'AsyncActor', metadata: { name: 'demo' } };
  const spec = { image: 'img', handler: 'h.p' };
  const mount = (i: number, path: string) => ({ name: `m${i}`, mount: { path }, connector: { image: 'i' } });
  const unknown = (n: number, name: (i: number) => string) => Object.fromEntries(Array.from({ length: n }, (_, i) => [name(i), 1]));
  const cases: Array<[string, unknown]> = [
    ['valid', { ...base, spec }],
    ['one unknown field', { ...base, spec: { ...spec, x: 1 } }],
    ['99, 100, 101 and 102 unknown fields', null],
    ['5000 unknown fields in spec', { ...base, spec: { ...spec, ...unknown(5000, (i) => `x${i}`) } }],
    ['5000 unknown fields at the root, with keys that need quoting', { ...base, spec, ...unknown(5000, (i) => (i % 3 === 0 ? `a.b${i}` : i % 3 === 1 ? `${i}` : `k${i}`)) }],
    ['unknown fields and a missing one', { ...base, spec: { image: 'img', ...unknown(300, (i) => `x${i}`) } }],
    ['300 bad mounts (rules, zod and ajv at the same paths)', { ...base, spec: { ...spec, stateProxy: Array.from({ length: 300 }, (_, i) => mount(i, i % 2 === 0 ? '/' : `rel${i}`)) } }],
    ['wrong types everywhere', { ...base, metadata: { name: 7 }, spec: { image: 1, handler: [], replicas: 'x', env: [{ value: 1 }], ...unknown(150, (i) => `y${i}`) } }],
  ];
  const expanded = cases.flatMap(([name, doc]): Array<[string, unknown]> =>
    doc === null ? [99, 100, 101, 102].map((n) => [`${n} unknown fields`, { ...base, spec: { ...spec, ...unknown(n, (i) => `x${i}`) } }]) : [[name, doc]],
  );
  it.each(expanded)('%s: the same issues as merging everything, then capping', (_name, doc) => {
    expect(checkAsyncActor(doc, validator)).toEqual(reference(doc));
  });

  it('keeps ajv-only paths with several errors whole and in order, counting each distinct one', () => {
    const rule = (path: (string | number)[], message: string): FieldIssue => ({ path, rule: 'json-schema', message });
    // A reader over made-up errors: paths repeat out of order, some exactly.
    const errors = Array.from({ length: 400 }, (_, i) => rule(['p', i % 150], `m${i % 300}`));
    const ajv = { count: errors.length, stands: (i: number) => i % 7 !== 3, key: (i: number) => formatPath((errors[i] as FieldIssue).path), issue: (i: number) => errors[i] as FieldIssue };
    const rules = [rule(['p', 3], 'from rules'), { path: ['p', 5], rule: 'schema', message: 'zod' }, moreIssues(40)];
    expect(mergeCapped(rules, ajv)).toEqual(mergeThenCap(rules, errors.filter((_, i) => ajv.stands(i))));
    expect(mergeCapped(rules.slice(0, 2), { ...ajv, count: 20 })).toEqual(mergeThenCap(rules.slice(0, 2), errors.slice(0, 20).filter((_, i) => ajv.stands(i))));
  });

  it.each([99, 100, 101, 102, 103])('around the cap: %i distinct ajv issues, with and without the rules\' "and N more"', (n) => {
    const errors = Array.from({ length: n }, (_, i): FieldIssue => ({ path: ['q', i], rule: 'json-schema', message: 'bad' }));
    const ajv = { count: n, stands: () => true, key: (i: number) => formatPath((errors[i] as FieldIssue).path), issue: (i: number) => errors[i] as FieldIssue };
    for (const rules of [[], [moreIssues(2)], [moreIssues(500)]]) expect(mergeCapped(rules, ajv)).toEqual(mergeThenCap(rules, errors));
  });

  it("the reader's key of each error is formatPath of its issue's path", () => {
    const v = compileDocumentSchema({
      type: 'object',
      required: ['need', 'with space'],
      properties: { need: { type: 'string' }, 'with space': { type: 'string' }, m: { type: 'object', additionalProperties: false, properties: { a: { type: 'array', items: { type: 'object', additionalProperties: false } } } } },
      additionalProperties: false,
    });
    const doc = { 'a.b': 1, '0': 2, '': 3, $ok: 4, '(root)': 5, m: { 'x y': 1, z: 2, a: [{ q: 1, '~/': 2 }] } };
    expect(v(doc)).toBe(false);
    const read = readAjvErrors(v.errors, doc);
    expect(read.count).toBeGreaterThan(8);
    for (let i = 0; i < read.count; i++) expect(read.key(i)).toBe(formatPath(read.issue(i).path));
  });
});

describe('withoutTrivialPropertyNames', () => {
  it('drops only the propertyNames keyword that is exactly {type: string}', () => {
    const schema = {
      type: 'object',
      properties: {
        propertyNames: { type: 'string' },
        m: { type: 'object', propertyNames: { type: 'string' }, additionalProperties: { type: 'string' } },
        p: { type: 'object', propertyNames: { type: 'string', pattern: '^a' } },
        l: { type: 'array', items: { anyOf: [{ type: 'object', propertyNames: { type: 'string' } }, { const: { propertyNames: { type: 'string' } } }] } },
      },
      $defs: { d: { propertyNames: { type: 'string' }, default: { propertyNames: { type: 'string' } } } },
    };
    expect(withoutTrivialPropertyNames(schema)).toEqual({
      type: 'object',
      properties: {
        propertyNames: { type: 'string' },
        m: { type: 'object', additionalProperties: { type: 'string' } },
        p: { type: 'object', propertyNames: { type: 'string', pattern: '^a' } },
        l: { type: 'array', items: { anyOf: [{ type: 'object' }, { const: { propertyNames: { type: 'string' } } }] } },
      },
      $defs: { d: { default: { propertyNames: { type: 'string' } } } },
    });
    // A `__proto__` keyword stays a key, so ajv's strict mode still refuses it.
    expect(Object.keys(withoutTrivialPropertyNames(JSON.parse('{"type":"object","__proto__":{"x":1}}') as object))).toEqual(['type', '__proto__']);
  });

  it('the shipped schema checks the same without them: same errors on every corpus document', () => {
    const raw = loadDocumentSchema();
    expect(JSON.stringify(raw)).toContain('"propertyNames":{"type":"string"}');
    const unchanged = createAjv().compile(raw);
    const stripped = compileDocumentSchema(raw);
    const dir = fileURLToPath(new URL('../../test/corpus/', import.meta.url));
    const docs = ['valid', 'invalid'].flatMap((d) => readdirSync(`${dir}${d}`).flatMap((f) => loadAll(readFileSync(`${dir}${d}/${f}`, 'utf8'))));
    docs.push({ apiVersion: 'asya.sh/v1alpha1', kind: 'AsyncActor', metadata: { name: 'a', labels: { '': 1, 'a b': 'c' } }, spec: { nodeSelector: { '0': 1, 'k': 'v' } } });
    for (const doc of docs) {
      const a = unchanged(doc);
      const b = stripped(doc);
      expect({ valid: b, errors: ajvErrorsToIssues(stripped.errors, doc) }).toEqual({ valid: a, errors: ajvErrorsToIssues(unchanged.errors, doc) });
    }
  });
});

describe('run-level helpers', () => {
  it('exit codes: 0 valid, 1 invalid, 2 I/O', () => {
    const ok = checkSource(actor('    - {name: a, mount: {path: /x}, connector: {image: i}}\n'), 'ok.yaml', validator);
    const bad = checkSource(actor('    - {name: a, mount: {path: /}, connector: {image: i}}\n'), 'bad.yaml', validator);
    expect(exitCode([ok], [])).toBe(0);
    expect(exitCode([ok, bad], [])).toBe(1);
    expect(exitCode([ok], ['missing.yaml: no such file or directory'])).toBe(2);
    const json = toJsonReport([ok, bad], []) as { valid: boolean; checked: number; invalid: number; findings: unknown[] };
    expect(json).toMatchObject({ valid: false, checked: 2, invalid: 1 });
    expect(json.findings).toHaveLength(1);
  });
  it('selectYamlFiles keeps *.yaml/*.yml in code-point order', () => {
    expect(selectYamlFiles(['b.yml', 'a/z.yaml', 'README.md', 'a/B.YAML', 'c.json'])).toEqual(['a/B.YAML', 'a/z.yaml', 'b.yml']);
  });
});

describe('fast path', () => {
  const dir = fileURLToPath(new URL('../../test/corpus/', import.meta.url));
  const sources = ['valid', 'invalid'].flatMap((d) => readdirSync(`${dir}${d}`).map((f) => readFileSync(`${dir}${d}/${f}`, 'utf8')));

  it('reports exactly what the yaml-package path reports, positions included', () => {
    for (const text of sources) expect(checkSource(text, 'f.yaml', validator)).toEqual(checkPositioned(text, 'f.yaml', validator));
  });

  it('agrees with the yaml-package path on multi-document sources, skipped documents included', () => {
    const functionDoc = 'apiVersion: pkg.crossplane.io/v1\nkind: Function\nmetadata:\n  name: f\n';
    const valid = readdirSync(`${dir}valid`).map((f) => readFileSync(`${dir}valid/${f}`, 'utf8'));
    const variants = [
      valid.join('---\n'),
      `# leading comment\n---\n${functionDoc}---\n---\n${valid[0]}`,
      `${functionDoc}...\n---\n${valid[1]}\n---\n`,
      [...valid, ...sources].join('---\n'),
    ];
    for (const text of variants) expect(checkSource(text, 'all.yaml', validator)).toEqual(checkPositioned(text, 'all.yaml', validator));
  });
});
