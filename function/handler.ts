/**
 * RunFunction: the thin shell between Crossplane's request and the pure renderer.
 *
 * Contract with Crossplane (crossplane-notes.md): whatever we return is the new desired state,
 * so on every error path the desired state goes back exactly as received, with one FATAL result
 * naming every field at fault. All computation happens before the response is touched, so an
 * unexpected exception can never leave a half-written Deployment behind.
 */
import {
  type RunFunctionRequest,
  type RunFunctionResponse,
  Ready,
  type Resource,
  type Result as FnResult,
  Severity,
  Target,
  to,
} from '@crossplane-org/function-sdk-typescript';
import { parseStepInput, type StepInput } from './input/schema.js';
import { actorResourceReady } from './ready/object.js';
import {
  augmentDeployment,
  augmentObject,
  checkRender,
  collectWarnings,
  effectiveWriteMode,
  isKubernetesObject,
  renderDeployment,
  stateProxyOptions,
  type Warning,
} from './render/index.js';
import type { AsyncActor } from './schema/async-actor.js';
import { type FieldIssue, formatIssue, formatPath } from './schema/issues.js';
import { asAsyncActorDocument } from './schema/legacy.js';
import { connectorContainerName } from './schema/rules.js';
import { actorName, validateAsyncActor } from './schema/validate.js';
import { isObject, type Json } from './json.js';
import { describeComposite, fatalResult, REASON } from './results.js';
import { nestingRefusal } from './wire/guard.js';

export { REASON };

class Refusal {
  constructor(
    readonly reason: string,
    readonly headline: string,
    readonly issues: readonly FieldIssue[],
  ) {}

  message(): string {
    return [this.headline, ...this.issues.map((i) => `  ${formatIssue(i)}`)].join('\n');
  }
}

interface Plan {
  readonly key: string;
  readonly resource: Json;
  readonly ready: Ready;
  readonly status: Json;
  readonly warnings: readonly Warning[];
}

function plan(req: RunFunctionRequest): Plan | Refusal {
  const input = parseStepInput(req.input);
  if (!input.ok) {
    return new Refusal(REASON.invalidInput, 'invalid function input:', input.issues);
  }

  const xr = req.observed?.composite?.resource;
  if (!isObject(xr)) {
    return new Refusal(REASON.missingComposite, 'the request has no observed composite resource', []);
  }
  const where = describeComposite(xr);

  const validated = validateAsyncActor(asAsyncActorDocument(xr));
  if (!validated.ok) {
    return new Refusal(REASON.invalidActor, `invalid ${where}:`, validated.issues);
  }
  const actor = validated.value;

  const refused = checkRender(actor, input.value);
  if (refused.length > 0) {
    const policyOnly = refused.every((i) => i.rule.startsWith('connector-image-policy'));
    return policyOnly
      ? new Refusal(REASON.imagePolicy, `${where} uses connector images outside input.allowedConnectorImages:`, refused)
      : new Refusal(REASON.refused, `cannot render ${where}:`, refused);
  }

  const key = input.value.resourceKey;
  const existing = req.desired?.resources?.[key]?.resource;
  const resource = buildResource(existing, actor, input.value);
  if (resource instanceof Refusal) return resource;

  const observed = req.observed?.resources?.[key]?.resource;
  // An unwrapped Deployment, or the Deployment a provider-kubernetes Object reports (ready/object.ts).
  const ready = actorResourceReady(observed);
  return {
    key,
    resource,
    ready: ready ? Ready.READY_TRUE : Ready.READY_FALSE,
    status: statusFor(actor, input.value, ready),
    warnings: collectWarnings(actor, input.value),
  };
}

function buildResource(existing: unknown, actor: AsyncActor, input: StepInput): Json | Refusal {
  if (existing === undefined || (isObject(existing) && Object.keys(existing).length === 0)) {
    return renderDeployment(actor, input) as unknown as Json;
  }
  const headline = `cannot add the state proxy to desired resource "${input.resourceKey}":`;
  const guarded = (augment: () => ReturnType<typeof augmentDeployment>): Json | Refusal => {
    try {
      const augmented = augment();
      return augmented.ok ? augmented.value : new Refusal(REASON.conflict, headline, augmented.issues);
    } catch (err) {
      // render/pod-shape.ts checks what the renderer reads; a shape it misses is still the
      // earlier step's malformed resource, not a bug of ours to report as InternalError.
      const detail = err instanceof Error ? err.message : String(err);
      return new Refusal(REASON.conflict, headline, [
        { path: ['desired', 'resources', input.resourceKey], rule: 'desired-resource-shape', message: `the resource from the earlier step is malformed where the state proxy is added (${detail})` },
      ]);
    }
  };
  if (isObject(existing) && existing['apiVersion'] === 'apps/v1' && existing['kind'] === 'Deployment') {
    return guarded(() => augmentDeployment(existing, actor, input));
  }
  // Upstream's form: the Deployment inside a provider-kubernetes Object (render/wrapped.ts).
  if (isKubernetesObject(existing)) {
    return guarded(() => augmentObject(existing, actor, input));
  }
  const kind = isObject(existing) ? `${String(existing['apiVersion'])} ${String(existing['kind'])}` : typeof existing;
  return new Refusal(
    REASON.conflict,
    `desired resource "${input.resourceKey}" from an earlier step is a ${kind}, not an apps/v1 Deployment nor a provider-kubernetes Object wrapping one`,
    [{ path: ['input', 'resourceKey'], rule: 'desired-resource-kind', message: 'point resourceKey at the actor Deployment (or the Object that wraps it)' }],
  );
}

function statusFor(actor: AsyncActor, input: StepInput, ready: boolean): Json {
  const mounts = actor.spec.stateProxy ?? [];
  const options = stateProxyOptions(actor, input);
  return {
    actor: actorName(actor),
    mounts: mounts.map((m) => m.name).join(','),
    stateProxy: {
      mounts: mounts.map((m) => ({
        name: m.name,
        path: m.mount.path,
        writeMode: effectiveWriteMode(m),
        container: connectorContainerName(m.name),
      })),
      sidecarMode: options.sidecarMode,
      ready,
    },
  };
}

function warningResult(w: Warning): FnResult {
  const at = w.path.length > 0 ? `${formatPath(w.path)}: ` : '';
  return { severity: Severity.SEVERITY_WARNING, message: `${at}${w.message}`, reason: w.reason, target: Target.TARGET_COMPOSITE };
}

/** Crossplane merges only status (and connection details) from the desired composite. */
function withStatus(composite: Resource | undefined, xr: unknown, status: Json): Resource {
  const base = isObject(composite?.resource) ? composite.resource : {};
  const observed = isObject(xr) ? xr : {};
  const resource: Json = {
    ...base,
    apiVersion: base['apiVersion'] ?? observed['apiVersion'],
    kind: base['kind'] ?? observed['kind'],
    status: { ...(isObject(base['status']) ? base['status'] : {}), ...status },
  };
  return {
    resource,
    connectionDetails: composite?.connectionDetails ?? {},
    ready: composite?.ready ?? Ready.READY_UNSPECIFIED,
  };
}

/** Never throws: any failure becomes a FATAL result and the desired state is left as received. */
export function runFunction(req: RunFunctionRequest): RunFunctionResponse {
  const rsp = to(req);
  let outcome: Plan | Refusal;
  try {
    // First, before anything walks the request: validation, rendering and encoding recurse.
    const tooDeep = nestingRefusal(req);
    if (tooDeep !== undefined) return tooDeep;
    outcome = plan(req);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    rsp.results.push(fatalResult(REASON.internal, `internal error while rendering the state proxy: ${detail}`));
    return rsp;
  }
  if (outcome instanceof Refusal) {
    rsp.results.push(fatalResult(outcome.reason, outcome.message()));
    return rsp;
  }
  const desired = rsp.desired ?? { composite: undefined, resources: {} };
  const previous = desired.resources[outcome.key];
  desired.resources[outcome.key] = {
    resource: outcome.resource,
    connectionDetails: previous?.connectionDetails ?? {},
    ready: outcome.ready,
  };
  desired.composite = withStatus(desired.composite, req.observed?.composite?.resource, outcome.status);
  rsp.desired = desired;
  rsp.results.push(...outcome.warnings.map(warningResult));
  return rsp;
}
