/**
 * When a server's workers start (issue 16, cold start and RSS): only at the first call big enough
 * for one, after it when it is not large (loading them would compete with it), at once when it is
 * (it waits for them rather than hold the main thread); `ready` still starts and waits for them.
 */
import { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { computeAnswer } from '../function/server/answer.js';
import { listen, poolOf, type RunningServer } from '../function/server/server.js';
import { WorkerPool } from '../function/server/worker-pool.js';
import { RawFunctionClient } from './support/grpc-client.js';
import { actorDoc, baseSpec, request } from './support/requests.js';

const req = () => Buffer.from(RunFunctionRequest.encode(request({ xr: actorDoc(baseSpec) })).finish());
let pool: WorkerPool | undefined;
let running: RunningServer | undefined;
afterEach(async () => {
  await pool?.terminate();
  pool = undefined;
  await running?.stop(100);
  running = undefined;
});

/** Resolves with the thread id once a worker of the pool reports ready. */
const readyOnce = () => {
  let resolve: (threadId: number) => void = () => undefined;
  const ready = new Promise<number>((r) => (resolve = r));
  return { ready, onWorkerReady: ({ threadId }: { threadId: number }) => resolve(threadId) };
};

const big = () => Buffer.from(RunFunctionRequest.encode(request({ xr: actorDoc({ ...baseSpec, env: [{ name: 'BIG', value: 'v'.repeat(300_000) }] }) })).finish());

describe('WorkerPool.startOnDemand', () => {
  it('starts no worker for calls under minBytes, however many', async () => {
    pool = new WorkerPool({ size: 1, autoStart: false, minBytes: 1 << 20 });
    pool.startOnDemand();
    for (let i = 0; i < 5; i++) expect((await pool.run(req())).out.equals(computeAnswer(req()).out)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(pool.started).toBe(false);
    expect(pool.inline).toBe(5);
  });

  it('answers the first call a worker is for in the main thread when it is not large, then starts them', async () => {
    const { ready, onWorkerReady } = readyOnce();
    pool = new WorkerPool({ size: 1, autoStart: false, onWorkerReady });
    pool.startOnDemand();
    expect(pool.started).toBe(false);
    const first = await pool.run(req());
    expect(first.out.equals(computeAnswer(req()).out)).toBe(true);
    expect(pool.inline).toBe(1);
    expect(pool.started).toBe(false);
    expect(await ready).toBeGreaterThan(0);
    expect(pool.started).toBe(true);
    // From now on a worker answers (minBytes 0).
    const second = await pool.run(req());
    expect(second.out.equals(first.out)).toBe(true);
    expect(pool.inline).toBe(1);
  });

  it('a large first call starts the workers at once and waits for one instead of holding the main thread', async () => {
    pool = new WorkerPool({ size: 1, autoStart: false });
    pool.startOnDemand();
    const pending = pool.run(big());
    expect(pool.started).toBe(true);
    // While the worker loads, a small call is still answered here.
    expect((await pool.run(req())).out.equals(computeAnswer(req()).out)).toBe(true);
    expect((await pending).out.equals(computeAnswer(big()).out)).toBe(true);
    expect(pool.inline).toBe(1);
  });

  it('ready() starts workers left for demand at once; close() cancels the wait', async () => {
    pool = new WorkerPool({ size: 2, autoStart: false });
    pool.startOnDemand();
    await pool.ready();
    expect(pool.started).toBe(true);
    expect((await pool.run(req())).out.equals(computeAnswer(req()).out)).toBe(true);
    expect(pool.inline).toBe(0);

    const idle = new WorkerPool({ size: 1, autoStart: false });
    idle.startOnDemand();
    await idle.close();
    expect((await idle.run(big())).out.equals(computeAnswer(big()).out)).toBe(true);
    expect(idle.started).toBe(false);
  });

  it('a server starts no worker for small calls', async () => {
    running = await listen({ address: '127.0.0.1:0', insecure: true, tlsServerCertsDir: '', maxRecvMessageSize: 4 * 1024 * 1024, debug: false, workers: 1, responseCacheEntries: 0 }, pino({ level: 'silent' }));
    const serverPool = poolOf(running.server)!;
    expect(serverPool.started).toBe(false);
    const client = new RawFunctionClient(`127.0.0.1:${running.port}`);
    try {
      expect((await client.callBytes(req())).equals(computeAnswer(req()).out)).toBe(true);
      expect((await client.callBytes(req())).equals(computeAnswer(req()).out)).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      expect(serverPool.inline).toBe(2);
      expect(serverPool.started).toBe(false);
      // The first large one starts it, and a worker answers it.
      expect((await client.callBytes(big())).equals(computeAnswer(big()).out)).toBe(true);
      expect(serverPool.started).toBe(true);
      expect(serverPool.inline).toBe(2);
    } finally {
      client.close();
    }
  });
});
