/**
 * Our function as Crossplane reaches it in the e2e run: a process on 127.0.0.1 serving mutual TLS
 * with the control plane's CA, announced to Crossplane by a FunctionRevision we create ourselves
 * (the package manager never runs it: --package-runtime=External).
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { kubectl, waitFor } from './kube.js';
import { freePort, start, type Started } from './processes.js';
import { connect } from 'node:net';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The entry point moves to function/server/main.ts in the boundaries branch: take whichever exists. */
export const FUNCTION_ENTRY = [join(ROOT, 'function/server/main.ts'), join(ROOT, 'function/main.ts')].find((p) => existsSync(p))!;
export const FUNCTION_NAME = 'function-asya-state-proxy';

const tcpOpen = (port: number) =>
  new Promise<boolean | undefined>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(undefined));
  });

/** Starts the function on `port` (a free one when omitted) and resolves once it accepts connections. */
export async function startFunction(serverCertsDir: string, logDir: string, port?: number, name = FUNCTION_NAME): Promise<{ proc: Started; port: number }> {
  const p = port ?? (await freePort());
  const proc = start(`${name}-${Date.now()}`, process.execPath, ['--import', pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href, FUNCTION_ENTRY, `--address=127.0.0.1:${p}`, `--tls-server-certs-dir=${serverCertsDir}`], logDir);
  await waitFor(`${name} listening on 127.0.0.1:${p}`, async () => {
    if (proc.child.exitCode !== null) throw new Error(`${name} exited with ${proc.child.exitCode}; see ${proc.logFile}`);
    return tcpOpen(p);
  }, 60_000);
  return { proc, port: p };
}

/**
 * Starts another function binary (a peer such as function-go-templating) serving mutual TLS on a
 * free port with the same server certificate as ours, and resolves once it accepts connections.
 */
export async function startBinaryFunction(name: string, bin: string, serverCertsDir: string, logDir: string): Promise<{ proc: Started; port: number }> {
  const p = await freePort();
  // The certificates dir through TLS_SERVER_CERTS_DIR, as Crossplane's package runtime passes it:
  // function-sdk-go's flag is --tls-certs-dir, ours --tls-server-certs-dir; both read the variable.
  const proc = start(`${name}-${Date.now()}`, bin, [`--address=127.0.0.1:${p}`], logDir, { ...process.env, TLS_SERVER_CERTS_DIR: serverCertsDir });
  await waitFor(`${name} listening on 127.0.0.1:${p}`, async () => {
    if (proc.child.exitCode !== null) throw new Error(`${name} exited with ${proc.child.exitCode}; see ${proc.logFile}`);
    return tcpOpen(p);
  }, 60_000);
  return { proc, port: p };
}

/** Makes Crossplane dial 127.0.0.1:port for `functionRef.name: name` (the shortest way, see the reference doc). */
export async function registerFunction(name: string, port: number, kubeconfig?: string): Promise<void> {
  const revision = {
    apiVersion: 'pkg.crossplane.io/v1',
    kind: 'FunctionRevision',
    metadata: { name: `${name}-e2e`, labels: { 'pkg.crossplane.io/package': name }, annotations: { 'crossplane.io/paused': 'true' } },
    spec: { desiredState: 'Active', revision: 1, image: `e2e.local/${name}:dev`, ignoreCrossplaneConstraints: true },
  };
  await kubectl(['apply', '--server-side', '--field-manager=e2e', '-f', '-'], JSON.stringify(revision), kubeconfig);
  const status = { status: { endpoint: `127.0.0.1:${port}`, capabilities: ['composition'] } };
  await kubectl(['patch', 'functionrevision', `${name}-e2e`, '--subresource=status', '--type=merge', '-p', JSON.stringify(status)], undefined, kubeconfig);
}
