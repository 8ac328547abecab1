/**
 * Readiness of an observed apps/v1 Deployment, as Crossplane's own health checks judge it:
 * the controller has seen the latest spec, every desired replica is updated and available, and
 * the Available condition is True. Crossplane treats an unspecified readiness as not ready, so
 * the handler always answers with one of the two.
 */
import { isObject } from '../json.js';

/** The API server omits zero-valued counters from status. */
const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export function deploymentReady(observed: unknown): boolean {
  if (!isObject(observed) || observed['kind'] !== 'Deployment') return false;
  const metadata = isObject(observed['metadata']) ? observed['metadata'] : {};
  const spec = isObject(observed['spec']) ? observed['spec'] : {};
  const status = isObject(observed['status']) ? observed['status'] : undefined;
  if (status === undefined) return false;

  const generation = count(metadata['generation']);
  if (count(status['observedGeneration']) < generation) return false;

  // spec.replicas is defaulted to 1 by the API server; an autoscaler may have changed it.
  const desired = typeof spec['replicas'] === 'number' ? spec['replicas'] : 1;
  if (count(status['updatedReplicas']) !== desired || count(status['availableReplicas']) !== desired) return false;

  const conditions = Array.isArray(status['conditions']) ? status['conditions'] : [];
  return conditions.some((c) => isObject(c) && c['type'] === 'Available' && c['status'] === 'True');
}
