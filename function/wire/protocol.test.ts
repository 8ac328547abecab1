import * as sdk from '@crossplane-org/function-sdk-typescript';
import { describe, expect, it } from 'vitest';
import * as protocol from './protocol.js';

/** The named members of a ts-proto enum object (it also maps numbers back to names, and has UNRECOGNIZED). */
const members = (e: Record<string, unknown>) => Object.fromEntries(Object.entries(e).filter(([k, v]) => typeof v === 'number' && k !== 'UNRECOGNIZED'));

describe('protocol values', () => {
  it.each([
    ['Severity', protocol.Severity, sdk.Severity],
    ['Target', protocol.Target, sdk.Target],
    ['Ready', protocol.Ready, sdk.Ready],
    ['Status', protocol.Status, sdk.Status],
    ['Capability', protocol.Capability, sdk.Capability],
  ] as const)('%s has exactly the SDK enum members', (_, ours, theirs) => {
    expect(ours).toEqual(members(theirs as unknown as Record<string, unknown>));
  });

  it('DEFAULT_TTL is the SDK one', () => {
    expect(protocol.DEFAULT_TTL).toEqual(sdk.DEFAULT_TTL);
  });
});

describe('to', () => {
  const composite = { resource: { apiVersion: 'asya.sh/v1alpha1', kind: 'AsyncActor' }, connectionDetails: {}, ready: sdk.Ready.READY_UNSPECIFIED };
  const requests: Array<[string, () => sdk.RunFunctionRequest]> = [
    ['an empty request', () => ({}) as sdk.RunFunctionRequest],
    ['a tag and a context', () => ({ meta: { tag: 't-1', capabilities: [] }, context: { a: 1 } }) as unknown as sdk.RunFunctionRequest],
    ['an empty tag', () => ({ meta: { tag: '', capabilities: [] } }) as unknown as sdk.RunFunctionRequest],
    ['a desired state', () => ({ desired: { composite, resources: { d: { resource: { kind: 'Deployment' }, connectionDetails: {}, ready: 1 } } } }) as unknown as sdk.RunFunctionRequest],
    ['a null desired composite', () => ({ desired: { composite: null, resources: {} } }) as unknown as sdk.RunFunctionRequest],
  ];

  it.each(requests)('starts from %s as the SDK does', (_, make) => {
    expect(protocol.to(make())).toEqual(sdk.to(make()));
  });

  it('hands back the request own desired object, as the SDK does', () => {
    const req = requests[3]![1]();
    expect(protocol.to(req).desired).toBe(req.desired);
    expect(sdk.to(req).desired).toBe(req.desired);
  });
});
