/**
 * Throwaway TLS material for tests, laid out as Crossplane's package runtime mounts it
 * (tls.key, tls.crt, ca.crt). Uses the system openssl; nothing is committed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ClientPair {
  readonly key: Buffer;
  readonly cert: Buffer;
}

export interface TlsDir {
  readonly dir: string;
  readonly caCert: Buffer;
  /** A client certificate signed by the same CA, as Crossplane presents one. */
  readonly client: ClientPair;
  /** A client certificate signed by an unrelated CA, which the server must refuse. */
  readonly foreignClient: ClientPair;
}

export function makeTlsDir(): TlsDir {
  const dir = mkdtempSync(join(tmpdir(), 'asya-tls-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=test-ca', '-keyout', 'ca.key', '-out', 'ca.crt');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'tls.key', '-out', 'tls.csr');
  run('x509', '-req', '-in', 'tls.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'san.ext', '-out', 'tls.crt');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
  const client = (ca: string, name: string): ClientPair => {
    run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    run('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-extfile', 'client.ext', '-out', `${name}.crt`);
    return { key: readFileSync(join(dir, `${name}.key`)), cert: readFileSync(join(dir, `${name}.crt`)) };
  };
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=other-ca', '-keyout', 'other-ca.key', '-out', 'other-ca.crt');
  return { dir, caCert: readFileSync(join(dir, 'ca.crt')), client: client('ca', 'client'), foreignClient: client('other-ca', 'foreign-client') };
}
