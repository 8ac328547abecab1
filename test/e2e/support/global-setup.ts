/**
 * vitest globalSetup for `npm run e2e`: ONE real control plane for the whole run (etcd,
 * kube-apiserver, kube-controller-manager, Crossplane core), our function behind mutual TLS wired
 * in through a FunctionRevision, and the project's XRD and Composition applied. Tests reach it
 * only through ASYA_E2E_KUBECONFIG (and ASYA_E2E_TLS_SERVER_DIR / ASYA_E2E_DIR to start extra
 * function instances). Everything started here is stopped on teardown, failure and Ctrl-C.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startControlPlane } from './control-plane.js';
import { FUNCTION_NAME, registerFunction, startFunction } from './function-process.js';
import { kubectl, waitFor } from './kube.js';
import { stopAll, stopAllOnSignals } from './processes.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export default async function setup(): Promise<() => Promise<void>> {
  stopAllOnSignals();
  const t0 = Date.now();
  // Builds on the first run (about 10 minutes cold), then only checks the cache.
  const binDir = execFileSync(join(ROOT, 'scripts/install-control-plane.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
  const tBuilt = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'asya-e2e-'));
  const teardown = async () => {
    await stopAll();
    if (process.env['ASYA_E2E_KEEP'] === undefined) rmSync(dir, { recursive: true, force: true });
  };
  try {
    const cp = await startControlPlane(binDir, join(binDir, '..', 'crds'), dir);
    const kc = cp.kubeconfig;
    const fn = await startFunction(cp.tls.serverDir, join(dir, 'logs'));
    await registerFunction(FUNCTION_NAME, fn.port, kc);
    await kubectl(['apply', '--server-side', '-f', join(ROOT, 'crds/asyncactors.asya.sh.xrd.yaml')], undefined, kc);
    await waitFor('XRD-made CRD asyncactors.asya.sh Established', () =>
      kubectl(['wait', '--for=condition=Established', 'crd/asyncactors.asya.sh', '--timeout=10s'], undefined, kc), 120_000, 1000);
    for (const c of ['asyncactor-state-proxy', 'workload-identity-aws', 'workload-identity-gcp', 'workload-identity-azure']) {
      await kubectl(['apply', '--server-side', '-f', join(ROOT, `compositions/${c}.yaml`)], undefined, kc);
    }
    process.env['ASYA_E2E_KUBECONFIG'] = kc;
    process.env['ASYA_E2E_TLS_SERVER_DIR'] = cp.tls.serverDir;
    process.env['ASYA_E2E_DIR'] = dir;
    process.stderr.write(`e2e: control plane cache check ${tBuilt - t0} ms, bring-up ${Date.now() - tBuilt} ms (kubeconfig ${kc}, logs ${join(dir, 'logs')})\n`);
    return teardown;
  } catch (e) {
    process.stderr.write(`e2e: bring-up failed; logs in ${join(dir, 'logs')}\n`);
    process.env['ASYA_E2E_KEEP'] = '1';
    await teardown();
    throw e;
  }
}
