/**
 * A real control plane on loopback, without Docker: etcd, kube-apiserver, kube-controller-manager
 * (garbage collection and namespace deletion only) and Crossplane core with
 * `--package-runtime=External`. Binaries come from scripts/install-control-plane.sh; data, certs
 * and logs live in one temp dir. Facts behind the flags: ../shared/reference/real-control-plane.md.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubectl, waitFor } from './kube.js';
import { freePort, start, type Started, stop } from './processes.js';

export interface ControlPlane {
  readonly dir: string;
  readonly kubeconfig: string;
  /** The CA whose certificates Crossplane presents to functions and trusts from them. */
  readonly tls: TlsMaterial;
  readonly processes: readonly Started[];
}

export interface TlsMaterial {
  readonly caCert: string;
  readonly caKey: string;
  /** Crossplane's client certificate dir (ca.crt, tls.crt, tls.key). */
  readonly clientDir: string;
  /** A function server certificate dir valid for IP:127.0.0.1 (ca.crt, tls.crt, tls.key). */
  readonly serverDir: string;
}

const openssl = (cwd: string, ...args: string[]) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });

/** One CA; a client certificate for Crossplane and a server certificate for the functions. */
export function makeTls(dir: string): TlsMaterial {
  mkdirSync(dir, { recursive: true });
  openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=asya-e2e-ca', '-keyout', 'ca.key', '-out', 'ca.crt');
  const leaf = (name: string, cn: string, ext: string) => {
    const d = join(dir, name);
    mkdirSync(d);
    writeFileSync(join(d, 'ext'), ext);
    openssl(d, 'req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', 'tls.key', '-out', 'tls.csr');
    openssl(d, 'x509', '-req', '-in', 'tls.csr', '-CA', '../ca.crt', '-CAkey', '../ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'ext', '-out', 'tls.crt');
    execFileSync('cp', [join(dir, 'ca.crt'), join(d, 'ca.crt')]);
    return d;
  };
  return {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    clientDir: leaf('client', 'crossplane', 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n'),
    serverDir: leaf('server', 'function', 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n'),
  };
}

export async function startControlPlane(binDir: string, crdDir: string, dir: string): Promise<ControlPlane> {
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  const started: Started[] = [];
  try {
    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    started.push(start('etcd', join(binDir, 'etcd'), [
      '--name=e2e', `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`, `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`, `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=e2e=http://127.0.0.1:${peerPort}`, '--unsafe-no-fsync', '--log-level=warn',
    ], logs));

    const token = randomBytes(24).toString('hex');
    writeFileSync(join(dir, 'tokens.csv'), `${token},e2e-admin,e2e-admin,"system:masters"\n`);
    openssl(dir, 'genrsa', '-out', 'sa.key', '2048');
    openssl(dir, 'rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub');
    started.push(start('kube-apiserver', join(binDir, 'kube-apiserver'), [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`, '--bind-address=127.0.0.1', `--secure-port=${apiPort}`,
      '--advertise-address=127.0.0.1', `--cert-dir=${join(dir, 'apiserver-certs')}`,
      `--token-auth-file=${join(dir, 'tokens.csv')}`, '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc', `--service-account-key-file=${join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`, '--service-cluster-ip-range=10.0.0.0/24',
      '--endpoint-reconciler-type=none',
    ], logs));

    const kubeconfig = join(dir, 'kubeconfig');
    // The API server signs its own serving certificate: the test client skips verifying it.
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: e2e',
      'clusters: [{name: e2e, cluster: {server: "https://127.0.0.1:' + apiPort + '", insecure-skip-tls-verify: true}}]',
      'users: [{name: e2e, user: {token: "' + token + '"}}]',
      'contexts: [{name: e2e, context: {cluster: e2e, user: e2e, namespace: default}}]', '',
    ].join('\n'));
    await waitFor('kube-apiserver /readyz', async () => ((await kubectl(['get', '--raw=/readyz'], undefined, kubeconfig)).trim() === 'ok' ? true : undefined), 120_000);

    started.push(start('kube-controller-manager', join(binDir, 'kube-controller-manager'), [
      `--kubeconfig=${kubeconfig}`, '--controllers=garbage-collector-controller,namespace-controller',
      '--leader-elect=false', '--secure-port=0',
    ], logs));

    await kubectl(['apply', '--server-side', '-f', crdDir], undefined, kubeconfig);
    // New CRDs have no conditions for a moment, and `kubectl wait` errors on those: retry.
    await waitFor('Crossplane CRDs Established', () => kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=30s'], undefined, kubeconfig), 120_000, 1000);
    await kubectl(['create', 'namespace', 'crossplane-system'], undefined, kubeconfig);

    const tls = makeTls(join(dir, 'tls'));
    const [metricsPort, healthPort, webhookPort] = [await freePort(), await freePort(), await freePort()];
    // Crossplane does not create its cache dirs (in a pod they are mounted): without the xpkg
    // cache every package pull fails with "cannot parse package ...: io: read/write on closed pipe".
    mkdirSync(join(dir, 'xpkg-cache'), { recursive: true });
    mkdirSync(join(dir, 'xfn-cache'), { recursive: true });
    started.push(start('crossplane', join(binDir, 'crossplane'), [
      'core', 'start', '--package-runtime=External', '--enable-webhooks=false',
      `--tls-client-certs-dir=${tls.clientDir}`, `--xpkg-cache-dir=${join(dir, 'xpkg-cache')}`,
      `--xfn-cache-dir=${join(dir, 'xfn-cache')}`, '-n', 'crossplane-system',
      `--metrics-port=${metricsPort}`, `--health-probe-port=${healthPort}`, `--webhook-port=${webhookPort}`,
    ], logs, { ...process.env, KUBECONFIG: kubeconfig }));
    return { dir, kubeconfig, tls, processes: started };
  } catch (e) {
    for (const p of [...started].reverse()) await stop(p);
    throw e;
  }
}
