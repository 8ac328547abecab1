/**
 * The gRPC server under load and faults (issue 5, item 2): thousands of concurrent calls, garbage
 * bytes, oversized messages, clients that hang up mid-call, very large and very deeply nested XRs.
 * Every request Crossplane can send gets a RunFunctionResponse; the server keeps serving.
 */
import * as grpc from '@grpc/grpc-js';
import { RunFunctionResponse, Severity } from '@crossplane-org/function-sdk-typescript';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_RECV_BYTES, type RunningServer, listen } from '../../function/server/server.js';
import { MAX_NESTING } from '../../function/wire/guard.js';
import * as wire from '../../function/wire/messages.js';
import { RawFunctionClient } from '../support/grpc-client.js';
import { fatals } from '../support/invariants.js';
import { actorDoc, baseSpec, request } from '../support/requests.js';
import { nested } from '../support/wire-arbitraries.js';

const silent = pino({ level: 'silent' });
const encodeRequest = (req: ReturnType<typeof request>): Buffer => wire.encode(wire.RunFunctionRequest, req as unknown as Record<string, unknown>);

const earlierConfigMap = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'from-earlier-step', annotations: { 'crossplane.io/composition-resource-name': 'config' } },
  data: { a: 'b' },
};

let running: RunningServer;
let client: RawFunctionClient;

beforeAll(async () => {
  running = await listen({ address: '127.0.0.1:0', insecure: true, tlsServerCertsDir: '/nonexistent', maxRecvMessageSize: DEFAULT_MAX_RECV_BYTES, debug: false }, silent);
  client = new RawFunctionClient(`127.0.0.1:${running.port}`);
});
afterAll(() => {
  client.close();
  running.server.forceShutdown();
});

/** Runs `total` calls with at most `concurrency` in flight; returns every result in order. */
async function pool<T>(total: number, concurrency: number, call: (i: number) => Promise<T>): Promise<Array<PromiseSettledResult<T>>> {
  const results: Array<PromiseSettledResult<T>> = new Array(total);
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await call(i) };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

const expectServing = async () => {
  const { rsp } = await client.call(request({ xr: actorDoc(baseSpec), tag: 'still-serving' }));
  expect(fatals(rsp)).toEqual([]);
  expect(rsp.meta?.tag).toBe('still-serving');
};

describe('load', () => {
  it('3,000 calls, 64 in flight: 0 errors, every response byte-identical to the single-call response', async () => {
    const bytes = encodeRequest(request({ xr: actorDoc(baseSpec), desired: [earlierConfigMap], tag: 'load' }));
    const single = await client.callBytes(bytes);
    expect(fatals(RunFunctionResponse.decode(single))).toEqual([]);
    const started = Date.now();
    const results = await pool(3_000, 64, () => client.callBytes(bytes, 30_000));
    const errors = results.filter((r) => r.status === 'rejected');
    const different = results.filter((r) => r.status === 'fulfilled' && !r.value.equals(single));
    expect(errors).toEqual([]);
    expect(different.length).toBe(0);
    console.log(`load: 3000 calls, 64 in flight, ${errors.length} errors, ${Date.now() - started} ms`);
  }, 60_000);
});

describe('faults', () => {
  it('malformed protobuf gets a FATAL "request could not be decoded", concurrently with good calls', async () => {
    const good = encodeRequest(request({ xr: actorDoc(baseSpec), tag: 'good' }));
    const bad = [Buffer.from([0xff, 0xff]), Buffer.from([0x0a, 0x05, 0x0a, 0x03, 0x61]), Buffer.from([0x12, 0x80, 0x80, 0x80, 0x80, 0x01]), good.subarray(0, good.length - 7)];
    const results = await Promise.all([...bad.map((b) => client.callBytes(b)), client.callBytes(good)]);
    for (const r of results.slice(0, bad.length)) {
      const rsp = RunFunctionResponse.decode(r);
      expect(rsp.results).toHaveLength(1);
      expect(rsp.results[0]).toMatchObject({ severity: Severity.SEVERITY_FATAL, reason: 'UndecodableRequest' });
      expect(rsp.results[0]?.message).toMatch(/^request could not be decoded: /);
    }
    // The truncated copy of a good request still carries its tag.
    expect(RunFunctionResponse.decode(results[3] as Buffer).meta?.tag).toBe('good');
    expect(fatals(RunFunctionResponse.decode(results[4] as Buffer))).toEqual([]);
  });

  it('a message over --max-recv-message-size is RESOURCE_EXHAUSTED and the server keeps serving', async () => {
    const big = encodeRequest(request({ xr: actorDoc({ ...baseSpec, env: [{ name: 'BIG', value: 'x'.repeat(DEFAULT_MAX_RECV_BYTES + 1024) }] }) }));
    await expect(client.callBytes(big)).rejects.toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED });
    await expectServing();
  });

  it('clients that disconnect mid-call do not hurt the server', async () => {
    // Large requests, so that cancellation lands while bytes are still in flight or being handled.
    const bytes = encodeRequest(request({ xr: actorDoc({ ...baseSpec, env: [{ name: 'PAD', value: 'p'.repeat(1_500_000) }] }) }));
    for (const delay of [0, 1, 5, 20]) {
      const calls = Array.from({ length: 16 }, () => client.start(bytes));
      await new Promise((r) => setTimeout(r, delay));
      for (const c of calls) c.cancel();
      const settled = await Promise.allSettled(calls.map((c) => c.response));
      for (const s of settled) if (s.status === 'rejected') expect((s.reason as grpc.ServiceError).code).toBe(grpc.status.CANCELLED);
    }
    // Separate connections that vanish entirely.
    for (let i = 0; i < 8; i++) {
      const other = new RawFunctionClient(`127.0.0.1:${running.port}`);
      const c = other.start(bytes);
      c.response.catch(() => {});
      await new Promise((r) => setTimeout(r, 2));
      other.close();
      c.cancel();
    }
    await expectServing();
    const results = await pool(200, 32, () => client.callBytes(encodeRequest(request({ xr: actorDoc(baseSpec) }))));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  }, 30_000);

  it('answers a 3 MiB XR (256 env values of 12 KiB) with the rendered Deployment', async () => {
    const env = Array.from({ length: 256 }, (_, i) => ({ name: `VALUE_${i}`, value: String(i % 10).repeat(12 * 1024) }));
    const bytes = encodeRequest(request({ xr: actorDoc({ ...baseSpec, env }) }));
    expect(bytes.length).toBeGreaterThan(3 * 1024 * 1024);
    expect(bytes.length).toBeLessThan(DEFAULT_MAX_RECV_BYTES);
    const rsp = RunFunctionResponse.decode(await client.callBytes(bytes, 30_000));
    expect(fatals(rsp)).toEqual([]);
    const dep = rsp.desired?.resources['deployment']?.resource as { spec: { template: { spec: { containers: Array<{ name: string; env: unknown[] }> } } } };
    const runtime = dep.spec.template.spec.containers.find((c) => c.name === 'asya-runtime');
    expect(runtime?.env).toHaveLength(2 + 256 + 1);
  }, 30_000);
});

describe('deeply nested XRs (the SDK decoder refused anything past ~32 levels)', () => {
  // `free` stands for a volume source the schema passes through untouched; it is the volume's only
  // source (the one-source rule counts every key but `name`).
  const deepVolume = (depth: number) => actorDoc({ ...baseSpec, volumes: [{ name: 'deep', free: nested(depth) }] });

  it.each([31, 64, 200])('a free-form value nested %i levels inside spec.volumes renders', async (depth) => {
    const bytes = await client.callBytes(encodeRequest(request({ xr: deepVolume(depth), desired: [earlierConfigMap], tag: `d${depth}` })));
    // The SDK's decoder cannot read this response either; Crossplane's (Go) can.
    const rsp = wire.decode(wire.RunFunctionResponse, bytes) as unknown as RunFunctionResponse;
    expect(fatals(rsp)).toEqual([]);
    expect(rsp.meta?.tag).toBe(`d${depth}`);
    const dep = rsp.desired?.resources['deployment']?.resource as { spec: { template: { spec: { volumes: Array<{ name: string; free?: unknown }> } } } };
    expect(dep.spec.template.spec.volumes.find((v) => v.name === 'deep')?.free).toEqual(nested(depth));
    expect(rsp.desired?.resources['config']?.resource).toEqual(earlierConfigMap);
  });

  it.each([1_000, 20_000])('nested %i levels: a FATAL naming the field, desired state passed back unchanged', async (depth) => {
    const req = request({ xr: deepVolume(depth), desired: [earlierConfigMap], tag: 'deep' });
    const rsp = RunFunctionResponse.decode(await client.callBytes(encodeRequest(req)));
    expect(rsp.results).toHaveLength(1);
    expect(rsp.results[0]).toMatchObject({ severity: Severity.SEVERITY_FATAL, reason: 'NestingTooDeep' });
    expect(rsp.results[0]?.message).toContain('spec.volumes[0].free.a.a.a');
    expect(rsp.results[0]?.message).toContain(`nests more than ${MAX_NESTING} levels deep`);
    expect(rsp.results[0]?.message.length).toBeLessThan(1_000);
    expect(rsp.meta?.tag).toBe('deep');
    expect(rsp.desired?.resources['config']?.resource).toEqual(earlierConfigMap);
    expect(rsp.desired?.resources['deployment']).toBeUndefined();
  });

  it('passes a 3,000-level resource from an earlier step through untouched (Crossplane decodes up to ~5,000)', async () => {
    const deepConfig = { ...earlierConfigMap, data: { nested: nested(3_000) } };
    const bytes = await client.callBytes(encodeRequest(request({ xr: actorDoc(baseSpec), desired: [deepConfig] })));
    const rsp = wire.decode(wire.RunFunctionResponse, bytes) as unknown as RunFunctionResponse;
    expect(fatals(rsp)).toEqual([]);
    // Compared as wire bytes: a recursive toEqual 3,000 levels deep can overflow the test's own stack.
    const asBytes = (resource: unknown) => wire.encode(wire.Resource, { resource, connectionDetails: {}, ready: 0 });
    expect(asBytes(rsp.desired?.resources['config']?.resource).equals(asBytes(deepConfig))).toBe(true);
  });
});
