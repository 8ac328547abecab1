/**
 * Deployment and pod labels (`contract.md` §1): the XR's user labels plus the platform's own.
 */
import type { AsyncActor } from '../schema/async-actor.js';
import { KEY_LIST_MIN_KEYS, parsedKeys } from '../schema/record.js';
import { actorName } from '../schema/validate.js';
import { isArrayIndex, recordKeys } from '../wire/known-keys.js';

export const NAME_LABEL = 'app.kubernetes.io/name';
export const ACTOR_LABEL = 'asya.sh/actor';

/**
 * A label is Crossplane's when its prefix is `crossplane.io` or any subdomain of it
 * (`pkg.crossplane.io/…`, `apiextensions.crossplane.io/…`): the whole domain belongs to the
 * Crossplane project, and copying its machinery labels (`crossplane.io/composite`, `…/claim-name`)
 * onto the Deployment would make Crossplane think the Deployment is something it is not.
 * `app.kubernetes.io/` is excluded because the function sets those itself; only that exact prefix,
 * since other `*.kubernetes.io` labels carry no platform meaning here. `asya.sh/actor` is
 * dropped too so the actor name cannot be spoofed.
 */
export function isUserLabel(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return true;
  const prefix = key.slice(0, slash).toLowerCase();
  if (prefix === 'crossplane.io' || prefix.endsWith('.crossplane.io')) return false;
  if (prefix === 'app.kubernetes.io') return false;
  return key !== ACTOR_LABEL;
}

/**
 * User labels in code-unit order (so two requests that differ only in map order render the same
 * bytes), then the platform labels in a fixed order. (V8 lists integer-like keys such as "10" first
 * whatever the insertion order; that order too depends on the keys alone.)
 *
 * A large map (up to 128 KiB of labels is valid: 43,000 keys) gets its key list recorded
 * (wire/known-keys.ts), so that the response encoder need not enumerate it: on an object that large
 * Object.keys sorts its keys every time. Nothing writes to the result (the renderer copies on write).
 */
export function actorLabels(actor: AsyncActor): Record<string, string> {
  const name = actorName(actor);
  const user = actor.metadata.labels ?? {};
  const out: Record<string, string> = {};
  const keys: string[] = [];
  for (const key of (parsedKeys(user) ?? Object.keys(user)).filter(isUserLabel).sort()) {
    const value = user[key];
    if (value === undefined) continue;
    out[key] = value;
    keys.push(key);
  }
  for (const [key, value] of platformLabels(name)) out[key] = value;
  if (keys.length >= KEY_LIST_MIN_KEYS) recordKeys(out, objectKeyOrder(keys));
  return out;
}

/** The platform's own labels, in the order they are set. */
const platformLabels = (name: string): ReadonlyArray<readonly [string, string]> => [
  [NAME_LABEL, name],
  ['app.kubernetes.io/component', 'actor'],
  ['app.kubernetes.io/part-of', 'asya'],
  ['app.kubernetes.io/managed-by', 'crossplane'],
  [ACTOR_LABEL, name],
];
const PLATFORM_KEYS = platformLabels('').map(([key]) => key);

/** `Object.keys(out)` for actorLabels' `out`, from the user keys in the order it set them. */
function objectKeyOrder(userKeys: readonly string[]): string[] {
  const indices = userKeys.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b));
  return [...indices, ...userKeys.filter((k) => !isArrayIndex(k)), ...PLATFORM_KEYS];
}

/** The selector is immutable on a Deployment, so it carries only the one label that never changes. */
export const selectorLabels = (actor: AsyncActor): Record<string, string> => ({ [NAME_LABEL]: actorName(actor) });
