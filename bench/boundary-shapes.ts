/**
 * The hostile-but-legal requests of about 4 MiB that bench/boundaries.ts (in process) and
 * bench/boundaries-wire.ts (over gRPC, to the built server) answer: one AsyncActor document per
 * shape, sized so that its request stays just under the 4 MiB receive limit, and 4 MiB of
 * earlier-step ConfigMaps.
 */
import * as wire from '../function/wire/messages.js';
import { MAX_LABEL_MAP_SIZE } from '../function/schema/k8s.js';
import { tinyEntries } from '../test/support/label-maps.js';
import { actorDoc, actorDocWithLabels, baseSpec, request, weightsMount } from '../test/support/requests.js';

export const MiB = 1024 * 1024;

export const WIRE_LIMIT = 4 * MiB - 16 * 1024;
export const wireOf = (doc: Record<string, unknown>) => wire.encode(wire.RunFunctionRequest, request({ xr: doc }) as unknown as Record<string, unknown>);

const mount = (i: number) => ({ ...weightsMount, name: `m${i}`, mount: { path: `/state/m${i}` } });
/** As many copies of `make(i)` as fit in about `bytes` of JSON. */
function fill<T>(bytes: number, make: (i: number) => T): T[] {
  const one = JSON.stringify(make(0)).length + 1;
  return Array.from({ length: Math.floor(bytes / one) }, (_, i) => make(i));
}
const nested = (depth: number, width: number): unknown => {
  let v: unknown = 'leaf';
  for (let d = 0; d < depth; d++) v = Object.fromEntries(Array.from({ length: width }, (_, k) => [`k${k}`, k === 0 ? v : 'x']));
  return v;
};

/** A shape is a whole AsyncActor document of about `target` bytes; most vary only the spec. */
export type Shape = [string, (target: number) => Record<string, unknown>];
const inSpec = (name: string, make: (target: number) => Record<string, unknown>): Shape => [name, (target) => actorDoc(make(target))];

export const shapes: Shape[] = [
  inSpec('stateProxy: 4 MB of mounts (over the 32 limit)', (target) => ({ ...baseSpec, stateProxy: fill(target, mount) })),
  inSpec('stateProxy: 4 MB of nested mount paths /a/a/a...', (target) => ({ ...baseSpec, stateProxy: fill(target, (i) => ({ ...mount(i), mount: { path: `/a${'/a'.repeat(i % 120)}` } })) })),
  inSpec('stateProxy: 4 MB of duplicate names', (target) => ({ ...baseSpec, stateProxy: fill(target, () => mount(1)) })),
  inSpec('env: 4 MB of entries (over the 256 limit)', (target) => ({ ...baseSpec, env: fill(target, (i) => ({ name: `E${i}`, value: 'v' })) })),
  inSpec('env: 250 entries of 16 KB (valid)', (target) => ({ ...baseSpec, env: Array.from({ length: 250 }, (_, i) => ({ name: `E${i}`, value: 'v'.repeat(Math.floor(target / 256)) })) })),
  inSpec('volumes: 4 MB (over the limit)', (target) => ({ ...baseSpec, volumes: fill(target, (i) => ({ name: `v${i}`, emptyDir: {} })) })),
  inSpec('one 4 MB handler', (target) => ({ ...baseSpec, handler: `a.${'b'.repeat(target)}` })),
  inSpec('one 4 MB mount path', (target) => ({ ...baseSpec, stateProxy: [{ ...mount(0), mount: { path: `/${'a/'.repeat(target / 2)}b` } }] })),
  inSpec('mount path of 4 MB of "." segments', (target) => ({ ...baseSpec, stateProxy: [{ ...mount(0), mount: { path: '/.'.repeat(target / 2) } }] })),
  inSpec('tolerations: 4 MB (free-form list)', (target) => ({ ...baseSpec, tolerations: fill(target, (i) => ({ key: `k${i}`, operator: 'Exists' })) })),
  inSpec('nodeSelector: 4 MB of keys', (target) => ({ ...baseSpec, nodeSelector: Object.fromEntries(fill(target, (i) => [`k${i}`, 'v'])) })),
  // Keys as labels are usually written (a domain prefix), 13 to 64 characters: another decoding path.
  inSpec('nodeSelector: 4 MB of prefixed keys', (target) => ({ ...baseSpec, nodeSelector: Object.fromEntries(fill(target, (i) => [`example.com/key-${i}`, 'v'])) })),
  // Integer-like keys are valid label keys, and V8 keeps them apart (as elements, listed first).
  inSpec('nodeSelector: 4 MB of integer keys', (target) => ({ ...baseSpec, nodeSelector: Object.fromEntries(fill(target, (i) => [String(100_000 + i), 'v'])) })),
  inSpec('resources: 4 MB nested 400 deep', (target) => ({ ...baseSpec, resources: nested(400, Math.floor(target / 400 / 8)) })),
  inSpec('unknown fields: 4 MB of them', (target) => ({ ...baseSpec, ...Object.fromEntries(fill(target, (i) => [`x${i}`, 1])) })),
  // XR labels are copied to the Deployment and the pod template: two maps of that size out.
  ['metadata.labels: 4 MB of keys', (target) => actorDocWithLabels(baseSpec, Object.fromEntries(fill(target, (i) => [`k${i}`, 'v'])))],
];

/** The largest size parameter (of a few tries) whose request stays under the wire limit. */
export function fit(make: (target: number) => Record<string, unknown>): number {
  let target = 4 * MiB;
  for (let i = 0; i < 4; i++) {
    const len = wireOf(make(target)).length;
    if (len <= WIRE_LIMIT && len > WIRE_LIMIT * 0.97) break;
    target = Math.floor(target * (WIRE_LIMIT * 0.985) / len);
  }
  return target;
}

export const EARLIER_STEPS = 'earlier steps: 4 MiB of ConfigMaps';
/** Earlier-step resources: 4 MiB of ConfigMaps passed through, and half that. */
export function earlierSteps(): { full: Uint8Array; half: Uint8Array } {
  const cm = (i: number) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}`, annotations: { 'crossplane.io/composition-resource-name': `c${i}` } }, data: { a: 'b' } });
  const withDesired = (bytes: number) => wire.encode(wire.RunFunctionRequest, request({ xr: actorDoc(baseSpec), desired: fill(bytes, cm) }) as unknown as Record<string, unknown>);
  const scale = (WIRE_LIMIT * 0.985) / withDesired(MiB).length;
  return { full: withDesired(Math.floor(MiB * scale)), half: withDesired(Math.floor((MiB * scale) / 2)) };
}

export const AT_LABEL_BOUND = 'labels and nodeSelector at 128 KiB of 3-character keys (valid)';
/**
 * The costliest valid label maps (wire/known-keys.ts, MAX_LABEL_MAP_SIZE): XR labels and
 * nodeSelector each at the bound in 3-character keys with empty values, about 43,000 keys each,
 * rendered into the Deployment (labels twice); and the same at half the bound.
 */
export function atLabelBound(): { full: Uint8Array; half: Uint8Array } {
  const at = (size: number) => {
    const xr = actorDocWithLabels({ ...baseSpec, nodeSelector: tinyEntries(size) }, tinyEntries(size));
    return wire.encode(wire.RunFunctionRequest, request({ xr }) as unknown as Record<string, unknown>);
  };
  return { full: at(MAX_LABEL_MAP_SIZE), half: at(MAX_LABEL_MAP_SIZE / 2) };
}
