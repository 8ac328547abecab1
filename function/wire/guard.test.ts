import { RunFunctionRequest, Severity } from '@crossplane-org/function-sdk-typescript';
import { describe, expect, it } from 'vitest';
import { nested } from '../../test/support/wire-arbitraries.js';
import { deepest, nestingDepth } from './depth.js';
import { MAX_NESTING, nestingRefusal, undecodableResponse } from './guard.js';

describe('deepest', () => {
  it.each<[unknown, number, Array<string | number>]>([
    ['scalar', 0, []],
    [{}, 1, []],
    [{ a: 1, b: { c: [{ d: {} }] } }, 5, ['b', 'c', 0, 'd']],
    [[[], [[{}]]], 4, [1, 0, 0]],
  ])('%j nests %i deep at %j', (value, depth, path) => {
    expect(deepest(value)).toEqual({ depth, path });
  });

  it('stops at the limit without walking the rest', () => {
    const d = deepest(nested(100_000), 10);
    expect(d.depth).toBe(11);
    expect(d.path).toHaveLength(10);
  });
});

describe('nestingRefusal', () => {
  const req = (xr: unknown, desired: Record<string, unknown> = {}, input?: Record<string, unknown>) =>
    RunFunctionRequest.fromPartial({
      meta: { tag: 'g' },
      observed: { composite: { resource: xr as Record<string, unknown> } },
      desired: { resources: Object.fromEntries(Object.entries(desired).map(([k, v]) => [k, { resource: v as Record<string, unknown> }])) },
      ...(input === undefined ? {} : { input }),
    });

  it('passes an XR at the limit and refuses one beyond it, naming the path', () => {
    const at = { kind: 'AsyncActor', metadata: { name: 'a', namespace: 'ns' }, spec: nested(MAX_NESTING - 1) };
    expect(nestingRefusal(req(at))).toBeUndefined();
    const beyond = { ...at, spec: nested(MAX_NESTING) };
    const rsp = nestingRefusal(req(beyond, { config: { kind: 'ConfigMap' } }));
    expect(rsp?.results[0]).toMatchObject({ severity: Severity.SEVERITY_FATAL, reason: 'NestingTooDeep' });
    expect(rsp?.results[0]?.message).toMatch(/^invalid AsyncActor ns\/a:\n {2}spec\.a\.a\.a\.a\.a\.a\.a\.a\.a\.a\.a…: nests more than 512 levels deep/);
    expect(rsp?.meta?.tag).toBe('g');
    expect(rsp?.desired?.resources['config']?.resource).toEqual({ kind: 'ConfigMap' });
  });

  it('checks the resource this step would augment (input.resourceKey), not other steps\' resources', () => {
    const xr = { kind: 'AsyncActor', metadata: { name: 'a' }, spec: {} };
    const deep = { kind: 'Deployment', spec: nested(MAX_NESTING + 10) };
    expect(nestingRefusal(req(xr, { other: deep }))).toBeUndefined();
    expect(nestingRefusal(req(xr, { deployment: deep }))?.results[0]?.message).toContain('desired.resources.deployment.spec.a.a');
    expect(nestingRefusal(req(xr, { deployment: deep }, { resourceKey: 'actor' }))).toBeUndefined();
    expect(nestingRefusal(req(xr, { actor: deep }, { resourceKey: 'actor' }))?.results[0]?.reason).toBe('NestingTooDeep');
  });

  it('an undecodable request: FATAL with the reason and an empty desired state', () => {
    const rsp = undecodableResponse('t', 'truncated varint at byte 3');
    expect(rsp.results).toEqual([{ severity: Severity.SEVERITY_FATAL, message: 'request could not be decoded: truncated varint at byte 3', reason: 'UndecodableRequest', target: 1 }]);
    expect(rsp.desired).toEqual({ composite: undefined, resources: {} });
    expect(rsp.meta?.tag).toBe('t');
  });
});

describe('nestingDepth and deepest with a limit', () => {
  const value = { a: { b: {} }, c: [{ d: { e: {} } }], f: 1 };

  it('agree with the unbounded walk up to the limit', () => {
    expect(deepest(value)).toEqual({ depth: 5, path: ['c', 0, 'd', 'e'] });
    for (const limit of [5, 6, 512]) {
      expect(nestingDepth(value, limit)).toBe(5);
      expect(deepest(value, limit)).toEqual({ depth: 5, path: ['c', 0, 'd', 'e'] });
    }
  });

  it('past the limit: the first point (in key order) beyond it, and its path', () => {
    expect(nestingDepth(value, 2)).toBe(3);
    expect(deepest(value, 2)).toEqual({ depth: 3, path: ['a', 'b'] });
    expect(deepest(value, 3)).toEqual({ depth: 4, path: ['c', 0, 'd'] });
  });

  it.each([MAX_NESTING, 2048, 5000])('walks a value nested 100,000 deep against limit %i without overflowing the stack', (limit) => {
    const deep = nested(100_000, 'leaf', true);
    expect(nestingDepth(deep, limit)).toBe(limit + 1);
    const d = deepest(deep, limit);
    expect(d.depth).toBe(limit + 1);
    expect(d.path).toHaveLength(limit);
  });

  it('scalars nest 0 deep', () => {
    expect(nestingDepth('x', 3)).toBe(0);
    expect(nestingDepth(null, 3)).toBe(0);
    expect(deepest(undefined, 3)).toEqual({ depth: 0, path: [] });
  });
});
