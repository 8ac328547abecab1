import { describe, expect, it } from 'vitest';
import { parseStepInput } from '../input/schema.js';
import { formatIssue } from '../schema/issues.js';
import { deepFreeze, makeActor, makeInput, weights } from './fixtures.testkit.js';
import {
  actorResourceServiceAccount,
  composedResourceFor,
  planServiceAccount,
  substitute,
  withActorServiceAccount,
  WARNING_REASON_SERVICE_ACCOUNT,
} from './service-account.js';

const ROLE = 'arn:aws:iam::123456789012:role/asya-{namespace}-{actor}';
const aws = (extra: Record<string, unknown> = {}) => makeInput({ serviceAccount: { enabled: true, annotations: { 'eks.amazonaws.com/role-arn': ROLE }, ...extra } });
const actor = makeActor({ stateProxy: [weights] });

const plan = (input = aws(), a = actor, existing?: string) => {
  const out = planServiceAccount(a, input, existing);
  if (!out.ok) throw new Error(out.issues.map(formatIssue).join('\n'));
  return out.value;
};
const refusal = (input: ReturnType<typeof makeInput>, a = actor, existing?: string) => {
  const out = planServiceAccount(a, input, existing);
  if (out.ok) throw new Error('expected a refusal');
  return out;
};
const inputIssues = (raw: Record<string, unknown>) => {
  const parsed = parseStepInput({ serviceAccount: raw });
  return parsed.ok ? [] : parsed.issues.map(formatIssue);
};

describe('substitute', () => {
  it('replaces every placeholder occurrence', () => {
    expect(substitute('{actor}-{namespace}-{actor}', { namespace: 'prod', actor: 'a' })).toBe('a-prod-a');
  });
  it('cannot substitute {namespace} without a namespace', () => {
    expect(substitute('{namespace}', { namespace: undefined, actor: 'a' })).toBeUndefined();
  });
});

describe('step input serviceAccount', () => {
  it('is off by default and composes nothing', () => {
    const p = plan(makeInput());
    expect(p).toEqual({ warnings: [] });
  });

  it('refuses a name pattern without {actor} unless shared', () => {
    expect(inputIssues({ enabled: true, namePattern: 'asya-actors' })).toEqual([
      expect.stringMatching(/^input\.serviceAccount\.namePattern: namePattern "asya-actors" has no \{actor\}/),
    ]);
    expect(inputIssues({ enabled: true, shared: { name: 'asya-actors' } })).toEqual([]);
  });

  it('refuses unknown placeholders, naming the field', () => {
    expect(inputIssues({ enabled: true, namePattern: '{actr}', annotations: { x: '{ns}' } })).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^input\.serviceAccount\.namePattern: unknown placeholder \{actr\}/),
        expect.stringMatching(/^input\.serviceAccount\.annotations\.x: unknown placeholder \{ns\}/),
      ]),
    );
  });

  it('refuses settings of a composed ServiceAccount in shared mode (they would be ignored)', () => {
    expect(inputIssues({ enabled: true, shared: { name: 's' }, annotations: { a: 'b' }, automountServiceAccountToken: false })).toEqual([
      expect.stringMatching(/^input\.serviceAccount\.annotations: annotations applies to a composed ServiceAccount/),
      expect.stringMatching(/^input\.serviceAccount\.automountServiceAccountToken: /),
    ]);
  });
});

describe('planServiceAccount: composed per actor', () => {
  it('composes one ServiceAccount named after the actor, with substituted annotations', () => {
    const p = plan();
    expect(p.composed).toEqual({
      key: 'serviceaccount',
      resource: {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: {
          name: 'model-inference',
          labels: {
            'app.kubernetes.io/name': 'model-inference',
            'app.kubernetes.io/component': 'actor',
            'app.kubernetes.io/part-of': 'asya',
            'app.kubernetes.io/managed-by': 'crossplane',
            'asya.sh/actor': 'model-inference',
          },
          annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/asya-prod-model-inference' },
        },
      },
    });
    expect(p.pod).toEqual({ name: 'model-inference', labels: {} });
    expect(p.status).toEqual({ name: 'model-inference', source: 'composed' });
    expect(p.warnings).toEqual([]);
  });

  it('gives two actors two ServiceAccounts', () => {
    const other = makeActor({ stateProxy: [weights] }, { name: 'other-actor' });
    expect(plan(aws(), other).composed?.resource.metadata?.name).toBe('other-actor');
    expect(plan(aws({ namePattern: 'asya-{actor}' }), other).composed?.resource.metadata?.name).toBe('asya-other-actor');
  });

  it('sets automountServiceAccountToken as given, false by default under the restricted profile', () => {
    expect(plan(aws({ automountServiceAccountToken: true })).composed?.resource.automountServiceAccountToken).toBe(true);
    expect(plan(aws()).composed?.resource).not.toHaveProperty('automountServiceAccountToken');
    const restricted = makeInput({ securityProfile: 'restricted', serviceAccount: { enabled: true } });
    expect(plan(restricted).composed?.resource.automountServiceAccountToken).toBe(false);
    const explicit = makeInput({ securityProfile: 'restricted', serviceAccount: { enabled: true, automountServiceAccountToken: true } });
    expect(plan(explicit).composed?.resource.automountServiceAccountToken).toBe(true);
  });

  it('adds input labels to the ServiceAccount and podLabels to the pod', () => {
    const p = plan(makeInput({ serviceAccount: { enabled: true, labels: { team: '{namespace}' }, podLabels: { 'azure.workload.identity/use': 'true' } } }));
    expect(p.composed?.resource.metadata?.labels?.['team']).toBe('prod');
    expect(p.pod?.labels).toEqual({ 'azure.workload.identity/use': 'true' });
  });

  it.each([
    ['a role ARN that is not one', { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::12345:role/x' } }, /annotations\["eks\.amazonaws\.com\/role-arn"\]: eks\.amazonaws\.com\/role-arn must be an IAM role ARN/],
    ['a user ARN', { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:user/x' } }, /must be an IAM role ARN/],
    ['a GCP service account that is not an email', { annotations: { 'iam.gke.io/gcp-service-account': 'reader' } }, /must be a Google service account email/],
    ['an Azure client id that is not a UUID', { annotations: { 'azure.workload.identity/client-id': 'my-app' } }, /must be the managed identity or application client ID, a UUID/],
    ['an invalid annotation key', { annotations: { 'bad key': 'v' } }, /annotations key "bad key" has a name part/],
    ['a substituted name that is not a DNS subdomain', { namePattern: '{actor}_sa' }, /namePattern: ServiceAccount name "model-inference_sa" is not a DNS-1123 subdomain/],
    ['a label value too long after substitution', { labels: { owner: '{actor}{actor}{actor}{actor}{actor}' } }, /labels\.owner: labels value .* is 75 characters long/],
    ['a label the function sets itself', { labels: { 'asya.sh/actor': 'x' } }, /label asya\.sh\/actor is set by the function/],
    ['a pod label the function sets itself', { podLabels: { 'app.kubernetes.io/name': 'x' } }, /podLabels\["app\.kubernetes\.io\/name"\]: label app\.kubernetes\.io\/name is set by the function/],
    ['the Deployment\'s resource key', { resourceKey: 'deployment' }, /resourceKey: resourceKey "deployment" is the Deployment's key/],
    ['annotations over 256 KiB', { annotations: { big: 'x'.repeat(256 * 1024) } }, /annotations total 262147 bytes after substitution; Kubernetes allows at most 262144/],
  ])('refuses %s as an input error with the field path', (_n, extra, want) => {
    const out = refusal(makeInput({ serviceAccount: { enabled: true, ...extra } }));
    expect(out.blame).toBe('input');
    expect(out.issues.map(formatIssue).join('\n')).toMatch(want);
  });

  it('accepts the documented identity annotations of each cloud', () => {
    for (const annotations of [
      { 'eks.amazonaws.com/role-arn': 'arn:aws-us-gov:iam::123456789012:role/path/to/role' },
      { 'iam.gke.io/gcp-service-account': 'asya-{actor}@my-project.iam.gserviceaccount.com' },
      { 'azure.workload.identity/client-id': '00000000-1111-2222-3333-444444444444', 'azure.workload.identity/tenant-id': 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' },
    ]) {
      expect(planServiceAccount(actor, makeInput({ serviceAccount: { enabled: true, annotations } }), undefined).ok).toBe(true);
    }
  });

  it('refuses {namespace} when the actor has none', () => {
    const clusterScoped = makeActor({}, { namespace: undefined });
    const out = refusal(aws(), clusterScoped);
    expect(out.issues.map(formatIssue)).toEqual([expect.stringMatching(/annotations\["eks.amazonaws.com\/role-arn"\]: the annotations value uses \{namespace\}, but the AsyncActor has no metadata.namespace/)]);
  });
});

describe('planServiceAccount: other sources', () => {
  it('references a shared ServiceAccount without composing it', () => {
    const p = plan(makeInput({ serviceAccount: { enabled: true, shared: { name: 'asya-actors' } } }));
    expect(p.composed).toBeUndefined();
    expect(p.pod?.name).toBe('asya-actors');
    expect(p.status).toEqual({ name: 'asya-actors', source: 'shared' });
  });

  it('uses the actor\'s spec.serviceAccountName when the input composes none', () => {
    const own = makeActor({ serviceAccountName: 'inference-reader' });
    for (const input of [makeInput(), makeInput({ serviceAccount: { enabled: false } })]) {
      const p = plan(input, own);
      expect(p.composed).toBeUndefined();
      expect(p.pod).toEqual({ name: 'inference-reader', labels: {} });
      expect(p.status).toEqual({ name: 'inference-reader', source: 'actor' });
    }
  });

  it('refuses spec.serviceAccountName together with an enabled input, at the actor field', () => {
    const own = makeActor({ serviceAccountName: 'inference-reader' });
    for (const input of [aws(), makeInput({ serviceAccount: { enabled: true, shared: { name: 's' } } })]) {
      const out = refusal(input, own);
      expect(out.blame).toBe('actor');
      expect(out.issues.map((i) => i.path.join('.'))).toEqual(['spec.serviceAccountName']);
    }
  });

  it('keeps an earlier step\'s serviceAccountName, with a warning, unless replaceExisting', () => {
    const kept = plan(aws(), actor, 'asya-actors');
    expect(kept.pod).toBeUndefined();
    expect(kept.composed).toBeUndefined();
    expect(kept.status).toEqual({ name: 'asya-actors', source: 'earlier-step' });
    expect(kept.warnings.map((w) => w.reason)).toEqual([WARNING_REASON_SERVICE_ACCOUNT.kept]);
    expect(kept.warnings[0]?.message).toMatch(/runs as ServiceAccount "asya-actors" and keeps it.*replaceExisting: true/);

    const replaced = plan(aws({ replaceExisting: true }), actor, 'asya-actors');
    expect(replaced.pod?.name).toBe('model-inference');
    expect(replaced.composed?.resource.metadata?.name).toBe('model-inference');
    expect(replaced.warnings).toEqual([]);

    // The same name is no conflict.
    expect(plan(aws(), actor, 'model-inference').warnings).toEqual([]);
  });

  it('does not touch an earlier step\'s ServiceAccount when no input is configured (no status either)', () => {
    expect(plan(makeInput(), actor, 'asya-actors')).toEqual({ warnings: [] });
  });
});

describe('missing credentials warning', () => {
  const reasons = (p: ReturnType<typeof plan>) => p.warnings.map((w) => w.reason);

  it('is silent without a serviceAccount input (the namespace default or the node may carry an identity)', () => {
    expect(reasons(plan(makeInput()))).toEqual([]);
  });

  it('warns for an S3 connector when the composed ServiceAccount has no AWS annotation', () => {
    const p = plan(makeInput({ serviceAccount: { enabled: true, annotations: { 'iam.gke.io/gcp-service-account': 'reader-sa@proj-123.iam.gserviceaccount.com' } } }));
    expect(p.warnings).toEqual([
      {
        reason: WARNING_REASON_SERVICE_ACCOUNT.missingIdentity,
        path: ['spec', 'stateProxy', 0, 'connector'],
        message: expect.stringMatching(/S3 connector of mount "weights" has no AWS credentials.*AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.*eks\.amazonaws\.com\/role-arn.*spec\.serviceAccountName/),
      },
    ]);
  });

  it('warns when the input is configured but off and the actor has neither credentials nor a ServiceAccount', () => {
    expect(reasons(plan(makeInput({ serviceAccount: { enabled: false } })))).toEqual([WARNING_REASON_SERVICE_ACCOUNT.missingIdentity]);
  });

  it.each([
    ['the AWS annotation', aws(), actor],
    ['boundOutsideKubernetes (EKS Pod Identity)', makeInput({ serviceAccount: { enabled: true, boundOutsideKubernetes: true } }), actor],
    ['a shared ServiceAccount', makeInput({ serviceAccount: { enabled: true, shared: { name: 's' } } }), actor],
    ['spec.serviceAccountName', makeInput({ serviceAccount: {} }), makeActor({ stateProxy: [weights], serviceAccountName: 'x' })],
    [
      'AWS keys from a Secret',
      makeInput({ serviceAccount: {} }),
      makeActor({
        stateProxy: [
          {
            ...weights,
            connector: {
              ...weights.connector,
              env: [
                ...weights.connector.env,
                { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 's3', key: 'id' } } },
                { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 's3', key: 'secret' } } },
              ],
            },
          },
        ],
      }),
    ],
    ['envFrom', makeInput({ serviceAccount: {} }), makeActor({ stateProxy: [{ ...weights, connector: { ...weights.connector, envFrom: [{ secretRef: { name: 's3' } }] } }] })],
  ])('is silent with %s', (_n, input, a) => {
    expect(reasons(plan(input, a))).toEqual([]);
  });

  it('warns for a GCS connector with only a key id half or an AWS identity', () => {
    const gcs = makeActor({
      stateProxy: [{ name: 'media', mount: { path: '/state/media' }, connector: { image: 'ghcr.io/deliveryhero/asya-state-proxy-gcs-buffered-cas:v1.0.0', env: [{ name: 'STATE_BUCKET', value: 'b' }] } }],
    });
    const p = plan(aws(), gcs);
    expect(p.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/GCS connector of mount "media" has no Google credentials.*GOOGLE_APPLICATION_CREDENTIALS.*iam\.gke\.io\/gcp-service-account/)]);
  });
});

describe('the actor resource', () => {
  const deployment = deepFreeze({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'model-inference' },
    spec: { template: { metadata: { labels: { a: 'b' } }, spec: { terminationGracePeriodSeconds: 30, containers: [{ name: 'asya-runtime' }] } } },
  });

  it('gets serviceAccountName before the containers and the pod labels, without touching its argument', () => {
    const out = withActorServiceAccount(deployment, { pod: { name: 'sa', labels: { 'azure.workload.identity/use': 'true' } }, warnings: [] });
    const template = (out['spec'] as any).template;
    expect(Object.keys(template.spec)).toEqual(['terminationGracePeriodSeconds', 'serviceAccountName', 'containers']);
    expect(template.spec.serviceAccountName).toBe('sa');
    expect(template.metadata.labels).toEqual({ a: 'b', 'azure.workload.identity/use': 'true' });
    expect(actorResourceServiceAccount(out)).toBe('sa');
    expect(actorResourceServiceAccount(deployment)).toBeUndefined();
  });

  it('is returned as is when the plan leaves the pod alone', () => {
    expect(withActorServiceAccount(deployment, { warnings: [] })).toBe(deployment);
  });

  it('replaces the deprecated serviceAccount alias too', () => {
    const old = { ...deployment, spec: { template: { spec: { serviceAccount: 'old', serviceAccountName: 'old', containers: [] } } } };
    expect(actorResourceServiceAccount(old)).toBe('old');
    const out = withActorServiceAccount(old, { pod: { name: 'new', labels: {} }, warnings: [] });
    expect((out['spec'] as any).template.spec).toEqual({ serviceAccount: 'new', serviceAccountName: 'new', containers: [] });
  });

  it('inside a provider-kubernetes Object: the manifest pod is changed, the ServiceAccount wrapped the same way', () => {
    const object = deepFreeze({
      apiVersion: 'kubernetes.crossplane.io/v1alpha2',
      kind: 'Object',
      metadata: { name: 'model-inference-deployment' },
      spec: { forProvider: { manifest: { ...deployment, metadata: { name: 'model-inference', namespace: 'prod' } } }, providerConfigRef: { name: 'in-cluster' } },
    });
    const p = plan();
    const out = withActorServiceAccount(object, p);
    expect((out['spec'] as any).forProvider.manifest.spec.template.spec.serviceAccountName).toBe('model-inference');
    expect((out['spec'] as any).providerConfigRef).toEqual({ name: 'in-cluster' });
    const wrapped = composedResourceFor(object, p.composed!.resource);
    expect(wrapped).toEqual({
      apiVersion: 'kubernetes.crossplane.io/v1alpha2',
      kind: 'Object',
      spec: {
        forProvider: { manifest: { ...p.composed!.resource, metadata: { ...p.composed!.resource.metadata, namespace: 'prod' } } },
        providerConfigRef: { name: 'in-cluster' },
      },
    });
    expect(composedResourceFor(deployment, p.composed!.resource)).toBe(p.composed!.resource);
  });
});
