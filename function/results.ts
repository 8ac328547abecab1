/**
 * What the function says back besides resources: the stable reasons on its results, and how a
 * FATAL result and the composite it concerns are written. Shared by the handler and the request
 * guards, so every refusal reads and is matched the same way.
 */
import type { Result as FnResult } from '@crossplane-org/function-sdk-typescript';
import { Severity, Target } from './wire/protocol.js';
import { isObject } from './json.js';

/** Reasons on results, stable so alerts and tests can match them. */
export const REASON = {
  invalidInput: 'InvalidFunctionInput',
  invalidActor: 'InvalidAsyncActor',
  imagePolicy: 'ConnectorImageNotAllowed',
  refused: 'UnsupportedConfiguration',
  conflict: 'DesiredResourceConflict',
  missingComposite: 'MissingObservedComposite',
  tooDeep: 'NestingTooDeep',
  undecodable: 'UndecodableRequest',
  internal: 'InternalError',
} as const;

export function fatalResult(reason: string, message: string): FnResult {
  return { severity: Severity.SEVERITY_FATAL, message, reason, target: Target.TARGET_COMPOSITE };
}

/** `AsyncActor prod/model-inference`, for messages; tolerant of any shape. */
export function describeComposite(xr: unknown): string {
  const meta = isObject(xr) && isObject(xr['metadata']) ? xr['metadata'] : {};
  const kind = isObject(xr) ? String(xr['kind'] ?? 'composite') : 'composite';
  const namespace = typeof meta['namespace'] === 'string' ? `${meta['namespace']}/` : '';
  return `${kind} ${namespace}${String(meta['name'] ?? '(unnamed)')}`;
}
