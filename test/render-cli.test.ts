/**
 * `asya-state-proxy render` on every example, compared with reviewed golden files under
 * test/golden/render/ (the documents on stdout, and the warnings on stderr when there are any).
 * These need no Crossplane CLI; test/crossplane/render.test.ts pins the same examples through the
 * real `crossplane render`.
 *
 * Regenerate deliberately with `UPDATE_GOLDEN=1 npx vitest run test/render-cli.test.ts`, then
 * review the diff like code.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { renderCommand, type RenderOptions } from '../function/commands/render.js';

const ROOT = join(import.meta.dirname, '..');
const GOLDEN = join(ROOT, 'test/golden/render');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

interface Case {
  readonly name: string;
  readonly xr: string;
  readonly opts?: Partial<RenderOptions>;
}

/** The workload identity examples need the Composition whose step input composes their ServiceAccount. */
const compositionFor = (file: string): { opts?: Partial<RenderOptions> } => {
  const cloud = /^workload-identity-(\w+)\.yaml$/.exec(file)?.[1];
  return cloud === undefined ? {} : { opts: { input: `compositions/workload-identity-${cloud}.yaml` } };
};

const cases: Case[] = [
  ...readdirSync(join(ROOT, 'examples'))
    .filter((f) => f.endsWith('.yaml') && f !== 'functions.yaml')
    .sort()
    .map((f) => ({ name: f.replace(/\.yaml$/, ''), xr: `examples/${f}`, ...compositionFor(f) })),
  { name: 'restricted-containers', xr: 'examples/conversation-history-cas.yaml', opts: { input: 'test/inputs/restricted-containers.yaml' } },
  { name: 'input-from-composition', xr: 'examples/redis-cache.yaml', opts: { input: 'compositions/asyncactor-state-proxy.yaml' } },
  { name: 'observed-available', xr: 'examples/model-weights-s3.yaml', opts: { observed: 'test/crossplane/observed/available' } },
];

describe('asya-state-proxy render', () => {
  if (UPDATE) mkdirSync(GOLDEN, { recursive: true });

  it.each(cases.map((c) => [c.name, c] as const))('%s matches its golden files', (_n, c) => {
    const out = renderCommand(join(ROOT, c.xr), {
      output: 'yaml',
      ...Object.fromEntries(Object.entries(c.opts ?? {}).map(([k, v]) => [k, join(ROOT, String(v))])),
    });
    expect(out.code).toBe(0);
    const stderr = out.stderr.replaceAll(`${ROOT}/`, '');
    const goldenOut = join(GOLDEN, `${c.name}.yaml`);
    const goldenErr = join(GOLDEN, `${c.name}.warnings.txt`);
    if (UPDATE) {
      writeFileSync(goldenOut, out.stdout);
      if (stderr === '') rmSync(goldenErr, { force: true });
      else writeFileSync(goldenErr, stderr);
    }
    expect(out.stdout).toBe(readFileSync(goldenOut, 'utf8'));
    expect(stderr).toBe(existsSync(goldenErr) ? readFileSync(goldenErr, 'utf8') : '');
  });

  it('refuses an invalid actor with exit 1 and every error, naming the file, the document and the field', () => {
    const out = renderCommand(join(ROOT, 'test/corpus/invalid/duplicate-mount-path.yaml'), { output: 'yaml' });
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr.replaceAll(`${ROOT}/`, '')).toBe(
      'test/corpus/invalid/duplicate-mount-path.yaml:23:15: document 0 (AsyncActor duplicate-mount-path): error: spec.stateProxy[1].mount.path: duplicate mount path "/state/weights": already used by spec.stateProxy[0]\n',
    );
  });

  describe('a file with several actors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'render-multi-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const good = readFileSync(join(ROOT, 'examples/redis-cache.yaml'), 'utf8');
    const withName = (name: string, extra = '') => good.replace('name: cached-computation', `name: ${name}`) + extra;
    // Document 1 has a typo'd field and a bad path, document 2 a kind typo, document 3 is fine.
    const file = join(dir, 'actors.yaml');
    writeFileSync(
      file,
      [
        withName('first'),
        withName('second').replace('  handler: compute.cached_computation\n', '  handler: compute.cached_computation\n  statProxy: []\n').replace('path: /state/cache', 'path: /state/a:b'),
        'apiVersion: asya.sh/v1alpha1\nkind: AsyncActr\nmetadata:\n  name: third\n',
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n',
        withName('fourth'),
      ].join('---\n'),
    );

    it('renders every good actor, reports each bad one at its field, and exits 1', () => {
      const out = renderCommand(file, { output: 'yaml' });
      expect(out.code).toBe(1);
      const rendered = parseAllDocuments(out.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string } });
      expect(rendered.map((d) => `${d.kind} ${d.metadata.name}`)).toEqual(['AsyncActor first', 'Deployment first', 'AsyncActor fourth', 'Deployment fourth']);
      const f = file;
      expect(out.stderr.split('\n')).toEqual([
        `${f}:41:3: document 1 (AsyncActor second): error: spec.statProxy: unknown field "statProxy"`,
        `${f}:45:15: document 1 (AsyncActor second): error: spec.stateProxy[0].mount.path: mount path "/state/a:b" must not contain ':' (the runtime splits ASYA_STATE_PROXY_MOUNTS entries on ':')`,
        `${f}:55:7: document 2 (AsyncActr third): error: kind: kind "AsyncActr" is not a kind of API group asya.sh; did you mean AsyncActor?`,
        `${f}: document 3: skipped, kind ConfigMap (v1)`,
        `${f}: 2 of 4 actors rendered, 2 failed`,
        '',
      ]);
    });

    it('reports refusals that depend on the step input at the field too', () => {
      const input = join(dir, 'input.yaml');
      writeFileSync(input, 'apiVersion: stateproxy.fn.asya.sh/v1alpha1\nkind: Input\nallowedConnectorImages: [ghcr.io/other/]\n');
      const out = renderCommand(join(ROOT, 'examples/redis-cache.yaml'), { output: 'yaml', input });
      expect(out.code).toBe(1);
      expect(out.stdout).toBe('');
      expect(out.stderr).toMatch(/^\S+redis-cache\.yaml:20:16: document 0 \(AsyncActor cached-computation\): error: spec\.stateProxy\[0\]\.connector\.image: /);
    });

    it('reports what only the whole request refuses (a conflict with --desired) at the document', () => {
      const desired = join(dir, 'desired.yaml');
      writeFileSync(desired, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations: {crossplane.io/composition-resource-name: deployment}\n');
      const out = renderCommand(join(ROOT, 'examples/redis-cache.yaml'), { output: 'yaml', desired });
      expect(out.code).toBe(1);
      expect(out.stderr).toMatch(/^\S+redis-cache\.yaml:7:1: document 0 \(AsyncActor cached-computation\): error: desired resource "deployment" from an earlier step is a v1 ConfigMap/);
    });

    it('exits 2 once on an invalid step input, naming the input file and the field', () => {
      const input = join(dir, 'bad-input.yaml');
      writeFileSync(input, 'apiVersion: stateproxy.fn.asya.sh/v1alpha1\nkind: Input\nsidecarMode: sideways\n');
      const out = renderCommand(file, { output: 'yaml', input });
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(/^asya-state-proxy render: \S+bad-input\.yaml: invalid function input: input\.sidecarMode: /);
      expect(out.stderr.split('\n')).toHaveLength(2);
    });
  });

  it('exits 2 on a missing file or a file without an AsyncActor', () => {
    expect(renderCommand(join(ROOT, 'nope.yaml'), { output: 'yaml' }).code).toBe(2);
    const notActor = renderCommand(join(ROOT, 'examples/functions.yaml'), { output: 'yaml' });
    expect(notActor.code).toBe(2);
    expect(notActor.stderr).toMatch(/no AsyncActor document found/);
  });

  it('prints a v1 List with -o json', () => {
    const out = renderCommand(join(ROOT, 'examples/redis-cache.yaml'), { output: 'json' });
    const list = JSON.parse(out.stdout) as { kind: string; items: { kind: string }[] };
    expect(list.kind).toBe('List');
    expect(list.items.map((i) => i.kind)).toEqual(['AsyncActor', 'Deployment']);
  });
});
