/**
 * Every Deployment the render core makes (in process, no Crossplane) passes a server-side dry run
 * on the real API server: the examples and the valid corpus with the shipped Composition's input,
 * and N property-generated valid actors with generated step inputs (ASYA_E2E_ACTORS, default
 * 300). Batched as v1 Lists, one kubectl call per batch; a refusal names the actor it came from.
 */
import fc from 'fast-check';
import { loadAll } from 'js-yaml';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseStepInput } from '../../function/input/schema.js';
import { renderDeployment } from '../../function/render/index.js';
import { validateAsyncActor } from '../../function/schema/validate.js';
import { exampleFiles, validFiles } from '../corpus/corpus.js';
import { stepInput, validActor } from '../support/actor-arbitraries.js';
import { ensureNamespace } from './support/actors.js';
import { KubectlError, kubectl } from './support/kube.js';

const NS = 'e2e-dry-run';
const N = Number(process.env['ASYA_E2E_ACTORS'] ?? 300);
const BATCH = 50;
const composition = loadAll(readFileSync(fileURLToPath(new URL('../../compositions/asyncactor-state-proxy.yaml', import.meta.url)), 'utf8')) as Array<{
  spec: { pipeline: Array<{ input: unknown }> };
}>;
const compositionInput = composition[0]!.spec.pipeline[0]!.input;

interface Rendered { source: string; deployment: Record<string, unknown> }

function render(source: string, doc: unknown, rawInput: unknown): Rendered {
  const actor = validateAsyncActor(doc);
  if (!actor.ok) throw new Error(`${source}: not a valid actor: ${JSON.stringify(actor.issues)}`);
  const input = parseStepInput(rawInput);
  if (!input.ok) throw new Error(`${source}: not a valid step input: ${JSON.stringify(input.issues)}`);
  const d = renderDeployment(actor.value, input.value) as unknown as Record<string, unknown>;
  // One namespace for all: Crossplane would use the XR's, the API server checks the same schema.
  return { source, deployment: { ...d, metadata: { ...(d['metadata'] as object), namespace: NS } } };
}

/** Dry-runs a batch; on refusal, returns the API server's message with the batch's sources. */
async function dryRun(batch: readonly Rendered[]): Promise<string[]> {
  const list = { apiVersion: 'v1', kind: 'List', items: batch.map((r) => r.deployment) };
  try {
    await kubectl(['create', '--dry-run=server', '-f', '-', '-o', 'name'], JSON.stringify(list));
    return [];
  } catch (e) {
    if (!(e instanceof KubectlError)) throw e;
    // Find the culprits one by one so the failure names the actor.
    if (batch.length === 1) return [`${batch[0]!.source}: ${e.stderr.trim()}`];
    return (await Promise.all(batch.map((r) => dryRun([r])))).flat();
  }
}

async function dryRunAll(all: readonly Rendered[]): Promise<string[]> {
  await ensureNamespace(NS);
  const refusals: string[] = [];
  for (let i = 0; i < all.length; i += BATCH) refusals.push(...(await dryRun(all.slice(i, i + BATCH))));
  return refusals;
}

describe('rendered Deployments pass a server-side dry run', () => {
  it('examples and the valid corpus, with the Composition\'s input', async () => {
    const rendered = [...exampleFiles(), ...validFiles()].flatMap((f) =>
      (loadAll(f.text) as Array<{ kind?: string } | null>).filter((d) => d?.kind === 'AsyncActor').map((d, i) => render(`${f.name}#${i}`, d, compositionInput)),
    );
    expect(rendered.length).toBeGreaterThan(0);
    expect(await dryRunAll(rendered)).toEqual([]);
    process.stdout.write(`dry run: ${rendered.length} example/corpus Deployments admitted\n`);
  });

  it(`${N} property-generated valid actors with generated step inputs`, async () => {
    const seed = Number(process.env['ASYA_E2E_SEED'] ?? 20261201);
    const samples = fc.sample(fc.tuple(validActor(), stepInput), { numRuns: N, seed });
    const rendered = samples.map(([gen, input], i) => render(`generated #${i} (seed ${seed}) ${JSON.stringify(gen.xr)} input ${JSON.stringify(input)}`, gen.xr, input));
    expect(await dryRunAll(rendered)).toEqual([]);
    process.stdout.write(`dry run: ${rendered.length} generated Deployments admitted (seed ${seed})\n`);
  });
});
