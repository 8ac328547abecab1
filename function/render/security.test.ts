import { describe, expect, it } from 'vitest';
import { connectorSecurityContext, fillMissing, mergeSecurityContext, restrictedPod } from './security.js';

describe('mergeSecurityContext', () => {
  it('lets the override win per field and emits API key order', () => {
    const out = mergeSecurityContext({ seccompProfile: { type: 'RuntimeDefault' }, allowPrivilegeEscalation: false }, { runAsUser: 5, allowPrivilegeEscalation: true });
    expect(Object.keys(out)).toEqual(['allowPrivilegeEscalation', 'runAsUser', 'seccompProfile']);
    expect(out.allowPrivilegeEscalation).toBe(true);
  });

  it('merges capabilities.add and .drop separately and copies arrays', () => {
    const base = { capabilities: { drop: ['ALL'] } };
    const out = mergeSecurityContext(base, { capabilities: { add: ['NET_BIND_SERVICE'] } });
    expect(out.capabilities).toEqual({ add: ['NET_BIND_SERVICE'], drop: ['ALL'] });
    out.capabilities?.drop?.push('X');
    expect(base.capabilities.drop).toEqual(['ALL']);
  });
});

describe('connectorSecurityContext', () => {
  it('returns fresh objects each time', () => {
    const a = connectorSecurityContext(undefined, 'default');
    a.capabilities?.drop?.push('mutated');
    expect(connectorSecurityContext(undefined, 'default').capabilities).toEqual({ drop: ['ALL'] });
  });
});

describe('fillMissing', () => {
  it('adds only absent fields, one level deep, keeping existing order', () => {
    const out = fillMissing({ runAsUser: 7, seccompProfile: { type: 'Localhost', localhostProfile: 'p' } }, restrictedPod(1000, 2000));
    expect(out).toEqual({ runAsUser: 7, seccompProfile: { type: 'Localhost', localhostProfile: 'p' }, runAsNonRoot: true, runAsGroup: 2000, fsGroup: 2000 });
    expect(Object.keys(out)[0]).toBe('runAsUser');
  });
});
