/**
 * The properties the fuzzers check, as plain functions returning a list of violations (empty when
 * all hold), so vitest and bench/fuzz.ts share them.
 */
import { type RunFunctionRequest, type RunFunctionResponse, Severity } from '@crossplane-org/function-sdk-typescript';
import { isDeepStrictEqual } from 'node:util';
import { answer } from '../../function/server/server.js';
import { checkRestricted, parseMountsEnv } from '../../function/render/index.js';
import { validateAsyncActor } from '../../function/schema/validate.js';
import { formatPath } from '../../function/schema/issues.js';
import { decodeRequestSafely, encodeResponse } from '../../function/wire/codec.js';
import * as wire from '../../function/wire/messages.js';
import type { GeneratedActor } from './actor-arbitraries.js';

type Obj = Record<string, unknown>;
interface Container {
  name: string;
  command?: string[];
  env?: Array<{ name: string; value?: string }>;
}
interface PodTemplate {
  metadata?: Obj;
  spec: { containers: Container[]; initContainers?: Container[]; volumes?: Array<{ name: string }> };
}

export const fatals = (rsp: RunFunctionResponse) => rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL);

/** What the server does with a request: encode, decode with function/wire, answer. */
export function serve(req: RunFunctionRequest): { rsp: RunFunctionResponse; bytes: Buffer } {
  const decoded = decodeRequestSafely(wire.encode(wire.RunFunctionRequest, req as unknown as Obj));
  const rsp = answer(decoded);
  return { rsp, bytes: encodeResponse(rsp) };
}

export function buildRequest(opts: { xr: unknown; input?: Obj | undefined; desired?: Record<string, Obj>; composite?: Obj; tag?: string }): RunFunctionRequest {
  const resources: Record<string, { resource: Obj; connectionDetails: Record<string, Buffer>; ready: number }> = {};
  for (const [k, v] of Object.entries(opts.desired ?? {})) {
    Object.defineProperty(resources, k, { value: { resource: v, connectionDetails: {}, ready: 0 }, enumerable: true, writable: true, configurable: true });
  }
  const xr = opts.xr as Obj;
  return {
    meta: { tag: opts.tag ?? 'fuzz', capabilities: [] },
    observed: { composite: { resource: xr, connectionDetails: {}, ready: 0 }, resources: {} },
    desired: {
      composite: { resource: { apiVersion: 'asya.sh/v1alpha1', kind: 'AsyncActor', ...(opts.composite ?? {}) }, connectionDetails: {}, ready: 0 },
      resources,
    },
    input: opts.input,
    context: undefined,
    extraResources: {},
    credentials: {},
    requiredResources: {},
    requiredSchemas: {},
  } as unknown as RunFunctionRequest;
}

export const podOf = (rsp: RunFunctionResponse, key = 'deployment'): PodTemplate | undefined =>
  ((rsp.desired?.resources[key]?.resource as Obj | undefined)?.['spec'] as { template?: PodTemplate } | undefined)?.template;

/** (a): a valid actor renders, and the pod satisfies the contract. */
export function validActorViolations(gen: GeneratedActor, input: Obj | undefined): string[] {
  const req = buildRequest({ xr: gen.xr, input });
  const first = serve(req);
  const problems: string[] = [];
  const f = fatals(first.rsp);
  if (f.length > 0) return [`FATAL on a valid actor: ${f.map((r) => r.message).join(' | ')}`];
  const again = serve(buildRequest({ xr: structuredClone(gen.xr), input: input === undefined ? undefined : structuredClone(input) }));
  if (!first.bytes.equals(again.bytes)) problems.push('two runs of the same request gave different bytes');

  const pod = podOf(first.rsp);
  if (pod === undefined) return [...problems, 'no pod template under desired.resources.deployment'];
  const containers = pod.spec.containers;
  const init = pod.spec.initContainers ?? [];
  const all = [...init, ...containers];
  const names = all.map((c) => c.name);
  if (new Set(names).size !== names.length) problems.push(`duplicate container names: ${names.join(',')}`);
  const volumes = (pod.spec.volumes ?? []).map((v) => v.name);
  if (new Set(volumes).size !== volumes.length) problems.push(`duplicate volume names: ${volumes.join(',')}`);
  for (const n of [...names, ...volumes]) if (n.length > 63) problems.push(`name longer than 63: ${n}`);

  const connectors = all.filter((c) => c.name.startsWith('asya-state-proxy-'));
  const expected = gen.mounts.map((m) => `asya-state-proxy-${m.name}`);
  if (!isDeepStrictEqual(connectors.map((c) => c.name), expected)) problems.push(`connectors ${connectors.map((c) => c.name).join(',')} != mounts ${expected.join(',')}`);
  for (const c of connectors) {
    const first = c.env?.[0];
    const name = c.name.slice('asya-state-proxy-'.length);
    if (first?.name !== 'CONNECTOR_SOCKET' || first.value !== `/var/run/asya/state/${name}.sock`) problems.push(`${c.name}: CONNECTOR_SOCKET is not first (${JSON.stringify(first)})`);
    if ((c.env ?? []).filter((e) => e.name === 'CONNECTOR_SOCKET').length !== 1) problems.push(`${c.name}: CONNECTOR_SOCKET set more than once`);
  }

  const runtime = containers.find((c) => c.name === 'asya-runtime');
  if (runtime === undefined) return [...problems, 'no asya-runtime container'];
  const mountsEnv = (runtime.env ?? []).filter((e) => e.name === 'ASYA_STATE_PROXY_MOUNTS');
  if (gen.mounts.length === 0) {
    if (mountsEnv.length !== 0) problems.push('ASYA_STATE_PROXY_MOUNTS set without mounts');
    if (volumes.includes('state-sockets')) problems.push('state-sockets volume without mounts');
  } else {
    if (mountsEnv.length !== 1) problems.push(`ASYA_STATE_PROXY_MOUNTS appears ${mountsEnv.length} times`);
    const parsed = parseMountsEnv(mountsEnv[0]?.value ?? '').map((m) => ({ name: m.name, path: m.path, writeMode: m.write, ignored: m.ignored }));
    const want = gen.mounts.map((m) => ({ name: m.name, path: `${m.path}/`, writeMode: m.writeMode, ignored: [] }));
    if (!isDeepStrictEqual(parsed, want)) problems.push(`ASYA_STATE_PROXY_MOUNTS parses to ${JSON.stringify(parsed)}, want ${JSON.stringify(want)}`);
    if (runtime.env?.[runtime.env.length - 1]?.name !== 'ASYA_STATE_PROXY_MOUNTS') problems.push('ASYA_STATE_PROXY_MOUNTS is not the last runtime env var');
  }
  const python = ((gen.xr['spec'] as Obj)['pythonExecutable'] as string | undefined) ?? 'python3';
  if (!isDeepStrictEqual(runtime.command, [python, '/opt/asya/asya_runtime.py'])) problems.push(`runtime command ${JSON.stringify(runtime.command)}`);

  if (input?.['securityProfile'] === 'restricted') {
    const pss = checkRestricted(pod as never);
    if (pss.length > 0) problems.push(`restricted profile violated: ${pss.map((i) => `${formatPath(i.path)} ${i.rule}`).join('; ')}`);
  }
  return problems;
}

const prototypeNames = () => Object.getOwnPropertyNames(Object.prototype).sort().join(',');
const PROTOTYPE_BASELINE = prototypeNames();

/** (b): a hostile XR never throws, answers with a render or a FATAL naming fields, never pollutes. */
export function hostileViolations(xr: unknown, earlier: Record<string, Obj>): string[] {
  const problems: string[] = [];
  const req = buildRequest({ xr, desired: earlier });
  let out: { rsp: RunFunctionResponse; bytes: Buffer };
  try {
    out = serve(req);
  } catch (err) {
    return [`threw: ${err instanceof Error ? err.stack : String(err)}`];
  }
  if (prototypeNames() !== PROTOTYPE_BASELINE || ({} as Obj)['polluted'] !== undefined) problems.push('Object.prototype was modified');
  const f = fatals(out.rsp);
  if (f.length > 1) problems.push(`${f.length} FATAL results (want one)`);
  const validated = validateAsyncActor(xr);
  if (!validated.ok) {
    if (f.length !== 1) return [...problems, `invalid actor without a FATAL: ${JSON.stringify(validated.issues.slice(0, 3))}`];
    const message = f[0]?.message ?? '';
    for (const issue of validated.issues) {
      const at = formatPath(issue.path);
      if (!message.includes(at)) problems.push(`FATAL message lacks the field path ${at}`);
    }
  } else if (f.length === 1 && !/^\s+\S.*: /m.test(f[0]?.message ?? '')) {
    problems.push(`FATAL without a field path: ${f[0]?.message}`);
  }
  problems.push(...earlierViolations(earlier, out.rsp, 'deployment'));
  return problems;
}

/** (c): every earlier-step resource comes back exactly as sent (through the wire, bytes included). */
export function earlierViolations(earlier: Record<string, Obj>, rsp: RunFunctionResponse, ownKey: string): string[] {
  const problems: string[] = [];
  const back = wire.decode(wire.RunFunctionResponse, encodeResponse(rsp)) as unknown as RunFunctionResponse;
  for (const key of Object.keys(earlier)) {
    if (key === ownKey) continue;
    const got = Object.hasOwn(back.desired?.resources ?? {}, key) ? back.desired?.resources[key]?.resource : undefined;
    if (!isDeepStrictEqual(got, earlier[key])) problems.push(`earlier resource ${JSON.stringify(key)} changed: ${JSON.stringify(got)?.slice(0, 200)} != ${JSON.stringify(earlier[key])?.slice(0, 200)}`);
  }
  const extra = Object.keys(back.desired?.resources ?? {}).filter((k) => k !== ownKey && !Object.hasOwn(earlier, k));
  if (extra.length > 0) problems.push(`unexpected desired resources ${extra.join(',')}`);
  return problems;
}
