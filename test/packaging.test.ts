/**
 * The pieces a cluster installs must agree with each other: XRD, Composition, Function package,
 * the render functions file and the container image's entry point.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import { computeAnswer } from '../function/server/answer.js';
import { imageNodeFlags } from '../bench/spawn.js';
import { RawFunctionClient } from './support/grpc-client.js';
import { actorDoc, baseSpec, request } from './support/requests.js';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { parseStepInput } from '../function/input/schema.js';

const ROOT = join(import.meta.dirname, '..');
/** Node flags the image starts the function with (V8's main-thread nursery; bench/soak.ts --dist reads them from the Dockerfile). */
const IMAGE_NODE_FLAGS = ['--max-semi-space-size=8'];
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

  it('the Dockerfile and the Docker-free image build (scripts/build-image.sh) describe one image', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    const script = readFileSync(join(ROOT, 'scripts/build-image.sh'), 'utf8');
    const constant = (name: string) => script.match(new RegExp(`^readonly ${name}='([^']*)'$`, 'm'))?.[1];
    const entrypoint = JSON.parse(constant('ENTRYPOINT') ?? 'null') as string[];
    expect(entrypoint).toEqual(['/nodejs/bin/node', ...IMAGE_NODE_FLAGS, '/app/main.mjs']);
    // The benchmarks start the built entry point with the image's flags (bench/spawn.ts).
    expect(imageNodeFlags()).toEqual(IMAGE_NODE_FLAGS);
    expect(runtime).toMatch(/FROM gcr\.io\/distroless\/nodejs24-debian12:nonroot/);
    expect(runtime).toContain(`\nENTRYPOINT ${JSON.stringify(entrypoint).replace(/","/g, '", "')}\n`);
    expect(runtime).not.toMatch(/^CMD /m);
    expect(runtime).toMatch(new RegExp(`^USER ${constant('IMAGE_USER')}$`, 'm'));
    expect(constant('IMAGE_USER')).toBe('65532:65532');
    expect(runtime).toMatch(/^WORKDIR \/app$/m);
    expect(script).toContain('WorkingDir: "/app"');
    expect(runtime).toMatch(/^EXPOSE 9443$/m);
    expect(script).toContain('ExposedPorts: {"9443/tcp": {}}');
    expect(runtime).toContain('COPY --from=build /src/_build/app/main.mjs /app/main.mjs');
    expect(script).toContain('cp "${APP_BUNDLE}" "${app}/app/main.mjs"');
    expect(script).not.toMatch(/\bCmd:/);
  });

  it.runIf(existsSync(join(ROOT, '_build/image/runtime-amd64.tar')))('the built image config matches (when npm run package ran)', () => {
    const tar = execFileSync('tar', ['-xOf', join(ROOT, '_build/image/runtime-amd64.tar'), 'manifest.json'], { encoding: 'utf8' });
    const manifest = JSON.parse(tar) as Array<{ Config: string }>;
    const config = JSON.parse(execFileSync('tar', ['-xOf', join(ROOT, '_build/image/runtime-amd64.tar'), manifest[0]!.Config], { encoding: 'utf8' })) as Doc;
    expect(config['config']).toMatchObject({ User: '65532:65532', Entrypoint: ['/nodejs/bin/node', ...IMAGE_NODE_FLAGS, '/app/main.mjs'], WorkingDir: '/app', ExposedPorts: { '9443/tcp': {} } });
    expect(config['config']['Cmd']).toBeUndefined();
    expect(config['architecture']).toBe('amd64');
  });

  it('the Configuration package depends on the function and ships the XRD and Composition', () => {
    const conf = load('package-configuration/crossplane.yaml');
    expect(conf['kind']).toBe('Configuration');
    expect(conf['spec']['dependsOn']).toEqual([{ function: '${FUNCTION_PACKAGE}', version: '${FUNCTION_VERSION}' }]);
    const script = readFileSync(join(ROOT, 'scripts/build-configuration.sh'), 'utf8');
    expect(script).toContain('cp crds/asyncactors.asya.sh.xrd.yaml');
    expect(script).toContain('compositions/asyncactor-state-proxy.yaml');
  });

  it('the bundled entry point is also its own worker module: --workers 2 starts two workers that answer calls', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'asya-bundle-'));
    const out = join(dir, 'main.mjs');
    execFileSync('bash', ['scripts/bundle.sh', out], { cwd: ROOT, stdio: 'ignore' });
    const child = spawn(process.execPath, [out, '--insecure', '--address', '127.0.0.1:0', '--workers', '2', '--worker-min-bytes', '0', '--response-cache-entries', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 15_000;
      const waitFor = async (ready: () => boolean) => {
        while (!ready() && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 25));
      };
      await waitFor(() => log.includes('listening'));
      const port = (JSON.parse(log.split('\n').find((l) => l.includes('listening')) ?? '{}') as { port: number }).port;
      const client = new RawFunctionClient(`127.0.0.1:${port}`);
      const req = RunFunctionRequest.encode(request({ xr: actorDoc(baseSpec) })).finish();
      // Workers start on demand: the first call big enough for one (any, with --worker-min-bytes 0).
      expect((await client.callBytes(req)).equals(computeAnswer(req).out)).toBe(true);
      await waitFor(() => (log.match(/worker thread ready/g) ?? []).length >= 2);
      expect((log.match(/worker thread ready/g) ?? []).length).toBe(2);
      const got = await Promise.all([client.callBytes(req), client.callBytes(req), client.callBytes(req)]);
      client.close();
      for (const g of got) expect(g.equals(computeAnswer(req).out)).toBe(true);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(log).not.toMatch(/worker thread stopped/);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
