/**
 * Admission, with the real API server as the authority: every example and valid corpus file is
 * admitted, every invalid corpus file refused, and the refusal names the field `validate` names
 * (the `# expect:` header of the file, which test/corpus.test.ts holds `validate` to). Run twice:
 * against the CRD Crossplane makes from the XRD, then against the plain CRD (same name, so one at
 * a time). Server-side dry runs: nothing is stored.
 */
import { loadAll } from 'js-yaml';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type CorpusFile, exampleFiles, invalidFiles, validFiles } from '../corpus/corpus.js';
import { ensureNamespace } from './support/actors.js';
import { KubectlError, kubectl, waitFor } from './support/kube.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const admitted = [...exampleFiles(), ...validFiles()];
// Files marked `# admission: none` break a rule only `validate` and the function enforce (it needs
// the pod, the step input, or would exceed the CEL budget); the API server may admit them.
const refused = invalidFiles().filter((f) => f.admission !== 'none');
const functionOnly = invalidFiles().filter((f) => f.admission === 'none');

interface Row { file: string; expected: string; apiServer: string; match: boolean }

async function dryRun(file: CorpusFile): Promise<string | undefined> {
  for (const d of loadAll(file.text) as Array<{ metadata?: { namespace?: string } } | null>) {
    if (d?.metadata?.namespace) await ensureNamespace(d.metadata.namespace);
  }
  try {
    await kubectl(['create', '--dry-run=server', '-f', '-', '-o', 'name'], file.text);
    return undefined;
  } catch (e) {
    if (e instanceof KubectlError) return e.stderr.trim();
    throw e;
  }
}

/** Does the API server's refusal name the field? CEL messages write list indices as []. */
// A duplicate list-map key is reported by the API server on the list item (`env[1]: Duplicate
// value: {"name":...}`), where validate names the key field of that item (`env[1].name`).
const namesField = (refusal: string, path: string) =>
  refusal.includes(path) ||
  refusal.includes(path.replace(/\[\d+\]/g, '[]')) ||
  (/\]\.name$/.test(path) && refusal.includes(`${path.slice(0, -'.name'.length)}: Duplicate value`));

function phase(label: string) {
  const rows: Row[] = [];
  afterAll(() => {
    const bad = rows.filter((r) => !r.match);
    process.stdout.write(`\nadmission parity (${label}): ${rows.length - bad.length}/${rows.length} invalid files refused naming validate's field\n`);
    for (const r of rows) process.stdout.write(`  ${r.match ? 'ok  ' : 'DIFF'} ${r.file}  validate: ${r.expected}  api-server: ${r.apiServer.replace(/\s+/g, ' ').slice(0, 240)}\n`);
  });

  it.each(admitted.map((f) => [f.name, f] as const))(`${label}: %s admitted`, async (_n, f) => {
    expect(await dryRun(f)).toBeUndefined();
  });

  it.each(functionOnly.map((f) => [f.name, f] as const))(`${label}: %s (function-only rule) admitted, or refused at that field`, async (_n, f) => {
    const refusal = await dryRun(f);
    // The XR's own metadata.labels are checked by the API server itself, on the map as a whole.
    const parent = (p: string) => p.replace(/(\[[^\]]*\]|\.[^.[]+)$/, '');
    if (refusal !== undefined) expect(f.expect.filter((e) => !namesField(refusal, e.path) && !refusal.includes(`${parent(e.path)}: Invalid value`)), refusal).toEqual([]);
  });

  it.each(refused.map((f) => [f.name, f] as const))(`${label}: %s refused, naming validate's field`, async (_n, f) => {
    const refusal = await dryRun(f);
    const expected = f.expect.map((e) => e.path);
    const match = refusal !== undefined && expected.length > 0 && expected.every((p) => namesField(refusal, p));
    rows.push({ file: f.name, expected: expected.join(' '), apiServer: refusal ?? '(admitted)', match });
    expect(refusal, `${f.name} was admitted`).toBeDefined();
    expect(expected.filter((p) => !namesField(refusal!, p)), refusal).toEqual([]);
  });
}

const established = () =>
  waitFor('CRD asyncactors.asya.sh Established', () => kubectl(['wait', '--for=condition=Established', 'crd/asyncactors.asya.sh', '--timeout=10s']), 120_000, 1000);
const crdGone = () =>
  waitFor('CRD asyncactors.asya.sh deleted', async () => ((await kubectl(['get', 'crd', 'asyncactors.asya.sh', '--ignore-not-found', '-o', 'name'])).trim() === '' ? true : undefined), 120_000, 500);

/**
 * The swap is harness, not the subject: Crossplane's definition finalizer lets the XRD go once no
 * AsyncActor is left, usually in seconds. Wait up to 180 s, then print what held it and lift only
 * that finalizer.
 */
async function deleteXrd(): Promise<void> {
  // Files run one at a time in any order; an AsyncActor another suite left would hold the XRD
  // (seen: one left by a suite run before this one held it past 180 s). Delete them first, visibly.
  const left = (await kubectl(['get', 'asyncactors.asya.sh', '-A', '-o', 'name'])).trim();
  if (left !== '') {
    process.stderr.write(`admission: deleting AsyncActors other suites left before the swap: ${left.split('\n').join(', ')}\n`);
    await kubectl(['delete', 'asyncactors.asya.sh', '--all', '-A', '--wait=true', '--timeout=120s']);
  }
  await kubectl(['delete', 'compositeresourcedefinition', 'asyncactors.asya.sh', '--wait=false']);
  const gone = async () => ((await kubectl(['get', 'compositeresourcedefinition', 'asyncactors.asya.sh', '--ignore-not-found', '-o', 'name'])).trim() === '' ? true : undefined);
  try {
    await waitFor('XRD asyncactors.asya.sh deleted', gone, 180_000, 1000);
  } catch {
    const held = await kubectl(['get', 'compositeresourcedefinition', 'asyncactors.asya.sh', '-o', 'jsonpath={.metadata.finalizers} {.status.conditions}', '--ignore-not-found']);
    const left = await kubectl(['get', 'asyncactors.asya.sh', '-A', '-o', 'name', '--ignore-not-found']).catch((e: unknown) => String(e));
    process.stderr.write(`admission: XRD still present after 180 s; finalizers and conditions: ${held}; AsyncActors left: ${left.trim() || 'none'}; lifting its finalizer\n`);
    await kubectl(['patch', 'compositeresourcedefinition', 'asyncactors.asya.sh', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await waitFor('XRD asyncactors.asya.sh deleted', gone, 60_000, 500);
  }
}

describe.sequential('admission by the real API server', () => {
  describe('CRD made by Crossplane from the XRD', () => phase('XRD'));

  describe('plain CRD', () => {
    it('swaps the XRD for the plain CRD', async () => {
      await deleteXrd();
      // Crossplane leaves the CRD it made behind once the XRD is gone; delete it explicitly.
      await kubectl(['delete', 'crd', 'asyncactors.asya.sh', '--ignore-not-found', '--wait=true', '--timeout=120s']);
      await crdGone();
      await kubectl(['apply', '--server-side', '-f', join(ROOT, 'crds/asyncactors.asya.sh.crd.yaml')]);
      await established();
    });
    phase('CRD');
    afterAll(async () => {
      // Put the XRD back for the suites that reconcile.
      await kubectl(['delete', 'crd', 'asyncactors.asya.sh', '--ignore-not-found', '--wait=true', '--timeout=120s']);
      await crdGone();
      await kubectl(['apply', '--server-side', '-f', join(ROOT, 'crds/asyncactors.asya.sh.xrd.yaml')]);
      await established();
    });
  });
});
