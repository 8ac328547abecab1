/**
 * Runs the function from its package the way Crossplane's package runtime would: the runtime image
 * embedded in the `.xpkg` (a docker-archive whose first manifest entry is that image), booted with
 * runc with a read-only root, the image's own user, entry point, working directory and env, no
 * capabilities, no new privileges, and the TLS server secret's files mounted read-only at
 * /tls/server (the function's default --tls-server-certs-dir, where a pod gets them). Only the
 * network namespace is shared with the host, so Crossplane reaches it on 127.0.0.1.
 *
 * Same recipe as scripts/smoke-package.sh, without --insecure: Crossplane always speaks mutual TLS.
 * Needs root and runc (scripts/install-package-tools.sh).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './kube.js';
import { freePort, start, type Started, stop } from './processes.js';
import { connect } from 'node:net';

export interface BootedPackage {
  readonly proc: Started;
  readonly port: number;
  readonly container: string;
  readonly bootMs: number;
  /** SIGTERM through runc, then `runc delete --force` (also after a failed stop). */
  readonly stop: () => Promise<void>;
}

interface ImageConfig { config: { Entrypoint?: string[]; Cmd?: string[]; Env?: string[]; User?: string; WorkingDir?: string } }

/** Why the package cannot be booted here (undefined: it can). */
export function runcUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'runc needs root here';
  if (spawnSync('runc', ['--version']).status !== 0) return 'runc is not installed (scripts/install-package-tools.sh)';
  return undefined;
}

const tcpOpen = (port: number) =>
  new Promise<boolean | undefined>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(undefined));
  });

/** Unpacks `xpkg` under `dir` and boots its runtime image with `tlsDir` at /tls/server. */
export async function bootPackage(xpkg: string, tlsDir: string, dir: string, logDir: string): Promise<BootedPackage> {
  const image = join(dir, 'image');
  const rootfs = join(dir, 'rootfs');
  mkdirSync(image, { recursive: true });
  mkdirSync(rootfs, { recursive: true });
  execFileSync('tar', ['-xf', xpkg, '-C', image]);
  const manifest = JSON.parse(readFileSync(join(image, 'manifest.json'), 'utf8')) as Array<{ Config: string; Layers: string[] }>;
  const entry = manifest[0];
  if (entry === undefined) throw new Error(`${xpkg}: manifest.json lists no image`);
  // GNU tar detects gzip itself when reading a file.
  for (const layer of entry.Layers) execFileSync('tar', ['-xf', join(image, layer), '-C', rootfs]);
  const cfg = (JSON.parse(readFileSync(join(image, entry.Config), 'utf8')) as ImageConfig).config;
  if (!cfg.Entrypoint?.length) throw new Error(`${xpkg}: the runtime image has no Entrypoint`);
  const [uid, gid] = (cfg.User ?? '').split(':').map(Number);
  if (uid === undefined || gid === undefined || Number.isNaN(uid) || Number.isNaN(gid)) throw new Error(`${xpkg}: image user "${cfg.User}" is not UID:GID`);

  execFileSync('runc', ['spec'], { cwd: dir });
  const spec = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, any>;
  const port = await freePort();
  spec['process'] = {
    ...spec['process'],
    terminal: false,
    // What Crossplane's runtime passes: the image's entry point; the address flag only because
    // the host network is shared and 9443 may be taken.
    args: [...cfg.Entrypoint, ...(cfg.Cmd ?? []), `--address=127.0.0.1:${port}`],
    cwd: cfg.WorkingDir || '/',
    env: cfg.Env ?? [],
    user: { uid, gid },
    noNewPrivileges: true,
    capabilities: { bounding: [], effective: [], permitted: [], ambient: [] },
  };
  delete spec['process']['rlimits'];
  spec['root'] = { path: 'rootfs', readonly: true };
  spec['mounts'] = [...(spec['mounts'] as unknown[]), { destination: '/tls/server', type: 'bind', source: tlsDir, options: ['rbind', 'ro'] }];
  spec['linux']['namespaces'] = (spec['linux']['namespaces'] as Array<{ type: string }>).filter((n) => n.type !== 'network' && n.type !== 'user');
  delete spec['linux']['uidMappings'];
  delete spec['linux']['gidMappings'];
  writeFileSync(join(dir, 'config.json'), JSON.stringify(spec, null, 2));

  const container = `asya-e2e-${process.pid}-${port}`;
  const t0 = Date.now();
  const proc = start(container, 'runc', ['run', '--bundle', dir, container], logDir);
  const remove = () => void spawnSync('runc', ['delete', '--force', container]);
  try {
    await waitFor(`the packaged function (runc ${container}) listening on 127.0.0.1:${port}`, async () => {
      if (proc.child.exitCode !== null) throw new Error(`runc exited with ${proc.child.exitCode}; see ${proc.logFile}`);
      return tcpOpen(port);
    }, 60_000, 100);
  } catch (e) {
    await stop(proc, 2000);
    remove();
    throw e;
  }
  const bootMs = Date.now() - t0;
  // runc in the foreground forwards SIGTERM to the container's process.
  return { proc, port, container, bootMs, stop: async () => { await stop(proc, 5000); remove(); } };
}
