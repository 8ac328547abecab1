/**
 * RunFunction: the thin shell between Crossplane's request and the pure renderer.
 *
 * Contract with Crossplane (crossplane-notes.md): whatever we return is the new desired state,
 * so on every error path the desired state goes back exactly as received, with one FATAL result
 * naming every field at fault. All computation happens before the response is touched, so an
 * unexpected exception can never leave a half-written Deployment behind.
 */
import type {
  Condition as FnCondition,
  RunFunctionRequest,
  RunFunctionResponse,
  Requirements,
  Resource,
  Result as FnResult,
} from '@crossplane-org/function-sdk-typescript';
import { Capability, Ready, Severity, Status, Target, to } from './wire/protocol.js';
import { parseStepInput, type StepInput } from './input/schema.js';
import { actorResourceReady } from './ready/object.js';
import { serviceAccountReady } from './ready/service-account.js';
import {
  augmentDeployment,
  augmentObject,
  checkRender,
  collectWarnings,
  effectiveWriteMode,
  isGuarded,
  isKubernetesObject,
  renderDeployment,
  sidecarModeFor,
  type Warning,
} from './render/index.js';
import {
  actorResourceServiceAccount,
  composedResourceFor,
  planServiceAccount,
  type ServiceAccountStatus,
  withActorServiceAccount,
} from './render/service-account.js';
import { type Capabilities, planReferences, POD_REFERENCES_CONDITION, type ReferencePlan, runtimeCopyKeyIssues } from './render/reference-plan.js';
import { runtimeCopyReady } from './render/runtime-script.js';
import { objectReady } from './ready/object.js';
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

interface Composed {
  readonly key: string;
  readonly resource: Json;
  readonly ready: Ready;
}

interface Plan {
  /** The actor resource first, then what the function composes beside it (a ServiceAccount, the runtime script copy). */
  readonly resources: readonly Composed[];
  readonly status: Json;
  readonly warnings: readonly Warning[];
  /** Required resources, the PodReferencesResolved condition and its results (render/reference-plan.ts). */
  readonly references: ReferencePlan;
}

/** What Crossplane says it supports; see render/reference-plan.ts for what each case does. */
export function capabilities(req: RunFunctionRequest): Capabilities {
  const caps = req.meta?.capabilities ?? [];
  const advertised = caps.includes(Capability.CAPABILITY_CAPABILITIES);
  return {
    advertised,
    requiredResources: advertised && caps.includes(Capability.CAPABILITY_REQUIRED_RESOURCES),
    conditions: advertised && caps.includes(Capability.CAPABILITY_CONDITIONS),
  };
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

  const key = input.value.resourceKey;
  const existing = req.desired?.resources?.[key]?.resource;
  // The restricted profile's check renders the fresh Deployment anyway: render it once, for both.
  const fresh = input.value.securityProfile === 'restricted' && isEmptyResource(existing) ? renderDeployment(actor, input.value) : undefined;
  const refused = checkRender(actor, input.value, fresh);
  if (refused.length > 0) {
    const policyOnly = refused.every((i) => i.rule.startsWith('connector-image-policy'));
    return policyOnly
      ? new Refusal(REASON.imagePolicy, `${where} uses connector images outside input.allowedConnectorImages:`, refused)
      : new Refusal(REASON.refused, `cannot render ${where}:`, refused);
  }

  const built = fresh === undefined ? buildResource(existing, actor, input.value) : (fresh as unknown as Json);
  if (built instanceof Refusal) return built;

  const sa = planServiceAccount(actor, input.value, actorResourceServiceAccount(built));
  if (!sa.ok) {
    return sa.blame === 'input'
      ? new Refusal(REASON.invalidInput, 'invalid function input (serviceAccount):', sa.issues)
      : new Refusal(REASON.invalidActor, `invalid ${where}:`, sa.issues);
  }
  const taken = runtimeCopyKeyIssues(input.value, (k) => req.desired?.resources?.[k] !== undefined);
  if (taken.length > 0) return new Refusal(REASON.conflict, `cannot compose the actor's runtime script copy:`, taken);
  const references = planReferences({
    actor,
    input: input.value,
    actorResource: withActorServiceAccount(built, sa.value),
    composedServiceAccount: sa.value.composed === undefined ? undefined : sa.value.pod?.name,
    capabilities: capabilities(req),
    required: req.requiredResources,
    // The deprecated field older Crossplane fills; read back when requiredResources lacks a key.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    extra: req.extraResources,
    observedCopy: input.value.runtimeScript === undefined ? undefined : req.observed?.resources?.[input.value.runtimeScript.resourceKey]?.resource,
  });
  const resources: Composed[] = [];
  const observed = req.observed?.resources?.[key]?.resource;
  // An unwrapped Deployment, or the Deployment a provider-kubernetes Object reports (ready/object.ts).
  const ready = actorResourceReady(observed);
  resources.push({ key, resource: references.actorResource, ready: ready ? Ready.READY_TRUE : Ready.READY_FALSE });
  const composed = sa.value.composed;
  if (composed !== undefined) {
    if (req.desired?.resources?.[composed.key] !== undefined) {
      return new Refusal(REASON.conflict, `cannot compose the actor's ServiceAccount:`, [
        {
          path: ['desired', 'resources', composed.key],
          rule: 'desired-resource-taken',
          message: `an earlier step already composed a resource under "${composed.key}"; set input.serviceAccount.resourceKey to a free key`,
        },
      ]);
    }
    const saReady = serviceAccountReady(req.observed?.resources?.[composed.key]?.resource);
    resources.push({ key: composed.key, resource: composedResourceFor(built, composed.resource), ready: saReady ? Ready.READY_TRUE : Ready.READY_FALSE });
  }
  if (references.copy !== undefined) {
    const copyReady = runtimeCopyReady(req.observed?.resources?.[references.copy.key]?.resource, objectReady);
    resources.push({ key: references.copy.key, resource: references.copy.resource, ready: copyReady ? Ready.READY_TRUE : Ready.READY_FALSE });
  }
  return {
    resources,
    status: statusFor(actor, input.value, ready, sa.value.status),
    warnings: [...collectWarnings(actor, input.value), ...sa.value.warnings],
    references,
  };
}

/** Nothing from an earlier step under the key: the function renders the Deployment afresh. */
const isEmptyResource = (existing: unknown): boolean => existing === undefined || (isObject(existing) && Object.keys(existing).length === 0);

function buildResource(existing: unknown, actor: AsyncActor, input: StepInput): Json | Refusal {
  if (isEmptyResource(existing)) {
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

function statusFor(actor: AsyncActor, input: StepInput, ready: boolean, serviceAccount: ServiceAccountStatus | undefined): Json {
  const mounts = actor.spec.stateProxy ?? [];
  return {
    actor: actorName(actor),
    mounts: mounts.map((m) => m.name).join(','),
    stateProxy: {
      mounts: mounts.map((m) => ({
        name: m.name,
        path: m.mount.path,
        writeMode: effectiveWriteMode(m),
        container: connectorContainerName(m.name),
        guarded: isGuarded(m, input.mountGuard),
      })),
      sidecarMode: sidecarModeFor(actor, input),
      ready,
    },
    ...(serviceAccount === undefined ? {} : { serviceAccount: { name: serviceAccount.name, source: serviceAccount.source } }),
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

const CONDITION_STATUS = { True: Status.STATUS_CONDITION_TRUE, False: Status.STATUS_CONDITION_FALSE, Unknown: Status.STATUS_CONDITION_UNKNOWN } as const;

function conditionFor(c: NonNullable<ReferencePlan['condition']>): FnCondition {
  return { type: POD_REFERENCES_CONDITION, status: CONDITION_STATUS[c.status], reason: c.reason, message: c.message, target: Target.TARGET_COMPOSITE };
}

/** By name only (matchName); keys in sorted order, so the same request encodes the same bytes. */
function requirementsFor(refs: ReferencePlan): Requirements {
  const resources: Requirements['resources'] = {};
  for (const r of refs.requirements) resources[r.key] = { apiVersion: 'v1', kind: r.kind, matchName: r.name, namespace: r.namespace };
  return { extraResources: {}, resources, schemas: {} };
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
  // A new map, not the request's: `to` hands back the request's own desired state, and writing
  // into it would change the caller's request (a caller that reuses one, such as an in-process
  // benchmark or a retry, would then send an earlier step's Deployment on the next call).
  const received = rsp.desired;
  const desired = { composite: received?.composite, resources: { ...received?.resources } };
  for (const r of outcome.resources) {
    const previous = desired.resources[r.key];
    desired.resources[r.key] = { resource: r.resource, connectionDetails: previous?.connectionDetails ?? {}, ready: r.ready };
  }
  desired.composite = withStatus(desired.composite, req.observed?.composite?.resource, outcome.status);
  rsp.desired = desired;
  rsp.results.push(...outcome.warnings.map(warningResult));
  const refs = outcome.references;
  rsp.results.push(
    ...refs.results.map((r) => ({ severity: r.severity === 'warning' ? Severity.SEVERITY_WARNING : Severity.SEVERITY_NORMAL, message: r.message, reason: r.reason, target: Target.TARGET_COMPOSITE })),
  );
  if (refs.condition !== undefined) rsp.conditions.push(conditionFor(refs.condition));
  // Only when asking: an empty requirements message would still cost the fast encoder path.
  if (refs.requirements.length > 0) rsp.requirements = requirementsFor(refs);
  return rsp;
}
