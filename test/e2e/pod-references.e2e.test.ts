/**
 * Pod references through the real Crossplane (issue 18): an actor created before its runtime
 * ConfigMap reports PodReferencesResolved False, and True once the ConfigMap exists without the
 * actor being touched (Crossplane re-runs the pipeline on its poll interval and fetches the
 * required resources again); with `runtimeScript.copyFrom` an actor in a fresh namespace gets
 * its own copy, and removing the source gives a clear condition while the copy stays.
 *
 * REFS_E2E_CAPTURE=<file> appends `kubectl get asyncactor -o yaml` conditions at each step.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump, load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNamespace, waitForDeployment } from './support/actors.js';
import { apply, condition, getJson, kubectl, waitFor } from './support/kube.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PLATFORM = 'e2e-refs-platform';
const COPY_COMPOSITION = 'asyncactors-runtime-copy-e2e';
// Crossplane's default poll interval is one minute, plus jitter; the fetch happens on that re-run.
const REPOLL_MS = 150_000;
type Obj = Record<string, any>;

const script = 'print("asya runtime, e2e stand-in")\n';
const configMap = (name: string, namespace: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { 'asya_runtime.py': script } });

function actor(name: string, namespace: string, composition?: string): Obj {
  const a = load(readFileSync(join(ROOT, 'examples/model-weights-s3.yaml'), 'utf8')) as Obj;
  a['metadata'] = { name, namespace };
  a['spec']['actor'] = name;
  if (composition !== undefined) a['spec']['crossplane'] = { compositionRef: { name: composition } };
  return a;
}

const references = async (name: string, ns: string) => condition(await getJson('asyncactor', name, ns), 'PodReferencesResolved');
const waitForReferences = (name: string, ns: string, status: 'True' | 'False', match?: RegExp, timeoutMs = REPOLL_MS) =>
  waitFor(`AsyncActor ${ns}/${name} PodReferencesResolved=${status}${match ? ` matching ${match}` : ''}`, async () => {
    const c = await references(name, ns);
    return c?.status === status && (match === undefined || match.test(c.message ?? '')) ? c : undefined;
  }, timeoutMs, 1000);

async function capture(step: string, name: string, ns: string): Promise<void> {
  const file = process.env['REFS_E2E_CAPTURE'];
  if (file === undefined || file === '') return;
  // kubectl's own YAML, cut to status.conditions (kubectl writes its items at the key's own indent, "  - ").
  const lines = (await kubectl(['get', 'asyncactor', name, '-n', ns, '-o', 'yaml'])).split('\n');
  const start = lines.indexOf('  conditions:');
  const end = lines.findIndex((l, i) => i > start && /^ {0,2}[^\s-]/.test(l));
  appendFileSync(file, `# ${step}: kubectl get asyncactor ${name} -n ${ns} -o yaml (status.conditions)\nstatus:\n${lines.slice(start, end).join('\n')}\n\n`);
}

// The suites share one control plane and run in any order: leave no AsyncActor behind (the
// admission suite deletes the XRD, which waits for every AsyncActor to go).
afterAll(async () => {
  const t0 = Date.now();
  await kubectl(['delete', 'asyncactors.asya.sh', '-n', 'e2e-refs-late', '--all', '--ignore-not-found', '--wait=true', '--timeout=120s']);
  await kubectl(['delete', 'asyncactors.asya.sh', '-n', 'e2e-refs-copy', '--all', '--ignore-not-found', '--wait=true', '--timeout=120s']);
  await kubectl(['delete', 'asyncactors.asya.sh', '-n', 'e2e-refs-nosource', '--all', '--ignore-not-found', '--wait=true', '--timeout=120s']);
  await kubectl(['delete', 'composition', COPY_COMPOSITION, '--ignore-not-found', '--wait=true', '--timeout=60s']);
  process.stderr.write(`pod-references e2e: actors deleted in ${Date.now() - t0} ms\n`);
});

beforeAll(async () => {
  await ensureNamespace(PLATFORM);
  await apply(
    dump({
      apiVersion: 'apiextensions.crossplane.io/v1',
      kind: 'Composition',
      metadata: { name: COPY_COMPOSITION },
      spec: {
        compositeTypeRef: { apiVersion: 'asya.sh/v1alpha1', kind: 'AsyncActor' },
        mode: 'Pipeline',
        pipeline: [
          {
            step: 'render-actor',
            functionRef: { name: 'function-asya-state-proxy' },
            input: { apiVersion: 'stateproxy.fn.asya.sh/v1alpha1', kind: 'Input', runtimeScript: { copyFrom: { namespace: PLATFORM, name: 'asya-runtime' } } },
          },
        ],
      },
    }),
  );
});

describe('PodReferencesResolved (compositions/asyncactor-state-proxy.yaml)', () => {
  it('is False while the runtime ConfigMap is missing and turns True once it exists, without touching the actor', async () => {
    const ns = 'e2e-refs-late';
    await ensureNamespace(ns);
    await apply(dump(actor('late-runtime', ns)));
    const missing = await waitForReferences('late-runtime', ns, 'False');
    expect(missing.reason).toBe('ReferencesMissing');
    expect(missing.message).toMatch(/^In namespace e2e-refs-late: ConfigMap asya-runtime \(volume asya-runtime\) not found\./);
    // The render is not FATAL: the Deployment is composed while the ConfigMap is missing.
    await waitForDeployment('late-runtime', ns);
    await capture('actor before its ConfigMap', 'late-runtime', ns);
    const before = (await getJson<Obj>('asyncactor', 'late-runtime', ns))!['metadata'];

    await apply(dump(configMap('asya-runtime', ns)));
    const resolved = await waitForReferences('late-runtime', ns, 'True');
    expect(resolved.reason).toBe('AllReferencesFound');
    expect(resolved.message).toBe('Every object the pod references exists in namespace e2e-refs-late: ConfigMap asya-runtime');
    await capture('after creating the ConfigMap', 'late-runtime', ns);
    const after = (await getJson<Obj>('asyncactor', 'late-runtime', ns))!['metadata'];
    expect(after['generation']).toBe(before['generation']);
  });
});

describe('runtimeScript.copyFrom (a Composition applied by this test)', () => {
  it('copies the runtime script into a fresh namespace per actor, and keeps the copy with a clear condition when the source goes', async () => {
    const ns = 'e2e-refs-copy';
    await ensureNamespace(ns);
    await apply(dump(configMap('asya-runtime', PLATFORM)));
    await apply(dump(actor('copied-a', ns, COPY_COMPOSITION)));
    await apply(dump(actor('copied-b', ns, COPY_COMPOSITION)));

    for (const name of ['copied-a', 'copied-b']) {
      const copy = await waitFor(`ConfigMap ${ns}/${name}-asya-runtime`, () => getJson<Obj>('configmap', `${name}-asya-runtime`, ns), REPOLL_MS);
      expect(copy['data']).toEqual({ 'asya_runtime.py': script });
      expect(copy['metadata']['annotations']['stateproxy.fn.asya.sh/copied-from']).toBe(`${PLATFORM}/asya-runtime`);
      expect(copy['metadata']['ownerReferences'].map((o: Obj) => `${o['kind']}/${o['name']}/${o['controller']}`)).toEqual([`AsyncActor/${name}/true`]);
      const d = await waitForDeployment(name, ns, (dep) => (dep.spec.template.spec.volumes ?? []).some((v: Obj) => v['configMap']?.['name'] === `${name}-asya-runtime`));
      expect((d.spec.template.spec.volumes ?? []).find((v) => v.name === 'asya-runtime')).toEqual({ name: 'asya-runtime', configMap: { name: `${name}-asya-runtime`, defaultMode: 493 } });
      const c = await waitForReferences(name, ns, 'True');
      expect(c.message).toBe(`The runtime script is copied from ConfigMap ${PLATFORM}/asya-runtime to ConfigMap ${ns}/${name}-asya-runtime`);
    }
    await capture('copy mode, source present', 'copied-a', ns);

    // Deleting one actor deletes only its own copy.
    await kubectl(['delete', 'asyncactor', 'copied-b', '-n', ns, '--wait=true', '--timeout=60s']);
    await waitFor('copy of copied-b garbage-collected', async () => ((await getJson('configmap', 'copied-b-asya-runtime', ns)) === undefined ? true : undefined));
    expect(await getJson('configmap', 'copied-a-asya-runtime', ns)).toBeDefined();

    await kubectl(['delete', 'configmap', 'asya-runtime', '-n', PLATFORM, '--wait=true']);
    const gone = await waitForReferences('copied-a', ns, 'False', /source ConfigMap/);
    expect(gone.message).toMatch(new RegExp(`^The runtime script source ConfigMap ${PLATFORM}/asya-runtime \\(input.runtimeScript.copyFrom\\) not found; ConfigMap ${ns}/copied-a-asya-runtime keeps the script copied last and the pod keeps mounting it`));
    await capture('copy mode, source deleted', 'copied-a', ns);
    const kept = await getJson<Obj>('configmap', 'copied-a-asya-runtime', ns);
    expect(kept?.['data']).toEqual({ 'asya_runtime.py': script });
    const d = await waitForDeployment('copied-a', ns);
    expect((d.spec.template.spec.volumes ?? []).find((v) => v.name === 'asya-runtime')).toMatchObject({ configMap: { name: 'copied-a-asya-runtime' } });
  });

  it('an actor created while the source is missing gets no copy and mounts asya-runtime', async () => {
    const ns = 'e2e-refs-nosource';
    await ensureNamespace(ns);
    await kubectl(['delete', 'configmap', 'asya-runtime', '-n', PLATFORM, '--ignore-not-found']);
    await apply(dump(actor('no-source', ns, COPY_COMPOSITION)));
    const c = await waitForReferences('no-source', ns, 'False', /source ConfigMap/);
    expect(c.message).toContain(`no copy is made and the pod mounts ConfigMap ${ns}/asya-runtime instead`);
    await capture('copy mode, source missing from the start', 'no-source', ns);
    const d = await waitForDeployment('no-source', ns);
    expect((d.spec.template.spec.volumes ?? []).find((v) => v.name === 'asya-runtime')).toMatchObject({ configMap: { name: 'asya-runtime' } });
    expect(await getJson('configmap', 'no-source-asya-runtime', ns)).toBeUndefined();
  });
});
