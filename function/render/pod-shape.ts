/**
 * The shape the state proxy needs from a pod template an earlier step wrote. The renderer reads
 * these fields as typed Kubernetes objects; a `null` container, `volumes: {}` or `env: "x"` would
 * otherwise surface as a TypeError (an InternalError) instead of a conflict naming the field.
 * Only what the renderer and the restricted-profile check read is checked; everything else stays
 * the earlier step's business and is passed through untouched.
 */
import type { FieldIssue, PathSegment } from '../schema/issues.js';
import { isObject } from './objects.js';

type Shape = 'object' | 'string' | 'list-of-strings' | { readonly list: Fields } | Fields;
interface Fields {
  readonly [field: string]: Shape;
}

const securityContext: Fields = {
  capabilities: { add: 'list-of-strings', drop: 'list-of-strings' },
  seccompProfile: { type: 'string' },
  seLinuxOptions: 'object',
  windowsOptions: 'object',
  appArmorProfile: 'object',
};

const container: Fields = {
  name: 'string',
  image: 'string',
  command: 'list-of-strings',
  args: 'list-of-strings',
  env: { list: { name: 'string', valueFrom: 'object' } },
  envFrom: { list: {} },
  volumeMounts: { list: { name: 'string', mountPath: 'string' } },
  ports: { list: {} },
  resources: 'object',
  securityContext,
};

const POD_TEMPLATE: Fields = {
  metadata: { labels: 'object', annotations: 'object' },
  spec: {
    containers: { list: container },
    initContainers: { list: container },
    ephemeralContainers: { list: container },
    volumes: { list: { name: 'string' } },
    securityContext: { ...securityContext, sysctls: { list: { name: 'string' } } },
    os: { name: 'string' },
    tolerations: { list: {} },
  },
};

const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`);

function check(value: unknown, shape: Shape, path: PathSegment[], out: FieldIssue[]): void {
  if (value === undefined) return;
  const bad = (want: string): void => {
    out.push({ path, rule: 'desired-resource-shape', message: `the earlier step wrote ${describe(value)} here, where Kubernetes expects ${want}` });
  };
  if (shape === 'string') {
    if (typeof value !== 'string') bad('a string');
    return;
  }
  if (shape === 'object') {
    if (!isObject(value)) bad('an object');
    return;
  }
  if (shape === 'list-of-strings') {
    if (!Array.isArray(value)) return bad('a list of strings');
    value.forEach((v, i) => {
      if (typeof v !== 'string') check(v, 'string', [...path, i], out);
    });
    return;
  }
  if ('list' in shape && isObject(shape['list']) && Object.keys(shape).length === 1) {
    if (!Array.isArray(value)) return bad('a list');
    const item = shape['list'] as Fields;
    value.forEach((v, i) => {
      if (!isObject(v)) check(v, 'object', [...path, i], out);
      else check(v, item, [...path, i], out);
    });
    return;
  }
  if (!isObject(value)) return bad('an object');
  for (const [field, sub] of Object.entries(shape as Fields)) {
    // null is how JSON clears an optional field; Kubernetes treats it as absent, and so do we.
    if (Object.hasOwn(value, field) && value[field] !== null) check(value[field], sub, [...path, field], out);
  }
}

/** Issues, with paths under `at`, for fields of `template` the renderer cannot read. */
export function podTemplateShapeIssues(template: unknown, at: readonly PathSegment[]): FieldIssue[] {
  const out: FieldIssue[] = [];
  check(template, POD_TEMPLATE, [...at], out);
  return out;
}
