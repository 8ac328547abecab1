import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runValidate } from './validate.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const corpus = (p: string) => `${ROOT}test/corpus/${p}`;

function run(paths: string[], opts: { format?: string; quiet?: boolean; allowEmpty?: boolean } = {}, stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const code = runValidate(paths, opts, { out: (t) => out.push(t), err: (t) => err.push(t), readStdin: () => stdin });
  return { code, out: out.join(''), err: err.join('') };
}

describe('asya-state-proxy validate', () => {
  it('exits 0 on the valid corpus and the examples (directories recurse, other kinds are skipped with a notice)', () => {
    const r = run([corpus('valid'), `${ROOT}examples`]);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/notice: .*multi-document\.yaml: document 0: skipped, kind ConfigMap/);
    expect(r.err).toMatch(/AsyncActor document\(s\) checked, 0 invalid/);
  });

  it('exits 1 and prints one line per error, every error of every file', () => {
    const r = run([corpus('invalid/mount-path-colon.yaml'), corpus('invalid/write-mode-conflict.yaml')], { quiet: true });
    expect(r.code).toBe(1);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/mount-path-colon\.yaml:15:15: document 0: spec\.stateProxy\[0\]\.mount\.path: mount path "\/state\/a:b" must not contain ':'/);
    expect(lines[1]).toMatch(/write-mode-conflict\.yaml:16:20: document 0: spec\.stateProxy\[0\]\.mount\.writeMode: /);
    expect(r.err).toBe('');
  });

  it('reads stdin for -', () => {
    const r = run(['-'], { quiet: true }, 'apiVersion: asya.sh/v1alpha1\nkind: AsyncActor\nmetadata: {name: a}\nspec: {image: i}\n');
    expect(r.code).toBe(1);
    expect(r.out).toBe('<stdin>:4:1: document 0: spec.handler: required field is missing\n');
  });

  it('exits 2 on a missing file and on a YAML syntax error, with its position', () => {
    const missing = run([corpus('nope.yaml'), corpus('valid/minimal.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('nope.yaml: no such file or directory');
    const syntax = run(['-'], {}, 'a: 1\nb: [x\n');
    expect(syntax.code).toBe(2);
    expect(syntax.err).toMatch(/^<stdin>:2:4: document 0: YAML syntax error: /m);
    // The syntax error says why nothing was checked; "no documents at all" would be wrong.
    expect(syntax.err).not.toMatch(/no AsyncActor or XAsyncActor document found/);
  });

  it('exits 2 on an unknown --format, and --format json reports everything as one object', () => {
    expect(run([corpus('valid')], { format: 'xml' }).code).toBe(2);
    const r = run([corpus('invalid/duplicate-mount-path.yaml')], { format: 'json' });
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out) as { valid: boolean; findings: Array<Record<string, unknown>> };
    expect(json.valid).toBe(false);
    expect(json.findings).toHaveLength(1);
    expect(json.findings[0]).toMatchObject({ document: 0, line: 23, col: 15, path: 'spec.stateProxy[1].mount.path', rule: 'unique-mount-paths' });
    // A shape finding: a sentence in the message, the pattern for tools in detail.
    const shape = JSON.parse(run([corpus('invalid/pod-secret-name-not-subdomain.yaml')], { format: 'json' }).out) as typeof json;
    expect(shape.findings[0]).toMatchObject({ path: 'spec.secretRefs[0].secretName', rule: 'schema', detail: { code: 'invalid_format', format: 'regex' } });
    expect(shape.findings[0]!['message']).toMatch(/^"App_Secrets" is not a valid DNS subdomain: /);
    expect((shape.findings[0]!['detail'] as { pattern: string }).pattern).toMatch(/^\^\[a-z0-9\]/);
  });

  const actor = (kind: string, spec: string) => `apiVersion: asya.sh/v1alpha1\nkind: ${kind}\nmetadata: {name: a}\nspec: {image: i, handler: h.p${spec}}\n`;

  it('checks the legacy XAsyncActor as the function reads it', () => {
    expect(run(['-'], { quiet: true }, actor('XAsyncActor', ', compositionRef: {name: c}')).code).toBe(0);
    const r = run(['-'], { quiet: true }, actor('XAsyncActor', ', statProxy: []'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^<stdin>:4:\d+: document 0: spec\.statProxy: unknown field/);
  });

  it.each([['AsyncActr'], ['asyncactor'], ['XAsyncactor']])('refuses kind %s in the asya.sh group with a hint', (kind) => {
    const r = run(['-'], { quiet: true }, actor(kind, ''));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^<stdin>:2:7: document 0: kind: kind ".*" is not a kind of API group asya\.sh; did you mean X?AsyncActor\?/);
  });

  it('still skips other groups with a notice', () => {
    const r = run(['-'], {}, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n' + actor('AsyncActor', ''));
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/skipped, kind ConfigMap/);
  });

  it.each([['empty stdin', ''], ['only comments', '# nothing\n'], ['only other kinds', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n']])(
    'exits 2 on %s unless --allow-empty',
    (_name, stdin) => {
      const r = run(['-'], { quiet: true }, stdin);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/no AsyncActor or XAsyncActor document found in -: .*--allow-empty/);
      expect(run(['-'], { quiet: true, allowEmpty: true }, stdin).code).toBe(0);
    },
  );

  it('exits 2 on an empty directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'validate-empty-'));
    const r = run([dir], { quiet: true });
    rmSync(dir, { recursive: true });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no documents at all/);
  });
});

describe('asya-state-proxy validate: render\'s warnings for valid documents', () => {
  const image = (flavour: string) => `ghcr.io/deliveryhero/asya-state-proxy-${flavour}:v1.0.0`;
  interface Actor {
    readonly env?: readonly [string, string];
    readonly writeMode?: string;
    readonly image?: string;
    readonly connectorEnv?: readonly [string, string];
    readonly extra?: string;
  }
  /** Fixed layout: spec.env[0].value on line 10, writeMode on 15, connector.image on 17, connector.env on 18, its value on 20. */
  const actor = (a: Actor = {}) => `apiVersion: asya.sh/v1alpha1
kind: AsyncActor
metadata:
  name: demo
spec:
  image: img
  handler: h.p
  env:
    - name: ${a.env?.[0] ?? 'LOG_LEVEL'}
      value: ${a.env?.[1] ?? 'info'}
  stateProxy:
    - name: m
      mount:
        path: /state/m
      writeMode: ${a.writeMode ?? 'buffered'}
      connector:
        image: ${a.image ?? image('s3-buffered-cas')}
        env:
          - name: ${a.connectorEnv?.[0] ?? 'STATE_BUCKET'}
            value: ${a.connectorEnv?.[1] ?? 'bucket'}
${a.extra ?? ''}`;
  const at = (where: string, path: string) => `<stdin>:${where}: document 0: warning: spec.${path}: `;

  const cases: Array<[string, Actor, Array<[reason: string, line: string]>]> = [
    ['a clean actor', {}, []],
    ['a last-write-wins connector with replicas > 1', { image: image('s3-buffered-lww') }, [['LastWriteWinsWithReplicas', `${at('17:16', 'stateProxy[0].connector.image')}the s3-buffered-lww connector is last-write-wins but the actor can run 10 replicas`]]],
    ['a write mode the flavour does not do', { writeMode: 'passthrough' }, [['WriteModeFlavorMismatch', `${at('15:18', 'stateProxy[0].writeMode')}writeMode passthrough streams writes, but s3-buffered-cas is a buffered connector`]]],
    ['a missing connector env variable', { connectorEnv: ['STATE_PREFIX', 'p'] }, [['MissingConnectorEnv', `${at('18:9', 'stateProxy[0].connector.env')}the s3-buffered-cas connector requires STATE_BUCKET, which connector.env does not set`]]],
    ['a literal credential in the runtime env', { env: ['DB_PASSWORD', 'hunter2'] }, [['LiteralCredential', `${at('10:14', 'env[0].value')}DB_PASSWORD looks like a credential but is set as a literal value`]]],
    [
      'a password in a connector URL',
      { image: image('redis-buffered-cas'), connectorEnv: ['REDIS_URL', 'redis://:hunter2@redis:6379/0'] },
      [['LiteralCredential', `${at('20:20', 'stateProxy[0].connector.env[0].value')}the value of REDIS_URL embeds a password in a URL`]],
    ],
    ['an image of no known flavour', { image: 'ghcr.io/example/other-connector:1' }, [['UnknownConnectorFlavor', `${at('17:16', 'stateProxy[0].connector.image')}connector flavour not recognised`]]],
    [
      'a selector that contradicts the image (and the env the selected flavour needs)',
      { image: image('redis-buffered-cas'), connectorEnv: ['ASYA_CONNECTOR', 's3_buffered_cas'] },
      [
        ['MissingConnectorEnv', `${at('18:9', 'stateProxy[0].connector.env')}the s3-buffered-cas connector requires STATE_BUCKET`],
        ['ConnectorFlavorConflict', `${at('20:20', 'stateProxy[0].connector.env[0].value')}ASYA_CONNECTOR selects s3-buffered-cas but the image is named for redis-buffered-cas`],
      ],
    ],
  ];

  it.each(cases)('%s: each warning on stderr at its field, exit code 0, nothing on stdout', (_name, a, expected) => {
    const r = run(['-'], {}, actor(a));
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    const warnings = r.err.split('\n').filter((l) => l.includes(': warning: '));
    expect(warnings).toHaveLength(expected.length);
    expected.forEach(([, line], i) => expect(warnings[i]).toContain(line));
    expect(r.err).toMatch(/1 AsyncActor document\(s\) checked, 0 invalid\n$/);
  });

  it.each(cases)('%s: --quiet hides them, the exit code stays 0', (_name, a) => {
    expect(run(['-'], { quiet: true }, actor(a))).toEqual({ code: 0, out: '', err: '' });
  });

  it.each(cases)('%s: --format json lists them with their reason as the rule', (_name, a, expected) => {
    const r = run(['-'], { format: 'json' }, actor(a));
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { valid: boolean; warnings: Array<{ rule: string; line: number; col: number }> };
    expect(json.valid).toBe(true);
    expect(json.warnings.map((w) => `${w.line}:${w.col} ${w.rule}`)).toEqual(expected.map(([reason, line]) => `${/^<stdin>:(\d+:\d+):/.exec(line)?.[1]} ${reason}`));
  });

  it('an invalid document gets its errors, not warnings', () => {
    const r = run(['-'], {}, actor({ image: image('s3-buffered-lww'), extra: '  replicsa: 3\n' }));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^<stdin>:21:3: document 0: spec\.replicsa: unknown field/);
    expect(r.err).not.toMatch(/warning/);
  });

  it('every document of a multi-document source is warned about at its own index', () => {
    const r = run(['-'], {}, `${actor()}---\n${actor({ image: image('s3-buffered-lww') })}`);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^<stdin>:38:16: document 1: warning: spec\.stateProxy\[0\]\.connector\.image: the s3-buffered-lww connector is last-write-wins/m);
    expect(r.err.match(/warning:/g)).toHaveLength(1);
  });
});
