/**
 * The in-flight byte budget and the per-call deadline (issue 12 item 5) against stalled clients
 * speaking raw HTTP/2: a request that announces 4 MB, sends part of it and stalls.
 */
import { type ClientHttp2Session, connect } from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { admission } from './admission.js';
import { admissionStatsOf, bind, createServer, DEFAULT_MAX_RECV_BYTES, reclaimerOf, serverCredentials } from './server.js';
import { RawFunctionClient } from '../../test/support/grpc-client.js';
import { actorDoc, baseSpec, request } from '../../test/support/requests.js';
import { TestHealthClient } from '../../test/support/health-client.js';

const PATH = '/apiextensions.fn.proto.v1.FunctionRunnerService/RunFunction';
const silent = pino({ level: 'silent' });
const MiB = 1024 * 1024;
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A bare grpc-js server with only the admission interceptor, on PATH, answering with `run`. */
async function boundedEcho(run: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => void) {
  const bounds = admission({ maxInflightBytes: 64 * MiB, callTimeoutMs: 10_000, path: PATH });
  const server = new grpc.Server({ interceptors: [bounds.interceptor] });
  const raw = (b: Buffer) => b;
  server.addService({ run: { path: PATH, requestStream: false, responseStream: false, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw } }, { run });
  const port = await bind(server, '127.0.0.1:0', grpc.ServerCredentials.createInsecure());
  cleanups.push(() => server.forceShutdown());
  const client = new RawFunctionClient(`127.0.0.1:${port}`);
  cleanups.push(() => client.close());
  return { bounds, client };
}

async function start(opts: { maxInflightBytes?: number; callTimeoutMs?: number }) {
  const server = createServer({ maxRecvMessageSize: DEFAULT_MAX_RECV_BYTES, ...opts }, silent);
  const port = await bind(server, '127.0.0.1:0', serverCredentials({ insecure: true, tlsServerCertsDir: '' }));
  cleanups.push(() => server.forceShutdown());
  return port;
}

/** A stream that announces `announced` bytes of message, sends `sent` of them and stalls; resolves to its grpc-status. */
function stalled(session: ClientHttp2Session, announced: number, sent: number): { status: Promise<number>; sentAll: Promise<void> } {
  const stream = session.request({ ':method': 'POST', ':path': PATH, 'content-type': 'application/grpc', te: 'trailers' });
  stream.on('error', () => undefined);
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(announced, 1);
  const sentAll = new Promise<void>((resolve) => stream.write(Buffer.concat([prefix, Buffer.alloc(sent, 0x41)]), () => resolve()));
  const status = new Promise<number>((resolve) => {
    stream.on('response', (h) => h['grpc-status'] !== undefined && resolve(Number(h['grpc-status'])));
    stream.on('trailers', (h) => resolve(Number(h['grpc-status'])));
    stream.on('close', () => resolve(-1));
  });
  stream.resume();
  return { status, sentAll };
}

const valid = () => RunFunctionRequest.encode(request({ xr: actorDoc(baseSpec) })).finish();

/** The status of `c`, or 'pending' if it has none after `ms` (a call that was not refused at once). */
const within = (c: { status: Promise<number> }, ms: number) =>
  Promise.race([c.status, new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms))]);

function session(port: number): ClientHttp2Session {
  // The client queues whole bodies; Node's default session memory would reset streams client-side.
  const s = connect(`http://127.0.0.1:${port}`, { maxSessionMemory: 256 });
  s.on('error', () => undefined);
  cleanups.push(() => s.destroy());
  return s;
}

describe('admission bounds', () => {
  it('charges a call its whole announced message as soon as the prefix arrives, and refuses what does not fit at once', async () => {
    const port = await start({ maxInflightBytes: 6 * MiB });
    const s = session(port);
    const first = stalled(s, 4 * MiB, MiB);
    await first.sentAll;
    // 10 bytes of a second 4 MiB message: 4 + 4 MiB do not fit, so it is refused before its body.
    expect(await within(stalled(s, 4 * MiB, 10), 5_000)).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(await within(first, 200)).toBe('pending');
  });

  it('reads an announced size whose prefix arrives split over DATA frames', async () => {
    const port = await start({ maxInflightBytes: 6 * MiB });
    const s = session(port);
    const stream = s.request({ ':method': 'POST', ':path': PATH, 'content-type': 'application/grpc', te: 'trailers' });
    stream.on('error', () => undefined);
    const prefix = Buffer.alloc(5);
    prefix.writeUInt32BE(4 * MiB, 1);
    await new Promise<void>((resolve) => stream.write(prefix.subarray(0, 2), () => resolve()));
    await new Promise((r) => setTimeout(r, 50));
    await new Promise<void>((resolve) => stream.write(Buffer.concat([prefix.subarray(2), Buffer.alloc(MiB, 0x41)]), () => resolve()));
    // Charged 4 MiB, not the 1 MiB it sent: a second 4 MiB message does not fit the 5.25 MiB share.
    expect(await within(stalled(s, 4 * MiB, 10), 5_000)).toBe(grpc.status.RESOURCE_EXHAUSTED);
  });

  it('keeps part of the budget for small requests: big stalled calls cannot starve them', async () => {
    const port = await start({ maxInflightBytes: 8 * MiB });
    const s = session(port);
    const big = stalled(s, 4 * MiB, MiB);
    await big.sentAll;
    // A second 4 MiB message would fit the 8 MiB budget, but not the large requests' 7 MiB share.
    expect(await within(stalled(s, 4 * MiB, MiB), 5_000)).toBe(grpc.status.RESOURCE_EXHAUSTED);
    const client = new RawFunctionClient(`127.0.0.1:${port}`);
    cleanups.push(() => client.close());
    expect((await client.callBytes(valid())).length).toBeGreaterThan(0);
    expect(await within(big, 200)).toBe('pending');
  });

  it('refuses calls once the bytes held for stalled calls reach --max-inflight-bytes, and frees them when the client leaves', async () => {
    const server = createServer({ maxRecvMessageSize: DEFAULT_MAX_RECV_BYTES, maxInflightBytes: 2 * MiB }, silent);
    const port = await bind(server, '127.0.0.1:0', serverCredentials({ insecure: true, tlsServerCertsDir: '' }));
    cleanups.push(() => server.forceShutdown());
    const s = session(port);
    // Eight stalled small requests announcing 256 KiB each (prefix included) fill the budget exactly.
    const holding = Array.from({ length: 8 }, () => stalled(s, 256 * 1024 - 5, 10));
    await Promise.all(holding.map((c) => c.sentAll));
    const stats = admissionStatsOf(server);
    await expect.poll(() => stats?.held).toBe(2 * MiB);
    // A ninth stalled request, and a small valid call: refused at once, nothing buffered.
    expect(await within(stalled(s, 1000, 10), 5_000)).toBe(grpc.status.RESOURCE_EXHAUSTED);
    const client = new RawFunctionClient(`127.0.0.1:${port}`);
    cleanups.push(() => client.close());
    await expect(client.callBytes(valid())).rejects.toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED, details: expect.stringContaining('--max-inflight-bytes') });
    // The stalled client leaves: its bytes are released and calls are served again.
    s.destroy();
    await expect.poll(() => stats?.held).toBe(0);
    const ok = await client.callBytes(valid());
    expect(ok.length).toBeGreaterThan(0);
  });

  it('collects the memory of released stalled requests once the server is quiet', async () => {
    const server = createServer({ maxRecvMessageSize: DEFAULT_MAX_RECV_BYTES, maxInflightBytes: 16 * MiB }, silent);
    const port = await bind(server, '127.0.0.1:0', serverCredentials({ insecure: true, tlsServerCertsDir: '' }));
    cleanups.push(() => server.forceShutdown());
    const s = session(port);
    // Three 4 MiB requests (a quarter of the budget and more) stall, then their client leaves.
    const calls = [stalled(s, 4 * MiB, MiB), stalled(s, 4 * MiB, MiB), stalled(s, 4 * MiB, MiB)];
    await Promise.all(calls.map((c) => c.sentAll));
    await expect.poll(() => admissionStatsOf(server)?.held).toBe(3 * (4 * MiB + 5));
    expect(reclaimerOf(server)?.runs).toBe(0);
    s.destroy();
    await expect.poll(() => reclaimerOf(server)?.runs, { timeout: 10_000 }).toBe(1);
  });

  it('ends a call whose request does not arrive within --call-timeout with DEADLINE_EXCEEDED', async () => {
    const port = await start({ callTimeoutMs: 300 });
    const t = Date.now();
    const { status } = stalled(session(port), 4 * MiB, 1000);
    expect(await status).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(Date.now() - t).toBeGreaterThanOrEqual(250);
  });

  it('does not bound the health service', async () => {
    const port = await start({ maxInflightBytes: 1 });
    const health = new TestHealthClient(`127.0.0.1:${port}`);
    cleanups.push(() => health.close());
    expect(await health.check('')).toBe(1);
  });

  it('counts the bytes on the call stream (grpc-js still keeps it where the interceptor looks)', async () => {
    const { bounds, client } = await boundedEcho((call, cb) => cb(null, call.request));
    await client.callBytes(Buffer.alloc(100_000, 1));
    expect(bounds.stats.peak).toBeGreaterThanOrEqual(100_000);
    expect(bounds.stats.held).toBe(0);
    expect(bounds.stats.active).toBe(0);
  });

  it('counts the calls in flight (the worker pool sends small calls to workers when there are others)', async () => {
    const seen: number[] = [];
    const held: Array<() => void> = [];
    const { bounds, client } = await boundedEcho((call, cb) => {
      seen.push(bounds.stats.active);
      held.push(() => cb(null, call.request));
    });
    const first = client.callBytes(Buffer.alloc(10, 1));
    await expect.poll(() => held.length).toBe(1);
    const second = client.callBytes(Buffer.alloc(10, 2));
    await expect.poll(() => held.length).toBe(2);
    expect(seen).toEqual([1, 2]);
    for (const answer of held) answer();
    await Promise.all([first, second]);
    await expect.poll(() => bounds.stats.active).toBe(0);
  });
});
