/**
 * What the mount guard does in a real kernel, not only in the YAML: the runtime container's
 * volume mounts of a rendered pod are reproduced in a private mount namespace (unshare -m) on a
 * tmpfs scratch root (an emptyDir is a fresh directory, `readOnly` a read-only bind mount, as the
 * kubelet does it), and a C-level write (`dd`, which never goes through Python's hooks) is made
 * under each mount path. Under the guarded mount it fails with EROFS; under the mount whose guard
 * is off (`mount.guard: false`), once the directory exists on the container disk, the same write
 * succeeds and the file lands there, where the next restart loses it.
 *
 * Needs root and util-linux `unshare`; skipped with a message otherwise.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Container, V1Volume } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { renderDeployment } from '../function/render/deployment.js';
import { DEFAULT_INPUT, makeActor } from '../function/render/fixtures.testkit.js';

function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  const probe = spawnSync('unshare', ['-m', '--propagation', 'private', 'true'], { encoding: 'utf8' });
  if (probe.error !== undefined) return `unshare not available (${probe.error.message})`;
  if (probe.status !== 0) return `unshare -m refused: ${probe.stderr.trim()}`;
  return undefined;
}

const reason = skipReason();
if (reason !== undefined) console.warn(`guard-effect: skipped (${reason}); run as root with util-linux unshare to see the guard refuse a C-level write`);

const image = 'ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww:v1.0.0';
const actor = makeActor({
  stateProxy: [
    { name: 'weights', mount: { path: '/state/weights' }, connector: { image } },
    { name: 'cache', mount: { path: '/state/cache', guard: false }, connector: { image } },
  ],
});

const pod = renderDeployment(actor, DEFAULT_INPUT).spec?.template.spec;
const runtime = pod?.containers.find((c) => c.name === 'asya-runtime') as V1Container;
const volumes = new Map((pod?.volumes ?? []).map((v: V1Volume) => [v.name, v]));
/** The runtime's read-only emptyDir mounts: what the guard is in the pod. */
const guardMounts = (runtime.volumeMounts ?? []).filter((m) => m.readOnly === true && volumes.get(m.name)?.emptyDir !== undefined);

/** Shell that recreates the pod's guard mounts under `$1` and writes with dd under each mount path. */
function script(): string {
  const lines = ['set -eu', 'root=$1', 'mount -t tmpfs -o size=4m tmpfs "$root"'];
  for (const m of guardMounts) {
    const src = `"$root/.volumes/${m.name}"`;
    lines.push(`mkdir -p ${src} "$root${m.mountPath}"`, `mount --bind ${src} "$root${m.mountPath}"`, `mount -o remount,bind,ro "$root${m.mountPath}"`);
  }
  for (const entry of actor.spec.stateProxy ?? []) {
    const dir = `"$root${entry.mount.path}"`;
    // An unguarded path exists on the container disk once anything made it (Path.mkdir, the image).
    lines.push(`[ -d ${dir} ] || mkdir -p ${dir}`);
    lines.push(`if out=$(dd if=/dev/zero of=${dir}/data.bin bs=16 count=1 2>&1); then echo "${entry.name}: ok $(ls ${dir})"; else echo "${entry.name}: failed $out" | tr '\\n' ' '; echo; fi`);
  }
  return lines.join('\n');
}

describe.skipIf(reason !== undefined)('mount guard, in a private mount namespace', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'guard-effect-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('renders the guard for the guarded mount only', () => {
    expect(guardMounts).toEqual([{ name: 'state-guard-weights', mountPath: '/state/weights', readOnly: true }]);
  });

  it('a C-level write under the guarded path fails with EROFS; under the unguarded one it lands on the container disk', () => {
    const out = execFileSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script(), 'guard-effect', scratch], { encoding: 'utf8' });
    const byMount = Object.fromEntries(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
    expect(byMount['weights']).toMatch(/^failed .*Read-only file system/);
    expect(byMount['cache']).toBe('ok data.bin');
  });
});
