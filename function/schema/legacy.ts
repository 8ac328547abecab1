/**
 * Upstream Asya composes with a Crossplane v1 XRD: the composite is `XAsyncActor` and
 * `AsyncActor` is its claim. When our function runs as an extra step in such a composition
 * (docs/migration.md) it receives an XAsyncActor whose spec also carries Crossplane v1 machinery.
 * This maps it onto the AsyncActor document the schema validates; the actor fields are the same.
 */
import { KIND } from './async-actor.js';
import { isObject } from '../json.js';

export const LEGACY_COMPOSITE_KIND = 'XAsyncActor';

/** Fields Crossplane v1 adds to a composite's spec; never actor configuration. */
export const LEGACY_MACHINERY_SPEC_KEYS = [
  'claimRef',
  'compositionRef',
  'compositionRevisionRef',
  'compositionRevisionSelector',
  'compositionSelector',
  'compositionUpdatePolicy',
  'environmentConfigRefs',
  'publishConnectionDetailsTo',
  'resourceRefs',
  'writeConnectionSecretToRef',
] as const;


/** The composite as an AsyncActor document; anything that is not an XAsyncActor is returned as is. */
export function asAsyncActorDocument(composite: unknown): unknown {
  if (!isObject(composite) || composite['kind'] !== LEGACY_COMPOSITE_KIND) return composite;
  const spec = composite['spec'];
  const legacy = LEGACY_MACHINERY_SPEC_KEYS as readonly string[];
  return {
    ...composite,
    kind: KIND,
    spec: isObject(spec) ? Object.fromEntries(Object.entries(spec).filter(([k]) => !legacy.includes(k))) : spec,
  };
}
