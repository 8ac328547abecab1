/**
 * The runtime and the connectors read exactly the validated spec values after kubelet's `$(VAR)`
 * expansion (issue 12 item 4). The expander is checked against the upstream expansion table first.
 */
import { Severity } from '@crossplane-org/function-sdk-typescript';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runFunction } from '../function/handler.js';
import { formatMountsEnv } from '../function/render/mounts-env.js';
import { makeActor } from '../function/render/fixtures.testkit.js';
import { fcParams } from './support/fc.js';
import { kubeletExpand, kubeletStart } from './support/kubelet-expand.js';
import { actorDoc, baseSpec, cacheMount, request, weightsMount } from './support/requests.js';

describe('kubeletExpand (the rules of k8s third_party/forked/golang/expansion)', () => {
  const vars: Record<string, string> = { VAR_A: 'A', VAR_B: 'B', VAR_C: 'C', VAR_REF: '$(VAR_A)', VAR_EMPTY: '' };
  const lookup = (n: string) => (Object.hasOwn(vars, n) ? vars[n] : undefined);
  it.each([
    ['$(VAR_A)', 'A'],
    ['$(VAR_A)-$(VAR_A)', 'A-A'],
    ['$$(VAR_B)_$(VAR_A)', '$(VAR_B)_A'],
    ['f000-$$VAR_A', 'f000-$VAR_A'],
    ['foo\\$(VAR_C)bar', 'foo\\Cbar'],
    ['$(VAR_A$(VAR_B))', '$(VAR_A$(VAR_B))'],
    ['$(VAR_A$(VAR_B)', '$(VAR_A$(VAR_B)'],
    ['$(VAR_REF)', '$(VAR_A)'],
    ['foo$(VAR_EMPTY)bar', 'foobar'],
    ['foo$(VAR_Awhoops!', 'foo$(VAR_Awhoops!'],
    ['$?_boo_$!', '$?_boo_$!'],
    ['$VAR_A', '$VAR_A'],
    ['$(VAR_DNE)', '$(VAR_DNE)'],
    ['$$$$$$(BIG_MONEY)', '$$$(BIG_MONEY)'],
    ['$$$$$$$(GOOD_ODDS)', '$$$$(GOOD_ODDS)'],
    ['$$$$$$$(VAR_A)', '$$$A'],
    ['${VAR_A}', '${VAR_A}'],
    ['$(VAR_B)_______$(A', 'B_______$(A'],
    ['$(VAR_C)_______$(', 'C_______$('],
    ['$(VAR_A)foobarzab$', 'Afoobarzab$'],
    ['--$($($($($--', '--$($($($($--'],
    ['$(foo$$var)', '$(foo$$var)'],
  ])('%s -> %s', (input, expected) => expect(kubeletExpand(input, lookup)).toBe(expected));
});

const SERVICE = { KUBERNETES_PORT: 'tcp://10.0.0.1:443', X: 'service-x' };

function startedPod(spec: Record<string, unknown>) {
  const rsp = runFunction(request({ xr: actorDoc(spec) }));
  expect(rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL)).toEqual([]);
  const dep = rsp.desired?.resources['deployment']?.resource as { spec: { template: { spec: { containers: Array<Record<string, unknown>>; initContainers?: Array<Record<string, unknown>> } } } };
  const pod = dep.spec.template.spec;
  const all = [...pod.containers, ...(pod.initContainers ?? [])];
  const byName = (n: string) => all.find((c) => c['name'] === n) as Parameters<typeof kubeletStart>[0];
  return { byName, all };
}

describe('values the function composes reach the process as validated', () => {
  it('mount paths and the handler with $(VAR) and $$ are not expanded; the user env keeps its own $(VAR)', () => {
    const stateProxy = [
      { ...weightsMount, mount: { path: '/state/$(X)' } },
      { ...cacheMount, mount: { path: '/state/$(KUBERNETES_PORT)/$$a/$' } },
    ];
    const spec = { ...baseSpec, handler: 'inference.Model.process', env: [{ name: 'X', value: 'opt/asya' }, { name: 'Y', value: '$(X)-y' }], stateProxy };
    const { byName } = startedPod(spec);
    const runtime = kubeletStart(byName('asya-runtime'), SERVICE);
    const actor = makeActor(spec as never);
    expect(runtime.env.get('ASYA_STATE_PROXY_MOUNTS')).toBe(formatMountsEnv(actor.spec.stateProxy ?? []));
    expect(runtime.env.get('ASYA_STATE_PROXY_MOUNTS')).toBe('weights:/state/$(X):write=buffered;cache:/state/$(KUBERNETES_PORT)/$$a/$:write=buffered');
    expect(runtime.env.get('ASYA_HANDLER')).toBe('inference.Model.process');
    // The user's own env is theirs: kubelet expands it as they wrote it.
    expect(runtime.env.get('Y')).toBe('opt/asya-y');
  });

  it('on arbitrary mount paths and handlers made of $ ( ) characters, every composed value survives expansion', () => {
    const seg = fc.stringMatching(/^[a$()XK_]{1,8}$/);
    const path = fc.array(seg, { minLength: 1, maxLength: 3 }).map((s) => `/${s.join('/')}`);
    const handlerPart = fc.stringMatching(/^[a-z][a-z$()]{0,6}$/);
    fc.assert(
      fc.property(path, fc.tuple(handlerPart, handlerPart), (p, [h1, h2]) => {
        const spec = { ...baseSpec, handler: `${h1}.${h2}`, env: [{ name: 'X', value: 'evil;x:/opt' }, { name: 'a', value: 'A' }], stateProxy: [{ ...weightsMount, mount: { path: p } }] };
        const rsp = runFunction(request({ xr: actorDoc(spec) }));
        fc.pre(!rsp.results.some((r) => r.severity === Severity.SEVERITY_FATAL));
        const { byName, all } = startedPod(spec);
        const runtime = kubeletStart(byName('asya-runtime'), SERVICE);
        expect(runtime.env.get('ASYA_STATE_PROXY_MOUNTS')).toBe(`weights:${p}:write=buffered`);
        expect(runtime.env.get('ASYA_HANDLER')).toBe(`${h1}.${h2}`);
        expect(runtime.command[0]).toBe('python3');
        for (const c of all.filter((x) => String(x['name']).startsWith('asya-state-proxy-') || String(x['name']).includes('connector'))) {
          const started = kubeletStart(c as never, SERVICE);
          const raw = (c['env'] as Array<{ name: string; value?: string }>).find((e) => e.name === 'CONNECTOR_SOCKET');
          if (raw !== undefined) expect(started.env.get('CONNECTOR_SOCKET')).toBe(raw.value?.replaceAll('$$', '$'));
        }
      }),
      fcParams(200),
    );
  });
});
