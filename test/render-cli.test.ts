/**
 * `asya-state-proxy render` on every example, compared with reviewed golden files under
 * test/golden/render/ (the documents on stdout, and the warnings on stderr when there are any).
 * These need no Crossplane CLI; test/crossplane/render.test.ts pins the same examples through the
 * real `crossplane render`.
 *
 * Regenerate deliberately with `UPDATE_GOLDEN=1 npx vitest run test/render-cli.test.ts`, then
 * review the diff like code.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
    expect(out.stderr).toMatch(/duplicate-mount-path\.yaml: document 0: error: invalid AsyncActor/);
    expect(out.stderr).toMatch(/spec\.stateProxy\[1\]\.mount\.path: duplicate mount path/);
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
