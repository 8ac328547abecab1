/**
 * kubectl against the e2e control plane, and polling helpers. Tests read the kubeconfig path from
 * ASYA_E2E_KUBECONFIG (set by the global setup).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class KubectlError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly stderr: string,
  ) {
    super(`kubectl ${args.join(' ')} failed: ${stderr.trim()}`);
  }
}

export function kubeconfig(): string {
  const path = process.env['ASYA_E2E_KUBECONFIG'];
  if (!path) throw new Error('ASYA_E2E_KUBECONFIG is not set: run the e2e suite with `npm run e2e`');
  return path;
}

/** Runs kubectl; rejects with a KubectlError carrying stderr (what the API server said). */
export async function kubectl(args: readonly string[], input?: string, config = kubeconfig()): Promise<string> {
  const full = ['--kubeconfig', config, ...args];
  const p = run('kubectl', full, { maxBuffer: 64 * 1024 * 1024 });
  if (input !== undefined) {
    p.child.stdin?.end(input);
  }
  try {
    return (await p).stdout;
  } catch (e) {
    throw new KubectlError(args, (e as { stderr?: string }).stderr ?? String(e));
  }
}

export const apply = (yaml: string, extra: readonly string[] = []) => kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=e2e', '-f', '-', ...extra], yaml);
export const create = (yaml: string, extra: readonly string[] = []) => kubectl(['create', '-f', '-', ...extra], yaml);
export const remove = (kind: string, name: string, namespace = 'default') => kubectl(['delete', kind, name, '-n', namespace, '--ignore-not-found', '--wait=false']);

export async function getJson<T = Record<string, unknown>>(kind: string, name: string, namespace?: string): Promise<T | undefined> {
  try {
    return JSON.parse(await kubectl(['get', kind, name, '-o', 'json', ...(namespace ? ['-n', namespace] : [])])) as T;
  } catch (e) {
    if (e instanceof KubectlError && /NotFound|not found/.test(e.stderr)) return undefined;
    throw e;
  }
}

/** Polls `probe` until it returns a value other than undefined; the error names what was awaited. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

interface Condition { type: string; status: string; reason?: string; message?: string }

export function condition(obj: unknown, type: string): Condition | undefined {
  const conditions = (obj as { status?: { conditions?: Condition[] } } | undefined)?.status?.conditions ?? [];
  return conditions.find((c) => c.type === type);
}

/** Waits until `kind/name` has condition `type` with `status` and returns the object. */
export function waitForCondition(kind: string, name: string, type: string, status: 'True' | 'False', namespace?: string, timeoutMs?: number) {
  return waitFor(`${kind}/${name} ${type}=${status}`, async () => {
    const obj = await getJson(kind, name, namespace);
    return condition(obj, type)?.status === status ? obj : undefined;
  }, timeoutMs);
}

/**
 * Without a kubelet nothing rolls out: write the status a finished rollout has, so readiness
 * logic (ours and Crossplane's) sees a rolled-out Deployment.
 */
export async function markDeploymentRolledOut(name: string, namespace = 'default'): Promise<void> {
  const d = await getJson<{ metadata: { generation: number }; spec: { replicas?: number } }>('deployment', name, namespace);
  if (!d) throw new Error(`deployment ${namespace}/${name} does not exist`);
  const replicas = d.spec.replicas ?? 1;
  const now = new Date().toISOString();
  const status = {
    observedGeneration: d.metadata.generation,
    replicas,
    updatedReplicas: replicas,
    readyReplicas: replicas,
    availableReplicas: replicas,
    conditions: [
      { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'e2e', lastTransitionTime: now, lastUpdateTime: now },
      { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: 'e2e', lastTransitionTime: now, lastUpdateTime: now },
    ],
  };
  await kubectl(['patch', 'deployment', name, '-n', namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
}
