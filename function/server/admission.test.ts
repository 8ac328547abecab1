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
import { bind, createServer, DEFAULT_MAX_RECV_BYTES, serverCredentials } from './server.js';
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

describe('admission bounds', () => {
  it('refuses a call whose bytes would cross --max-inflight-bytes', async () => {
    const port = await start({ maxInflightBytes: 2 * MiB });
    const session = connect(`http://127.0.0.1:${port}`);
    session.on('error', () => undefined);
    cleanups.push(() => session.destroy());
    const first = stalled(session, 4 * MiB, MiB);
    await first.sentAll;
    expect(await stalled(session, 4 * MiB, 1.5 * MiB).status).toBe(grpc.status.RESOURCE_EXHAUSTED);
  });

  it('refuses calls once the bytes held for stalled calls reach --max-inflight-bytes, and frees them when the client leaves', async () => {
    const port = await start({ maxInflightBytes: 2 * MiB });
    const session = connect(`http://127.0.0.1:${port}`);
    session.on('error', () => undefined);
    // Two stalled 4 MB requests holding 1 MiB each (prefix included) fill the budget exactly.
    const holding = [stalled(session, 4 * MiB, MiB - 5), stalled(session, 4 * MiB, MiB - 5)];
    await Promise.all(holding.map((c) => c.sentAll));
    await new Promise((r) => setTimeout(r, 200));
    // A third stalled request, and a small valid call: refused at once, nothing buffered.
    expect(await stalled(session, 4 * MiB, 10).status).toBe(grpc.status.RESOURCE_EXHAUSTED);
    const client = new RawFunctionClient(`127.0.0.1:${port}`);
    cleanups.push(() => client.close());
    await expect(client.callBytes(valid())).rejects.toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED, details: expect.stringContaining('--max-inflight-bytes') });
    // The stalled client leaves: its bytes are released and calls are served again.
    session.destroy();
    await new Promise((r) => setTimeout(r, 200));
    const ok = await client.callBytes(valid());
    expect(ok.length).toBeGreaterThan(0);
  });

  it('ends a call whose request does not arrive within --call-timeout with DEADLINE_EXCEEDED', async () => {
    const port = await start({ callTimeoutMs: 300 });
    const session = connect(`http://127.0.0.1:${port}`);
    session.on('error', () => undefined);
    cleanups.push(() => session.destroy());
    const t = Date.now();
    const { status } = stalled(session, 4 * MiB, 1000);
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
    const bounds = admission({ maxInflightBytes: 64 * MiB, callTimeoutMs: 10_000, path: PATH });
    const server = new grpc.Server({ interceptors: [bounds.interceptor] });
    server.addService(
      { run: { path: PATH, requestStream: false, responseStream: false, requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b } },
      { run: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, call.request) },
    );
    const port = await bind(server, '127.0.0.1:0', grpc.ServerCredentials.createInsecure());
    cleanups.push(() => server.forceShutdown());
    const client = new RawFunctionClient(`127.0.0.1:${port}`);
    cleanups.push(() => client.close());
    await client.callBytes(Buffer.alloc(100_000, 1));
    expect(bounds.stats.peak).toBeGreaterThanOrEqual(100_000);
    expect(bounds.stats.held).toBe(0);
  });
});
