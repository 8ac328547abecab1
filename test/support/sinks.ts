/**
 * Where user-controlled strings land in a rendered pod ("sinks"), the constraint each must meet,
 * and ways to put hostile strings into the fields that feed them. Shared by
 * test/reliability/security.test.ts and bench/fuzz.ts.
 */
import fc from 'fast-check';
import { parseMountsEnv } from '../../function/render/index.js';
import { MOUNT_PATH_PATTERN } from '../../function/schema/async-actor.js';
import { PYTHON_EXECUTABLE_PATTERN } from '../../function/schema/rules.js';
import { validateAsyncActor } from '../../function/schema/validate.js';
import { buildRequest, fatals, serve } from './invariants.js';
import { baseSpec } from './requests.js';

type Obj = Record<string, unknown>;
interface Container {
  name: string;
  command?: string[];
  env?: Array<{ name: string; value?: string }>;
  startupProbe?: { exec?: { command?: string[] } };
  livenessProbe?: { exec?: { command?: string[] } };
  readinessProbe?: { exec?: { command?: string[] } };
}

const DNS = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const isDns = (s: string, max = 63) => s.length <= max && DNS.test(s);
const RUNTIME_CHECK = ['sh', '-c', 'test -S /var/run/asya/asya-runtime.sock && test -f /var/run/asya/runtime-ready'];

/** Every place in the pod a user-controlled string can land, with the constraint it must meet. */
export function sinkViolations(deployment: Obj, runtimeName = 'asya-runtime'): string[] {
  const problems: string[] = [];
  const bad = (what: string, v: unknown) => problems.push(`${what}: ${JSON.stringify(v)}`);
  const meta = deployment['metadata'] as { name: string; labels?: Record<string, string> };
  if (!isDns(meta.name)) bad('Deployment name', meta.name);
  for (const l of ['asya.sh/actor', 'app.kubernetes.io/name']) if (!isDns(meta.labels?.[l] ?? '')) bad(`label ${l}`, meta.labels?.[l]);

  const pod = (deployment['spec'] as { template: { spec: { containers: Container[]; initContainers?: Container[]; volumes?: Array<{ name: string }> } } }).template.spec;
  const all = [...(pod.initContainers ?? []), ...pod.containers];
  for (const c of all) {
    const connector = /^asya-state-proxy-(.*)$/.exec(c.name)?.[1];
    if (c.name === runtimeName || c.name === 'asya-sidecar') {
      // platform constants
    } else if (connector !== undefined) {
      if (!isDns(connector, 46)) bad('connector container name', c.name);
      const socket = `/var/run/asya/state/${connector}.sock`;
      if (c.env?.[0]?.name !== 'CONNECTOR_SOCKET' || c.env[0].value !== socket) bad('CONNECTOR_SOCKET', c.env?.[0]);
      const probe = c.startupProbe?.exec?.command;
      if (JSON.stringify(probe) !== JSON.stringify(['sh', '-c', `test -S ${socket}`])) bad('connector probe command', probe);
    } else if (!isDns(c.name) || c.name.startsWith('asya-')) {
      bad('user container name', c.name);
    }
  }
  for (const v of pod.volumes ?? []) if (!isDns(v.name)) bad('volume name', v.name);

  const runtime = pod.containers.find((c) => c.name === runtimeName);
  const [exe, script, ...rest] = runtime?.command ?? [];
  if (exe === undefined || !new RegExp(PYTHON_EXECUTABLE_PATTERN).test(exe) || script !== '/opt/asya/asya_runtime.py' || rest.length > 0) bad('runtime command', runtime?.command);
  for (const p of ['startupProbe', 'livenessProbe', 'readinessProbe'] as const) {
    if (JSON.stringify(runtime?.[p]?.exec?.command) !== JSON.stringify(RUNTIME_CHECK)) bad(`runtime ${p}`, runtime?.[p]);
  }
  const handler = runtime?.env?.find((e) => e.name === 'ASYA_HANDLER')?.value ?? '';
  if (/[\s\p{Cc}\p{Cf}\p{Z}]/u.test(handler) || !/^[^.]+(\.[^.]+)+$/u.test(handler)) bad('ASYA_HANDLER', handler);
  const mounts = runtime?.env?.find((e) => e.name === 'ASYA_STATE_PROXY_MOUNTS')?.value;
  if (mounts !== undefined) {
    const raw = mounts.split(';');
    const parsed = parseMountsEnv(mounts);
    if (parsed.length !== raw.length) bad('ASYA_STATE_PROXY_MOUNTS entries', mounts);
    for (const m of parsed) {
      if (!isDns(m.name, 46) || !new RegExp(MOUNT_PATH_PATTERN, 'u').test(m.path.slice(0, -1)) || m.ignored.length > 0) bad('ASYA_STATE_PROXY_MOUNTS entry', m);
    }
  }
  return problems;
}

/** Ways to put a hostile string into each user-controlled field that reaches the pod. */
export const TARGETS: ReadonlyArray<[string, (spec: Obj, doc: Obj, v: string) => void]> = [
  ['metadata.name', (_s, doc, v) => ((doc['metadata'] as Obj)['name'] = v)],
  ['spec.actor', (s, _d, v) => (s['actor'] = v)],
  ['spec.handler', (s, _d, v) => (s['handler'] = v)],
  ['spec.pythonExecutable', (s, _d, v) => (s['pythonExecutable'] = v)],
  ['spec.sidecars[0].name', (s, _d, v) => (s['sidecars'] = [{ name: v, image: 'envoy:1' }])],
  ['spec.initContainers[0].name', (s, _d, v) => (s['initContainers'] = [{ name: v, image: 'busybox:1' }])],
  // The generated actor's own mounts would name a volume this replaces, which is a different error.
  ['spec.volumes[0].name', (s, _d, v) => {
    s['volumes'] = [{ name: v, emptyDir: {} }];
    delete s['volumeMounts'];
    if (Array.isArray(s['sidecars'])) s['sidecars'] = s['sidecars'].map(({ volumeMounts: _m, ...c }: Obj) => c);
  }],
  ['spec.stateProxy[0].name', (s, _d, v) => (s['stateProxy'] = [{ ...baseSpec.stateProxy[0], name: v }])],
  ['spec.stateProxy[0].mount.path', (s, _d, v) => (s['stateProxy'] = [{ ...baseSpec.stateProxy[0], mount: { path: v } }])],
];

const HOSTILE = [
  'a b', 'x\u0000', 'x\u0000y', 'Upper', 'under_score', 'a;b', 'a:b', '$(id)', '`id`', '../x', 'a/b', '-lead', 'trail-', 'x'.repeat(64), 'y'.repeat(47),
  '\u202eevil', 'evil\u200b', ' python3', 'python3 -c "import os"', 'python3\n', '/usr/bin/python3\u0000', 'python3;reboot', '/state/a b', '/state//x',
  '/state/./x', '/state:x', '/var/run/asya/x', '/', 'handler.process ', 'handler..process', '.handler', 'handler', 'h\u0085.x', 'h\u00a0.x', 'm.f\u2028',
];
export const hostileString = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'binary', maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 20 }));


/** A hostile string in one sink field: refused with a FATAL naming the field, or every sink stays constrained. */
export function hostileSinkViolations(xr: Obj, [field, set]: (typeof TARGETS)[number], value: string): string[] {
  const doc = structuredClone(xr);
  set(doc['spec'] as Obj, doc, value);
  const { rsp } = serve(buildRequest({ xr: doc }));
  const fatal = fatals(rsp);
  if (validateAsyncActor(doc).ok) {
    if (fatal.length > 0) return [`FATAL on a valid document: ${fatal[0]?.message}`];
    return sinkViolations(rsp.desired?.resources['deployment']?.resource as Obj);
  }
  const names = field === 'metadata.name' ? ['metadata.name', 'spec.actor'] : [field];
  if (fatal.length !== 1) return [`${fatal.length} FATAL results for an invalid ${field}`];
  if (!names.some((n) => fatal[0]?.message.includes(n))) return [`the FATAL does not name ${field}: ${fatal[0]?.message}`];
  if (rsp.desired?.resources['deployment'] !== undefined) return ['a Deployment was rendered despite the FATAL'];
  return [];
}
