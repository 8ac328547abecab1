/**
 * The pieces a cluster installs must agree with each other: XRD, Composition, Function package,
 * the render functions file and the container image's entry point.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { parseStepInput } from '../function/input/schema.js';

const ROOT = join(import.meta.dirname, '..');
type Doc = Record<string, any>;
const load = (p: string): Doc => parse(readFileSync(join(ROOT, p), 'utf8')) as Doc;

describe('packaging', () => {
  const xrd = load('crds/asyncactors.asya.sh.xrd.yaml');
  const composition = load('compositions/asyncactor-state-proxy.yaml');
  const pkg = load('package/crossplane.yaml');
  const functions = parseAllDocuments(readFileSync(join(ROOT, 'examples/functions.yaml'), 'utf8')).map((d) => d.toJS() as Doc);

  it('the Composition is the XRD default and composes its kind in Pipeline mode', () => {
    expect(composition['apiVersion']).toBe('apiextensions.crossplane.io/v1');
    expect(composition['spec']['mode']).toBe('Pipeline');
    expect(xrd['spec']['defaultCompositionRef']).toEqual({ name: composition['metadata']['name'] });
    expect(composition['spec']['compositeTypeRef']).toEqual({
      apiVersion: `${xrd['spec']['group']}/${xrd['spec']['versions'][0]['name']}`,
      kind: xrd['spec']['names']['kind'],
    });
  });

  it('every step of ours carries a valid input and names the packaged function', () => {
    const steps = (composition['spec']['pipeline'] as Doc[]).filter((s) => s['functionRef']['name'] === pkg['metadata']['name']);
    expect(steps).toHaveLength(1);
    expect(parseStepInput(steps[0]?.['input']).ok).toBe(true);
    expect(functions.map((f) => f['metadata']['name'])).toEqual([pkg['metadata']['name']]);
    expect(functions[0]?.['metadata']['annotations']['render.crossplane.io/runtime']).toBe('Development');
  });

  it('the package is a composition Function', () => {
    expect(pkg['apiVersion']).toMatch(/^meta\.pkg\.crossplane\.io\/v1/);
    expect(pkg['kind']).toBe('Function');
    expect(pkg['spec']['capabilities']).toContain('composition');
  });

  it('the image runs the compiled entry point as ENTRYPOINT, non-root, with no CMD', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/FROM gcr\.io\/distroless\/nodejs24-debian12:nonroot/);
    expect(runtime).toMatch(/^ENTRYPOINT \["\/nodejs\/bin\/node", "dist\/function\/server\/main\.js"\]$/m);
    expect(runtime).not.toMatch(/^CMD /m);
    expect(runtime).toMatch(/^USER 65532:65532$/m);
    expect(existsSync(join(ROOT, 'function/server/main.ts'))).toBe(true);
    const build = load('tsconfig.build.json');
    expect(build['include']).toContain('function/**/*.ts');
  });
});
