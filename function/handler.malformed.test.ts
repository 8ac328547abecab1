/**
 * A malformed Deployment from an earlier step is that step's conflict, named by path, never an
 * InternalError (issue 12 item 7).
 */
import { type RunFunctionRequest, Severity } from '@crossplane-org/function-sdk-typescript';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams } from '../test/support/fc.js';
import { actorDoc, baseSpec, request } from '../test/support/requests.js';
import { REASON, runFunction } from './handler.js';

const goodDeployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'model-inference' },
  spec: {
    selector: { matchLabels: { app: 'x' } },
    template: {
      metadata: { labels: { app: 'x' } },
      spec: {
        containers: [
          {
            name: 'asya-runtime',
            image: 'python:3.12',
            command: ['python3'],
            env: [{ name: 'A', value: 'b' }],
            volumeMounts: [{ name: 'v', mountPath: '/v' }],
            securityContext: { capabilities: { drop: ['ALL'] } },
          },
        ],
        volumes: [{ name: 'v', emptyDir: {} }],
        securityContext: { runAsNonRoot: true },
      },
    },
  },
});

type Dep = ReturnType<typeof goodDeployment>;

function withDesired(resource: unknown, input?: Record<string, unknown>): RunFunctionRequest {
  const req = request({ xr: actorDoc(baseSpec), ...(input === undefined ? {} : { input }) });
  return { ...req, desired: { ...req.desired, composite: req.desired?.composite, resources: { deployment: { resource: resource as Record<string, unknown>, connectionDetails: {}, ready: 0 } } } };
}

const pod = (d: Dep) => d.spec.template.spec as unknown as Record<string, unknown>;
const runtime = (d: Dep) => d.spec.template.spec.containers[0] as unknown as Record<string, unknown>;

const CASES: Array<[string, (d: Dep) => void, string]> = [
  ['containers: [null]', (d) => void (pod(d)['containers'] = [null]), 'spec.template.spec.containers[0]'],
  ['a null container beside the runtime', (d) => void (pod(d)['containers'] = [runtime(d), null]), 'spec.template.spec.containers[1]'],
  ['a string container', (d) => void (pod(d)['containers'] = [runtime(d), 'sidecar']), 'spec.template.spec.containers[1]'],
  ['volumes: {}', (d) => void (pod(d)['volumes'] = {}), 'spec.template.spec.volumes'],
  ['volumes: [null]', (d) => void (pod(d)['volumes'] = [null]), 'spec.template.spec.volumes[0]'],
  ['a volume with a numeric name', (d) => void (pod(d)['volumes'] = [{ name: 7 }]), 'spec.template.spec.volumes[0].name'],
  ['initContainers: "x"', (d) => void (pod(d)['initContainers'] = 'x'), 'spec.template.spec.initContainers'],
  ['initContainers: [1]', (d) => void (pod(d)['initContainers'] = [1]), 'spec.template.spec.initContainers[0]'],
  ['runtime env: "x"', (d) => void (runtime(d)['env'] = 'x'), 'spec.template.spec.containers[0].env'],
  ['runtime env: [null]', (d) => void (runtime(d)['env'] = [null]), 'spec.template.spec.containers[0].env[0]'],
  ['runtime env: {}', (d) => void (runtime(d)['env'] = {}), 'spec.template.spec.containers[0].env'],
  ['runtime volumeMounts: 3', (d) => void (runtime(d)['volumeMounts'] = 3), 'spec.template.spec.containers[0].volumeMounts'],
  ['runtime volumeMounts: ["v"]', (d) => void (runtime(d)['volumeMounts'] = ['v']), 'spec.template.spec.containers[0].volumeMounts[0]'],
  ['runtime command: "python3"', (d) => void (runtime(d)['command'] = 'python3'), 'spec.template.spec.containers[0].command'],
  ['runtime securityContext: []', (d) => void (runtime(d)['securityContext'] = []), 'spec.template.spec.containers[0].securityContext'],
  ['capabilities.drop: "ALL"', (d) => void (runtime(d)['securityContext'] = { capabilities: { drop: 'ALL' } }), 'spec.template.spec.containers[0].securityContext.capabilities.drop'],
  ['pod securityContext: "x"', (d) => void (pod(d)['securityContext'] = 'x'), 'spec.template.spec.securityContext'],
  ['pod os: 1', (d) => void (pod(d)['os'] = 1), 'spec.template.spec.os'],
  ['template metadata labels: []', (d) => void (d.spec.template.metadata = { labels: [] as never }), 'spec.template.metadata.labels'],
  ['a container name that is a number', (d) => void (pod(d)['containers'] = [runtime(d), { name: 5 }]), 'spec.template.spec.containers[1].name'],
];

describe('malformed earlier-step Deployments', () => {
  for (const profile of ['default', 'restricted'] as const) {
    it.each(CASES)(`%s is a DesiredResourceConflict naming the path (securityProfile ${profile})`, (_name, break_, path) => {
      const dep = goodDeployment();
      break_(dep);
      const req = withDesired(dep, { apiVersion: 'x/v1', kind: 'Input', securityProfile: profile });
      const before = JSON.stringify(req.desired);
      const rsp = runFunction(req);
      const fatal = rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL);
      expect(fatal).toHaveLength(1);
      expect(fatal[0]?.reason).toBe(REASON.conflict);
      expect(fatal[0]?.message).toContain(`desired.resources.deployment.${path}`);
      expect(JSON.stringify(rsp.desired)).toBe(before);
    });
  }

  it('the well-formed Deployment these cases break is augmented', () => {
    const rsp = runFunction(withDesired(goodDeployment()));
    expect(rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL)).toEqual([]);
  });

  it('any value anywhere in the pod template gives an answer, never an InternalError', () => {
    const junk = fc.oneof(fc.constant(null), fc.string(), fc.integer(), fc.boolean(), fc.constant({}), fc.constant([]), fc.constant([null]), fc.constant(['x']), fc.constant([1]));
    const paths: string[][] = [];
    const walk = (v: unknown, at: string[]) => {
      paths.push(at);
      if (v !== null && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, [...at, k]);
    };
    walk(goodDeployment().spec.template, []);
    fc.assert(
      fc.property(fc.constantFrom(...paths.filter((p) => p.length > 0)), junk, fc.constantFrom('default', 'restricted'), (path, value, profile) => {
        const dep = goodDeployment();
        let parent = dep.spec.template as unknown as Record<string, unknown>;
        for (const k of path.slice(0, -1)) parent = parent[k] as Record<string, unknown>;
        parent[path.at(-1) as string] = value;
        const rsp = runFunction(withDesired(dep, { apiVersion: 'x/v1', kind: 'Input', securityProfile: profile }));
        expect(rsp.results.map((r) => r.reason)).not.toContain(REASON.internal);
      }),
      fcParams(400),
    );
  });
});
