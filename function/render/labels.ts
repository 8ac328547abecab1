/**
 * Deployment and pod labels (`contract.md` §1): the XR's user labels plus the platform's own.
 */
import type { AsyncActor } from '../schema/async-actor.js';
import { actorName } from '../schema/validate.js';

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
 * bytes), then the platform labels in a fixed order.
 */
export function actorLabels(actor: AsyncActor): Record<string, string> {
  const name = actorName(actor);
  const user = actor.metadata.labels ?? {};
  const out: Record<string, string> = {};
  for (const key of Object.keys(user).filter(isUserLabel).sort()) {
    const value = user[key];
    if (value !== undefined) out[key] = value;
  }
  out[NAME_LABEL] = name;
  out['app.kubernetes.io/component'] = 'actor';
  out['app.kubernetes.io/part-of'] = 'asya';
  out['app.kubernetes.io/managed-by'] = 'crossplane';
  out[ACTOR_LABEL] = name;
  return out;
}

/** The selector is immutable on a Deployment, so it carries only the one label that never changes. */
export const selectorLabels = (actor: AsyncActor): Record<string, string> => ({ [NAME_LABEL]: actorName(actor) });
