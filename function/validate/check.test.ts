import { describe, expect, it } from 'vitest';
import type { FieldIssue } from '../schema/issues.js';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkPositioned, checkSource, exitCode, formatFinding, formatSyntaxError, humanize, mergeIssues, select, selectYamlFiles, toJsonReport } from './check.js';
import { ajvErrorsToIssues, compileDocumentSchema, pointerToPath } from './json-schema.js';
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
