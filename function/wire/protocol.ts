/**
 * The protocol values the function uses at run time (the RunFunction enums, the default TTL and
 * the response `to` starts from), with the SDK's types.
 *
 * Why not import them from the SDK: its only entry point (`exports: "."`) loads grpc-js,
 * protobufjs and pino with them. The server's main thread needs grpc-js anyway, but each pool
 * worker would load them for a few enums: a worker that loads answer.js held 13.3 MiB of V8 heap
 * after a full collection and added 30.5 MiB of RSS with them, 10.0 and 25.1 without (2026-12-03,
 * a bare worker_threads Worker importing dist/function/server/answer.js, Node 20). protocol.test.ts
 * checks every value here against the SDK's own.
 */
import type * as sdk from '@crossplane-org/function-sdk-typescript';

export type Severity = sdk.Severity;
export const Severity = {
  SEVERITY_UNSPECIFIED: 0 as sdk.Severity.SEVERITY_UNSPECIFIED,
  SEVERITY_FATAL: 1 as sdk.Severity.SEVERITY_FATAL,
  SEVERITY_WARNING: 2 as sdk.Severity.SEVERITY_WARNING,
  SEVERITY_NORMAL: 3 as sdk.Severity.SEVERITY_NORMAL,
} as const;

export type Target = sdk.Target;
export const Target = {
  TARGET_UNSPECIFIED: 0 as sdk.Target.TARGET_UNSPECIFIED,
  TARGET_COMPOSITE: 1 as sdk.Target.TARGET_COMPOSITE,
  TARGET_COMPOSITE_AND_CLAIM: 2 as sdk.Target.TARGET_COMPOSITE_AND_CLAIM,
} as const;

export type Ready = sdk.Ready;
export const Ready = {
  READY_UNSPECIFIED: 0 as sdk.Ready.READY_UNSPECIFIED,
  READY_TRUE: 1 as sdk.Ready.READY_TRUE,
  READY_FALSE: 2 as sdk.Ready.READY_FALSE,
} as const;

export type Status = sdk.Status;
export const Status = {
  STATUS_CONDITION_UNSPECIFIED: 0 as sdk.Status.STATUS_CONDITION_UNSPECIFIED,
  STATUS_CONDITION_UNKNOWN: 1 as sdk.Status.STATUS_CONDITION_UNKNOWN,
  STATUS_CONDITION_TRUE: 2 as sdk.Status.STATUS_CONDITION_TRUE,
  STATUS_CONDITION_FALSE: 3 as sdk.Status.STATUS_CONDITION_FALSE,
} as const;

export type Capability = sdk.Capability;
export const Capability = {
  CAPABILITY_UNSPECIFIED: 0 as sdk.Capability.CAPABILITY_UNSPECIFIED,
  CAPABILITY_CAPABILITIES: 1 as sdk.Capability.CAPABILITY_CAPABILITIES,
  CAPABILITY_REQUIRED_RESOURCES: 2 as sdk.Capability.CAPABILITY_REQUIRED_RESOURCES,
  CAPABILITY_CREDENTIALS: 3 as sdk.Capability.CAPABILITY_CREDENTIALS,
  CAPABILITY_CONDITIONS: 4 as sdk.Capability.CAPABILITY_CONDITIONS,
  CAPABILITY_REQUIRED_SCHEMAS: 5 as sdk.Capability.CAPABILITY_REQUIRED_SCHEMAS,
} as const;

/** The TTL Crossplane is told a response is good for when the function names none (the SDK's). */
export const DEFAULT_TTL: { readonly seconds: number; readonly nanos: number } = { seconds: 60, nanos: 0 };

/**
 * The SDK's `to(req)`: the response that starts from the request (its tag, context and desired
 * state, no results). Like the SDK's, it hands back the request's own desired object (and fills
 * a null composite in it); the handler copies before it writes.
 */
export function to(req: sdk.RunFunctionRequest): sdk.RunFunctionResponse {
  const desired = req.desired ?? { composite: undefined, resources: {} };
  if (desired.composite === null) desired.composite = { resource: undefined, connectionDetails: {}, ready: Ready.READY_UNSPECIFIED };
  return {
    conditions: [],
    context: req.context,
    desired,
    meta: { tag: req.meta?.tag || '', ttl: DEFAULT_TTL },
    requirements: undefined,
    results: [],
  };
}
