/**
 * The shape the state proxy needs from a pod template an earlier step wrote. The renderer reads
 * these fields as typed Kubernetes objects; a `null` container, `volumes: {}` or `env: "x"` would
 * otherwise surface as a TypeError (an InternalError) instead of a conflict naming the field.
 * Only what the renderer and the restricted-profile check read is checked; everything else stays
 * the earlier step's business and is passed through untouched.
 */
import type { FieldIssue, PathSegment } from '../schema/issues.js';
import { isObject } from './objects.js';

/**
 * Shapes are compiled once at load: a list knows it is a list (no key counting per value) and a
 * field set keeps its entries, so checking a pod allocates nothing until a field is reported.
 */
class ListOf {
  constructor(readonly item: FieldSet) {}
}
class FieldSet {
  readonly entries: ReadonlyArray<readonly [string, Shape]>;
  constructor(fields: Readonly<Record<string, Shape>>) {
    this.entries = Object.entries(fields);
  }
}
type Shape = 'object' | 'string' | 'list-of-strings' | ListOf | FieldSet;

const fields = (f: Readonly<Record<string, Shape>>): FieldSet => new FieldSet(f);
const listOf = (f: Readonly<Record<string, Shape>>): ListOf => new ListOf(fields(f));

const securityContextFields = {
  capabilities: fields({ add: 'list-of-strings', drop: 'list-of-strings' }),
  seccompProfile: fields({ type: 'string' }),
  seLinuxOptions: 'object',
  windowsOptions: 'object',
  appArmorProfile: 'object',
} as const;

const container = listOf({
  name: 'string',
  image: 'string',
  command: 'list-of-strings',
  args: 'list-of-strings',
  env: listOf({ name: 'string', valueFrom: 'object' }),
  envFrom: listOf({}),
  volumeMounts: listOf({ name: 'string', mountPath: 'string' }),
  ports: listOf({}),
  resources: 'object',
  securityContext: fields(securityContextFields),
});

const POD_TEMPLATE = fields({
  metadata: fields({ labels: 'object', annotations: 'object' }),
  spec: fields({
    containers: container,
    initContainers: container,
    ephemeralContainers: container,
    volumes: listOf({ name: 'string' }),
    securityContext: fields({ ...securityContextFields, sysctls: listOf({ name: 'string' }) }),
    os: fields({ name: 'string' }),
    tolerations: listOf({}),
  }),
});

const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`);

/** `path` is where `value` is; it is copied into an issue, and otherwise restored on return. */
function bad(value: unknown, want: string, path: readonly PathSegment[], out: FieldIssue[]): void {
  out.push({ path: [...path], rule: 'desired-resource-shape', message: `the earlier step wrote ${describe(value)} here, where Kubernetes expects ${want}` });
}

function check(value: unknown, shape: Shape, path: PathSegment[], out: FieldIssue[]): void {
  if (value === undefined) return;
  if (shape === 'string') {
    if (typeof value !== 'string') bad(value, 'a string', path, out);
    return;
  }
  if (shape === 'object') {
    if (!isObject(value)) bad(value, 'an object', path, out);
    return;
  }
  if (shape === 'list-of-strings') {
    if (!Array.isArray(value)) return bad(value, 'a list of strings', path, out);
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'string') continue;
      path.push(i);
      check(v, 'string', path, out);
      path.pop();
    }
    return;
  }
  if (shape instanceof ListOf) {
    if (!Array.isArray(value)) return bad(value, 'a list', path, out);
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      path.push(i);
      check(v, isObject(v) ? shape.item : 'object', path, out);
      path.pop();
    }
    return;
  }
  if (!isObject(value)) return bad(value, 'an object', path, out);
  for (const [field, sub] of shape.entries) {
    // null is how JSON clears an optional field; Kubernetes treats it as absent, and so do we.
    if (!Object.hasOwn(value, field) || value[field] === null) continue;
    path.push(field);
    check(value[field], sub, path, out);
    path.pop();
  }
}

/** Issues, with paths under `at`, for fields of `template` the renderer cannot read. */
export function podTemplateShapeIssues(template: unknown, at: readonly PathSegment[]): FieldIssue[] {
  const out: FieldIssue[] = [];
  check(template, POD_TEMPLATE, [...at], out);
  return out;
}
