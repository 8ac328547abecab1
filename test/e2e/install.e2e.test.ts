/**
 * Installing the function and the API the way a user does, on a control plane of its own (the
 * XRD and Composition a Configuration installs would clash with the ones the global setup applied):
 *
 * 1. `crossplane xpkg push` the `.xpkg` that `npm run package` built to an OCI registry on
 *    127.0.0.1 (plain HTTP), apply a `Function` whose spec.package names it; Crossplane pulls it
 *    and makes the FunctionRevision. With --package-runtime=External nothing runs it, so the
 *    harness plays the package runtime: it creates the TLS secret the revision names in
 *    status.tlsServerSecretName, boots the package's runtime image with runc (the secret's files
 *    at /tls/server) and patches the revision's status.endpoint. Then the XRD and Composition are
 *    applied by hand and an example AsyncActor reconciles to a Deployment.
 * 2. The Configuration package (`_build/xpkg/configuration-asya-state-proxy.xpkg`, unchanged: it
 *    depends on xpkg.crossplane.io/asya/function-asya-state-proxy) is pushed and installed; an
 *    ImageConfig rewrites xpkg.crossplane.io/asya to the loopback registry, the way a mirror is
 *    configured. Crossplane installs the XRD and the Composition and resolves the Function as a
 *    dependency; an AsyncActor then reconciles through it.
 *
 * Plain HTTP: Crossplane has no insecure-registry flag or ImageConfig field; it pulls with
 * go-containerregistry, which speaks HTTP to a registry on 127.0.0.1/localhost/RFC 1918 addresses
 * (name.Registry.Scheme) when HTTPS fails. Verified here on the real core.
 *
 * Skipped with a message when `_build/xpkg` lacks the packages (run `npm run package`), except
 * with ASYA_E2E_REQUIRE_PACKAGE=1 (.ci/run), where that is a failure. Without root or runc the
 * function runs from source instead of the package image (said on stdout), again a failure under
 * ASYA_E2E_REQUIRE_PACKAGE=1.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleFiles } from '../corpus/corpus.js';
import { contractViolations, parseActor } from './support/actors.js';
import { type ControlPlane, startControlPlane } from './support/control-plane.js';
import { startFunction } from './support/function-process.js';
import { condition, kubectl, waitFor } from './support/kube.js';
import { type BootedPackage, bootPackage, runcUnavailable } from './support/package-runtime.js';
import { pushPackage, startRegistry } from './support/registry.js';
import { stopAll } from './support/processes.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FUNCTION_XPKG = join(ROOT, '_build/xpkg/function-asya-state-proxy-amd64.xpkg');
const CONFIGURATION_XPKG = join(ROOT, '_build/xpkg/configuration-asya-state-proxy.xpkg');
const VERSION = `v${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}`;
const REQUIRE = process.env['ASYA_E2E_REQUIRE_PACKAGE'] === '1';

const missing = [FUNCTION_XPKG, CONFIGURATION_XPKG].filter((f) => !existsSync(f));
if (missing.length > 0) {
  const why = `${missing.join(' and ')} missing: run \`npm run package\` first`;
  if (REQUIRE) throw new Error(`install e2e: ${why} (ASYA_E2E_REQUIRE_PACKAGE=1)`);
  process.stdout.write(`install e2e skipped: ${why}\n`);
}
const noRunc = runcUnavailable();
if (noRunc !== undefined && REQUIRE) throw new Error(`install e2e: cannot boot the package image: ${noRunc} (ASYA_E2E_REQUIRE_PACKAGE=1)`);

type Doc = Record<string, any>;
const NS = 'e2e-install';
const example = exampleFiles().find((f) => f.name.replace(/\.yaml$/, '') === 'model-weights-s3') ?? exampleFiles()[0]!;

describe.skipIf(missing.length > 0).sequential('installing the packages as a user does', () => {
  let cp: ControlPlane;
  let dir: string;
  let registry: string;
  let booted: BootedPackage | undefined;
  let endpoint: string | undefined;
  const k = (args: string[], input?: string) => kubectl(args, input, cp.kubeconfig);
  const get = async (kind: string, name: string, ns?: string): Promise<Doc | undefined> => {
    try {
      return JSON.parse(await k(['get', kind, name, '-o', 'json', ...(ns ? ['-n', ns] : [])])) as Doc;
    } catch (e) {
      if (/NotFound|not found/.test(String(e))) return undefined;
      throw e;
    }
  };
  const list = async (kind: string, selector: string, ns?: string) =>
    (JSON.parse(await k(['get', kind, '-l', selector, '-o', 'json', ...(ns ? ['-n', ns] : [])])) as { items: Doc[] }).items;
  const waitCondition = (kind: string, name: string, type: string, timeoutMs = 120_000, ns?: string) =>
    waitFor(`${kind}/${name} ${type}=True`, async () => {
      const o = await get(kind, name, ns);
      return condition(o, type)?.status === 'True' ? o : undefined;
    }, timeoutMs, 500);

  /** A wait that, when it times out, says what `kind/name` reported (its conditions). */
  async function explained<T>(what: string, read: () => Promise<Doc | undefined>, wait: Promise<T>): Promise<T> {
    try {
      return await wait;
    } catch (e) {
      const o = await read().catch(() => undefined);
      const conditions = (o?.['status']?.['conditions'] ?? []) as Doc[];
      throw new Error(`${(e as Error).message}; ${what} conditions: ${conditions.map((c) => `${c['type']}=${c['status']} (${c['reason']}: ${c['message'] ?? ''})`).join('; ') || 'none'}`);
    }
  }

  /**
   * The package runtime's part for the revision of Function `name`: its TLS secret (server
   * certificate from the control plane's CA, valid for 127.0.0.1) and its endpoint. Returns the
   * revision as Crossplane made it.
   */
  async function playPackageRuntime(name: string): Promise<Doc> {
    const rev = await explained(`Function ${name}`, () => get('function', name), waitFor(`FunctionRevision of Function ${name}`, async () => {
      const r = (await list('functionrevisions', `pkg.crossplane.io/package=${name}`))[0];
      return r?.['spec']?.['image'] ? r : undefined;
    }, 120_000, 500));
    // With the Deployment runtime the package manager names the secret in the revision's spec
    // (`<function>-tls-server`) and the runtime's hook copies it to status, the "observed" name
    // the revision waits for before it establishes the package's CRDs ("waiting for package
    // runtime controller to set revision's webhook TLS secret"). --package-runtime=External does
    // neither, so the harness sets status.tlsServerSecretName itself, with Crossplane's name.
    const secret = (rev['status']?.['tlsServerSecretName'] ?? rev['spec']['tlsServerSecretName'] ?? `${name}-tls-server`) as string;
    process.stdout.write(`install e2e: revision ${rev['metadata']['name']}: spec.tlsServerSecretName=${rev['spec']['tlsServerSecretName']} status.tlsServerSecretName=${rev['status']?.['tlsServerSecretName']}\n`);
    await k(['create', 'secret', 'generic', secret, '-n', 'crossplane-system',
      `--from-file=tls.crt=${join(cp.tls.serverDir, 'tls.crt')}`, `--from-file=tls.key=${join(cp.tls.serverDir, 'tls.key')}`, `--from-file=ca.crt=${join(cp.tls.serverDir, 'ca.crt')}`]);
    // One booted package serves both phases: the dependency's secret holds the same certificate.
    if (booted === undefined && endpoint === undefined) await bootFromSecret(secret);
    await k(['patch', 'functionrevision', rev['metadata']['name'], '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { endpoint, tlsServerSecretName: secret } })]);
    // Crossplane fills in what it read from the package (capabilities) as it reconciles.
    return waitFor(`FunctionRevision ${rev['metadata']['name']} with status.capabilities`, async () => {
      const r = await get('functionrevision', rev['metadata']['name']);
      return r?.['status']?.['capabilities'] ? r : undefined;
    }, 60_000, 500);
  }

  /** Boots the package image with the secret's files (read back from the API server) at /tls/server. */
  async function bootFromSecret(secret: string) {
    const data = (await get('secret', secret, 'crossplane-system'))!['data'] as Record<string, string>;
    const tlsDir = join(dir, 'secret-tls');
    mkdirSync(tlsDir, { recursive: true });
    // The image's non-root user must read them, as it would a mounted secret (mode 0644).
    chmodSync(tlsDir, 0o755);
    for (const f of ['tls.crt', 'tls.key', 'ca.crt']) writeFileSync(join(tlsDir, f), Buffer.from(data[f]!, 'base64'), { mode: 0o644 });
    if (noRunc === undefined) {
      booted = await bootPackage(FUNCTION_XPKG, tlsDir, join(dir, 'bundle'), join(dir, 'logs'));
      endpoint = `127.0.0.1:${booted.port}`;
      process.stdout.write(`install e2e: package image booted with runc (read-only root, the image's user, TLS from secret ${secret}) in ${booted.bootMs} ms\n`);
    } else {
      process.stdout.write(`install e2e: running the function from source, not the package image: ${noRunc}\n`);
      endpoint = `127.0.0.1:${(await startFunction(tlsDir, join(dir, 'logs'))).port}`;
    }
  }

  beforeAll(async () => {
    const t0 = Date.now();
    const binDir = execFileSync(join(ROOT, 'scripts/install-control-plane.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
    dir = mkdtempSync(join(tmpdir(), 'asya-e2e-install-'));
    cp = await startControlPlane(binDir, join(binDir, '..', 'crds'), dir);
    registry = (await startRegistry(binDir, join(dir, 'logs'))).address;
    const crank = process.env['CRANK'] || execFileSync(join(ROOT, 'scripts/install-crossplane-cli.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
    await pushPackage(crank, FUNCTION_XPKG, `${registry}/asya/function-asya-state-proxy:${VERSION}`);
    await pushPackage(crank, CONFIGURATION_XPKG, `${registry}/asya/configuration-asya-state-proxy:${VERSION}`);
    process.stdout.write(`install e2e: own control plane + registry ${registry} up and both packages pushed in ${Date.now() - t0} ms\n`);
  });

  afterAll(async () => {
    await booted?.stop();
    await stopAll();
    if (dir !== undefined && process.env['ASYA_E2E_KEEP'] === undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('a Function from the registry: Crossplane pulls it and makes the revision; the booted package reconciles an AsyncActor', async () => {
    const t0 = Date.now();
    await k(['apply', '-f', '-'], dump({
      apiVersion: 'pkg.crossplane.io/v1',
      kind: 'Function',
      metadata: { name: 'function-asya-state-proxy' },
      spec: { package: `${registry}/asya/function-asya-state-proxy:${VERSION}` },
    }));
    const rev = await playPackageRuntime('function-asya-state-proxy');
    // Crossplane read these from the package it pulled, not from us.
    expect(rev['spec']['image']).toBe(`${registry}/asya/function-asya-state-proxy:${VERSION}`);
    expect(rev['status']['capabilities']).toEqual(['composition']);
    const fn = await waitCondition('function', 'function-asya-state-proxy', 'Installed');
    process.stdout.write(`install e2e: Function pulled, revision ${rev['metadata']['name']} made, Installed=True in ${Date.now() - t0} ms\n`);
    expect(fn['status']['currentRevision']).toBe(rev['metadata']['name']);

    await k(['apply', '--server-side', '-f', join(ROOT, 'crds/asyncactors.asya.sh.xrd.yaml')]);
    await waitFor('XRD-made CRD Established', () => k(['wait', '--for=condition=Established', 'crd/asyncactors.asya.sh', '--timeout=10s']), 120_000, 1000);
    await k(['apply', '--server-side', '-f', join(ROOT, 'compositions/asyncactor-state-proxy.yaml')]);
    const d = await reconcileExample();
    expect(d).toBeDefined();

    // Make room for the Configuration, which owns the same XRD and Composition.
    await k(['delete', 'asyncactor', '--all', '-n', NS, '--wait=true', '--timeout=60s']);
    await k(['delete', 'composition', 'asyncactors.asya.sh', '--wait=true']);
    await k(['delete', 'compositeresourcedefinition', 'asyncactors.asya.sh', '--wait=true', '--timeout=60s']);
    await waitFor('CRD asyncactors.asya.sh gone', async () => ((await get('crd', 'asyncactors.asya.sh')) === undefined ? true : undefined), 60_000, 500);
    await k(['delete', 'function', 'function-asya-state-proxy', '--wait=true', '--timeout=60s']);
  });

  it('a Configuration from the registry installs the API and resolves the Function dependency; an AsyncActor reconciles', async () => {
    const t0 = Date.now();
    // A mirror, as a user configures one: the dependency's registry rewritten to ours.
    await k(['apply', '-f', '-'], dump({
      apiVersion: 'pkg.crossplane.io/v1beta1',
      kind: 'ImageConfig',
      metadata: { name: 'asya-mirror' },
      spec: { matchImages: [{ type: 'Prefix', prefix: 'xpkg.crossplane.io/asya/' }], rewriteImage: { prefix: `${registry}/asya/` } },
    }));
    await k(['apply', '-f', '-'], dump({
      apiVersion: 'pkg.crossplane.io/v1',
      kind: 'Configuration',
      metadata: { name: 'configuration-asya-state-proxy' },
      spec: { package: `${registry}/asya/configuration-asya-state-proxy:${VERSION}` },
    }));
    // Crossplane names the dependency after its repository path (see scripts/build-configuration.sh).
    const fnName = 'asya-function-asya-state-proxy';
    const fn = await explained('Configuration configuration-asya-state-proxy', () => get('configuration', 'configuration-asya-state-proxy'),
      waitFor(`dependency Function ${fnName} created by Crossplane`, () => get('function', fnName), 120_000, 500));
    process.stdout.write(`install e2e: dependency Function ${fnName} (package ${fn['spec']['package']}) created ${Date.now() - t0} ms after the Configuration\n`);
    const rev = await playPackageRuntime(fnName);
    // The dependency keeps the package's own reference; the ImageConfig rewrite shows as the
    // resolved one, which is what Crossplane pulled.
    expect(rev['spec']['image']).toBe(`xpkg.crossplane.io/asya/function-asya-state-proxy:${VERSION}`);
    const resolved = (await get('function', fnName))!['status']['resolvedPackage'] as string | undefined;
    process.stdout.write(`install e2e: dependency revision image ${rev['spec']['image']}, Function status.resolvedPackage ${resolved}\n`);
    expect(resolved).toBe(`${registry}/asya/function-asya-state-proxy:${VERSION}`);
    await waitCondition('function', fnName, 'Installed');
    const conf = await waitCondition('configuration', 'configuration-asya-state-proxy', 'Installed');
    process.stdout.write(`install e2e: Configuration Installed=True ${Date.now() - t0} ms after apply; conditions ${JSON.stringify(conf['status']['conditions'].map((c: Doc) => `${c.type}=${c.status}`))}\n`);

    await waitFor('XRD-made CRD from the Configuration Established', () => k(['wait', '--for=condition=Established', 'crd/asyncactors.asya.sh', '--timeout=10s']), 120_000, 1000);
    const composition = (await get('composition', 'asyncactors.asya.sh'))!;
    const refs = (composition['spec']['pipeline'] as Doc[]).map((s) => s['functionRef']['name']);
    expect(refs).toContain(fnName);
    expect(composition['metadata']['ownerReferences'].map((o: Doc) => o.kind)).toContain('ConfigurationRevision');
    const d = await reconcileExample();
    expect(d).toBeDefined();
  });

  /** The example actor through whatever Function/Composition are installed; its Deployment keeps the contract. */
  async function reconcileExample() {
    const actor = parseActor(example.text);
    actor.metadata = { ...actor.metadata, namespace: NS };
    await k(['create', 'namespace', NS]).catch((e: Error) => {
      if (!/AlreadyExists/.test(e.message)) throw e;
    });
    const t0 = Date.now();
    await k(['apply', '--server-side', '--field-manager=e2e', '-f', '-'], dump(actor));
    const d = await waitFor(`Deployment composed for ${NS}/${actor.metadata.name}`, async () => {
      const x = (await list('deployments', `crossplane.io/composite=${actor.metadata.name}`, NS))[0];
      return x !== undefined ? x : undefined;
    }, 120_000, 250);
    process.stdout.write(`install e2e: ${example.name} -> Deployment on the API server ${Date.now() - t0} ms after apply\n`);
    expect(contractViolations(actor, d as never)).toEqual([]);
    return d;
  }
});
